/* attach.c - what joins a group after its events: evidence lines (the
 * traffic server's errors) and the requests that failed toward its server,
 * by node, address or name, within the attach window. */
#include "analysis/group.h"

#include <stdlib.h>

#define EW_NAMES_MIN 64
#define EW_NAME_SEP 0x1fu
#define EW_FNV_OFFSET UINT64_C(14695981039346656037)
#define EW_FNV_PRIME UINT64_C(1099511628211)
/* The names a group answers to: address, target, server. */
#define EW_GROUP_NAMES 3

static bool ew_within(const ew_groups *fs, const ew_group *f, int64_t ts)
{
    if (!ts || !f->last_seen)
        return true;
    int64_t d = ts - f->last_seen;
    return (d < 0 ? -d : d) <= fs->lim.window_us;
}

static uint64_t ew_name_hash(ew_span node, ew_span name)
{
    uint64_t h = EW_FNV_OFFSET;
    for (size_t i = 0; i < node.n; i++)
        h = (h ^ (unsigned char)node.p[i]) * EW_FNV_PRIME;
    h = (h ^ EW_NAME_SEP) * EW_FNV_PRIME;
    for (size_t i = 0; i < name.n; i++)
        h = (h ^ (unsigned char)name.p[i]) * EW_FNV_PRIME;
    return h;
}

static void ew_names_put(ew_name_slot *v, size_t cap, ew_name_slot x)
{
    size_t i = (size_t)x.hash & (cap - 1);
    while (v[i].group)
        i = (i + 1) & (cap - 1);
    v[i] = x;
}

/* Keeps the names index at most half full for n more. */
static int ew_names_grow(ew_groups *fs, size_t n)
{
    if (fs->names_cap && (fs->nnames + n) * 2 <= fs->names_cap)
        return 0;
    size_t ncap = fs->names_cap ? fs->names_cap * 2 : EW_NAMES_MIN;
    while ((fs->nnames + n) * 2 > ncap)
        ncap *= 2;
    ew_name_slot *nv = ew_calloc(ncap, sizeof *nv);
    if (!nv)
        return EWDIAG_ENOMEM;
    for (size_t i = 0; i < fs->names_cap; i++)
        if (fs->names[i].group)
            ew_names_put(nv, ncap, fs->names[i]);
    free(fs->names);
    fs->names = nv;
    fs->names_cap = ncap;
    return 0;
}

int ew_groups_index_names(ew_groups *fs)
{
    const ew_group *f = fs->v[fs->n - 1];
    const char *names[EW_GROUP_NAMES] = {f->address, f->target, f->server};
    if (ew_names_grow(fs, EW_GROUP_NAMES) != 0)
        return EWDIAG_ENOMEM;
    ew_span node = ew_span_make(f->node, strlen(f->node));
    for (size_t i = 0; i < EW_GROUP_NAMES; i++) {
        bool again = false;
        for (size_t j = 0; j < i; j++)
            again |= strcmp(names[i], names[j]) == 0;
        if (!*names[i] || again)
            continue;
        ew_name_slot x = {ew_name_hash(node, ew_span_make(names[i], strlen(names[i]))),
                          (uint32_t)fs->n};
        ew_names_put(fs->names, fs->names_cap, x);
        fs->nnames++;
    }
    return 0;
}

int ew_groups_keep_line(ew_groups *fs, ew_ring *ring, ew_span line)
{
    if (ring->cap == 0)
        return 0;
    size_t out = ew_ring_evicts(ring);
    if (fs->line_bytes - out + line.n > fs->lim.max_line_bytes) {
        fs->dropped_lines++;
        return 0;
    }
    if (ew_ring_push(ring, line.p, line.n) != 0)
        return EWDIAG_ENOMEM;
    /* What the ring holds: the copy stops at a NUL byte. */
    fs->line_bytes = fs->line_bytes - out + strlen(ew_ring_get(ring, ring->n - 1));
    return 0;
}

/* Whether f, on the node asked for, answers to value. A line that names
 * no address (the plugin's) is known by its target. */
static bool ew_named(const ew_group *f, ew_span value, bool by_name)
{
    return ew_span_eq(value, f->address) || (!*f->address && ew_span_eq(value, f->target)) ||
           (by_name && (ew_span_eq(value, f->server) || ew_span_eq(value, f->target)));
}

/* The finding on node that names value (as server, address or target) and
 * was seen last, within the window (the first made among equals); NULL if
 * none. Found through the names index: constant time in the groups. */
static ew_group *ew_closest(ew_groups *fs, ew_span node, ew_span value, int64_t ts, bool by_name)
{
    ew_group *best = NULL;
    uint32_t best_i = 0;
    if (value.n == 0 || !fs->names_cap)
        return NULL;
    uint64_t h = ew_name_hash(node, value);
    size_t mask = fs->names_cap - 1;
    for (size_t i = (size_t)h & mask; fs->names[i].group; i = (i + 1) & mask) {
        if (fs->names[i].hash != h)
            continue;
        uint32_t gi = fs->names[i].group;
        ew_group *f = fs->v[gi - 1];
        if (!ew_span_eq(node, f->node) || !ew_within(fs, f, ts) || !ew_named(f, value, by_name))
            continue;
        if (!best || f->last_seen > best->last_seen ||
            (f->last_seen == best->last_seen && gi < best_i)) {
            best = f;
            best_i = gi;
        }
    }
    return best;
}

int ew_groups_attach(ew_groups *fs, const ew_event *ev)
{
    ew_span value = ew_match_group(ev->m, ev->rule->attach_group);
    ew_group *f = ew_closest(fs, ev->node, value, ev->ts, true);
    return f ? ew_groups_keep_line(fs, &f->related, ev->line) : 0;
}

static int ew_add_url(ew_group *f, const char *url)
{
    if (!*url || f->nurls == EW_MAX_URLS)
        return 0;
    for (size_t i = 0; i < f->nurls; i++)
        if (strcmp(f->urls[i].url, url) == 0)
            return 0;
    char mra[EW_MRA_MAX];
    ew_url *u = &f->urls[f->nurls];
    if (!(u->url = ew_strdup(url)))
        return EWDIAG_ENOMEM;
    if (ew_mra_decode(url, strlen(url), mra, sizeof mra) == 0 && !(u->mra = ew_strdup(mra))) {
        free(u->url);
        u->url = NULL;
        return EWDIAG_ENOMEM;
    }
    f->nurls++;
    return 0;
}

static void ew_add_port(ew_group *f, unsigned port)
{
    if (!port)
        return;
    for (size_t i = 0; i < f->nports; i++)
        if (f->ports[i] == port)
            return;
    if (f->nports < EW_MAX_PORTS)
        f->ports[f->nports++] = port;
}

int ew_groups_failed_request(ew_groups *fs, const ew_failed_request *r)
{
    const ew_txn *x = r->txn;
    ew_span ip = ew_span_make(x->dst_ip, strlen(x->dst_ip));
    ew_group *f = ew_closest(fs, r->node, ip, r->ts, false);
    if (!f)
        return 0;
    f->requests++;
    ew_add_port(f, x->dst_port);
    if (ew_add_url(f, x->url) != 0 || ew_timeline_add(&f->request_times, r->ts) != 0)
        return EWDIAG_ENOMEM;
    return ew_groups_keep_line(fs, &f->related, r->line);
}
