/* findings.h - events -> findings: grouping, attaching evidence and
 * failed requests, explanations. One ew_findings per input. */
#ifndef EW_FINDINGS_H
#define EW_FINDINGS_H

#include "rules/match.h"
#include "report/report.h"
#include "scan/txn.h"

/* One matched line, all views into the line and the matcher. */
typedef struct ew_event {
    const ew_rule *rule;
    const ew_matcher *m; /* groups of this match */
    int64_t ts;          /* UTC microseconds; 0 when the line had none */
    ew_span node;
    ew_span pid;
    ew_span line;
} ew_event;

typedef struct ew_findings {
    const char *input;
    size_t evidence;   /* lines kept per finding */
    int64_t window_us; /* attach window */
    ewdiag_finding **v;
    size_t n, cap;
    uint32_t *index; /* open addressing: finding index + 1, 0 = empty */
    size_t index_cap;
    ew_buf key;     /* scratch for group keys */
    ew_buf scratch; /* scratch for explanation texts */
} ew_findings;

void ew_findings_init(ew_findings *fs, const char *input, size_t evidence, int64_t window_us);
/* A finding rule's event. 0, or -1 when out of memory. */
int ew_findings_event(ew_findings *fs, const ew_event *ev);
/* An evidence rule's event: attached to a finding, or dropped (returns 0 either way). */
int ew_findings_attach(ew_findings *fs, const ew_event *ev);
/* A transaction closed by an error response (line) at ts on node. */
int ew_findings_failed_request(ew_findings *fs, ew_span node, int64_t ts, const ew_txn *x,
                               ew_span line);
/* Moves the findings, in a stable order, to the report. */
int ew_findings_flush(ew_findings *fs, ewdiag_report *r);
void ew_findings_free(ew_findings *fs);

#endif /* EW_FINDINGS_H */
