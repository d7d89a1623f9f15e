/* bundle.h - walking an input: archives (nested), directories, plain files,
 * standard input. Streams with libarchive; never writes to disk. */
#ifndef EW_BUNDLE_H
#define EW_BUNDLE_H

#include "api/run.h"
#include "input/source.h"

/* Walks path ("-" for stdin) or fd (when path is NULL), feeding every entry
 * to the scanners. Returns 0 when anything could be read; otherwise an
 * EWDIAG_E* code with the message in run->a->err. */
int ew_bundle_walk(ew_run *run, const char *path, const ew_origin *origin);

#endif /* EW_BUNDLE_H */
