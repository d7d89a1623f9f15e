/* scan.c - which scanner reads an entry, and the entry's accounting. */
#include "scan.h"

#include <stdio.h>

static const char *ew_skip_reason(ew_role role)
{
    switch (role) {
    case EW_ROLE_CAPTURE: return "packet captures are not read by this version";
    case EW_ROLE_TRUSTED_CA:
    case EW_ROLE_SERVER_CERT: return "certificates are not read by this version";
    default: return "not a file ewdiag reads";
    }
}

/* The node a file speaks for: its name's host, else the input's first
 * known node, else the input's name. */
static void ew_default_node(ew_scan *s)
{
    ew_span host;
    if (ew_host_from_name(s->meta->path, &host)) {
        ew_copy_span(s->node_buf, sizeof s->node_buf, host);
    } else if (s->run->input->nnodes) {
        snprintf(s->node_buf, sizeof s->node_buf, "%s", s->run->input->nodes[0].name);
    } else {
        snprintf(s->node_buf, sizeof s->node_buf, "%s", ew_basename(s->run->input->name));
    }
    s->default_node = ew_span_make(s->node_buf, strlen(s->node_buf));
}

int ew_scan_begin(ew_scan *s, ew_run *run, const ew_entry_meta *meta, ewdiag_entry *entry)
{
    memset(s, 0, sizeof *s);
    s->run = run;
    s->meta = meta;
    s->entry = entry;
    s->role = meta->role;
    s->limit_hits0 = run->a->matcher.limit_hits;
    switch (meta->role) {
    case EW_ROLE_LOG:
    case EW_ROLE_ATS_LOG:
        ew_txns_reset(run->a->txns);
        break;
    case EW_ROLE_XCONF:
    case EW_ROLE_XSTAT:
        break;
    default:
        return ew_entry_set(entry, "skipped", ew_skip_reason(meta->role)) == 0 ? 0
                                                                              : EWDIAG_ENOMEM;
    }
    ew_default_node(s);
    ew_lines_reset(&run->a->lines);
    /* The node of a bundle file is known even if its lines never say. */
    ew_span host;
    if (ew_host_from_name(meta->path, &host) && !ew_input_node(run->input, host.p, host.n))
        return EWDIAG_ENOMEM;
    return 1;
}

static ew_line_fn ew_line_fn_of(ew_role role)
{
    return role == EW_ROLE_XCONF || role == EW_ROLE_XSTAT ? ew_dumpscan_line : ew_logscan_line;
}

int ew_scan_feed(ew_scan *s, const char *buf, size_t n)
{
    int rc = ew_lines_feed(&s->run->a->lines, buf, n, ew_line_fn_of(s->role), s);
    return rc < 0 ? rc : 0;
}

static int ew_account(ew_scan *s)
{
    ew_run *run = s->run;
    const char *in = run->input->name, *path = s->meta->path;
    ew_lines *l = &run->a->lines;
    int rc = 0;
    if (l->cut)
        rc |= ew_report_warn(run->report, in, path, "line-too-long", l->cut,
                             "%s: %s: lines longer than %zu bytes were cut and matched on their first part",
                             in, path, l->max_line);
    uint64_t hits = run->a->matcher.limit_hits - s->limit_hits0;
    if (hits)
        rc |= ew_report_warn(run->report, in, path, "match-limit", hits,
                             "%s: %s: lines skipped because a rule's pattern hit the match limit",
                             in, path);
    if (s->zoneless)
        rc |= ew_report_warn(run->report, in, path, "time-assumed", s->zoneless,
                             "%s: %s: traffic server log times carry no time zone: read as UTC "
                             "(a [Mon DD ...] time has no year either: the file's date gives it)",
                             in, path);
    if (s->yearless)
        rc |= ew_report_warn(run->report, in, path, "year-assumed", s->yearless,
                             "%s: %s: the log's times have no year and the file no date: "
                             "the current year was assumed",
                             in, path);
    if (s->bad_time)
        rc |= ew_report_warn(run->report, in, path, "bad-timestamp", s->bad_time,
                             "%s: %s: matching lines whose time could not be read", in, path);
    return rc ? EWDIAG_ENOMEM : 0;
}

int ew_scan_end(ew_scan *s, const char *read_error)
{
    ew_run *run = s->run;
    int rc = 0;
    if (!s->err)
        rc = ew_lines_finish(&run->a->lines, ew_line_fn_of(s->role), s);
    if (s->err || rc < 0)
        return s->err ? s->err : rc;
    s->entry->lines = s->lines;
    if (ew_account(s) != 0)
        return EWDIAG_ENOMEM;
    if (read_error) {
        run->failed_part = true;
        if (ew_entry_set(s->entry, "failed", read_error) != 0 ||
            ew_report_warn(run->report, run->input->name, s->meta->path, "read-error", 1,
                           "%s: %s: %s%s", run->input->name, s->meta->path, read_error,
                           s->lines ? " (the lines before it were analyzed)" : "") != 0)
            return EWDIAG_ENOMEM;
        return 0;
    }
    return ew_entry_set(s->entry, "scanned", NULL) == 0 ? 0 : EWDIAG_ENOMEM;
}
