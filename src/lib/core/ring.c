/* ring.c - the latest N strings pushed. */
#include "core/ring.h"

#include <stdlib.h>

int ew_ring_init(ew_ring *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    return 0;
}

int ew_ring_push(ew_ring *r, const char *s, size_t n)
{
    if (r->cap == 0)
        return 0;
    /* Its room is taken at the first push: most groups of a big input
     * never hold a line of some kind. */
    if (!r->v && !(r->v = ew_calloc(r->cap, sizeof *r->v)))
        return EWDIAG_ENOMEM;
    char *d = ew_strndup(s, n);
    if (!d)
        return EWDIAG_ENOMEM;
    if (r->n < r->cap) {
        r->v[(r->head + r->n++) % r->cap] = d;
    } else {
        free(r->v[r->head]);
        r->v[r->head] = d;
        r->head = (r->head + 1) % r->cap;
    }
    return 0;
}

size_t ew_ring_evicts(const ew_ring *r)
{
    return r->cap && r->n == r->cap ? strlen(r->v[r->head]) : 0;
}

const char *ew_ring_get(const ew_ring *r, size_t i)
{
    return i < r->n ? r->v[(r->head + i) % r->cap] : NULL;
}

void ew_ring_free(ew_ring *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[(r->head + i) % r->cap]);
    free(r->v);
    memset(r, 0, sizeof *r);
}
