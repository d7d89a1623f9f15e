/* analysis.c - the analysis of one input, and the sink the scan stage
 * feeds. */
#include "analysis/analysis.h"

#include <stdlib.h>

static int ew_on_event(void *ctx, const ew_event *ev)
{
    ew_analysis *a = ctx;
    return ew_groups_event(&a->groups, ev);
}

static int ew_on_evidence(void *ctx, const ew_event *ev)
{
    ew_analysis *a = ctx;
    return ew_groups_attach(&a->groups, ev);
}

static int ew_on_failed_request(void *ctx, const ew_failed_request *r)
{
    ew_analysis *a = ctx;
    return ew_groups_failed_request(&a->groups, r);
}

static int ew_on_capture_file(void *ctx, const char *entry)
{
    ew_analysis *a = ctx;
    a->inv.entry = entry;
    return 0;
}

static int ew_on_handshake(void *ctx, const ew_tls_hs *hs)
{
    ew_analysis *a = ctx;
    return ew_inventory_add(&a->inv, hs);
}

void ew_analysis_init(ew_analysis *a, const ew_analysis_opts *o, ew_warnings *warn,
                      const char *input)
{
    memset(a, 0, sizeof *a);
    a->opt = *o;
    a->input = input;
    a->warn = warn;
    ew_group_limits gl = {o->evidence, o->window_us, o->max_findings, o->max_evidence_bytes};
    ew_groups_init(&a->groups, &gl);
    ew_inventory_limits il = {o->max_handshakes, o->max_tls_servers, o->max_chain_bytes};
    ew_inventory_init(&a->inv, &il, warn, input);
}

static int ew_on_origin_request(void *ctx, const ew_origin_request *r)
{
    ew_analysis *a = ctx;
    return ew_origins_request(&a->origins, r);
}

ew_sink ew_analysis_sink(ew_analysis *a)
{
    return (ew_sink){a,
                     ew_on_event,
                     ew_on_evidence,
                     ew_on_failed_request,
                     ew_on_capture_file,
                     ew_on_handshake,
                     ew_on_origin_request};
}

/* The limits the analysis hit, each said once with what it dropped: the
 * count, then the words before and after the limit's value. */
static int ew_tell_limits(ew_analysis *a)
{
    const ew_groups *g = &a->groups;
    const ew_inventory *inv = &a->inv;
    const ew_analysis_opts *o = &a->opt;
    const struct {
        ew_warn_code code;
        uint64_t n;
        size_t limit;
        const char *before, *after;
    } hit[] = {
        {EW_W_LIMIT_HANDSHAKES, inv->forgotten, o->max_handshakes, "handshakes beyond ",
         " counted but not joined to findings (limit max-handshakes)"},
        {EW_W_LIMIT_FINDINGS, g->dropped_events, o->max_findings,
         "failure lines of findings beyond the first ",
         " dropped, with what would have joined them (limit max-findings)"},
        {EW_W_LIMIT_EVIDENCE, g->dropped_lines, o->max_evidence_bytes,
         "evidence and related lines not kept: the findings' lines already held ",
         " bytes (limit max-evidence-bytes); their counts are whole"},
        {EW_W_LIMIT_TLS_SERVERS, inv->dropped_servers, o->max_tls_servers,
         "handshakes to TLS servers beyond the first ", " dropped (limit max-tls-servers)"},
        {EW_W_LIMIT_CHAINS, inv->dropped_chains, o->max_chain_bytes,
         "certificate chains not kept: the distinct chains already held ",
         " bytes (limit max-chain-bytes); their handshakes are counted"},
    };
    int rc = 0;
    for (size_t i = 0; i < EW_ARRAY_LEN(hit); i++)
        if (hit[i].n)
            rc |= ew_warn(a->warn, hit[i].code, NULL, hit[i].n, "%s: %s%zu%s", a->input,
                          hit[i].before, hit[i].limit, hit[i].after);
    return rc ? EWDIAG_ENOMEM : 0;
}

int ew_analysis_conclude(ew_analysis *a, const ew_scan_result *scan)
{
    if (ew_tell_limits(a) != 0)
        return EWDIAG_ENOMEM;
    ew_groups_sort(&a->groups);
    size_t n = a->groups.n;
    if (!(a->joins = ew_calloc(n ? n : 1, sizeof *a->joins)))
        return EWDIAG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ew_join_init(&a->joins[i]);
    ew_hs_by by;
    if (ew_hs_by_init(&by, &a->inv) != 0)
        return EWDIAG_ENOMEM;
    int rc = ew_correlate(&a->groups, &a->inv, &by, &scan->trusts, scan->captures,
                          a->opt.capture_window_us, a->joins);
    if (rc == 0 && a->origins.dropped &&
        ew_warn(a->warn, EW_W_LIMIT_ORIGINS, NULL, a->origins.dropped,
                "%s: origin servers beyond %d neither listed nor checked", a->input,
                EW_MAX_ORIGINS) != 0)
        rc = EWDIAG_ENOMEM;
    ew_forecast_in fi = {a->opt.rules, &scan->nodes, &scan->trusts,  &a->groups,
                         &a->inv,      &by,          scan->captures, a->opt.expiry_window_us};
    if (rc == 0)
        rc = ew_forecast_run(&a->origins, &fi, &a->forecasts);
    ew_hs_by_free(&by);
    return rc;
}

void ew_analysis_free(ew_analysis *a)
{
    for (size_t i = 0; a->joins && i < a->groups.n; i++)
        ew_join_free(&a->joins[i]);
    free(a->joins);
    ew_groups_free(&a->groups);
    ew_forecasts_free(&a->forecasts);
    ew_origins_free(&a->origins);
    ew_inventory_free(&a->inv);
    memset(a, 0, sizeof *a);
}
