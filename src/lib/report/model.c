/* model.c - the report model's life: inputs, findings and warnings freed,
 * reports made, merged, and their severity. */
#include "report/report.h"

#include <stdlib.h>

void ew_input_free(ewdiag_input *in)
{
    if (!in)
        return;
    ew_walk_result w = {.entries = in->entries, .nentries = in->nentries};
    ew_walk_result_free(&w);
    ew_nodes nodes = {.v = in->nodes, .n = in->nnodes, .cap = in->nnodes};
    ew_nodes_free(&nodes);
    for (size_t i = 0; i < in->ntls_servers; i++)
        ew_tls_server_free(in->tls_servers[i]);
    free(in->tls_servers);
    ew_origins origins = {.v = in->origins, .n = in->norigins, .cap = in->norigins};
    ew_origins_free(&origins);
    ew_trusts trusts = {in->trust_files, in->ntrust_files, in->ntrust_files};
    ew_trusts_free(&trusts);
    EW_FREE_ALL(in->name, in->error, in);
}

void ew_finding_free(ewdiag_finding *f)
{
    if (!f)
        return;
    char **strs[] = {&f->rule,      &f->title,      &f->category, &f->description,
                     &f->condition, &f->workaround, &f->input};
    for (size_t i = 0; i < EW_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    ew_strv_free(f->actions, f->nactions);
    ew_strv_free(f->defects, f->ndefects);
    ew_group_clear(&f->g);
    EW_FREE_ALL(f->tls.sni, f->tls.trust_path, f->tls.name, f);
}

void ew_warning_free(ewdiag_warning *w)
{
    if (!w)
        return;
    EW_FREE_ALL(w->input, w->entry, w->message, w);
}

ewdiag_report *ewdiag_report_new(void)
{
    return ew_calloc(1, sizeof(ewdiag_report));
}

void ewdiag_report_free(ewdiag_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ninputs; i++)
        ew_input_free(r->inputs[i]);
    for (size_t i = 0; i < r->nfindings; i++)
        ew_finding_free(r->findings[i]);
    for (size_t i = 0; i < r->nwarnings; i++)
        ew_warning_free(r->warnings[i]);
    EW_FREE_ALL(r->inputs, r->findings, r->warnings, r);
}

/* Moving keeps every pointer valid: only the arrays of pointers change. */
int ewdiag_report_append(ewdiag_report *dst, ewdiag_report *src)
{
    if (!dst || !src)
        return EWDIAG_EINVAL;
    if (ew_grow(&dst->inputs, &dst->cinputs, dst->ninputs + src->ninputs, sizeof *dst->inputs) ||
        ew_grow(&dst->findings, &dst->cfindings, dst->nfindings + src->nfindings,
                sizeof *dst->findings) ||
        ew_grow(&dst->warnings, &dst->cwarnings, dst->nwarnings + src->nwarnings,
                sizeof *dst->warnings))
        return EWDIAG_ENOMEM;
    if (src->ninputs)
        memcpy(dst->inputs + dst->ninputs, src->inputs, src->ninputs * sizeof *src->inputs);
    if (src->nfindings)
        memcpy(dst->findings + dst->nfindings, src->findings,
               src->nfindings * sizeof *src->findings);
    if (src->nwarnings)
        memcpy(dst->warnings + dst->nwarnings, src->warnings,
               src->nwarnings * sizeof *src->warnings);
    dst->ninputs += src->ninputs;
    dst->nfindings += src->nfindings;
    dst->nwarnings += src->nwarnings;
    src->ninputs = src->nfindings = src->nwarnings = 0;
    return EWDIAG_OK;
}

int ewdiag_report_max_severity(const ewdiag_report *r)
{
    int max = -1;
    for (size_t i = 0; r && i < r->nfindings; i++)
        max = EW_MAX(max, (int)r->findings[i]->severity);
    return max;
}

const char *ewdiag_severity_name(ewdiag_severity s)
{
    static const char *const names[] = {"info", "notice", "warning", "error", "critical"};
    return (unsigned)s < EW_ARRAY_LEN(names) ? names[s] : "unknown";
}
