/* tcp_join.c - one connection out of the parts that capture files given
 * out of order hold. A ring of files (tcpdump -C/-W, as Expressway writes
 * them) comes in archive order, not time order: the part of a connection
 * in a later file may come first, without its SYN or its hellos. Such a
 * flow keeps its in-order bytes (at most max_flow_bytes a direction, and
 * EW_TCP_KEEP_TOTAL in all) and, when it ends, is parked instead of given.
 * When a flow of the same 4-tuple comes whose stream reaches the first
 * byte of a parked one, the parked bytes are given to it as if they came
 * next: the handshake is read whole. At the capture's end, the parked flows
 * that no earlier part reached are given as they are, without their start;
 * those whose earlier part did come (timed before them) but did not reach
 * them are counted in order_unjoined. */
#include "capture/tcp_int.h"

#include <stdlib.h>

#define EW_TCP_KEEP_MIN 2048u
/* All keep buffers together. A capture that begins inside many bulk
 * transfers keeps this much at most, far below the RSS bound of 256 MiB. */
#define EW_TCP_KEEP_TOTAL (32u * 1024u * 1024u)

void ew_half_drop(ew_tcp_half *h)
{
    free(h->ooo);
    h->ooo = NULL;
    h->ooo_cap = 0;
    h->nr = 0;
}

void ew_tcp_dir(ew_tcp *t, ew_flow *f, int dir)
{
    t->env->from = &f->ep[dir];
    t->env->to = &f->ep[1 - dir];
}

static bool ew_tcpj_same(const ew_flow *a, const ew_flow *b)
{
    if (a->hash != b->hash)
        return false;
    for (int i = 0; i < 2; i++) {
        const ew_endpoint *x = &a->ep[i], *y = &b->ep[i];
        if (x->af != y->af || x->port != y->port || memcmp(x->addr, y->addr, sizeof x->addr) != 0)
            return false;
    }
    return true;
}

void ew_tcpj_begin(ew_flow *f)
{
    f->keeping = true;
    f->h[0].keep_open = f->h[1].keep_open = true;
}

bool ew_tcpj_parkable(const ew_tcp *t, const ew_flow *f)
{
    return f->keeping && !f->tls.emitted && !t->env->stop &&
           (f->h[0].keep_len > 0 || f->h[1].keep_len > 0);
}

void ew_tcpj_keep_free(ew_tcp *t, ew_tcp_half *h)
{
    t->kept -= h->keep_cap;
    free(h->keep);
    h->keep = NULL;
    h->keep_len = h->keep_cap = 0;
    h->keep_open = false;
}

/* A bound stops the keeping of h: what the part before it needs past here
 * will be missing. */
static void ew_tcpj_keep_stop(ew_tcp_half *h)
{
    h->keep_open = false;
    h->keep_cut = true;
}

int ew_tcpj_keep(ew_tcp *t, ew_flow *f, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    ew_tcp_half *h = &f->h[dir];
    size_t limit = t->env->lim.max_flow_bytes;
    size_t take = EW_MIN(n, limit - EW_MIN((size_t)h->keep_len, limit));
    size_t need = (size_t)h->keep_len + take;
    if (need > h->keep_cap) {
        size_t cap = h->keep_cap ? h->keep_cap : EW_TCP_KEEP_MIN;
        while (cap < need)
            cap *= 2;
        cap = EW_MIN(cap, limit);
        if (t->kept - h->keep_cap + cap > EW_TCP_KEEP_TOTAL)
            cap = need; /* no room to spare: exactly what it needs */
        if (t->kept - h->keep_cap + cap > EW_TCP_KEEP_TOTAL) {
            ew_tcpj_keep_stop(h);
            return 0;
        }
        uint8_t *nb = ew_realloc(h->keep, cap);
        if (!nb)
            return EWDIAG_ENOMEM;
        t->kept += cap - h->keep_cap;
        h->keep = nb;
        h->keep_cap = (uint32_t)cap;
    }
    memcpy(h->keep + h->keep_len, p, take);
    h->keep_len += (uint32_t)take;
    h->keep_ts = ts;
    if (take < n)
        ew_tcpj_keep_stop(h);
    return 0;
}

/* Takes p off the parked list and ends it: given as it is unless a part
 * before it took its bytes. 0 or the callback's value. */
static int ew_tcpj_unpark(ew_tcp *t, ew_flow *p)
{
    ew_flow_unlink(&t->parked_flows, p, EW_LINK_AGE);
    t->parked--;
    p->parked = false;
    int rc = 0;
    if (!p->absorbed) {
        ew_cap_env *env = t->env;
        if (p->earlier_came) {
            int d = p->h[1].keep_len > p->h[0].keep_len ? 1 : 0;
            env->st.order_unjoined++;
            ew_tcp_dir(t, p, d);
            ew_cap_why_conn(env, env->st.why_order, false, "TCP connection",
                            "its part after sequence number %u came in a capture file given "
                            "before the part that leads up to it, and the bytes between them "
                            "are not in the capture: read as two parts",
                            p->h[d].base);
        }
        rc = t->ops->close(t, p);
    }
    t->ops->recycle(t, p);
    return rc;
}

int ew_tcpj_park(ew_tcp *t, ew_flow *f)
{
    f->parked = true;
    for (int d = 0; d < 2; d++)
        ew_half_drop(&f->h[d]); /* a hole after its keep will not fill now */
    ew_flow_push(&t->parked_flows, f, EW_LINK_AGE);
    t->parked++;
    /* Parked flows are bounded like live ones: the oldest is given. */
    if (t->parked > t->env->lim.max_flows)
        return ew_tcpj_unpark(t, t->parked_flows.oldest);
    return 0;
}

void ew_tcpj_note(ew_tcp *t, ew_flow *f)
{
    for (ew_flow *p = t->buckets[f->hash & (t->nbuckets - 1)]; p; p = p->hnext) {
        if (!p->parked || !ew_tcpj_same(p, f))
            continue;
        f->may_join = true;
        if (f->ts_start < p->ts_start)
            p->earlier_came = true;
    }
}

/* Gives p's bytes of dir to f, whose stream has reached their first one. */
static int ew_tcpj_splice(ew_tcp *t, ew_flow *f, ew_flow *p, int dir)
{
    ew_tcp_half *h = &f->h[dir], *ph = &p->h[dir];
    ph->spliced = true;
    if (!p->absorbed)
        t->env->st.joined++;
    p->absorbed = true;
    int rc = t->ops->data(t, f, dir, ph->base, ph->keep, ph->keep_len, ph->keep_ts);
    if (rc == 0 && ph->fin && !ph->keep_cut && !h->fin && !h->ended) {
        /* Its FIN, where it falls in f's stream. */
        h->fin = true;
        h->fin_off = (ph->base - h->base) + ph->fin_off;
    }
    bool rest = false;
    for (int d = 0; d < 2; d++)
        rest |= p->h[d].keep_len > 0 && !p->h[d].spliced;
    if (!rest) {
        int urc = ew_tcpj_unpark(t, p);
        rc = rc ? rc : urc;
    }
    return rc;
}

int ew_tcpj_try(ew_tcp *t, ew_flow *f, int dir)
{
    const ew_tcp_half *h = &f->h[dir];
    if (f->tls.emitted || h->ended)
        return 0;
    uint32_t at = h->base + h->next;
    for (ew_flow *p = t->buckets[f->hash & (t->nbuckets - 1)]; p; p = p->hnext) {
        const ew_tcp_half *ph = &p->h[dir];
        if (p->parked && ph->started && !ph->spliced && ph->keep_len > 0 && ph->base == at &&
            ew_tcpj_same(p, f))
            return ew_tcpj_splice(t, f, p, dir);
    }
    return 0;
}

int ew_tcpj_flush(ew_tcp *t)
{
    while (t->parked_flows.oldest) {
        int rc = ew_tcpj_unpark(t, t->parked_flows.oldest);
        if (rc)
            return rc;
    }
    return 0;
}

void ew_flows_free(ew_tcp *t, ew_flow *oldest)
{
    for (ew_flow *f = oldest; f;) {
        ew_flow *n = f->link[EW_LINK_AGE].newer;
        for (int d = 0; d < 2; d++) {
            ew_half_drop(&f->h[d]);
            ew_tcpj_keep_free(t, &f->h[d]);
        }
        ew_tls_release(&f->tls);
        free(f);
        f = n;
    }
}

void ew_tcpj_free(ew_tcp *t)
{
    ew_flows_free(t, t->parked_flows.oldest);
    t->parked_flows = (ew_flow_list){NULL, NULL};
    t->parked = 0;
}
