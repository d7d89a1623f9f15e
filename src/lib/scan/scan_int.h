/* scan_int.h - what the kinds of the scan stage share: the scanner, the
 * scan of one input, and the state of the entry being read. */
#ifndef EW_SCAN_INT_H
#define EW_SCAN_INT_H

#include "core/lines.h"
#include "core/timestamp.h"
#include "rules/prefilter.h"
#include "scan/scan.h"

/* The programs remembered between lines, and the longest name. */
#define EW_PROGRAM_MEMO 4
#define EW_PROGRAM_MEMO_MAX 64

/* The programs of the last lines looked up, with their prefilter groups: a
 * log's lines come from a few programs in runs, whose names are then
 * compared, not found again. */
typedef struct ew_program_memo {
    struct {
        char name[EW_PROGRAM_MEMO_MAX];
        size_t n; /* 0: empty */
        const ew_wm *g;
    } e[EW_PROGRAM_MEMO];
    size_t last; /* the entry found or filled last */
    size_t next; /* the entry to replace next */
} ew_program_memo;

struct ew_scanner {
    const ew_ruleset *rules;
    ew_scan_limits lim;
    ew_matcher matcher;
    ew_prefilter prefilter;
    uint64_t *hits; /* a line's prefilter hits, prefilter.nwords words */
    size_t *at;     /* at[i]: where hit rule i's literal first occurs */
    ew_program_memo program;
    ew_lines lines;
    ew_txns *txns; /* one log's transactions; reused */
};

#define EW_NODE_NAME_MAX 128

/* The entry being read (one at a time). */
typedef struct ew_entry_scan {
    const ew_entry_meta *meta;
    ew_role role;
    ew_span default_node; /* for lines that do not name their host */
    char node_buf[EW_NODE_NAME_MAX];
    uint64_t lines;
    uint64_t continuation;
    uint64_t bad_time;
    uint64_t zoneless;       /* matching lines whose time has no zone (ATS) */
    uint64_t yearless;       /* ... and no year, with no file date to give it */
    uint64_t limit_hits0;    /* the matcher's limit hits when the entry began */
    uint64_t nodes_dropped0; /* the nodes not listed when the entry began */
    int err;                 /* first fatal error */
    ew_buf pem;              /* a trust store's text, read whole (bounded) */
    ew_ts_cache iso_time;    /* the second its lines' times were last in */
    bool too_big;
} ew_entry_scan;

/* Series of rotated capture files (interfaces) whose order is checked. */
#define EW_CAP_SERIES_MAX 8

struct ew_scan {
    ew_scanner *sc;
    const char *input;
    ew_sink sink;
    ew_warnings *warn;
    ew_scan_result res;
    ew_capture *capture;      /* made at the first capture file */
    ew_capture_stats told;    /* the capture's counters already told as warnings */
    const char *capture_path; /* the capture file read last (the walk's) */
    /* The capture files' order: for each series of rotated files (names
     * equal but for their digits), the latest record time and its file. */
    struct {
        const char *path;
        int64_t ts_max;
    } series[EW_CAP_SERIES_MAX];
    size_t nseries;
    /* The first file that came after a later one of its series. */
    const char *order_late, *order_before;
    int64_t order_late_ts, order_before_ts;
    ew_entry_scan cur;
};

/* Starts an entry of a line-read kind: the node it speaks for, the line
 * splitter reset. 0, or EWDIAG_ENOMEM. */
int ew_scan_begin_lines(ew_scan *s, const ew_entry_meta *m);
/* Its bytes, split into lines given to fn. 0, or fn's error. */
int ew_scan_feed_lines(ew_scan *s, ew_line_fn fn, const char *buf, size_t n);
/* Ends it: the last line, the counts, warnings of what was assumed or
 * skipped, and the entry's status. */
int ew_scan_end_lines(ew_scan *s, ew_line_fn fn, ew_entry *e, const char *read_error);
/* The entry failed: its status, reason and warning. 0, or EWDIAG_ENOMEM. */
int ew_scan_entry_failed(ew_scan *s, ew_entry *e, const char *why);

/* A kind read by pushing its bytes to prefix_begin, _feed and _end. */
#define EW_PUSH_KIND(role_, match_, sniff_, prefix)                                                \
    {                                                                                              \
        .role = (role_), .mode = EW_KIND_PUSH, .match = (match_), .sniff = (sniff_),               \
        .begin = prefix##_begin, .feed = prefix##_feed, .end = prefix##_end,                       \
    }

/* The kinds, one file each; kinds.c lists them. */
extern const ew_kind ew_kind_log, ew_kind_ats_log, ew_kind_xconf, ew_kind_xstat, ew_kind_capture,
    ew_kind_trusted_ca, ew_kind_server_cert;

#endif /* EW_SCAN_INT_H */
