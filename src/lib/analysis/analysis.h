/* analysis.h - the analysis stage of one input: the scan's events grouped
 * into findings (group.c, attach.c), its handshakes into the TLS servers
 * (inventory.c), and once the input is read, each group joined to the
 * capture (correlate.c). It gives typed results; the report is built from
 * them (report/build.c). */
#ifndef EW_ANALYSIS_H
#define EW_ANALYSIS_H

#include "analysis/correlate.h"
#include "analysis/forecast.h"

typedef struct ew_analysis_opts {
    size_t evidence;         /* lines kept per finding */
    int64_t window_us;       /* attach window */
    size_t max_handshakes;   /* remembered for correlation */
    int64_t capture_window_us;
    int64_t expiry_window_us;   /* a certificate ending within it expires soon */
    const ew_ruleset *rules;    /* where the forecast rules are */
    size_t max_findings;       /* groups kept */
    size_t max_evidence_bytes; /* evidence and related lines kept, all groups */
    size_t max_tls_servers;    /* TLS servers of the inventory */
    size_t max_chain_bytes;    /* DER of the distinct chains kept */
} ew_analysis_opts;

typedef struct ew_analysis {
    ew_analysis_opts opt;
    const char *input;
    ew_warnings *warn;
    ew_groups groups;
    ew_inventory inv;
    ew_join *joins; /* groups.n of them, once concluded */
    ew_origins origins;
    ew_forecasts forecasts; /* once concluded */
} ew_analysis;

void ew_analysis_init(ew_analysis *a, const ew_analysis_opts *o, ew_warnings *warn,
                      const char *input);
/* Where the scan stage sends its events (ctx is a). */
ew_sink ew_analysis_sink(ew_analysis *a);
/* The input was read: the groups in the report's order, each joined to
 * the capture; the origins checked and the forecasts stated. 0, or
 * EWDIAG_ENOMEM. */
int ew_analysis_conclude(ew_analysis *a, const ew_scan_result *scan);
void ew_analysis_free(ew_analysis *a);

#endif /* EW_ANALYSIS_H */
