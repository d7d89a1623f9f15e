#!/usr/bin/env python3
"""Prints the entry of this interpreter's sys.path where a package installed
under PREFIX is found (e.g. /usr/local/lib/python3.11/dist-packages on
Debian for /usr/local), or nothing when it has none.

    site-dir.py PREFIX
"""
import os
import sys

prefix = os.path.normpath(sys.argv[1]) + os.sep
for entry in sys.path:
    if entry.startswith(prefix) and os.path.basename(entry) in ("dist-packages", "site-packages"):
        print(entry)
        break
