#!/usr/bin/env python3
"""embed.py INPUT OUTPUT NAME: OUTPUT is a C file defining `const char NAME[]`,
the bytes of INPUT and a NUL (what the library builds in from data files)."""
import sys

src, dst, name = sys.argv[1:4]
data = open(src, "rb").read()
with open(dst, "w") as out:
    out.write("/* Generated from %s by scripts/embed.py: do not edit. */\n" % src.split("/")[-1])
    out.write("extern const char %s[];\nconst char %s[] = {\n" % (name, name))
    for i in range(0, len(data), 16):
        out.write("    " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",\n")
    out.write("    0x00};\n")
