/* nodes.c - the nodes of an input. Few (one per bundle, a handful for a
 * cluster): a list is the right structure. */
#include "scan/nodes.h"

#include <stdlib.h>

ew_node *ew_nodes_get(ew_nodes *ns, const char *name, size_t n)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strlen(ns->v[i].name) == n && memcmp(ns->v[i].name, name, n) == 0)
            return &ns->v[i];
    if (ew_grow(&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v) != 0)
        return NULL;
    ew_node *node = &ns->v[ns->n];
    memset(node, 0, sizeof *node);
    if (!(node->name = ew_strndup(name, n)))
        return NULL;
    ns->n++;
    return node;
}

ew_xserver *ew_node_xserver(ew_node *node, unsigned index)
{
    for (size_t i = 0; i < node->nservers; i++)
        if (node->servers[i].index == index)
            return &node->servers[i];
    if (node->nservers == EW_MAX_XSERVERS ||
        ew_grow(&node->servers, &node->cservers, node->nservers + 1, sizeof *node->servers) != 0)
        return NULL;
    ew_xserver *x = &node->servers[node->nservers++];
    memset(x, 0, sizeof *x);
    x->index = index;
    return x;
}

void ew_nodes_free(ew_nodes *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        for (size_t k = 0; k < ns->v[i].nservers; k++) {
            free(ns->v[i].servers[k].address);
            free(ns->v[i].servers[k].type);
        }
        free(ns->v[i].servers);
        free(ns->v[i].name);
        free(ns->v[i].version);
        free(ns->v[i].verify_origin);
    }
    free(ns->v);
    memset(ns, 0, sizeof *ns);
}
