/* forecast_state.c - the forecasts of a checked origin: a refusal to come
 * (ts-origin-verify-forecast) on a node that does not enforce the check
 * yet, and a certificate that expires soon or has expired
 * (ts-origin-cert-expiring) on any node. Each is a group of its own with a
 * copy of the origin's join, so that the report builds it as any finding. */
#include "analysis/forecast_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/timestamp.h"

/* Room for a count of days. */
#define EW_DAYS_MAX 32

void ew_forecasts_free(ew_forecasts *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        ew_group_free(fs->v[i].g);
        ew_join_free(&fs->v[i].join);
    }
    free(fs->v);
    memset(fs, 0, sizeof *fs);
}

/* A deep copy of a join into dst (initialised). 0, or EWDIAG_ENOMEM. */
static int ew_join_copy(ew_join *dst, const ew_join *src)
{
    bool oom = false;
    dst->tls = src->tls;
    dst->tls.sni = ew_strdup_opt(src->tls.sni, &oom);
    dst->tls.trust_path = ew_strdup_opt(src->tls.trust_path, &oom);
    dst->tls.name = ew_strdup_opt(src->tls.name, &oom);
    for (size_t i = 0; !oom && i < src->nfacts; i++) {
        const ew_fact *f = &src->facts[i];
        ew_fact *d = &dst->facts[dst->nfacts++];
        memset(d, 0, sizeof *d);
        d->code = f->code;
        for (size_t k = 0; k < EW_FACT_MAX_PARAMS; k++)
            d->param[k] = ew_strdup_opt(f->param[k], &oom);
    }
    return oom ? EWDIAG_ENOMEM : 0;
}

/* Why the node does not refuse o yet, as a fact. */
static int ew_state_enforcement(ew_join *j, const ew_origin_srv *o, const char *version)
{
    switch (o->enforcement) {
    case EW_ENF_BEFORE_X14_2:
        return ew_join_state(j, EW_FACT_FORECAST_BEFORE_UPGRADE, o->node, version);
    case EW_ENF_VERIFY_OFF:
        return ew_join_state(j, EW_FACT_FORECAST_VERIFY_OFF, o->node);
    case EW_ENF_CONTINUE_ONLY:
        return ew_join_state(j, EW_FACT_FORECAST_CONTINUE_ONLY, o->node);
    case EW_ENF_UNKNOWN:
        return ew_join_state(j, EW_FACT_FORECAST_UNKNOWN, o->node);
    case EW_ENF_ENFORCED:
        break;
    }
    return 0;
}

static int ew_state_expiry(ew_join *j, const ew_origin_srv *o)
{
    if (o->expiry != EW_EXPIRY_SOON)
        return 0; /* an expired one has its fact already (correlate.c) */
    char day[EW_TS_BUFSZ], days[EW_DAYS_MAX];
    ew_ts_format(o->not_after, day);
    day[10] = '\0';
    snprintf(days, sizeof days, "%lld", o->days_left);
    return ew_join_state(j, EW_FACT_EXPIRES_SOON, day, days, o->days_left == 1 ? "" : "s");
}

/* The group a forecast stands in: one node, server, address and port. */
static ew_group *ew_forecast_group(const ew_rule *rule, const ew_origin_srv *o, bool refusal)
{
    ew_group *g = ew_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    const ew_verdict *v = &o->join.tls.verdict;
    bool trust = refusal && o->untrusted;
    g->rule = rule;
    g->node = ew_strdup(o->node);
    g->server = ew_strdup(*o->name ? o->name : o->address);
    g->address = ew_strdup(o->address);
    g->target = ew_strdup(o->name);
    g->error = ew_strdup(trust ? v->error_text : "");
    g->enforced = -1;
    g->depth = trust ? v->error_depth : -1;
    g->ports[0] = o->port;
    g->nports = 1;
    /* When: its requests, else the handshake checked. */
    g->first_seen = o->first_seen ? o->first_seen : o->join.tls.ts;
    g->last_seen = o->last_seen ? o->last_seen : o->join.tls.ts;
    if (!g->node || !g->server || !g->address || !g->target || !g->error) {
        ew_group_free(g);
        return NULL;
    }
    return g;
}

/* The failure rules whose fixes apply: those of the checks that fail. */
static void ew_forecast_fixes(ew_forecast *f, const ew_origin_srv *o, const ew_ruleset *rs)
{
    const ew_rule *r = f->rule;
    for (size_t i = 0; i < r->nfixes_from; i++) {
        bool applies = (strcmp(r->fixes_from[i].check, "untrusted") == 0 && o->untrusted) ||
                       (strcmp(r->fixes_from[i].check, "name") == 0 && o->misnamed);
        const ew_rule *fix = applies ? ew_rules_find(rs, r->fixes_from[i].rule) : NULL;
        if (fix)
            f->fixes[f->nfixes++] = fix;
    }
}

static int ew_forecast_add(ew_forecasts *out, const ew_rule *rule, const ew_origin_srv *o,
                           const ew_forecast_in *in, const char *version, bool refusal)
{
    if (ew_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v) != 0)
        return EWDIAG_ENOMEM;
    ew_forecast *f = &out->v[out->n];
    memset(f, 0, sizeof *f);
    ew_join_init(&f->join);
    f->rule = rule;
    f->severity =
        o->expiry == EW_EXPIRY_EXPIRED && !refusal ? rule->expired_severity : rule->severity;
    f->info = (ew_forecast_info){true,
                                 o->enforcement,
                                 refusal && o->untrusted,
                                 refusal && o->misnamed,
                                 refusal ? EW_EXPIRY_NONE : o->expiry,
                                 o->not_after,
                                 o->days_left};
    if (refusal)
        ew_forecast_fixes(f, o, in->rules);
    int rc = refusal ? ew_state_enforcement(&f->join, o, version) : 0;
    if (rc == 0)
        rc = ew_join_copy(&f->join, &o->join);
    if (rc == 0 && !refusal)
        rc = ew_state_expiry(&f->join, o);
    if (rc == 0 && !(f->g = ew_forecast_group(rule, o, refusal)))
        rc = EWDIAG_ENOMEM;
    if (rc != 0) {
        ew_join_free(&f->join);
        return rc;
    }
    out->n++;
    return 0;
}

int ew_forecast_state(const ew_origin_srv *o, const char *version, const ew_forecast_in *in,
                      ew_forecasts *out)
{
    if (o->state != EW_ORIGIN_CHECKED || !in->rules)
        return 0;
    const ew_rule *verify = ew_rules_find(in->rules, EW_RULE_VERIFY_FORECAST);
    const ew_rule *expiring = ew_rules_find(in->rules, EW_RULE_CERT_EXPIRING);
    int rc = 0;
    /* Where the check is enforced, a failing server has its failure
     * findings already: no forecast repeats them. */
    if (verify && verify->kind == EW_RULE_FORECAST && o->enforcement != EW_ENF_ENFORCED &&
        (o->untrusted || o->misnamed))
        rc = ew_forecast_add(out, verify, o, in, version, true);
    if (rc == 0 && expiring && expiring->kind == EW_RULE_FORECAST && o->expiry != EW_EXPIRY_NONE)
        rc = ew_forecast_add(out, expiring, o, in, version, false);
    return rc;
}
