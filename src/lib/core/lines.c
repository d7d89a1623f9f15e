/* lines.c - streaming line splitter over arbitrary read chunks. */
#include "core/lines.h"

#include <stdlib.h>

/* First allocation of the carry buffer; it doubles from there. */
#define EW_LINES_CARRY_MIN 64
/* Carry room beyond max_line: the '\r' that may still turn out to end a
 * line of exactly max_line bytes, and the NUL that ew_buf keeps. */
#define EW_LINES_CARRY_SLACK 2

void ew_lines_init(ew_lines *l, size_t max_line)
{
    memset(l, 0, sizeof *l);
    l->max_line = EW_MIN(EW_MAX(max_line, 1), SIZE_MAX - EW_LINES_CARRY_SLACK);
}

void ew_lines_reset(ew_lines *l)
{
    ew_buf_clear(&l->carry);
    l->skipping = false;
    l->lines = 0;
    l->blank = 0;
    l->cut = 0;
    l->bytes = 0;
}

void ew_lines_free(ew_lines *l)
{
    ew_buf_free(&l->carry);
    l->skipping = false;
}

/* Appends to the carry, growing it geometrically but never past what the
 * longest kept head needs, so a huge line costs no more than a long one. */
static int ew_lines_carry(ew_lines *l, const char *p, size_t len)
{
    ew_buf *c = &l->carry;
    size_t need = c->len + len + 1;
    if (need > c->cap) {
        size_t limit = l->max_line + EW_LINES_CARRY_SLACK;
        size_t ncap = c->cap ? c->cap : EW_LINES_CARRY_MIN;
        while (ncap < need)
            ncap = ncap > limit / 2 ? limit : ncap * 2;
        ncap = EW_MIN(ncap, limit);
        char *np = ew_realloc(c->p, ncap);
        if (!np)
            return EWDIAG_ENOMEM;
        c->p = np;
        c->cap = ncap;
    }
    if (len)
        memcpy(c->p + c->len, p, len);
    c->len += len;
    c->p[c->len] = '\0';
    return 0;
}

static bool ew_lines_is_continuation(const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i < len && p[i] == '|';
}

static int ew_lines_give(ew_lines *l, const char *p, size_t len, bool cut, ew_line_fn fn, void *ctx)
{
    unsigned flags = 0;
    if (cut) {
        flags |= EW_LINE_CUT;
        l->cut++;
    }
    /* Judged on the bytes given, so a cut line gets the same flags
     * however the input was chunked. */
    if (ew_lines_is_continuation(p, len))
        flags |= EW_LINE_CONTINUATION;
    l->lines++;
    return fn(ctx, p, len, flags);
}

/* Gives the first max_line bytes of carry + p as a cut line; the caller
 * knows that p holds the max_line - carry.len bytes (if any) still needed. */
static int ew_lines_give_cut(ew_lines *l, const char *p, ew_line_fn fn, void *ctx)
{
    size_t have = l->carry.len;
    if (have == 0)
        return ew_lines_give(l, p, l->max_line, true, fn, ctx);
    int rc = have < l->max_line ? ew_lines_carry(l, p, l->max_line - have) : 0;
    if (rc != 0)
        return rc;
    rc = ew_lines_give(l, l->carry.p, l->max_line, true, fn, ctx);
    ew_buf_clear(&l->carry);
    return rc;
}

/* p[0..len) continues the pending line but does not end it. Keeps it while
 * it may still fit in max_line; once it cannot, gives the head now (in place
 * when nothing is carried) and drops the rest as it comes. */
static int ew_lines_hold(ew_lines *l, const char *p, size_t len, ew_line_fn fn, void *ctx)
{
    size_t room = l->max_line + 1 - l->carry.len;
    if (len < room || (len == room && p[len - 1] == '\r'))
        return ew_lines_carry(l, p, len);
    l->skipping = true;
    return ew_lines_give_cut(l, p, fn, ctx);
}

/* p[0..len) ends the pending line; newline tells whether a '\n' followed,
 * which is what makes a last '\r' part of a CRLF rather than of the line. */
static int ew_lines_end(ew_lines *l, const char *p, size_t len, bool newline, ew_line_fn fn,
                        void *ctx)
{
    size_t have = l->carry.len;
    char last = '\0';
    if (len)
        last = p[len - 1];
    else if (have)
        last = l->carry.p[have - 1];
    size_t whole = have + len - (newline && last == '\r');
    if (whole > l->max_line)
        return ew_lines_give_cut(l, p, fn, ctx);
    if (have == 0)
        return ew_lines_give(l, p, whole, false, fn, ctx);
    int rc = ew_lines_carry(l, p, len);
    if (rc != 0)
        return rc;
    rc = ew_lines_give(l, l->carry.p, whole, false, fn, ctx);
    ew_buf_clear(&l->carry);
    return rc;
}

/* The bytes of p[0..len) that are '\n' from its start, a word at a time:
 * a log of empty lines (a bomb, or padding) goes at the speed of memory. */
static size_t ew_newline_run(const char *p, size_t len)
{
    const uint64_t all = UINT64_C(0x0a0a0a0a0a0a0a0a);
    size_t i = 0;
    for (uint64_t w; i + sizeof w <= len; i += sizeof w) {
        memcpy(&w, p + i, sizeof w);
        if (w != all)
            break;
    }
    while (i < len && p[i] == '\n')
        i++;
    return i;
}

int ew_lines_feed(ew_lines *l, const char *buf, size_t n, ew_line_fn fn, void *ctx)
{
    if (n == 0)
        return 0;
    l->bytes += n;
    const char *p = buf;
    const char *end = buf + n;
    while (p < end) {
        if (l->skip_blank && !l->skipping && l->carry.len == 0 && *p == '\n') {
            size_t k = ew_newline_run(p, (size_t)(end - p));
            l->lines += k;
            l->blank += k;
            p += k;
            continue;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        int rc = 0;
        if (l->skipping)
            l->skipping = nl == NULL;
        else if (nl)
            rc = ew_lines_end(l, p, len, true, fn, ctx);
        else
            rc = ew_lines_hold(l, p, len, fn, ctx);
        if (rc != 0 || !nl)
            return rc;
        p = nl + 1;
    }
    return 0;
}

int ew_lines_finish(ew_lines *l, ew_line_fn fn, void *ctx)
{
    if (l->skipping) {
        /* Its head was given when it outgrew max_line. */
        l->skipping = false;
        return 0;
    }
    if (l->carry.len == 0)
        return 0;
    return ew_lines_end(l, NULL, 0, false, fn, ctx);
}
