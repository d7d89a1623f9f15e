/* report_json.c - the report as JSON (one document) or JSON Lines (one
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

/* A JSON string; bytes that are not UTF-8 (logs hold anything) become
 * U+FFFD, so the document stays valid. NULL when s is NULL. */
static json_t *ew_jstr(const char *s)
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

static json_t *ew_jtime(int64_t us)
{
    if (!us)
        return json_null();
    char buf[EW_TS_BUFSZ];
    ew_ts_format(us, buf);
    return json_string(buf);
}

static json_t *ew_jstrv(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, ew_jstr(v[i]));
    return a;
}

static json_t *ew_jring(const ew_ring *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n; i++)
        json_array_append_new(a, ew_jstr(ew_ring_get(r, i)));
    return a;
}

static json_t *ew_jint_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *ew_jenforced(int e)
{
    return e < 0 ? json_null() : json_boolean(e);
}

/* "steven.lab/https/10.48.36.215/8443" -> {domain, protocol, host, port} */
static json_t *ew_jmra(const char *mra)
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
        json_object_set_new(o, keys[i], ew_jstr(part));
        free(part);
        p = slash ? slash + 1 : p + n;
    }
    return o;
}

static json_t *ew_jcert(const ew_cert_info *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "subject", ew_jstr(c->subject));
    json_object_set_new(o, "issuer", ew_jstr(c->issuer));
    json_object_set_new(o, "subject_cn", ew_jstr(c->subject_cn));
    json_object_set_new(o, "issuer_cn", ew_jstr(c->issuer_cn));
    json_object_set_new(o, "san_dns", ew_jstrv(c->dns, c->ndns));
    json_object_set_new(o, "san_ip", ew_jstrv(c->ips, c->nips));
    json_object_set_new(o, "serial", ew_jstr(c->serial));
    json_object_set_new(o, "not_before", ew_jtime(c->not_before));
    json_object_set_new(o, "not_after", ew_jtime(c->not_after));
    json_object_set_new(o, "self_signed", json_boolean(c->self_signed));
    json_object_set_new(o, "is_ca", json_boolean(c->is_ca));
    json_object_set_new(o, "key_type", ew_jstr(c->key_type));
    json_object_set_new(o, "key_bits", json_integer(c->key_bits));
    json_object_set_new(o, "curve", *c->curve ? ew_jstr(c->curve) : json_null());
    json_object_set_new(o, "signature_algorithm", ew_jstr(c->sig_alg));
    json_object_set_new(o, "sha256", ew_jstr(c->sha256));
    json_object_set_new(o, "ski", *c->ski ? ew_jstr(c->ski) : json_null());
    json_object_set_new(o, "aki", *c->aki ? ew_jstr(c->aki) : json_null());
    return o;
}

static json_t *ew_jchain_certs(const ew_chain *c)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < c->ncerts; i++)
        json_array_append_new(a, ew_jcert(&c->certs[i]));
    return a;
}

static json_t *ew_jchain(const ew_chain *c)
{
    return json_pack("{s:I, s:o, s:o, s:b, s:o, s:o}", "seen", (json_int_t)c->seen, "first_seen",
                     ew_jtime(c->first_seen), "last_seen", ew_jtime(c->last_seen), "cut", c->cut,
                     "error", ew_jstr(c->error), "certificates", ew_jchain_certs(c));
}

static json_t *ew_jversion(uint16_t v)
{
    char buf[EW_TLS_NAME_MAX];
    if (!v)
        return json_null();
    ew_tls_version_str(v, buf);
    return json_string(buf);
}

static json_t *ew_jcipher(uint16_t c)
{
    char buf[EW_TLS_NAME_MAX];
    if (!c)
        return json_null();
    ew_cipher_str(c, buf);
    return json_string(buf);
}

/* What the capture says of the finding's server: "tls", "certificate" and
 * "trust" members of the finding. */
static void ew_jtls_view(json_t *o, const ew_tls_view *t)
{
    bool m = t->match == EW_CAPTURE_MATCHED;
    json_t *alert = json_null();
    if (m && t->alert >= 0)
        alert = json_pack("{s:i, s:s, s:s}", "code", t->alert, "name", ew_alert_name(t->alert), "by",
                          t->alert_by_client ? "client" : "server");
    json_object_set_new(
        o, "tls",
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "capture", ew_capture_match_name(t->match),
                  "time", m ? ew_jtime(t->ts) : json_null(), "port",
                  m ? json_integer(t->port) : json_null(), "version",
                  m ? ew_jversion(t->version) : json_null(), "cipher",
                  m ? ew_jcipher(t->cipher) : json_null(), "sni", ew_jstr(t->sni), "alert", alert,
                  "certificate", m ? json_string(ew_cert_state_name(t->cert_state)) : json_null()));
    json_t *cert = json_null();
    if (m && t->chain) {
        const char *nm = t->name_match >= 0 ? ew_name_match_name((ew_name_match)t->name_match) : NULL;
        cert = json_pack("{s:b, s:o, s:o, s:o, s:o}", "from_earlier_handshake", t->chain_earlier,
                         "name_checked", ew_jstr(t->name), "name_match",
                         nm ? json_string(nm) : json_null(), "chain", ew_jchain_certs(t->chain),
                         "error", ew_jstr(t->chain->error));
    }
    json_object_set_new(o, "certificate", cert);
    json_t *trust = json_null();
    if (m && t->verified) {
        const ew_verdict *v = &t->verdict;
        trust = json_pack("{s:o, s:b, s:o, s:o, s:o}", "store", ew_jstr(t->trust_path), "trusted",
                          v->trusted, "error", v->trusted ? json_null() : ew_jstr(v->error_text),
                          "error_depth", v->trusted ? json_null() : json_integer(v->error_depth),
                          "missing_issuer",
                          *v->missing_issuer ? ew_jstr(v->missing_issuer) : json_null());
    }
    json_object_set_new(o, "trust", trust);
}

static json_t *ew_jserver(const ewdiag_input *in, const ew_tls_server *s)
{
    json_t *chains = json_array();
    for (size_t i = 0; chains && i < s->nchains; i++)
        json_array_append_new(chains, ew_jchain(s->chains[i]));
    uint64_t hidden = s->tls13 + s->resumed + s->cut + s->unseen;
    return json_pack("{s:o, s:o, s:i, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:o}",
                     "input", ew_jstr(in->name), "address", ew_jstr(s->address), "port", s->port,
                     "handshakes", (json_int_t)s->handshakes, "certificate_messages",
                     (json_int_t)s->certificate_messages, "certificate_hidden", (json_int_t)hidden,
                     "hidden", "tls13", (json_int_t)s->tls13, "resumed", (json_int_t)s->resumed,
                     "cut", (json_int_t)s->cut, "unseen", (json_int_t)s->unseen, "alerts",
                     (json_int_t)s->alerts, "snis", ew_jstrv(s->snis, s->nsnis), "chains", chains);
}

static json_t *ew_jfinding(const ewdiag_finding *f)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "rule", ew_jstr(f->rule));
    json_object_set_new(o, "title", ew_jstr(f->title));
    json_object_set_new(o, "severity", json_string(ewdiag_severity_name(f->severity)));
    json_object_set_new(o, "category", ew_jstr(f->category));
    json_object_set_new(o, "input", ew_jstr(f->input));
    json_object_set_new(o, "node", ew_jstr(f->node));
    json_object_set_new(o, "server", ew_jstr(f->server));
    json_object_set_new(o, "address", ew_jstr(f->address));
    json_object_set_new(o, "target", ew_jstr(f->target));
    json_object_set_new(o, "enforced", ew_jenforced(f->enforced));
    json_object_set_new(o, "count", json_integer((json_int_t)f->count));
    json_object_set_new(o, "requests", json_integer((json_int_t)f->requests));
    json_object_set_new(o, "first_seen", ew_jtime(f->first_seen));
    json_object_set_new(o, "last_seen", ew_jtime(f->last_seen));
    json_object_set_new(o, "error", *f->error ? ew_jstr(f->error) : json_null());
    json_object_set_new(o, "depth", ew_jint_or_null(f->depth));
    json_t *variants = json_array();
    for (size_t i = 0; variants && i < f->nvariants; i++) {
        const ew_variant *v = &f->variants[i];
        json_array_append_new(variants,
                              json_pack("{s:o, s:o, s:I}", "error",
                                        *v->error ? ew_jstr(v->error) : json_null(), "depth",
                                        ew_jint_or_null(v->depth), "count", (json_int_t)v->count));
    }
    json_object_set_new(o, "variants", variants);
    json_t *ports = json_array();
    for (size_t i = 0; ports && i < f->nports; i++)
        json_array_append_new(ports, json_integer(f->ports[i]));
    json_object_set_new(o, "ports", ports);
    json_t *urls = json_array();
    for (size_t i = 0; urls && i < f->nurls; i++)
        json_array_append_new(urls, json_pack("{s:o, s:o}", "url", ew_jstr(f->urls[i].url), "mra",
                                              ew_jmra(f->urls[i].mra)));
    json_object_set_new(o, "urls", urls);
    json_object_set_new(o, "description", ew_jstr(f->description));
    json_object_set_new(o, "condition", ew_jstr(f->condition));
    ew_jtls_view(o, &f->tls);
    json_object_set_new(o, "explanations", ew_jstrv(f->explanations, f->nexplanations));
    json_object_set_new(o, "evidence", ew_jring(&f->evidence));
    json_object_set_new(o, "related", ew_jring(&f->related));
    json_object_set_new(o, "actions", ew_jstrv(f->actions, f->nactions));
    json_object_set_new(o, "workaround", ew_jstr(f->workaround));
    json_object_set_new(o, "defects", ew_jstrv(f->defects, f->ndefects));
    return o;
}

static const char *ew_status_name(ewdiag_input_status s)
{
    switch (s) {
    case EWDIAG_INPUT_ANALYZED: return "analyzed";
    case EWDIAG_INPUT_PARTIAL: return "partial";
    default: return "failed";
    }
}

static json_t *ew_jinput(const ewdiag_input *in)
{
    json_t *nodes = json_array(), *entries = json_array();
    for (size_t i = 0; nodes && i < in->nnodes; i++) {
        const ew_node *n = &in->nodes[i];
        json_array_append_new(nodes, json_pack("{s:o, s:o, s:o}", "name", ew_jstr(n->name),
                                               "version", ew_jstr(n->version),
                                               "verify_origin_server", ew_jstr(n->verify_origin)));
    }
    for (size_t i = 0; entries && i < in->nentries; i++) {
        const ewdiag_entry *e = in->entries[i];
        json_array_append_new(
            entries, json_pack("{s:o, s:s, s:I, s:s, s:o, s:I}", "path", ew_jstr(e->path), "role",
                               e->role, "size", (json_int_t)e->size, "status", e->status, "reason",
                               ew_jstr(e->reason), "lines", (json_int_t)e->lines));
    }
    json_t *stores = json_array();
    for (size_t i = 0; stores && i < in->ntrust_files; i++)
        json_array_append_new(stores, json_pack("{s:o, s:o, s:I}", "node",
                                                ew_jstr(in->trust_files[i].node), "path",
                                                ew_jstr(in->trust_files[i].path), "certificates",
                                                (json_int_t)in->trust_files[i].ncerts));
    return json_pack("{s:o, s:s, s:o, s:I, s:o, s:I, s:o, s:o}", "name", ew_jstr(in->name),
                     "status", ew_status_name(in->status), "error", ew_jstr(in->error), "bytes",
                     (json_int_t)in->bytes, "nodes", nodes, "captures", (json_int_t)in->captures,
                     "trust_stores", stores, "entries", entries);
}

static json_t *ew_jwarning(const ewdiag_warning *w)
{
    return json_pack("{s:o, s:o, s:s, s:o, s:I}", "input", ew_jstr(w->input), "entry",
                     ew_jstr(w->entry), "code", w->code, "message", ew_jstr(w->message), "count",
                     (json_int_t)w->count);
}

static json_t *ew_jreport(const ewdiag_report *r)
{
    json_t *inputs = json_array(), *findings = json_array(), *warnings = json_array();
    json_t *servers = json_array();
    for (size_t i = 0; inputs && i < r->ninputs; i++) {
        const ewdiag_input *in = r->inputs[i];
        json_array_append_new(inputs, ew_jinput(in));
        for (size_t j = 0; servers && j < in->ntls_servers; j++)
            json_array_append_new(servers, ew_jserver(in, in->tls_servers[j]));
    }
    for (size_t i = 0; findings && i < r->nfindings; i++)
        json_array_append_new(findings, ew_jfinding(r->findings[i]));
    for (size_t i = 0; warnings && i < r->nwarnings; i++)
        json_array_append_new(warnings, ew_jwarning(r->warnings[i]));
    int max = ewdiag_report_max_severity(r);
    return json_pack("{s:{s:s, s:i}, s:o, s:o, s:o, s:o, s:o}", "ewdiag", "version",
                     ewdiag_version(), "format", EW_JSON_FORMAT_VERSION, "max_severity",
                     max < 0 ? json_null() : json_string(ewdiag_severity_name(max)), "inputs",
                     inputs, "findings", findings, "tls_servers", servers, "warnings", warnings);
}

static int ew_dump(json_t *j, FILE *f, size_t flags)
{
    if (!j)
        return EWDIAG_ENOMEM;
    int rc = json_dumpf(j, f, flags) == 0 && fputc('\n', f) != EOF ? 0 : EWDIAG_EIO;
    json_decref(j);
    return rc;
}

int ew_report_write_json(const ewdiag_report *r, FILE *f, unsigned flags)
{
    size_t jf = JSON_PRESERVE_ORDER |
                ((flags & EWDIAG_WRITE_COMPACT) ? JSON_COMPACT : JSON_INDENT(EW_JSON_INDENT));
    return ew_dump(ew_jreport(r), f, jf);
}

int ew_report_write_jsonl(const ewdiag_report *r, FILE *f, unsigned flags)
{
    EW_UNUSED(flags);
    for (size_t i = 0; i < r->nfindings; i++) {
        int rc = ew_dump(ew_jfinding(r->findings[i]), f, JSON_PRESERVE_ORDER | JSON_COMPACT);
        if (rc != 0)
            return rc;
    }
    return 0;
}
