/* api.h - the analyzer: its options, its rules, and the stages' working
 * memory it keeps from input to input. */
#ifndef EW_API_H
#define EW_API_H

#include <ewdiag.h>

#include "analysis/analysis.h"
#include "scan/scan.h"

typedef struct ew_options {
    size_t evidence;
    unsigned max_depth;
    uint64_t max_entries;
    uint64_t max_bytes;
    uint64_t max_ratio;
    int64_t window_us;
    unsigned threads; /* 2: gzip inflated beside the scanning; 1: all on one thread */
    size_t max_handshakes;
    int64_t capture_window_us;
    int64_t expiry_window_us;
    size_t max_findings;
    size_t max_evidence_bytes;
    size_t max_tls_servers;
    size_t max_chain_bytes;
    ew_scan_limits scan;
} ew_options;

struct ewdiag_analyzer {
    ew_options opt;
    ew_ruleset rules;
    ew_scanner *scanner;  /* built for the rules and limits; NULL until needed */
    ew_texts *builtin;    /* the built-in explanations, when the rules bring none */
    ew_err err;
    ewdiag_progress_fn progress;
    void *progress_ctx;
};

/* Readies the analyzer for an analysis: rules loaded, the scanner and the
 * explanation texts built. 0, or an EWDIAG_E* code said in a->err. */
int ew_analyzer_ready(ewdiag_analyzer *a);
/* The explanation texts to use (once ready). */
const ew_texts *ew_analyzer_texts(const ewdiag_analyzer *a);

#endif /* EW_API_H */
