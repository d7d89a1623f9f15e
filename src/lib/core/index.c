/* index.c - the open-addressing index (linear probing, power-of-two size). */
#include "core/index.h"

#include "core/alloc.h"

#define EW_FNV_PRIME UINT64_C(1099511628211)
#define EW_INDEX_MIN 16

uint64_t ew_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * EW_FNV_PRIME;
    return h;
}

int ew_index_reserve(ew_index *x, size_t n, ew_index_hash_fn hash, const void *set)
{
    if (x->cap && (n + 1) * 2 <= x->cap)
        return 0;
    if (n >= UINT32_MAX - 1)
        return EWDIAG_ENOMEM;
    size_t ncap = x->cap ? x->cap * 2 : EW_INDEX_MIN;
    uint32_t *slot = ew_calloc(ncap, sizeof *slot);
    if (!slot)
        return EWDIAG_ENOMEM;
    size_t mask = ncap - 1;
    /* The items are distinct: each goes to the first empty slot. */
    for (size_t k = 0; k < n; k++) {
        size_t i = (size_t)hash(set, k) & mask;
        while (slot[i])
            i = (i + 1) & mask;
        slot[i] = (uint32_t)(k + 1);
    }
    free(x->slot);
    x->slot = slot;
    x->cap = ncap;
    return 0;
}

size_t ew_index_find(const ew_index *x, uint64_t h, ew_index_same_fn same, const void *set,
                     const void *key)
{
    size_t mask = x->cap - 1;
    size_t i = (size_t)h & mask;
    while (x->slot[i] && !same(set, x->slot[i] - 1, key))
        i = (i + 1) & mask;
    return i;
}

void ew_index_free(ew_index *x)
{
    free(x->slot);
    x->slot = NULL;
    x->cap = 0;
}

int ew_index_lookup(ew_index *x, size_t n, ew_index_hash_fn item_hash, const void *set, uint64_t h,
                    ew_index_same_fn same, const void *key, size_t *slot)
{
    if (ew_index_reserve(x, n, item_hash, set) != 0)
        return EWDIAG_ENOMEM;
    *slot = ew_index_find(x, h, same, set, key);
    return 0;
}
