/* decode.c - one capture record to a TCP segment: the link layer, IPv4 or
 * IPv6 (extension headers), TCP, decoded in place, every length bounded by
 * the bytes captured. */
#include "capture/capture_int.h"

#include <pcap/pcap.h>

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
#define EW_PROTO_TCP 6
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

#define EW_USEC_PER_SEC 1000000
/* Record times are clamped to year 9999 either side of 1970: a lying pcapng
 * timestamp must not overflow microseconds. */
#define EW_TS_MAX_SEC INT64_C(253402300799)

/* What the link layer carries. */
typedef enum ew_l3 { EW_L3_IPV4, EW_L3_IPV6, EW_L3_OTHER, EW_L3_BAD } ew_l3;

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

static ew_l3 ew_ethertype(const uint8_t *p, size_t n, size_t *off, size_t type_at)
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
static ew_l3 ew_link(int dlt, const uint8_t *p, size_t n, size_t *off)
{
    *off = 0;
    switch (dlt) {
    case DLT_EN10MB:
        if (n < EW_ETH_HDR)
            return EW_L3_BAD;
        *off = EW_ETH_HDR;
        return ew_ethertype(p, n, off, EW_ETH_TYPE_AT);
    case DLT_LINUX_SLL:
        if (n < EW_SLL_HDR)
            return EW_L3_BAD;
        *off = EW_SLL_HDR;
        return ew_ethertype(p, n, off, EW_SLL_PROTO_AT);
    case EW_DLT_LINUX_SLL2:
        if (n < EW_SLL2_HDR)
            return EW_L3_BAD;
        *off = EW_SLL2_HDR;
        return ew_ethertype(p, n, off, EW_SLL2_PROTO_AT);
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

typedef enum ew_dec { EW_DEC_TCP, EW_DEC_SKIP, EW_DEC_BAD } ew_dec;

/* IPv4: fills the addresses; *tcp and *tcp_n are the captured TCP bytes,
 * *wire_n how many the header says. */
static ew_dec ew_ipv4(const uint8_t *p, size_t n, ew_tcp_seg *s, size_t *tcp_at, size_t *tcp_n,
                      size_t *wire_n)
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
        return EW_DEC_SKIP; /* a fragment: its TCP header is not whole here */
    if (p[EW_IPV4_PROTO_AT] != EW_PROTO_TCP)
        return EW_DEC_SKIP;
    s->af = EW_IPV4_VERSION;
    s->src = p + EW_IPV4_SRC_AT;
    s->dst = p + EW_IPV4_DST_AT;
    *tcp_at = ihl;
    *tcp_n = EW_MIN(total, n) - ihl; /* padding after total is not TCP */
    *wire_n = total - ihl;
    return EW_DEC_TCP;
}

/* IPv6 and its extension headers, up to TCP. */
static ew_dec ew_ipv6(const uint8_t *p, size_t n, ew_tcp_seg *s, size_t *tcp_at, size_t *tcp_n,
                      size_t *wire_n)
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
        case EW_PROTO_TCP:
            s->af = EW_IPV6_VERSION;
            s->src = p + EW_IPV6_SRC_AT;
            s->dst = p + EW_IPV6_DST_AT;
            *tcp_at = at;
            *tcp_n = end - at;
            *wire_n = total - at;
            return EW_DEC_TCP;
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
            /* Only an unfragmented "atomic" fragment holds a whole segment. */
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
        default: /* ESP, no next header, UDP, ICMPv6, ... */
            return EW_DEC_SKIP;
        }
        if (end - at < len)
            return EW_DEC_BAD;
        next = p[at];
        at += len;
    }
}

bool ew_decode_record(int dlt, const struct pcap_pkthdr *ph, const uint8_t *p,
                      ew_capture_stats *st, ew_tcp_seg *out)
{
    ew_tcp_seg s;
    size_t n = ph->caplen;
    size_t off;
    ew_l3 l3 = ew_link(dlt, p, n, &off);
    if (l3 == EW_L3_BAD) {
        const char *name = pcap_datalink_val_to_name(dlt);
        ew_cap_malformed(st, "%zu bytes captured: too short for its link-layer header (%s), or "
                             "not the IP version that header says",
                         n, name ? name : "?");
        return false;
    }
    if (l3 == EW_L3_OTHER) {
        st->skipped++;
        return false;
    }
    memset(&s, 0, sizeof s);
    size_t tcp_at = 0, tcp_n = 0, wire_n = 0;
    ew_dec dec = l3 == EW_L3_IPV4 ? ew_ipv4(p + off, n - off, &s, &tcp_at, &tcp_n, &wire_n)
                                  : ew_ipv6(p + off, n - off, &s, &tcp_at, &tcp_n, &wire_n);
    if (dec != EW_DEC_TCP) {
        if (dec == EW_DEC_BAD)
            ew_cap_malformed(st, "IPv%d header inconsistent: its lengths do not fit the %zu "
                                 "bytes captured after the link-layer header",
                             l3 == EW_L3_IPV4 ? EW_IPV4_VERSION : EW_IPV6_VERSION, n - off);
        else
            st->skipped++;
        return false;
    }
    const uint8_t *tcp = p + off + tcp_at;
    if (tcp_n < EW_TCP_HDR_MIN) {
        ew_cap_malformed(st, "TCP header cut: only %zu of its %d bytes or more captured", tcp_n,
                         EW_TCP_HDR_MIN);
        return false;
    }
    size_t doff = (size_t)(tcp[EW_TCP_OFF_AT] >> EW_TCP_OFF_SHIFT) * EW_TCP_OFF_UNIT;
    if (doff < EW_TCP_HDR_MIN || doff > tcp_n) {
        ew_cap_malformed(st, "TCP header length %zu, with %zu bytes of TCP captured", doff, tcp_n);
        return false;
    }
    st->tcp_segments++;
    s.sport = ew_be16(tcp + EW_TCP_SPORT_AT);
    s.dport = ew_be16(tcp + EW_TCP_DPORT_AT);
    s.seq = ew_be32(tcp + EW_TCP_SEQ_AT);
    s.flags = tcp[EW_TCP_FLAGS_AT];
    s.data = tcp + doff;
    s.len = tcp_n - doff;
    s.wire_len = wire_n > doff ? EW_MAX(wire_n - doff, s.len) : s.len;
    int64_t sec = EW_MIN(EW_MAX((int64_t)ph->ts.tv_sec, -EW_TS_MAX_SEC), EW_TS_MAX_SEC);
    s.ts = sec * EW_USEC_PER_SEC + (int64_t)ph->ts.tv_usec;
    *out = s;
    return true;
}
