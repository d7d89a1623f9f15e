/* ew.h - small helpers shared by every stage of the library. */
#ifndef EW_H
#define EW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EW_UNUSED(x) ((void)(x))
#define EW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define EW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define EW_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define EW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define EW_PRINTF(f, a)
#endif

/* A view of bytes owned by someone else; not NUL-terminated. */
typedef struct ew_span {
    const char *p;
    size_t n;
} ew_span;

static inline ew_span ew_span_make(const char *p, size_t n)
{
    ew_span s = {p, n};
    return s;
}

static inline bool ew_span_eq(ew_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

static inline bool ew_span_eq_span(ew_span a, ew_span b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* s, or "" for NULL: what getters give for "unknown". */
static inline const char *ew_str(const char *s)
{
    return s ? s : "";
}

/* A growable byte buffer, always NUL-terminated when len > 0. */
typedef struct ew_buf {
    char *p;
    size_t len;
    size_t cap;
} ew_buf;

int ew_buf_reserve(ew_buf *b, size_t extra);
int ew_buf_append(ew_buf *b, const void *p, size_t n);
int ew_buf_puts(ew_buf *b, const char *s);
int ew_buf_printf(ew_buf *b, const char *fmt, ...) EW_PRINTF(2, 3);
void ew_buf_clear(ew_buf *b);
void ew_buf_free(ew_buf *b);
/* Gives the bytes away (NUL-terminated, never NULL on success). */
char *ew_buf_take(ew_buf *b);

/* Grows an array *pp of *cap elements of size elem to hold need elements.
 * Returns 0, or -1 (with *pp untouched) when out of memory or on overflow. */
int ew_grow(void *pp, size_t *cap, size_t need, size_t elem);

char *ew_strndup(const char *s, size_t n);
char *ew_strdup(const char *s);

/* Error state carried by a handle: a code and a message naming the place. */
#define EW_ERR_MAX 1024
typedef struct ew_err {
    int code;
    char msg[EW_ERR_MAX];
} ew_err;

/* Sets the error and returns code, so callers can `return ew_err_set(...)`. */
int ew_err_set(ew_err *e, int code, const char *fmt, ...) EW_PRINTF(3, 4);
void ew_err_clear(ew_err *e);

/* Length of the valid UTF-8 sequence at p (at most n >= 1 bytes), 0 if
 * invalid: what the serializers keep and what they replace. */
size_t ew_utf8_len(const unsigned char *p, size_t n);

/* Basename of a path inside an archive or file system ('/' separated). */
const char *ew_basename(const char *path);

#endif /* EW_H */
