/* html_origins.c - the traffic server's origin servers in the HTML report:
 * per input, per node, one table row each (name, address and port, what
 * named it, how X14.2's check applied offline came out). Public getters
 * only; every text from the input is escaped. */
#include <inttypes.h>
#include <string.h>

#include "report/html.h"

/* What the node does with a failed check, for the table's caption. */
static const char *ew_html_enforcement(const char *e)
{
    if (strcmp(e, "enforced") == 0)
        return "enforces the check (X14.2 or later, verification on)";
    if (strcmp(e, "before-x14.2") == 0)
        return "software before X14.2: does not check yet";
    if (strcmp(e, "verify-off") == 0)
        return "VerifyOriginServer Off: does not check";
    if (strcmp(e, "continue-only") == 0)
        return "only logs what fails (Action=Continue)";
    return "enforcement unknown";
}

/* "address:port", "[v6]:port", or why there is none. */
static void ew_html_origin_address(ew_html *h, const ewdiag_origin *o)
{
    const char *a = ewdiag_origin_address(o);
    unsigned port = ewdiag_origin_port(o);
    if (!*a && !port) {
        ew_html_put(h, "<span class=\"none\">unknown</span>");
        return;
    }
    bool v6 = strchr(a, ':') != NULL;
    ew_html_put(h, v6 ? "<code>[" : "<code>");
    ew_html_text(h, *a ? a : "?");
    ew_html_put(h, v6 ? "]" : "");
    if (port)
        ew_html_printf(h, ":%u", port);
    ew_html_put(h, "</code>");
}

/* Where the name came from: the MRA target of its requests, xconf. */
static void ew_html_origin_source(ew_html *h, const ewdiag_origin *o)
{
    const char *sep = "";
    if (ewdiag_origin_from_request(o)) {
        ew_html_put(h, *ewdiag_origin_name(o) ? "request (MRA target)" : "request (no MRA target)");
        sep = ", ";
    }
    if (ewdiag_origin_from_xconf(o)) {
        ew_html_printf(h, "%sxconf", sep);
        if (*ewdiag_origin_type(o)) {
            ew_html_put(h, " (");
            ew_html_text(h, ewdiag_origin_type(o));
            ew_html_put(h, ")");
        }
    }
}

/* The name check, as the traffic server does it (DNS SANs and the CN). */
static void ew_html_origin_name_check(ew_html *h, const char *nc)
{
    if (strcmp(nc, "dns-san") == 0)
        ew_html_put(h, ", <span class=\"good\">name in a DNS SAN</span>");
    else if (strcmp(nc, "cn") == 0)
        ew_html_put(h, ", <span class=\"good\">name is the CN</span>");
    else if (strcmp(nc, "ip-san-only") == 0)
        ew_html_put(h, ", <span class=\"bad\">name not in the certificate (an IP SAN only)</span>");
    else if (strcmp(nc, "absent") == 0)
        ew_html_put(h, ", <span class=\"bad\">name not in the certificate</span>");
}

/* A checked origin: trust, name, expiry. */
static void ew_html_origin_checked(ew_html *h, const ewdiag_origin *o)
{
    const char *trust = ewdiag_origin_trust(o), *exp = ewdiag_origin_expiry(o);
    ew_html_put(h, "checked (handshake of ");
    ew_html_time(h, ewdiag_origin_checked_at(o));
    ew_html_put(h, "): ");
    if (strcmp(trust, "trusted") == 0) {
        ew_html_put(h, "<span class=\"good\">trusted</span>");
    } else if (strcmp(trust, "untrusted") == 0) {
        ew_html_put(h, "<span class=\"bad\">untrusted");
        if (*ewdiag_origin_trust_error(o)) {
            ew_html_put(h, " (");
            ew_html_text(h, ewdiag_origin_trust_error(o));
            ew_html_put(h, ")");
        }
        ew_html_put(h, "</span>");
    } else {
        ew_html_put(h, "trust not checked (no trust store)");
    }
    ew_html_origin_name_check(h, ewdiag_origin_name_check(o));
    if (strcmp(exp, "none") == 0)
        ew_html_put(h, ", valid until ");
    else if (*exp)
        ew_html_printf(h, ", <span class=\"bad\">%s</span> ",
                       strcmp(exp, "expired") == 0 ? "expired" : "expiring");
    if (*exp)
        ew_html_time(h, ewdiag_origin_not_after(o));
}

static void ew_html_origin_outcome(ew_html *h, const ewdiag_origin *o)
{
    const char *st = ewdiag_origin_state(o);
    if (strcmp(st, "checked") == 0)
        ew_html_origin_checked(h, o);
    else if (strcmp(st, "no-capture") == 0)
        ew_html_put(h, "not checked: no capture in this input");
    else if (strcmp(st, "no-handshake") == 0)
        ew_html_put(h, "not checked: no capture of it");
    else
        ew_html_put(h, "not checked: no handshake showed its certificate (TLS 1.3 or resumed)");
}

static void ew_html_origin_row(ew_html *h, const ewdiag_origin *o)
{
    const char *name = ewdiag_origin_name(o);
    ew_html_printf(h, "<tr class=\"origin st-%s\" data-name=\"", ewdiag_origin_state(o));
    ew_html_text(h, name);
    ew_html_put(h, "\" data-address=\"");
    ew_html_text(h, ewdiag_origin_address(o));
    ew_html_printf(h, "\" data-port=\"%u\" data-state=\"%s\"><td>", ewdiag_origin_port(o),
                   ewdiag_origin_state(o));
    if (*name)
        ew_html_text(h, name);
    else
        ew_html_put(h, "<span class=\"none\">unknown</span>");
    ew_html_put(h, "</td><td>");
    ew_html_origin_address(h, o);
    ew_html_put(h, "</td><td>");
    ew_html_origin_source(h, o);
    ew_html_printf(h, "</td><td class=\"num\">%" PRIu64 "</td><td class=\"outcome\">",
                   ewdiag_origin_requests(o));
    ew_html_origin_outcome(h, o);
    ew_html_put(h, "</td></tr>\n");
}

/* The origins of one node of an input: those from i on, up to the next
 * node; returns where they end. */
static size_t ew_html_origin_table(ew_html *h, const ewdiag_input *in, size_t i)
{
    const ewdiag_origin *first = ewdiag_input_origin(in, i);
    const char *node = ewdiag_origin_node(first);
    ew_html_put(h, "<div class=\"scroll\"><table class=\"sortable origins\" data-node=\"");
    ew_html_text(h, node);
    ew_html_put(h, "\"><caption>Node <strong>");
    ew_html_text(h, node);
    ew_html_printf(h, "</strong>: %s</caption>\n<thead><tr><th>Server name</th>"
                      "<th>Address:port</th><th>Name from</th><th class=\"num\">Requests</th>"
                      "<th>Certificate check</th></tr></thead><tbody>\n",
                   ew_html_enforcement(ewdiag_origin_enforcement(first)));
    size_t n = ewdiag_input_origin_count(in);
    for (; i < n; i++) {
        const ewdiag_origin *o = ewdiag_input_origin(in, i);
        if (strcmp(ewdiag_origin_node(o), node) != 0)
            break;
        ew_html_origin_row(h, o);
    }
    ew_html_put(h, "</tbody></table></div>\n");
    return i;
}

void ew_html_origins(ew_html *h, const ewdiag_report *r)
{
    size_t total = 0, ni = ewdiag_report_input_count(r);
    for (size_t i = 0; i < ni; i++)
        total += ewdiag_input_origin_count(ewdiag_report_input(r, i));
    ew_html_put(h, "<section id=\"origins\">\n<h2>Origins</h2>\n");
    if (!total) {
        ew_html_put(h, "<p>No origin server: no traffic server request, and no server "
                       "named by xconf.</p>\n</section>\n");
        return;
    }
    ew_html_put(h, "<p>The traffic server's origin servers, per node: where its requests "
                   "went, and the servers xconf names; each checked offline as X14.2 checks "
                   "it, on the chain of its last full handshake in the capture.</p>\n");
    for (size_t i = 0; i < ni; i++) {
        const ewdiag_input *in = ewdiag_report_input(r, i);
        size_t n = ewdiag_input_origin_count(in);
        if (!n)
            continue;
        ew_html_printf(h, "<h3 class=\"path\" id=\"origins-%zu\">", i + 1);
        ew_html_text(h, ewdiag_input_name(in));
        ew_html_put(h, "</h3>\n");
        for (size_t j = 0; j < n;)
            j = ew_html_origin_table(h, in, j);
    }
    ew_html_put(h, "</section>\n");
}
