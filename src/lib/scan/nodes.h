/* nodes.h - the cluster nodes an input speaks for, and what their dumps
 * say of them. */
#ifndef EW_NODES_H
#define EW_NODES_H

#include "core/ew.h"

/* Servers of one node taken from xconf: a real one names a handful. */
#define EW_MAX_XSERVERS 64

/* A server xconf names for MRA (EdgeConfigProvisioning Server N): Unified
 * CM, IM and Presence, Unity Connection. */
typedef struct ew_xserver {
    unsigned index;
    char *address; /* the name or address it is announced under; NULL until seen */
    char *type;    /* "UnifiedCM", "IMandPresence", "UnityConnection"; NULL if unknown */
} ew_xserver;

typedef struct ew_node {
    char *name;
    char *version;       /* xstat's software version; NULL if unknown */
    char *verify_origin; /* xconf EdgeConfigServer VerifyOriginServer; NULL if unknown */
    ew_xserver *servers; /* in the order xconf names them */
    size_t nservers, cservers;
} ew_node;

typedef struct ew_nodes {
    ew_node *v;
    size_t n, cap;
    size_t max;       /* nodes listed at most (max-nodes); 0: no list is kept */
    uint64_t dropped; /* asked for nodes beyond max */
    uint32_t *index;  /* by name, open addressing: v index + 1, 0 = empty */
    size_t index_cap;
} ew_nodes;

/* The node of that name into *out, added if new; *out is NULL when the
 * list is full (counted in dropped). The pointer lives until the next node
 * is added. 0, or EWDIAG_ENOMEM. */
int ew_nodes_get(ew_nodes *ns, const char *name, size_t n, ew_node **out);
/* Moves the list out (its length in *n); the index is freed. */
ew_node *ew_nodes_take(ew_nodes *ns, size_t *n);
/* The xconf server of that index, added if new; NULL when out of memory
 * or when the node names EW_MAX_XSERVERS already. */
ew_xserver *ew_node_xserver(ew_node *node, unsigned index);
void ew_nodes_free(ew_nodes *ns);

#endif /* EW_NODES_H */
