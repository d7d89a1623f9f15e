/* fuzz_capture.c - the capture path: pcap/pcapng records through libpcap,
 * link, IPv4/IPv6 and TCP (pcap.c), reassembly (tcp.c), TLS records and
 * handshake messages (tls.c), then X.509 (x509.c).
 *
 * Seeds include issue 11's shapes: a RST before the server's flight, a
 * capture that begins mid-handshake, TLS after preambles, encapsulations.
 * The input is read as a capture file (fmemopen) with small limits; one
 * of odd length is read twice, as two rotated files of one capture (the
 * connections go on across files, every segment comes again); one whose
 * length is 3 modulo 4 and that is a classic pcap is cut at a record near
 * its middle and given as two files in the wrong order, the later records
 * first (the join of tcp_join.c).
 * Every handshake that comes out must be consistent (chain within
 * max_chain, certificates within max_der, SNI terminated); each of its
 * certificates is parsed with ew_cert_parse and checked against the SNI,
 * and the chain is verified against a small trust store (the fixtures'
 * root and intermediate) as of the handshake's time. */
#include "fuzz.h"

#include "capture/capture.h"
#include "x509/x509.h"

#define STORE_PEM "fixtures/captures/certs/store-root-intermediate.pem"
#define PCAP_HDR 24u
#define PCAP_REC_HDR 16u
#define PCAP_CAPLEN_AT 8u
/* An input whose length is SWAP_WHEN modulo SWAP_EVERY is cut into two
 * files given in the wrong order. */
#define SWAP_EVERY 4u
#define SWAP_WHEN 3u
#define LIM_FLOWS 16
#define LIM_FLOW_BYTES (32u * 1024u)
#define LIM_HANDSHAKE (16u * 1024u)
#define LIM_CHAIN 4
#define LIM_DER (8u * 1024u)
#define ERR_LEN 256
#define T_FIXTURES INT64_C(1795337384000000) /* 2026-11-22 08:49:44 UTC */

static ew_trust *store;

static void load_store(void)
{
    size_t len, n = 0;
    char *pem = ewfuzz_read_source(STORE_PEM, &len);
    ew_err err = {0, ""};
    if (ew_trust_load_pem(&store, pem, len, &n, &err) != 0 || n == 0)
        ewfuzz_die("trust store does not load", STORE_PEM);
    free(pem);
}

static int on_hs(void *ctx, const ew_tls_hs *hs)
{
    EW_UNUSED(ctx);
    if (hs->ncerts > LIM_CHAIN || memchr(hs->sni, '\0', sizeof hs->sni) == NULL ||
        (hs->cert_state != EW_CERT_PRESENT && hs->ncerts != 0))
        abort();
    ew_err err = {0, ""};
    for (size_t i = 0; i < hs->ncerts; i++) {
        if (!hs->cert_der[i] || hs->cert_len[i] == 0 || hs->cert_len[i] > LIM_DER)
            abort();
        ew_cert_info ci;
        if (ew_cert_parse(hs->cert_der[i], hs->cert_len[i], &ci, &err) == 0) {
            if (hs->sni[0])
                (void)ew_cert_name_match(&ci, hs->sni);
            ew_cert_info_free(&ci);
        }
    }
    if (hs->ncerts > 0) {
        int64_t at = hs->ts_cert ? hs->ts_cert : T_FIXTURES;
        ew_verdict v;
        (void)ew_trust_verify(store, hs->cert_der, hs->cert_len, hs->ncerts, at, &v, &err);
    }
    char addr[EW_ADDR_STR_MAX];
    ew_endpoint_addr_str(&hs->client, addr);
    ew_endpoint_addr_str(&hs->server, addr);
    return 0;
}

/* Where a classic little-endian pcap's records may be cut near their
 * middle (a record boundary); 0 when the input is not one or has fewer
 * than two records. */
static size_t pcap_middle(const uint8_t *data, size_t size)
{
    static const uint8_t magic[] = {0xd4, 0xc3, 0xb2, 0xa1};
    if (size < PCAP_HDR || memcmp(data, magic, sizeof magic) != 0)
        return 0;
    size_t at = PCAP_HDR, cut = 0;
    while (at + PCAP_REC_HDR <= size && at < size / 2) {
        const uint8_t *r = data + at + PCAP_CAPLEN_AT;
        size_t caplen = (size_t)r[0] | (size_t)r[1] << 8 | (size_t)r[2] << 16 | (size_t)r[3] << 24;
        if (caplen > size - at - PCAP_REC_HDR)
            break;
        at += PCAP_REC_HDR + caplen;
        cut = at;
    }
    return cut < size ? cut : 0;
}

/* The records after cut given as a first file, those before it as a
 * second one: a ring of two files in the wrong order (tcp_join.c). */
static void feed_swapped(ew_capture *c, const uint8_t *data, size_t size, size_t cut)
{
    uint8_t *later = malloc(PCAP_HDR + size - cut);
    if (!later)
        ewfuzz_die("out of memory", "split");
    memcpy(later, data, PCAP_HDR);
    memcpy(later + PCAP_HDR, data + cut, size - cut);
    ew_err err;
    FILE *f = fmemopen(later, PCAP_HDR + size - cut, "rb");
    FILE *g = fmemopen((void *)(uintptr_t)data, cut, "rb");
    if (!f || !g)
        ewfuzz_die("fmemopen failed", "split");
    (void)ew_capture_feed(c, f, &err); /* closes f */
    (void)ew_capture_feed(c, g, &err); /* closes g */
    free(later);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        load_store();
    if (size == 0)
        return 0;
    static const ew_capture_limits lim = {
        .max_flows = LIM_FLOWS,
        .max_flow_bytes = LIM_FLOW_BYTES,
        .max_handshake = LIM_HANDSHAKE,
        .max_chain = LIM_CHAIN,
        .max_der = LIM_DER,
    };
    ew_capture *c = ew_capture_new(&lim, on_hs, NULL);
    if (!c)
        ewfuzz_die("out of memory", "capture");
    ew_err err;
    size_t cut = size % SWAP_EVERY == SWAP_WHEN ? pcap_middle(data, size) : 0;
    if (cut) {
        feed_swapped(c, data, size, cut);
    } else {
        /* An odd size: the same file fed twice. */
        for (int i = 0; i < 1 + (int)(size % 2); i++) {
            FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
            if (!f)
                ewfuzz_die("fmemopen failed", "input");
            (void)ew_capture_feed(c, f, &err); /* closes f */
        }
    }
    if (ew_capture_finish(c) != 0)
        abort();
    const ew_capture_stats *st = ew_capture_stats_get(c);
    if (st->tcp_segments > st->records || st->flows_evicted > st->flows ||
        st->headless > st->handshakes || st->joined > st->flows || st->order_unjoined > st->flows ||
        st->encap_unread + st->tcp_segments > st->records ||
        memchr(st->why_encap, '\0', sizeof st->why_encap) == NULL)
        abort();
    ew_capture_free(c);
    return 0;
}
