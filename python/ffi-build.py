#!/usr/bin/env python3
"""Writes the C source of the extension module ewdiag._ewdiag with cffi.

    ffi-build.py HEADER OUTPUT.c CC [CC ARGS...]

The declarations are those of the public header itself, run through the C
preprocessor (without the system headers it includes: cffi knows size_t,
the intN_t types and FILE), so there is no second copy of the API to keep in
step. Integer constants (#define EWDIAG_...) are declared as "...": the C
compiler takes their values from the header when it builds the module, and
it checks every declaration against the header the same way.
"""
import contextlib
import io
import re
import subprocess
import sys

import cffi

# The one callback: ewdiag_read_fn, served by a Python file object.
EXTRA = """
extern "Python" long _ewdiag_read(void *ctx, void *buf, size_t cap);
void free(void *p);
"""
INTEGER_EXPRESSION = re.compile(r"[-+*/()\sA-Z0-9_xXuUlL]+")


def declarations(header, cc):
    with open(header, encoding="utf-8") as f:
        text = f.read()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#include"))
    decls = subprocess.run([*cc, "-E", "-P", "-std=c11", "-x", "c", "-"], input=body, text=True,
                           stdout=subprocess.PIPE, check=True).stdout
    joined = re.sub(r"/\*.*?\*/", " ", text.replace("\\\n", " "), flags=re.S)
    consts = [f"#define {name} ..."
              for name, value in re.findall(r"^#define[ \t]+(EWDIAG_\w+)[ \t]+(.+?)[ \t]*$", joined, re.M)
              if INTEGER_EXPRESSION.fullmatch(value)]
    return decls + "\n" + "\n".join(consts) + "\n" + EXTRA


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    header, output, cc = sys.argv[1], sys.argv[2], sys.argv[3:]
    ffi = cffi.FFI()
    ffi.cdef(declarations(header, cc))
    ffi.set_source("ewdiag._ewdiag", "#include <stdlib.h>\n#include <ewdiag.h>\n")
    with contextlib.redirect_stdout(io.StringIO()):  # "generating ..."
        ffi.emit_c_code(output)


if __name__ == "__main__":
    main()
