/* hs_index.c - the inventory's handshakes by server, servers by address. */
#include "analysis/hs_index.h"

#include <stdlib.h>

static size_t ew_addr_slot(const ew_hs_by *by, const ew_inventory *inv, const char *addr)
{
    uint64_t h = ew_fnv1a(EW_FNV_OFFSET, addr, strlen(addr));
    size_t mask = by->addr_cap - 1, i = (size_t)h & mask;
    while (by->addr[i] && strcmp(inv->servers[by->addr[i] - 1]->address, addr) != 0)
        i = (i + 1) & mask;
    return i;
}

void ew_hs_by_free(ew_hs_by *by)
{
    EW_FREE_ALL(by->start, by->order, by->addr_next, by->addr);
    memset(by, 0, sizeof *by);
}

int ew_hs_by_init(ew_hs_by *by, const ew_inventory *inv)
{
    size_t ns = inv->nservers;
    memset(by, 0, sizeof *by);
    by->addr_cap = 2;
    while (by->addr_cap < 2 * ns)
        by->addr_cap *= 2;
    by->start = ew_calloc(ns + 1, sizeof *by->start);
    by->order = ew_calloc(inv->n ? inv->n : 1, sizeof *by->order);
    by->addr_next = ew_calloc(ns ? ns : 1, sizeof *by->addr_next);
    by->addr = ew_calloc(by->addr_cap, sizeof *by->addr);
    if (!by->start || !by->order || !by->addr_next || !by->addr) {
        ew_hs_by_free(by);
        return EWDIAG_ENOMEM;
    }
    /* A counting sort: stable, so each server's stay in time order. */
    for (size_t i = 0; i < inv->n; i++)
        by->start[inv->recs[i].server + 1]++;
    for (size_t s = 0; s < ns; s++)
        by->start[s + 1] += by->start[s];
    for (size_t i = 0; i < inv->n; i++)
        by->order[by->start[inv->recs[i].server]++] = (uint32_t)i;
    for (size_t s = ns; s > 0; s--)
        by->start[s] = by->start[s - 1];
    by->start[0] = 0;
    /* Servers of one address chained in their order. */
    for (size_t s = ns; s-- > 0;) {
        size_t slot = ew_addr_slot(by, inv, inv->servers[s]->address);
        by->addr_next[s] = by->addr[slot] ? by->addr[slot] - 1 : EW_BY_END;
        by->addr[slot] = (uint32_t)(s + 1);
    }
    return 0;
}

uint32_t ew_hs_by_address(const ew_hs_by *by, const ew_inventory *inv, const char *address)
{
    uint32_t first = inv->nservers ? by->addr[ew_addr_slot(by, inv, address)] : 0;
    return first ? first - 1 : EW_BY_END;
}

const ew_hs_rec *ew_hs_by_last_full(const ew_hs_by *by, const ew_inventory *inv, uint32_t s,
                                    int64_t ts)
{
    const ew_hs_rec *best = NULL;
    for (uint32_t k = by->start[s]; k < by->start[s + 1]; k++) {
        const ew_hs_rec *x = &inv->recs[by->order[k]];
        if (x->chain != EW_NO_CHAIN && x->ts <= ts && (!best || x->ts >= best->ts))
            best = x;
    }
    return best;
}
