/* source.h - the bytes of an input file or stream, gunzipped on the fly when
 * they are gzip. In front of libarchive so that a truncated gzip stream
 * still yields everything before the cut, so that the inflater is ours to
 * choose (ISA-L's igzip when built with it, else zlib), and so that
 * inflating runs on a thread of its own, beside the scanning. */
#ifndef EW_SOURCE_H
#define EW_SOURCE_H

#include "core/ew.h"

#define EW_SOURCE_ERR_MAX 256

typedef struct ew_source ew_source;

/* The public ewdiag_read_fn: at most cap bytes into buf; their count, 0 at
 * the end, -1 on error. */
typedef long (*ew_read_fn)(void *ctx, void *buf, size_t cap);

/* Where an input's bytes come from: fn(ctx, ...) when fn is set, else fd
 * (not owned). */
typedef struct ew_origin {
    int fd;
    ew_read_fn fn;
    void *ctx;
} ew_origin;

/* Opens the origin: reads its first bytes to tell gzip from anything
 * else and, for gzip when `threaded`, starts the inflating thread (else
 * ew_source_read() inflates on the caller's thread), which then does all
 * the reading. 0; EWDIAG_EIO (a read error) or EWDIAG_ENOMEM with err set. */
int ew_source_open(ew_source **out, const ew_origin *o, bool threaded, ew_err *err);
/* The next bytes, valid until the next call: their count (> 0), 0 at the
 * end, -1 on error (ew_source_error() says what, e.g. "gzip stream
 * truncated after 81234 compressed bytes"). Everything before the error was
 * given first. */
long ew_source_read(ew_source *s, const void **buf);
const char *ew_source_error(const ew_source *s);
/* Bytes read from fd so far (the compressed position). */
uint64_t ew_source_consumed(const ew_source *s);
/* Stops the thread, if any, and frees. NULL is accepted. */
void ew_source_close(ew_source *s);

/* True when the file at fd starts with the gzip magic; the offset is kept. */
bool ew_fd_is_gzip(int fd);

/* The inflater built in: "igzip" or "zlib". */
const char *ew_source_inflater(void);

#endif /* EW_SOURCE_H */
