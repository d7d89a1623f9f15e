/* html.c - the report as one HTML page that works offline: style, script
 * and data inline, nothing fetched (its Content-Security-Policy forbids
 * it), readable without JavaScript. Written with the public getters of
 * ewdiag.h only; every text that came from an input is escaped. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/html.h"
#include "report/report.h"

#define SHA256_LEN 32
#define SHA256_B64_MAX 48 /* base64 of 32 bytes: 44 and a NUL */
#define SEV_LEVELS (EWDIAG_SEV_CRITICAL + 1)

static const char *ew_plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "sha256-BASE64" of a constant of the page, for its Content-Security-
 * Policy: the browser runs that script and style and nothing else, even
 * if a text from the input slipped through as markup. */
static int ew_html_hash(const char *const *pieces, char out[SHA256_B64_MAX])
{
    unsigned char md[SHA256_LEN];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    for (size_t i = 0; ok && pieces[i]; i++)
        ok = EVP_DigestUpdate(ctx, pieces[i], strlen(pieces[i])) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == SHA256_LEN;
    EVP_MD_CTX_free(ctx);
    return ok && EVP_EncodeBlock((unsigned char *)out, md, SHA256_LEN) > 0 ? 0 : -1;
}

static void ew_html_pieces(ew_html *h, const char *const *pieces)
{
    for (size_t i = 0; pieces[i]; i++)
        ew_html_put(h, pieces[i]);
}

static int ew_html_head(ew_html *h, const ewdiag_report *r)
{
    char css[SHA256_B64_MAX], js[SHA256_B64_MAX];
    if (ew_html_hash(ew_html_css, css) != 0 || ew_html_hash(ew_html_js, js) != 0)
        return EWDIAG_ENOMEM;
    size_t nf = ewdiag_report_finding_count(r), ni = ewdiag_report_input_count(r);
    ew_html_put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    ew_html_printf(h,
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'sha256-%s'; script-src 'sha256-%s'; img-src data:; "
                   "base-uri 'none'; form-action 'none'\">\n",
                   css, js);
    ew_html_printf(h, "<meta name=\"generator\" content=\"ewdiag %s\">\n", ewdiag_version());
    ew_html_printf(h, "<title>ewdiag report: %zu input%s, %zu finding%s</title>\n", ni,
                   ew_plural(ni, "", "s"), nf, ew_plural(nf, "", "s"));
    ew_html_put(h, "<style>");
    ew_html_pieces(h, ew_html_css);
    ew_html_put(h, "</style>\n</head>\n");
    return 0;
}

/* The counts by severity, as the text report's first line says them. */
static void ew_html_summary(ew_html *h, const ewdiag_report *r)
{
    size_t counts[SEV_LEVELS] = {0};
    size_t nf = ewdiag_report_finding_count(r), ni = ewdiag_report_input_count(r);
    for (size_t i = 0; i < nf; i++) {
        unsigned s = (unsigned)ewdiag_finding_severity(ewdiag_report_finding(r, i));
        if (s < SEV_LEVELS)
            counts[s]++;
    }
    int max = ewdiag_report_max_severity(r);
    ew_html_printf(h,
                   "<header class=\"top sev-%s\">\n<h1>ewdiag report</h1>\n<p class=\"summary\">",
                   max < 0 ? "none" : ewdiag_severity_name((ewdiag_severity)max));
    ew_html_printf(h, "%zu input%s, <strong>%zu finding%s</strong>", ni, ew_plural(ni, "", "s"), nf,
                   ew_plural(nf, "", "s"));
    const char *sep = " (";
    for (int s = EWDIAG_SEV_CRITICAL; s >= 0; s--) {
        if (!counts[s])
            continue;
        ew_html_printf(h, "%s<span class=\"sev sev-%s\">%zu %s</span>", sep,
                       ewdiag_severity_name((ewdiag_severity)s), counts[s],
                       ewdiag_severity_name((ewdiag_severity)s));
        sep = ", ";
    }
    ew_html_put(h, *sep == ',' ? ")" : "");
    size_t nw = ewdiag_report_warning_count(r);
    if (nw)
        ew_html_printf(h, ", <a href=\"#warnings\">%zu warning%s</a>", nw, ew_plural(nw, "", "s"));
    ew_html_printf(h, ".</p>\n<p class=\"generator\">ewdiag %s; times are UTC.</p>\n</header>\n",
                   ewdiag_version());
}

static void ew_html_nav(ew_html *h, const ewdiag_report *r)
{
    ew_html_put(h, "<nav><ul>");
    if (ewdiag_report_finding_count(r))
        ew_html_put(h, "<li><a href=\"#timeline\">Timeline</a></li>");
    ew_html_put(h, "<li><a href=\"#findings\">Findings</a></li>"
                   "<li><a href=\"#inputs\">Inputs</a></li>"
                   "<li><a href=\"#origins\">Origins</a></li>"
                   "<li><a href=\"#tls-servers\">TLS servers</a></li>");
    if (ewdiag_report_warning_count(r))
        ew_html_put(h, "<li><a href=\"#warnings\">Warnings</a></li>");
    ew_html_put(h, "</ul></nav>\n");
}

/* ---- inputs -------------------------------------------------------- */

/* The nodes of an input: name, software, VerifyOriginServer. */
static void ew_html_nodes(ew_html *h, const ewdiag_input *in)
{
    size_t n = ew_html_count(h, ewdiag_input_node_count(in), " found");
    for (size_t i = 0; i < n; i++) {
        const char *v = ewdiag_input_node_version(in, i);
        const char *vo = ewdiag_input_node_verify_origin(in, i);
        ew_html_put(h, i ? "<br><strong>" : "<strong>");
        ew_html_text(h, ewdiag_input_node(in, i));
        ew_html_put(h, "</strong>, software ");
        ew_html_text(h, *v ? v : "unknown");
        ew_html_put(h, ", VerifyOriginServer ");
        ew_html_text(h, *vo ? vo : "unknown");
    }
}

static void ew_html_entries(ew_html *h, const ewdiag_input *in)
{
    size_t n = ewdiag_input_entry_count(in), scanned = 0, skipped = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        const char *st = ewdiag_entry_status(ewdiag_input_entry(in, i));
        scanned += strcmp(st, "scanned") == 0;
        skipped += strcmp(st, "skipped") == 0;
        failed += strcmp(st, "failed") == 0;
    }
    ew_html_printf(h,
                   "<details class=\"entries\"%s><summary>%zu entr%s: %zu scanned, %zu skipped, "
                   "%zu failed; %" PRIu64 " bytes read</summary>\n",
                   failed ? " open" : "", n, ew_plural(n, "y", "ies"), scanned, skipped, failed,
                   ewdiag_input_bytes(in));
    if (!n) {
        ew_html_put(h, "</details>\n");
        return;
    }
    ew_html_put(h, "<table class=\"sortable\"><thead><tr><th>Entry</th><th>Role</th>"
                   "<th class=\"num\">Size</th><th>Status</th><th class=\"num\">Lines</th>"
                   "<th>Reason</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const ewdiag_entry *e = ewdiag_input_entry(in, i);
        ew_html_printf(h, "<tr class=\"st-%s\"><td class=\"path\">", ewdiag_entry_status(e));
        ew_html_text(h, ewdiag_entry_path(e));
        ew_html_printf(h,
                       "</td><td>%s</td><td class=\"num\">%" PRIu64 "</td><td>%s</td>"
                       "<td class=\"num\">%" PRIu64 "</td><td>",
                       ewdiag_entry_role(e), ewdiag_entry_size(e), ewdiag_entry_status(e),
                       ewdiag_entry_lines(e));
        ew_html_text(h, ewdiag_entry_reason(e));
        ew_html_put(h, "</td></tr>\n");
    }
    ew_html_put(h, "</tbody></table>\n</details>\n");
}

static void ew_html_stores(ew_html *h, const ewdiag_input *in)
{
    size_t n = ew_html_count(h, ewdiag_input_trust_store_count(in), "");
    for (size_t i = 0; i < n; i++) {
        size_t certs = ewdiag_input_trust_store_certificates(in, i);
        ew_html_put(h, i ? "<br><code>" : "<code>");
        ew_html_text(h, ewdiag_input_trust_store_path(in, i));
        ew_html_put(h, "</code> (node ");
        ew_html_text(h, ewdiag_input_trust_store_node(in, i));
        ew_html_printf(h, "): %zu CA certificate%s", certs, ew_plural(certs, "", "s"));
    }
}

static void ew_html_inputs(ew_html *h, const ewdiag_report *r)
{
    ew_html_put(h, "<section id=\"inputs\">\n<h2>Inputs</h2>\n<div class=\"scroll\">"
                   "<table class=\"inputs\"><thead><tr><th>Input</th><th>Status</th>"
                   "<th>Nodes</th><th>Entries</th><th class=\"num\">Captures read</th>"
                   "<th>Trust stores</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++) {
        const ewdiag_input *in = ewdiag_report_input(r, i);
        const char *st = ewdiag_input_status_name(ewdiag_input_status_get(in));
        ew_html_printf(h, "<tr class=\"input st-%s\" id=\"input-%zu\"><td class=\"path\">", st,
                       i + 1);
        ew_html_text(h, ewdiag_input_name(in));
        ew_html_printf(h, "</td><td><span class=\"badge st-%s\">%s</span>", st, st);
        ew_html_opt(h, "<br><span class=\"error\">", ewdiag_input_error(in), "</span>");
        ew_html_put(h, "</td><td>");
        ew_html_nodes(h, in);
        ew_html_put(h, "</td><td>");
        ew_html_entries(h, in);
        ew_html_printf(h, "</td><td class=\"num\">%zu</td><td>", ewdiag_input_capture_count(in));
        ew_html_stores(h, in);
        ew_html_put(h, "</td></tr>\n");
    }
    ew_html_put(h, "</tbody></table></div>\n</section>\n");
}

/* ---- warnings and data --------------------------------------------- */

static void ew_html_warnings(ew_html *h, const ewdiag_report *r)
{
    size_t n = ewdiag_report_warning_count(r);
    if (!n)
        return;
    ew_html_put(h, "<section id=\"warnings\">\n<h2>Warnings</h2>\n<p>What the analysis could not "
                   "do fully.</p>\n<table class=\"sortable\"><thead><tr><th>Input</th>"
                   "<th>Entry</th><th>Code</th><th>Message</th><th class=\"num\">Times</th>"
                   "</tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const ewdiag_warning *w = ewdiag_report_warning(r, i);
        ew_html_put(h, "<tr><td>");
        ew_html_text(h, ewdiag_warning_input(w));
        ew_html_put(h, "</td><td class=\"path\">");
        ew_html_text(h, ewdiag_warning_entry(w));
        ew_html_printf(h, "</td><td><code>%s</code></td><td>", ewdiag_warning_code(w));
        ew_html_text(h, ewdiag_warning_message(w));
        ew_html_printf(h, "</td><td class=\"num\">%" PRIu64 "</td></tr>\n",
                       ewdiag_warning_count(w));
    }
    ew_html_put(h, "</tbody></table>\n</section>\n");
}

/* The JSON report for the script (its download button): '<', '>' and '&'
 * only occur inside JSON strings, where \u escapes mean the same, and
 * then nothing in it can end the script element. */
static void ew_html_data(ew_html *h, const char *json, size_t len)
{
    ew_html_put(h, "<script type=\"application/json\" id=\"ewdiag-report\">");
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc = json[i] == '<'   ? "\\u003c"
                          : json[i] == '>' ? "\\u003e"
                          : json[i] == '&' ? "\\u0026"
                                           : NULL;
        if (!esc)
            continue;
        ew_html_write(h, json + from, i - from);
        ew_html_put(h, esc);
        from = i + 1;
    }
    ew_html_write(h, json + from, len - from);
    ew_html_put(h, "</script>\n");
}

int ew_report_write_html(const ewdiag_report *r, FILE *f, unsigned flags)
{
    (void)flags;
    ew_html h = {f, 0};
    size_t jlen = 0;
    ew_html_rows rows;
    char *json = ew_report_json_string(r, &jlen);
    if (!json)
        return EWDIAG_ENOMEM;
    if (ew_html_rows_make(r, &rows) != 0) {
        free(json);
        return EWDIAG_ENOMEM;
    }
    int rc = ew_html_head(&h, r);
    if (rc == 0) {
        ew_html_put(&h, "<body>\n");
        ew_html_summary(&h, r);
        ew_html_nav(&h, r);
        ew_html_put(&h, "<main>\n");
        rc = ew_html_timeline(&h, r, &rows);
    }
    if (rc == 0) {
        ew_html_findings(&h, r, &rows);
        ew_html_inputs(&h, r);
        ew_html_origins(&h, r);
        ew_html_tls_servers(&h, r);
        ew_html_warnings(&h, r);
        ew_html_printf(&h, "</main>\n<footer>Written by ewdiag %s.</footer>\n", ewdiag_version());
        ew_html_data(&h, json, jlen);
        ew_html_put(&h, "<script>");
        ew_html_pieces(&h, ew_html_js);
        ew_html_put(&h, "</script>\n</body>\n</html>\n");
    }
    ew_html_rows_free(&rows);
    free(json);
    if (rc == 0 && h.err)
        rc = EWDIAG_EIO;
    return rc;
}
