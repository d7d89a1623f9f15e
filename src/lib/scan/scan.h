/* scan.h - the scan stage: the bytes of each entry an input holds, read by
 * its kind (one file each: kind_log.c, kind_dump.c, kind_trust.c,
 * kind_capture.c, kind_skip.c; the table in kinds.c), to events for the
 * analysis (a sink) and to typed results of its own: the nodes and what
 * their dumps say, the trust stores, the number of captures. */
#ifndef EW_SCAN_H
#define EW_SCAN_H

#include "capture/capture.h"
#include "core/warn.h"
#include "input/kind.h"
#include "rules/rules.h"
#include "scan/event.h"
#include "scan/nodes.h"
#include "x509/x509.h"

typedef struct ew_scan_limits {
    size_t max_line;
    size_t max_nodes; /* nodes listed per input */
    uint32_t match_limit, depth_limit;
    ew_capture_limits capture;
} ew_scan_limits;

/* The stage's working memory (matcher, prefilter, line splitter,
 * transaction table), sized for a rule set and reused input after input;
 * one per analyzer (one thread). */
typedef struct ew_scanner ew_scanner;

/* NULL when out of memory. The rule set must outlive it. */
ew_scanner *ew_scanner_new(const ew_ruleset *rs, const ew_scan_limits *lim);
void ew_scanner_free(ew_scanner *sc);

/* A node's trust store (ca_<host>_<ts>.pem), as Expressway-C had it. */
typedef struct ew_trust_file {
    char *node;
    char *path;
    size_t ncerts;
    ew_trust *trust;
} ew_trust_file;

typedef struct ew_trusts {
    ew_trust_file *v;
    size_t n, cap;
} ew_trusts;

void ew_trusts_free(ew_trusts *t);

/* What the stage gives once an input is read. */
typedef struct ew_scan_result {
    ew_nodes nodes;
    ew_trusts trusts;
    size_t captures; /* capture files that held at least one record */
} ew_scan_result;

void ew_scan_result_free(ew_scan_result *r);

/* The reading of one input. */
typedef struct ew_scan ew_scan;

/* Events go to sink; warnings to warn (both outlive the scan). input is
 * the input's name, for messages. NULL when out of memory. */
ew_scan *ew_scan_new(ew_scanner *sc, const char *input, const ew_sink *sink, ew_warnings *warn);
/* The table of kinds to walk the input with (its ctx is s). */
ew_kinds ew_scan_kinds(ew_scan *s);
/* The input was walked: gives the handshakes of connections still open
 * and says what the captures' end showed. 0, or an EWDIAG_E* code. */
int ew_scan_finish(ew_scan *s);
/* Moves the results out (the scan keeps nothing of them). */
void ew_scan_take(ew_scan *s, ew_scan_result *out);
void ew_scan_free(ew_scan *s);

/* The registry of kinds, in the order names are matched. */
extern const ew_kind *const ew_scan_kind_table[];
extern const size_t ew_scan_kind_count;

#endif /* EW_SCAN_H */
