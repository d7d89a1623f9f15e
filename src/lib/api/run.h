/* run.h - the analyzer's state, and the state of one input's analysis. */
#ifndef EW_RUN_H
#define EW_RUN_H

#include <ewdiag.h>

#include "capture/capture.h"
#include "analysis/findings.h"
#include "analysis/inventory.h"
#include "core/lines.h"
#include "rules/match.h"
#include "rules/prefilter.h"
#include "report/report.h"
#include "input/roles.h"
#include "rules/rules.h"
#include "scan/txn.h"

typedef struct ew_options {
    size_t evidence;
    size_t max_line;
    unsigned max_depth;
    uint64_t max_entries;
    uint64_t max_bytes;
    uint64_t max_ratio;
    int64_t window_us;
    uint32_t match_limit;
    uint32_t depth_limit;
    unsigned threads; /* 2: gzip inflated beside the scanning; 1: all on one thread */
    size_t max_handshakes;
    int64_t capture_window_us;
    ew_capture_limits capture;
} ew_options;

struct ewdiag_analyzer {
    ew_options opt;
    ew_ruleset rules;
    ew_matcher matcher; /* sized for the rules loaded */
    bool matcher_ready;
    ew_prefilter *prefilter; /* built for the rules loaded; NULL until needed */
    uint64_t *hits;          /* a line's prefilter hits, prefilter->nwords words */
    ew_err err;
    ewdiag_progress_fn progress;
    void *progress_ctx;
    ew_txns *txns; /* one log's transactions; reused */
    ew_lines lines;
};

/* One input being analyzed. */
typedef struct ew_run {
    ewdiag_analyzer *a;
    ewdiag_report *report;
    ewdiag_input *input;
    ew_findings findings;
    ew_capture *capture;      /* created at the first capture file */
    ew_inventory inventory;   /* the TLS servers of the captures */
    uint64_t entries;         /* entries met, for max-entries */
    uint64_t progress_next;   /* compressed bytes at which to report progress next */
    uint64_t total;           /* size of the input on disk, 0 if unknown */
    bool failed_part;         /* something in it could not be read */
    bool stop;                /* a limit ended the walk */
    ew_buf name;              /* scratch for entry names */
} ew_run;

/* What the walker knows of an entry before reading it. */
typedef struct ew_entry_meta {
    const char *path;  /* full name, nested archives joined with '/' */
    ew_role role;
    uint64_t size;     /* 0 if unknown */
    int64_t mtime_us;  /* 0 if unknown */
} ew_entry_meta;

#endif /* EW_RUN_H */
