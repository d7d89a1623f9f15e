/* hs_index.h - the inventory's handshakes by server, and its servers by
 * address, built once the captures are read: joining a group or an origin
 * then costs the handshakes of its own server, not all of them. */
#ifndef EW_HS_INDEX_H
#define EW_HS_INDEX_H

#include "analysis/inventory.h"

#define EW_BY_END UINT32_MAX

typedef struct ew_hs_by {
    uint32_t *start;     /* nservers + 1: server s's are order[start[s]..start[s+1]) */
    uint32_t *order;     /* handshake indexes, by server, in the inventory's order */
    uint32_t *addr_next; /* per server: the next of the same address, or EW_BY_END */
    uint32_t *addr;      /* open addressing by address: first server + 1 */
    size_t addr_cap;
} ew_hs_by;

/* Indexes inv (which must not change while by is in use). 0, or
 * EWDIAG_ENOMEM. */
int ew_hs_by_init(ew_hs_by *by, const ew_inventory *inv);
void ew_hs_by_free(ew_hs_by *by);

/* The first server at address (the next: by->addr_next[s]), or EW_BY_END. */
uint32_t ew_hs_by_address(const ew_hs_by *by, const ew_inventory *inv, const char *address);

/* The last handshake to server s at or before ts that carried a chain
 * (resumed and TLS 1.3 handshakes show none of their own), or NULL. */
const ew_hs_rec *ew_hs_by_last_full(const ew_hs_by *by, const ew_inventory *inv, uint32_t s,
                                    int64_t ts);

#endif /* EW_HS_INDEX_H */
