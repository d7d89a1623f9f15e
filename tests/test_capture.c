/* test_capture.c - capture files in, TLS handshakes out: link layers,
 * IPv4/IPv6, TCP reassembly and TLS parsing, with captures crafted here
 * (pcap and pcapng written byte by byte into a temporary directory).
 *
 * The certificates are fake DER (a SEQUENCE header and a pattern): the
 * capture code does not parse X.509. */
#include "capture/capture.h"

#include <check.h>

#include "harness.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- Names for the numbers of the formats ---- */

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_UNKNOWN_BLOCK 0x00000badu
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_TSRESOL 9
#define PCAPNG_TSRESOL_NS 9
#define NS_PER_US 1000

#define LT_NULL 0
#define LT_EN10MB 1
#define LT_RAW_OLD 12 /* DLT_RAW as Linux numbers it */
#define LT_RAW 101
#define LT_IEEE802_11 105
#define LT_LOOP 108
#define LT_SLL 113
#define LT_IPV4 228
#define LT_IPV6 229
#define LT_SLL2 276

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_ARP 0x0806
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ARPHRD_ETHER 1
#define BSD_AF_INET 2
#define BSD_AF_INET6 30 /* Darwin's */

#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17
#define IP6_HOPOPTS 0
#define IP6_DSTOPTS 60
#define IP6_FRAGMENT 44
#define IP6_AH 51
#define IP6_ESP 50
#define ETH_HDR 14
#define ETH_ALEN 6
#define ARP_LEN 28
#define IPV6_NEXT_AT 6
#define IPV4_TOTLEN_AT 2
#define IPV4_FRAG_AT 6
#define IPV4_PROTO_AT 9
#define IPV4_IHL_MIN 0x45
#define IPV4_IHL_MAX 0x4f /* 60 bytes of header */
#define TCP_OFF_AT 12
#define TCP_OFF_MAX 0xf0 /* 60 bytes of header */
#define IP_TTL 64
#define IPV4_DF 0x4000
#define IPV4_MF 0x2000
#define IPV4_HDR 20
#define IPV6_HDR 40
#define IPV6_EXT 8
#define TCP_HDR 20
#define TCP_HDR_OPTS 32 /* with 12 bytes of options (NOP NOP timestamps) */
#define TCP_WINDOW 0xffff

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* TLS. */
#define CT_CCS 20
#define CT_ALERT 21
#define CT_HANDSHAKE 22
#define CT_APPDATA 23
#define HT_CLIENT_HELLO 1
#define HT_SERVER_HELLO 2
#define HT_CERTIFICATE 11
#define HT_SERVER_HELLO_DONE 14
#define HT_CLIENT_KEY_EXCHANGE 16
#define EXT_SNI 0
#define EXT_GROUPS 10
#define EXT_VERSIONS 43
#define V_TLS10 0x0301
#define V_TLS12 0x0303
#define V_TLS13 0x0304
#define V_GREASE 0x5a5a
#define CS_ECDHE_RSA_AES128_GCM 0xc02f
#define CS_AES128_GCM_SHA256 0x1301
#define ALERT_WARNING 1
#define ALERT_FATAL 2
#define ALERT_UNKNOWN_CA 48
#define ALERT_UNRECOGNIZED_NAME 112
#define RANDOM_LEN 32
#define SID_LEN 32
#define FINISHED_LEN 40
#define CKE_LEN 66
#define APPDATA_LEN 200
#define TLS_PLAINTEXT_MAX 16384

static const uint8_t hrr_random[RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* ---- The scene: Expressway-C 10.48.36.46 opens CUCM 10.48.36.215:8443 ---- */

#define CLIENT_V4 "\x0a\x30\x24\x2e"
#define SERVER_V4 "\x0a\x30\x24\xd7"
#define CLIENT_V6 "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x2e"
#define SERVER_V6 "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
#define CLIENT_PORT 41234
#define SERVER_PORT 8443
#define TFTP_PORT 6972
#define LOW_CLIENT_PORT 1024 /* below the server's: the port rule would be wrong */
#define CLIENT_ISN 0x10000000u
#define SERVER_ISN 0x20000000u
#define WRAP_CLIENT_ISN 0xfffffff0u
#define WRAP_SERVER_ISN 0xfffffc00u /* the certificate straddles 2^32 */
#define SNI_NAME "cucm.steven.lab"

#define T0 INT64_C(1657558544000000) /* 2022-07-11 16:55:44 UTC */
#define T_STEP 1000                  /* microseconds between packets */

#define MSS 1448
#define SNAPLEN 262144
#define SMALL_SNAPLEN 200
#define DER_LEAF 1200
#define DER_SUB 1500 /* bigger than the leaf: max_der can cut in the middle */
#define DER_ROOT 700
#define NCHAIN 3
#define BIG_DER 20000 /* three of them make a 60 kB segment */
#define ODD_SEG 97
#define TINY_RECORD 5
#define MAX_SEGS 4096
#define TRUNCATE_BY 20
#define MAX_GOT 4096

#define LIM_FLOWS 64
#define LIM_FLOW_BYTES (256 * 1024)
#define LIM_HANDSHAKE (64 * 1024)
#define LIM_DER (64 * 1024)

/* ---- Bytes ---- */

static void put(ew_buf *b, const void *p, size_t n)
{
    if (ew_buf_append(b, p, n) != 0)
        ck_abort_msg("out of memory");
}

static void put8(ew_buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void put16(ew_buf *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, sizeof x);
}

static void put24(ew_buf *b, size_t v)
{
    uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, sizeof x);
}

static void put32(ew_buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffffu);
}

static void put16le(ew_buf *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, sizeof x);
}

static void put32le(ew_buf *b, uint32_t v)
{
    put16le(b, v & 0xffffu);
    put16le(b, v >> 16);
}

static void fill(ew_buf *b, unsigned seed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, (seed * 31u + (unsigned)i * 7u) & 0xffu);
}

static void set24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

/* ---- TLS messages ---- */

static void record(ew_buf *b, unsigned type, const void *body, size_t n)
{
    put8(b, type);
    put16(b, V_TLS12);
    put16(b, (unsigned)n);
    put(b, body, n);
}

static void hs_msg(ew_buf *b, unsigned type, const ew_buf *body)
{
    put8(b, type);
    put24(b, body->len);
    put(b, body->p, body->len);
}

/* A fake certificate of n bytes: SEQUENCE, long form length, a pattern. */
static void fake_der(ew_buf *b, unsigned seed, size_t n)
{
    put8(b, 0x30);
    put8(b, 0x82);
    put16(b, (unsigned)(n - 4));
    fill(b, seed, n - 4);
}

static void client_hello(ew_buf *out, uint16_t legacy, const char *sni, const uint16_t *versions,
                         size_t nv)
{
    ew_buf body = {0}, ext = {0};
    put16(&body, legacy);
    fill(&body, 1, RANDOM_LEN);
    put8(&body, SID_LEN);
    fill(&body, 2, SID_LEN);
    put16(&body, 4);
    put16(&body, CS_ECDHE_RSA_AES128_GCM);
    put16(&body, CS_AES128_GCM_SHA256);
    put8(&body, 1);
    put8(&body, 0);
    /* supported_groups first: an extension skipped on the way. */
    put16(&ext, EXT_GROUPS);
    put16(&ext, 4);
    put16(&ext, 2);
    put16(&ext, 0x001d);
    if (sni) {
        size_t n = strlen(sni);
        put16(&ext, EXT_SNI);
        put16(&ext, (unsigned)(n + 5));
        put16(&ext, (unsigned)(n + 3));
        put8(&ext, 0);
        put16(&ext, (unsigned)n);
        put(&ext, sni, n);
    }
    if (nv) {
        put16(&ext, EXT_VERSIONS);
        put16(&ext, (unsigned)(1 + 2 * nv));
        put8(&ext, (unsigned)(2 * nv));
        for (size_t i = 0; i < nv; i++)
            put16(&ext, versions[i]);
    }
    put16(&body, (unsigned)ext.len);
    put(&body, ext.p, ext.len);
    hs_msg(out, HT_CLIENT_HELLO, &body);
    ew_buf_free(&body);
    ew_buf_free(&ext);
}

/* sv: the supported_versions value, 0 for none. */
static void server_hello(ew_buf *out, uint16_t legacy, uint16_t cipher, uint16_t sv, bool hrr)
{
    ew_buf body = {0};
    put16(&body, legacy);
    if (hrr)
        put(&body, hrr_random, RANDOM_LEN);
    else
        fill(&body, 3, RANDOM_LEN);
    put8(&body, SID_LEN);
    fill(&body, 4, SID_LEN);
    put16(&body, cipher);
    put8(&body, 0);
    if (sv) {
        put16(&body, 6);
        put16(&body, EXT_VERSIONS);
        put16(&body, 2);
        put16(&body, sv);
    }
    hs_msg(out, HT_SERVER_HELLO, &body);
    ew_buf_free(&body);
}

static void certificate(ew_buf *out, const ew_buf *ders, size_t n)
{
    ew_buf body = {0};
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 3 + ders[i].len;
    put24(&body, total);
    for (size_t i = 0; i < n; i++) {
        put24(&body, ders[i].len);
        put(&body, ders[i].p, ders[i].len);
    }
    hs_msg(out, HT_CERTIFICATE, &body);
    ew_buf_free(&body);
}

static void empty_msg(ew_buf *out, unsigned type)
{
    ew_buf body = {0};
    hs_msg(out, type, &body);
}

/* Handshake bytes as records of at most rec bytes (0: as few as can be). */
static void as_records(ew_buf *out, const ew_buf *hs, size_t rec)
{
    size_t step = rec ? rec : TLS_PLAINTEXT_MAX;
    for (size_t at = 0; at < hs->len; at += step)
        record(out, CT_HANDSHAKE, hs->p + at, EW_MIN(step, hs->len - at));
}

static void ccs(ew_buf *out)
{
    static const uint8_t one = 1;
    record(out, CT_CCS, &one, 1);
}

static void junk_record(ew_buf *out, unsigned type, unsigned seed, size_t n)
{
    ew_buf body = {0};
    fill(&body, seed, n);
    record(out, type, body.p, body.len);
    ew_buf_free(&body);
}

static void alert(ew_buf *out, unsigned level, unsigned desc)
{
    uint8_t a[2] = {(uint8_t)level, (uint8_t)desc};
    record(out, CT_ALERT, a, sizeof a);
}

/* A TLS 1.2 full handshake: the flights of both sides. */
typedef struct script {
    ew_buf ch;   /* client: ClientHello */
    ew_buf s1;   /* server: ServerHello, Certificate, ServerHelloDone */
    ew_buf c2;   /* client: ClientKeyExchange, ChangeCipherSpec, Finished */
    ew_buf s2;   /* server: ChangeCipherSpec, Finished */
    ew_buf ders[NCHAIN];
    size_t nders;
    size_t cert_end; /* offset in s1 just past the Certificate message */
} script;

static const size_t chain_sizes[NCHAIN] = {DER_LEAF, DER_SUB, DER_ROOT};

/* rec: largest record of the server's handshake messages (0: one each). */
static void script_make(script *s, const char *sni, size_t der_size, size_t rec)
{
    memset(s, 0, sizeof *s);
    s->nders = NCHAIN;
    for (size_t i = 0; i < NCHAIN; i++)
        fake_der(&s->ders[i], (unsigned)(i + 10), der_size ? der_size : chain_sizes[i]);
    ew_buf hs = {0};
    client_hello(&hs, V_TLS12, sni, NULL, 0);
    as_records(&s->ch, &hs, 0);
    ew_buf_clear(&hs);

    ew_buf sh = {0}, cert = {0}, shd = {0};
    server_hello(&sh, V_TLS12, CS_ECDHE_RSA_AES128_GCM, 0, false);
    certificate(&cert, s->ders, s->nders);
    empty_msg(&shd, HT_SERVER_HELLO_DONE);
    if (rec) {
        put(&hs, sh.p, sh.len);
        put(&hs, cert.p, cert.len);
        put(&hs, shd.p, shd.len);
        as_records(&s->s1, &hs, rec);
        /* Where the last byte of the Certificate lands among the records. */
        size_t cert_last = sh.len + cert.len - 1;
        s->cert_end = (cert_last / rec) * (rec + 5) + 5 + cert_last % rec + 1;
    } else {
        as_records(&s->s1, &sh, 0);
        as_records(&s->s1, &cert, 0);
        s->cert_end = s->s1.len;
        as_records(&s->s1, &shd, 0);
    }
    ew_buf cke = {0}, ckeb = {0};
    fill(&ckeb, 5, CKE_LEN);
    hs_msg(&cke, HT_CLIENT_KEY_EXCHANGE, &ckeb);
    as_records(&s->c2, &cke, 0);
    ccs(&s->c2);
    junk_record(&s->c2, CT_HANDSHAKE, 6, FINISHED_LEN);
    ccs(&s->s2);
    junk_record(&s->s2, CT_HANDSHAKE, 7, FINISHED_LEN);
    ew_buf_free(&hs);
    ew_buf_free(&sh);
    ew_buf_free(&cert);
    ew_buf_free(&shd);
    ew_buf_free(&cke);
    ew_buf_free(&ckeb);
}

static void script_free(script *s)
{
    ew_buf_free(&s->ch);
    ew_buf_free(&s->s1);
    ew_buf_free(&s->c2);
    ew_buf_free(&s->s2);
    for (size_t i = 0; i < NCHAIN; i++)
        ew_buf_free(&s->ders[i]);
}

/* ---- Capture files ---- */

typedef enum fmt { FMT_PCAP, FMT_PCAPNG } fmt;

typedef struct cap {
    ew_buf b;
    fmt format;
    unsigned linktype;
    int vlans;        /* 802.1Q/802.1ad tags on Ethernet */
    bool v6ext;       /* IPv6 hop-by-hop and destination options */
    bool tcp_opts;    /* TCP headers with options */
    bool unknown_blocks; /* pcapng: an unknown block after every packet */
    bool ns;          /* pcapng: nanosecond timestamps */
    size_t last_at;   /* file offset of the last record */
    size_t nrec;
} cap;

static void ng_block(ew_buf *b, uint32_t type, const ew_buf *body)
{
    size_t pad = (4 - body->len % 4) % 4;
    uint32_t len = (uint32_t)(12 + body->len + pad);
    put32le(b, type);
    put32le(b, len);
    put(b, body->p, body->len);
    for (size_t i = 0; i < pad; i++)
        put8(b, 0);
    put32le(b, len);
}

static void cap_open(cap *c, fmt format, unsigned linktype, uint32_t snaplen)
{
    memset(c, 0, sizeof *c);
    c->format = format;
    c->linktype = linktype;
    if (format == FMT_PCAP) {
        put32le(&c->b, PCAP_MAGIC_US);
        put16le(&c->b, PCAP_VERSION_MAJOR);
        put16le(&c->b, PCAP_VERSION_MINOR);
        put32le(&c->b, 0);
        put32le(&c->b, 0);
        put32le(&c->b, snaplen);
        put32le(&c->b, linktype);
        return;
    }
    ew_buf body = {0};
    put32le(&body, PCAPNG_BOM);
    put16le(&body, 1);
    put16le(&body, 0);
    put32le(&body, 0xffffffffu); /* section length unknown */
    put32le(&body, 0xffffffffu);
    ng_block(&c->b, PCAPNG_SHB, &body);
    ew_buf_free(&body);
}

/* pcapng: the interface, once the options are set. */
static void cap_ng_interface(cap *c, uint32_t snaplen)
{
    ew_buf body = {0};
    put16le(&body, c->linktype);
    put16le(&body, 0);
    put32le(&body, snaplen);
    if (c->ns) {
        put16le(&body, PCAPNG_OPT_TSRESOL);
        put16le(&body, 1);
        put8(&body, PCAPNG_TSRESOL_NS);
        put8(&body, 0);
        put16le(&body, 0);
        put16le(&body, PCAPNG_OPT_END);
        put16le(&body, 0);
    }
    ng_block(&c->b, PCAPNG_IDB, &body);
    ew_buf_free(&body);
}

static void cap_record(cap *c, int64_t ts, const void *p, size_t caplen, size_t len)
{
    c->last_at = c->b.len;
    c->nrec++;
    if (c->format == FMT_PCAP) {
        put32le(&c->b, (uint32_t)(ts / 1000000));
        put32le(&c->b, (uint32_t)(ts % 1000000));
        put32le(&c->b, (uint32_t)caplen);
        put32le(&c->b, (uint32_t)len);
        put(&c->b, p, caplen);
        return;
    }
    ew_buf body = {0};
    uint64_t t = (uint64_t)ts * (c->ns ? NS_PER_US : 1);
    put32le(&body, 0);
    put32le(&body, (uint32_t)(t >> 32));
    put32le(&body, (uint32_t)t);
    put32le(&body, (uint32_t)caplen);
    put32le(&body, (uint32_t)len);
    put(&body, p, caplen);
    ng_block(&c->b, PCAPNG_EPB, &body);
    if (c->unknown_blocks) {
        ew_buf_clear(&body);
        put32le(&body, 0xdeadbeefu);
        ng_block(&c->b, PCAPNG_UNKNOWN_BLOCK, &body);
    }
    ew_buf_free(&body);
}

/* ---- Packets ---- */

typedef struct endpoint {
    int af;
    uint8_t addr[16];
    uint16_t port;
} endpoint;

/* The link header for an IP packet of version af. */
static void link_header(const cap *c, ew_buf *b, int af)
{
    unsigned ethertype = af == 4 ? ETH_IPV4 : ETH_IPV6;
    switch (c->linktype) {
    case LT_EN10MB:
        fill(b, 8, 12); /* MAC addresses */
        for (int i = 0; i < c->vlans; i++) {
            put16(b, i == 0 && c->vlans > 1 ? ETH_QINQ : ETH_VLAN);
            put16(b, (unsigned)(100 + i)); /* tag control: the VLAN id */
        }
        put16(b, ethertype);
        break;
    case LT_SLL:
        put16(b, 0);
        put16(b, ARPHRD_ETHER);
        put16(b, 6);
        fill(b, 9, 8);
        put16(b, ethertype);
        break;
    case LT_SLL2:
        put16(b, ethertype);
        put16(b, 0);
        put32(b, 2); /* interface index */
        put16(b, ARPHRD_ETHER);
        put8(b, 0);
        put8(b, 6);
        fill(b, 9, 8);
        break;
    case LT_NULL: /* host order of a little-endian machine */
        put32le(b, af == 4 ? BSD_AF_INET : BSD_AF_INET6);
        break;
    case LT_LOOP: /* network order */
        put32(b, af == 4 ? BSD_AF_INET : BSD_AF_INET6);
        break;
    default: /* raw IP */
        break;
    }
}

static void tcp_header(const cap *c, ew_buf *b, const endpoint *src, const endpoint *dst,
                       unsigned flags, uint32_t seq)
{
    put16(b, src->port);
    put16(b, dst->port);
    put32(b, seq);
    put32(b, 0);
    put8(b, (unsigned)((c->tcp_opts ? TCP_HDR_OPTS : TCP_HDR) / 4) << 4);
    put8(b, flags);
    put16(b, TCP_WINDOW);
    put16(b, 0); /* checksum: not checked (offload makes it wrong) */
    put16(b, 0);
    if (c->tcp_opts) {
        static const uint8_t opts[] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
        put(b, opts, sizeof opts);
    }
}

/* A whole frame: link, IP and TCP headers, then the payload. */
static void frame(const cap *c, ew_buf *b, const endpoint *src, const endpoint *dst,
                  unsigned flags, uint32_t seq, const void *data, size_t n)
{
    size_t tcp_len = (c->tcp_opts ? TCP_HDR_OPTS : TCP_HDR) + n;
    link_header(c, b, src->af);
    if (src->af == 4) {
        put8(b, 0x45);
        put8(b, 0);
        put16(b, (unsigned)(IPV4_HDR + tcp_len));
        put16(b, 1);
        put16(b, IPV4_DF);
        put8(b, IP_TTL);
        put8(b, IP_PROTO_TCP);
        put16(b, 0);
        put(b, src->addr, 4);
        put(b, dst->addr, 4);
    } else {
        size_t ext = c->v6ext ? 2 * IPV6_EXT : 0;
        put32(b, 0x60000000u);
        put16(b, (unsigned)(ext + tcp_len));
        put8(b, c->v6ext ? IP6_HOPOPTS : IP_PROTO_TCP);
        put8(b, IP_TTL);
        put(b, src->addr, 16);
        put(b, dst->addr, 16);
        if (c->v6ext) {
            /* Hop-by-hop with PadN, then destination options with PadN. */
            static const uint8_t padn[] = {1, 4, 0, 0, 0, 0};
            put8(b, IP6_DSTOPTS);
            put8(b, 0);
            put(b, padn, sizeof padn);
            put8(b, IP_PROTO_TCP);
            put8(b, 0);
            put(b, padn, sizeof padn);
        }
    }
    tcp_header(c, b, src, dst, flags, seq);
    put(b, data, n);
}

/* ---- Connections ---- */

enum { CLI = 0, SRV = 1 };

typedef struct conn {
    cap *c;
    endpoint ep[2];
    uint32_t isn[2];
    uint32_t next[2];  /* next sequence number of each side */
    int64_t ts;        /* of the last packet */
    int64_t syn_ts;
    int64_t seg_ts[MAX_SEGS]; /* of each segment of the last conn_send */
    size_t nseg;
} conn;

static int64_t clock_us = T0;

static void conn_init(conn *k, cap *c, int af, uint16_t cport, uint16_t sport, uint32_t cisn,
                      uint32_t sisn)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->ep[CLI].af = k->ep[SRV].af = af;
    memcpy(k->ep[CLI].addr, af == 4 ? CLIENT_V4 : CLIENT_V6, af == 4 ? 4 : 16);
    memcpy(k->ep[SRV].addr, af == 4 ? SERVER_V4 : SERVER_V6, af == 4 ? 4 : 16);
    k->ep[CLI].port = cport;
    k->ep[SRV].port = sport;
    k->isn[CLI] = cisn;
    k->isn[SRV] = sisn;
    k->next[CLI] = cisn + 1;
    k->next[SRV] = sisn + 1;
}

/* One packet; cut > 0 captures only that many bytes of it. */
static int64_t pkt_cut(conn *k, int side, unsigned flags, uint32_t seq, const void *data, size_t n,
                       size_t cut)
{
    ew_buf b = {0};
    frame(k->c, &b, &k->ep[side], &k->ep[1 - side], flags, seq, data, n);
    clock_us += T_STEP;
    k->ts = clock_us;
    cap_record(k->c, k->ts, b.p, cut ? EW_MIN(cut, b.len) : b.len, b.len);
    ew_buf_free(&b);
    return k->ts;
}

static int64_t pkt(conn *k, int side, unsigned flags, uint32_t seq, const void *data, size_t n)
{
    return pkt_cut(k, side, flags, seq, data, n, 0);
}

static void conn_syn(conn *k)
{
    k->syn_ts = pkt(k, CLI, F_SYN, k->isn[CLI], NULL, 0);
    pkt(k, SRV, F_SYN | F_ACK, k->isn[SRV], NULL, 0);
    pkt(k, CLI, F_ACK, k->next[CLI], NULL, 0);
}

/* A segment at stream offset off of side (offset 0 follows the SYN). */
static int64_t conn_at(conn *k, int side, size_t off, const void *data, size_t n)
{
    return pkt(k, side, F_ACK | F_PSH, k->isn[side] + 1 + (uint32_t)off, data, n);
}

/* Sends bytes in order in segments of seg, and moves on. */
static void conn_send(conn *k, int side, const ew_buf *b, size_t seg)
{
    k->nseg = 0;
    size_t base = k->next[side] - (k->isn[side] + 1);
    for (size_t at = 0; at < b->len; at += seg) {
        ck_assert_uint_lt(k->nseg, MAX_SEGS);
        k->seg_ts[k->nseg++] = conn_at(k, side, base + at, b->p + at, EW_MIN(seg, b->len - at));
    }
    k->next[side] += (uint32_t)b->len;
}

static void conn_fin(conn *k)
{
    pkt(k, CLI, F_FIN | F_ACK, k->next[CLI], NULL, 0);
    pkt(k, SRV, F_FIN | F_ACK, k->next[SRV], NULL, 0);
    pkt(k, CLI, F_ACK, k->next[CLI] + 1, NULL, 0);
}

/* The whole TLS 1.2 handshake, in MSS segments, then FIN. */
static void conn_full(conn *k, const script *s)
{
    conn_syn(k);
    conn_send(k, CLI, &s->ch, MSS);
    conn_send(k, SRV, &s->s1, MSS);
    conn_send(k, CLI, &s->c2, MSS);
    conn_send(k, SRV, &s->s2, MSS);
    ew_buf app = {0};
    junk_record(&app, CT_APPDATA, 9, APPDATA_LEN);
    conn_send(k, CLI, &app, MSS);
    conn_send(k, SRV, &app, MSS);
    ew_buf_free(&app);
    conn_fin(k);
}

/* ---- Running a capture ---- */

typedef struct got_hs {
    ew_tls_hs hs;
    uint8_t *der[EW_MAX_CHAIN_HARD];
} got_hs;

typedef struct run {
    got_hs *v;
    size_t n;
    size_t after_feed; /* given before ew_capture_finish */
    size_t stop_at;    /* return STOP_RC from this call (1-based); 0: never */
    int rc_feed, rc_finish;
    ew_err err;
    ew_capture_stats st;
    ew_capture_stats st_feed; /* after the last feed: its problems' messages */
} run;

#define STOP_RC 7

static int on_hs(void *ctx, const ew_tls_hs *hs)
{
    run *r = ctx;
    ck_assert_uint_lt(r->n, MAX_GOT);
    if (!r->v) {
        r->v = calloc(MAX_GOT, sizeof *r->v);
        ck_assert_ptr_nonnull(r->v);
    }
    got_hs *g = &r->v[r->n++];
    g->hs = *hs;
    ck_assert_uint_le(hs->ncerts, EW_MAX_CHAIN_HARD);
    for (size_t i = 0; i < hs->ncerts; i++) {
        g->der[i] = malloc(hs->cert_len[i] ? hs->cert_len[i] : 1);
        ck_assert_ptr_nonnull(g->der[i]);
        memcpy(g->der[i], hs->cert_der[i], hs->cert_len[i]);
        g->hs.cert_der[i] = g->der[i];
    }
    return r->n == r->stop_at ? STOP_RC : 0;
}

static void run_free(run *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->v[i].hs.ncerts; j++)
            free(r->v[i].der[j]);
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

#define TMP_TEMPLATE "/tmp/test_capture.XXXXXX"
static char tmpdir[] = TMP_TEMPLATE;
static unsigned file_no;

static void tmp_setup(void)
{
    /* Again for each test: without fork, the last one changed it. */
    memcpy(tmpdir, TMP_TEMPLATE, sizeof tmpdir);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char path[sizeof tmpdir + 300];
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

static void save(const void *p, size_t n, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%s/cap%u.pcap", tmpdir, file_no++);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static const ew_capture_limits std_limits = {
    .max_flows = LIM_FLOWS,
    .max_flow_bytes = LIM_FLOW_BYTES,
    .max_handshake = LIM_HANDSHAKE,
    .max_chain = EW_MAX_CHAIN_HARD,
    .max_der = LIM_DER,
};

/* Feeds the files of n captures in order to one reader, then finishes. */
static void run_bytes(const ew_buf *files, size_t n, const ew_capture_limits *lim, run *r)
{
    ew_capture *c = ew_capture_new(lim ? lim : &std_limits, on_hs, r);
    ck_assert_ptr_nonnull(c);
    r->rc_feed = 0;
    for (size_t i = 0; i < n && r->rc_feed == 0; i++) {
        char path[sizeof tmpdir + 32];
        save(files[i].p, files[i].len, path, sizeof path);
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        r->rc_feed = ew_capture_feed(c, f, &r->err); /* closes f */
    }
    r->after_feed = r->n;
    r->st_feed = *ew_capture_stats_get(c);
    r->rc_finish = ew_capture_finish(c);
    r->st = *ew_capture_stats_get(c);
    ew_capture_free(c);
}

static void run_cap(cap *c, const ew_capture_limits *lim, run *r)
{
    run_bytes(&c->b, 1, lim, r);
    ew_buf_free(&c->b);
}

static void expect_ep(const ew_endpoint *e, const char *addr, uint16_t port)
{
    char s[EW_ADDR_STR_MAX];
    ew_endpoint_addr_str(e, s);
    ck_assert_str_eq(s, addr);
    ck_assert_uint_eq(e->port, port);
}

/* The handshake of script s, read whole. */
static void expect_chain(const ew_tls_hs *hs, const script *s)
{
    ck_assert_int_eq(hs->cert_state, EW_CERT_PRESENT);
    ck_assert_uint_eq(hs->ncerts, s->nders);
    ck_assert(!hs->chain_cut);
    for (size_t i = 0; i < s->nders; i++) {
        ck_assert_uint_eq(hs->cert_len[i], s->ders[i].len);
        ck_assert_mem_eq(hs->cert_der[i], s->ders[i].p, s->ders[i].len);
    }
}

static void expect_tls12(const ew_tls_hs *hs, const script *s, const char *sni)
{
    ck_assert_uint_eq(hs->client_version, V_TLS12);
    ck_assert_uint_eq(hs->offered_max, V_TLS12);
    ck_assert_uint_eq(hs->version, V_TLS12);
    ck_assert_uint_eq(hs->cipher, CS_ECDHE_RSA_AES128_GCM);
    ck_assert_str_eq(hs->sni, sni);
    expect_chain(hs, s);
    ck_assert_int_eq(hs->alert, -1);
    ck_assert(!hs->alert_by_client);
}

/* ---- Link layers ---- */

typedef struct link_case {
    const char *name;
    fmt format;
    unsigned linktype;
    int af;
    int vlans;
    bool v6ext;
} link_case;

static const link_case link_cases[] = {
    {"ethernet", FMT_PCAP, LT_EN10MB, 4, 0, false},
    {"802.1Q", FMT_PCAP, LT_EN10MB, 4, 1, false},
    {"802.1ad+802.1Q", FMT_PCAP, LT_EN10MB, 4, 2, false},
    {"sll", FMT_PCAP, LT_SLL, 4, 0, false},
    {"sll2", FMT_PCAP, LT_SLL2, 4, 0, false},
    {"raw 101", FMT_PCAP, LT_RAW, 4, 0, false},
    {"raw 12", FMT_PCAP, LT_RAW_OLD, 4, 0, false},
    {"ipv4", FMT_PCAP, LT_IPV4, 4, 0, false},
    {"ipv6 link type", FMT_PCAP, LT_IPV6, 6, 0, false},
    {"null", FMT_PCAP, LT_NULL, 4, 0, false},
    {"loop ipv6", FMT_PCAP, LT_LOOP, 6, 0, false},
    {"ethernet ipv6", FMT_PCAP, LT_EN10MB, 6, 0, false},
    {"ipv6 ext headers", FMT_PCAP, LT_EN10MB, 6, 1, true},
    {"pcapng", FMT_PCAPNG, LT_EN10MB, 4, 0, false},
    {"pcapng ipv6 sll2", FMT_PCAPNG, LT_SLL2, 6, 0, true},
};

START_TEST(test_link_layers)
{
    const link_case *lc = &link_cases[_i];
    cap c;
    cap_open(&c, lc->format, lc->linktype, SNAPLEN);
    c.vlans = lc->vlans;
    c.v6ext = lc->v6ext;
    c.tcp_opts = _i % 2 == 1;
    if (lc->format == FMT_PCAPNG)
        cap_ng_interface(&c, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    conn k;
    conn_init(&k, &c, lc->af, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    int64_t syn_ts = 0, hello_ts = 0, cert_ts = 0;
    conn_syn(&k);
    syn_ts = k.syn_ts;
    conn_send(&k, CLI, &s.ch, MSS);
    hello_ts = k.seg_ts[0];
    conn_send(&k, SRV, &s.s1, MSS);
    cert_ts = k.seg_ts[(s.cert_end - 1) / MSS];
    conn_send(&k, CLI, &s.c2, MSS);
    conn_send(&k, SRV, &s.s2, MSS);
    conn_fin(&k);
    size_t nrec = c.nrec;

    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_msg(r.rc_feed == 0, "%s: %s", lc->name, r.err.msg);
    ck_assert_int_eq(r.rc_finish, 0);
    ck_assert_uint_eq(r.n, 1);
    /* Given when both sides went encrypted, before the FINs. */
    ck_assert_uint_eq(r.after_feed, 1);
    const ew_tls_hs *hs = &r.v[0].hs;
    expect_ep(&hs->client, lc->af == 4 ? "10.48.36.46" : "2001:db8::2e", CLIENT_PORT);
    expect_ep(&hs->server, lc->af == 4 ? "10.48.36.215" : "2001:db8::1", SERVER_PORT);
    ck_assert_int_eq(hs->ts_start, syn_ts);
    ck_assert_int_eq(hs->ts_hello, hello_ts);
    ck_assert_int_eq(hs->ts_cert, cert_ts);
    expect_tls12(hs, &s, SNI_NAME);
    ck_assert_uint_eq(r.st.records, nrec);
    ck_assert_uint_eq(r.st.tcp_segments, nrec);
    ck_assert_uint_eq(r.st.skipped, 0);
    ck_assert_uint_eq(r.st.malformed, 0);
    ck_assert_uint_eq(r.st.flows, 1);
    ck_assert_uint_eq(r.st.handshakes, 1);
    ck_assert_uint_eq(r.st.gaps, 0);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    ck_assert_uint_eq(r.st.flows_evicted, 0);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Records that are not TCP, and records too short for their headers. */
START_TEST(test_skipped_and_malformed)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    ew_buf b = {0};

    /* Skipped: ARP, UDP, an IPv4 first fragment with MF, a later fragment. */
    fill(&b, 1, 2 * ETH_ALEN);
    put16(&b, ETH_ARP);
    fill(&b, 2, ARP_LEN);
    cap_record(&c, T0, b.p, b.len, b.len);
    ew_buf_clear(&b);
    frame(&c, &b, &k.ep[CLI], &k.ep[SRV], F_ACK, 1, "x", 1);
    uint8_t *ip = (uint8_t *)b.p + ETH_HDR;
    ip[IPV4_PROTO_AT] = IP_PROTO_UDP;
    cap_record(&c, T0, b.p, b.len, b.len);
    ip[IPV4_PROTO_AT] = IP_PROTO_TCP;
    ip[IPV4_FRAG_AT] = IPV4_MF >> 8;
    cap_record(&c, T0, b.p, b.len, b.len);
    ip[IPV4_FRAG_AT] = 0;
    ip[IPV4_FRAG_AT + 1] = 1; /* at 8 bytes */
    cap_record(&c, T0, b.p, b.len, b.len);

    /* Malformed: a short Ethernet header, an IHL past the record, a TCP
     * data offset past the segment, a total length below the header. */
    cap_record(&c, T0, b.p, ETH_HDR - 4, ETH_HDR - 4);
    ip[IPV4_FRAG_AT + 1] = 0;
    ip[0] = IPV4_IHL_MAX;
    cap_record(&c, T0, b.p, ETH_HDR + 2 * IPV4_HDR, ETH_HDR + 2 * IPV4_HDR);
    ip[0] = IPV4_IHL_MIN;
    ip[IPV4_HDR + TCP_OFF_AT] = TCP_OFF_MAX;
    cap_record(&c, T0, b.p, b.len, b.len);
    ip[IPV4_HDR + TCP_OFF_AT] = (TCP_HDR / 4) << 4;
    ip[IPV4_TOTLEN_AT] = 0;
    ip[IPV4_TOTLEN_AT + 1] = IPV4_HDR / 2;
    cap_record(&c, T0, b.p, b.len, b.len);
    /* IPv6 whose extension header runs past the record. */
    conn k6;
    c.v6ext = true;
    conn_init(&k6, &c, 6, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    ew_buf_clear(&b);
    frame(&c, &b, &k6.ep[CLI], &k6.ep[SRV], F_ACK, 1, NULL, 0);
    cap_record(&c, T0, b.p, ETH_HDR + IPV6_HDR + 4, ETH_HDR + IPV6_HDR + 4);
    /* The destination options header read as other headers: a fragment
     * header that is not atomic (skipped), one with more fragments
     * (skipped), an atomic one (TCP), an AH of 8 bytes (TCP). */
    uint8_t *x = (uint8_t *)b.p + ETH_HDR + IPV6_HDR;
    x[0] = IP6_FRAGMENT;
    cap_record(&c, T0, b.p, b.len, b.len);
    x[IPV6_EXT + 2] = 0;
    x[IPV6_EXT + 3] = 1;
    cap_record(&c, T0, b.p, b.len, b.len);
    x[IPV6_EXT + 3] = 0;
    cap_record(&c, T0, b.p, b.len, b.len);
    x[0] = IP6_AH;
    cap_record(&c, T0, b.p, b.len, b.len);
    /* IPv6 with ESP: an encapsulation not read, counted by its kind. */
    b.p[ETH_HDR + IPV6_NEXT_AT] = IP6_ESP;
    cap_record(&c, T0, b.p, b.len, b.len);
    ew_buf_free(&b);

    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.st.records, 14);
    ck_assert_uint_eq(r.st.skipped, 6);
    ck_assert_uint_eq(r.st.encap_unread, 1);
    ck_assert_str_eq(r.st_feed.why_encap, "IPsec ESP: 1");
    ck_assert_uint_eq(r.st.malformed, 5);
    ck_assert_uint_eq(r.st.tcp_segments, 2);
    ck_assert_uint_eq(r.n, 0);
    run_free(&r);
}
END_TEST

START_TEST(test_addr_str)
{
    ew_endpoint e = {.af = 4, .addr = {10, 48, 36, 215}, .port = SERVER_PORT};
    char s[EW_ADDR_STR_MAX];
    ew_endpoint_addr_str(&e, s);
    ck_assert_str_eq(s, "10.48.36.215");
    ew_endpoint e6 = {.af = 6, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    ew_endpoint_addr_str(&e6, s);
    ck_assert_str_eq(s, "2001:db8::1");
    ew_endpoint bad = {.af = 5};
    ew_endpoint_addr_str(&bad, s);
    ck_assert_str_eq(s, "?");
    /* IPv4 is formatted by hand: as printf would, for every byte value in
     * every position. */
    char want[EW_ADDR_STR_MAX];
    for (unsigned v = 0; v < 256; v++) {
        for (size_t i = 0; i < 4; i++) {
            ew_endpoint x = {.af = 4, .addr = {1, 22, 133, 4}};
            x.addr[i] = (uint8_t)v;
            ew_endpoint_addr_str(&x, s);
            snprintf(want, sizeof want, "%u.%u.%u.%u", x.addr[0], x.addr[1], x.addr[2],
                     x.addr[3]);
            ck_assert_str_eq(s, want);
        }
    }
}
END_TEST

/* ---- TCP reassembly ---- */

/* The standard exchange where the server's first flight goes out as the
 * segments [offs[i], offs[i] + lens[i]) in that order. */
typedef struct seg {
    size_t off, len;
} seg;

static void conn_shaped(conn *k, const script *s, const seg *segs, size_t nsegs, int64_t *ts)
{
    conn_syn(k);
    conn_send(k, CLI, &s->ch, MSS);
    for (size_t i = 0; i < nsegs; i++) {
        int64_t t = conn_at(k, SRV, segs[i].off, s->s1.p + segs[i].off, segs[i].len);
        if (ts)
            ts[i] = t;
    }
    k->next[SRV] += (uint32_t)s->s1.len;
    conn_send(k, CLI, &s->c2, MSS);
    conn_send(k, SRV, &s->s2, MSS);
    conn_fin(k);
}

/* Which of the segments, sent in that order, makes [0, end) whole. */
static size_t filling_segment(const seg *segs, size_t nsegs, size_t end)
{
    uint8_t *have = calloc(end, 1);
    ck_assert_ptr_nonnull(have);
    size_t upto = 0, i = 0;
    for (; i < nsegs; i++) {
        for (size_t j = segs[i].off; j < segs[i].off + segs[i].len && j < end; j++)
            have[j] = 1;
        while (upto < end && have[upto])
            upto++;
        if (upto == end)
            break;
    }
    free(have);
    ck_assert_uint_lt(i, nsegs);
    return i;
}

/* Runs one shaped exchange and checks the chain and when it was whole. */
static void run_shaped(const seg *segs, size_t nsegs, uint32_t cisn, uint32_t sisn)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, cisn, sisn);
    int64_t ts[MAX_SEGS];
    ck_assert_uint_le(nsegs, MAX_SEGS);
    size_t filling = filling_segment(segs, nsegs, s.cert_end);
    conn_shaped(&k, &s, segs, nsegs, ts);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    /* The packet that made the Certificate whole. */
    ck_assert_int_eq(r.v[0].hs.ts_cert, ts[filling]);
    ck_assert_uint_eq(r.st.gaps, 0);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    run_free(&r);
    script_free(&s);
}

/* s1 is SH (~80) + Certificate (~2.8 kB) + SHD: three MSS segments. */
START_TEST(test_in_order)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    script_free(&s);
    seg segs[] = {{0, MSS}, {MSS, MSS}, {2 * MSS, n - 2 * MSS}};
    run_shaped(segs, EW_ARRAY_LEN(segs), CLIENT_ISN, SERVER_ISN);
}
END_TEST

START_TEST(test_out_of_order)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    script_free(&s);
    /* Last first, then the middle, then the first: the first fills all. */
    seg segs[] = {{2 * MSS, n - 2 * MSS}, {MSS, MSS}, {0, MSS}};
    run_shaped(segs, EW_ARRAY_LEN(segs), CLIENT_ISN, SERVER_ISN);
    /* Middle before first. */
    seg segs2[] = {{MSS, MSS}, {0, MSS}, {2 * MSS, n - 2 * MSS}};
    run_shaped(segs2, EW_ARRAY_LEN(segs2), CLIENT_ISN, SERVER_ISN);
}
END_TEST

START_TEST(test_duplicates)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    script_free(&s);
    /* Each twice, and the first again after the rest (retransmitted). */
    seg segs[] = {{0, MSS}, {0, MSS}, {MSS, MSS}, {MSS, MSS},
                  {2 * MSS, n - 2 * MSS}, {0, MSS}, {2 * MSS, n - 2 * MSS}};
    run_shaped(segs, EW_ARRAY_LEN(segs), CLIENT_ISN, SERVER_ISN);
}
END_TEST

START_TEST(test_overlaps)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    script_free(&s);
    /* Repacketized retransmissions that overlap what came, in and out of
     * order: only new bytes count. */
    seg segs[] = {{0, 100},   {50, 300},  {1000, 500}, {1200, 900},
                  {340, 700}, {2000, n - 2000}, {300, 50}};
    run_shaped(segs, EW_ARRAY_LEN(segs), CLIENT_ISN, SERVER_ISN);
}
END_TEST

START_TEST(test_one_byte_segments)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    seg *segs = calloc(n, sizeof *segs);
    ck_assert_ptr_nonnull(segs);
    for (size_t i = 0; i < n; i++)
        segs[i] = (seg){i, 1};
    ck_assert_uint_le(n, MAX_SEGS);
    run_shaped(segs, n, CLIENT_ISN, SERVER_ISN);
    free(segs);
    script_free(&s);
}
END_TEST

START_TEST(test_wraparound)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    size_t n = s.s1.len;
    script_free(&s);
    seg segs[] = {{MSS, MSS}, {0, MSS}, {2 * MSS, n - 2 * MSS}};
    run_shaped(segs, EW_ARRAY_LEN(segs), WRAP_CLIENT_ISN, WRAP_SERVER_ISN);
    /* Sanity of the setup: the flight does cross 2^32. */
    ck_assert_uint_gt((uint64_t)WRAP_SERVER_ISN + 1 + n, UINT64_C(0x100000000));
}
END_TEST

/* One 60 kB segment, as a capture of segmentation offload shows it. */
START_TEST(test_giant_segment)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, BIG_DER, 0);
    ck_assert_uint_gt(s.s1.len, 3 * BIG_DER);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    conn_send(&k, SRV, &s.s1, s.s1.len);
    int64_t cert_ts = k.seg_ts[0];
    conn_send(&k, CLI, &s.c2, MSS);
    conn_send(&k, SRV, &s.s2, MSS);
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    ck_assert_int_eq(r.v[0].hs.ts_cert, cert_ts);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Handshake messages over 5-byte records, in 97-byte segments. */
START_TEST(test_tiny_records)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, TINY_RECORD);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, ODD_SEG);
    int64_t hello_ts = k.seg_ts[k.nseg - 1];
    conn_send(&k, SRV, &s.s1, ODD_SEG);
    int64_t cert_ts = k.seg_ts[(s.cert_end - 1) / ODD_SEG];
    conn_send(&k, CLI, &s.c2, ODD_SEG);
    conn_send(&k, SRV, &s.s2, ODD_SEG);
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    ck_assert_int_eq(r.v[0].hs.ts_hello, hello_ts);
    ck_assert_int_eq(r.v[0].hs.ts_cert, cert_ts);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* A segment in the middle of the Certificate never comes. */
START_TEST(test_gap)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    int64_t sh_ts = conn_at(&k, SRV, 0, s.s1.p, MSS);
    conn_at(&k, SRV, 2 * MSS, s.s1.p + 2 * MSS, s.s1.len - 2 * MSS);
    k.next[SRV] += (uint32_t)s.s1.len;
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 1);
    /* Nothing was known until the capture ended. */
    ck_assert_uint_eq(r.after_feed, 0);
    const ew_tls_hs *hs = &r.v[0].hs;
    ck_assert_int_eq(hs->cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(hs->ncerts, 0);
    ck_assert_uint_eq(hs->version, V_TLS12);
    ck_assert_int_eq(hs->ts_cert, sh_ts);
    ck_assert_uint_eq(r.st.gaps, 1);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* The same 4-tuple for three connections: the first never closed, the
 * second half closed; each new SYN ends the one before. */
START_TEST(test_reused_tuple)
{
    static const char *const names[] = {"one.example", "two.example", "three.example"};
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s[3];
    for (size_t i = 0; i < 3; i++) {
        script_make(&s[i], names[i], 0, 0);
        conn k;
        conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN + (uint32_t)i * 1000000,
                  SERVER_ISN + (uint32_t)i * 1000000);
        conn_syn(&k);
        conn_send(&k, CLI, &s[i].ch, MSS);
        conn_send(&k, SRV, &s[i].s1, MSS);
        if (i == 1)
            pkt(&k, CLI, F_FIN | F_ACK, k.next[CLI], NULL, 0);
        if (i == 2)
            conn_fin(&k);
    }
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(r.v[i].hs.sni, names[i]);
        expect_chain(&r.v[i].hs, &s[i]);
        script_free(&s[i]);
    }
    ck_assert_uint_eq(r.st.flows, 3);
    /* The third ended with its FINs, before the capture did. */
    ck_assert_uint_eq(r.after_feed, 3);
    run_free(&r);
}
END_TEST

/* The capture starts after the TCP handshake: the ClientHello tells who is
 * the client, even though its port is the lower one. */
START_TEST(test_no_syn)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, NULL, 0, 0);
    conn k;
    conn_init(&k, &c, 4, LOW_CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_send(&k, CLI, &s.ch, MSS);
    int64_t first = k.seg_ts[0];
    conn_send(&k, SRV, &s.s1, MSS);
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    const ew_tls_hs *hs = &r.v[0].hs;
    expect_ep(&hs->client, "10.48.36.46", LOW_CLIENT_PORT);
    expect_ep(&hs->server, "10.48.36.215", SERVER_PORT);
    ck_assert_int_eq(hs->ts_start, first);
    ck_assert_str_eq(hs->sni, "");
    expect_chain(hs, &s);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Three connections at once with room for two: the oldest is given up,
 * its handshake given as it stands. */
START_TEST(test_eviction)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    conn k[3];
    for (int i = 0; i < 3; i++) {
        conn_init(&k[i], &c, 4, (uint16_t)(CLIENT_PORT + i), SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        conn_syn(&k[i]);
        conn_send(&k[i], CLI, &s.ch, MSS);
    }
    for (int i = 1; i < 3; i++) {
        conn_send(&k[i], SRV, &s.s1, MSS);
        conn_fin(&k[i]);
    }
    ew_capture_limits lim = std_limits;
    lim.max_flows = 2;
    run r = {0};
    run_cap(&c, &lim, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.st.flows, 3);
    ck_assert_uint_eq(r.st.flows_evicted, 1);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_uint_eq(r.v[0].hs.client.port, CLIENT_PORT);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_UNSEEN);
    ck_assert_str_eq(r.v[0].hs.sni, SNI_NAME);
    for (int i = 1; i < 3; i++) {
        ck_assert_uint_eq(r.v[i].hs.client.port, CLIENT_PORT + i);
        expect_chain(&r.v[i].hs, &s);
    }
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Many connections through a small table: memory stays at the table. */
#define MANY_CONNS 3000
#define MANY_FLOWS 16

START_TEST(test_many_connections)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    /* Interleaved by fours: each connection's packets among others'. */
    for (int i = 0; i < MANY_CONNS; i += 4) {
        conn k[4];
        for (int j = 0; j < 4; j++) {
            conn_init(&k[j], &c, 4, (uint16_t)(CLIENT_PORT + (i + j) % 20000), SERVER_PORT,
                      CLIENT_ISN + (uint32_t)i, SERVER_ISN);
            conn_syn(&k[j]);
            conn_send(&k[j], CLI, &s.ch, MSS);
        }
        for (int j = 0; j < 4; j++) {
            conn_send(&k[j], SRV, &s.s1, MSS);
            conn_send(&k[j], CLI, &s.c2, MSS);
            conn_send(&k[j], SRV, &s.s2, MSS);
        }
        for (int j = 0; j < 4; j++)
            conn_fin(&k[j]);
    }
    ew_capture_limits lim = std_limits;
    lim.max_flows = MANY_FLOWS;
    run r = {0};
    run_cap(&c, &lim, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, MANY_CONNS);
    ck_assert_uint_eq(r.st.flows, MANY_CONNS);
    ck_assert_uint_eq(r.st.flows_evicted, 0);
    for (size_t i = 0; i < r.n; i++)
        expect_tls12(&r.v[i].hs, &s, SNI_NAME);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* More holes at once than the buffer keeps: the direction is given up. */
#define HOLE_SEG 100
#define HOLES 12

START_TEST(test_too_many_holes)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    seg segs[2 * HOLES + 1];
    size_t n = 0;
    /* Every other segment first, then the ones between. */
    for (size_t i = 0; i <= 2 * HOLES; i += 2)
        segs[n++] = (seg){i * HOLE_SEG, HOLE_SEG};
    for (size_t i = 1; i < 2 * HOLES; i += 2)
        segs[n++] = (seg){i * HOLE_SEG, HOLE_SEG};
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    for (size_t i = 0; i < n; i++)
        conn_at(&k, SRV, segs[i].off, s.s1.p + segs[i].off, segs[i].len);
    conn_at(&k, SRV, 2 * HOLES * HOLE_SEG + HOLE_SEG, s.s1.p + (2 * HOLES + 1) * HOLE_SEG,
            s.s1.len - (2 * HOLES + 1) * HOLE_SEG);
    k.next[SRV] += (uint32_t)s.s1.len;
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(r.v[0].hs.version, V_TLS12);
    ck_assert_uint_eq(r.st.gaps, 1);
    /* Given up while the packets came, not at the end. */
    ck_assert_uint_eq(r.after_feed, 1);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* A RST ends the connection at once; the 4-tuple may then start again. */
START_TEST(test_rst)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    conn_send(&k, SRV, &s.s1, MSS);
    pkt(&k, CLI, F_RST | F_ACK, k.next[CLI], NULL, 0);
    /* A stray ACK after the RST: no connection is made of it. */
    pkt(&k, SRV, F_ACK, k.next[SRV], NULL, 0);
    conn k2;
    conn_init(&k2, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN + 7, SERVER_ISN + 7);
    conn_full(&k2, &s);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_uint_eq(r.after_feed, 2);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    expect_tls12(&r.v[1].hs, &s, SNI_NAME);
    ck_assert_uint_eq(r.st.flows, 2);
    run_free(&r);
    script_free(&s);
}
END_TEST


/* ---- TLS ---- */

/* A connection with the given flights, in MSS segments, then FIN. */
static void conn_flights(conn *k, const ew_buf *ch, const ew_buf *s1, const ew_buf *c2,
                         const ew_buf *s2, bool fin)
{
    conn_syn(k);
    if (ch)
        conn_send(k, CLI, ch, MSS);
    if (s1)
        conn_send(k, SRV, s1, MSS);
    if (c2)
        conn_send(k, CLI, c2, MSS);
    if (s2)
        conn_send(k, SRV, s2, MSS);
    if (fin)
        conn_fin(k);
}

static void run_flights(const ew_buf *ch, const ew_buf *s1, const ew_buf *c2, const ew_buf *s2,
                        bool fin, run *r)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, TFTP_PORT, CLIENT_ISN, SERVER_ISN);
    conn_flights(&k, ch, s1, c2, s2, fin);
    run_cap(&c, NULL, r);
    ck_assert_int_eq(r->rc_feed, 0);
    ck_assert_int_eq(r->rc_finish, 0);
}

START_TEST(test_tls13)
{
    static const uint16_t offered[] = {V_GREASE, V_TLS13, V_TLS12};
    ew_buf hs = {0}, ch = {0}, s1 = {0}, c2 = {0};
    client_hello(&hs, V_TLS12, SNI_NAME, offered, EW_ARRAY_LEN(offered));
    as_records(&ch, &hs, 0);
    ew_buf_clear(&hs);
    server_hello(&hs, V_TLS12, CS_AES128_GCM_SHA256, V_TLS13, false);
    as_records(&s1, &hs, 0);
    ccs(&s1);
    junk_record(&s1, CT_APPDATA, 11, 3000); /* EncryptedExtensions, Certificate, ... */
    ccs(&c2);
    junk_record(&c2, CT_APPDATA, 12, FINISHED_LEN);
    run r = {0};
    run_flights(&ch, &s1, &c2, NULL, false, &r);
    ck_assert_uint_eq(r.n, 1);
    /* Both sides went encrypted: given without waiting for the end. */
    ck_assert_uint_eq(r.after_feed, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    ck_assert_uint_eq(h->client_version, V_TLS12);
    ck_assert_uint_eq(h->offered_max, V_TLS13);
    ck_assert_uint_eq(h->version, V_TLS13);
    ck_assert_uint_eq(h->cipher, CS_AES128_GCM_SHA256);
    ck_assert_int_eq(h->cert_state, EW_CERT_ENCRYPTED);
    ck_assert_uint_eq(h->ncerts, 0);
    ck_assert_int_ne(h->ts_cert, 0);
    ck_assert_str_eq(h->sni, SNI_NAME);
    expect_ep(&h->server, "10.48.36.215", TFTP_PORT);
    run_free(&r);
    ew_buf_free(&hs);
    ew_buf_free(&ch);
    ew_buf_free(&s1);
    ew_buf_free(&c2);
}
END_TEST

/* HelloRetryRequest, CCS, a second ClientHello, the real ServerHello. */
START_TEST(test_hello_retry)
{
    static const uint16_t offered[] = {V_TLS13, V_TLS12};
    ew_buf hs = {0}, ch = {0}, s1 = {0}, c2 = {0}, s2 = {0};
    client_hello(&hs, V_TLS12, SNI_NAME, offered, EW_ARRAY_LEN(offered));
    as_records(&ch, &hs, 0);
    as_records(&c2, &hs, 0); /* the second ClientHello after the HRR */
    ew_buf_clear(&hs);
    server_hello(&hs, V_TLS12, CS_AES128_GCM_SHA256, V_TLS13, true);
    as_records(&s1, &hs, 0);
    ccs(&s1);
    ew_buf_clear(&hs);
    server_hello(&hs, V_TLS12, CS_AES128_GCM_SHA256, V_TLS13, false);
    as_records(&s2, &hs, 0);
    junk_record(&s2, CT_APPDATA, 13, 500);
    ew_buf c2b = {0};
    ccs(&c2b);
    put(&c2b, c2.p, c2.len);
    run r = {0};
    run_flights(&ch, &s1, &c2b, &s2, true, &r);
    ck_assert_uint_eq(r.n, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    ck_assert_uint_eq(h->version, V_TLS13);
    ck_assert_int_eq(h->cert_state, EW_CERT_ENCRYPTED);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    run_free(&r);
    ew_buf_free(&hs);
    ew_buf_free(&ch);
    ew_buf_free(&s1);
    ew_buf_free(&c2);
    ew_buf_free(&c2b);
    ew_buf_free(&s2);
}
END_TEST

START_TEST(test_resumed)
{
    ew_buf hs = {0}, ch = {0}, s1 = {0}, c2 = {0};
    client_hello(&hs, V_TLS12, SNI_NAME, NULL, 0);
    as_records(&ch, &hs, 0);
    ew_buf_clear(&hs);
    server_hello(&hs, V_TLS12, CS_ECDHE_RSA_AES128_GCM, 0, false);
    as_records(&s1, &hs, 0);
    ccs(&s1);
    junk_record(&s1, CT_HANDSHAKE, 14, FINISHED_LEN);
    ccs(&c2);
    junk_record(&c2, CT_HANDSHAKE, 15, FINISHED_LEN);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_flights(&k, &ch, NULL, NULL, NULL, false);
    conn_send(&k, SRV, &s1, MSS);
    int64_t sh_ts = k.seg_ts[0];
    conn_send(&k, CLI, &c2, MSS);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.after_feed, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    ck_assert_int_eq(h->cert_state, EW_CERT_RESUMED);
    ck_assert_uint_eq(h->version, V_TLS12);
    ck_assert_int_eq(h->ts_cert, sh_ts);
    ck_assert_uint_eq(h->ncerts, 0);
    run_free(&r);
    ew_buf_free(&hs);
    ew_buf_free(&ch);
    ew_buf_free(&s1);
    ew_buf_free(&c2);
}
END_TEST

/* The client refuses the chain: unknown_ca, after a warning from the
 * server that did not end the handshake. */
START_TEST(test_alert)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf s1 = {0}, c2 = {0};
    alert(&s1, ALERT_WARNING, ALERT_UNRECOGNIZED_NAME);
    put(&s1, s.s1.p, s.s1.len);
    alert(&c2, ALERT_FATAL, ALERT_UNKNOWN_CA);
    run r = {0};
    run_flights(&s.ch, &s1, &c2, NULL, false, &r);
    ck_assert_uint_eq(r.n, 1);
    /* The certificate and the fatal alert are all there is to know. */
    ck_assert_uint_eq(r.after_feed, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    expect_chain(h, &s);
    ck_assert_int_eq(h->alert, ALERT_UNKNOWN_CA);
    ck_assert(h->alert_by_client);
    run_free(&r);

    /* A warning alone is reported, by the server. */
    run r2 = {0};
    run_flights(&s.ch, &s1, NULL, NULL, true, &r2);
    ck_assert_uint_eq(r2.n, 1);
    ck_assert_int_eq(r2.v[0].hs.alert, ALERT_UNRECOGNIZED_NAME);
    ck_assert(!r2.v[0].hs.alert_by_client);
    expect_chain(&r2.v[0].hs, &s);
    run_free(&r2);
    ew_buf_free(&s1);
    ew_buf_free(&c2);
    script_free(&s);
}
END_TEST

/* With client authentication the client sends a Certificate too: the
 * chain is still the server's. */
START_TEST(test_client_certificate)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf mine[1] = {{0}}, c2 = {0}, hs = {0};
    fake_der(&mine[0], 99, DER_ROOT);
    certificate(&hs, mine, 1);
    as_records(&c2, &hs, 0);
    put(&c2, s.c2.p, s.c2.len);
    run r = {0};
    run_flights(&s.ch, &s.s1, &c2, &s.s2, true, &r);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    run_free(&r);
    ew_buf_free(&mine[0]);
    ew_buf_free(&c2);
    ew_buf_free(&hs);
    script_free(&s);
}
END_TEST

START_TEST(test_sni_absent)
{
    script s;
    script_make(&s, NULL, 0, 0);
    run r = {0};
    run_flights(&s.ch, &s.s1, &s.c2, &s.s2, true, &r);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, "");
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Only the client side was captured. */
START_TEST(test_client_only)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    run r = {0};
    run_flights(&s.ch, NULL, NULL, NULL, true, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_UNSEEN);
    ck_assert_str_eq(r.v[0].hs.sni, SNI_NAME);
    ck_assert_uint_eq(r.v[0].hs.version, 0);
    ck_assert_int_eq(r.v[0].hs.ts_cert, 0);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Plain HTTP on 8443: not TLS, no handshake, no error. */
START_TEST(test_not_tls)
{
    ew_buf req = {0}, resp = {0};
    put(&req, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
    put(&resp, "HTTP/1.1 200 OK\r\n\r\n", 19);
    run r = {0};
    run_flights(&req, &resp, NULL, NULL, true, &r);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.st.flows, 1);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    ck_assert_uint_eq(r.st.handshakes, 0);
    run_free(&r);
    ew_buf_free(&req);
    ew_buf_free(&resp);
}
END_TEST

/* Lengths that lie: no crash, the direction stops, one error each. */
typedef enum lie {
    LIE_RECORD_TOO_LONG,   /* a record length past the limit */
    LIE_RECORD_PAST_SEG,   /* a record that swallows the next record's header */
    LIE_HS_LONGER,         /* a Certificate longer than it is: swallows the next */
    LIE_HS_TOO_LONG,       /* a handshake length past max_handshake */
    LIE_CERT_LIST,         /* a certificate list longer than its message */
    LIE_CERT_LEN,          /* a certificate longer than the list */
    LIE_SESSION_ID,        /* a ServerHello session_id past the message */
    LIE_HS_THEN_CCS,       /* a message left half-read when CCS comes */
    LIE_COUNT
} lie;

START_TEST(test_lying_lengths)
{
    lie which = (lie)_i;
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf sh = {0}, cert = {0}, shd = {0}, s1 = {0};
    server_hello(&sh, V_TLS12, CS_ECDHE_RSA_AES128_GCM, 0, false);
    certificate(&cert, s.ders, s.nders);
    empty_msg(&shd, HT_SERVER_HELLO_DONE);
    uint8_t *cp = (uint8_t *)cert.p;
    switch (which) {
    case LIE_RECORD_TOO_LONG:
        as_records(&s1, &sh, 0);
        record(&s1, CT_HANDSHAKE, cert.p, cert.len);
        s1.p[5 + sh.len + 3] = (char)0xff; /* second record's length: 0xffxx */
        break;
    case LIE_RECORD_PAST_SEG:
        record(&s1, CT_HANDSHAKE, sh.p, sh.len);
        s1.p[4] = (char)(sh.len + 5 + 4); /* takes the next header and 4 bytes */
        ck_assert_uint_lt(sh.len + 9, 256);
        as_records(&s1, &cert, 0);
        break;
    case LIE_HS_LONGER:
        set24(cp + 1, cert.len - 4 + 4); /* absorbs ServerHelloDone's 4 bytes */
        break;
    case LIE_HS_TOO_LONG:
        cp[1] = 0x7f;
        break;
    case LIE_CERT_LIST:
        cp[4 + 1] = (uint8_t)(cp[4 + 1] + 1);
        break;
    case LIE_CERT_LEN:
        cp[4 + 3 + 1] = 0xff;
        break;
    case LIE_SESSION_ID:
        ((uint8_t *)sh.p)[4 + 2 + RANDOM_LEN] = 0xf0;
        break;
    case LIE_HS_THEN_CCS:
        cert.len -= 10; /* its header still says the whole length */
        break;
    default:
        break;
    }
    if (s1.len == 0) {
        as_records(&s1, &sh, 0);
        as_records(&s1, &cert, 0);
        as_records(&s1, &shd, 0);
        if (which == LIE_HS_THEN_CCS)
            ccs(&s1);
    }
    run r = {0};
    run_flights(&s.ch, &s1, &s.c2, &s.s2, true, &r);
    ck_assert_uint_eq(r.st.tls_errors, 1);
    ck_assert_msg(strncmp(r.st_feed.why_tls, "TLS from 10.48.36.215:", 22) == 0 &&
                      strstr(r.st_feed.why_tls, "its TLS parsing stopped there"),
                  "%s", r.st_feed.why_tls);
    ck_assert_uint_eq(r.n, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    ck_assert_int_eq(h->cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(h->ncerts, 0);
    ck_assert_str_eq(h->sni, SNI_NAME);
    if (which == LIE_SESSION_ID)
        ck_assert_uint_eq(h->version, 0);
    else
        ck_assert_uint_eq(h->version, V_TLS12);
    run_free(&r);
    ew_buf_free(&sh);
    ew_buf_free(&cert);
    ew_buf_free(&shd);
    ew_buf_free(&s1);
    script_free(&s);
}
END_TEST

/* A ClientHello whose extensions run past it. */
START_TEST(test_lying_client_hello)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf ch = {0};
    put(&ch, s.ch.p, s.ch.len);
    /* record 5 + handshake 4 + version 2 + random + sid 1+32 + suites 2+4
     * + compression 2: the extensions length. */
    size_t at = 5 + 4 + 2 + RANDOM_LEN + 1 + SID_LEN + 2 + 4 + 2;
    ch.p[at] = (char)0x7f;
    run r = {0};
    run_flights(&ch, &s.s1, &s.c2, &s.s2, true, &r);
    ck_assert_uint_eq(r.st.tls_errors, 1);
    /* Said with the connection, the time and what was wrong. */
    ck_assert_msg(strncmp(r.st_feed.why_tls, "TLS from 10.48.36.46:", 21) == 0 &&
                      strstr(r.st_feed.why_tls, " at 20") &&
                      strstr(r.st_feed.why_tls, ": ClientHello: its extensions run past the end"),
                  "%s", r.st_feed.why_tls);
    ck_assert_str_eq(r.st.why_tls, ""); /* finish found nothing more */
    ck_assert_uint_eq(r.n, 1);
    const ew_tls_hs *h = &r.v[0].hs;
    ck_assert_uint_eq(h->client_version, 0);
    ck_assert_int_eq(h->ts_hello, 0);
    /* The SYN tells who the client is. */
    expect_ep(&h->client, "10.48.36.46", CLIENT_PORT);
    expect_chain(h, &s);
    run_free(&r);
    ew_buf_free(&ch);
    script_free(&s);
}
END_TEST

/* Chains past max_chain and certificates past max_der are cut. */
START_TEST(test_chain_limits)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_capture_limits lim = std_limits;
    lim.max_chain = 2;
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    run r = {0};
    run_cap(&c, &lim, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_PRESENT);
    ck_assert_uint_eq(r.v[0].hs.ncerts, 2);
    ck_assert(r.v[0].hs.chain_cut);
    ck_assert_mem_eq(r.v[0].hs.cert_der[1], s.ders[1].p, s.ders[1].len);
    run_free(&r);

    /* The intermediate is too big: the leaf alone is kept. */
    lim = std_limits;
    lim.max_der = DER_SUB - 1;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    run r2 = {0};
    run_cap(&c, &lim, &r2);
    ck_assert_uint_eq(r2.v[0].hs.ncerts, 1);
    ck_assert(r2.v[0].hs.chain_cut);
    ck_assert_uint_eq(r2.v[0].hs.cert_len[0], DER_LEAF);
    run_free(&r2);

    /* A Certificate is read as it comes: max_handshake does not bound it
     * (what is kept is bounded by max_chain and max_der). */
    lim = std_limits;
    lim.max_handshake = DER_LEAF;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    run r3 = {0};
    run_cap(&c, &lim, &r3);
    ck_assert_int_eq(r3.v[0].hs.cert_state, EW_CERT_PRESENT);
    ck_assert_uint_eq(r3.st.tls_errors, 0);
    expect_chain(&r3.v[0].hs, &s);
    run_free(&r3);

    /* max_flow_bytes ends the server's direction inside the Certificate. */
    lim = std_limits;
    lim.max_flow_bytes = DER_LEAF;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    run r4 = {0};
    run_cap(&c, &lim, &r4);
    ck_assert_int_eq(r4.v[0].hs.cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(r4.v[0].hs.version, V_TLS12);
    ck_assert_uint_eq(r4.st.gaps, 0);
    ck_assert_uint_eq(r4.st.tls_errors, 0);
    /* Not an error of the stream, but said all the same. */
    ck_assert_uint_eq(r4.st.tls_cut, 1);
    ck_assert_msg(strstr(r4.st_feed.why_cut, "TLS from 10.48.36.215:") &&
                      strstr(r4.st_feed.why_cut, "past max-flow-bytes"),
                  "%s", r4.st_feed.why_cut);
    run_free(&r4);
    script_free(&s);
}
END_TEST

/* The server closes inside a record of its flight: the certificate is cut,
 * and the stats say where the stream stopped. */
START_TEST(test_cut_at_close)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf half = {0};
    put(&half, s.s1.p, s.s1.len / 2);
    run r = {0};
    run_flights(&s.ch, &half, NULL, NULL, true, &r);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    ck_assert_uint_eq(r.st.gaps, 0);
    ck_assert_uint_eq(r.st.tls_cut, 1);
    ck_assert_msg(strncmp(r.st_feed.why_cut, "TLS from 10.48.36.215:", 22) == 0 &&
                      strstr(r.st_feed.why_cut, ": the connection ended inside a handshake record ("),
                  "%s", r.st_feed.why_cut);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_CUT);
    run_free(&r);
    ew_buf_free(&half);
    script_free(&s);
}
END_TEST

/* Random damage to the server's flight: whatever happens, no crash and
 * at most one handshake. ASan and UBSan watch. */
#define FUZZ_ROUNDS 300

START_TEST(test_damaged_flights)
{
    script s;
    script_make(&s, SNI_NAME, 0, TINY_RECORD * 40);
    uint32_t rng = 12345;
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        ew_buf s1 = {0};
        put(&s1, s.s1.p, s.s1.len);
        int flips = 1 + round % 4;
        for (int i = 0; i < flips; i++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 8) % s1.len;
            rng = rng * 1103515245u + 12345u;
            s1.p[at] = (char)(rng >> 16);
        }
        run r = {0};
        run_flights(&s.ch, &s1, &s.c2, &s.s2, round % 2 == 0, &r);
        ck_assert_uint_eq(r.n, 1);
        ck_assert_uint_le(r.st.tls_errors, 1);
        run_free(&r);
        ew_buf_free(&s1);
    }
    script_free(&s);
}
END_TEST

/* ---- Files ---- */

START_TEST(test_pcapng_blocks)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAPNG, LT_EN10MB, SNAPLEN);
    c.unknown_blocks = true; /* libpcap skips blocks it does not know */
    c.ns = true;             /* and turns nanoseconds into microseconds */
    cap_ng_interface(&c, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    int64_t syn_ts = k.syn_ts;
    size_t nrec = c.nrec;
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_msg(r.rc_feed == 0, "%s", r.err.msg);
    ck_assert_uint_eq(r.st.records, nrec);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.v[0].hs.ts_start, syn_ts);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Rotated files of one interface: a connection goes on across them. */
START_TEST(test_files_in_sequence)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c[2];
    cap_open(&c[0], FMT_PCAP, LT_EN10MB, SNAPLEN);
    cap_open(&c[1], FMT_PCAPNG, LT_EN10MB, SNAPLEN);
    cap_ng_interface(&c[1], SNAPLEN);
    conn k;
    conn_init(&k, &c[0], 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    /* The server's flight is cut in two by the rotation. */
    conn_at(&k, SRV, 0, s.s1.p, MSS);
    k.c = &c[1];
    conn_at(&k, SRV, MSS, s.s1.p + MSS, s.s1.len - MSS);
    k.next[SRV] += (uint32_t)s.s1.len;
    conn_fin(&k);
    ew_buf files[2] = {c[0].b, c[1].b};
    run r = {0};
    run_bytes(files, 2, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.n, 1);
    expect_chain(&r.v[0].hs, &s);
    run_free(&r);
    ew_buf_free(&c[0].b);
    ew_buf_free(&c[1].b);
    script_free(&s);
}
END_TEST

/* The last record is cut: -1 with where, and what came before counts. */
START_TEST(test_truncated)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    for (int ng = 0; ng < 2; ng++) {
        cap c;
        cap_open(&c, ng ? FMT_PCAPNG : FMT_PCAP, LT_EN10MB, SNAPLEN);
        if (ng)
            cap_ng_interface(&c, SNAPLEN);
        conn k;
        conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        conn_full(&k, &s);
        conn k2;
        conn_init(&k2, &c, 4, CLIENT_PORT + 1, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        conn_syn(&k2);
        conn_send(&k2, CLI, &s.ch, MSS);
        pkt(&k2, SRV, F_ACK, k2.next[SRV], NULL, 0);
        size_t nrec = c.nrec;
        size_t at = c.last_at;
        c.b.len -= TRUNCATE_BY;
        run r = {0};
        run_cap(&c, NULL, &r);
        ck_assert_int_eq(r.rc_feed, EWDIAG_EFORMAT);
        ck_assert_msg(strstr(r.err.msg, "truncated") != NULL, "%s", r.err.msg);
        char where[64];
        snprintf(where, sizeof where, "(record %zu, at byte %zu)", nrec, at);
        ck_assert_msg(strstr(r.err.msg, where) != NULL, "%s: want %s", r.err.msg, where);
        ck_assert_uint_eq(r.st.records, nrec - 1);
        /* The first connection was given; the second by finish. */
        ck_assert_uint_eq(r.after_feed, 1);
        ck_assert_uint_eq(r.n, 2);
        expect_tls12(&r.v[0].hs, &s, SNI_NAME);
        ck_assert_int_eq(r.v[1].hs.cert_state, EW_CERT_UNSEEN);
        run_free(&r);
    }
    script_free(&s);
}
END_TEST

START_TEST(test_not_a_capture)
{
    ew_buf b = {0};
    put(&b, "this is not a capture file at all\n", 34);
    run r = {0};
    run_bytes(&b, 1, NULL, &r);
    ck_assert_int_eq(r.rc_feed, EWDIAG_EFORMAT);
    ck_assert_str_eq(r.err.msg, "not a readable pcap or pcapng capture: unknown file format");
    ck_assert_uint_eq(r.st.records, 0);
    ew_buf_clear(&b);
    run r2 = {0};
    run_bytes(&b, 1, NULL, &r2);
    ck_assert_int_eq(r2.rc_feed, EWDIAG_EFORMAT);
    ck_assert_msg(strstr(r2.err.msg, "not a readable pcap or pcapng capture: ") == r2.err.msg, "%s",
                  r2.err.msg);
    ew_buf_free(&b);
}
END_TEST

START_TEST(test_unknown_link_type)
{
    cap c;
    cap_open(&c, FMT_PCAP, LT_IEEE802_11, SNAPLEN);
    cap_record(&c, T0, "0123456789", 10, 10);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, EWDIAG_EFORMAT);
    ck_assert_str_eq(r.err.msg, "unsupported link type IEEE802_11 (DLT 105)");
    ck_assert_uint_eq(r.st.records, 0);
}
END_TEST

/* Records bigger than the file's snaplen: libpcap keeps snaplen bytes of
 * each, so the server's long segments lose their tails: a gap. */
START_TEST(test_caplen_over_snaplen)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SMALL_SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, 100); /* small enough to fit */
    conn_send(&k, SRV, &s.s1, MSS);
    conn_fin(&k);
    size_t nrec = c.nrec;
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, 0);
    ck_assert_uint_eq(r.st.records, nrec);
    ck_assert_uint_eq(r.st.malformed, 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.v[0].hs.sni, SNI_NAME);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(r.st.gaps, 1);
    run_free(&r);
    script_free(&s);
}
END_TEST

/* Captured with a small snaplen: the IP length says more than was kept. */
START_TEST(test_snaplen_cut)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    pkt_cut(&k, SRV, F_ACK, k.next[SRV], s.s1.p, s.s1.len, SMALL_SNAPLEN);
    k.next[SRV] += (uint32_t)s.s1.len;
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.v[0].hs.version, V_TLS12);
    ck_assert_int_eq(r.v[0].hs.cert_state, EW_CERT_CUT);
    /* The FIN sits after the bytes not captured: a hole, which the
     * snapshot length made, and which is said so. */
    ck_assert_uint_eq(r.st.gaps, 1);
    ck_assert_msg(strstr(r.st.why_gap, "TCP stream from 10.48.36.215:") &&
                      strstr(r.st.why_gap, "(the capture's snapshot length cut it)"),
                  "%s", r.st.why_gap);
    ck_assert_uint_eq(r.st.tls_cut, 0);
    run_free(&r);
    script_free(&s);
}
END_TEST

START_TEST(test_callback_stops)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    for (int i = 0; i < 3; i++) {
        conn k;
        conn_init(&k, &c, 4, (uint16_t)(CLIENT_PORT + i), SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        conn_full(&k, &s);
    }
    run r = {.stop_at = 2};
    run_cap(&c, NULL, &r);
    ck_assert_int_eq(r.rc_feed, STOP_RC);
    ck_assert_int_eq(r.rc_finish, STOP_RC);
    ck_assert_uint_eq(r.n, 2);
    run_free(&r);
    script_free(&s);
}
END_TEST

START_TEST(test_defaults_and_nothing)
{
    /* NULL limits take the defaults; a reader fed nothing finishes clean. */
    run r = {0};
    ew_capture *c = ew_capture_new(NULL, on_hs, &r);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ew_capture_finish(c), 0);
    const ew_capture_stats *st = ew_capture_stats_get(c);
    ck_assert_uint_eq(st->records, 0);
    ck_assert_uint_eq(st->handshakes, 0);
    ew_capture_free(c);
    ew_capture_free(NULL);
}
END_TEST

/* ---- Captures shaped unlike the fixtures (issue 11) ---- */

#define LINGER_PAST_US 4000000 /* later than the RST linger of tcp.c */
#define PREAMBLE_SEG 7         /* a preamble and its hello cut at odd places */
#define SEARCH_PAST (70 * 1024) /* more than tcp.c's search looks through */
#define BIG_CERT (300 * 1024)
#define BIG_LIMIT (1024 * 1024)
#define DRAFT23 0x7f17
#define DRAFT18 0x7f12

/* The client resets right after its ClientHello; the server's flight was
 * on the wire and comes after the RST (and the client answers each of its
 * segments with another RST): the certificate is read. */
START_TEST(test_rst_in_flight)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    pkt(&k, CLI, F_RST | F_ACK, k.next[CLI], NULL, 0);
    size_t base = k.next[SRV] - (k.isn[SRV] + 1);
    for (size_t at = 0; at < s.s1.len; at += MSS) {
        conn_at(&k, SRV, base + at, s.s1.p + at, EW_MIN((size_t)MSS, s.s1.len - at));
        pkt(&k, CLI, F_RST, k.next[CLI], NULL, 0);
    }
    /* Another connection later than the linger: the first is given then. */
    clock_us += LINGER_PAST_US;
    conn k2;
    conn_init(&k2, &c, 4, CLIENT_PORT + 1, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k2);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_uint_eq(r.after_feed, 1);
    expect_chain(&r.v[0].hs, &s);
    ck_assert_uint_eq(r.v[0].hs.version, V_TLS12);
    expect_ep(&r.v[0].hs.client, "10.48.36.46", CLIENT_PORT);
    ck_assert_uint_eq(r.st.tls_cut, 0);
    ck_assert_uint_eq(r.st.gaps, 0);
    run_free(&r);

    /* FIN instead of RST, then the server's RST after its flight. */
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    pkt(&k, CLI, F_FIN | F_ACK, k.next[CLI], NULL, 0);
    conn_send(&k, SRV, &s.s1, MSS);
    pkt(&k, SRV, F_RST, k.next[SRV], NULL, 0);
    run r2 = {0};
    run_cap(&c, NULL, &r2);
    ck_assert_uint_eq(r2.n, 1);
    ck_assert_uint_eq(r2.after_feed, 1);
    expect_chain(&r2.v[0].hs, &s);
    run_free(&r2);
    script_free(&s);
}
END_TEST

/* The capture begins inside the server's flight: no SYN, no hellos. At a
 * record boundary, and inside the ServerHello record (the search skips to
 * the Certificate's record). The handshake is given, with the certificate,
 * and counted as headless. */
START_TEST(test_midstream)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    /* s1 is ServerHello record, Certificate record, ServerHelloDone record. */
    size_t sh_rec = 5 + (size_t)(((uint8_t)s.s1.p[3]) << 8 | (uint8_t)s.s1.p[4]);
    const size_t starts[] = {sh_rec, 9};
    for (size_t i = 0; i < EW_ARRAY_LEN(starts); i++) {
        cap c;
        cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
        conn k;
        conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        size_t from = starts[i];
        conn_at(&k, SRV, from, s.s1.p + from, s.s1.len - from);
        k.next[SRV] += (uint32_t)s.s1.len;
        k.next[CLI] += (uint32_t)s.ch.len;
        conn_send(&k, CLI, &s.c2, MSS);
        conn_send(&k, SRV, &s.s2, MSS);
        conn_fin(&k);
        run r = {0};
        run_cap(&c, NULL, &r);
        ck_assert_uint_eq(r.n, 1);
        const ew_tls_hs *hs = &r.v[0].hs;
        expect_chain(hs, &s);
        ck_assert_uint_eq(hs->version, 0);
        ck_assert_int_eq(hs->ts_hello, 0);
        /* The side that sent the certificate is the server. */
        expect_ep(&hs->server, "10.48.36.215", SERVER_PORT);
        ck_assert_uint_eq(r.st.headless, 1);
        ck_assert_uint_eq(r.st.tls_errors, 0);
        ck_assert_msg(strncmp(r.st.why_headless, "TLS from 10.48.36.215:8443", 26) == 0 &&
                          strstr(r.st.why_headless, "no ClientHello"),
                      "%s", r.st.why_headless);
        run_free(&r);
    }
    script_free(&s);
}
END_TEST

/* A connection over three files of a ring, cut inside records; given in
 * their order, it is one connection with its start. */
START_TEST(test_ring_of_files)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap c[3];
    for (size_t i = 0; i < 3; i++)
        cap_open(&c[i], FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c[0], 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &s.ch, MSS);
    /* Inside the ServerHello's record, and inside the last record. */
    size_t cut1 = 20, cut2 = s.s1.len - 5;
    conn_at(&k, SRV, 0, s.s1.p, cut1);
    k.c = &c[1];
    conn_at(&k, SRV, cut1, s.s1.p + cut1, cut2 - cut1);
    k.c = &c[2];
    conn_at(&k, SRV, cut2, s.s1.p + cut2, s.s1.len - cut2);
    k.next[SRV] += (uint32_t)s.s1.len;
    conn_fin(&k);
    ew_buf files[3] = {c[0].b, c[1].b, c[2].b};
    run r = {0};
    run_bytes(files, 3, NULL, &r);
    ck_assert_uint_eq(r.n, 1);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    ck_assert_uint_eq(r.st.headless, 0);
    run_free(&r);

    /* Given out of order (a ring that wrapped, or archive order): the
     * parts meet, one connection with its start, nothing headless. */
    static const size_t orders[][3] = {{1, 2, 0}, {2, 0, 1}, {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};
    /* Parts joined: none when the first file comes first (the segments
     * ahead wait in the reassembly buffer), two when the middle file has
     * a part of its own to join to the last one's. */
    static const uint64_t joins[] = {1, 1, 2, 1, 0};
    for (size_t o = 0; o < EW_ARRAY_LEN(orders); o++) {
        ew_buf shuffled[3];
        for (size_t i = 0; i < 3; i++)
            shuffled[i] = files[orders[o][i]];
        run ro = {0};
        run_bytes(shuffled, 3, NULL, &ro);
        ck_assert_msg(ro.n == 1, "order %zu: %zu handshakes", o, ro.n);
        expect_tls12(&ro.v[0].hs, &s, SNI_NAME);
        ck_assert_uint_eq(ro.st.headless, 0);
        ck_assert_uint_eq(ro.st.order_unjoined, 0);
        ck_assert_uint_eq(ro.st.tls_cut, 0);
        ck_assert_uint_eq(ro.st.joined, joins[o]);
        run_free(&ro);
    }
    /* The last file first, then the first, the middle one missing: the
     * parts do not meet; read as two, said (the last part, a record's
     * end, is no handshake of its own: the one given is the first part's). */
    ew_buf gap[2] = {c[2].b, c[0].b};
    run rg = {0};
    run_bytes(gap, 2, NULL, &rg);
    ck_assert_uint_eq(rg.n, 1);
    ck_assert_int_eq(rg.v[0].hs.cert_state, EW_CERT_CUT);
    ck_assert_uint_eq(rg.st.joined, 0);
    ck_assert_uint_eq(rg.st.order_unjoined, 1);
    ck_assert_msg(strstr(rg.st.why_order, "TCP connection from 10.48.36.215:8443") &&
                      strstr(rg.st.why_order, "read as two parts"),
                  "%s", rg.st.why_order);
    run_free(&rg);

    /* The last two files alone: the certificate, and the start said missing. */
    run r2 = {0};
    run_bytes(files + 1, 2, NULL, &r2);
    ck_assert_uint_eq(r2.n, 1);
    expect_chain(&r2.v[0].hs, &s);
    ck_assert_uint_eq(r2.st.headless, 1);
    run_free(&r2);
    for (size_t i = 0; i < 3; i++)
        ew_buf_free(&c[i].b);
    script_free(&s);
}
END_TEST

typedef struct preamble {
    const char *name;
    const char *cli, *srv; /* what each side says before TLS */
    size_t cli_len, srv_len;
} preamble;

static const preamble preambles[] = {
    {"SMTP STARTTLS", "EHLO vcsc\r\nSTARTTLS\r\n", "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 Go ahead\r\n",
     0, 0},
    {"XMPP", "<?xml version='1.0'?><stream:stream to='steven.lab' xmlns='jabber:client'>"
             "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
     "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
     "</starttls></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
     0, 0},
    {"PostgreSQL", "\x00\x00\x00\x08\x04\xd2\x16\x2f", "S", 8, 1},
    {"LDAP StartTLS", "\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037",
     "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00", 31, 14},
    {"HTTP CONNECT", "CONNECT cucm.steven.lab:8443 HTTP/1.1\r\nHost: cucm.steven.lab:8443\r\n\r\n",
     "HTTP/1.1 200 Connection established\r\n\r\n", 0, 0},
    /* Bytes that start like a record header but are not one. */
    {"false start", "X\x16\x03\x01\x00\x05hello\x16\x03", "+\x16\x03\x03\x40\x00\x0b\x00\x00\x09",
     13, 10},
};

/* TLS after a plaintext or binary preamble, in whole segments and in
 * segments of a few bytes (record headers cut across them). */
START_TEST(test_preamble)
{
    const preamble *pr = &preambles[_i / 2];
    size_t segsz = _i % 2 ? PREAMBLE_SEG : MSS;
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf ch = {0}, s1 = {0};
    put(&ch, pr->cli, pr->cli_len ? pr->cli_len : strlen(pr->cli));
    put(&ch, s.ch.p, s.ch.len);
    put(&s1, pr->srv, pr->srv_len ? pr->srv_len : strlen(pr->srv));
    put(&s1, s.s1.p, s.s1.len);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    conn k;
    conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_syn(&k);
    conn_send(&k, CLI, &ch, segsz);
    conn_send(&k, SRV, &s1, segsz);
    conn_send(&k, CLI, &s.c2, segsz);
    conn_send(&k, SRV, &s.s2, segsz);
    conn_fin(&k);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_msg(r.n == 1, "%s: %zu handshakes", pr->name, r.n);
    expect_tls12(&r.v[0].hs, &s, SNI_NAME);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    ck_assert_uint_eq(r.st.headless, 0);
    run_free(&r);
    ew_buf_free(&ch);
    ew_buf_free(&s1);
    script_free(&s);
}
END_TEST

/* The search is bounded: a hello past it is not looked for. */
START_TEST(test_search_bounded)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf ch = {0}, s1 = {0};
    fill(&ch, 21, SEARCH_PAST);
    put(&ch, s.ch.p, s.ch.len);
    fill(&s1, 22, SEARCH_PAST);
    put(&s1, s.s1.p, s.s1.len);
    run r = {0};
    run_flights(&ch, &s1, NULL, NULL, true, &r);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.st.tls_errors, 0);
    run_free(&r);
    ew_buf_free(&ch);
    ew_buf_free(&s1);
    script_free(&s);
}
END_TEST

/* TLS 1.3 drafts: 23 (the final format, its number in supported_versions)
 * and 18 (the version in the ServerHello, no session_id or compression):
 * TLS 1.3, the certificate encrypted. */
START_TEST(test_tls13_drafts)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    for (int old = 0; old < 2; old++) {
        ew_buf ch = {0}, chr = {0}, sh = {0}, s1 = {0};
        const uint16_t vs[] = {V_GREASE, (uint16_t)(old ? DRAFT18 : DRAFT23), V_TLS12};
        client_hello(&ch, V_TLS12, SNI_NAME, vs, EW_ARRAY_LEN(vs));
        as_records(&chr, &ch, 0);
        if (old) {
            ew_buf body = {0};
            put16(&body, DRAFT18);
            fill(&body, 3, RANDOM_LEN);
            put16(&body, CS_AES128_GCM_SHA256);
            put16(&body, 0); /* no extensions */
            hs_msg(&sh, HT_SERVER_HELLO, &body);
            ew_buf_free(&body);
        } else {
            server_hello(&sh, V_TLS12, CS_AES128_GCM_SHA256, DRAFT23, false);
        }
        as_records(&s1, &sh, 0);
        junk_record(&s1, CT_APPDATA, 8, APPDATA_LEN);
        run r = {0};
        run_flights(&chr, &s1, NULL, NULL, true, &r);
        ck_assert_uint_eq(r.n, 1);
        const ew_tls_hs *hs = &r.v[0].hs;
        ck_assert_uint_eq(hs->version, V_TLS13);
        ck_assert_uint_eq(hs->draft, old ? 18 : 23);
        ck_assert_uint_eq(hs->offered_max, V_TLS13);
        ck_assert_uint_eq(hs->cipher, CS_AES128_GCM_SHA256);
        ck_assert_int_eq(hs->cert_state, EW_CERT_ENCRYPTED);
        ck_assert_uint_eq(r.st.tls_errors, 0);
        run_free(&r);
        ew_buf_free(&ch);
        ew_buf_free(&chr);
        ew_buf_free(&sh);
        ew_buf_free(&s1);
    }
    script_free(&s);
}
END_TEST

/* A Certificate of several hundred kilobytes (a certificate with thousands
 * of names): read whole when the limits allow it; else the certificate is
 * not kept and the stats say which option reads it. */
START_TEST(test_big_certificate)
{
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    ew_buf der = {0}, cert = {0}, sh = {0}, s1 = {0};
    fake_der(&der, 31, BIG_CERT);
    certificate(&cert, &der, 1);
    server_hello(&sh, V_TLS12, CS_ECDHE_RSA_AES128_GCM, 0, false);
    as_records(&s1, &sh, 0);
    as_records(&s1, &cert, 0);
    ew_capture_limits lim = std_limits;
    lim.max_der = BIG_LIMIT;
    lim.max_flow_bytes = BIG_LIMIT;
    for (int roomy = 1; roomy >= 0; roomy--) {
        cap c;
        cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
        conn k;
        conn_init(&k, &c, 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
        conn_flights(&k, &s.ch, &s1, NULL, NULL, true);
        run r = {0};
        run_cap(&c, roomy ? &lim : NULL, &r);
        ck_assert_uint_eq(r.n, 1);
        const ew_tls_hs *hs = &r.v[0].hs;
        if (roomy) {
            ck_assert_int_eq(hs->cert_state, EW_CERT_PRESENT);
            ck_assert_uint_eq(hs->ncerts, 1);
            ck_assert_uint_eq(hs->cert_len[0], BIG_CERT);
            ck_assert_mem_eq(hs->cert_der[0], der.p, BIG_CERT);
            ck_assert_uint_eq(r.st.cert_big, 0);
        } else {
            /* The defaults: max_der 32 KiB, max_flow_bytes 256 KiB. */
            ck_assert_uint_eq(r.st.cert_big, 1);
            ck_assert_msg(strstr(r.st_feed.why_big, "--set max-der=307200"), "%s",
                          r.st_feed.why_big);
            ck_assert_uint_eq(r.st.tls_cut, 1);
            ck_assert_msg(strstr(r.st_feed.why_cut, "--set max-flow-bytes="), "%s",
                          r.st_feed.why_cut);
        }
        run_free(&r);
    }
    ew_buf_free(&der);
    ew_buf_free(&cert);
    ew_buf_free(&sh);
    ew_buf_free(&s1);
    script_free(&s);
}
END_TEST

/* Encapsulations: a TLS connection captured as raw IP, each packet then
 * wrapped as a hypervisor or a cloud host would capture it. */
typedef enum wrap {
    WRAP_PPPOE,
    WRAP_MPLS,
    WRAP_IPIP,
    WRAP_6IN4,
    WRAP_GRE,
    WRAP_GRETAP,
    WRAP_VXLAN,
    WRAP_GENEVE,
    WRAP_NESTED,    /* VXLAN inside GRE */
    WRAP_L2TP,      /* not decoded: counted */
    WRAP_COUNT
} wrap;

#define ETH_PPPOE 0x8864
#define ETH_MPLS 0x8847
#define ETH_TEB 0x6558
#define PPP_IPV4 0x0021
#define IP_PROTO_IPIP 4
#define IP_PROTO_IPV6 41
#define IP_PROTO_GRE 47
#define GRE_KEY 0x2000
#define UDP_VXLAN 4789
#define UDP_GENEVE 6081
#define UDP_L2TP 1701
#define TUNNEL_SPORT 50000
#define VXLAN_I 0x08
#define GENEVE_OPT_LEN 2 /* 8 bytes of options */
#define MPLS_BOS 0x100
#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR 16
#define UDP_HDR_LEN 8

static void eth_hdr(ew_buf *b, unsigned type)
{
    fill(b, 40, 2 * ETH_ALEN);
    put16(b, type);
}

static void ipv4_hdr(ew_buf *b, unsigned proto, size_t payload)
{
    put8(b, IPV4_IHL_MIN);
    put8(b, 0);
    put16(b, (unsigned)(IPV4_HDR + payload));
    put16(b, 1);
    put16(b, IPV4_DF);
    put8(b, IP_TTL);
    put8(b, proto);
    put16(b, 0);
    put(b, "\xc0\xa8\x01\x01\xc0\xa8\x01\x02", 8);
}

static void udp_hdr(ew_buf *b, unsigned dport, size_t payload)
{
    put16(b, TUNNEL_SPORT);
    put16(b, dport);
    put16(b, (unsigned)(UDP_HDR_LEN + payload));
    put16(b, 0);
}

/* The tunnel's bytes around inner (an IP packet): what follows the outer
 * Ethernet header, and that header's type. */
static unsigned wrap_packet(wrap w, const uint8_t *inner, size_t n, ew_buf *out)
{
    ew_buf t = {0};
    unsigned type = ETH_IPV4;
    switch (w) {
    case WRAP_PPPOE:
        put8(out, 0x11);
        put8(out, 0);
        put16(out, 0x1234);
        put16(out, (unsigned)(n + 2));
        put16(out, PPP_IPV4);
        put(out, inner, n);
        type = ETH_PPPOE;
        break;
    case WRAP_MPLS:
        put32(out, 100u << 12);
        put32(out, 200u << 12 | MPLS_BOS);
        put(out, inner, n);
        type = ETH_MPLS;
        break;
    case WRAP_IPIP:
    case WRAP_6IN4:
        ipv4_hdr(out, w == WRAP_IPIP ? IP_PROTO_IPIP : IP_PROTO_IPV6, n);
        put(out, inner, n);
        break;
    case WRAP_GRE:
    case WRAP_GRETAP:
        if (w == WRAP_GRETAP)
            eth_hdr(&t, ETH_IPV4);
        put(&t, inner, n);
        ipv4_hdr(out, IP_PROTO_GRE, 8 + t.len);
        put16(out, GRE_KEY);
        put16(out, w == WRAP_GRE ? ETH_IPV4 : ETH_TEB);
        put32(out, 42);
        put(out, t.p, t.len);
        break;
    case WRAP_VXLAN:
    case WRAP_GENEVE:
    case WRAP_L2TP: {
        eth_hdr(&t, ETH_IPV4);
        put(&t, inner, n);
        size_t hl = w == WRAP_GENEVE ? 8 + 4 * GENEVE_OPT_LEN : 8;
        ipv4_hdr(out, IP_PROTO_UDP, UDP_HDR_LEN + hl + t.len);
        udp_hdr(out, w == WRAP_VXLAN ? UDP_VXLAN : w == WRAP_GENEVE ? UDP_GENEVE : UDP_L2TP,
                hl + t.len);
        put8(out, w == WRAP_GENEVE ? GENEVE_OPT_LEN : VXLAN_I);
        put8(out, 0);
        put16(out, w == WRAP_GENEVE ? ETH_TEB : 0);
        put32(out, 7u << 8);
        fill(out, 41, hl - 8);
        put(out, t.p, t.len);
        break;
    }
    case WRAP_NESTED: {
        ew_buf v = {0};
        eth_hdr(&v, ETH_IPV4);
        wrap_packet(WRAP_VXLAN, inner, n, &v);
        ipv4_hdr(out, IP_PROTO_GRE, 4 + v.len);
        put16(out, 0);
        put16(out, ETH_TEB);
        put(out, v.p, v.len);
        ew_buf_free(&v);
        break;
    }
    default:
        break;
    }
    ew_buf_free(&t);
    return type;
}

START_TEST(test_encapsulations)
{
    wrap w = (wrap)_i;
    script s;
    script_make(&s, SNI_NAME, 0, 0);
    cap raw;
    cap_open(&raw, FMT_PCAP, LT_RAW, SNAPLEN);
    conn k;
    conn_init(&k, &raw, w == WRAP_6IN4 ? 6 : 4, CLIENT_PORT, SERVER_PORT, CLIENT_ISN, SERVER_ISN);
    conn_full(&k, &s);
    cap c;
    cap_open(&c, FMT_PCAP, LT_EN10MB, SNAPLEN);
    size_t npk = 0;
    for (size_t at = PCAP_FILE_HDR; at + PCAP_REC_HDR <= raw.b.len; npk++) {
        const uint8_t *h = (const uint8_t *)raw.b.p + at;
        uint32_t len = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16;
        int64_t ts = ((int64_t)(h[0] | h[1] << 8 | h[2] << 16 | (uint32_t)h[3] << 24)) * 1000000 +
                     (h[4] | h[5] << 8 | h[6] << 16);
        ew_buf frm = {0}, body = {0};
        unsigned type = wrap_packet(w, h + PCAP_REC_HDR, len, &body);
        eth_hdr(&frm, type);
        put(&frm, body.p, body.len);
        cap_record(&c, ts, frm.p, frm.len, frm.len);
        ew_buf_free(&frm);
        ew_buf_free(&body);
        at += PCAP_REC_HDR + len;
    }
    ew_buf_free(&raw.b);
    run r = {0};
    run_cap(&c, NULL, &r);
    ck_assert_uint_eq(r.st.malformed, 0);
    if (w == WRAP_L2TP) {
        ck_assert_uint_eq(r.n, 0);
        ck_assert_uint_eq(r.st.encap_unread, npk);
        char want[64];
        snprintf(want, sizeof want, "L2TP: %zu", npk);
        ck_assert_str_eq(r.st_feed.why_encap, want);
    } else {
        ck_assert_uint_eq(r.n, 1);
        expect_tls12(&r.v[0].hs, &s, SNI_NAME);
        expect_ep(&r.v[0].hs.server, w == WRAP_6IN4 ? "2001:db8::1" : "10.48.36.215", SERVER_PORT);
        ck_assert_uint_eq(r.st.encap_unread, 0);
        ck_assert_uint_eq(r.st.tcp_segments, npk);
    }
    run_free(&r);
    script_free(&s);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("capture");
    TCase *link = tcase_create("link");
    tcase_add_checked_fixture(link, tmp_setup, tmp_teardown);
    tcase_add_loop_test(link, test_link_layers, 0, (int)EW_ARRAY_LEN(link_cases));
    tcase_add_test(link, test_skipped_and_malformed);
    tcase_add_test(link, test_addr_str);
    tcase_add_loop_test(link, test_encapsulations, 0, WRAP_COUNT);
    suite_add_tcase(s, link);

    TCase *tcp = tcase_create("tcp");
    tcase_add_checked_fixture(tcp, tmp_setup, tmp_teardown);
    tcase_set_timeout(tcp, 120);
    tcase_add_test(tcp, test_in_order);
    tcase_add_test(tcp, test_out_of_order);
    tcase_add_test(tcp, test_duplicates);
    tcase_add_test(tcp, test_overlaps);
    tcase_add_test(tcp, test_one_byte_segments);
    tcase_add_test(tcp, test_wraparound);
    tcase_add_test(tcp, test_giant_segment);
    tcase_add_test(tcp, test_tiny_records);
    tcase_add_test(tcp, test_gap);
    tcase_add_test(tcp, test_reused_tuple);
    tcase_add_test(tcp, test_no_syn);
    tcase_add_test(tcp, test_eviction);
    tcase_add_test(tcp, test_many_connections);
    tcase_add_test(tcp, test_too_many_holes);
    tcase_add_test(tcp, test_rst);
    tcase_add_test(tcp, test_rst_in_flight);
    tcase_add_test(tcp, test_midstream);
    suite_add_tcase(s, tcp);

    TCase *tls = tcase_create("tls");
    tcase_add_checked_fixture(tls, tmp_setup, tmp_teardown);
    tcase_set_timeout(tls, 120);
    tcase_add_test(tls, test_tls13);
    tcase_add_test(tls, test_hello_retry);
    tcase_add_test(tls, test_resumed);
    tcase_add_test(tls, test_alert);
    tcase_add_test(tls, test_sni_absent);
    tcase_add_test(tls, test_client_certificate);
    tcase_add_test(tls, test_client_only);
    tcase_add_test(tls, test_not_tls);
    tcase_add_loop_test(tls, test_lying_lengths, 0, LIE_COUNT);
    tcase_add_test(tls, test_lying_client_hello);
    tcase_add_test(tls, test_cut_at_close);
    tcase_add_test(tls, test_chain_limits);
    tcase_add_test(tls, test_damaged_flights);
    tcase_add_loop_test(tls, test_preamble, 0, 2 * (int)EW_ARRAY_LEN(preambles));
    tcase_add_test(tls, test_search_bounded);
    tcase_add_test(tls, test_tls13_drafts);
    tcase_add_test(tls, test_big_certificate);
    suite_add_tcase(s, tls);

    TCase *files = tcase_create("files");
    tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
    tcase_add_test(files, test_pcapng_blocks);
    tcase_add_test(files, test_files_in_sequence);
    tcase_add_test(files, test_truncated);
    tcase_add_test(files, test_not_a_capture);
    tcase_add_test(files, test_unknown_link_type);
    tcase_add_test(files, test_caplen_over_snaplen);
    tcase_add_test(files, test_snaplen_cut);
    tcase_add_test(files, test_callback_stops);
    tcase_add_test(files, test_defaults_and_nothing);
    tcase_add_test(files, test_ring_of_files);
    suite_add_tcase(s, files);
    return s;
}
