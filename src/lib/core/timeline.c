/* timeline.c - bounded timelines. Marks arrive mostly in time order, so
 * the common case is the last mark again; the rest is a binary search. */
#include "core/timeline.h"

#include <stdlib.h>

static int64_t ew_floor_to(int64_t t, int64_t res)
{
    int64_t q = t / res;
    if (t % res < 0)
        q--;
    return q * res;
}

/* Doubles the resolution until the marks fit in EW_TIMELINE_MAX. */
static void ew_coarsen(ew_timeline *tl)
{
    while (tl->n > EW_TIMELINE_MAX) {
        tl->res *= 2;
        size_t o = 0;
        for (size_t i = 0; i < tl->n; i++) {
            int64_t t = ew_floor_to(tl->v[i].t, tl->res);
            if (o > 0 && tl->v[o - 1].t == t) {
                tl->v[o - 1].n += tl->v[i].n;
            } else {
                tl->v[o].t = t;
                tl->v[o].n = tl->v[i].n;
                o++;
            }
        }
        tl->n = o;
    }
}

/* The index of the first mark at or after t. */
static size_t ew_lower_bound(const ew_timeline *tl, int64_t t)
{
    size_t lo = 0, hi = tl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->v[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ew_timeline_add(ew_timeline *tl, int64_t t)
{
    if (t == 0)
        return 0;
    if (tl->res == 0)
        tl->res = EW_TIMELINE_RES0;
    int64_t q = ew_floor_to(t, tl->res);
    if (tl->n && tl->v[tl->n - 1].t == q) {
        tl->v[tl->n - 1].n++;
        return 0;
    }
    size_t i = ew_lower_bound(tl, q);
    if (i < tl->n && tl->v[i].t == q) {
        tl->v[i].n++;
        return 0;
    }
    /* One slot past the maximum: the insert comes first, then the merge. */
    if (ew_grow(&tl->v, &tl->cap, tl->n + 1, sizeof *tl->v) != 0)
        return EWDIAG_ENOMEM;
    memmove(tl->v + i + 1, tl->v + i, (tl->n - i) * sizeof *tl->v);
    tl->v[i] = (ew_mark){q, 1};
    tl->n++;
    ew_coarsen(tl);
    return 0;
}

void ew_timeline_free(ew_timeline *tl)
{
    free(tl->v);
    memset(tl, 0, sizeof *tl);
}

size_t ewdiag_timeline_count(const ewdiag_timeline *t)
{
    return t ? t->n : 0;
}

int64_t ewdiag_timeline_time(const ewdiag_timeline *t, size_t i)
{
    return t && i < t->n ? t->v[i].t : 0;
}

uint64_t ewdiag_timeline_weight(const ewdiag_timeline *t, size_t i)
{
    return t && i < t->n ? t->v[i].n : 0;
}

int64_t ewdiag_timeline_resolution(const ewdiag_timeline *t)
{
    return t && t->res ? t->res : EW_TIMELINE_RES0;
}
