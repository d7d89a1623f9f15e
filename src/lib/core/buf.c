/* buf.c - growable byte buffers and arrays. */
#include "core/buf.h"

#include <stdio.h>

#define EW_BUF_MIN_CAP 64
#define EW_GROW_MIN_CAP 8

int ew_grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = pp;
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : EW_GROW_MIN_CAP;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return EWDIAG_ENOMEM;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return EWDIAG_ENOMEM;
    void *np = ew_realloc(*p, ncap * elem);
    if (!np)
        return EWDIAG_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

static int ew_buf_fail(ew_buf *b)
{
    b->failed = true;
    return EWDIAG_ENOMEM;
}

int ew_buf_reserve(ew_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return ew_buf_fail(b);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : EW_BUF_MIN_CAP;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    char *np = ew_realloc(b->p, ncap);
    if (!np)
        return ew_buf_fail(b);
    b->p = np;
    b->cap = ncap;
    return 0;
}

int ew_buf_append(ew_buf *b, const void *p, size_t n)
{
    int rc = ew_buf_reserve(b, n);
    if (rc != 0)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int ew_buf_puts(ew_buf *b, const char *s)
{
    return ew_buf_append(b, s, strlen(s));
}

int ew_buf_vprintf(ew_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    int rc = n < 0 ? EWDIAG_EINVAL : ew_buf_reserve(b, (size_t)n);
    if (rc == 0) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    return rc;
}

int ew_buf_printf(ew_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ew_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void ew_buf_clear(ew_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void ew_buf_free(ew_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

char *ew_buf_take(ew_buf *b)
{
    if (!b->p && ew_buf_reserve(b, 0) != 0)
        return NULL;
    b->p[b->len] = '\0';
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    return p;
}
