/* analyzer.c - the public analyzer: options, rules, and what it keeps
 * ready for the next analysis. */
#include "api/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/limits.h"

#define EW_US_PER_S INT64_C(1000000)
#define EW_S_PER_DAY INT64_C(86400)
/* The longest expiry window --set takes: ten years. */
#define EW_MAX_EXPIRY_WINDOW_DAYS 3660

ewdiag_analyzer *ewdiag_analyzer_new(void)
{
    ewdiag_analyzer *a = ew_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->opt = (ew_options){
        .evidence = EW_DEF_EVIDENCE,
        .max_depth = EW_DEF_MAX_DEPTH,
        .max_entries = EW_DEF_MAX_ENTRIES,
        .max_bytes = EW_DEF_MAX_BYTES,
        .max_ratio = EW_DEF_MAX_RATIO,
        .window_us = (int64_t)EW_DEF_ATTACH_WINDOW_S * EW_US_PER_S,
        .threads = EW_DEF_THREADS,
        .max_handshakes = EW_DEF_MAX_HANDSHAKES,
        .capture_window_us = (int64_t)EW_DEF_CAPTURE_WINDOW_S * EW_US_PER_S,
        .expiry_window_us = (int64_t)EW_DEF_EXPIRY_WINDOW_DAYS * EW_S_PER_DAY * EW_US_PER_S,
        .max_findings = EW_DEF_MAX_FINDINGS,
        .max_evidence_bytes = EW_DEF_MAX_EVIDENCE_BYTES,
        .max_tls_servers = EW_DEF_MAX_TLS_SERVERS,
        .max_chain_bytes = EW_DEF_MAX_CHAIN_BYTES,
        .scan =
            {
                .max_line = EW_DEF_MAX_LINE,
                .max_nodes = EW_DEF_MAX_NODES,
                .match_limit = EW_DEF_MATCH_LIMIT,
                .depth_limit = EW_DEF_DEPTH_LIMIT,
                .capture =
                    {
                        .max_flows = EW_DEF_MAX_FLOWS,
                        .max_flow_bytes = EW_DEF_MAX_FLOW_BYTES,
                        .max_handshake = EW_DEF_MAX_HANDSHAKE,
                        .max_chain = EW_DEF_MAX_CHAIN,
                        .max_der = EW_DEF_MAX_DER,
                    },
            },
    };
    return a;
}

void ewdiag_analyzer_free(ewdiag_analyzer *a)
{
    if (!a)
        return;
    ew_scanner_free(a->scanner);
    ew_texts_free(a->builtin);
    ew_rules_free(&a->rules);
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
static bool ew_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Each option's setter; the scanner is built from the scan limits, so
 * those that change them drop it (scan). */
typedef void (*ew_setter)(ew_options *o, uint64_t v);

#define EW_SETTER(fn, field, type)                                                                 \
    static void fn(ew_options *o, uint64_t v)                                                      \
    {                                                                                              \
        o->field = (type)v;                                                                        \
    }
EW_SETTER(ew_set_evidence, evidence, size_t)
EW_SETTER(ew_set_max_line, scan.max_line, size_t)
EW_SETTER(ew_set_max_depth, max_depth, unsigned)
EW_SETTER(ew_set_max_entries, max_entries, uint64_t)
EW_SETTER(ew_set_max_bytes, max_bytes, uint64_t)
EW_SETTER(ew_set_max_ratio, max_ratio, uint64_t)
EW_SETTER(ew_set_match_limit, scan.match_limit, uint32_t)
EW_SETTER(ew_set_depth_limit, scan.depth_limit, uint32_t)
EW_SETTER(ew_set_max_handshakes, max_handshakes, size_t)
EW_SETTER(ew_set_threads, threads, unsigned)
EW_SETTER(ew_set_max_flows, scan.capture.max_flows, size_t)
EW_SETTER(ew_set_max_flow_bytes, scan.capture.max_flow_bytes, size_t)
EW_SETTER(ew_set_max_handshake, scan.capture.max_handshake, size_t)
EW_SETTER(ew_set_max_chain, scan.capture.max_chain, size_t)
EW_SETTER(ew_set_max_der, scan.capture.max_der, size_t)
EW_SETTER(ew_set_max_findings, max_findings, size_t)
EW_SETTER(ew_set_max_evidence_bytes, max_evidence_bytes, size_t)
EW_SETTER(ew_set_max_nodes, scan.max_nodes, size_t)
EW_SETTER(ew_set_max_tls_servers, max_tls_servers, size_t)
EW_SETTER(ew_set_max_chain_bytes, max_chain_bytes, size_t)

static void ew_set_attach_window(ew_options *o, uint64_t v)
{
    o->window_us = (int64_t)v * EW_US_PER_S;
}

static void ew_set_capture_window(ew_options *o, uint64_t v)
{
    o->capture_window_us = (int64_t)v * EW_US_PER_S;
}

static void ew_set_expiry_window(ew_options *o, uint64_t v)
{
    o->expiry_window_us = (int64_t)v * EW_S_PER_DAY * EW_US_PER_S;
}

typedef struct ew_optdef {
    const char *name;
    uint64_t min, max;
    ew_setter set;
    bool scan; /* a scan limit */
} ew_optdef;

static const ew_optdef ew_optdefs[] = {
    {"evidence", 0, EW_MAX_EVIDENCE, ew_set_evidence, false},
    {"max-line", 64, UINT64_C(1) << 30, ew_set_max_line, true},
    {"max-depth", 0, 64, ew_set_max_depth, false},
    {"max-entries", 1, UINT64_C(1) << 32, ew_set_max_entries, false},
    {"max-bytes", 1, UINT64_MAX, ew_set_max_bytes, false},
    {"max-ratio", 0, UINT64_C(1) << 32, ew_set_max_ratio, false},
    {"attach-window", 0, 86400, ew_set_attach_window, false},
    {"match-limit", 1, UINT32_MAX, ew_set_match_limit, true},
    {"depth-limit", 1, UINT32_MAX, ew_set_depth_limit, true},
    {"max-handshakes", 0, UINT64_C(1) << 28, ew_set_max_handshakes, false},
    {"threads", 1, EW_MAX_THREADS, ew_set_threads, false},
    {"capture-window", 0, 86400, ew_set_capture_window, false},
    {"max-flows", 1, UINT64_C(1) << 24, ew_set_max_flows, true},
    {"max-flow-bytes", 1024, UINT64_C(1) << 30, ew_set_max_flow_bytes, true},
    {"max-handshake", 1024, UINT64_C(1) << 24, ew_set_max_handshake, true},
    {"max-chain", 1, EW_MAX_CHAIN_HARD, ew_set_max_chain, true},
    {"max-der", 256, UINT64_C(1) << 24, ew_set_max_der, true},
    {"expiry-window", 0, EW_MAX_EXPIRY_WINDOW_DAYS, ew_set_expiry_window, false},
    {"max-findings", 1, UINT64_C(1) << 24, ew_set_max_findings, false},
    {"max-evidence-bytes", 0, UINT64_C(1) << 40, ew_set_max_evidence_bytes, false},
    {"max-nodes", 1, UINT64_C(1) << 24, ew_set_max_nodes, true},
    {"max-tls-servers", 1, UINT64_C(1) << 24, ew_set_max_tls_servers, false},
    {"max-chain-bytes", 0, UINT64_C(1) << 40, ew_set_max_chain_bytes, false},
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
    if (!ew_parse_u64(value, d->min, d->max, &v))
        return ew_err_set(
            &a->err, EWDIAG_EINVAL, "option '%s': '%s' is not a whole number from %llu to %llu",
            key, value ? value : "", (unsigned long long)d->min, (unsigned long long)d->max);
    d->set(&a->opt, v);
    if (d->scan) {
        ew_scanner_free(a->scanner);
        a->scanner = NULL;
    }
    return EWDIAG_OK;
}

int ewdiag_analyzer_load_rules(ewdiag_analyzer *a, const char *path)
{
    if (!a)
        return EWDIAG_EINVAL;
    ew_err_clear(&a->err);
    int rc = ew_rules_load(&a->rules, path ? path : ewdiag_default_rules_dir(), &a->err);
    if (rc == 0) {
        /* Sized for the rules: rebuilt for the new set on next use. */
        ew_scanner_free(a->scanner);
        a->scanner = NULL;
    }
    return rc;
}

int ew_analyzer_ready(ewdiag_analyzer *a)
{
    if (a->rules.n == 0)
        return ew_err_set(&a->err, EWDIAG_EINVAL,
                          "no rules loaded (see ewdiag_analyzer_load_rules)");
    if (!a->rules.texts && !a->builtin) {
        int rc = ew_texts_builtin(&a->builtin, &a->err);
        if (rc != 0)
            return rc;
    }
    if (!a->scanner && !(a->scanner = ew_scanner_new(&a->rules, &a->opt.scan)))
        return ew_err_set(&a->err, EWDIAG_ENOMEM, "out of memory");
    return 0;
}

const ew_texts *ew_analyzer_texts(const ewdiag_analyzer *a)
{
    return a->rules.texts ? a->rules.texts : a->builtin;
}
