/* nodes.c - the nodes of an input. Few in a real bundle, but every line
 * names one: a hostile log may name a million, so they are found by a hash
 * index and listed up to max-nodes. */
#include "scan/nodes.h"

#include <stdlib.h>

#define EW_NODES_INDEX_MIN 16
#define EW_FNV_OFFSET UINT64_C(14695981039346656037)
#define EW_FNV_PRIME UINT64_C(1099511628211)

static uint64_t ew_name_hash(const char *p, size_t n)
{
    uint64_t h = EW_FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * EW_FNV_PRIME;
    return h;
}

/* The slot of name: where it is, or the empty one it would take. */
static size_t ew_slot(const ew_nodes *ns, const char *name, size_t n)
{
    size_t mask = ns->index_cap - 1;
    size_t i = (size_t)ew_name_hash(name, n) & mask;
    for (; ns->index[i]; i = (i + 1) & mask) {
        const char *k = ns->v[ns->index[i] - 1].name;
        if (strncmp(k, name, n) == 0 && k[n] == '\0')
            break;
    }
    return i;
}

/* Keeps the index at most half full. */
static int ew_index_grow(ew_nodes *ns)
{
    if (ns->index_cap && (ns->n + 1) * 2 <= ns->index_cap)
        return 0;
    size_t ncap = ns->index_cap ? ns->index_cap * 2 : EW_NODES_INDEX_MIN;
    uint32_t *nidx = ew_calloc(ncap, sizeof *nidx);
    if (!nidx || ns->n >= UINT32_MAX - 1) {
        free(nidx);
        return EWDIAG_ENOMEM;
    }
    free(ns->index);
    ns->index = nidx;
    ns->index_cap = ncap;
    for (size_t k = 0; k < ns->n; k++) {
        const char *name = ns->v[k].name;
        ns->index[ew_slot(ns, name, strlen(name))] = (uint32_t)(k + 1);
    }
    return 0;
}

int ew_nodes_get(ew_nodes *ns, const char *name, size_t n, ew_node **out)
{
    *out = NULL;
    if (ew_index_grow(ns) != 0)
        return EWDIAG_ENOMEM;
    size_t slot = ew_slot(ns, name, n);
    if (ns->index[slot]) {
        *out = &ns->v[ns->index[slot] - 1];
        return 0;
    }
    if (ns->n >= ns->max) {
        ns->dropped++;
        return 0;
    }
    if (ew_grow(&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v) != 0)
        return EWDIAG_ENOMEM;
    ew_node *node = &ns->v[ns->n];
    memset(node, 0, sizeof *node);
    if (!(node->name = ew_strndup(name, n)))
        return EWDIAG_ENOMEM;
    ns->n++;
    ns->index[slot] = (uint32_t)ns->n;
    *out = node;
    return 0;
}

ew_node *ew_nodes_take(ew_nodes *ns, size_t *n)
{
    ew_node *v = ns->v;
    *n = ns->n;
    free(ns->index);
    memset(ns, 0, sizeof *ns);
    return v;
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
        EW_FREE_ALL(ns->v[i].servers, ns->v[i].name, ns->v[i].version, ns->v[i].verify_origin);
    }
    free(ns->v);
    free(ns->index);
    memset(ns, 0, sizeof *ns);
}
