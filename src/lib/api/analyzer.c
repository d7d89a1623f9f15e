/* analyzer.c - the public analyzer: options, rules, one input at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "input/bundle.h"
#include "api/run.h"
#include "scan/scan.h"

#ifndef EWDIAG_RULES_DIR
#define EWDIAG_RULES_DIR "/usr/local/share/ewdiag/rules"
#endif
#ifndef EWDIAG_VERSION
#define EWDIAG_VERSION "0.0.0"
#endif

const char *ewdiag_version(void)
{
    return EWDIAG_VERSION;
}

unsigned ewdiag_version_number(void)
{
    unsigned major = 0, minor = 0, patch = 0;
    /* The build's version string is the one truth; parsed once per call. */
    if (sscanf(EWDIAG_VERSION, "%u.%u.%u", &major, &minor, &patch) != 3)
        return 0;
    return major * 10000 + minor * 100 + patch;
}

const char *ewdiag_strerror(int code)
{
    switch (code) {
    case EWDIAG_OK: return "ok";
    case EWDIAG_EINVAL: return "invalid argument";
    case EWDIAG_ENOMEM: return "out of memory";
    case EWDIAG_EIO: return "input/output error";
    case EWDIAG_EFORMAT: return "malformed input";
    case EWDIAG_ELIMIT: return "limit reached";
    default: return "unknown error";
    }
}

const char *ewdiag_default_rules_dir(void)
{
    return EWDIAG_RULES_DIR;
}

ewdiag_analyzer *ewdiag_analyzer_new(void)
{
    ewdiag_analyzer *a = ew_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->opt.evidence = EW_DEF_EVIDENCE;
    a->opt.max_line = EW_DEF_MAX_LINE;
    a->opt.max_depth = EW_DEF_MAX_DEPTH;
    a->opt.max_entries = EW_DEF_MAX_ENTRIES;
    a->opt.max_bytes = EW_DEF_MAX_BYTES;
    a->opt.max_ratio = EW_DEF_MAX_RATIO;
    a->opt.window_us = (int64_t)EW_DEF_ATTACH_WINDOW_S * 1000000;
    a->opt.match_limit = EW_DEF_MATCH_LIMIT;
    a->opt.depth_limit = EW_DEF_DEPTH_LIMIT;
    a->opt.max_handshakes = EW_DEF_MAX_HANDSHAKES;
    a->opt.threads = EW_DEF_THREADS;
    a->opt.capture_window_us = (int64_t)EW_DEF_CAPTURE_WINDOW_S * 1000000;
    a->opt.capture = (ew_capture_limits){
        .max_flows = EW_DEF_MAX_FLOWS,
        .max_flow_bytes = EW_DEF_MAX_FLOW_BYTES,
        .max_handshake = EW_DEF_MAX_HANDSHAKE,
        .max_chain = EW_DEF_MAX_CHAIN,
        .max_der = EW_DEF_MAX_DER,
    };
    a->txns = ew_malloc(sizeof *a->txns);
    if (!a->txns) {
        free(a);
        return NULL;
    }
    ew_txns_init(a->txns);
    ew_lines_init(&a->lines, a->opt.max_line);
    return a;
}

static void ew_drop_prefilter(ewdiag_analyzer *a)
{
    if (a->prefilter)
        ew_prefilter_free(a->prefilter);
    free(a->prefilter);
    free(a->hits);
    a->prefilter = NULL;
    a->hits = NULL;
}

void ewdiag_analyzer_free(ewdiag_analyzer *a)
{
    if (!a)
        return;
    ew_rules_free(&a->rules);
    if (a->matcher_ready)
        ew_matcher_free(&a->matcher);
    ew_drop_prefilter(a);
    ew_lines_free(&a->lines);
    free(a->txns);
    free(a);
}

const char *ewdiag_error(const ewdiag_analyzer *a)
{
    return a ? a->err.msg : "no analyzer";
}

void ewdiag_analyzer_set_progress(ewdiag_analyzer *a, ewdiag_progress_fn fn, void *ctx)
{
    if (!a)
        return;
    a->progress = fn;
    a->progress_ctx = ctx;
}

size_t ewdiag_analyzer_rule_count(const ewdiag_analyzer *a)
{
    return a ? a->rules.n : 0;
}

/* Parses a whole decimal number within [min, max]. */
static int ew_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

typedef struct ew_optdef {
    const char *name;
    uint64_t min, max;
} ew_optdef;

static const ew_optdef ew_optdefs[] = {
    {"evidence", 0, EW_MAX_EVIDENCE},
    {"max-line", 64, UINT64_C(1) << 30},
    {"max-depth", 0, 64},
    {"max-entries", 1, UINT64_C(1) << 32},
    {"max-bytes", 1, UINT64_MAX},
    {"max-ratio", 2, UINT64_C(1) << 32},
    {"attach-window", 0, 86400},
    {"match-limit", 1, UINT32_MAX},
    {"depth-limit", 1, UINT32_MAX},
    {"max-handshakes", 0, UINT64_C(1) << 28},
    {"threads", 1, EW_MAX_THREADS},
    {"capture-window", 0, 86400},
    {"max-flows", 1, UINT64_C(1) << 24},
    {"max-flow-bytes", 1024, UINT64_C(1) << 30},
    {"max-handshake", 1024, UINT64_C(1) << 24},
    {"max-chain", 1, EW_MAX_CHAIN_HARD},
    {"max-der", 256, UINT64_C(1) << 24},
};

int ewdiag_analyzer_set_option(ewdiag_analyzer *a, const char *key, const char *value)
{
    if (!a || !key)
        return EWDIAG_EINVAL;
    const ew_optdef *d = NULL;
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_optdefs) && !d; i++)
        if (strcmp(key, ew_optdefs[i].name) == 0)
            d = &ew_optdefs[i];
    if (!d)
        return ew_err_set(&a->err, EWDIAG_EINVAL, "unknown option '%s'", key);
    uint64_t v;
    if (ew_parse_u64(value, d->min, d->max, &v) != 0)
        return ew_err_set(&a->err, EWDIAG_EINVAL,
                          "option '%s': '%s' is not a whole number from %llu to %llu", key,
                          value ? value : "", (unsigned long long)d->min,
                          (unsigned long long)d->max);
    ew_options *o = &a->opt;
    if (strcmp(key, "evidence") == 0)
        o->evidence = (size_t)v;
    else if (strcmp(key, "max-line") == 0)
        o->max_line = (size_t)v;
    else if (strcmp(key, "max-depth") == 0)
        o->max_depth = (unsigned)v;
    else if (strcmp(key, "max-entries") == 0)
        o->max_entries = v;
    else if (strcmp(key, "max-bytes") == 0)
        o->max_bytes = v;
    else if (strcmp(key, "max-ratio") == 0)
        o->max_ratio = v;
    else if (strcmp(key, "attach-window") == 0)
        o->window_us = (int64_t)v * 1000000;
    else if (strcmp(key, "match-limit") == 0)
        o->match_limit = (uint32_t)v;
    else if (strcmp(key, "depth-limit") == 0)
        o->depth_limit = (uint32_t)v;
    else if (strcmp(key, "max-handshakes") == 0)
        o->max_handshakes = (size_t)v;
    else if (strcmp(key, "threads") == 0)
        o->threads = (unsigned)v;
    else if (strcmp(key, "capture-window") == 0)
        o->capture_window_us = (int64_t)v * 1000000;
    else if (strcmp(key, "max-flows") == 0)
        o->capture.max_flows = (size_t)v;
    else if (strcmp(key, "max-flow-bytes") == 0)
        o->capture.max_flow_bytes = (size_t)v;
    else if (strcmp(key, "max-handshake") == 0)
        o->capture.max_handshake = (size_t)v;
    else if (strcmp(key, "max-chain") == 0)
        o->capture.max_chain = (size_t)v;
    else if (strcmp(key, "max-der") == 0)
        o->capture.max_der = (size_t)v;
    if (strcmp(key, "max-line") == 0) {
        ew_lines_free(&a->lines);
        ew_lines_init(&a->lines, o->max_line);
    }
    /* Limits live in the matcher: rebuild it on next use. */
    if (a->matcher_ready && (strcmp(key, "match-limit") == 0 || strcmp(key, "depth-limit") == 0)) {
        ew_matcher_free(&a->matcher);
        a->matcher_ready = false;
    }
    return EWDIAG_OK;
}

int ewdiag_analyzer_load_rules(ewdiag_analyzer *a, const char *path)
{
    if (!a)
        return EWDIAG_EINVAL;
    ew_err_clear(&a->err);
    int rc = ew_rules_load(&a->rules, path ? path : EWDIAG_RULES_DIR, &a->err);
    if (rc == 0)
        ew_drop_prefilter(a); /* the rule array moved and grew */
    if (rc == 0 && a->matcher_ready && a->matcher.max_groups < a->rules.max_groups) {
        ew_matcher_free(&a->matcher);
        a->matcher_ready = false;
    }
    return rc;
}

static int ew_ready(ewdiag_analyzer *a)
{
    if (a->rules.n == 0)
        return ew_err_set(&a->err, EWDIAG_EINVAL, "no rules loaded (see ewdiag_analyzer_load_rules)");
    if (!a->prefilter) {
        a->prefilter = ew_malloc(sizeof *a->prefilter);
        if (!a->prefilter || ew_prefilter_build(a->prefilter, &a->rules) != 0) {
            free(a->prefilter);
            a->prefilter = NULL;
            return ew_err_set(&a->err, EWDIAG_ENOMEM, "out of memory");
        }
        a->hits = ew_calloc(a->prefilter->nwords, sizeof *a->hits);
        if (!a->hits) {
            ew_drop_prefilter(a);
            return ew_err_set(&a->err, EWDIAG_ENOMEM, "out of memory");
        }
    }
    if (a->matcher_ready)
        return 0;
    if (ew_matcher_init(&a->matcher, a->rules.max_groups, a->opt.match_limit, a->opt.depth_limit) != 0)
        return ew_err_set(&a->err, EWDIAG_ENOMEM, "out of memory");
    a->matcher_ready = true;
    return 0;
}

static bool ew_has_log(const ewdiag_input *in)
{
    for (size_t i = 0; i < in->nentries; i++) {
        const ewdiag_entry *e = in->entries[i];
        if ((strcmp(e->role, "log") == 0 || strcmp(e->role, "ats-log") == 0) &&
            (strcmp(e->status, "scanned") == 0 || e->lines > 0))
            return true;
    }
    return false;
}

/* Entries that gave anything: read whole, or read in part before failing. */
static size_t ew_scanned(const ewdiag_input *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->nentries; i++)
        n += strcmp(in->entries[i]->status, "scanned") == 0 || in->entries[i]->lines > 0;
    return n;
}

/* The first warning about this input: why it failed. */
static const char *ew_first_warning(const ewdiag_report *r, const ewdiag_input *in)
{
    for (size_t i = 0; i < r->nwarnings; i++)
        if (strcmp(r->warnings[i]->input, in->name) == 0)
            return r->warnings[i]->message;
    for (size_t i = 0; i < in->nentries; i++)
        if (strcmp(in->entries[i]->status, "failed") == 0 && in->entries[i]->reason)
            return in->entries[i]->reason;
    return NULL;
}

/* Sets the input's status and, when nothing could be read, the error. */
static int ew_conclude(ew_run *run, int walk_rc)
{
    ewdiag_analyzer *a = run->a;
    ewdiag_input *in = run->input;
    if (walk_rc == EWDIAG_ENOMEM)
        return walk_rc;
    if (walk_rc != 0 || (ew_scanned(in) == 0 && in->captures == 0)) {
        const char *why = walk_rc != 0 ? a->err.msg : ew_first_warning(run->report, in);
        if (walk_rc != 0 || why) {
            in->status = EWDIAG_INPUT_FAILED;
            if (!why)
                why = "cannot be read";
            if (!(in->error = ew_strdup(why)))
                return EWDIAG_ENOMEM;
            if (walk_rc == 0)
                ew_err_set(&a->err, EWDIAG_EFORMAT, "%s", why);
            return walk_rc != 0 ? walk_rc : EWDIAG_EFORMAT;
        }
    }
    in->status = run->failed_part || run->stop ? EWDIAG_INPUT_PARTIAL : EWDIAG_INPUT_ANALYZED;
    if (!ew_has_log(in) && in->captures == 0 &&
        ew_report_warn(run->report, in->name, NULL, "no-log", 1,
                       "%s: no Expressway or traffic server log found in this input", in->name) != 0)
        return EWDIAG_ENOMEM;
    return EWDIAG_OK;
}

static int ew_analyze(ewdiag_analyzer *a, ewdiag_report *r, const char *path,
                      const ew_origin *origin, const char *name)
{
    if (!a || !r || !name)
        return EWDIAG_EINVAL;
    ew_err_clear(&a->err);
    int rc = ew_ready(a);
    if (rc != 0)
        return rc;
    ew_run run;
    memset(&run, 0, sizeof run);
    run.a = a;
    run.report = r;
    run.input = ew_input_new(name);
    if (!run.input || ew_report_add_input(r, run.input) != 0) {
        ew_input_free(run.input);
        return ew_err_set(&a->err, EWDIAG_ENOMEM, "%s: out of memory", name);
    }
    ew_findings_init(&run.findings, run.input->name, a->opt.evidence, a->opt.window_us);
    int walk_rc = ew_bundle_walk(&run, path, origin);
    if (walk_rc != EWDIAG_ENOMEM && ew_scan_conclude(&run) != 0)
        walk_rc = EWDIAG_ENOMEM;
    rc = ew_conclude(&run, walk_rc);
    if (ew_findings_flush(&run.findings, r) != 0 && rc == 0)
        rc = EWDIAG_ENOMEM;
    ew_findings_free(&run.findings);
    ew_capture_free(run.capture);
    ew_inventory_free(&run.inventory);
    ew_buf_free(&run.name);
    if (rc == EWDIAG_ENOMEM)
        ew_err_set(&a->err, rc, "%s: out of memory", name);
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
