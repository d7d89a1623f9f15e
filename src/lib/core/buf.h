/* buf.h - growable byte buffers and arrays. */
#ifndef EW_BUF_H
#define EW_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ew.h"

/* A growable byte buffer, always NUL-terminated when p is not NULL. A
 * failure to grow is remembered (failed) until ew_buf_free(), so that a
 * text built in many steps can be checked once. */
typedef struct ew_buf {
    char *p;
    size_t len;
    size_t cap;
    bool failed;
} ew_buf;

/* Each returns 0, or EWDIAG_ENOMEM with the buffer as it was (and failed
 * set). */
int ew_buf_reserve(ew_buf *b, size_t extra);
int ew_buf_append(ew_buf *b, const void *p, size_t n);
int ew_buf_puts(ew_buf *b, const char *s);
int ew_buf_printf(ew_buf *b, const char *fmt, ...) EW_PRINTF(2, 3);
int ew_buf_vprintf(ew_buf *b, const char *fmt, va_list ap) EW_PRINTF(2, 0);
void ew_buf_clear(ew_buf *b);
void ew_buf_free(ew_buf *b);
/* Gives the bytes away (NUL-terminated); NULL when out of memory. */
char *ew_buf_take(ew_buf *b);

/* Grows an array *pp of *cap elements of size elem to hold need elements.
 * 0, or EWDIAG_ENOMEM (with *pp untouched) when out of memory or on
 * overflow. */
int ew_grow(void *pp, size_t *cap, size_t need, size_t elem);

#endif /* EW_BUF_H */
