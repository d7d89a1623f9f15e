/* index.h - an open-addressing hash index over the items of an array the
 * caller owns (item k stored as k + 1, 0 = empty): lookups in constant
 * time however many groups, warnings or servers an input names. */
#ifndef EW_INDEX_H
#define EW_INDEX_H

#include "core/ew.h"

#define EW_FNV_OFFSET UINT64_C(14695981039346656037)

/* FNV-1a of n bytes, continuing from h (EW_FNV_OFFSET to start). */
uint64_t ew_fnv1a(uint64_t h, const void *p, size_t n);

typedef struct ew_index {
    uint32_t *slot;
    size_t cap; /* a power of two, or 0 */
} ew_index;

/* Whether item k of set is the key looked for. */
typedef bool (*ew_index_same_fn)(const void *set, size_t k, const void *key);
/* The hash of item k of set, as ew_index_find was given it. */
typedef uint64_t (*ew_index_hash_fn)(const void *set, size_t k);

/* Makes room for item n (items 0..n-1 are indexed), keeping the index at
 * most half full, rehashing them with hash. 0, or EWDIAG_ENOMEM (also when
 * n no longer fits in an item number); the index is unchanged then. */
int ew_index_reserve(ew_index *x, size_t n, ew_index_hash_fn hash, const void *set);
/* The slot of the key of hash h: where its item is, or the empty slot it
 * would take. The index must have room (ew_index_reserve). */
size_t ew_index_find(const ew_index *x, uint64_t h, ew_index_same_fn same, const void *set,
                     const void *key);
/* Both: room made for item n, then the slot of the key of hash h.
 * 0, or EWDIAG_ENOMEM. */
int ew_index_lookup(ew_index *x, size_t n, ew_index_hash_fn item_hash, const void *set, uint64_t h,
                    ew_index_same_fn same, const void *key, size_t *slot);
/* The item in a slot, or -1 when the slot is empty. */
static inline long long ew_index_item(const ew_index *x, size_t slot)
{
    return (long long)x->slot[slot] - 1;
}
/* Puts item k into an empty slot found by ew_index_find. */
static inline void ew_index_put(ew_index *x, size_t slot, size_t k)
{
    x->slot[slot] = (uint32_t)(k + 1);
}
void ew_index_free(ew_index *x);

#endif /* EW_INDEX_H */
