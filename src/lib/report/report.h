/* report.h - the report model: inputs, entries, findings, warnings, built
 * from the stages' typed results once an input is analyzed (build.c), then
 * only read: by the public getters (get_*.c) and the serializers (text.c,
 * json.c, html*.c). Everything here is owned by the report and outlives
 * the analyzer. */
#ifndef EW_REPORT_H
#define EW_REPORT_H

#include <ewdiag.h>

#include "analysis/analysis.h"
#include "core/ring.h"
#include "core/timeline.h"
#include "core/warn.h"
#include "input/walk.h"
#include "scan/scan.h"

struct ewdiag_input {
    char *name;
    ewdiag_input_status status;
    char *error; /* NULL if none */
    uint64_t bytes;
    ew_entry **entries;
    size_t nentries;
    ew_node *nodes;
    size_t nnodes;
    size_t captures; /* capture files read */
    ew_tls_server **tls_servers;
    size_t ntls_servers;
    ew_trust_file *trust_files; /* their stores are not kept: NULL */
    size_t ntrust_files;
    ew_origin_srv **origins; /* the origin servers, checked (analysis/forecast.h) */
    size_t norigins;
};

struct ewdiag_finding {
    /* copied from the rule, so the report outlives the analyzer */
    char *rule, *title, *category, *description, *condition, *workaround;
    char **actions;
    size_t nactions;
    char **defects;
    size_t ndefects;
    ewdiag_severity severity;
    char *input;
    /* the group, moved from the analysis: its explanations are the rule's,
     * then the facts correlation stated, in words */
    ew_group g;
    ew_tls_view tls; /* moved from the join */
    ew_forecast_info fc; /* a forecast's (fc.is); zero for a finding of log lines */
};

struct ewdiag_warning {
    char *input;
    char *entry; /* NULL if about the whole input */
    ew_warn_code code;
    char *message;
    uint64_t count;
};

struct ewdiag_report {
    ewdiag_input **inputs;
    size_t ninputs, cinputs;
    ewdiag_finding **findings;
    size_t nfindings, cfindings;
    ewdiag_warning **warnings;
    size_t nwarnings, cwarnings;
};

/* What the stages gave for one input, handed to the report. */
typedef struct ew_input_results {
    const char *name;
    ewdiag_input_status status;
    const char *error;      /* NULL if none */
    ew_walk_result *walk;   /* entries and bytes: moved */
    ew_scan_result *scan;   /* nodes, trust stores, captures: moved */
    ew_analysis *analysis;  /* groups, servers, joins: moved */
    ew_warnings *warnings;  /* moved */
    const ew_texts *texts;  /* the wording of the facts */
} ew_input_results;

/* Adds the input, its findings and warnings to the report. All or nothing:
 * 0, or EWDIAG_ENOMEM with the report as it was (what was not moved stays
 * with the stages, which free it). */
int ew_report_add(ewdiag_report *r, ew_input_results *res);

void ew_input_free(ewdiag_input *in);
void ew_finding_free(ewdiag_finding *f);
void ew_warning_free(ewdiag_warning *w);

/* The serializers, each into an open FILE. 0, EWDIAG_ENOMEM (nothing that
 * claims to be whole was written), or EWDIAG_EIO. */
int ew_report_write_text(const ewdiag_report *r, FILE *f, unsigned flags);
int ew_report_write_json(const ewdiag_report *r, FILE *f, unsigned flags);
int ew_report_write_jsonl(const ewdiag_report *r, FILE *f, unsigned flags);
/* The JSON report, compact and ending in a newline, as a string (length
 * in *len); NULL when out of memory. The caller frees it. */
char *ew_report_json_string(const ewdiag_report *r, size_t *len);

#endif /* EW_REPORT_H */
