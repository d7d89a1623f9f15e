# The extension module cffi builds (python/ffi-build.py): the declarations
# of include/ewdiag.h, untyped for type checkers.
from typing import Any

ffi: Any
lib: Any
