/* walk_int.h - what walk.c (the entries of an archive) and files.c (files,
 * folders and the input itself) share. */
#ifndef EW_WALK_INT_H
#define EW_WALK_INT_H

#include <archive.h>

#include "input/walk.h"

#define EW_PATH_NAME_MAX 4096
/* Bytes asked of the archive reader at once, and the stdio buffer of a
 * pulled entry: small enough that what read(2) copied is still in cache
 * when it is parsed. On the bench machine (AMD EPYC), reads of 48 KB and
 * more left it in memory: a bare 163 MB capture took 0.11 s, 0.06 s with
 * 32 KB (the syscalls cost ~5 ms more). */
#define EW_READ_BLOCK (32u * 1024u)
/* Bytes between progress calls. */
#define EW_PROGRESS_STEP (UINT64_C(4) << 20)
/* The ratio is judged only past this many decompressed bytes. */
#define EW_RATIO_MIN_BYTES (UINT64_C(64) << 20)
/* File dates are clamped to the end of year 9999, either side of 1970 (no
 * log time is read past it): seconds any larger overflow in microseconds. */
#define EW_MTIME_MAX_S INT64_C(253402300799)

typedef struct ew_walker {
    const ew_walk_opts *opt;
    const ew_kinds *kinds;
    ew_walk_result *res;
    ew_warnings *warn;
    ew_err *err;
    uint64_t entries;      /* entries met, for max-entries */
    uint64_t progress_next;
    ew_buf name;           /* scratch for entry names */
    struct archive *outer; /* the outermost archive, for compressed bytes read */
    uint64_t outer_base;   /* compressed bytes of files of a directory already done */
    ew_source *src;        /* the outermost gzip layer, when ours */
    const ew_origin *top;  /* the input's bytes when it is no file */
    int64_t file_mtime_us; /* of the file being walked, for raw entries; 0 unknown */
    bool src_failed;       /* it stopped early: its error says why */
    bool src_told;         /* an entry's warning already said so */
    bool zip_again;        /* a zip's central directory failed before any entry */
    char zip_why[256];     /* and why */
} ew_walker;

/* EWDIAG_ENOMEM, said on err. */
int ew_walk_oom(ew_walker *w);
/* A warning "input: entry: msg" (entry NULL: "input: msg"). 0, or the
 * out-of-memory error. */
int ew_walk_warn(ew_walker *w, const char *entry, ew_warn_code code, const char *msg);
/* A new entry, listed; NULL when out of memory (said on err). */
ew_entry *ew_walk_add_entry(ew_walker *w, const char *path, ew_role role, uint64_t size);
/* Compressed bytes of the input read so far. */
uint64_t ew_walk_compressed_pos(ew_walker *w);
/* Walks the entries of an open archive. prefix is its path in the input
 * (NULL at the top); a raw (not archived) member is named raw_name and has
 * raw_role. */
int ew_walk_archive(ew_walker *w, struct archive *ar, const char *prefix, const char *raw_name,
                    ew_role raw_role, unsigned depth);
/* A new archive reader: every filter, and every format when formats (else
 * only raw). NULL when out of memory. */
struct archive *ew_archive_new(bool formats);

#endif /* EW_WALK_INT_H */
