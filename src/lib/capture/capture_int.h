/* capture_int.h - how pcap.c, tcp.c and tls.c talk to each other (not part
 * of the capture.h contract). pcap.c decodes a record into an ew_tcp_seg;
 * tcp.c puts each direction's bytes in order and feeds them to tls.c; tcp.c
 * gives the ew_tls_hs to the callback when tls.c says all is known or the
 * connection ends. */
#ifndef EW_CAPTURE_INT_H
#define EW_CAPTURE_INT_H

#include "capture/capture.h"

/* Encapsulations that are counted, not decoded (decode.c names them). */
typedef enum ew_encap_kind {
    EW_ENCAP_ESP,        /* IPsec ESP: encrypted */
    EW_ENCAP_GRE_OTHER,  /* GRE carrying neither IP nor Ethernet (ERSPAN, PPTP, ...) */
    EW_ENCAP_MPLS,       /* MPLS whose payload is not IP */
    EW_ENCAP_L2TP,
    EW_ENCAP_GTPU,
    EW_ENCAP_TEREDO,
    EW_ENCAP_NATT,       /* ESP in UDP */
    EW_ENCAP_VXLAN_GPE,
    EW_ENCAP_TOO_DEEP,   /* nested deeper than decode.c goes */
    EW_ENCAP_KINDS
} ew_encap_kind;

/* What the three stages share: the limits, the counters and the callback. */
typedef struct ew_cap_env {
    ew_capture_limits lim;
    ew_capture_stats st;
    uint64_t encap[EW_ENCAP_KINDS];      /* packets of each kind not decoded */
    uint64_t encap_told[EW_ENCAP_KINDS]; /* as they were when the file began */
    ew_tls_fn fn;
    void *ctx;
    int stop; /* the callback's non-zero value: nothing more is given */
    /* For the stats' messages: the direction tcp.c is giving to tls.c (its
     * sender and receiver) and the time of the packet; ts is 0 once the
     * capture has ended (ew_capture_finish). */
    const ew_endpoint *from, *to;
    int64_t ts;
} ew_cap_env;

/* Writes the first problem of a kind into slot (one of env->st.why_*),
 * unless one is there already: "<what> from A:P to B:Q at TIME: <text>"
 * with env->ts, "... at the end of the capture: <text>" when env->ts is 0,
 * or without a time when with_time is false. */
void ew_cap_why_conn(ew_cap_env *env, char *slot, bool with_time, const char *what,
                     const char *fmt, ...) EW_PRINTF(5, 6);

/* A record too short or inconsistent for its headers: counted, and the
 * first one of the file said. */
void ew_cap_malformed(ew_capture_stats *st, const char *fmt, ...) EW_PRINTF(2, 3);
/* Forgets the problems said so far: what comes next is another file's. */
void ew_cap_why_clear(ew_capture_stats *st);

static inline uint16_t ew_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ew_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t ew_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* TCP flags as they sit in the header's 13th byte. */
#define EW_TCP_FIN 0x01u
#define EW_TCP_SYN 0x02u
#define EW_TCP_RST 0x04u
#define EW_TCP_ACK 0x10u

/* One decoded TCP segment; the pointers are into the capture record. */
typedef struct ew_tcp_seg {
    uint8_t af; /* 4 or 6 */
    const uint8_t *src, *dst; /* 4 or 16 bytes */
    uint16_t sport, dport;
    uint32_t seq;
    uint8_t flags;
    const uint8_t *data; /* payload bytes captured */
    size_t len;
    size_t wire_len; /* payload bytes on the wire (more when snaplen cut it) */
    int64_t ts; /* UTC microseconds */
} ew_tcp_seg;

/* decode.c: whether libpcap's link type dlt is one decoded; one record
 * decoded to *out (true), or skipped (not TCP: counted in st->skipped),
 * inside an encapsulation not decoded (counted in env->encap), or
 * malformed (counted and said in st) (false). */
struct pcap_pkthdr;
bool ew_dlt_supported(int dlt);
bool ew_decode_record(int dlt, const struct pcap_pkthdr *ph, const uint8_t *p, ew_cap_env *env,
                      ew_tcp_seg *out);
/* A record's time in UTC microseconds, clamped to years -9999 to 9999. */
int64_t ew_record_ts(const struct pcap_pkthdr *ph);
/* Writes st.why_encap: the kinds not decoded since the file began. */
void ew_cap_encap_why(ew_cap_env *env);

/* tcp.c: the table of live connections. */
typedef struct ew_tcp ew_tcp;

ew_tcp *ew_tcp_new(ew_cap_env *env);
/* Returns 0, the callback's non-zero value (an EWDIAG_E* code), or
 * EWDIAG_ENOMEM. */
int ew_tcp_segment(ew_tcp *t, const ew_tcp_seg *s);
/* Ends every live connection, giving their handshakes. Same returns. */
int ew_tcp_finish(ew_tcp *t);
void ew_tcp_free(ew_tcp *t);

/* tls.c: the TLS side of one connection. Directions are 0 and 1 (tcp.c's
 * numbering); the client is found by the SYN (tcp.c says) or by the hellos. */
typedef enum ew_tls_end_why {
    EW_TLS_END_CLOSE, /* FIN or RST: the stream ended where it should */
    EW_TLS_END_GAP,   /* a hole that will never fill */
    EW_TLS_END_LIMIT  /* max_flow_bytes reached */
} ew_tls_end_why;

typedef struct ew_tls_info ew_tls_info; /* allocated once TLS is seen */

/* Bytes a record header is checked on before it is believed when it is not
 * at the first byte of a stream: record header, handshake header, and the
 * first 3 bytes of the message. */
#define EW_TLS_PROBE 12

typedef struct ew_tls_dir {
    uint8_t state;      /* tls.c's ew_tls_dir_state */
    bool midstream;     /* its first bytes were not the stream's first (no SYN) */
    uint8_t carry_len;  /* bytes of a possible record header that a segment cut */
    uint8_t carry[EW_TLS_PROBE - 1];
    uint32_t searched;  /* bytes looked through for a first record header */
    uint32_t fed;       /* stream bytes given so far */
    uint8_t rec_hdr_len;
    uint8_t rec_type;
    uint8_t hs_hdr_len;
    uint8_t alert_len;
    bool hs_keep;       /* the message being read is one we parse */
    bool cut;           /* ended in the middle of a record or message */
    uint8_t rec_hdr[5];
    uint8_t hs_hdr[4];
    uint8_t alert[2];
    uint32_t rec_left;  /* body bytes of the current record still to come */
    uint32_t hs_len;    /* body length of the message being read */
    uint32_t hs_got;    /* and how much of it came */
    uint8_t *hs_buf;    /* body of a message that straddles records/segments */
    size_t hs_cap;
} ew_tls_dir;

typedef struct ew_tls_conn {
    ew_tls_dir d[2];
    int8_t client_dir; /* -1 until known */
    bool role_by_tcp;  /* client_dir came from the SYN: content does not change it */
    bool emitted;
    ew_tls_info *info;
} ew_tls_conn;

void ew_tls_init(ew_tls_conn *t);
/* Sets the client from the SYN; it wins over what the hellos suggest. */
void ew_tls_set_client(ew_tls_conn *t, int dir);
/* dir's first bytes are not its stream's first (the SYN was not seen): its
 * first record header is searched for, never assumed at its first byte. */
void ew_tls_set_midstream(ew_tls_conn *t, int dir);
/* What dir could still tell: false once it is done, or the handshake's
 * hellos and the server's certificate (or why there is none) are known. */
bool ew_tls_wants(const ew_tls_conn *t, int dir);
/* A Certificate, or a ServerHello, was read without the ClientHello. */
bool ew_tls_headless(const ew_tls_conn *t);
/* In-order stream bytes of dir, in the packet that made them available (ts).
 * Returns 0, or EWDIAG_ENOMEM. */
int ew_tls_feed(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                int64_t ts);
/* No byte of dir will come any more. Ending inside a record or a handshake
 * message (or at the flow's byte limit) counts in env's tls_cut. */
void ew_tls_end(ew_tls_conn *t, ew_cap_env *env, int dir, ew_tls_end_why why);
/* dir needs no more bytes: its TLS plaintext is over, or it is not TLS. */
bool ew_tls_dir_done(const ew_tls_conn *t, int dir);
/* A direction started with a TLS record header. */
bool ew_tls_seen(const ew_tls_conn *t);
/* A ClientHello or ServerHello was read: the connection is worth a callback. */
bool ew_tls_spoke(const ew_tls_conn *t);
/* Everything the connection can tell is known: it may be given now. */
bool ew_tls_complete(const ew_tls_conn *t);
/* Fills out (but client, server and ts_start) for a connection whose client
 * is client_dir; the pointers stay valid until ew_tls_release. */
void ew_tls_fill(const ew_tls_conn *t, int client_dir, ew_tls_hs *out);
/* Frees what the connection holds; it may be ew_tls_init'ed again. */
void ew_tls_release(ew_tls_conn *t);

#endif /* EW_CAPTURE_INT_H */
