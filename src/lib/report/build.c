/* build.c - the report built from what the stages gave for one input: the
 * walk's entries, the scan's nodes and trust stores, the analysis' groups,
 * servers and joins, the warnings. Everything new is made first; only then
 * is anything moved, so that running out of memory leaves the report as it
 * was and the stages' results with their owners. */
#include "report/report.h"

#include <stdlib.h>

/* A finding's texts, copied from its rule; NULL when out of memory. */
static ewdiag_finding *ew_finding_of_rule(const ew_rule *r, const char *input, int enforced)
{
    ewdiag_finding *f = ew_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    bool oom = false;
    f->rule = ew_strdup(r->id);
    f->title = ew_strdup(r->title);
    f->category = ew_strdup_opt(r->category, &oom);
    f->description = ew_strdup_opt(r->description, &oom);
    f->condition = ew_strdup_opt(r->condition, &oom);
    f->workaround = ew_strdup_opt(r->workaround, &oom);
    f->actions = ew_strv_dup(r->actions, r->nactions);
    f->nactions = r->nactions;
    f->defects = ew_strv_dup(r->defects, r->ndefects);
    f->ndefects = r->ndefects;
    f->input = ew_strdup(input);
    f->severity = (ewdiag_severity)(enforced == 0 ? r->unenforced_severity : r->severity);
    f->tls.alert = -1;
    f->tls.name_match = -1;
    if (oom || !f->rule || !f->title || !f->actions || !f->defects || !f->input) {
        ew_finding_free(f);
        return NULL;
    }
    return f;
}

/* The facts of a join in words, kept after the group's own explanations
 * (from `from` on) in f->g until the group moves in. */
static int ew_render_facts(ewdiag_finding *f, size_t from, const ew_join *j, const ew_texts *t)
{
    ew_buf b = {0};
    size_t k = from;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < j->nfacts && k < EW_MAX_EXPLANATIONS; i++) {
        ew_buf_clear(&b);
        rc = ew_texts_render(t, &j->facts[i], &b);
        if (rc == 0 && !(f->g.explanations[k++] = ew_strdup(b.p ? b.p : "")))
            rc = EWDIAG_ENOMEM;
    }
    ew_buf_free(&b);
    return rc;
}

/* Moves the group into f (its key stays); the rendered facts follow its
 * explanations, duplicates dropped, within the bound. */
static void ew_move_group(ewdiag_finding *f, ew_group *g, size_t from)
{
    char *facts[EW_MAX_EXPLANATIONS];
    size_t nfacts = 0;
    for (size_t i = from; i < EW_MAX_EXPLANATIONS && f->g.explanations[i]; i++)
        facts[nfacts++] = f->g.explanations[i];
    char *key = g->key;
    f->g = *g;
    f->g.key = NULL;
    memset(g, 0, sizeof *g);
    g->key = key;
    for (size_t i = 0; i < nfacts; i++) {
        bool dup = f->g.nexplanations == EW_MAX_EXPLANATIONS;
        for (size_t k = 0; !dup && k < f->g.nexplanations; k++)
            dup = strcmp(f->g.explanations[k], facts[i]) == 0;
        if (dup)
            free(facts[i]);
        else
            f->g.explanations[f->g.nexplanations++] = facts[i];
    }
}

/* The capture's view, moved from the join. */
static void ew_move_view(ewdiag_finding *f, ew_join *j)
{
    f->tls = j->tls;
    j->tls.sni = j->tls.trust_path = j->tls.name = NULL;
}

/* A forecast's fixes: those of the failure rules of the checks that fail,
 * in order, each step once. */
static int ew_forecast_actions(ewdiag_finding *f, const ew_forecast *fc)
{
    if (fc->nfixes == 0)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < fc->nfixes; i++)
        n += fc->fixes[i]->nactions;
    char **v = ew_calloc(n ? n : 1, sizeof *v);
    if (!v)
        return EWDIAG_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < fc->nfixes; i++)
        for (size_t a = 0; a < fc->fixes[i]->nactions; a++) {
            const char *s = fc->fixes[i]->actions[a];
            bool dup = false;
            for (size_t x = 0; x < k && !dup; x++)
                dup = strcmp(v[x], s) == 0;
            if (dup)
                continue;
            if (!(v[k] = ew_strdup(s))) {
                ew_strv_free(v, k);
                return EWDIAG_ENOMEM;
            }
            k++;
        }
    ew_strv_free(f->actions, f->nactions);
    f->actions = v;
    f->nactions = k;
    return 0;
}

/* Makes the forecasts' findings, after the n others in out. */
static int ew_make_forecasts(ew_input_results *res, ewdiag_finding **out, size_t n)
{
    const ew_forecasts *fs = &res->analysis->forecasts;
    for (size_t i = 0; i < fs->n; i++) {
        const ew_forecast *fc = &fs->v[i];
        ewdiag_finding *f = out[n + i] = ew_finding_of_rule(fc->rule, res->name, -1);
        if (!f || ew_forecast_actions(f, fc) != 0 ||
            ew_render_facts(f, 0, &fc->join, res->texts) != 0)
            return EWDIAG_ENOMEM;
        f->severity = (ewdiag_severity)fc->severity;
        f->fc = fc->info;
    }
    return 0;
}

/* Makes the findings (texts and facts rendered); nothing is moved yet. */
static int ew_make_findings(ew_input_results *res, ewdiag_finding **out, size_t n)
{
    const ew_groups *gs = &res->analysis->groups;
    for (size_t i = 0; i < n; i++) {
        const ew_group *g = gs->v[i];
        out[i] = ew_finding_of_rule(g->rule, res->name, g->enforced);
        if (!out[i] ||
            ew_render_facts(out[i], g->nexplanations, &res->analysis->joins[i], res->texts) != 0)
            return EWDIAG_ENOMEM;
    }
    return 0;
}

static int ew_make_warnings(ew_input_results *res, ewdiag_warning **out)
{
    for (size_t i = 0; i < res->warnings->n; i++) {
        if (!(out[i] = ew_calloc(1, sizeof *out[i])) || !(out[i]->input = ew_strdup(res->name)))
            return EWDIAG_ENOMEM;
    }
    return 0;
}

static ewdiag_input *ew_make_input(const ew_input_results *res)
{
    ewdiag_input *in = ew_calloc(1, sizeof *in);
    bool oom = !in;
    if (in) {
        in->name = ew_strdup(res->name);
        in->error = ew_strdup_opt(res->error, &oom);
        oom |= !in->name;
    }
    if (oom) {
        ew_input_free(in);
        return NULL;
    }
    return in;
}

static void ew_move_input(ewdiag_input *in, ew_input_results *res)
{
    ew_walk_result *w = res->walk;
    ew_scan_result *s = res->scan;
    in->status = res->status;
    in->bytes = w->bytes;
    in->entries = w->entries;
    in->nentries = w->nentries;
    w->entries = NULL;
    w->nentries = w->centries = 0;
    in->nodes = ew_nodes_take(&s->nodes, &in->nnodes);
    for (size_t i = 0; i < s->trusts.n; i++) {
        ew_trust_free(s->trusts.v[i].trust);
        s->trusts.v[i].trust = NULL;
    }
    in->trust_files = s->trusts.v;
    in->ntrust_files = s->trusts.n;
    memset(&s->trusts, 0, sizeof s->trusts);
    in->captures = s->captures;
    ew_inventory_take(&res->analysis->inv, &in->tls_servers, &in->ntls_servers);
    ew_origins_take(&res->analysis->origins, &in->origins, &in->norigins);
}

static void ew_move_warnings(ewdiag_warning **out, ew_warnings *ws)
{
    for (size_t i = 0; i < ws->n; i++) {
        out[i]->entry = ws->v[i].entry;
        out[i]->message = ws->v[i].message;
        out[i]->code = ws->v[i].code;
        out[i]->count = ws->v[i].count;
        ws->v[i].entry = ws->v[i].message = NULL;
    }
}

static int ew_reserve(ewdiag_report *r, size_t nfindings, size_t nwarnings)
{
    if (ew_grow(&r->inputs, &r->cinputs, r->ninputs + 1, sizeof *r->inputs) != 0 ||
        ew_grow(&r->findings, &r->cfindings, r->nfindings + nfindings, sizeof *r->findings) != 0 ||
        ew_grow(&r->warnings, &r->cwarnings, r->nwarnings + nwarnings, sizeof *r->warnings) != 0)
        return EWDIAG_ENOMEM;
    return 0;
}

int ew_report_add(ewdiag_report *r, ew_input_results *res)
{
    /* Groups are findings once concluded (sorted, joined): not after a
     * run that ran out of memory before. */
    size_t nf = res->analysis->joins ? res->analysis->groups.n : 0, nw = res->warnings->n;
    size_t nfc = res->analysis->joins ? res->analysis->forecasts.n : 0;
    ewdiag_finding **fs = ew_calloc(nf + nfc ? nf + nfc : 1, sizeof *fs);
    ewdiag_warning **ws = ew_calloc(nw ? nw : 1, sizeof *ws);
    ewdiag_input *in = NULL;
    int rc = fs && ws ? ew_reserve(r, nf + nfc, nw) : EWDIAG_ENOMEM;
    if (rc == 0)
        rc = ew_make_findings(res, fs, nf);
    if (rc == 0)
        rc = ew_make_forecasts(res, fs, nf);
    if (rc == 0)
        rc = ew_make_warnings(res, ws);
    if (rc == 0 && !(in = ew_make_input(res)))
        rc = EWDIAG_ENOMEM;
    if (rc == 0) {
        /* From here on nothing can fail. */
        for (size_t i = 0; i < nf; i++) {
            ew_move_group(fs[i], res->analysis->groups.v[i],
                          res->analysis->groups.v[i]->nexplanations);
            ew_move_view(fs[i], &res->analysis->joins[i]);
            r->findings[r->nfindings++] = fs[i];
        }
        for (size_t i = 0; i < nfc; i++) {
            ew_forecast *fc = &res->analysis->forecasts.v[i];
            ew_move_group(fs[nf + i], fc->g, 0);
            ew_move_view(fs[nf + i], &fc->join);
            r->findings[r->nfindings++] = fs[nf + i];
        }
        ew_move_warnings(ws, res->warnings);
        for (size_t i = 0; i < nw; i++)
            r->warnings[r->nwarnings++] = ws[i];
        ew_move_input(in, res);
        r->inputs[r->ninputs++] = in;
    } else {
        for (size_t i = 0; fs && i < nf + nfc; i++)
            ew_finding_free(fs[i]);
        for (size_t i = 0; ws && i < nw; i++)
            ew_warning_free(ws[i]);
    }
    free(fs);
    free(ws);
    return rc;
}
