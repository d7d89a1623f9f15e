/* report_text.c - the report for a person: per input, per node, per server;
 * prose wrapped to fit 80 columns; colour only when asked. */
#include <stdlib.h>

#include "analysis/inventory.h"
#include "capture/names.h"
#include "report/report.h"
#include "core/timestamp.h"

#define EW_WIDTH 80
#define EW_INDENT 9 /* under the severity label */
#define EW_ANSI_RESET "\033[0m"
#define EW_ANSI_BOLD "\033[1m"

typedef struct ew_out {
    FILE *f;
    bool color;
    bool *failed; /* set when a text could not be built: out of memory */
} ew_out;

static const char *ew_sev_color(ewdiag_severity s)
{
    switch (s) {
    case EWDIAG_SEV_CRITICAL:
    case EWDIAG_SEV_ERROR:
        return "\033[1;31m";
    case EWDIAG_SEV_WARNING:
        return "\033[1;33m";
    case EWDIAG_SEV_NOTICE:
        return "\033[1;36m";
    default:
        return "\033[1m";
    }
}

/* Writes s for a terminal: bytes that are not UTF-8 become U+FFFD, control
 * characters (C0, DEL, C1) '?', so that what a log line or an entry name
 * holds can neither move the cursor nor change colours. Into b when b is
 * not NULL (appended), else to f. Returns EWDIAG_ENOMEM when out of memory. */
static int ew_safe_put(FILE *f, ew_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f)
            run++;
        if (run > i) {
            if (b ? ew_buf_append(b, p + i, run - i) != 0 : fwrite(p + i, 1, run - i, f) != run - i)
                return b ? EWDIAG_ENOMEM : 0;
            i = run;
            continue;
        }
        size_t len = ew_utf8_len(p + i, n - i);
        const char *put = len == 1 || (len == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) ? "?"
                          : len == 0                                                ? "\xef\xbf\xbd"
                                                                                    : NULL;
        if (b ? (put ? ew_buf_puts(b, put) : ew_buf_append(b, p + i, len)) != 0
              : (put ? fputs(put, f) : (int)fwrite(p + i, 1, len, f)) < 0)
            return b ? EWDIAG_ENOMEM : 0;
        i += len ? len : 1;
    }
    return 0;
}

/* Bold text; a label's last newline is kept (input text is made safe). */
static void ew_bold(const ew_out *o, const char *s)
{
    size_t n = strlen(s);
    bool nl = n && s[n - 1] == '\n';
    if (o->color)
        fputs(EW_ANSI_BOLD, o->f);
    if (nl) {
        char *head = ew_strndup(s, n - 1);
        if (!head)
            *o->failed = true;
        ew_safe_put(o->f, NULL, head ? head : "");
        free(head);
    } else {
        ew_safe_put(o->f, NULL, s);
    }
    if (o->color)
        fputs(EW_ANSI_RESET, o->f);
    if (nl)
        fputc('\n', o->f);
}

/* fputs of text that came from the input. */
static void ew_puts(const ew_out *o, const char *s)
{
    ew_safe_put(o->f, NULL, s);
}

/* Writes text wrapped at EW_WIDTH: the first line after `lead` (already
 * written, `col` columns wide), the next ones indented by `indent`. Breaks
 * at spaces; a word longer than a line is broken where it must be. */
static void ew_wrap(const ew_out *o, size_t col, size_t indent, const char *text)
{
    ew_buf clean = {0};
    if (ew_safe_put(NULL, &clean, text) != 0) {
        ew_buf_free(&clean);
        *o->failed = true;
        return;
    }
    const char *p = clean.p ? clean.p : "";
    size_t width = EW_WIDTH > col ? EW_WIDTH - col : 1;
    for (;;) {
        size_t n = strlen(p);
        if (n <= width) {
            fprintf(o->f, "%s\n", p);
            ew_buf_free(&clean);
            return;
        }
        size_t cut = width;
        while (cut > 0 && p[cut] != ' ')
            cut--;
        size_t next = cut + 1;
        if (cut == 0) {
            /* Not inside a UTF-8 sequence. */
            cut = width;
            while (cut > 1 && ((unsigned char)p[cut] & 0xc0) == 0x80)
                cut--;
            next = cut;
        }
        fprintf(o->f, "%.*s\n%*s", (int)cut, p, (int)indent, "");
        p += next;
        width = EW_WIDTH > indent ? EW_WIDTH - indent : 1;
    }
}

static void ew_put_field(const ew_out *o, const char *label, const char *text)
{
    int n = fprintf(o->f, "%*s%s", EW_INDENT, "", label);
    ew_wrap(o, n > 0 ? (size_t)n : 0, EW_INDENT + 2, text);
}

static void ew_list(const ew_out *o, const char *label, char *const *v, size_t n, bool numbered)
{
    if (!n)
        return;
    fprintf(o->f, "%*s%s\n", EW_INDENT, "", label);
    for (size_t i = 0; i < n; i++) {
        int w = numbered ? fprintf(o->f, "%*s%zu. ", EW_INDENT + 2, "", i + 1)
                         : fprintf(o->f, "%*s- ", EW_INDENT + 2, "");
        ew_wrap(o, w > 0 ? (size_t)w : 0, w > 0 ? (size_t)w : 0, v[i]);
    }
}

static void ew_lines_of(const ew_out *o, const char *label, const ew_ring *r, uint64_t total)
{
    if (!r->n)
        return;
    if (total > r->n)
        fprintf(o->f, "%*s%s (latest %zu of %llu):\n", EW_INDENT, "", label, r->n,
                (unsigned long long)total);
    else
        fprintf(o->f, "%*s%s:\n", EW_INDENT, "", label);
    for (size_t i = 0; i < r->n; i++) {
        fprintf(o->f, "%*s", EW_INDENT + 2, "");
        ew_wrap(o, EW_INDENT + 2, EW_INDENT + 4, ew_ring_get(r, i));
    }
}

static void ew_details(const ew_out *o, const ewdiag_finding *f)
{
    ew_buf b = {0};
    if (*f->g.error || f->g.depth >= 0 || f->g.enforced >= 0) {
        if (*f->g.error)
            ew_buf_printf(&b, "%s", f->g.error);
        if (f->g.depth >= 0)
            ew_buf_printf(&b, "%sdepth %d", b.len ? ", " : "", f->g.depth);
        if (f->g.enforced >= 0)
            ew_buf_printf(&b, "%s%s", b.len ? "; " : "",
                          f->g.enforced ? "connection refused (Action=Terminate)"
                                        : "logged only, not enforced (Action=Continue)");
        if (b.p)
            ew_put_field(o, "Error: ", b.p);
    }
    if (f->g.nvariants > 1) {
        ew_buf_clear(&b);
        for (size_t i = 0; i < f->g.nvariants; i++) {
            const ew_variant *v = &f->g.variants[i];
            ew_buf_printf(&b, "%s%s", i ? "; " : "", *v->error ? v->error : "-");
            if (v->depth >= 0)
                ew_buf_printf(&b, " (depth %d)", v->depth);
            ew_buf_printf(&b, " x%llu", (unsigned long long)v->count);
        }
        if (b.p)
            ew_put_field(o, "Seen: ", b.p);
    }
    if (f->g.nports || f->g.nurls) {
        ew_buf_clear(&b);
        for (size_t i = 0; i < f->g.nports; i++)
            ew_buf_printf(&b, "%s%u", i ? ", " : "", f->g.ports[i]);
        if (f->g.nports)
            ew_put_field(o, "Ports: ", b.p ? b.p : "");
        for (size_t i = 0; i < f->g.nurls; i++) {
            ew_buf_clear(&b);
            ew_buf_printf(&b, "%s", f->g.urls[i].url);
            if (f->g.urls[i].mra)
                ew_buf_printf(&b, " (MRA target %s)", f->g.urls[i].mra);
            if (b.p)
                ew_put_field(o, "Request: ", b.p);
        }
    }
    *o->failed |= b.failed;
    ew_buf_free(&b);
}

/* One line for a certificate: who, by whom, key, names, validity. */
static void ew_cert_line(ew_buf *b, const ew_cert_info *c)
{
    char nb[EW_TS_BUFSZ], na[EW_TS_BUFSZ];
    ew_ts_format(c->not_before, nb);
    ew_ts_format(c->not_after, na);
    nb[10] = na[10] = '\0';
    ew_buf_printf(b, "CN=%s, issued by CN=%s%s, %s %d-bit, valid %s to %s",
                  *c->subject_cn ? c->subject_cn : c->subject,
                  *c->issuer_cn ? c->issuer_cn : c->issuer, c->self_signed ? " (self-signed)" : "",
                  c->key_type, c->key_bits, nb, na);
    for (size_t i = 0; i < c->ndns; i++)
        ew_buf_printf(b, "%s%s", i ? ", " : "; DNS ", c->dns[i]);
    for (size_t i = 0; i < c->nips; i++)
        ew_buf_printf(b, "%s%s", i ? ", " : "; IP ", c->ips[i]);
}

/* Whether the input holds a capture file, read or not. */
static bool ew_has_capture_entry(const ewdiag_input *in)
{
    for (size_t i = 0; in && i < in->nentries; i++)
        if (in->entries[i]->role == EW_ROLE_CAPTURE)
            return true;
    return false;
}

static void ew_capture_view(const ew_out *o, const ewdiag_input *in, const ewdiag_finding *f,
                            ew_buf *b)
{
    const ew_tls_view *t = &f->tls;
    ew_buf_clear(b);
    if (t->match == EW_CAPTURE_NONE) {
        if (ew_has_capture_entry(in))
            ew_put_field(o, "Capture: ", "none could be read in this input (the warnings say why)");
        else
            ew_put_field(o, "Capture: ",
                         "none in this input (tick tcpdump in diagnostic logging to "
                         "see the certificate each server presented)");
        return;
    }
    if (t->match == EW_CAPTURE_NO_HS) {
        ew_buf_printf(b, "no TLS handshake to %s near these failures",
                      *f->g.address ? f->g.address : f->g.server);
        ew_put_field(o, "Capture: ", b->p);
        return;
    }
    char ts[EW_TS_BUFSZ], ver[EW_TLS_NAME_MAX], cip[EW_TLS_NAME_MAX];
    ew_ts_format(t->ts, ts);
    ew_tls_version_str(t->version, ver);
    ew_cipher_str(t->cipher, cip);
    ew_buf_printf(b, "handshake at %s to port %u, %s, %s, %s", ts, t->port,
                  t->version ? ver : "version unknown", t->cipher ? cip : "cipher unknown",
                  t->sni ? "SNI " : "no SNI");
    if (t->sni)
        ew_buf_puts(b, t->sni);
    if (t->alert >= 0)
        ew_buf_printf(b, "; %s alert %s (%d)", t->alert_by_client ? "client" : "server",
                      ew_alert_name(t->alert), t->alert);
    ew_put_field(o, "Capture: ", b->p);
    if (t->chain) {
        for (size_t i = 0; i < t->chain->ncerts; i++) {
            ew_buf_clear(b);
            ew_cert_line(b, &t->chain->certs[i]);
            ew_put_field(o,
                         i ? "  then: "
                           : (t->chain_earlier ? "Certificate (earlier): " : "Certificate: "),
                         b->p);
        }
        if (t->chain->error) {
            ew_buf_clear(b);
            ew_buf_printf(b, "unreadable: %s", t->chain->error);
            ew_put_field(o,
                         t->chain->ncerts
                             ? "  then: "
                             : (t->chain_earlier ? "Certificate (earlier): " : "Certificate: "),
                         b->p);
        }
    }
    if (t->verified) {
        ew_buf_clear(b);
        if (t->verdict.trusted)
            ew_buf_printf(b, "trusted by %s", ew_basename(t->trust_path));
        else
            ew_buf_printf(b, "%s at depth %d (%s)", t->verdict.error_text, t->verdict.error_depth,
                          ew_basename(t->trust_path));
        ew_put_field(o, "Trust: ", b->p);
    }
}

static void ew_finding(const ew_out *o, const ewdiag_input *in, const ewdiag_finding *f)
{
    const char *sev = ewdiag_severity_name(f->severity);
    char label[16];
    snprintf(label, sizeof label, "%-8s", sev);
    for (char *p = label; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    fputs("\n  ", o->f);
    if (o->color)
        fprintf(o->f, "%s%.7s" EW_ANSI_RESET " ", ew_sev_color(f->severity), label);
    else
        fprintf(o->f, "%.7s ", label);
    ew_bold(o, *f->g.server ? f->g.server : "(unknown server)");
    if (*f->g.address && strcmp(f->g.address, f->g.server) != 0) {
        fputs(" (", o->f);
        ew_puts(o, f->g.address);
        fputc(')', o->f);
    }
    fputc('\n', o->f);
    int n = fprintf(o->f, "%*s", EW_INDENT, "");
    ew_wrap(o, n > 0 ? (size_t)n : 0, EW_INDENT, f->title);
    ew_buf b = {0};
    char a[EW_TS_BUFSZ], z[EW_TS_BUFSZ];
    if (f->fc.is)
        ew_buf_printf(&b, "[%s] checked offline on the capture", f->rule);
    else
        ew_buf_printf(&b, "[%s] %llu event%s", f->rule, (unsigned long long)f->g.count,
                      f->g.count == 1 ? "" : "s");
    if (f->g.requests)
        ew_buf_printf(&b, ", %llu failed request%s", (unsigned long long)f->g.requests,
                      f->g.requests == 1 ? "" : "s");
    if (!f->g.first_seen) {
        ew_buf_puts(&b, ", time unknown");
    } else {
        ew_ts_format(f->g.first_seen, a);
        ew_ts_format(f->g.last_seen, z);
        if (f->g.first_seen == f->g.last_seen)
            ew_buf_printf(&b, ", at %s", a);
        else /* the same day is not written twice */
            ew_buf_printf(&b, ", %s .. %s", a, strncmp(a, z, 10) == 0 ? z + 11 : z);
    }
    fprintf(o->f, "%*s", EW_INDENT, "");
    ew_wrap(o, EW_INDENT, EW_INDENT + 2, b.p ? b.p : "");
    ew_details(o, f);
    ew_capture_view(o, in, f, &b);
    ew_list(o, "Why:", f->g.explanations, f->g.nexplanations, false);
    ew_list(o, "Fix:", f->actions, f->nactions, true);
    if (f->workaround && *f->workaround)
        ew_put_field(o, "Workaround: ", f->workaround);
    if (f->ndefects) {
        ew_buf_clear(&b);
        for (size_t i = 0; i < f->ndefects; i++)
            ew_buf_printf(&b, "%s%s", i ? ", " : "", f->defects[i]);
        if (b.p)
            ew_put_field(o, "Defects: ", b.p);
    }
    *o->failed |= b.failed;
    ew_buf_free(&b);
    ew_lines_of(o, "Evidence", &f->g.evidence, f->g.count);
    ew_lines_of(o, "Related lines", &f->g.related, 0);
}

static void ew_entries_summary(const ew_out *o, const ewdiag_input *in, bool all)
{
    size_t scanned = 0, skipped = 0, failed = 0;
    for (size_t i = 0; i < in->nentries; i++) {
        ew_entry_status st = in->entries[i]->status;
        scanned += st == EW_ENTRY_SCANNED;
        skipped += st == EW_ENTRY_SKIPPED;
        failed += st == EW_ENTRY_FAILED;
    }
    fprintf(o->f, "  %zu entr%s: %zu scanned, %zu skipped, %zu failed; %llu bytes read\n",
            in->nentries, in->nentries == 1 ? "y" : "ies", scanned, skipped, failed,
            (unsigned long long)in->bytes);
    for (size_t i = 0; i < in->nentries; i++) {
        const ewdiag_entry *e = in->entries[i];
        if (!all && e->status != EW_ENTRY_FAILED)
            continue;
        fprintf(o->f, "    %-7s %-11s ", ew_entry_status_name(e->status), ew_role_name(e->role));
        ew_puts(o, e->path);
        fputc('\n', o->f);
        if (e->reason) {
            fprintf(o->f, "%*s", 12, "");
            ew_wrap(o, 12, 12, e->reason);
        }
    }
}

static const char *ew_section_title(const char *section)
{
    if (strcmp(section, "before-upgrade") == 0)
        return "Before you upgrade to X14.2";
    if (strcmp(section, "before-verification") == 0)
        return "Before verification is switched on";
    return "Before certificates expire";
}

/* One line per origin server: what checking it said, or why it was not. */
static void ew_origin_line(const ew_out *o, const ew_origin_srv *x, ew_buf *b)
{
    ew_buf_clear(b);
    ew_buf_printf(b, "%s", *x->name ? x->name : x->address);
    if (*x->address && strcmp(x->address, x->name) != 0)
        ew_buf_printf(b, " (%s)", x->address);
    if (x->port)
        ew_buf_printf(b, " port %u", x->port);
    ew_buf_printf(b, ", node %s: ", x->node);
    switch (x->state) {
    case EW_ORIGIN_NO_CAPTURE: ew_buf_puts(b, "not checked: no capture in this input"); break;
    case EW_ORIGIN_NO_HANDSHAKE: ew_buf_puts(b, "not checked: no capture of it"); break;
    case EW_ORIGIN_NO_CERTIFICATE:
        ew_buf_puts(b, "not checked: no handshake showed its certificate (TLS 1.3 or resumed)");
        break;
    case EW_ORIGIN_CHECKED:
        ew_buf_printf(b, "%s", !x->trust_known ? "trust not checked (no trust store)"
                               : x->untrusted  ? "untrusted"
                                               : "trusted");
        if (x->join.tls.name_match >= 0)
            ew_buf_printf(b, ", name %s", x->misnamed ? "not in the certificate" : "matches");
        if (x->expiry != EW_EXPIRY_NONE)
            ew_buf_printf(b, ", %s", ew_expiry_name(x->expiry));
        break;
    }
    fprintf(o->f, "%*s", 4, "");
    ew_wrap(o, 4, 6, b->p ? b->p : "");
}

/* The forecasts of an input, by section, then its origin servers. */
static void ew_forecast_sections(const ew_out *o, const ewdiag_report *r, const ewdiag_input *in)
{
    static const char *const sections[] = {"before-upgrade", "before-verification",
                                           "before-expiry"};
    for (size_t k = 0; k < EW_ARRAY_LEN(sections); k++) {
        bool head = false;
        for (size_t i = 0; i < r->nfindings; i++) {
            const ewdiag_finding *f = r->findings[i];
            if (!f->fc.is || strcmp(f->input, in->name) != 0 ||
                strcmp(ew_forecast_section(f->fc.enforcement), sections[k]) != 0)
                continue;
            if (!head) {
                fputs("\n  ", o->f);
                ew_bold(o, ew_section_title(sections[k]));
                fputc('\n', o->f);
                head = true;
            }
            ew_finding(o, in, f);
        }
    }
    if (!in->norigins)
        return;
    if (!in->captures) {
        fprintf(o->f, "\n  Origin servers: %zu, not checked: no capture in this input\n",
                in->norigins);
        return;
    }
    fputs("\n  Origin servers (X14.2's check applied offline):\n", o->f);
    ew_buf b = {0};
    for (size_t i = 0; i < in->norigins; i++)
        ew_origin_line(o, in->origins[i], &b);
    *o->failed |= b.failed;
    ew_buf_free(&b);
}

/* The capture's TLS servers, whatever failed or not. */
static void ew_servers(const ew_out *o, const ewdiag_input *in)
{
    if (!in->captures)
        return;
    fprintf(o->f, "\n  TLS servers in the capture (%zu file%s):\n", in->captures,
            in->captures == 1 ? "" : "s");
    if (!in->ntls_servers)
        fputs("    none\n", o->f);
    ew_buf b = {0};
    for (size_t i = 0; i < in->ntls_servers; i++) {
        const ew_tls_server *s = in->tls_servers[i];
        uint64_t hidden = s->tls13 + s->resumed + s->cut + s->unseen;
        fprintf(o->f,
                "    %s:%u  %llu handshake%s, %llu certificate%s seen, %llu hidden, %llu alert%s\n",
                s->address, s->port, (unsigned long long)s->handshakes,
                s->handshakes == 1 ? "" : "s", (unsigned long long)s->certificate_messages,
                s->certificate_messages == 1 ? "" : "s", (unsigned long long)hidden,
                (unsigned long long)s->alerts, s->alerts == 1 ? "" : "s");
        for (size_t j = 0; j < s->nchains; j++) {
            const ew_chain *c = s->chains[j];
            ew_buf_clear(&b);
            if (c->ncerts)
                ew_cert_line(&b, &c->certs[0]);
            else
                ew_buf_printf(&b, "unreadable: %s", c->error ? c->error : "no certificate");
            ew_buf_printf(&b, " [chain of %zu, seen %llu time%s]", c->nder,
                          (unsigned long long)c->seen, c->seen == 1 ? "" : "s");
            fprintf(o->f, "%*s", 6, "");
            ew_wrap(o, 6, 8, b.p);
        }
    }
    *o->failed |= b.failed;
    ew_buf_free(&b);
}

static void ew_input(const ew_out *o, const ewdiag_report *r, const ewdiag_input *in,
                     unsigned flags)
{
    fputs("\n", o->f);
    ew_bold(o, "==> ");
    ew_bold(o, in->name);
    fputc('\n', o->f);
    if (in->status == EWDIAG_INPUT_FAILED) {
        fputs("  Not analyzed: ", o->f);
        ew_wrap(o, 16, 4, in->error ? in->error : "cannot be read");
    }
    for (size_t i = 0; i < in->nnodes; i++) {
        const ew_node *n = &in->nodes[i];
        fputs("  node ", o->f);
        ew_puts(o, n->name);
        if (n->version) {
            fputs(", software ", o->f);
            ew_puts(o, n->version);
        }
        if (n->verify_origin) {
            fputs(", VerifyOriginServer ", o->f);
            ew_puts(o, n->verify_origin);
        }
        fputc('\n', o->f);
    }
    ew_entries_summary(o, in, flags & EWDIAG_WRITE_ENTRIES);
    size_t shown = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const ewdiag_finding *f = r->findings[i];
        if (strcmp(f->input, in->name) != 0 || f->fc.is)
            continue;
        if (shown == 0 || strcmp(f->g.node, r->findings[i - 1]->g.node) != 0) {
            fputs("\n  ", o->f);
            ew_bold(o, "Node ");
            ew_bold(o, f->g.node);
            fputc('\n', o->f);
        }
        ew_finding(o, in, f);
        shown++;
    }
    if (!shown && in->status != EWDIAG_INPUT_FAILED)
        fputs("\n  No traffic server certificate verification failure found.\n", o->f);
    ew_forecast_sections(o, r, in);
    ew_servers(o, in);
}

/* Per server across every node and input: what a cluster's bundles say
 * together. Shown when there is more than one node. */
static void ew_cluster(const ew_out *o, const ewdiag_report *r)
{
    size_t nodes = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(r->findings[j]->g.node, r->findings[i]->g.node) == 0;
        nodes += !seen;
    }
    if (nodes < 2)
        return;
    fputs("\n", o->f);
    ew_bold(o, "==> Across nodes, per server\n");
    bool *done = ew_calloc(r->nfindings, sizeof *done);
    if (!done)
        return;
    ew_buf b = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        if (done[i])
            continue;
        const ewdiag_finding *f = r->findings[i];
        uint64_t count = 0;
        ew_buf_clear(&b);
        for (size_t j = i; j < r->nfindings; j++) {
            const ewdiag_finding *other = r->findings[j];
            if (done[j] || strcmp(other->g.server, f->g.server) != 0 ||
                strcmp(other->g.address, f->g.address) != 0)
                continue;
            done[j] = true;
            count += other->g.count;
            if (!b.p || !strstr(b.p, other->g.node))
                ew_buf_printf(&b, "%s%s", b.len ? ", " : "", other->g.node);
        }
        fputs("  ", o->f);
        ew_puts(o, *f->g.server ? f->g.server : "(unknown server)");
        if (*f->g.address && strcmp(f->g.address, f->g.server) != 0) {
            fputs(" (", o->f);
            ew_puts(o, f->g.address);
            fputc(')', o->f);
        }
        fprintf(o->f, ": %llu event%s on ", (unsigned long long)count, count == 1 ? "" : "s");
        ew_wrap(o, EW_WIDTH / 2, 6, b.p ? b.p : "");
    }
    free(done);
    *o->failed |= b.failed;
    ew_buf_free(&b);
}

int ew_report_write_text(const ewdiag_report *r, FILE *f, unsigned flags)
{
    bool failed = false;
    ew_out o = {f, (flags & EWDIAG_WRITE_COLOR) != 0, &failed};
    size_t counts[EWDIAG_SEV_CRITICAL + 1] = {0};
    for (size_t i = 0; i < r->nfindings; i++)
        counts[r->findings[i]->severity]++;
    fprintf(f, "ewdiag %s: %zu input%s, %zu finding%s", ewdiag_version(), r->ninputs,
            r->ninputs == 1 ? "" : "s", r->nfindings, r->nfindings == 1 ? "" : "s");
    const char *sep = " (";
    for (int s = EWDIAG_SEV_CRITICAL; s >= 0; s--) {
        if (counts[s]) {
            fprintf(f, "%s%zu %s", sep, counts[s], ewdiag_severity_name((ewdiag_severity)s));
            sep = ", ";
        }
    }
    fputs(*sep == ',' ? ")\n" : "\n", f);
    for (size_t i = 0; i < r->ninputs; i++)
        ew_input(&o, r, r->inputs[i], flags);
    ew_cluster(&o, r);
    if (r->nwarnings) {
        fputs("\n", f);
        ew_bold(&o, "==> Warnings\n");
        for (size_t i = 0; i < r->nwarnings; i++) {
            const ewdiag_warning *w = r->warnings[i];
            int n = fputs("  - ", f) >= 0 ? 4 : 0;
            if (w->count > 1) {
                char buf[64];
                snprintf(buf, sizeof buf, "%llu x ", (unsigned long long)w->count);
                fputs(buf, f);
                n += (int)strlen(buf);
            }
            ew_wrap(&o, (size_t)n, 4, w->message);
        }
    }
    return failed ? EWDIAG_ENOMEM : 0;
}
