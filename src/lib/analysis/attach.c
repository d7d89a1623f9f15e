/* attach.c - what joins a group after its events: evidence lines (the
 * traffic server's errors) and the requests that failed toward its server,
 * by node, address or name, within the attach window. */
#include "analysis/group.h"

#include <stdlib.h>

static bool ew_within(const ew_groups *fs, const ew_group *f, int64_t ts)
{
    if (!ts || !f->last_seen)
        return true;
    int64_t d = ts - f->last_seen;
    return (d < 0 ? -d : d) <= fs->window_us;
}

/* The finding on node that names value (as server, address or target) and
 * was seen last, within the window; NULL if none. */
static ew_group *ew_closest(ew_groups *fs, ew_span node, ew_span value, int64_t ts,
                                  bool by_name)
{
    ew_group *best = NULL;
    if (value.n == 0)
        return NULL;
    for (size_t i = 0; i < fs->n; i++) {
        ew_group *f = fs->v[i];
        if (!ew_span_eq(node, f->node) || !ew_within(fs, f, ts))
            continue;
        /* A line that names no address (the plugin's) is known by its target. */
        bool named = ew_span_eq(value, f->address) || (!*f->address && ew_span_eq(value, f->target)) ||
                     (by_name && (ew_span_eq(value, f->server) || ew_span_eq(value, f->target)));
        if (named && (!best || f->last_seen > best->last_seen))
            best = f;
    }
    return best;
}

int ew_groups_attach(ew_groups *fs, const ew_event *ev)
{
    ew_span value = ev->m->groups[ev->rule->attach_group];
    ew_group *f = ew_closest(fs, ev->node, value, ev->ts, true);
    return f ? ew_ring_push(&f->related, ev->line.p, ev->line.n) : 0;
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
    return ew_ring_push(&f->related, r->line.p, r->line.n);
}
