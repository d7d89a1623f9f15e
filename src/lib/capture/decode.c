/* decode.c - one capture record to a TCP segment: the link layer (802.1Q
 * and 802.1ad tags, PPPoE sessions, MPLS), IPv4 or IPv6 (extension
 * headers), the tunnels that hypervisors and cloud hosts capture (IP-in-IP,
 * 6in4, GRE, VXLAN, GENEVE: the inner packet is decoded), then TCP; in
 * place, every length bounded by the bytes captured. Encapsulations that
 * are not decoded are counted per kind, never dropped silently. */
#include "capture/capture_int.h"

#include <pcap/pcap.h>
#include <stdio.h>

/* Link types not named by every dlt.h. */
#define EW_LINKTYPE_RAW 101
#define EW_DLT_IPV4 228
#define EW_DLT_IPV6 229
#define EW_DLT_LINUX_SLL2 276

/* Link headers. */
#define EW_ETH_HDR 14
#define EW_ETH_TYPE_AT 12
#define EW_VLAN_TAG 4
#define EW_VLAN_TYPE_AT 2 /* after the tag control information */
#define EW_SLL_HDR 16
#define EW_SLL_PROTO_AT 14
#define EW_SLL2_HDR 20
#define EW_SLL2_PROTO_AT 0
#define EW_NULL_HDR 4

#define EW_ETHERTYPE_IPV4 0x0800u
#define EW_ETHERTYPE_IPV6 0x86ddu
#define EW_ETHERTYPE_VLAN 0x8100u   /* 802.1Q */
#define EW_ETHERTYPE_QINQ 0x88a8u   /* 802.1ad */
#define EW_ETHERTYPE_QINQ_OLD 0x9100u
#define EW_ETHERTYPE_PPPOE 0x8864u  /* PPPoE session stage */
#define EW_ETHERTYPE_MPLS 0x8847u
#define EW_ETHERTYPE_MPLS_MC 0x8848u
#define EW_ETHERTYPE_TEB 0x6558u    /* Ethernet inside GRE or GENEVE */

/* PPPoE session: version/type, code, session, length; then PPP's protocol. */
#define EW_PPPOE_HDR 6
#define EW_PPPOE_VER_TYPE 0x11u
#define EW_PPP_PROTO_LEN 2
#define EW_PPP_IPV4 0x0021u
#define EW_PPP_IPV6 0x0057u
/* MPLS: 4-byte labels, the last with the bottom-of-stack bit. */
#define EW_MPLS_LABEL 4
#define EW_MPLS_BOS 0x100u
#define EW_MPLS_MAX_LABELS 8

/* BSD loopback: the address family, in either byte order. */
#define EW_BSD_AF_INET 2
#define EW_BSD_AF_INET6_NETBSD 24
#define EW_BSD_AF_INET6_FREEBSD 28
#define EW_BSD_AF_INET6_DARWIN 30

/* IP. */
#define EW_IP_VERSION_SHIFT 4
#define EW_IPV4_VERSION 4
#define EW_IPV6_VERSION 6
#define EW_IPV4_IHL_MASK 0x0fu
#define EW_IPV4_IHL_UNIT 4
#define EW_IPV4_HDR_MIN 20
#define EW_IPV4_TOTLEN_AT 2
#define EW_IPV4_FRAG_AT 6
#define EW_IPV4_PROTO_AT 9
#define EW_IPV4_SRC_AT 12
#define EW_IPV4_DST_AT 16
#define EW_IPV4_MF 0x2000u
#define EW_IPV4_OFFSET_MASK 0x1fffu
#define EW_IPV6_HDR 40
#define EW_IPV6_PLEN_AT 4
#define EW_IPV6_NEXT_AT 6
#define EW_IPV6_SRC_AT 8
#define EW_IPV6_DST_AT 24
#define EW_IPV6_EXT_UNIT 8   /* hop-by-hop, routing, destination: 8-byte units */
#define EW_IPV6_AH_UNIT 4    /* AH: 4-byte units, less 2 */
#define EW_IPV6_AH_EXTRA 2
#define EW_IPV6_FRAG_HDR 8
#define EW_IPV6_FRAG_OFF_AT 2
#define EW_IPV6_FRAG_OFFSET_MASK 0xfff8u
#define EW_IPV6_FRAG_M 0x0001u

#define EW_PROTO_HOPOPTS 0
#define EW_PROTO_IPIP 4
#define EW_PROTO_TCP 6
#define EW_PROTO_UDP 17
#define EW_PROTO_IPV6 41
#define EW_PROTO_GRE 47
#define EW_PROTO_ESP 50
#define EW_PROTO_ROUTING 43
#define EW_PROTO_FRAGMENT 44
#define EW_PROTO_AH 51
#define EW_PROTO_DSTOPTS 60

/* TCP. */
#define EW_TCP_HDR_MIN 20
#define EW_TCP_SPORT_AT 0
#define EW_TCP_DPORT_AT 2
#define EW_TCP_SEQ_AT 4
#define EW_TCP_OFF_AT 12
#define EW_TCP_FLAGS_AT 13
#define EW_TCP_OFF_SHIFT 4
#define EW_TCP_OFF_UNIT 4

/* UDP and the tunnels in it, by destination port. */
#define EW_UDP_HDR 8
#define EW_UDP_DPORT_AT 2
#define EW_PORT_VXLAN 4789
#define EW_PORT_VXLAN_LINUX 8472 /* Linux's default before IANA's port */
#define EW_PORT_VXLAN_GPE 4790
#define EW_PORT_GENEVE 6081
#define EW_PORT_L2TP 1701
#define EW_PORT_GTPU 2152
#define EW_PORT_TEREDO 3544
#define EW_PORT_NATT 4500
#define EW_VXLAN_HDR 8
#define EW_VXLAN_FLAG_I 0x08u
#define EW_GENEVE_HDR 8
#define EW_GENEVE_VER_SHIFT 6
#define EW_GENEVE_OPT_MASK 0x3fu
#define EW_GENEVE_OPT_UNIT 4
#define EW_GENEVE_PROTO_AT 2
/* GRE (RFC 2784, 2890): flags and version, protocol, optional fields. */
#define EW_GRE_HDR 4
#define EW_GRE_C 0x8000u
#define EW_GRE_R 0x4000u
#define EW_GRE_K 0x2000u
#define EW_GRE_S 0x1000u
#define EW_GRE_VERSION_MASK 0x0007u
#define EW_GRE_OPT 4
/* Tunnels inside tunnels: how deep a packet is decoded. */
#define EW_ENCAP_MAX_DEPTH 4

#define EW_USEC_PER_SEC 1000000
/* Record times are clamped to year 9999 either side of 1970: a lying pcapng
 * timestamp must not overflow microseconds. */
#define EW_TS_MAX_SEC INT64_C(253402300799)

/* What a header carries next. */
typedef enum ew_l3 {
    EW_L3_IPV4,
    EW_L3_IPV6,
    EW_L3_ETH,    /* an Ethernet frame (inside a tunnel) */
    EW_L3_OTHER,  /* not IP: skipped */
    EW_L3_BAD,
    EW_L3_UNREAD  /* an encapsulation not decoded: counted by kind */
} ew_l3;

static const char *const ew_encap_names[EW_ENCAP_KINDS] = {
    [EW_ENCAP_ESP] = "IPsec ESP",
    [EW_ENCAP_GRE_OTHER] = "GRE or GENEVE carrying neither IP nor Ethernet (ERSPAN, PPTP, ...)",
    [EW_ENCAP_MPLS] = "MPLS not carrying IP",
    [EW_ENCAP_L2TP] = "L2TP",
    [EW_ENCAP_GTPU] = "GTP-U",
    [EW_ENCAP_TEREDO] = "Teredo",
    [EW_ENCAP_NATT] = "ESP in UDP",
    [EW_ENCAP_VXLAN_GPE] = "VXLAN-GPE",
    [EW_ENCAP_TOO_DEEP] = "tunnels nested more than 4 deep",
};

bool ew_dlt_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case EW_DLT_LINUX_SLL2:
    case DLT_RAW:
    case EW_LINKTYPE_RAW:
    case EW_DLT_IPV4:
    case EW_DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
        return true;
    default:
        return false;
    }
}

/* MPLS labels down to the bottom of the stack; IP is told by its version. */
static ew_l3 ew_mpls(const uint8_t *p, size_t n, size_t *off, ew_encap_kind *k)
{
    for (int i = 0; i < EW_MPLS_MAX_LABELS; i++) {
        if (n - *off < EW_MPLS_LABEL)
            return EW_L3_BAD;
        uint32_t label = ew_be32(p + *off);
        *off += EW_MPLS_LABEL;
        if (!(label & EW_MPLS_BOS))
            continue;
        int v = *off < n ? p[*off] >> EW_IP_VERSION_SHIFT : 0;
        if (v == EW_IPV4_VERSION)
            return EW_L3_IPV4;
        if (v == EW_IPV6_VERSION)
            return EW_L3_IPV6;
        break;
    }
    *k = EW_ENCAP_MPLS;
    return EW_L3_UNREAD;
}

static ew_l3 ew_ethertype(const uint8_t *p, size_t n, size_t *off, size_t type_at,
                          ew_encap_kind *k)
{
    uint16_t type = ew_be16(p + type_at);
    /* Tags may be stacked (QinQ): each one carries the next type. */
    while (type == EW_ETHERTYPE_VLAN || type == EW_ETHERTYPE_QINQ ||
           type == EW_ETHERTYPE_QINQ_OLD) {
        if (n - *off < EW_VLAN_TAG)
            return EW_L3_BAD;
        type = ew_be16(p + *off + EW_VLAN_TYPE_AT);
        *off += EW_VLAN_TAG;
    }
    if (type == EW_ETHERTYPE_PPPOE) {
        if (n - *off < EW_PPPOE_HDR + EW_PPP_PROTO_LEN || p[*off] != EW_PPPOE_VER_TYPE)
            return EW_L3_BAD;
        uint16_t ppp = ew_be16(p + *off + EW_PPPOE_HDR);
        *off += EW_PPPOE_HDR + EW_PPP_PROTO_LEN;
        /* Anything else is PPP's own control traffic (LCP, IPCP, ...). */
        return ppp == EW_PPP_IPV4 ? EW_L3_IPV4 : ppp == EW_PPP_IPV6 ? EW_L3_IPV6 : EW_L3_OTHER;
    }
    if (type == EW_ETHERTYPE_MPLS || type == EW_ETHERTYPE_MPLS_MC)
        return ew_mpls(p, n, off, k);
    if (type == EW_ETHERTYPE_IPV4)
        return EW_L3_IPV4;
    if (type == EW_ETHERTYPE_IPV6)
        return EW_L3_IPV6;
    return EW_L3_OTHER;
}

static ew_l3 ew_ip_version(const uint8_t *p, size_t n, int want)
{
    if (n < 1)
        return EW_L3_BAD;
    int v = p[0] >> EW_IP_VERSION_SHIFT;
    if ((v == EW_IPV4_VERSION || v == EW_IPV6_VERSION) && (want == 0 || v == want))
        return v == EW_IPV4_VERSION ? EW_L3_IPV4 : EW_L3_IPV6;
    return EW_L3_BAD;
}

static bool ew_bsd_inet6(uint32_t af)
{
    return af == EW_BSD_AF_INET6_NETBSD || af == EW_BSD_AF_INET6_FREEBSD ||
           af == EW_BSD_AF_INET6_DARWIN;
}

/* The link header: what follows it, and where. */
static ew_l3 ew_link(int dlt, const uint8_t *p, size_t n, size_t *off, ew_encap_kind *k)
{
    *off = 0;
    switch (dlt) {
    case DLT_EN10MB:
        if (n < EW_ETH_HDR)
            return EW_L3_BAD;
        *off = EW_ETH_HDR;
        return ew_ethertype(p, n, off, EW_ETH_TYPE_AT, k);
    case DLT_LINUX_SLL:
        if (n < EW_SLL_HDR)
            return EW_L3_BAD;
        *off = EW_SLL_HDR;
        return ew_ethertype(p, n, off, EW_SLL_PROTO_AT, k);
    case EW_DLT_LINUX_SLL2:
        if (n < EW_SLL2_HDR)
            return EW_L3_BAD;
        *off = EW_SLL2_HDR;
        return ew_ethertype(p, n, off, EW_SLL2_PROTO_AT, k);
    case EW_DLT_IPV4:
        return ew_ip_version(p, n, EW_IPV4_VERSION);
    case EW_DLT_IPV6:
        return ew_ip_version(p, n, EW_IPV6_VERSION);
    case DLT_NULL:
    case DLT_LOOP: {
        if (n < EW_NULL_HDR)
            return EW_L3_BAD;
        *off = EW_NULL_HDR;
        /* Host order of the machine that captured, or network order. */
        uint32_t le = ew_le32(p), be = ew_be32(p);
        if (le == EW_BSD_AF_INET || be == EW_BSD_AF_INET)
            return EW_L3_IPV4;
        if (ew_bsd_inet6(le) || ew_bsd_inet6(be))
            return EW_L3_IPV6;
        return EW_L3_OTHER;
    }
    default: /* DLT_RAW and LINKTYPE_RAW */
        return ew_ip_version(p, n, 0);
    }
}

/* A tunnel's payload, named by an ethertype (GRE, GENEVE). */
static ew_l3 ew_payload_type(uint16_t type, const uint8_t *p, size_t n, size_t *off,
                             ew_encap_kind *k)
{
    switch (type) {
    case EW_ETHERTYPE_IPV4:
        return EW_L3_IPV4;
    case EW_ETHERTYPE_IPV6:
        return EW_L3_IPV6;
    case EW_ETHERTYPE_TEB:
        return EW_L3_ETH;
    case EW_ETHERTYPE_MPLS:
    case EW_ETHERTYPE_MPLS_MC:
        return ew_mpls(p, n, off, k);
    default:
        *k = EW_ENCAP_GRE_OTHER;
        return EW_L3_UNREAD;
    }
}

/* GRE: version 0, without the old routing field. */
static ew_l3 ew_gre(const uint8_t *p, size_t n, size_t *off, ew_encap_kind *k)
{
    if (n < EW_GRE_HDR)
        return EW_L3_BAD;
    uint16_t flags = ew_be16(p);
    if ((flags & EW_GRE_VERSION_MASK) != 0 || (flags & EW_GRE_R)) {
        *k = EW_ENCAP_GRE_OTHER; /* PPTP's enhanced GRE, source routes */
        return EW_L3_UNREAD;
    }
    size_t at = EW_GRE_HDR;
    at += (flags & EW_GRE_C) ? EW_GRE_OPT : 0;
    at += (flags & EW_GRE_K) ? EW_GRE_OPT : 0;
    at += (flags & EW_GRE_S) ? EW_GRE_OPT : 0;
    if (n < at)
        return EW_L3_BAD;
    *off = at;
    return ew_payload_type(ew_be16(p + 2), p, n, off, k);
}

/* UDP to a tunnel's port; other UDP is skipped. */
static ew_l3 ew_udp(const uint8_t *p, size_t n, size_t *off, ew_encap_kind *k)
{
    if (n < EW_UDP_HDR)
        return EW_L3_BAD;
    const uint8_t *q = p + EW_UDP_HDR;
    size_t m = n - EW_UDP_HDR;
    switch (ew_be16(p + EW_UDP_DPORT_AT)) {
    case EW_PORT_VXLAN:
    case EW_PORT_VXLAN_LINUX:
        if (m < EW_VXLAN_HDR || !(q[0] & EW_VXLAN_FLAG_I))
            return EW_L3_OTHER; /* not VXLAN after all */
        *off = EW_UDP_HDR + EW_VXLAN_HDR;
        return EW_L3_ETH;
    case EW_PORT_GENEVE: {
        if (m < EW_GENEVE_HDR || (q[0] >> EW_GENEVE_VER_SHIFT) != 0)
            return EW_L3_OTHER;
        size_t hl = EW_GENEVE_HDR + (size_t)(q[0] & EW_GENEVE_OPT_MASK) * EW_GENEVE_OPT_UNIT;
        if (m < hl)
            return EW_L3_BAD;
        *off = EW_UDP_HDR + hl;
        return ew_payload_type(ew_be16(q + EW_GENEVE_PROTO_AT), p, n, off, k);
    }
    case EW_PORT_NATT:
        /* A zero marker is IKE, a single 0xff a keepalive: not ESP. */
        if (m < EW_GRE_OPT || ew_be32(q) == 0)
            return EW_L3_OTHER;
        *k = EW_ENCAP_NATT;
        return EW_L3_UNREAD;
    case EW_PORT_L2TP: *k = EW_ENCAP_L2TP; return EW_L3_UNREAD;
    case EW_PORT_GTPU: *k = EW_ENCAP_GTPU; return EW_L3_UNREAD;
    case EW_PORT_TEREDO: *k = EW_ENCAP_TEREDO; return EW_L3_UNREAD;
    case EW_PORT_VXLAN_GPE: *k = EW_ENCAP_VXLAN_GPE; return EW_L3_UNREAD;
    default:
        return EW_L3_OTHER;
    }
}

/* What an IP payload of protocol proto carries, at *off in p. */
static ew_l3 ew_tunnel(uint8_t proto, const uint8_t *p, size_t n, size_t *off, ew_encap_kind *k)
{
    *off = 0;
    switch (proto) {
    case EW_PROTO_IPIP:
        return ew_ip_version(p, n, EW_IPV4_VERSION);
    case EW_PROTO_IPV6:
        return ew_ip_version(p, n, EW_IPV6_VERSION);
    case EW_PROTO_GRE:
        return ew_gre(p, n, off, k);
    case EW_PROTO_UDP:
        return ew_udp(p, n, off, k);
    case EW_PROTO_ESP:
        *k = EW_ENCAP_ESP;
        return EW_L3_UNREAD;
    default:
        return EW_L3_OTHER;
    }
}

typedef enum ew_dec { EW_DEC_L4, EW_DEC_SKIP, EW_DEC_BAD } ew_dec;

/* The IP payload: its protocol, where it starts, the bytes captured of it
 * and how many the header says. */
typedef struct ew_l4 {
    uint8_t proto;
    size_t at, n, wire;
} ew_l4;

/* IPv4: fills the addresses and *l4. */
static ew_dec ew_ipv4(const uint8_t *p, size_t n, ew_tcp_seg *s, ew_l4 *l4)
{
    if (n < EW_IPV4_HDR_MIN || p[0] >> EW_IP_VERSION_SHIFT != EW_IPV4_VERSION)
        return EW_DEC_BAD;
    size_t ihl = (size_t)(p[0] & EW_IPV4_IHL_MASK) * EW_IPV4_IHL_UNIT;
    size_t total = ew_be16(p + EW_IPV4_TOTLEN_AT);
    /* Segmentation offload captures may leave the total length 0. */
    if (total == 0)
        total = n;
    if (ihl < EW_IPV4_HDR_MIN || ihl > n || total < ihl)
        return EW_DEC_BAD;
    uint16_t frag = ew_be16(p + EW_IPV4_FRAG_AT);
    if ((frag & EW_IPV4_OFFSET_MASK) || (frag & EW_IPV4_MF))
        return EW_DEC_SKIP; /* a fragment: what it carries is not whole here */
    s->af = EW_IPV4_VERSION;
    s->src = p + EW_IPV4_SRC_AT;
    s->dst = p + EW_IPV4_DST_AT;
    l4->proto = p[EW_IPV4_PROTO_AT];
    l4->at = ihl;
    l4->n = EW_MIN(total, n) - ihl; /* padding after total is not the payload */
    l4->wire = total - ihl;
    return EW_DEC_L4;
}

/* IPv6 and its extension headers, up to the payload. */
static ew_dec ew_ipv6(const uint8_t *p, size_t n, ew_tcp_seg *s, ew_l4 *l4)
{
    if (n < EW_IPV6_HDR || p[0] >> EW_IP_VERSION_SHIFT != EW_IPV6_VERSION)
        return EW_DEC_BAD;
    size_t total = EW_IPV6_HDR + (size_t)ew_be16(p + EW_IPV6_PLEN_AT);
    /* A jumbogram or an offloaded segment says 0: take what was captured. */
    if (total == EW_IPV6_HDR)
        total = n;
    size_t end = EW_MIN(total, n);
    uint8_t next = p[EW_IPV6_NEXT_AT];
    size_t at = EW_IPV6_HDR;
    for (;;) {
        size_t len;
        switch (next) {
        case EW_PROTO_HOPOPTS:
        case EW_PROTO_ROUTING:
        case EW_PROTO_DSTOPTS:
            if (end - at < 2)
                return EW_DEC_BAD;
            len = ((size_t)p[at + 1] + 1) * EW_IPV6_EXT_UNIT;
            break;
        case EW_PROTO_FRAGMENT: {
            if (end - at < EW_IPV6_FRAG_HDR)
                return EW_DEC_BAD;
            uint16_t off = ew_be16(p + at + EW_IPV6_FRAG_OFF_AT);
            /* Only an unfragmented "atomic" fragment holds a whole payload. */
            if ((off & EW_IPV6_FRAG_OFFSET_MASK) || (off & EW_IPV6_FRAG_M))
                return EW_DEC_SKIP;
            len = EW_IPV6_FRAG_HDR;
            break;
        }
        case EW_PROTO_AH:
            if (end - at < 2)
                return EW_DEC_BAD;
            len = ((size_t)p[at + 1] + EW_IPV6_AH_EXTRA) * EW_IPV6_AH_UNIT;
            break;
        default: /* TCP, a tunnel, or nothing for us */
            s->af = EW_IPV6_VERSION;
            s->src = p + EW_IPV6_SRC_AT;
            s->dst = p + EW_IPV6_DST_AT;
            l4->proto = next;
            l4->at = at;
            l4->n = end - at;
            l4->wire = total - at;
            return EW_DEC_L4;
        }
        if (end - at < len)
            return EW_DEC_BAD;
        next = p[at];
        at += len;
    }
}

/* The TCP header at tcp (l4 says how much of it there is). */
static bool ew_tcp_header(const struct pcap_pkthdr *ph, const uint8_t *tcp, const ew_l4 *l4,
                          ew_capture_stats *st, ew_tcp_seg *s)
{
    if (l4->n < EW_TCP_HDR_MIN) {
        ew_cap_malformed(st, "TCP header cut: only %zu of its %d bytes or more captured", l4->n,
                         EW_TCP_HDR_MIN);
        return false;
    }
    size_t doff = (size_t)(tcp[EW_TCP_OFF_AT] >> EW_TCP_OFF_SHIFT) * EW_TCP_OFF_UNIT;
    if (doff < EW_TCP_HDR_MIN || doff > l4->n) {
        ew_cap_malformed(st, "TCP header length %zu, with %zu bytes of TCP captured", doff, l4->n);
        return false;
    }
    st->tcp_segments++;
    s->sport = ew_be16(tcp + EW_TCP_SPORT_AT);
    s->dport = ew_be16(tcp + EW_TCP_DPORT_AT);
    s->seq = ew_be32(tcp + EW_TCP_SEQ_AT);
    s->flags = tcp[EW_TCP_FLAGS_AT];
    s->data = tcp + doff;
    s->len = l4->n - doff;
    s->wire_len = l4->wire > doff ? EW_MAX(l4->wire - doff, s->len) : s->len;
    s->ts = ew_record_ts(ph);
    return true;
}

int64_t ew_record_ts(const struct pcap_pkthdr *ph)
{
    /* Clamped to year 9999: a crafted time must not overflow. */
    int64_t sec = EW_MIN(EW_MAX((int64_t)ph->ts.tv_sec, -EW_TS_MAX_SEC), EW_TS_MAX_SEC);
    return sec * EW_USEC_PER_SEC + (int64_t)ph->ts.tv_usec;
}

/* A layer that is neither IP nor Ethernet ends the decoding: false. */
static bool ew_layer_ends(ew_cap_env *env, ew_l3 l3, ew_encap_kind k, int dlt, size_t n,
                          int depth)
{
    ew_capture_stats *st = &env->st;
    if (l3 == EW_L3_OTHER) {
        st->skipped++;
    } else if (l3 == EW_L3_UNREAD) {
        env->encap[k]++;
        st->encap_unread++;
    } else if (l3 == EW_L3_BAD && depth == 0) {
        const char *name = pcap_datalink_val_to_name(dlt);
        ew_cap_malformed(st, "%zu bytes captured: too short for its link-layer header (%s), or "
                             "not the IP version that header says",
                         n, name ? name : "?");
    } else if (l3 == EW_L3_BAD) {
        ew_cap_malformed(st, "%zu bytes captured: an encapsulated packet's headers do not fit "
                             "them, or its IP version is not the one its tunnel says",
                         n);
    } else {
        return true;
    }
    return false;
}

bool ew_decode_record(int dlt, const struct pcap_pkthdr *ph, const uint8_t *p, ew_cap_env *env,
                      ew_tcp_seg *out)
{
    ew_capture_stats *st = &env->st;
    size_t n = ph->caplen, off, inner;
    ew_encap_kind kind = EW_ENCAP_TOO_DEEP;
    ew_l3 l3 = ew_link(dlt, p, n, &off, &kind);
    ew_tcp_seg s;
    memset(&s, 0, sizeof s);
    ew_l4 l4;
    for (int depth = 0;; depth++) {
        if (l3 == EW_L3_ETH) {
            l3 = ew_link(DLT_EN10MB, p + off, n - off, &inner, &kind);
            off += inner;
        }
        if (!ew_layer_ends(env, l3, kind, dlt, ph->caplen, depth))
            return false;
        ew_dec dec = l3 == EW_L3_IPV4 ? ew_ipv4(p + off, n - off, &s, &l4)
                                      : ew_ipv6(p + off, n - off, &s, &l4);
        if (dec == EW_DEC_BAD) {
            ew_cap_malformed(st, "IPv%d header inconsistent: its lengths do not fit the %zu "
                                 "bytes captured after the %s header",
                             l3 == EW_L3_IPV4 ? EW_IPV4_VERSION : EW_IPV6_VERSION, n - off,
                             depth ? "tunnel's" : "link-layer");
            return false;
        }
        if (dec == EW_DEC_SKIP) {
            st->skipped++;
            return false;
        }
        if (l4.proto == EW_PROTO_TCP)
            break;
        l3 = depth < EW_ENCAP_MAX_DEPTH ? ew_tunnel(l4.proto, p + off + l4.at, l4.n, &inner, &kind)
                                        : EW_L3_UNREAD;
        if (depth >= EW_ENCAP_MAX_DEPTH)
            kind = EW_ENCAP_TOO_DEEP;
        /* The inner packet ends where the outer payload's captured bytes do. */
        n = off + l4.at + l4.n;
        off += l4.at + inner;
    }
    if (!ew_tcp_header(ph, p + off + l4.at, &l4, st, &s))
        return false;
    *out = s;
    return true;
}

void ew_cap_encap_why(ew_cap_env *env)
{
    char *w = env->st.why_encap;
    size_t used = 0;
    w[0] = '\0';
    for (int k = 0; k < EW_ENCAP_KINDS; k++) {
        uint64_t n = env->encap[k] - env->encap_told[k];
        if (n == 0 || used >= EW_CAP_WHY_MAX)
            continue;
        int r = snprintf(w + used, EW_CAP_WHY_MAX - used, "%s%s: %llu", used ? ", " : "",
                         ew_encap_names[k], (unsigned long long)n);
        if (r < 0)
            break;
        used += (size_t)r;
    }
    memcpy(env->encap_told, env->encap, sizeof env->encap_told);
}
