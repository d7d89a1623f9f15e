/* source.h - the bytes of an input file or stream, gunzipped on the fly when
 * they are gzip. In front of libarchive so that a truncated gzip stream
 * still yields everything before the cut, and so that the inflater is ours
 * to choose. */
#ifndef EW_SOURCE_H
#define EW_SOURCE_H

#include <zlib.h>

#include "ew.h"

#define EW_SOURCE_ERR_MAX 256

typedef struct ew_source {
    int fd;             /* not owned */
    bool gzip;          /* inflating; otherwise bytes pass through */
    bool eof;           /* fd has no more bytes */
    bool ended;         /* the last gzip member ended cleanly */
    z_stream zs;
    bool zs_ready;
    unsigned char *in;  /* read buffer */
    size_t in_len;      /* bytes in `in` not yet consumed */
    unsigned char *out; /* inflated bytes handed out */
    size_t cap;         /* size of in and out */
    uint64_t in_total;  /* bytes read from fd */
    uint64_t out_total; /* bytes handed out */
    char err[EW_SOURCE_ERR_MAX];
} ew_source;

/* Reads the first bytes of fd to tell gzip from anything else. 0, or -1
 * with err set (read error, out of memory). */
int ew_source_open(ew_source *s, int fd, size_t block);
/* The next bytes: their count (> 0), 0 at the end, -1 on error (err says
 * what, e.g. "gzip stream truncated after 81234 compressed bytes"). */
long ew_source_read(ew_source *s, const void **buf);
void ew_source_close(ew_source *s);

/* True when the file at fd starts with the gzip magic; the offset is kept. */
bool ew_fd_is_gzip(int fd);

#endif /* EW_SOURCE_H */
