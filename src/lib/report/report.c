/* report.c - the report model and its public getters. */
#include "report/report.h"

#include <stdlib.h>

static const char *ew_str(const char *s)
{
    return s ? s : "";
}

/* ---- ring ---------------------------------------------------------- */

int ew_ring_init(ew_ring *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    if (cap == 0)
        return 0;
    r->v = calloc(cap, sizeof *r->v);
    return r->v ? 0 : -1;
}

int ew_ring_push(ew_ring *r, const char *s, size_t n)
{
    if (r->cap == 0)
        return 0;
    char *d = ew_strndup(s, n);
    if (!d)
        return -1;
    if (r->n < r->cap) {
        r->v[(r->head + r->n++) % r->cap] = d;
    } else {
        free(r->v[r->head]);
        r->v[r->head] = d;
        r->head = (r->head + 1) % r->cap;
    }
    return 0;
}

const char *ew_ring_get(const ew_ring *r, size_t i)
{
    return i < r->n ? r->v[(r->head + i) % r->cap] : NULL;
}

void ew_ring_free(ew_ring *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[(r->head + i) % r->cap]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* ---- inputs and entries ------------------------------------------- */

ewdiag_input *ew_input_new(const char *name)
{
    ewdiag_input *in = calloc(1, sizeof *in);
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
    ewdiag_entry *e = calloc(1, sizeof *e);
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
    free(s->address);
    free(s);
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
    ewdiag_finding *f = calloc(1, sizeof *f);
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
    free(f->tls.sni);
    free(f->tls.trust_path);
    free(f->tls.name);
    free(f);
}

/* ---- report -------------------------------------------------------- */

ewdiag_report *ewdiag_report_new(void)
{
    return calloc(1, sizeof(ewdiag_report));
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
    ewdiag_warning *w = calloc(1, sizeof *w);
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

/* ---- getters ------------------------------------------------------- */

size_t ewdiag_report_input_count(const ewdiag_report *r) { return r ? r->ninputs : 0; }
const ewdiag_input *ewdiag_report_input(const ewdiag_report *r, size_t i)
{
    return r && i < r->ninputs ? r->inputs[i] : NULL;
}
size_t ewdiag_report_finding_count(const ewdiag_report *r) { return r ? r->nfindings : 0; }
const ewdiag_finding *ewdiag_report_finding(const ewdiag_report *r, size_t i)
{
    return r && i < r->nfindings ? r->findings[i] : NULL;
}
size_t ewdiag_report_warning_count(const ewdiag_report *r) { return r ? r->nwarnings : 0; }
const ewdiag_warning *ewdiag_report_warning(const ewdiag_report *r, size_t i)
{
    return r && i < r->nwarnings ? r->warnings[i] : NULL;
}

const char *ewdiag_input_name(const ewdiag_input *in) { return in->name; }
ewdiag_input_status ewdiag_input_status_get(const ewdiag_input *in) { return in->status; }
const char *ewdiag_input_error(const ewdiag_input *in) { return ew_str(in->error); }
uint64_t ewdiag_input_bytes(const ewdiag_input *in) { return in->bytes; }
size_t ewdiag_input_node_count(const ewdiag_input *in) { return in->nnodes; }
const char *ewdiag_input_node(const ewdiag_input *in, size_t i)
{
    return i < in->nnodes ? in->nodes[i].name : "";
}
const char *ewdiag_input_node_version(const ewdiag_input *in, size_t i)
{
    return i < in->nnodes ? ew_str(in->nodes[i].version) : "";
}
size_t ewdiag_input_entry_count(const ewdiag_input *in) { return in->nentries; }
const ewdiag_entry *ewdiag_input_entry(const ewdiag_input *in, size_t i)
{
    return i < in->nentries ? in->entries[i] : NULL;
}

const char *ewdiag_entry_path(const ewdiag_entry *e) { return e->path; }
const char *ewdiag_entry_role(const ewdiag_entry *e) { return e->role; }
uint64_t ewdiag_entry_size(const ewdiag_entry *e) { return e->size; }
const char *ewdiag_entry_status(const ewdiag_entry *e) { return e->status; }
const char *ewdiag_entry_reason(const ewdiag_entry *e) { return ew_str(e->reason); }
uint64_t ewdiag_entry_lines(const ewdiag_entry *e) { return e->lines; }

const char *ewdiag_finding_rule(const ewdiag_finding *f) { return f->rule; }
const char *ewdiag_finding_title(const ewdiag_finding *f) { return ew_str(f->title); }
const char *ewdiag_finding_category(const ewdiag_finding *f) { return ew_str(f->category); }
ewdiag_severity ewdiag_finding_severity(const ewdiag_finding *f) { return f->severity; }
const char *ewdiag_finding_input(const ewdiag_finding *f) { return ew_str(f->input); }
const char *ewdiag_finding_node(const ewdiag_finding *f) { return ew_str(f->node); }
const char *ewdiag_finding_server(const ewdiag_finding *f) { return ew_str(f->server); }
const char *ewdiag_finding_address(const ewdiag_finding *f) { return ew_str(f->address); }
const char *ewdiag_finding_target(const ewdiag_finding *f) { return ew_str(f->target); }
size_t ewdiag_finding_related_count(const ewdiag_finding *f) { return f->related.n; }
const char *ewdiag_finding_related(const ewdiag_finding *f, size_t i)
{
    return ew_str(ew_ring_get(&f->related, i));
}
int ewdiag_finding_enforced(const ewdiag_finding *f) { return f->enforced; }
uint64_t ewdiag_finding_count(const ewdiag_finding *f) { return f->count; }
uint64_t ewdiag_finding_requests(const ewdiag_finding *f) { return f->requests; }
int64_t ewdiag_finding_first_seen(const ewdiag_finding *f) { return f->first_seen; }
int64_t ewdiag_finding_last_seen(const ewdiag_finding *f) { return f->last_seen; }
const char *ewdiag_finding_error(const ewdiag_finding *f) { return ew_str(f->error); }
int ewdiag_finding_depth(const ewdiag_finding *f) { return f->depth; }
const char *ewdiag_finding_description(const ewdiag_finding *f) { return ew_str(f->description); }
const char *ewdiag_finding_workaround(const ewdiag_finding *f) { return ew_str(f->workaround); }
size_t ewdiag_finding_evidence_count(const ewdiag_finding *f) { return f->evidence.n; }
const char *ewdiag_finding_evidence(const ewdiag_finding *f, size_t i)
{
    return ew_str(ew_ring_get(&f->evidence, i));
}
size_t ewdiag_finding_explanation_count(const ewdiag_finding *f) { return f->nexplanations; }
const char *ewdiag_finding_explanation(const ewdiag_finding *f, size_t i)
{
    return i < f->nexplanations ? f->explanations[i] : "";
}
size_t ewdiag_finding_action_count(const ewdiag_finding *f) { return f->nactions; }
const char *ewdiag_finding_action(const ewdiag_finding *f, size_t i)
{
    return i < f->nactions ? f->actions[i] : "";
}
size_t ewdiag_finding_defect_count(const ewdiag_finding *f) { return f->ndefects; }
const char *ewdiag_finding_defect(const ewdiag_finding *f, size_t i)
{
    return i < f->ndefects ? f->defects[i] : "";
}
size_t ewdiag_finding_port_count(const ewdiag_finding *f) { return f->nports; }
unsigned ewdiag_finding_port(const ewdiag_finding *f, size_t i)
{
    return i < f->nports ? f->ports[i] : 0;
}
size_t ewdiag_finding_url_count(const ewdiag_finding *f) { return f->nurls; }
const char *ewdiag_finding_url(const ewdiag_finding *f, size_t i)
{
    return i < f->nurls ? f->urls[i].url : "";
}
const char *ewdiag_finding_url_target(const ewdiag_finding *f, size_t i)
{
    return i < f->nurls ? ew_str(f->urls[i].mra) : "";
}

const char *ewdiag_finding_capture(const ewdiag_finding *f)
{
    switch (f->tls.match) {
    case EW_CAPTURE_MATCHED: return "matched";
    case EW_CAPTURE_NO_HS: return "no-handshake";
    default: return "no-capture";
    }
}
const char *ewdiag_finding_tls_version(const ewdiag_finding *f)
{
    static const char *const names[] = {"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"};
    unsigned v = f->tls.version;
    if (f->tls.match != EW_CAPTURE_MATCHED || v < 0x0300 || v > 0x0304)
        return "";
    return names[v - 0x0300];
}
static const ew_cert_info *ew_chain_cert(const ewdiag_finding *f, size_t i)
{
    const ew_chain *c = f->tls.match == EW_CAPTURE_MATCHED ? f->tls.chain : NULL;
    return c && i < c->ncerts ? &c->certs[i] : NULL;
}
size_t ewdiag_finding_chain_length(const ewdiag_finding *f)
{
    return f->tls.match == EW_CAPTURE_MATCHED && f->tls.chain ? f->tls.chain->ncerts : 0;
}
const char *ewdiag_finding_chain_subject(const ewdiag_finding *f, size_t i)
{
    const ew_cert_info *c = ew_chain_cert(f, i);
    return c ? c->subject : "";
}
const char *ewdiag_finding_chain_issuer(const ewdiag_finding *f, size_t i)
{
    const ew_cert_info *c = ew_chain_cert(f, i);
    return c ? c->issuer : "";
}
const char *ewdiag_finding_chain_sha256(const ewdiag_finding *f, size_t i)
{
    const ew_cert_info *c = ew_chain_cert(f, i);
    return c ? c->sha256 : "";
}
int ewdiag_finding_trusted(const ewdiag_finding *f)
{
    return f->tls.verified ? f->tls.verdict.trusted : -1;
}
const char *ewdiag_finding_trust_error(const ewdiag_finding *f)
{
    return f->tls.verified && !f->tls.verdict.trusted ? f->tls.verdict.error_text : "";
}

const char *ewdiag_warning_input(const ewdiag_warning *w) { return w->input; }
const char *ewdiag_warning_entry(const ewdiag_warning *w) { return ew_str(w->entry); }
const char *ewdiag_warning_code(const ewdiag_warning *w) { return w->code; }
const char *ewdiag_warning_message(const ewdiag_warning *w) { return w->message; }
uint64_t ewdiag_warning_count(const ewdiag_warning *w) { return w->count; }
