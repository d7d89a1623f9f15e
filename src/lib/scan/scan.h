/* scan.h - the scanners: what is done with the bytes of each entry. */
#ifndef EW_SCAN_H
#define EW_SCAN_H

#include "api/run.h"

/* Scanner state for one entry; lives on the walker's stack. */
typedef struct ew_scan {
    ew_run *run;
    ewdiag_entry *entry;
    const ew_entry_meta *meta;
    ew_role role;
    ew_span default_node;   /* for lines that do not name their host */
    char node_buf[128];
    uint64_t lines;
    uint64_t continuation;
    uint64_t bad_time;
    uint64_t zoneless;      /* matching lines whose time has no zone (ATS) */
    uint64_t yearless;      /* ... and no year, with no file date to give it */
    uint64_t limit_hits0;   /* the matcher's limit hits when the entry began */
    int err;                /* first fatal error (out of memory) */
    ew_buf pem;             /* a trust store's text, read whole (bounded) */
    bool too_big;
} ew_scan;

/* Decides whether the entry is read: returns 1 (then feed and end follow),
 * 0 to skip it (the entry's reason says why), or <0 on a fatal error. */
int ew_scan_begin(ew_scan *s, ew_run *run, const ew_entry_meta *meta, ewdiag_entry *entry);
int ew_scan_feed(ew_scan *s, const char *buf, size_t n);
/* read_error: NULL, or what stopped the reading of the entry. */
int ew_scan_end(ew_scan *s, const char *read_error);

/* A capture file, read from f to its end (pull, for libpcap). When the
 * bytes under f fail, *transport_error says why by the end. 0, or
 * EWDIAG_ENOMEM; what went wrong with the file is in the report. */
int ew_scan_capture(ew_run *run, const ew_entry_meta *meta, ewdiag_entry *entry, FILE *f,
                    const char *const *transport_error);
/* Gives the handshakes of connections still open, then joins the findings
 * to them. Called once the whole input was walked. */
int ew_scan_conclude(ew_run *run);

/* Log lines (logscan.c). */
int ew_logscan_line(void *ctx, const char *line, size_t len, unsigned flags);
/* xstat/xconf dump lines (dumps.c). */
int ew_dumpscan_line(void *ctx, const char *line, size_t len, unsigned flags);

#endif /* EW_SCAN_H */
