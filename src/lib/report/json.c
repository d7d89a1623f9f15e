/* json.c - the report as JSON (one document) or JSON Lines (one
 * finding a line). The layout is documented in docs/report.md and
 * docs/report.schema.json. */
#include <jansson.h>
#include <stdlib.h>

#include "analysis/inventory.h"
#include "capture/names.h"
#include "report/report.h"
#include "core/timestamp.h"

/* Bumped when a field changes meaning or goes away (adding one does not). */
#define EW_JSON_FORMAT_VERSION 1
#define EW_JSON_INDENT 2
#define EW_UTF8_REPLACEMENT "\xef\xbf\xbd"

/* Building the document: any part that cannot be made (out of memory)
 * marks the whole as failed, so that no report missing a part is written
 * as if it were whole. */
typedef struct ew_jctx {
    bool failed;
} ew_jctx;

static json_t *ew_jok(ew_jctx *jc, json_t *v)
{
    if (!v)
        jc->failed = true;
    return v;
}

#define EW_JPACK(jc, ...) ew_jok(jc, json_pack(__VA_ARGS__))

static void ew_jset(ew_jctx *jc, json_t *o, const char *key, json_t *v)
{
    /* jansson takes v even when it fails (a NULL o). */
    if (!v || json_object_set_new(o, key, v) != 0)
        jc->failed = true;
}

static void ew_jadd(ew_jctx *jc, json_t *a, json_t *v)
{
    if (!v || json_array_append_new(a, v) != 0)
        jc->failed = true;
}

/* A JSON string; bytes that are not UTF-8 (logs hold anything) become
 * U+FFFD, so the document stays valid. NULL when s is NULL. */
static json_t *ew_jstr(ew_jctx *jc, const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    ew_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = ew_utf8_len(p + i, n - i);
        int rc = len ? ew_buf_append(&b, p + i, len) : ew_buf_puts(&b, EW_UTF8_REPLACEMENT);
        if (rc != 0) {
            ew_buf_free(&b);
            return NULL;
        }
        i += len ? len : 1;
    }
    j = json_stringn(b.p ? b.p : "", b.len);
    ew_buf_free(&b);
    return j;
}

/* An empty string as null: a value that the input did not give. */
static json_t *ew_jstr_opt(ew_jctx *jc, const char *s)
{
    return *s ? ew_jstr(jc, s) : json_null();
}

static json_t *ew_jtime(ew_jctx *jc, int64_t us)
{
    if (!us)
        return json_null();
    char buf[EW_TS_BUFSZ];
    ew_ts_format(us, buf);
    return json_string(buf);
}

static json_t *ew_jstrv(ew_jctx *jc, char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        ew_jadd(jc, a, ew_jstr(jc, v[i]));
    return a;
}

static json_t *ew_jring(ew_jctx *jc, const ew_ring *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n; i++)
        ew_jadd(jc, a, ew_jstr(jc, ew_ring_get(r, i)));
    return a;
}

static json_t *ew_jint_or_null(ew_jctx *jc, long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *ew_jenforced(ew_jctx *jc, int e)
{
    return e < 0 ? json_null() : json_boolean(e);
}

/* "steven.lab/https/10.48.36.215/8443" -> {domain, protocol, host, port} */
static json_t *ew_jmra(ew_jctx *jc, const char *mra)
{
    if (!mra)
        return json_null();
    static const char *const keys[] = {"domain", "protocol", "host", "port"};
    json_t *o = json_object();
    const char *p = mra;
    for (size_t i = 0; o && i < EW_ARRAY_LEN(keys); i++) {
        const char *slash = i + 1 < EW_ARRAY_LEN(keys) ? strchr(p, '/') : NULL;
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char *part = ew_strndup(p, n);
        ew_jset(jc, o, keys[i], part ? ew_jstr(jc, part) : NULL);
        free(part);
        p = slash ? slash + 1 : p + n;
    }
    return o;
}

static json_t *ew_jcert(ew_jctx *jc, const ew_cert_info *c)
{
    return EW_JPACK(
        jc,
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:i, s:o, s:o, s:o, s:o, "
        "s:o}",
        "subject", ew_jstr(jc, c->subject), "issuer", ew_jstr(jc, c->issuer), "subject_cn",
        ew_jstr(jc, c->subject_cn), "issuer_cn", ew_jstr(jc, c->issuer_cn), "san_dns",
        ew_jstrv(jc, c->dns, c->ndns), "san_ip", ew_jstrv(jc, c->ips, c->nips), "serial",
        ew_jstr(jc, c->serial), "not_before", ew_jtime(jc, c->not_before), "not_after",
        ew_jtime(jc, c->not_after), "self_signed", c->self_signed, "is_ca", c->is_ca, "key_type",
        ew_jstr(jc, c->key_type), "key_bits", c->key_bits, "curve", ew_jstr_opt(jc, c->curve),
        "signature_algorithm", ew_jstr(jc, c->sig_alg), "sha256", ew_jstr(jc, c->sha256), "ski",
        ew_jstr_opt(jc, c->ski), "aki", ew_jstr_opt(jc, c->aki));
}

static json_t *ew_jchain_certs(ew_jctx *jc, const ew_chain *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < c->ncerts; i++)
        ew_jadd(jc, a, ew_jcert(jc, &c->certs[i]));
    return a;
}

static json_t *ew_jchain(ew_jctx *jc, const ew_chain *c)
{
    return EW_JPACK(jc, "{s:I, s:o, s:o, s:b, s:o, s:o}", "seen", (json_int_t)c->seen, "first_seen",
                    ew_jtime(jc, c->first_seen), "last_seen", ew_jtime(jc, c->last_seen), "cut",
                    c->cut, "error", ew_jstr(jc, c->error), "certificates", ew_jchain_certs(jc, c));
}

/* A TLS version's or cipher suite's name; null for 0 (not seen). */
static json_t *ew_jtls_name(uint16_t v, void (*str)(uint16_t, char[EW_TLS_NAME_MAX]))
{
    char buf[EW_TLS_NAME_MAX];
    if (!v)
        return json_null();
    str(v, buf);
    return json_string(buf);
}

/* What the capture says of the finding's server: "tls", "certificate" and
 * "trust" members of the finding. */
static void ew_jtls_view(ew_jctx *jc, json_t *o, const ew_tls_view *t)
{
    bool m = t->match == EW_CAPTURE_MATCHED;
    json_t *alert = json_null();
    if (m && t->alert >= 0)
        alert = EW_JPACK(jc, "{s:i, s:s, s:s}", "code", t->alert, "name", ew_alert_name(t->alert),
                         "by", t->alert_by_client ? "client" : "server");
    ew_jset(jc, o, "tls",
            EW_JPACK(jc, "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "capture",
                     ew_capture_match_name(t->match), "time", m ? ew_jtime(jc, t->ts) : json_null(),
                     "port", m ? json_integer(t->port) : json_null(), "version",
                     m ? ew_jtls_name(t->version, ew_tls_version_str) : json_null(), "cipher",
                     m ? ew_jtls_name(t->cipher, ew_cipher_str) : json_null(), "sni",
                     ew_jstr(jc, t->sni), "alert", alert, "certificate",
                     m ? json_string(ew_cert_state_name(t->cert_state)) : json_null()));
    json_t *cert = json_null();
    if (m && t->chain) {
        const char *nm =
            t->name_match >= 0 ? ew_name_match_name((ew_name_match)t->name_match) : NULL;
        cert = EW_JPACK(jc, "{s:b, s:o, s:o, s:o, s:o}", "from_earlier_handshake", t->chain_earlier,
                        "name_checked", ew_jstr(jc, t->name), "name_match",
                        nm ? json_string(nm) : json_null(), "chain", ew_jchain_certs(jc, t->chain),
                        "error", ew_jstr(jc, t->chain->error));
    }
    ew_jset(jc, o, "certificate", cert);
    json_t *trust = json_null();
    if (m && t->verified) {
        const ew_verdict *v = &t->verdict;
        trust = EW_JPACK(jc, "{s:o, s:b, s:o, s:o, s:o}", "store", ew_jstr(jc, t->trust_path),
                         "trusted", v->trusted, "error",
                         v->trusted ? json_null() : ew_jstr(jc, v->error_text), "error_depth",
                         v->trusted ? json_null() : json_integer(v->error_depth), "missing_issuer",
                         ew_jstr_opt(jc, v->missing_issuer));
    }
    ew_jset(jc, o, "trust", trust);
}

static json_t *ew_jserver(ew_jctx *jc, const ewdiag_input *in, const ew_tls_server *s)
{
    json_t *chains = json_array();
    for (size_t i = 0; chains && i < s->nchains; i++)
        ew_jadd(jc, chains, ew_jchain(jc, s->chains[i]));
    uint64_t hidden = s->tls13 + s->resumed + s->cut + s->unseen;
    return EW_JPACK(jc, "{s:o, s:o, s:i, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:o}",
                    "input", ew_jstr(jc, in->name), "address", ew_jstr(jc, s->address), "port",
                    s->port, "handshakes", (json_int_t)s->handshakes, "certificate_messages",
                    (json_int_t)s->certificate_messages, "certificate_hidden", (json_int_t)hidden,
                    "hidden", "tls13", (json_int_t)s->tls13, "resumed", (json_int_t)s->resumed,
                    "cut", (json_int_t)s->cut, "unseen", (json_int_t)s->unseen, "alerts",
                    (json_int_t)s->alerts, "snis", ew_jstrv(jc, s->snis, s->nsnis), "chains",
                    chains);
}

/* A forecast's own fields; null for a finding of log lines. */
static json_t *ew_jforecast(ew_jctx *jc, const ewdiag_finding *f)
{
    const ew_forecast_info *fc = &f->fc;
    if (!fc->is)
        return json_null();
    json_t *fails = json_array();
    if (fails && fc->untrusted)
        ew_jadd(jc, fails, json_string("untrusted"));
    if (fails && fc->misnamed)
        ew_jadd(jc, fails, json_string("name"));
    bool exp = fc->expiry != EW_EXPIRY_NONE;
    return EW_JPACK(jc, "{s:s, s:s, s:o, s:o, s:o, s:o}", "section",
                    ew_forecast_section(fc->enforcement), "enforcement",
                    ew_enforcement_name(fc->enforcement), "fails", fails, "expiry",
                    exp ? json_string(ew_expiry_name(fc->expiry)) : json_null(), "not_after",
                    exp ? ew_jtime(jc, fc->not_after) : json_null(), "days_left",
                    exp ? json_integer(fc->days_left) : json_null());
}

/* An origin server and what checking it said. */
static json_t *ew_jorigin(ew_jctx *jc, const ew_origin_srv *o)
{
    json_t *from = json_array();
    if (from && (o->from & EW_FROM_REQUEST))
        ew_jadd(jc, from, json_string("request"));
    if (from && (o->from & EW_FROM_XCONF))
        ew_jadd(jc, from, json_string("xconf"));
    bool checked = o->state == EW_ORIGIN_CHECKED;
    const ew_tls_view *t = &o->join.tls;
    json_t *trust = checked && o->trust_known ? json_string(o->untrusted ? "untrusted" : "trusted")
                                              : json_null();
    json_t *name = checked && t->name_match >= 0
                       ? json_string(ew_name_match_name((ew_name_match)t->name_match))
                       : json_null();
    return EW_JPACK(
        jc, "{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
        "node", ew_jstr(jc, o->node), "name", ew_jstr_opt(jc, o->name), "address",
        ew_jstr_opt(jc, o->address), "port", o->port ? json_integer(o->port) : json_null(), "type",
        ew_jstr(jc, o->type), "sources", from, "requests", (json_int_t)o->requests, "first_seen",
        ew_jtime(jc, o->first_seen), "last_seen", ew_jtime(jc, o->last_seen), "enforcement",
        ew_enforcement_name(o->enforcement), "state", ew_origin_state_name(o->state), "checked_at",
        checked ? ew_jtime(jc, t->ts) : json_null(), "trust", trust, "trust_error",
        checked && o->untrusted ? ew_jstr(jc, t->verdict.error_text) : json_null(), "name_check",
        name, "expiry", checked ? json_string(ew_expiry_name(o->expiry)) : json_null(), "not_after",
        checked ? ew_jtime(jc, o->not_after) : json_null());
}

static json_t *ew_jfinding(ew_jctx *jc, const ewdiag_finding *f)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    ew_jset(jc, o, "rule", ew_jstr(jc, f->rule));
    ew_jset(jc, o, "title", ew_jstr(jc, f->title));
    ew_jset(jc, o, "severity", json_string(ewdiag_severity_name(f->severity)));
    ew_jset(jc, o, "category", ew_jstr(jc, f->category));
    ew_jset(jc, o, "input", ew_jstr(jc, f->input));
    ew_jset(jc, o, "node", ew_jstr(jc, f->g.node));
    ew_jset(jc, o, "server", ew_jstr(jc, f->g.server));
    ew_jset(jc, o, "address", ew_jstr(jc, f->g.address));
    ew_jset(jc, o, "target", ew_jstr(jc, f->g.target));
    ew_jset(jc, o, "enforced", ew_jenforced(jc, f->g.enforced));
    ew_jset(jc, o, "count", json_integer((json_int_t)f->g.count));
    ew_jset(jc, o, "requests", json_integer((json_int_t)f->g.requests));
    ew_jset(jc, o, "first_seen", ew_jtime(jc, f->g.first_seen));
    ew_jset(jc, o, "last_seen", ew_jtime(jc, f->g.last_seen));
    ew_jset(jc, o, "error", ew_jstr_opt(jc, f->g.error));
    ew_jset(jc, o, "depth", ew_jint_or_null(jc, f->g.depth));
    json_t *variants = json_array();
    for (size_t i = 0; variants && i < f->g.nvariants; i++) {
        const ew_variant *v = &f->g.variants[i];
        ew_jadd(jc, variants,
                EW_JPACK(jc, "{s:o, s:o, s:I}", "error", ew_jstr_opt(jc, v->error), "depth",
                         ew_jint_or_null(jc, v->depth), "count", (json_int_t)v->count));
    }
    ew_jset(jc, o, "variants", variants);
    json_t *ports = json_array();
    for (size_t i = 0; ports && i < f->g.nports; i++)
        ew_jadd(jc, ports, json_integer(f->g.ports[i]));
    ew_jset(jc, o, "ports", ports);
    json_t *urls = json_array();
    for (size_t i = 0; urls && i < f->g.nurls; i++)
        ew_jadd(jc, urls,
                EW_JPACK(jc, "{s:o, s:o}", "url", ew_jstr(jc, f->g.urls[i].url), "mra",
                         ew_jmra(jc, f->g.urls[i].mra)));
    ew_jset(jc, o, "urls", urls);
    ew_jset(jc, o, "description", ew_jstr(jc, f->description));
    ew_jset(jc, o, "condition", ew_jstr(jc, f->condition));
    ew_jtls_view(jc, o, &f->tls);
    ew_jset(jc, o, "explanations", ew_jstrv(jc, f->g.explanations, f->g.nexplanations));
    ew_jset(jc, o, "evidence", ew_jring(jc, &f->g.evidence));
    ew_jset(jc, o, "related", ew_jring(jc, &f->g.related));
    ew_jset(jc, o, "actions", ew_jstrv(jc, f->actions, f->nactions));
    ew_jset(jc, o, "workaround", ew_jstr(jc, f->workaround));
    ew_jset(jc, o, "defects", ew_jstrv(jc, f->defects, f->ndefects));
    ew_jset(jc, o, "forecast", ew_jforecast(jc, f));
    return o;
}

static const char *ew_status_name(ewdiag_input_status s)
{
    switch (s) {
    case EWDIAG_INPUT_ANALYZED:
        return "analyzed";
    case EWDIAG_INPUT_PARTIAL:
        return "partial";
    default:
        return "failed";
    }
}

static json_t *ew_jinput(ew_jctx *jc, const ewdiag_input *in)
{
    json_t *nodes = json_array();
    for (size_t i = 0; nodes && i < in->nnodes; i++) {
        const ew_node *n = &in->nodes[i];
        ew_jadd(jc, nodes,
                EW_JPACK(jc, "{s:o, s:o, s:o}", "name", ew_jstr(jc, n->name), "version",
                         ew_jstr(jc, n->version), "verify_origin_server",
                         ew_jstr(jc, n->verify_origin)));
    }
    json_t *stores = json_array();
    for (size_t i = 0; stores && i < in->ntrust_files; i++)
        ew_jadd(jc, stores,
                EW_JPACK(jc, "{s:o, s:o, s:I}", "node", ew_jstr(jc, in->trust_files[i].node),
                         "path", ew_jstr(jc, in->trust_files[i].path), "certificates",
                         (json_int_t)in->trust_files[i].ncerts));
    json_t *origins = json_array();
    for (size_t i = 0; origins && i < in->norigins; i++)
        ew_jadd(jc, origins, ew_jorigin(jc, in->origins[i]));
    return EW_JPACK(jc, "{s:o, s:s, s:o, s:I, s:o, s:I, s:o, s:o}", "name", ew_jstr(jc, in->name),
                    "status", ew_status_name(in->status), "error", ew_jstr(jc, in->error), "bytes",
                    (json_int_t)in->bytes, "nodes", nodes, "captures", (json_int_t)in->captures,
                    "trust_stores", stores, "origins", origins);
}

static json_t *ew_jentry(ew_jctx *jc, const ewdiag_entry *e)
{
    return EW_JPACK(jc, "{s:o, s:s, s:I, s:s, s:o, s:I}", "path", ew_jstr(jc, e->path), "role",
                    ew_role_name(e->role), "size", (json_int_t)e->size, "status",
                    ew_entry_status_name(e->status), "reason", ew_jstr(jc, e->reason), "lines",
                    (json_int_t)e->lines);
}

static json_t *ew_jwarning(ew_jctx *jc, const ewdiag_warning *w)
{
    return EW_JPACK(jc, "{s:o, s:o, s:s, s:o, s:I}", "input", ew_jstr(jc, w->input), "entry",
                    ew_jstr(jc, w->entry), "code", ew_warn_code_name(w->code), "message",
                    ew_jstr(jc, w->message), "count", (json_int_t)w->count);
}

/* Where a dump goes: a FILE or a buffer. jansson does not check every
 * write it makes (an object's keys), so a failure is remembered here and
 * every later write refused: a dump that lost a part says so. */
typedef struct ew_jout {
    FILE *f;
    ew_buf *b;
    bool failed;
} ew_jout;

static int ew_jwrite(const char *p, size_t n, void *data)
{
    ew_jout *o = data;
    if (!o->failed && (o->b ? ew_buf_append(o->b, p, n) != 0 : fwrite(p, 1, n, o->f) != n))
        o->failed = true;
    return o->failed ? -1 : 0;
}

/* Dumps a document made whole, and a newline. */
static int ew_dump_to(ew_jctx *jc, json_t *j, ew_jout *out, size_t flags)
{
    int rc = EWDIAG_ENOMEM;
    if (j && !jc->failed) {
        int d = json_dump_callback(j, ew_jwrite, out, flags);
        if (d == 0)
            (void)ew_jwrite("\n", 1, out);
        rc = d == 0 && !out->failed ? 0 : out->f && ferror(out->f) ? EWDIAG_EIO : EWDIAG_ENOMEM;
    }
    json_decref(j);
    return rc;
}

/* The report is written a part at a time in jansson's own layout: each
 * input, entry, finding, server and warning is built, dumped and freed in
 * turn, so that memory follows the largest part, not the report (a million
 * entries as one tree of jansson objects would take over a gigabyte). */
typedef struct ew_jw {
    ew_jctx *jc;
    ew_jout *out;
    size_t flags;
    int indent; /* spaces per level; 0 when compact */
} ew_jw;

typedef struct ew_jw_pad {
    ew_jout *out;
    int spaces;
} ew_jw_pad;

static void ew_jw_raw(ew_jw *w, const char *p, size_t n)
{
    (void)ew_jwrite(p, n, w->out);
}

static void ew_jw_spaces(ew_jout *out, int n)
{
    static const char sp[] = "                                ";
    for (; n > 0; n -= (int)(sizeof sp - 1))
        (void)ew_jwrite(sp, (size_t)EW_MIN(n, (int)(sizeof sp - 1)), out);
}

/* jansson's output of a nested value, its lines moved right by the depth. */
static int ew_jw_padded(const char *p, size_t n, void *data)
{
    ew_jw_pad *pad = data;
    for (const char *nl; (nl = memchr(p, '\n', n)) != NULL; n -= (size_t)(nl + 1 - p), p = nl + 1) {
        (void)ew_jwrite(p, (size_t)(nl + 1 - p), pad->out);
        ew_jw_spaces(pad->out, pad->spaces);
    }
    return ew_jwrite(p, n, pad->out);
}

/* Before the n-th item of an array or object whose items are at depth. */
static void ew_jw_item(ew_jw *w, size_t n, int depth)
{
    if (n > 0)
        ew_jw_raw(w, ",", 1);
    if (w->indent) {
        ew_jw_raw(w, "\n", 1);
        ew_jw_spaces(w->out, depth * w->indent);
    }
}

/* Closes an array or object of n items at depth (its items one deeper). */
static void ew_jw_close(ew_jw *w, char c, size_t n, int depth)
{
    if (n > 0 && w->indent) {
        ew_jw_raw(w, "\n", 1);
        ew_jw_spaces(w->out, depth * w->indent);
    }
    ew_jw_raw(w, &c, 1);
}

static void ew_jw_key(ew_jw *w, const char *key)
{
    ew_jw_raw(w, "\"", 1);
    ew_jw_raw(w, key, strlen(key));
    ew_jw_raw(w, w->indent ? "\": " : "\":", w->indent ? 3 : 2);
}

/* A value at depth, then freed; a NULL one (out of memory) fails the dump. */
static void ew_jw_value(ew_jw *w, json_t *v, int depth)
{
    ew_jw_pad pad = {w->out, depth * w->indent};
    if (!v || w->jc->failed ||
        json_dump_callback(v, ew_jw_padded, &pad, w->flags | JSON_ENCODE_ANY) != 0)
        w->jc->failed = true;
    json_decref(v);
}

/* The i-th part of an array of parts of `of` (an input, the report). */
typedef json_t *(*ew_jpart_fn)(ew_jctx *jc, const void *of, size_t i);

/* "key": [ part, part, ... ] with the parts built one at a time. */
static void ew_jw_array(ew_jw *w, const char *key, const void *of, size_t n, ew_jpart_fn build,
                        int depth)
{
    ew_jw_key(w, key);
    ew_jw_raw(w, "[", 1);
    for (size_t i = 0; i < n && !w->jc->failed && !w->out->failed; i++) {
        ew_jw_item(w, i, depth + 1);
        ew_jw_value(w, build(w->jc, of, i), depth + 1);
    }
    ew_jw_close(w, ']', n, depth);
}

static json_t *ew_jpart_entry(ew_jctx *jc, const void *in, size_t i)
{
    return ew_jentry(jc, ((const ewdiag_input *)in)->entries[i]);
}

static json_t *ew_jpart_finding(ew_jctx *jc, const void *r, size_t i)
{
    return ew_jfinding(jc, ((const ewdiag_report *)r)->findings[i]);
}

static json_t *ew_jpart_warning(ew_jctx *jc, const void *r, size_t i)
{
    return ew_jwarning(jc, ((const ewdiag_report *)r)->warnings[i]);
}

/* An input: its members as one object, then its entries one by one. */
static void ew_jw_input(ew_jw *w, const ewdiag_input *in, int depth)
{
    json_t *o = ew_jinput(w->jc, in);
    size_t n = 0;
    ew_jw_raw(w, "{", 1);
    for (void *it = o ? json_object_iter(o) : NULL; it && !w->jc->failed;
         it = json_object_iter_next(o, it)) {
        ew_jw_item(w, n++, depth + 1);
        ew_jw_key(w, json_object_iter_key(it));
        ew_jw_value(w, json_incref(json_object_iter_value(it)), depth + 1);
    }
    if (!o)
        w->jc->failed = true;
    json_decref(o);
    ew_jw_item(w, n++, depth + 1);
    ew_jw_array(w, "entries", in, in->nentries, ew_jpart_entry, depth + 1);
    ew_jw_close(w, '}', n, depth);
}

static void ew_jw_servers(ew_jw *w, const ewdiag_report *r, int depth)
{
    size_t n = 0;
    ew_jw_key(w, "tls_servers");
    ew_jw_raw(w, "[", 1);
    for (size_t i = 0; i < r->ninputs && !w->jc->failed; i++) {
        const ewdiag_input *in = r->inputs[i];
        for (size_t j = 0; j < in->ntls_servers && !w->jc->failed; j++) {
            ew_jw_item(w, n++, depth + 1);
            ew_jw_value(w, ew_jserver(w->jc, in, in->tls_servers[j]), depth + 1);
        }
    }
    ew_jw_close(w, ']', n, depth);
}

static void ew_jw_report(ew_jw *w, const ewdiag_report *r)
{
    int max = ewdiag_report_max_severity(r);
    ew_jw_raw(w, "{", 1);
    ew_jw_item(w, 0, 1);
    ew_jw_key(w, "ewdiag");
    ew_jw_value(w,
                EW_JPACK(w->jc, "{s:s, s:i}", "version", ewdiag_version(), "format",
                         EW_JSON_FORMAT_VERSION),
                1);
    ew_jw_item(w, 1, 1);
    ew_jw_key(w, "max_severity");
    ew_jw_value(w, max < 0 ? json_null() : json_string(ewdiag_severity_name(max)), 1);
    ew_jw_item(w, 2, 1);
    ew_jw_key(w, "inputs");
    ew_jw_raw(w, "[", 1);
    for (size_t i = 0; i < r->ninputs && !w->jc->failed; i++) {
        ew_jw_item(w, i, 2);
        ew_jw_input(w, r->inputs[i], 2);
    }
    ew_jw_close(w, ']', r->ninputs, 1);
    ew_jw_item(w, 3, 1);
    ew_jw_array(w, "findings", r, r->nfindings, ew_jpart_finding, 1);
    ew_jw_item(w, 4, 1);
    ew_jw_servers(w, r, 1);
    ew_jw_item(w, 5, 1);
    ew_jw_array(w, "warnings", r, r->nwarnings, ew_jpart_warning, 1);
    ew_jw_close(w, '}', 6, 0);
    ew_jw_raw(w, "\n", 1);
}

static int ew_jw_document(const ewdiag_report *r, ew_jout *out, bool compact)
{
    ew_jctx jc = {false};
    ew_jw w = {&jc, out,
               JSON_PRESERVE_ORDER | (compact ? JSON_COMPACT : JSON_INDENT(EW_JSON_INDENT)),
               compact ? 0 : EW_JSON_INDENT};
    ew_jw_report(&w, r);
    if (!jc.failed && !out->failed)
        return 0;
    return out->f && ferror(out->f) ? EWDIAG_EIO : EWDIAG_ENOMEM;
}

static int ew_dump(ew_jctx *jc, json_t *j, FILE *f, size_t flags)
{
    ew_jout out = {f, NULL, false};
    return ew_dump_to(jc, j, &out, flags);
}

int ew_report_write_json(const ewdiag_report *r, FILE *f, unsigned flags)
{
    ew_jout out = {f, NULL, false};
    return ew_jw_document(r, &out, (flags & EWDIAG_WRITE_COMPACT) != 0);
}

int ew_report_write_jsonl(const ewdiag_report *r, FILE *f, unsigned flags)
{
    EW_UNUSED(flags);
    for (size_t i = 0; i < r->nfindings; i++) {
        ew_jctx jc = {false};
        int rc =
            ew_dump(&jc, ew_jfinding(&jc, r->findings[i]), f, JSON_PRESERVE_ORDER | JSON_COMPACT);
        if (rc != 0)
            return rc;
    }
    return 0;
}

char *ew_report_json_string(const ewdiag_report *r, size_t *len)
{
    ew_buf b = {0};
    ew_jout out = {NULL, &b, false};
    if (ew_jw_document(r, &out, true) != 0) {
        ew_buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    return ew_buf_take(&b);
}
