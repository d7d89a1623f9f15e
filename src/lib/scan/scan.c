/* scan.c - which scanner reads an entry, and the entry's accounting. */
#include "scan/scan.h"

#include <stdio.h>
#include <stdlib.h>

#include "analysis/correlate.h"

/* Longest "input: entry" put before a capture warning's text. */
#define EW_PATH_SHOWN_MAX 8192

static const char *ew_skip_reason(ew_role role)
{
    switch (role) {
    case EW_ROLE_SERVER_CERT: return "Expressway-C's own certificate: not needed for this analysis";
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
    case EW_ROLE_TRUSTED_CA:
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
    if (s->role == EW_ROLE_TRUSTED_CA) {
        if (s->too_big || s->pem.len + n > EW_MAX_TRUST_FILE) {
            s->too_big = true;
            return 0;
        }
        return ew_buf_append(&s->pem, buf, n) == 0 ? 0 : EWDIAG_ENOMEM;
    }
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
                             "%s: %s: lines skipped: a rule's pattern backtracked on them until it "
                             "hit PCRE2's limits (match-limit %u, depth-limit %u)",
                             in, path, run->a->opt.match_limit, run->a->opt.depth_limit);
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

/* The node's trust store, as Expressway-C had it when logging started. */
static int ew_load_trust(ew_scan *s, char *why, size_t cap)
{
    ewdiag_input *in = s->run->input;
    if (s->too_big) {
        snprintf(why, cap, "larger than %u bytes: not a trust store ewdiag reads", EW_MAX_TRUST_FILE);
        return 1;
    }
    ew_trust *t = NULL;
    size_t n = 0;
    ew_err err = {0, ""};
    if (ew_trust_load_pem(&t, s->pem.p ? s->pem.p : "", s->pem.len, &n, &err) != 0) {
        snprintf(why, cap, "%s", err.msg);
        return 1;
    }
    if (ew_grow(&in->trust_files, &in->ctrust_files, in->ntrust_files + 1,
                sizeof *in->trust_files) != 0) {
        ew_trust_free(t);
        return EWDIAG_ENOMEM;
    }
    ew_trust_file *tf = &in->trust_files[in->ntrust_files];
    tf->node = ew_strndup(s->default_node.p, s->default_node.n);
    tf->path = ew_strdup(s->meta->path);
    tf->ncerts = n;
    tf->trust = t;
    in->ntrust_files++;
    return tf->node && tf->path ? 0 : EWDIAG_ENOMEM;
}

int ew_scan_end(ew_scan *s, const char *read_error)
{
    ew_run *run = s->run;
    int rc = 0;
    char why[320]; /* outlives the block: read_error may point here */
    if (s->role == EW_ROLE_TRUSTED_CA) {
        rc = read_error ? 0 : ew_load_trust(s, why, sizeof why);
        ew_buf_free(&s->pem);
        if (rc < 0)
            return rc;
        if (rc > 0)
            read_error = why;
    } else if (!s->err) {
        rc = ew_lines_finish(&run->a->lines, ew_line_fn_of(s->role), s);
    }
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

/* What the capture reader counted since the counters were last told, as
 * warnings on entry (NULL: the input): each with the first problem of its
 * kind, which names the record or the connection. */
static int ew_capture_warnings(ew_run *run, const char *entry)
{
    const ew_capture_stats *st = ew_capture_stats_get(run->capture);
    ew_capture_stats *told = &run->inventory.told;
    const char *in = run->input->name;
    char where[EW_PATH_SHOWN_MAX];
    if (entry)
        snprintf(where, sizeof where, "%s: %s", in, entry);
    else
        snprintf(where, sizeof where, "%s", in);
    int rc = 0;
    if (st->malformed > told->malformed)
        rc |= ew_report_warn(run->report, in, entry, "capture-malformed",
                             st->malformed - told->malformed, "%s: %s; such records were skipped",
                             where, *st->why_malformed ? st->why_malformed
                                                      : "a record too short or inconsistent for its headers");
    if (st->gaps > told->gaps)
        rc |= ew_report_warn(run->report, in, entry, "capture-gap", st->gaps - told->gaps, "%s: %s",
                             where, *st->why_gap ? st->why_gap
                                                 : "a TCP stream with missing packets: its TLS parsing stopped there");
    if (st->tls_errors > told->tls_errors)
        rc |= ew_report_warn(run->report, in, entry, "tls-malformed",
                             st->tls_errors - told->tls_errors, "%s: %s", where,
                             *st->why_tls ? st->why_tls
                                          : "a TLS stream whose framing made no sense: its parsing stopped there");
    if (st->tls_cut > told->tls_cut)
        rc |= ew_report_warn(run->report, in, entry, "tls-cut", st->tls_cut - told->tls_cut,
                             "%s: %s", where,
                             *st->why_cut ? st->why_cut : "a TLS stream ended inside a record");
    if (st->flows_evicted > told->flows_evicted)
        rc |= ew_report_warn(run->report, in, entry, "limit-flows",
                             st->flows_evicted - told->flows_evicted,
                             "%s: connections dropped because more than %zu were open at once "
                             "(limit max-flows)",
                             where, run->a->opt.capture.max_flows);
    *told = *st;
    return rc ? EWDIAG_ENOMEM : 0;
}

int ew_scan_capture(ew_run *run, const ew_entry_meta *meta, ewdiag_entry *entry, FILE *f,
                    const char *const *transport_error)
{
    ewdiag_analyzer *a = run->a;
    const char *in = run->input->name;
    if (!run->capture) {
        ew_inventory_init(&run->inventory, run->input, a->opt.max_handshakes);
        run->inventory.report = run->report;
        run->capture = ew_capture_new(&a->opt.capture, ew_inventory_add, &run->inventory);
        if (!run->capture)
            return EWDIAG_ENOMEM;
    }
    /* The entry's own path: it lives as long as the input. */
    run->inventory.entry = entry->path;
    uint64_t records0 = ew_capture_stats_get(run->capture)->records;
    ew_err err;
    int rc = ew_capture_feed(run->capture, f, &err);
    if (run->inventory.err)
        return run->inventory.err;
    uint64_t records = ew_capture_stats_get(run->capture)->records - records0;
    /* A file that is no capture at all is not one of the input's captures. */
    if (rc == 0 || records > 0)
        run->input->captures++;
    if (ew_capture_warnings(run, entry->path) != 0)
        return EWDIAG_ENOMEM;
    const char *why = *transport_error ? *transport_error : rc != 0 ? err.msg : NULL;
    if (!why)
        return ew_entry_set(entry, "scanned", NULL) == 0 ? 0 : EWDIAG_ENOMEM;
    run->failed_part = true;
    char before[96] = "";
    if (records)
        snprintf(before, sizeof before, "; the %llu record%s before it were read",
                 (unsigned long long)records, records == 1 ? "" : "s");
    if (ew_entry_set(entry, "failed", why) != 0 ||
        ew_report_warn(run->report, in, meta->path, "capture-error", 1, "%s: %s: %s%s", in,
                       meta->path, why, before) != 0)
        return EWDIAG_ENOMEM;
    return 0;
}

int ew_scan_conclude(ew_run *run)
{
    if (run->capture) {
        if (ew_capture_finish(run->capture) != 0 && run->inventory.err)
            return run->inventory.err;
        /* What the end of the capture showed belongs to its last file. */
        if (run->inventory.err || ew_capture_warnings(run, run->inventory.entry) != 0)
            return EWDIAG_ENOMEM;
        if (run->inventory.forgotten &&
            ew_report_warn(run->report, run->input->name, NULL, "limit-handshakes",
                           run->inventory.forgotten,
                           "%s: handshakes beyond %zu counted but not joined to findings "
                           "(limit max-handshakes)",
                           run->input->name, run->a->opt.max_handshakes) != 0)
            return EWDIAG_ENOMEM;
    } else {
        ew_inventory_init(&run->inventory, run->input, 0);
    }
    return ew_correlate(&run->findings, &run->inventory, run->a->opt.capture_window_us);
}
