/* analyze.c - one input analyzed: the stages wired together (walk ->
 * scan -> analysis), their results judged (the input's status) and handed
 * to the report in one step. */
#include "api/api.h"

#include <stdlib.h>

#include "report/report.h"

/* Everything one analysis owns while it runs. */
typedef struct ew_run {
    ewdiag_analyzer *a;
    const char *name;
    ew_warnings warn;
    ew_walk_result walk;
    ew_scan_result scan;
    ew_analysis analysis;
    ewdiag_input_status status;
    const char *error; /* why it failed; NULL */
    char error_buf[EW_ERR_MAX];
} ew_run;

static bool ew_entry_gave(const ew_entry *e)
{
    return e->status == EW_ENTRY_SCANNED || e->lines > 0;
}

static bool ew_has_log(const ew_walk_result *w)
{
    for (size_t i = 0; i < w->nentries; i++) {
        const ew_entry *e = w->entries[i];
        if ((e->role == EW_ROLE_LOG || e->role == EW_ROLE_ATS_LOG) && ew_entry_gave(e))
            return true;
    }
    return false;
}

/* Entries that gave anything: read whole, or read in part before failing. */
static size_t ew_scanned(const ew_walk_result *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nentries; i++)
        n += ew_entry_gave(w->entries[i]);
    return n;
}

/* The first thing said about the input: why nothing of it could be read. */
static const char *ew_first_problem(const ew_run *run)
{
    const ew_warning *w = ew_warnings_first(&run->warn);
    if (w)
        return w->message;
    for (size_t i = 0; i < run->walk.nentries; i++)
        if (run->walk.entries[i]->status == EW_ENTRY_FAILED && run->walk.entries[i]->reason)
            return run->walk.entries[i]->reason;
    return NULL;
}

/* The input's status and, when nothing could be read, its error. Returns
 * what ewdiag_analyze_*() returns. */
static int ew_judge(ew_run *run, int rc)
{
    ewdiag_analyzer *a = run->a;
    if (rc == 0 && ew_scanned(&run->walk) == 0 && run->scan.captures == 0) {
        const char *why = ew_first_problem(run);
        if (why) {
            snprintf(run->error_buf, sizeof run->error_buf, "%s", why);
            rc = ew_err_set(&a->err, EWDIAG_EFORMAT, "%s", run->error_buf);
        }
    }
    if (rc != 0) {
        if (rc == EWDIAG_ENOMEM && !a->err.msg[0])
            ew_err_set(&a->err, rc, "%s: out of memory", run->name);
        run->status = EWDIAG_INPUT_FAILED;
        snprintf(run->error_buf, sizeof run->error_buf, "%s",
                 a->err.msg[0] ? a->err.msg : "cannot be read");
        run->error = run->error_buf;
        return rc;
    }
    bool unread = run->walk.failed_part || run->walk.stopped;
    for (size_t i = 0; i < run->warn.n && !unread; i++)
        unread = ew_warn_code_unread(run->warn.v[i].code);
    run->status = unread ? EWDIAG_INPUT_PARTIAL : EWDIAG_INPUT_ANALYZED;
    if (!ew_has_log(&run->walk) && run->scan.captures == 0 &&
        ew_warn(&run->warn, EW_W_NO_LOG, NULL, 1,
                "%s: no Expressway or traffic server log found in this input", run->name) != 0)
        return ew_err_set(&a->err, EWDIAG_ENOMEM, "%s: out of memory", run->name);
    return 0;
}

/* Walks and scans the input, the analysis listening. */
static int ew_read(ew_run *run, const char *path, const ew_origin *origin)
{
    ewdiag_analyzer *a = run->a;
    ew_sink sink = ew_analysis_sink(&run->analysis);
    ew_scan *s = ew_scan_new(a->scanner, run->name, &sink, &run->warn);
    if (!s)
        return EWDIAG_ENOMEM;
    ew_kinds kinds = ew_scan_kinds(s);
    ew_walk_opts wo = {
        .input = run->name,
        .max_depth = a->opt.max_depth,
        .max_entries = a->opt.max_entries,
        .max_bytes = a->opt.max_bytes,
        .max_ratio = a->opt.max_ratio,
        .threaded = a->opt.threads > 1,
        .progress = a->progress,
        .progress_ctx = a->progress_ctx,
    };
    int rc = ew_walk(&wo, &kinds, path, origin, &run->walk, &run->warn, &a->err);
    if (rc != EWDIAG_ENOMEM) {
        /* What was read is concluded even when the walk failed. */
        int frc = ew_scan_finish(s);
        rc = frc != 0 ? frc : rc;
    }
    ew_scan_take(s, &run->scan);
    ew_scan_free(s);
    if (rc != EWDIAG_ENOMEM) {
        int crc = ew_analysis_conclude(&run->analysis, &run->scan);
        rc = crc != 0 ? crc : rc;
    }
    return rc;
}

static int ew_analyze(ewdiag_analyzer *a, ewdiag_report *r, const char *path,
                      const ew_origin *origin, const char *name)
{
    if (!a || !r || !name)
        return EWDIAG_EINVAL;
    ew_err_clear(&a->err);
    int rc = ew_analyzer_ready(a);
    if (rc != 0)
        return rc;
    ew_run run = {.a = a, .name = name};
    ew_analysis_opts ao = {.evidence = a->opt.evidence,
                           .window_us = a->opt.window_us,
                           .max_handshakes = a->opt.max_handshakes,
                           .capture_window_us = a->opt.capture_window_us,
                           .max_findings = a->opt.max_findings,
                           .max_evidence_bytes = a->opt.max_evidence_bytes,
                           .max_tls_servers = a->opt.max_tls_servers,
                           .max_chain_bytes = a->opt.max_chain_bytes,
                           .expiry_window_us = a->opt.expiry_window_us,
                           .rules = &a->rules};
    ew_analysis_init(&run.analysis, &ao, &run.warn, name);
    rc = ew_judge(&run, ew_read(&run, path, origin));
    ew_input_results res = {name,      run.status,    run.error, &run.walk,
                            &run.scan, &run.analysis, &run.warn, ew_analyzer_texts(a)};
    if (ew_report_add(r, &res) != 0 && rc != EWDIAG_ENOMEM)
        rc = ew_err_set(&a->err, EWDIAG_ENOMEM, "%s: out of memory", name);
    ew_analysis_free(&run.analysis);
    ew_scan_result_free(&run.scan);
    ew_walk_result_free(&run.walk);
    ew_warnings_free(&run.warn);
    return rc;
}

int ewdiag_analyze_path(ewdiag_analyzer *a, ewdiag_report *r, const char *path)
{
    if (!path)
        return EWDIAG_EINVAL;
    ew_origin in = {0, NULL, NULL}; /* "-": standard input */
    return ew_analyze(a, r, path, &in, path);
}

int ewdiag_analyze_fd(ewdiag_analyzer *a, ewdiag_report *r, int fd, const char *name)
{
    if (fd < 0)
        return EWDIAG_EINVAL;
    ew_origin in = {fd, NULL, NULL};
    return ew_analyze(a, r, NULL, &in, name ? name : "-");
}

int ewdiag_analyze_read(ewdiag_analyzer *a, ewdiag_report *r, ewdiag_read_fn fn, void *ctx,
                        const char *name)
{
    if (!fn)
        return EWDIAG_EINVAL;
    ew_origin in = {-1, fn, ctx};
    return ew_analyze(a, r, NULL, &in, name ? name : "-");
}
