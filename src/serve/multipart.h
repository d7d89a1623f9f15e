/* multipart.h - a streaming multipart/form-data parser (RFC 7578, 2046):
 * bytes in, parts out as they arrive, nothing of a part's body kept. It
 * holds at most one part's headers (MP_MAX_HEADERS bytes) and never more
 * of the body than it is given. The receiver may take less than offered
 * (backpressure): mp_feed() then says how much it consumed, and the rest
 * is offered again later. */
#ifndef EWDIAG_SERVE_MULTIPART_H
#define EWDIAG_SERVE_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define MP_MAX_BOUNDARY 70       /* RFC 2046 */
#define MP_MAX_HEADERS 8192      /* bytes of one part's header block */
#define MP_MAX_PARAM 1024        /* a name or filename */
#define MP_ERROR_MAX 160

/* What a callback returns: go on, not now (offer the same again later),
 * or stop with an error (the callback said why with mp_fail()). */
typedef enum { MP_OK = 0, MP_BUSY = 1, MP_FAIL = -1 } mp_rc;

typedef struct mp_parser mp_parser;

typedef struct mp_handler {
    /* A part begins: its field name and, for a file, its file name
     * (has_file false when the part has no filename parameter). */
    mp_rc (*begin)(void *ctx, const char *field, const char *filename, bool has_file);
    /* Bytes of its body: returns how many it took (< n: the rest later),
     * or -1 after mp_fail(). */
    long (*data)(void *ctx, const char *p, size_t n);
    /* The part ended. */
    mp_rc (*end)(void *ctx);
} mp_handler;

/* A parser for the boundary of a Content-Type header value
 * ("multipart/form-data; boundary=..."); NULL with the reason in err when
 * the value is not multipart/form-data with a valid boundary, or out of
 * memory. */
mp_parser *mp_new(const char *content_type, const mp_handler *h, void *ctx, char *err,
                  size_t errsz);
void mp_free(mp_parser *p);

/* Whether a Content-Type value is multipart/form-data (whatever its
 * parameters). */
bool mp_is_multipart(const char *content_type);

/* Parses what it can of buf[0..n): returns the bytes consumed (all of
 * them unless a callback said not now), or -1 on an error (mp_error()). */
long mp_feed(mp_parser *p, const char *buf, size_t n);

/* Whether a callback said not now and waits to be called again (by the
 * next mp_feed(), which may be given no byte). */
bool mp_pending(const mp_parser *p);

/* The body ended: 0 when it ended after the closing boundary, -1 (with
 * the reason) otherwise. */
int mp_finish(mp_parser *p);

/* A callback's reason to stop; the parser then fails with it. */
void mp_fail(mp_parser *p, const char *msg);
const char *mp_error(const mp_parser *p);

#endif
