/* walk.h - an input walked: archives inside archives, directories, plain
 * and compressed files, standard input or a caller's stream, streamed with
 * libarchive and never written to disk. Each entry is listed; each one a
 * kind of the table reads is given to it. */
#ifndef EW_WALK_H
#define EW_WALK_H

#include <ewdiag.h>

#include "core/warn.h"
#include "input/kind.h"
#include "input/source.h"

typedef struct ew_walk_opts {
    const char *input;   /* the input's name, for messages */
    unsigned max_depth;  /* archives opened inside archives */
    uint64_t max_entries;
    uint64_t max_bytes;  /* decompressed */
    uint64_t max_ratio;  /* decompressed / compressed */
    bool threaded;       /* gzip inflated on a thread of its own */
    ewdiag_progress_fn progress;
    void *progress_ctx;
} ew_walk_opts;

/* What the walk gives: the entries met, and how it went. */
typedef struct ew_walk_result {
    ew_entry **entries; /* owned; stable pointers */
    size_t nentries, centries;
    uint64_t bytes;     /* decompressed bytes read */
    uint64_t total;     /* the input's size on disk, 0 if unknown */
    bool failed_part;   /* something in it could not be read */
    bool stopped;       /* a limit ended the walk */
} ew_walk_result;

/*
 * Walks path ("-" for standard input) or, when path is NULL, the origin's
 * bytes, giving every entry to the kinds. Returns 0 when anything could be
 * read (what could not is in the warnings and the entries); EWDIAG_EIO when
 * path cannot be found (err says why); EWDIAG_ENOMEM; or a kind's error.
 */
int ew_walk(const ew_walk_opts *o, const ew_kinds *kinds, const char *path,
            const ew_origin *origin, ew_walk_result *res, ew_warnings *warn, ew_err *err);
void ew_walk_result_free(ew_walk_result *res);

#endif /* EW_WALK_H */
