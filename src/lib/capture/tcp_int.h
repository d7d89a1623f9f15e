/* tcp_int.h - the connection table that tcp.c keeps and tcp_join.c joins
 * across capture files given out of order (not part of capture_int.h's
 * contract between the stages). */
#ifndef EW_TCP_INT_H
#define EW_TCP_INT_H

#include "capture/capture_int.h"

/* Holes one direction may have open at once before it is given up. */
#define EW_TCP_MAX_RANGES 8
#define EW_SERIAL_HALF 0x80000000u
#define EW_SERIAL_SPAN 0x100000000

/* Stream offsets [lo, hi) held in the out-of-order buffer. */
typedef struct ew_tcp_range {
    uint32_t lo, hi;
} ew_tcp_range;

typedef struct ew_tcp_half {
    uint32_t base;    /* sequence number of stream offset 0 */
    uint32_t isn;     /* the SYN's sequence number, when seen */
    uint32_t next;    /* stream offset of the next byte to give */
    uint32_t fin_off; /* stream offset of the FIN, when seen */
    bool syn, started, data, fin, ended;
    uint8_t nr;
    uint64_t snap_rec;            /* first record whose payload the snapshot length cut; 0 none */
    uint32_t snap_len, snap_wire; /* its payload bytes captured, and on the wire */
    ew_tcp_range r[EW_TCP_MAX_RANGES]; /* sorted, disjoint, above next */
    uint8_t *ooo;                      /* ooo[i] holds stream offset ooo_base + i */
    uint32_t ooo_base;
    uint32_t ooo_cap;
    /* A flow without its start keeps its in-order bytes from offset 0, so
     * that the part before it, given later, can be joined to it. */
    uint8_t *keep;
    uint32_t keep_len, keep_cap;
    bool keep_open;  /* still appending (under max_flow_bytes and the budget) */
    bool keep_cut;   /* a bound stopped it before the direction ended */
    bool spliced;    /* its bytes went to the part before it */
    int64_t keep_ts; /* time of the packet of its last byte */
} ew_tcp_half;

/* A flow's place in a list of flows by age, and the list's two ends. */
typedef struct ew_flow_link {
    struct ew_flow *newer, *older;
} ew_flow_link;
typedef struct ew_flow_list {
    struct ew_flow *newest, *oldest;
} ew_flow_list;

/* The links of a flow: the recency list (the parked list once parked),
 * and the reset list (by the time of the RST). */
enum { EW_LINK_AGE, EW_LINK_RESET, EW_LINKS };

typedef struct ew_flow {
    struct ew_flow *hnext; /* hash chain */
    ew_flow_link link[EW_LINKS];
    int64_t rst_ts; /* the RST's time, when reset */
    uint32_t hash;
    uint8_t first_dir;
    uint8_t rst_dir;
    bool reset;
    bool keeping;      /* began without a SYN: its bytes are kept (tcp_join.c) */
    bool parked;       /* ended, waiting for the part before it */
    bool may_join;     /* a parked flow of its 4-tuple was there when it began */
    bool absorbed;     /* parked, and joined to the part before it */
    bool earlier_came; /* parked, and a part timed before it came */
    ew_endpoint ep[2]; /* ep[d] sends direction d; ep[0] sorts first */
    int64_t ts_start;
    ew_tcp_half h[2];
    ew_tls_conn tls;
} ew_flow;

struct ew_tcp {
    ew_cap_env *env;
    ew_flow **buckets;
    size_t nbuckets; /* a power of two */
    ew_flow_list lru;
    ew_flow_list resets; /* flows that saw a RST, read on for a while */
    size_t live;
    ew_flow *spare;            /* ended flows kept for reuse, chained by hnext */
    ew_flow_list parked_flows; /* by their EW_LINK_AGE link */
    size_t parked;
    size_t kept; /* bytes in every keep buffer */
    const struct ew_tcp_ops *ops;
};

/* What tcp.c does to a flow, given to tcp_join.c (which tcp.c calls). */
typedef struct ew_tcp_ops {
    /* Payload of dir starting at sequence number seq. 0, the callback's
     * value, or EWDIAG_ENOMEM. */
    int (*data)(ew_tcp *t, ew_flow *f, int dir, uint32_t seq, const uint8_t *p, size_t n,
                int64_t ts);
    /* Ends both directions and gives the handshake (once); 0 or the callback's. */
    int (*close)(ew_tcp *t, ew_flow *f);
    /* Takes f off its hash chain, frees what it holds, keeps it for reuse. */
    void (*recycle)(ew_tcp *t, ew_flow *f);
} ew_tcp_ops;

/* f made the newest of l, by its link k. */
static inline void ew_flow_push(ew_flow_list *l, ew_flow *f, int k)
{
    f->link[k].newer = NULL;
    f->link[k].older = l->newest;
    if (l->newest)
        l->newest->link[k].newer = f;
    l->newest = f;
    if (!l->oldest)
        l->oldest = f;
}

/* f taken off l, whose link k it is in. */
static inline void ew_flow_unlink(ew_flow_list *l, ew_flow *f, int k)
{
    ew_flow_link *x = &f->link[k];
    if (x->newer)
        x->newer->link[k].older = x->older;
    else
        l->newest = x->older;
    if (x->older)
        x->older->link[k].newer = x->newer;
    else
        l->oldest = x->newer;
    x->newer = x->older = NULL;
}

/* tcp_join.c. */
/* Sets the direction whose bytes are told about (env->from, env->to). */
void ew_tcp_dir(ew_tcp *t, ew_flow *f, int dir);
/* Frees the out-of-order buffer of h. */
void ew_half_drop(ew_tcp_half *h);

/* f began without its start: keep its bytes, and park it when it ends. */
void ew_tcpj_begin(ew_flow *f);
/* Whether f is to be parked rather than ended. */
bool ew_tcpj_parkable(const ew_tcp *t, const ew_flow *f);
/* In-order bytes of dir given to tls.c: kept. 0 or EWDIAG_ENOMEM. */
int ew_tcpj_keep(ew_tcp *t, ew_flow *f, int dir, const uint8_t *p, size_t n, int64_t ts);
/* f (off the recency list) waits for the part before it. 0, or the
 * callback's value when the oldest parked flow had to make room. */
int ew_tcpj_park(ew_tcp *t, ew_flow *f);
/* f, new, shares its 4-tuple with parked flows: notes which came first. */
void ew_tcpj_note(ew_tcp *t, ew_flow *f);
/* dir of f has just moved on: if a parked flow's bytes start where it is
 * now, they are given to f. 0, the callback's value, or EWDIAG_ENOMEM. */
int ew_tcpj_try(ew_tcp *t, ew_flow *f, int dir);
/* Ends every parked flow (the capture is over). 0 or the callback's. */
int ew_tcpj_flush(ew_tcp *t);
/* Frees the flows of a list by age, from its oldest, without a callback. */
void ew_flows_free(ew_tcp *t, ew_flow *oldest);
/* Frees every parked flow without a callback. */
void ew_tcpj_free(ew_tcp *t);
void ew_tcpj_keep_free(ew_tcp *t, ew_tcp_half *h);

#endif /* EW_TCP_INT_H */
