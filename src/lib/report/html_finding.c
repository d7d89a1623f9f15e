/* html_finding.c - the findings of the HTML report (what failed, the
 * certificate presented, why, the fix, the evidence) and the capture's TLS
 * servers. Public getters only; every text from the input is escaped. */
#include <inttypes.h>
#include <string.h>

#include "report/html.h"

#define DEFECT_ID_LEN 10 /* "CSCwc69661" */
#define DEFECT_URL "https://bst.cloudapps.cisco.com/bugsearch/bug/"

static void ew_html_dt(ew_html *h, const char *label)
{
    ew_html_printf(h, "<dt>%s</dt><dd>", label);
}

/* <dt>label</dt><dd>text</dd>, unless text is empty. */
static void ew_html_fact(ew_html *h, const char *label, const char *text)
{
    if (!*text)
        return;
    ew_html_dt(h, label);
    ew_html_text(h, text);
    ew_html_put(h, "</dd>\n");
}

/* ---- certificates -------------------------------------------------- */

static void ew_html_names(ew_html *h, const ewdiag_cert *c, bool ip)
{
    size_t n =
        ew_html_count(h, ip ? ewdiag_cert_san_ip_count(c) : ewdiag_cert_san_dns_count(c), "");
    for (size_t i = 0; i < n; i++) {
        ew_html_put(h, i ? ", <code>" : "<code>");
        ew_html_text(h, ip ? ewdiag_cert_san_ip(c, i) : ewdiag_cert_san_dns(c, i));
        ew_html_put(h, "</code>");
    }
}

/* Validity, marked bad when `at` (the handshake) falls outside it. */
static void ew_html_validity(ew_html *h, const ewdiag_cert *c, int64_t at)
{
    int64_t nb = ewdiag_cert_not_before(c), na = ewdiag_cert_not_after(c);
    bool early = at && nb && at < nb, late = at && na && at > na;
    ew_html_printf(h, "<dt>Valid</dt><dd%s>", early || late ? " class=\"bad\"" : "");
    ew_html_time(h, nb);
    ew_html_put(h, " to ");
    ew_html_time(h, na);
    if (early || late)
        ew_html_put(h, late ? " (expired then)" : " (not yet valid then)");
    ew_html_put(h, "</dd>\n");
}

static void ew_html_key(ew_html *h, const ewdiag_cert *c)
{
    ew_html_dt(h, "Key");
    ew_html_text(h, ewdiag_cert_key_type(c));
    ew_html_printf(h, " %d-bit", ewdiag_cert_key_bits(c));
    ew_html_opt(h, " (", ewdiag_cert_curve(c), ")");
    ew_html_put(h, ", signed with ");
    ew_html_text(h, ewdiag_cert_signature_algorithm(c));
    ew_html_put(h, "</dd>\n");
}

static void ew_html_code_fact(ew_html *h, const char *label, const char *s)
{
    if (!*s)
        return;
    ew_html_dt(h, label);
    ew_html_put(h, "<code>");
    ew_html_text(h, s);
    ew_html_put(h, "</code></dd>\n");
}

/* One certificate as a card of its fields; `at` marks its validity. */
static void ew_html_cert(ew_html *h, const ewdiag_cert *c, size_t depth, int64_t at)
{
    int self = ewdiag_cert_self_signed(c), ca = ewdiag_cert_is_ca(c);
    ew_html_printf(h, "<div class=\"cert\"><h5>Depth %zu%s%s%s</h5><dl class=\"facts\">\n", depth,
                   depth ? "" : " (the server's own)",
                   self ? ", <span class=\"bad\">self-signed</span>" : "", ca ? ", a CA" : "");
    ew_html_fact(h, "Subject", ewdiag_cert_subject(c));
    ew_html_fact(h, "Issuer", ewdiag_cert_issuer(c));
    ew_html_dt(h, "DNS names");
    ew_html_names(h, c, false);
    ew_html_put(h, "</dd>\n");
    ew_html_dt(h, "IP addresses");
    ew_html_names(h, c, true);
    ew_html_put(h, "</dd>\n");
    ew_html_validity(h, c, at);
    ew_html_key(h, c);
    ew_html_code_fact(h, "Serial", ewdiag_cert_serial(c));
    ew_html_code_fact(h, "SHA-256", ewdiag_cert_sha256(c));
    ew_html_code_fact(h, "Key id", ewdiag_cert_ski(c));
    ew_html_code_fact(h, "Issuer key id", ewdiag_cert_aki(c));
    ew_html_put(h, "</dl></div>\n");
}

/* The chain, leaf first, then why it is incomplete if it is. */
static void ew_html_chain(ew_html *h, const ewdiag_chain *ch, int64_t at)
{
    size_t n = ewdiag_chain_length(ch);
    ew_html_put(h, "<div class=\"chain\">\n");
    for (size_t i = 0; i < n; i++)
        ew_html_cert(h, ewdiag_chain_cert(ch, i), i, at);
    ew_html_put(h, "</div>\n");
    ew_html_opt(h, "<p class=\"error\">A certificate could not be read: ", ewdiag_chain_error(ch),
                "</p>\n");
    if (ewdiag_chain_cut(ch))
        ew_html_put(h, "<p class=\"error\">The chain was longer than kept (max-chain, "
                       "max-der): the certificates after these were not read.</p>\n");
}

/* ---- a finding ------------------------------------------------------ */

static const ewdiag_input *ew_html_input_named(const ewdiag_report *r, const char *name)
{
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++)
        if (strcmp(ewdiag_input_name(ewdiag_report_input(r, i)), name) == 0)
            return ewdiag_report_input(r, i);
    return NULL;
}

static bool ew_html_has_capture_entry(const ewdiag_input *in)
{
    for (size_t i = 0; in && i < ewdiag_input_entry_count(in); i++)
        if (strcmp(ewdiag_entry_role(ewdiag_input_entry(in, i)), "capture") == 0)
            return true;
    return false;
}

static void ew_html_head_of(ew_html *h, const ewdiag_finding *f, size_t i, size_t row)
{
    const char *sev = ewdiag_severity_name(ewdiag_finding_severity(f));
    const char *server = ewdiag_finding_server(f), *addr = ewdiag_finding_address(f);
    ew_html_printf(h,
                   "<article class=\"finding sev-%s\" id=\"finding-%zu\" data-severity=\"%s\" "
                   "data-row=\"%zu\" data-rule=\"",
                   sev, i + 1, sev, row);
    ew_html_text(h, ewdiag_finding_rule(f));
    ew_html_put(h, "\" data-server=\"");
    ew_html_text(h, server);
    ew_html_put(h, "\" data-address=\"");
    ew_html_text(h, addr);
    ew_html_put(h, "\" data-node=\"");
    ew_html_text(h, ewdiag_finding_node(f));
    ew_html_printf(h, "\">\n<h3><span class=\"sev sev-%s\">%s</span> <span class=\"server\">", sev,
                   sev);
    ew_html_text(h, *server ? server : "(unknown server)");
    ew_html_put(h, "</span>");
    if (*addr && strcmp(addr, server) != 0) {
        ew_html_put(h, " <span class=\"address\">(");
        ew_html_text(h, addr);
        ew_html_put(h, ")</span>");
    }
    ew_html_put(h, "</h3>\n<p class=\"title\">");
    ew_html_text(h, ewdiag_finding_title(f));
    ew_html_put(h, "</p>\n");
}

static void ew_html_error_of(ew_html *h, const ewdiag_finding *f)
{
    const char *err = ewdiag_finding_error(f);
    int depth = ewdiag_finding_depth(f), enf = ewdiag_finding_enforced(f);
    if (!*err && depth < 0 && enf < 0)
        return;
    ew_html_dt(h, "Error");
    ew_html_text(h, err);
    if (depth >= 0)
        ew_html_printf(h, "%sdepth %d", *err ? ", " : "", depth);
    if (enf >= 0)
        ew_html_printf(h, "%s%s", *err || depth >= 0 ? "; " : "",
                       enf ? "connection refused (Action=Terminate)"
                           : "logged only, not enforced (Action=Continue)");
    ew_html_put(h, "</dd>\n");
    size_t nv = ewdiag_finding_variant_count(f);
    if (nv < 2)
        return;
    ew_html_dt(h, "Seen");
    for (size_t i = 0; i < nv; i++) {
        const char *ve = ewdiag_finding_variant_error(f, i);
        ew_html_put(h, i ? "; " : "");
        ew_html_text(h, *ve ? ve : "-");
        if (ewdiag_finding_variant_depth(f, i) >= 0)
            ew_html_printf(h, " (depth %d)", ewdiag_finding_variant_depth(f, i));
        ew_html_printf(h, " &times;%" PRIu64, ewdiag_finding_variant_events(f, i));
    }
    ew_html_put(h, "</dd>\n");
}

static void ew_html_requests_of(ew_html *h, const ewdiag_finding *f)
{
    size_t np = ewdiag_finding_port_count(f), nu = ewdiag_finding_url_count(f);
    if (np) {
        ew_html_dt(h, "Ports");
        for (size_t i = 0; i < np; i++)
            ew_html_printf(h, "%s%u", i ? ", " : "", ewdiag_finding_port(f, i));
        ew_html_put(h, "</dd>\n");
    }
    if (!nu)
        return;
    ew_html_dt(h, "Requests");
    ew_html_put(h, "<ul class=\"urls\">");
    for (size_t i = 0; i < nu; i++) {
        ew_html_put(h, "<li><code>");
        ew_html_text(h, ewdiag_finding_url(f, i));
        ew_html_put(h, "</code>");
        ew_html_opt(h, " (MRA target <code>", ewdiag_finding_url_target(f, i), "</code>)");
        ew_html_put(h, "</li>");
    }
    ew_html_put(h, "</ul></dd>\n");
}

static void ew_html_facts(ew_html *h, const ewdiag_finding *f)
{
    uint64_t n = ewdiag_finding_count(f), rq = ewdiag_finding_requests(f);
    ew_html_put(h, "<dl class=\"facts\">\n");
    ew_html_dt(h, "Rule");
    ew_html_put(h, "<code class=\"rule\">");
    ew_html_text(h, ewdiag_finding_rule(f));
    ew_html_put(h, "</code>");
    ew_html_opt(h, " (", ewdiag_finding_category(f), ")");
    ew_html_put(h, "</dd>\n");
    ew_html_fact(h, "Node", ewdiag_finding_node(f));
    ew_html_fact(h, "Input", ewdiag_finding_input(f));
    ew_html_fact(h, "Logged for", ewdiag_finding_target(f));
    ew_html_dt(h, "Events");
    ew_html_printf(h,
                   "<strong>%" PRIu64 "</strong> event%s, <strong>%" PRIu64
                   "</strong> failed request%s</dd>\n",
                   n, n == 1 ? "" : "s", rq, rq == 1 ? "" : "s");
    ew_html_dt(h, "First seen");
    ew_html_time(h, ewdiag_finding_first_seen(f));
    ew_html_put(h, "</dd>\n");
    ew_html_dt(h, "Last seen");
    ew_html_time(h, ewdiag_finding_last_seen(f));
    ew_html_put(h, "</dd>\n");
    ew_html_error_of(h, f);
    ew_html_requests_of(h, f);
    ew_html_fact(h, "Applies to", ewdiag_finding_condition(f));
    ew_html_put(h, "</dl>\n");
    ew_html_opt(h, "<p class=\"description\">", ewdiag_finding_description(f), "</p>\n");
}

/* The handshake joined to the finding: its facts. */
static void ew_html_handshake(ew_html *h, const ewdiag_finding *f)
{
    ew_html_put(h, "<dl class=\"facts\">\n");
    ew_html_dt(h, "Handshake");
    ew_html_time(h, ewdiag_finding_tls_time(f));
    ew_html_printf(h, " to port %u</dd>\n", ewdiag_finding_tls_port(f));
    ew_html_fact(h, "Version", ewdiag_finding_tls_version(f));
    ew_html_fact(h, "Cipher", ewdiag_finding_tls_cipher(f));
    ew_html_fact(h, "SNI sent", *ewdiag_finding_tls_sni(f) ? ewdiag_finding_tls_sni(f) : "none");
    if (ewdiag_finding_tls_alert(f) >= 0) {
        ew_html_dt(h, "Alert");
        ew_html_text(h, ewdiag_finding_tls_alert_name(f));
        ew_html_printf(h, " (%d), sent by the %s</dd>\n", ewdiag_finding_tls_alert(f),
                       ewdiag_finding_tls_alert_by_client(f) ? "client" : "server");
    }
    ew_html_fact(h, "Certificate", ewdiag_finding_tls_certificate(f));
    if (*ewdiag_finding_name_checked(f)) {
        const char *m = ewdiag_finding_name_match(f);
        ew_html_dt(h, "Name checked");
        ew_html_put(h, "<code>");
        ew_html_text(h, ewdiag_finding_name_checked(f));
        ew_html_printf(h, "</code>: <span class=\"%s\">",
                       strcmp(m, "dns-san") == 0 || strcmp(m, "cn") == 0 ? "good" : "bad");
        ew_html_text(h, m);
        ew_html_put(h, "</span></dd>\n");
    }
    ew_html_put(h, "</dl>\n");
}

static void ew_html_trust(ew_html *h, const ewdiag_finding *f)
{
    int t = ewdiag_finding_trusted(f);
    if (t < 0)
        return;
    ew_html_printf(h, "<p class=\"trust %s\">Trust store <code>", t ? "good" : "bad");
    ew_html_text(h, ewdiag_finding_trust_store(f));
    ew_html_put(h,
                t ? "</code>: <strong>trusted</strong>" : "</code>: <strong>not trusted</strong>");
    if (!t) {
        ew_html_put(h, ", ");
        ew_html_text(h, ewdiag_finding_trust_error(f));
        ew_html_printf(h, " at depth %d", ewdiag_finding_trust_error_depth(f));
        ew_html_opt(h, "; missing issuer: ", ewdiag_finding_missing_issuer(f), "");
    }
    ew_html_put(h, "</p>\n");
}

static void ew_html_capture(ew_html *h, const ewdiag_report *r, const ewdiag_finding *f)
{
    const char *cap = ewdiag_finding_capture(f);
    ew_html_put(h, "<section class=\"capture\"><h4>What the capture shows</h4>\n");
    if (strcmp(cap, "matched") != 0) {
        ew_html_put(h, "<p>");
        if (strcmp(cap, "no-handshake") == 0) {
            ew_html_put(h, "No TLS handshake to ");
            ew_html_text(h, *ewdiag_finding_address(f) ? ewdiag_finding_address(f)
                                                       : ewdiag_finding_server(f));
            ew_html_put(h, " near these failures.");
        } else if (ew_html_has_capture_entry(ew_html_input_named(r, ewdiag_finding_input(f)))) {
            ew_html_put(h, "None could be read in this input (the warnings say why).");
        } else {
            ew_html_put(h, "None in this input (tick tcpdump in diagnostic logging to see the "
                           "certificate each server presented).");
        }
        ew_html_put(h, "</p></section>\n");
        return;
    }
    ew_html_handshake(h, f);
    const ewdiag_chain *ch = ewdiag_finding_chain(f);
    if (ch) {
        ew_html_printf(h, "<p>The certificate chain presented%s:</p>\n",
                       ewdiag_finding_chain_earlier(f)
                           ? " (at the last full handshake before this one, which showed none)"
                           : "");
        ew_html_chain(h, ch, ewdiag_finding_tls_time(f));
    }
    ew_html_trust(h, f);
    ew_html_put(h, "</section>\n");
}

static void ew_html_defects(ew_html *h, const ewdiag_finding *f)
{
    size_t n = ewdiag_finding_defect_count(f);
    if (!n)
        return;
    ew_html_put(h, "<p class=\"defects\">Defects: ");
    for (size_t i = 0; i < n; i++) {
        const char *d = ewdiag_finding_defect(f, i);
        bool id = strlen(d) == DEFECT_ID_LEN && strncmp(d, "CSC", 3) == 0 &&
                  strspn(d + 3, "abcdefghijklmnopqrstuvwxyz0123456789") == DEFECT_ID_LEN - 3;
        ew_html_put(h, i ? ", " : "");
        if (id)
            ew_html_printf(h, "<a href=\"" DEFECT_URL "%s\" rel=\"noreferrer\">%s</a>", d, d);
        else
            ew_html_text(h, d);
    }
    ew_html_put(h, "</p>\n");
}

static void ew_html_list(ew_html *h, const char *cls, const char *title, bool numbered, size_t n,
                         const char *(*get)(const ewdiag_finding *, size_t),
                         const ewdiag_finding *f)
{
    if (!n)
        return;
    ew_html_printf(h, "<section class=\"%s\"><h4>%s</h4><%s>\n", cls, title,
                   numbered ? "ol" : "ul");
    for (size_t i = 0; i < n; i++) {
        ew_html_put(h, "<li>");
        ew_html_text(h, get(f, i));
        ew_html_put(h, "</li>\n");
    }
    ew_html_printf(h, "</%s></section>\n", numbered ? "ol" : "ul");
}

static void ew_html_advice(ew_html *h, const ewdiag_finding *f)
{
    ew_html_list(h, "why", "Why", false, ewdiag_finding_explanation_count(f),
                 ewdiag_finding_explanation, f);
    ew_html_list(h, "fix", "Fix", true, ewdiag_finding_action_count(f), ewdiag_finding_action, f);
    ew_html_opt(h, "<section class=\"workaround\"><h4>Workaround, and its risk</h4><p>",
                ewdiag_finding_workaround(f), "</p></section>\n");
    ew_html_defects(h, f);
}

static void ew_html_lines(ew_html *h, const char *cls, const char *label, size_t n,
                          const char *(*get)(const ewdiag_finding *, size_t),
                          const ewdiag_finding *f, uint64_t total)
{
    if (!n)
        return;
    ew_html_printf(h, "<details class=\"%s\" open><summary>%s", cls, label);
    if (total > n)
        ew_html_printf(h, " (latest %zu of %" PRIu64 ")", n, total);
    ew_html_put(h, "</summary><pre>");
    for (size_t i = 0; i < n; i++) {
        ew_html_text(h, get(f, i));
        ew_html_put(h, "\n");
    }
    ew_html_put(h, "</pre></details>\n");
}

static void ew_html_finding(ew_html *h, const ewdiag_report *r, const ewdiag_finding *f, size_t i,
                            size_t row)
{
    ew_html_head_of(h, f, i, row);
    ew_html_facts(h, f);
    ew_html_capture(h, r, f);
    ew_html_advice(h, f);
    ew_html_lines(h, "evidence", "Evidence", ewdiag_finding_evidence_count(f),
                  ewdiag_finding_evidence, f, ewdiag_finding_count(f));
    ew_html_lines(h, "related", "Related lines", ewdiag_finding_related_count(f),
                  ewdiag_finding_related, f, 0);
    ew_html_put(h, "</article>\n");
}

void ew_html_findings(ew_html *h, const ewdiag_report *r, const ew_html_rows *rows)
{
    size_t n = ewdiag_report_finding_count(r);
    ew_html_put(h, "<section id=\"findings\">\n<h2>Findings</h2>\n");
    ew_html_put(h, "<div id=\"filter\" hidden><label>Filter <input type=\"search\" "
                   "id=\"filter-text\" placeholder=\"server, rule, node, text\"></label> "
                   "<span id=\"filter-sev\"></span> <span id=\"filter-count\"></span> "
                   "<button type=\"button\" id=\"toggle-all\">Collapse all</button></div>\n");
    if (!n)
        ew_html_put(h, "<p class=\"clean\">No traffic server certificate verification failure "
                       "found.</p>\n");
    /* The findings of log lines, then the forecasts by section. */
    static const struct {
        const char *section, *title;
    } parts[] = {{"", NULL},
                 {"before-upgrade", "Before you upgrade to X14.2"},
                 {"before-verification", "Before verification is switched on"},
                 {"before-expiry", "Before certificates expire"}};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        bool head = false;
        for (size_t i = 0; i < n; i++) {
            const ewdiag_finding *f = ewdiag_report_finding(r, i);
            if (strcmp(ewdiag_finding_forecast_section(f), parts[k].section) != 0)
                continue;
            if (parts[k].title && !head)
                ew_html_printf(h, "<h3 class=\"forecast\">%s</h3>\n", parts[k].title);
            head = true;
            ew_html_finding(h, r, f, i, rows->row_of[i]);
        }
    }
    ew_html_put(h, "</section>\n");
}

/* ---- the capture's TLS servers -------------------------------------- */

static void ew_html_hidden(ew_html *h, const ewdiag_tls_server *s)
{
    static const struct {
        ewdiag_cert_seen seen;
        const char *what;
    } kinds[] = {{EWDIAG_CERT_ENCRYPTED, "TLS 1.3"},
                 {EWDIAG_CERT_RESUMED, "resumed"},
                 {EWDIAG_CERT_CUT, "cut"},
                 {EWDIAG_CERT_UNSEEN, "unseen"}};
    const char *sep = "";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        uint64_t n = ewdiag_tls_server_handshakes_by(s, kinds[i].seen);
        if (!n)
            continue;
        ew_html_printf(h, "%s%s %" PRIu64, sep, kinds[i].what, n);
        sep = ", ";
    }
    if (!*sep)
        ew_html_put(h, "0");
}

static void ew_html_chains(ew_html *h, const ewdiag_tls_server *s)
{
    size_t n = ew_html_count(h, ewdiag_tls_server_chain_count(s), " seen");
    for (size_t i = 0; i < n; i++) {
        const ewdiag_chain *ch = ewdiag_tls_server_chain(s, i);
        const ewdiag_cert *leaf = ewdiag_chain_cert(ch, 0);
        uint64_t seen = ewdiag_chain_seen(ch);
        ew_html_put(h, "<details><summary>");
        if (leaf) {
            ew_html_text(h, *ewdiag_cert_subject_cn(leaf) ? ewdiag_cert_subject_cn(leaf)
                                                          : ewdiag_cert_subject(leaf));
            ew_html_put(h, ewdiag_cert_self_signed(leaf) ? " (self-signed)" : ", issued by ");
            if (!ewdiag_cert_self_signed(leaf))
                ew_html_text(h, *ewdiag_cert_issuer_cn(leaf) ? ewdiag_cert_issuer_cn(leaf)
                                                             : ewdiag_cert_issuer(leaf));
        } else {
            ew_html_put(h, "unreadable chain");
        }
        ew_html_printf(h, ", %zu certificate%s, seen %" PRIu64 " time%s</summary>\n",
                       ewdiag_chain_length(ch), ewdiag_chain_length(ch) == 1 ? "" : "s", seen,
                       seen == 1 ? "" : "s");
        ew_html_put(h, "<p>From ");
        ew_html_time(h, ewdiag_chain_first_seen(ch));
        ew_html_put(h, " to ");
        ew_html_time(h, ewdiag_chain_last_seen(ch));
        ew_html_put(h, ".</p>\n");
        ew_html_chain(h, ch, ewdiag_chain_last_seen(ch));
        ew_html_put(h, "</details>");
    }
}

static void ew_html_server_row(ew_html *h, const ewdiag_input *in, const ewdiag_tls_server *s)
{
    ew_html_put(h, "<tr><td>");
    ew_html_text(h, ewdiag_input_name(in));
    ew_html_put(h, "</td><td><code>");
    ew_html_text(h, ewdiag_tls_server_address(s));
    ew_html_printf(h,
                   ":%u</code></td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
                   "</td><td>",
                   ewdiag_tls_server_port(s), ewdiag_tls_server_handshakes(s),
                   ewdiag_tls_server_handshakes_by(s, EWDIAG_CERT_PRESENT));
    ew_html_hidden(h, s);
    ew_html_printf(h, "</td><td class=\"num\">%" PRIu64 "</td><td>", ewdiag_tls_server_alerts(s));
    for (size_t k = 0; k < ewdiag_tls_server_sni_count(s); k++) {
        ew_html_put(h, k ? ", <code>" : "<code>");
        ew_html_text(h, ewdiag_tls_server_sni(s, k));
        ew_html_put(h, "</code>");
    }
    ew_html_put(h, "</td><td>");
    ew_html_chains(h, s);
    ew_html_put(h, "</td></tr>\n");
}

void ew_html_tls_servers(ew_html *h, const ewdiag_report *r)
{
    size_t total = 0;
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++)
        total += ewdiag_input_tls_server_count(ewdiag_report_input(r, i));
    ew_html_put(h, "<section id=\"tls-servers\">\n<h2>TLS servers in the captures</h2>\n");
    if (!total) {
        ew_html_put(h, "<p>No TLS server: no capture was read.</p>\n</section>\n");
        return;
    }
    ew_html_put(h, "<p>Every server the captures show a TLS handshake to, and every distinct "
                   "chain it presented, whatever failed or not.</p>\n<div class=\"scroll\">"
                   "<table class=\"sortable servers\"><thead><tr><th>Input</th><th>Server</th>"
                   "<th class=\"num\">Handshakes</th><th class=\"num\">Certificate seen</th>"
                   "<th>Certificate hidden</th><th class=\"num\">Alerts</th><th>SNI sent</th>"
                   "<th>Chains presented</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++) {
        const ewdiag_input *in = ewdiag_report_input(r, i);
        for (size_t j = 0; j < ewdiag_input_tls_server_count(in); j++)
            ew_html_server_row(h, in, ewdiag_input_tls_server(in, j));
    }
    ew_html_put(h, "</tbody></table></div>\n</section>\n");
}
