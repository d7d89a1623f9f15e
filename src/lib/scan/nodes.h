/* nodes.h - the cluster nodes an input speaks for, and what their dumps
 * say of them. */
#ifndef EW_NODES_H
#define EW_NODES_H

#include "core/ew.h"

typedef struct ew_node {
    char *name;
    char *version;       /* xstat's software version; NULL if unknown */
    char *verify_origin; /* xconf EdgeConfigServer VerifyOriginServer; NULL if unknown */
} ew_node;

typedef struct ew_nodes {
    ew_node *v;
    size_t n, cap;
} ew_nodes;

/* The node of that name, added if new; NULL when out of memory. The
 * pointer lives until the next node is added. */
ew_node *ew_nodes_get(ew_nodes *ns, const char *name, size_t n);
void ew_nodes_free(ew_nodes *ns);

#endif /* EW_NODES_H */
