/* pcap.c - the ew_capture handle: capture files (pcap and pcapng) read
 * with libpcap from any FILE *, each record decoded (decode.c) and its TCP
 * segment given to the connection table (tcp.c). */
#include "capture/capture_int.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>

#include "core/timestamp.h"

/* Limits when the caller gives none. */
#define EW_CAP_DEF_FLOWS 4096
#define EW_CAP_DEF_FLOW_BYTES (256u * 1024u)
#define EW_CAP_DEF_HANDSHAKE (64u * 1024u)
#define EW_CAP_DEF_DER (32u * 1024u)
/* Stream offsets must stay far below 2^31 for serial arithmetic. */
#define EW_CAP_FLOW_BYTES_MAX (1u << 30)
#define EW_CAP_HANDSHAKE_MAX 0xffffffu

struct ew_capture {
    ew_cap_env env;
    ew_tcp *tcp;
};

ew_capture *ew_capture_new(const ew_capture_limits *lim, ew_tls_fn fn, void *ctx)
{
    ew_capture *c = ew_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (lim) {
        c->env.lim = *lim;
    } else {
        c->env.lim.max_flows = EW_CAP_DEF_FLOWS;
        c->env.lim.max_flow_bytes = EW_CAP_DEF_FLOW_BYTES;
        c->env.lim.max_handshake = EW_CAP_DEF_HANDSHAKE;
        c->env.lim.max_chain = EW_MAX_CHAIN_HARD;
        c->env.lim.max_der = EW_CAP_DEF_DER;
    }
    ew_capture_limits *l = &c->env.lim;
    l->max_flows = EW_MAX(l->max_flows, (size_t)1);
    l->max_flow_bytes = EW_MIN(l->max_flow_bytes, (size_t)EW_CAP_FLOW_BYTES_MAX);
    l->max_handshake = EW_MIN(l->max_handshake, (size_t)EW_CAP_HANDSHAKE_MAX);
    l->max_chain = EW_MIN(l->max_chain, (size_t)EW_MAX_CHAIN_HARD);
    c->env.fn = fn;
    c->env.ctx = ctx;
    c->tcp = ew_tcp_new(&c->env);
    if (!c->tcp) {
        free(c);
        return NULL;
    }
    return c;
}

int ew_capture_feed(ew_capture *c, FILE *f, ew_err *err)
{
    ew_err_clear(err);
    ew_cap_why_clear(&c->env.st);
    if (c->env.stop) {
        (void)fclose(f); /* read-only: nothing to flush */
        return c->env.stop;
    }
    memcpy(c->env.encap_told, c->env.encap, sizeof c->env.encap_told);
    c->env.st.file_ts_first = c->env.st.file_ts_last = 0;
    char pe[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, pe);
    if (!p) {
        /* libpcap leaves the FILE open when it fails. */
        (void)fclose(f); /* read-only: nothing to flush */
        return ew_err_set(err, EWDIAG_EFORMAT, "not a readable pcap or pcapng capture: %s", pe);
    }
    int dlt = pcap_datalink(p);
    if (!ew_dlt_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        pcap_close(p);
        return ew_err_set(err, EWDIAG_EFORMAT, "unsupported link type %s (DLT %d)",
                          name ? name : "unknown", dlt);
    }
    int ret = 0;
    uint64_t nrec = 0;
    for (;;) {
        /* Where the next record starts, for the message if it is bad. */
        off_t at = ftello(f);
        struct pcap_pkthdr *ph;
        const u_char *data;
        int rc = pcap_next_ex(p, &ph, &data);
        if (rc == PCAP_ERROR_BREAK)
            break;
        if (rc == PCAP_ERROR) {
            if (at >= 0)
                ew_err_set(err, EWDIAG_EFORMAT, "%s (record %llu, at byte %lld)", pcap_geterr(p),
                           (unsigned long long)(nrec + 1), (long long)at);
            else
                ew_err_set(err, EWDIAG_EFORMAT, "%s (record %llu)", pcap_geterr(p),
                           (unsigned long long)(nrec + 1));
            ret = EWDIAG_EFORMAT;
            break;
        }
        if (rc != 1)
            continue;
        nrec++;
        c->env.st.records++;
        int64_t ts = ew_record_ts(ph);
        if (nrec == 1)
            c->env.st.file_ts_first = ts;
        c->env.st.file_ts_last = ts;
        ew_tcp_seg seg;
        rc = ew_decode_record(dlt, ph, data, &c->env, &seg) ? ew_tcp_segment(c->tcp, &seg) : 0;
        if (rc != 0) {
            ret = c->env.stop ? c->env.stop
                              : ew_err_set(err, rc, "out of memory at record %llu",
                                           (unsigned long long)nrec);
            break;
        }
    }
    pcap_close(p);
    ew_cap_encap_why(&c->env);
    return ret;
}

int ew_capture_finish(ew_capture *c)
{
    ew_cap_why_clear(&c->env.st);
    if (c->env.stop)
        return c->env.stop;
    return ew_tcp_finish(c->tcp);
}

const ew_capture_stats *ew_capture_stats_get(const ew_capture *c)
{
    return &c->env.st;
}

void ew_capture_free(ew_capture *c)
{
    if (!c)
        return;
    ew_tcp_free(c->tcp);
    free(c);
}
