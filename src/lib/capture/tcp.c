/* tcp.c - TCP connections and their two byte streams, put back in order
 * and given to tls.c. Bounded everywhere: at most max_flows connections
 * (the least recently used one goes first), at most max_flow_bytes of each
 * direction from its start, and nothing once tls.c needs no more.
 *
 * Each direction is given in order straight from the packets; only bytes
 * that come ahead of a hole are copied, into a buffer indexed by stream
 * offset, and given once the hole fills. Sequence numbers are compared with
 * 32-bit serial arithmetic, so a stream may wrap around 2^32.
 *
 * The client is the side that sent the SYN (or got the SYN-ACK); when the
 * handshake of TCP was not captured, the side that sent the ClientHello (or
 * got the ServerHello); failing that the side with the higher port, which
 * is usually the ephemeral one; with equal ports, whoever spoke first.
 *
 * A RST ends what its sender sends, not what was already in flight toward
 * it: a client may reset right after its ClientHello while the server's
 * flight is on the wire, and appears after the RST in the capture. So the
 * other direction is read on for EW_TCP_RST_LINGER_US of capture time (or
 * until it ends, or nothing more is to be learnt from it). */
#include "capture/tcp_int.h"

#include <stdlib.h>

#define EW_TCP_MIN_BUCKETS 64u
#define EW_TCP_MAX_BUCKETS (1u << 20)
#define EW_TCP_OOO_MIN 2048u
#define EW_HASH_MUL UINT64_C(0x9e3779b97f4a7c15)
#define EW_HASH_SHIFT 29
/* How long after a RST the bytes in flight the other way are still read. */
#define EW_TCP_RST_LINGER_US INT64_C(3000000)

/* An endpoint as words: the address big-endian (an IPv4 address in the
 * top of hi, zero past its 4 bytes), so that comparing words orders as a
 * memcmp of the address bytes would; the port. */
typedef struct ew_ep_words {
    uint64_t hi, lo;
    uint16_t port;
} ew_ep_words;

static uint64_t ew_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static ew_ep_words ew_words(uint8_t af, const uint8_t *addr, uint16_t port)
{
    if (af == 4)
        return (ew_ep_words){(uint64_t)ew_be32(addr) << 32, 0, port};
    return (ew_ep_words){ew_be64(addr), ew_be64(addr + 8), port};
}

static int ew_words_cmp(const ew_ep_words *a, const ew_ep_words *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return (a->port > b->port) - (a->port < b->port);
}

/* An endpoint from the segment's bytes (4 or 16 of them): copied, not
 * rebuilt a byte at a time from its words. */
static void ew_ep_set(ew_endpoint *e, uint8_t af, const uint8_t *addr, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->af = af;
    memcpy(e->addr, addr, af == 4 ? EW_IPV4_BYTES : EW_ADDR_BYTES);
    e->port = port;
}

static bool ew_ep_eq(const ew_endpoint *a, const ew_endpoint *b)
{
    return a->af == b->af && a->port == b->port && ew_mem_eq(a->addr, b->addr, EW_ADDR_BYTES);
}

/* Multiply-xorshift over the 4-tuple's words: where a flow's bucket is. */
static uint64_t ew_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * EW_HASH_MUL;
    return h ^ (h >> EW_HASH_SHIFT);
}

/* The 4-tuple of s, its lower endpoint first, into ep; its direction into
 * *dir; returns its hash. Built from words in registers: no endpoint is
 * read back from memory just written. */
static uint32_t ew_seg_key(const ew_tcp_seg *s, ew_endpoint ep[2], int *dir)
{
    ew_ep_words w[2] = {ew_words(s->af, s->src, s->sport), ew_words(s->af, s->dst, s->dport)};
    *dir = ew_words_cmp(&w[0], &w[1]) <= 0 ? 0 : 1;
    const ew_ep_words *lo = &w[*dir], *hi = &w[1 - *dir];
    ew_ep_set(&ep[0], s->af, *dir ? s->dst : s->src, *dir ? s->dport : s->sport);
    ew_ep_set(&ep[1], s->af, *dir ? s->src : s->dst, *dir ? s->sport : s->dport);
    uint64_t h = s->af;
    h = ew_mix(h, lo->hi);
    h = ew_mix(h, lo->lo ^ ((uint64_t)lo->port << 48));
    h = ew_mix(h, hi->hi);
    h = ew_mix(h, hi->lo ^ ((uint64_t)hi->port << 48));
    return (uint32_t)(h ^ (h >> 32));
}

/* b - a as a signed distance in sequence space. */
static int64_t ew_serial_diff(uint32_t b, uint32_t a)
{
    uint32_t d = b - a;
    return d < EW_SERIAL_HALF ? (int64_t)d : (int64_t)d - EW_SERIAL_SPAN;
}

static int ew_half_data(ew_tcp *t, ew_flow *f, int dir, uint32_t seq, const uint8_t *p, size_t n,
                        int64_t ts);
static int ew_flow_close(ew_tcp *t, ew_flow *f);
static void ew_flow_recycle(ew_tcp *t, ew_flow *f);

static const ew_tcp_ops ew_tcp_ops_of_tcp = {
    .data = ew_half_data, .close = ew_flow_close, .recycle = ew_flow_recycle};

ew_tcp *ew_tcp_new(ew_cap_env *env)
{
    ew_tcp *t = ew_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->env = env;
    t->ops = &ew_tcp_ops_of_tcp;
    size_t n = EW_TCP_MIN_BUCKETS;
    while (n < env->lim.max_flows && n < EW_TCP_MAX_BUCKETS)
        n *= 2;
    t->buckets = ew_calloc(n, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->nbuckets = n;
    return t;
}

static void ew_reset_unlink(ew_tcp *t, ew_flow *f)
{
    if (!f->reset)
        return;
    ew_flow_unlink(&t->resets, f, EW_LINK_RESET);
    f->reset = false;
}

/* Gives the connection's handshake, once, if it spoke TLS. */
static int ew_flow_emit(ew_tcp *t, ew_flow *f)
{
    ew_cap_env *env = t->env;
    if (f->tls.emitted)
        return 0;
    f->tls.emitted = true;
    int rc = 0;
    if (!env->stop && ew_tls_spoke(&f->tls)) {
        int client = f->tls.client_dir;
        if (client < 0) {
            if (f->ep[0].port != f->ep[1].port)
                client = f->ep[0].port > f->ep[1].port ? 0 : 1;
            else
                client = f->first_dir;
        }
        if (ew_tls_headless(&f->tls)) {
            env->st.headless++;
            ew_tcp_dir(t, f, 1 - client);
            ew_cap_why_conn(env, env->st.why_headless, true, "TLS",
                            "the capture holds no ClientHello of this connection (it began "
                            "before the capture, or in a capture file not given): what came "
                            "after it was read");
        }
        ew_tls_hs hs;
        ew_tls_fill(&f->tls, client, &hs);
        hs.client = f->ep[client];
        hs.server = f->ep[1 - client];
        hs.ts_start = f->ts_start;
        env->st.handshakes++;
        rc = env->fn ? env->fn(env->ctx, &hs) : 0;
        env->stop = rc;
    }
    /* Nothing more is read from it: its buffers go now. */
    ew_tls_release(&f->tls);
    f->tls.emitted = true;
    for (int d = 0; d < 2; d++) {
        f->h[d].ended = true;
        ew_half_drop(&f->h[d]);
    }
    return rc;
}

/* Whether a hole keeps bytes of this direction from ever being given. */
static bool ew_half_has_hole(const ew_tcp_half *h)
{
    return h->nr > 0 || (h->fin && h->next < h->fin_off);
}

/* The direction gets no more bytes; a hole left behind is a gap. */
static void ew_half_end(ew_tcp *t, ew_flow *f, int dir, bool hole)
{
    ew_tcp_half *h = &f->h[dir];
    if (h->ended)
        return;
    h->ended = true;
    if (!ew_tls_dir_done(&f->tls, dir)) {
        ew_cap_env *env = t->env;
        ew_tcp_dir(t, f, dir);
        /* Counted where TLS was seen: a hole in other traffic is no loss. */
        if (hole && ew_tls_seen(&f->tls)) {
            env->st.gaps++;
            if (h->snap_rec)
                ew_cap_why_conn(env, env->st.why_gap, false, "TCP stream",
                                "record %llu kept only %u of its %u payload bytes (the capture's "
                                "snapshot length cut it): its TLS was read up to stream byte %u",
                                (unsigned long long)h->snap_rec, h->snap_len, h->snap_wire,
                                h->next);
            else
                ew_cap_why_conn(env, env->st.why_gap, false, "TCP stream",
                                "the bytes after stream byte %u are not in the capture (packets "
                                "lost): its TLS was read up to there",
                                h->next);
        }
        ew_tls_end(&f->tls, env, dir, hole ? EW_TLS_END_GAP : EW_TLS_END_CLOSE);
    }
    ew_half_drop(h);
}

/* Ends both directions and gives the handshake, once. */
static int ew_flow_close(ew_tcp *t, ew_flow *f)
{
    for (int d = 0; d < 2; d++)
        ew_half_end(t, f, d, ew_half_has_hole(&f->h[d]));
    return ew_flow_emit(t, f);
}

/* Off its hash chain, what it holds freed: kept for reuse. */
static void ew_flow_recycle(ew_tcp *t, ew_flow *f)
{
    ew_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];
    while (*pp != f)
        pp = &(*pp)->hnext;
    *pp = f->hnext;
    ew_tls_release(&f->tls);
    for (int d = 0; d < 2; d++) {
        ew_half_drop(&f->h[d]);
        ew_tcpj_keep_free(t, &f->h[d]);
    }
    f->hnext = t->spare;
    t->spare = f;
}

/* The connection is over: its handshake is given, its slot freed; or,
 * begun without its start, it waits for it (tcp_join.c). */
static int ew_flow_end(ew_tcp *t, ew_flow *f)
{
    ew_flow_unlink(&t->lru, f, EW_LINK_AGE);
    ew_reset_unlink(t, f);
    t->live--;
    if (ew_tcpj_parkable(t, f))
        return ew_tcpj_park(t, f);
    int rc = ew_flow_close(t, f);
    ew_flow_recycle(t, f);
    return rc;
}

static ew_flow *ew_flow_find(ew_tcp *t, const ew_endpoint ep[2], uint32_t hash)
{
    for (ew_flow *f = t->buckets[hash & (t->nbuckets - 1)]; f; f = f->hnext)
        if (f->hash == hash && !f->parked && ew_ep_eq(&f->ep[0], &ep[0]) &&
            ew_ep_eq(&f->ep[1], &ep[1]))
            return f;
    return NULL;
}

/* A new connection; the least recently used one makes room. *rc gets the
 * callback's value of an eviction. NULL when out of memory or stopped. */
static ew_flow *ew_flow_new(ew_tcp *t, const ew_endpoint ep[2], uint32_t hash, int dir, int64_t ts,
                            int *rc)
{
    *rc = 0;
    if (t->live >= EW_MAX(t->env->lim.max_flows, (size_t)1) && t->lru.oldest) {
        t->env->st.flows_evicted++;
        *rc = ew_flow_end(t, t->lru.oldest);
        if (*rc)
            return NULL;
    }
    ew_flow *f = t->spare;
    if (f)
        t->spare = f->hnext;
    else if (!(f = ew_malloc(sizeof *f)))
        return NULL;
    memset(f, 0, sizeof *f);
    f->ep[0] = ep[0];
    f->ep[1] = ep[1];
    f->hash = hash;
    f->first_dir = (uint8_t)dir;
    f->ts_start = ts;
    ew_tls_init(&f->tls);
    ew_flow **b = &t->buckets[hash & (t->nbuckets - 1)];
    f->hnext = *b;
    *b = f;
    ew_flow_push(&t->lru, f, EW_LINK_AGE);
    t->live++;
    t->env->st.flows++;
    if (t->parked > 0)
        ew_tcpj_note(t, f);
    return f;
}

/* A SYN on a known 4-tuple: the same connection (a retransmitted SYN, or
 * the SYN-ACK of the SYN that made the flow), or a new one. */
static bool ew_syn_is_new(const ew_flow *f, int dir, const ew_tcp_seg *s)
{
    const ew_tcp_half *h = &f->h[dir];
    if (h->syn)
        return h->isn != s->seq;
    /* Its stream began right after this SYN: the SYN came late (in a
     * capture file given after the one that holds what follows it). */
    if (h->started && h->base == s->seq + 1)
        return false;
    if (s->flags & EW_TCP_ACK)
        return h->data || h->fin;
    return f->h[0].data || f->h[1].data || f->h[0].fin || f->h[1].fin;
}

/* Gives bytes from the packet or the buffer; tls.c may say it is done. */
static int ew_half_give(ew_tcp *t, ew_flow *f, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    ew_tcp_half *h = &f->h[dir];
    h->next += (uint32_t)n;
    ew_tcp_dir(t, f, dir);
    int rc = ew_tls_feed(&f->tls, t->env, dir, p, n, ts);
    if (rc == 0 && h->keep_open)
        rc = ew_tcpj_keep(t, f, dir, p, n, ts);
    if (rc == 0 && f->may_join)
        rc = ew_tcpj_try(t, f, dir);
    return rc;
}

/* Gives what the out-of-order buffer holds right after next. */
static int ew_half_drain(ew_tcp *t, ew_flow *f, int dir, int64_t ts)
{
    ew_tcp_half *h = &f->h[dir];
    while (h->nr > 0 && h->r[0].lo <= h->next && (h->keep_open || !ew_tls_dir_done(&f->tls, dir))) {
        ew_tcp_range r = h->r[0];
        h->nr--;
        memmove(h->r, h->r + 1, h->nr * sizeof h->r[0]);
        int rc = r.hi > h->next
                     ? ew_half_give(t, f, dir, h->ooo + (h->next - h->ooo_base), r.hi - h->next, ts)
                     : 0;
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Keeps bytes that came ahead of a hole. Returns 0, EWDIAG_ELIMIT when the
 * buffer's bound is passed (the hole is given up), or EWDIAG_ENOMEM. */
static int ew_half_store(ew_tcp_half *h, uint32_t lo, const uint8_t *p, uint32_t n, size_t limit)
{
    uint32_t hi = lo + n;
    if (h->nr == 0)
        h->ooo_base = h->next;
    uint32_t need = hi - h->ooo_base;
    if (need > h->ooo_cap) {
        uint32_t room = (uint32_t)(limit - h->ooo_base);
        uint32_t cap = h->ooo_cap ? h->ooo_cap : EW_TCP_OOO_MIN;
        while (cap < need)
            cap = cap > room / 2 ? room : cap * 2;
        cap = EW_MIN(EW_MAX(cap, need), room);
        uint8_t *nb = ew_realloc(h->ooo, cap);
        if (!nb)
            return EWDIAG_ENOMEM;
        h->ooo = nb;
        h->ooo_cap = cap;
    }
    memcpy(h->ooo + (lo - h->ooo_base), p, n);
    /* Merge [lo, hi) into the sorted ranges. */
    size_t i = 0;
    while (i < h->nr && h->r[i].hi < lo)
        i++;
    size_t j = i;
    while (j < h->nr && h->r[j].lo <= hi) {
        lo = EW_MIN(lo, h->r[j].lo);
        hi = EW_MAX(hi, h->r[j].hi);
        j++;
    }
    if (j == i && h->nr == EW_TCP_MAX_RANGES)
        return EWDIAG_ELIMIT;
    size_t keep_after = h->nr - j;
    memmove(h->r + i + 1, h->r + j, keep_after * sizeof h->r[0]);
    h->r[i].lo = lo;
    h->r[i].hi = hi;
    h->nr = (uint8_t)(i + 1 + keep_after);
    return 0;
}

/* max_flow_bytes of the direction were given: the rest is not kept. */
static void ew_half_limit(ew_tcp *t, ew_flow *f, int dir)
{
    f->h[dir].ended = true;
    ew_tcp_dir(t, f, dir);
    ew_tls_end(&f->tls, t->env, dir, EW_TLS_END_LIMIT);
    ew_half_drop(&f->h[dir]);
}

static int ew_half_data(ew_tcp *t, ew_flow *f, int dir, uint32_t seq, const uint8_t *p, size_t n,
                        int64_t ts)
{
    ew_tcp_half *h = &f->h[dir];
    size_t limit = t->env->lim.max_flow_bytes;
    if (h->ended || n == 0)
        return 0;
    if (h->next >= limit) {
        ew_half_limit(t, f, dir);
        return 0;
    }
    int64_t off = (int64_t)h->next + ew_serial_diff(seq, h->base + h->next);
    int64_t end = off + (int64_t)n;
    if (end <= (int64_t)h->next)
        return 0; /* retransmitted or duplicated: given already */
    if (off < (int64_t)h->next) {
        p += (int64_t)h->next - off;
        off = h->next;
    }
    end = EW_MIN(end, (int64_t)limit);
    if (off >= end)
        return 0; /* past what is kept of a direction */
    if (off == (int64_t)h->next) {
        int rc = ew_half_give(t, f, dir, p, (size_t)(end - off), ts);
        if (rc == 0)
            rc = ew_half_drain(t, f, dir, ts);
        if (rc != 0)
            return rc;
    } else {
        int rc = ew_half_store(h, (uint32_t)off, p, (uint32_t)(end - off), limit);
        if (rc == EWDIAG_ELIMIT) {
            ew_half_end(t, f, dir, true);
            return 0;
        }
        if (rc != 0)
            return rc;
    }
    if (ew_tls_dir_done(&f->tls, dir) && !h->keep_open) {
        /* tls.c wants no more of it, nor the part before it: keep nothing. */
        ew_half_drop(h);
        h->ended = true;
    } else if (h->next >= limit) {
        ew_half_limit(t, f, dir);
    }
    return 0;
}

/* Ends the direction if its FIN's place was reached. */
static void ew_half_check_fin(ew_tcp *t, ew_flow *f, int dir)
{
    ew_tcp_half *h = &f->h[dir];
    if (h->fin && !h->ended && h->nr == 0 && h->next >= h->fin_off)
        ew_half_end(t, f, dir, false);
}

/* A RST from dir: its direction ends; the other one is read on while it
 * may still tell something, for EW_TCP_RST_LINGER_US at most. */
static int ew_flow_reset(ew_tcp *t, ew_flow *f, int dir, int64_t ts)
{
    if (f->reset && dir == f->rst_dir)
        return 0; /* one more from the same side: what it answers is still read */
    ew_half_end(t, f, dir, ew_half_has_hole(&f->h[dir]));
    int other = 1 - dir;
    if (f->reset || f->tls.emitted || f->h[other].ended || !ew_tls_wants(&f->tls, other))
        return ew_flow_end(t, f);
    f->reset = true;
    f->rst_dir = (uint8_t)dir;
    f->rst_ts = ts;
    ew_flow_push(&t->resets, f, EW_LINK_RESET);
    return 0;
}

/* Flows whose RST is older than the linger at time ts are over. */
static int ew_tcp_expire(ew_tcp *t, int64_t ts)
{
    while (t->resets.oldest && ts - t->resets.oldest->rst_ts > EW_TCP_RST_LINGER_US) {
        int rc = ew_flow_end(t, t->resets.oldest);
        if (rc)
            return rc;
    }
    return 0;
}

/* A RST past the next byte of a direction still open: a hole before it. */
static bool ew_rst_ahead(const ew_tcp_half *h, uint32_t seq)
{
    if (!h->started || h->ended)
        return false;
    int64_t d = ew_serial_diff(seq, h->base + h->next);
    return d > 0 && (uint64_t)h->next + (uint64_t)d < UINT32_MAX;
}

static int ew_flow_segment(ew_tcp *t, ew_flow *f, int dir, const ew_tcp_seg *s)
{
    ew_tcp_half *h = &f->h[dir];
    uint32_t seq = s->seq;
    if (s->flags & EW_TCP_SYN) {
        if (!h->syn) {
            h->syn = true;
            h->isn = seq;
            if (!h->started) {
                h->base = seq + 1;
                h->started = true;
            }
            ew_tls_set_client(&f->tls, (s->flags & EW_TCP_ACK) ? 1 - dir : dir);
        }
        seq++; /* the SYN takes one sequence number: data follows it */
    }
    if (!h->started && (s->len > 0 || (s->flags & EW_TCP_FIN))) {
        /* No SYN: the first byte seen is not the stream's first. */
        h->base = seq;
        h->started = true;
        ew_tls_set_midstream(&f->tls, dir);
    }
    if (s->wire_len > 0)
        h->data = true;
    int rc = f->tls.emitted ? 0 : ew_half_data(t, f, dir, seq, s->data, s->len, s->ts);
    /* A SYN alone may put the stream where a parked part begins. */
    if (rc == 0 && f->may_join && h->started && s->len == 0)
        rc = ew_tcpj_try(t, f, dir);
    if (rc != 0)
        return rc;
    /* The snapshot length cut this payload: a hole that is the capture's doing. */
    if (s->len < s->wire_len && !h->ended && !h->snap_rec) {
        h->snap_rec = t->env->st.records;
        h->snap_len = (uint32_t)s->len;
        h->snap_wire = (uint32_t)EW_MIN(s->wire_len, (size_t)UINT32_MAX);
    }
    if ((s->flags & EW_TCP_RST) && ew_rst_ahead(h, seq)) {
        /* Bytes before it are missing, perhaps in a capture file given
         * after this one: it ends the direction where it stands, as a FIN. */
        if (!h->fin) {
            h->fin = true;
            h->fin_off = h->next + (uint32_t)ew_serial_diff(seq, h->base + h->next);
        }
    } else if (s->flags & EW_TCP_RST) {
        return ew_flow_reset(t, f, dir, s->ts);
    }
    if ((s->flags & EW_TCP_FIN) && h->started && !h->fin) {
        uint32_t fin_seq = seq + (uint32_t)s->wire_len; /* the FIN follows the payload */
        int64_t fin = (int64_t)h->next + ew_serial_diff(fin_seq, h->base + h->next);
        if (fin >= 0) {
            h->fin = true;
            h->fin_off = (uint32_t)EW_MIN(fin, (int64_t)UINT32_MAX);
        }
    }
    for (int d = 0; d < 2; d++)
        ew_half_check_fin(t, f, d);
    if (!f->tls.emitted && !f->keeping && ew_tls_complete(&f->tls)) {
        rc = ew_flow_emit(t, f);
        if (rc)
            return rc;
    }
    if ((f->reset || (f->h[0].fin && f->h[1].fin)) && f->h[0].ended && f->h[1].ended)
        return ew_flow_end(t, f);
    return 0;
}

int ew_tcp_segment(ew_tcp *t, const ew_tcp_seg *s)
{
    if (t->env->stop)
        return t->env->stop;
    t->env->ts = s->ts;
    int rc = t->resets.oldest ? ew_tcp_expire(t, s->ts) : 0;
    if (rc)
        return rc;
    ew_endpoint ep[2];
    int dir;
    uint32_t hash = ew_seg_key(s, ep, &dir);
    ew_flow *f = ew_flow_find(t, ep, hash);
    /* A flow begun without its start, and a packet of its 4-tuple timed
     * before it: the part before it, from a capture file given later. */
    bool earlier =
        f && f->keeping && s->ts < f->ts_start && (s->wire_len > 0 || (s->flags & EW_TCP_SYN));
    if (f && (earlier || ((s->flags & EW_TCP_SYN) && ew_syn_is_new(f, dir, s)))) {
        /* The 4-tuple is used again, or its earlier part comes: this one is over. */
        rc = ew_flow_end(t, f);
        if (rc)
            return rc;
        f = NULL;
    }
    if (!f) {
        /* Nothing to learn from an ACK, FIN or RST of a connection not seen. */
        if (!(s->flags & EW_TCP_SYN) && s->wire_len == 0)
            return 0;
        f = ew_flow_new(t, ep, hash, dir, s->ts, &rc);
        if (!f)
            return rc ? rc : EWDIAG_ENOMEM;
        if (!(s->flags & EW_TCP_SYN))
            ew_tcpj_begin(f);
    } else if (t->lru.newest != f) {
        ew_flow_unlink(&t->lru, f, EW_LINK_AGE);
        ew_flow_push(&t->lru, f, EW_LINK_AGE);
    }
    return ew_flow_segment(t, f, dir, s);
}

int ew_tcp_finish(ew_tcp *t)
{
    t->env->ts = 0; /* what ends now ends with the capture */
    while (t->lru.oldest) {
        int rc = ew_flow_end(t, t->lru.oldest);
        if (rc)
            return rc;
    }
    return ew_tcpj_flush(t);
}

void ew_tcp_free(ew_tcp *t)
{
    if (!t)
        return;
    ew_flows_free(t, t->lru.oldest);
    ew_tcpj_free(t);
    for (ew_flow *f = t->spare; f;) {
        ew_flow *n = f->hnext;
        free(f);
        f = n;
    }
    free(t->buckets);
    free(t);
}
