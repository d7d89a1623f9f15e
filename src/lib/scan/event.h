/* event.h - what the scan stage hands the analysis as it reads: matched
 * log lines, failed requests, TLS handshakes. Everything is a view valid
 * only during the call. */
#ifndef EW_EVENT_H
#define EW_EVENT_H

#include "capture/capture.h"
#include "rules/match.h"
#include "scan/txn.h"

/* One matched line. */
typedef struct ew_event {
    const ew_rule *rule;
    const ew_matcher *m; /* the groups of this match */
    int64_t ts;          /* UTC microseconds; 0 when the line had none */
    ew_span node;
    ew_span pid;
    ew_span line;
} ew_event;

/* A transaction closed by an error response (line) at ts on node. */
typedef struct ew_failed_request {
    ew_span node;
    int64_t ts;
    const ew_txn *txn;
    ew_span line;
} ew_failed_request;

/* A request the traffic server sent to an origin server (a Sending
 * Request line): where, and the name it was sent under, the host of the
 * transaction's MRA target ("" when its URL had none). */
typedef struct ew_origin_request {
    ew_span node;
    int64_t ts;
    const char *dst_ip;
    unsigned dst_port;
    const char *host;
} ew_origin_request;

/* Where the scan stage's events go; each function returns 0 or an
 * EWDIAG_E* code (which stops the scan). */
typedef struct ew_sink {
    void *ctx;
    int (*event)(void *ctx, const ew_event *ev);    /* a finding rule matched */
    int (*evidence)(void *ctx, const ew_event *ev); /* an evidence rule matched */
    int (*failed_request)(void *ctx, const ew_failed_request *r);
    /* A capture file begins (its path in the input, valid until the walk
     * ends); then its handshakes come. */
    int (*capture_file)(void *ctx, const char *entry);
    ew_tls_fn handshake;
    int (*origin_request)(void *ctx, const ew_origin_request *r);
} ew_sink;

#endif /* EW_EVENT_H */
