/* report.c - the report model and its public getters. */
#include "report/report.h"
#include "report/html.h"

#include <stdlib.h>

/* ---- inputs and entries ------------------------------------------- */

ewdiag_input *ew_input_new(const char *name)
{
    ewdiag_input *in = ew_calloc(1, sizeof *in);
    if (!in)
        return NULL;
    if (!(in->name = ew_strdup(name))) {
        free(in);
        return NULL;
    }
    return in;
}

void ew_input_free(ewdiag_input *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->nentries; i++) {
        free(in->entries[i]->path);
        free(in->entries[i]->reason);
        free(in->entries[i]);
    }
    free(in->entries);
    for (size_t i = 0; i < in->nnodes; i++) {
        free(in->nodes[i].name);
        free(in->nodes[i].version);
        free(in->nodes[i].verify_origin);
    }
    free(in->nodes);
    for (size_t i = 0; i < in->ntls_servers; i++)
        ew_tls_server_free(in->tls_servers[i]);
    for (size_t i = 0; i < in->ntrust_files; i++) {
        free(in->trust_files[i].node);
        free(in->trust_files[i].path);
        ew_trust_free(in->trust_files[i].trust);
    }
    free(in->tls_servers);
    free(in->trust_files);
    free(in->name);
    free(in->error);
    free(in);
}

ewdiag_entry *ew_input_add_entry(ewdiag_input *in, const char *path, const char *role,
                                 uint64_t size)
{
    if (ew_grow(&in->entries, &in->centries, in->nentries + 1, sizeof *in->entries) != 0)
        return NULL;
    ewdiag_entry *e = ew_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    if (!(e->path = ew_strdup(path))) {
        free(e);
        return NULL;
    }
    e->role = role;
    e->size = size;
    e->status = "skipped";
    in->entries[in->nentries++] = e;
    return e;
}

int ew_entry_set(ewdiag_entry *e, const char *status, const char *reason)
{
    e->status = status;
    free(e->reason);
    e->reason = NULL;
    if (reason && !(e->reason = ew_strdup(reason)))
        return -1;
    return 0;
}

ew_node *ew_input_node(ewdiag_input *in, const char *name, size_t n)
{
    for (size_t i = 0; i < in->nnodes; i++)
        if (strlen(in->nodes[i].name) == n && memcmp(in->nodes[i].name, name, n) == 0)
            return &in->nodes[i];
    if (ew_grow(&in->nodes, &in->cnodes, in->nnodes + 1, sizeof *in->nodes) != 0)
        return NULL;
    ew_node *node = &in->nodes[in->nnodes];
    memset(node, 0, sizeof *node);
    if (!(node->name = ew_strndup(name, n)))
        return NULL;
    in->nnodes++;
    return node;
}

/* ---- capture inventory ------------------------------------------- */

void ew_chain_free(ew_chain *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncerts; i++)
        ew_cert_info_free(&c->certs[i]);
    free(c->certs);
    for (size_t i = 0; i < c->nder; i++)
        free(c->der[i]);
    free(c->der);
    free(c->der_len);
    free(c->error);
    free(c);
}

void ew_tls_server_free(ew_tls_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nchains; i++)
        ew_chain_free(s->chains[i]);
    free(s->chains);
    for (size_t i = 0; i < s->nsnis; i++)
        free(s->snis[i]);
    ew_timeline_free(&s->times);
    free(s->address);
    free(s);
}

const char *ew_capture_match_name(ew_capture_match m)
{
    switch (m) {
    case EW_CAPTURE_MATCHED: return "matched";
    case EW_CAPTURE_NO_HS: return "no-handshake";
    case EW_CAPTURE_NONE: break;
    }
    return "no-capture";
}

/* ---- findings ------------------------------------------------------ */

int ew_finding_explain(ewdiag_finding *f, const char *text)
{
    for (size_t i = 0; i < f->nexplanations; i++)
        if (strcmp(f->explanations[i], text) == 0)
            return 0;
    if (f->nexplanations == EW_MAX_EXPLANATIONS)
        return 0;
    if (!(f->explanations[f->nexplanations] = ew_strdup(text)))
        return -1;
    f->nexplanations++;
    return 0;
}

ewdiag_finding *ew_finding_new(size_t evidence)
{
    ewdiag_finding *f = ew_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->enforced = -1;
    f->depth = -1;
    f->tls.alert = -1;
    f->tls.name_match = -1;
    if (ew_ring_init(&f->evidence, evidence) != 0 || ew_ring_init(&f->related, evidence) != 0) {
        ew_finding_free(f);
        return NULL;
    }
    return f;
}

void ew_finding_free(ewdiag_finding *f)
{
    if (!f)
        return;
    char **strs[] = {&f->key,    &f->rule,      &f->title,    &f->category, &f->description,
                     &f->condition, &f->workaround, &f->input, &f->node,    &f->server,
                     &f->address, &f->target,    &f->error};
    for (size_t i = 0; i < EW_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    for (size_t i = 0; i < f->nactions; i++)
        free(f->actions[i]);
    free(f->actions);
    for (size_t i = 0; i < f->ndefects; i++)
        free(f->defects[i]);
    free(f->defects);
    ew_ring_free(&f->evidence);
    ew_ring_free(&f->related);
    for (size_t i = 0; i < f->nexplanations; i++)
        free(f->explanations[i]);
    for (size_t i = 0; i < f->nvariants; i++)
        free(f->variants[i].error);
    for (size_t i = 0; i < f->nurls; i++) {
        free(f->urls[i].url);
        free(f->urls[i].mra);
    }
    ew_timeline_free(&f->event_times);
    ew_timeline_free(&f->request_times);
    free(f->tls.sni);
    free(f->tls.trust_path);
    free(f->tls.name);
    free(f);
}

/* ---- report -------------------------------------------------------- */

ewdiag_report *ewdiag_report_new(void)
{
    return ew_calloc(1, sizeof(ewdiag_report));
}

static void ew_warning_free(ewdiag_warning *w)
{
    free(w->input);
    free(w->entry);
    free(w->message);
    free(w);
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
    free(r->inputs);
    free(r->findings);
    free(r->warnings);
    free(r);
}

int ew_report_add_input(ewdiag_report *r, ewdiag_input *in)
{
    if (ew_grow(&r->inputs, &r->cinputs, r->ninputs + 1, sizeof *r->inputs) != 0)
        return -1;
    r->inputs[r->ninputs++] = in;
    return 0;
}

int ew_report_add_finding(ewdiag_report *r, ewdiag_finding *f)
{
    if (ew_grow(&r->findings, &r->cfindings, r->nfindings + 1, sizeof *r->findings) != 0)
        return -1;
    r->findings[r->nfindings++] = f;
    return 0;
}

static bool ew_streq_null(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int ew_report_warn(ewdiag_report *r, const char *input, const char *entry, const char *code,
                   uint64_t n, const char *fmt, ...)
{
    for (size_t i = r->nwarnings; i-- > 0;) {
        ewdiag_warning *w = r->warnings[i];
        if (w->code == code && strcmp(w->input, input) == 0 && ew_streq_null(w->entry, entry)) {
            w->count += n;
            return 0;
        }
    }
    if (ew_grow(&r->warnings, &r->cwarnings, r->nwarnings + 1, sizeof *r->warnings) != 0)
        return -1;
    ewdiag_warning *w = ew_calloc(1, sizeof *w);
    ew_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (!w || len < 0 || ew_buf_reserve(&msg, (size_t)len) != 0)
        goto oom;
    va_start(ap, fmt);
    vsnprintf(msg.p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    msg.len = (size_t)len;
    w->code = code;
    w->count = n;
    w->message = ew_buf_take(&msg);
    w->input = ew_strdup(input);
    w->entry = entry ? ew_strdup(entry) : NULL;
    if (!w->message || !w->input || (entry && !w->entry))
        goto oom;
    r->warnings[r->nwarnings++] = w;
    return 0;
oom:
    if (w)
        ew_warning_free(w);
    ew_buf_free(&msg);
    return -1;
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

int ewdiag_report_write(const ewdiag_report *r, FILE *f, ewdiag_format format, unsigned flags)
{
    if (!r || !f)
        return EWDIAG_EINVAL;
    int rc;
    switch (format) {
    case EWDIAG_FORMAT_TEXT: rc = ew_report_write_text(r, f, flags); break;
    case EWDIAG_FORMAT_JSON: rc = ew_report_write_json(r, f, flags); break;
    case EWDIAG_FORMAT_JSONL: rc = ew_report_write_jsonl(r, f, flags); break;
    case EWDIAG_FORMAT_HTML: rc = ew_report_write_html(r, f, flags); break;
    default: return EWDIAG_EINVAL;
    }
    if (rc == 0 && ferror(f))
        rc = EWDIAG_EIO;
    return rc;
}

char *ewdiag_report_serialize(const ewdiag_report *r, ewdiag_format format, unsigned flags,
                              size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return NULL;
    int rc = ewdiag_report_write(r, f, format, flags);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
