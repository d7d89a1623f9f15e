/* capture.h - packet captures -> the TLS handshake of each TCP connection.
 * pcap.c reads records (libpcap, pcap and pcapng, from any FILE *) and
 * decodes link, IP and TCP; tcp.c reassembles each direction, keeping only
 * a bounded prefix; tls.c parses records and handshake messages. What comes
 * out is one ew_tls_hs per connection that spoke TLS. */
#ifndef EW_CAPTURE_H
#define EW_CAPTURE_H

#include <stdio.h>

#include "core/ew.h"

#define EW_ADDR_BYTES 16
#define EW_IPV4_BYTES 4 /* of them, for IPv4 */
#define EW_SNI_MAX 256
#define EW_MAX_CHAIN_HARD 16 /* certificates kept per chain, at most */

typedef struct ew_endpoint {
    uint8_t af; /* 4 or 6 */
    uint8_t addr[EW_ADDR_BYTES]; /* IPv4 in the first 4 bytes */
    uint16_t port;
} ew_endpoint;

/* Writes "10.48.36.215" or "2001:db8::1" (inet_ntop); out of 46 bytes. */
#define EW_ADDR_STR_MAX 46
void ew_endpoint_addr_str(const ew_endpoint *e, char out[EW_ADDR_STR_MAX]);
/* "10.48.36.215:8443", "[2001:db8::1]:8443". */
#define EW_ENDPOINT_STR_MAX (EW_ADDR_STR_MAX + 8)
void ew_endpoint_str(const ew_endpoint *e, char out[EW_ENDPOINT_STR_MAX]);

typedef enum ew_cert_state {
    EW_CERT_PRESENT,   /* a Certificate message was read whole: chain below */
    EW_CERT_ENCRYPTED, /* TLS 1.3: the certificate is encrypted */
    EW_CERT_RESUMED,   /* abbreviated handshake: the server sent none */
    EW_CERT_CUT,       /* missing data or the capture's end came first */
    EW_CERT_UNSEEN     /* TLS seen, but no ServerHello (e.g. only the client side) */
} ew_cert_state;

/* What one connection's handshake showed. Pointers are valid only during
 * the callback. */
typedef struct ew_tls_hs {
    ew_endpoint client, server;
    int64_t ts_start;   /* first packet of the connection, UTC microseconds */
    int64_t ts_hello;   /* ClientHello; 0 if not seen */
    int64_t ts_cert;    /* packet that completed the Certificate message, or
                           ServerHello when there is none; 0 if not seen */
    uint16_t client_version; /* ClientHello legacy_version; 0 if not seen */
    uint16_t offered_max;    /* highest version offered (supported_versions) */
    uint16_t version;        /* negotiated (ServerHello, supported_versions for 1.3); 0 unknown;
                                a TLS 1.3 draft is 0x0304 with draft set */
    uint8_t draft;           /* the TLS 1.3 draft (16-28) the ServerHello named; 0 none */
    uint16_t cipher;         /* negotiated cipher suite; 0 unknown */
    char sni[EW_SNI_MAX];    /* server_name sent; "" when none */
    ew_cert_state cert_state;
    size_t ncerts;
    const uint8_t *cert_der[EW_MAX_CHAIN_HARD];
    size_t cert_len[EW_MAX_CHAIN_HARD];
    bool chain_cut;      /* more certificates than kept, or one over max_der */
    int alert;           /* first plaintext alert description, -1 if none */
    bool alert_by_client;
} ew_tls_hs;

/* Returns 0 to go on, non-zero to stop the capture reading (returned). */
typedef int (*ew_tls_fn)(void *ctx, const ew_tls_hs *hs);

typedef struct ew_capture_limits {
    size_t max_flows;      /* live TCP connections tracked at once */
    size_t max_flow_bytes; /* bytes kept per direction of a connection */
    size_t max_handshake;  /* largest handshake message accepted */
    size_t max_chain;      /* certificates kept per chain (<= EW_MAX_CHAIN_HARD) */
    size_t max_der;        /* largest certificate accepted */
} ew_capture_limits;

/* Room for one problem's description in the stats. */
#define EW_CAP_WHY_MAX 256

typedef struct ew_capture_stats {
    uint64_t records;       /* capture records read */
    uint64_t tcp_segments;  /* TCP segments decoded */
    uint64_t skipped;       /* records that are not IPv4/IPv6 TCP (ARP, UDP, ...) */
    uint64_t malformed;     /* records too short or inconsistent for their headers */
    uint64_t flows;         /* TCP connections seen */
    uint64_t flows_evicted; /* dropped because max_flows were live */
    uint64_t gaps;          /* directions whose parsing a gap ended */
    uint64_t handshakes;    /* ew_tls_hs given to the callback */
    uint64_t tls_errors;    /* directions whose TLS framing made no sense */
    uint64_t tls_cut;       /* directions that ended inside a TLS record or handshake
                               message, or passed max_flow_bytes before its end */
    uint64_t headless;      /* handshakes given without their start (the capture, or
                               the files given, began after the ClientHello) */
    uint64_t cert_big;      /* certificates not kept: larger than max_der */
    uint64_t encap_unread;  /* packets inside an encapsulation that is not decoded */
    uint64_t joined;        /* connections whose part from a file given first was joined
                               to the part before it, from a file given after */
    uint64_t order_unjoined; /* connections whose parts came in files given out of order
                                and could not be joined (bytes between them missing) */
    /* Time of the first and the last record of the file fed last; 0 none. */
    int64_t file_ts_first, file_ts_last;
    /* What the first problem of each kind was, with the record number or the
     * connection, since the last ew_capture_feed() or ew_capture_finish()
     * began; "" when none. For messages. */
    char why_malformed[EW_CAP_WHY_MAX];
    char why_gap[EW_CAP_WHY_MAX];
    char why_tls[EW_CAP_WHY_MAX];
    char why_cut[EW_CAP_WHY_MAX];
    char why_headless[EW_CAP_WHY_MAX];
    char why_big[EW_CAP_WHY_MAX];
    char why_order[EW_CAP_WHY_MAX];
    /* Every kind not decoded, with its count: "VXLAN on UDP port 4790: 12, ESP: 3". */
    char why_encap[EW_CAP_WHY_MAX];
} ew_capture_stats;

typedef struct ew_capture ew_capture;

/* A capture reader whose connections live across files: the rotated files
 * of one interface are fed in order to the same reader. NULL if out of memory.
 *
 * What the caller must guarantee for a ring of files (tcpdump -C/-W, as
 * Expressway writes eth0_diagnostic_logging_tcpdump00_<host>_<ts>.pcap,
 * ...01..., up to 20 per interface): the files of one interface are fed one
 * after the other, oldest first, i.e. in the order of the time of their
 * first record (the number NN breaks ties; once the ring has wrapped, the
 * oldest is the one after the newest, so the number alone is not the
 * order), with no ew_capture_finish() between them. Another interface's
 * files may come before or after that run, not inside it. Given out of
 * order (archive order), a connection that crosses a boundary is still
 * read as one when its parts meet (stats.joined): the part without its
 * start is kept (max_flow_bytes a direction) until the end of the
 * capture; when they do not meet, it is read as two, counted in
 * stats.order_unjoined and the part without its start in stats.headless. */
ew_capture *ew_capture_new(const ew_capture_limits *lim, ew_tls_fn fn, void *ctx);
/*
 * Reads one pcap or pcapng file from f to its end, and closes f whatever
 * it returns: libpcap reads f in place (no FILE of its own around it) and
 * pcap_close closes it. When f cannot seek, its seek must still answer
 * (0, SEEK_CUR) with the bytes read (fopencookie), so that ftello tells
 * where each record starts, for the message of a bad one.
 * Returns 0; the callback's non-zero value; EWDIAG_EFORMAT when the file
 * cannot be read as a capture at all or stops early (err says why and
 * where, e.g. "truncated packet record at byte 81234"; what came before it
 * counts); EWDIAG_ENOMEM.
 */
int ew_capture_feed(ew_capture *c, FILE *f, ew_err *err);
/* Gives the handshakes of connections still open; then the stats are final.
 * 0, the callback's non-zero value, or EWDIAG_ENOMEM. */
int ew_capture_finish(ew_capture *c);
const ew_capture_stats *ew_capture_stats_get(const ew_capture *c);
void ew_capture_free(ew_capture *c);

#endif /* EW_CAPTURE_H */
