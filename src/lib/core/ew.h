/* ew.h - what every stage of the library includes: byte spans, small
 * macros, and the core helpers (allocation, buffers, errors, strings).
 *
 * The one error convention: a function that can fail returns int, 0 on
 * success or a negative EWDIAG_E* code (ewdiag.h) on failure; what there is
 * to say beyond the code goes into an ew_err the caller passes. Predicates
 * return bool; lookups return a pointer, NULL meaning "absent". */
#ifndef EW_H
#define EW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ewdiag.h>

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

/* Whether a[0..n) equals b[0..n): inline, a word at a step, the last word
 * overlapping the one before, for the short compares made on every line
 * (names, literals, times), where a call to memcmp costs more than the
 * compare. */
static inline bool ew_mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    uint64_t u, v;
    uint32_t s, t;
    if (n >= sizeof u) {
        for (size_t i = 0; i + sizeof u < n; i += sizeof u) {
            memcpy(&u, x + i, sizeof u);
            memcpy(&v, y + i, sizeof v);
            if (u != v)
                return false;
        }
        memcpy(&u, x + n - sizeof u, sizeof u);
        memcpy(&v, y + n - sizeof v, sizeof v);
        return u == v;
    }
    if (n >= sizeof s) {
        memcpy(&s, x, sizeof s);
        memcpy(&t, y, sizeof t);
        if (s != t)
            return false;
        memcpy(&s, x + n - sizeof s, sizeof s);
        memcpy(&t, y + n - sizeof t, sizeof t);
        return s == t;
    }
    for (; n; n--)
        if (*x++ != *y++)
            return false;
    return true;
}

static inline bool ew_span_eq(ew_span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && ew_mem_eq(s.p, lit, n);
}

static inline bool ew_span_eq_span(ew_span a, ew_span b)
{
    return a.n == b.n && ew_mem_eq(a.p, b.p, a.n);
}

/* s, or "" for NULL: what getters give for "unknown". */
static inline const char *ew_str(const char *s)
{
    return s ? s : "";
}

/* The index of the lowest set bit of v (v != 0). */
static inline unsigned ew_ctz64(uint64_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned i = 0;
    while (!(v & 1u)) {
        v >>= 1;
        i++;
    }
    return i;
#endif
}

#include "core/alloc.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/str.h"

#endif /* EW_H */
