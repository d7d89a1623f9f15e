/* scanner.c - the scan stage's working memory, the scan of one input, and
 * the accounting every line-read kind shares. */
#include "scan/scan_int.h"

#include <stdio.h>
#include <stdlib.h>

void ew_scanner_free(ew_scanner *sc)
{
    if (!sc)
        return;
    ew_matcher_free(&sc->matcher);
    ew_prefilter_free(&sc->prefilter);
    ew_lines_free(&sc->lines);
    EW_FREE_ALL(sc->hits, sc->at, sc->txns, sc);
}

ew_scanner *ew_scanner_new(const ew_ruleset *rs, const ew_scan_limits *lim)
{
    ew_scanner *sc = ew_calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->rules = rs;
    sc->lim = *lim;
    ew_lines_init(&sc->lines, lim->max_line);
    /* No rule matches an empty line: they are counted, never looked at. */
    sc->lines.skip_blank = true;
    if (ew_prefilter_build(&sc->prefilter, rs) != 0 ||
        !(sc->hits = ew_calloc(sc->prefilter.nwords, sizeof *sc->hits)) ||
        !(sc->at = ew_calloc(rs->n ? rs->n : 1, sizeof *sc->at)) ||
        !(sc->txns = ew_calloc(1, sizeof *sc->txns)) ||
        ew_matcher_init(&sc->matcher, rs->max_groups, lim->match_limit, lim->depth_limit) != 0) {
        ew_scanner_free(sc);
        return NULL;
    }
    /* Zeroed, every slot is free (gen 0) once the table's gen is 1: its
     * ~2 MB are left to the pages calloc maps, touched only as logs use
     * them, not written at every start (a capture alone uses none). */
    ew_txns_reset(sc->txns);
    return sc;
}

void ew_trusts_free(ew_trusts *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].node);
        free(t->v[i].path);
        ew_trust_free(t->v[i].trust);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void ew_scan_result_free(ew_scan_result *r)
{
    ew_nodes_free(&r->nodes);
    ew_trusts_free(&r->trusts);
    r->captures = 0;
}

ew_scan *ew_scan_new(ew_scanner *sc, const char *input, const ew_sink *sink, ew_warnings *warn)
{
    ew_scan *s = ew_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->sc = sc;
    s->input = input;
    s->sink = *sink;
    s->warn = warn;
    s->res.nodes.max = sc->lim.max_nodes;
    return s;
}

void ew_scan_take(ew_scan *s, ew_scan_result *out)
{
    *out = s->res;
    memset(&s->res, 0, sizeof s->res);
    s->res.nodes.max = s->sc->lim.max_nodes;
}

void ew_scan_free(ew_scan *s)
{
    if (!s)
        return;
    ew_scan_result_free(&s->res);
    ew_capture_free(s->capture);
    ew_buf_free(&s->cur.pem);
    free(s);
}

/* The node a file speaks for: its name's host, else the input's first
 * known node, else the input's name. */
static void ew_default_node(ew_scan *s)
{
    ew_entry_scan *c = &s->cur;
    ew_span host;
    if (ew_host_from_name(c->meta->path, &host))
        ew_copy_span(c->node_buf, sizeof c->node_buf, host);
    else if (s->res.nodes.n)
        snprintf(c->node_buf, sizeof c->node_buf, "%s", s->res.nodes.v[0].name);
    else
        snprintf(c->node_buf, sizeof c->node_buf, "%s", ew_basename(s->input));
    c->default_node = ew_span_make(c->node_buf, strlen(c->node_buf));
}

int ew_scan_begin_lines(ew_scan *s, const ew_entry_meta *m)
{
    ew_entry_scan *c = &s->cur;
    ew_buf pem = c->pem; /* its room is reused */
    ew_buf_clear(&pem);
    memset(c, 0, sizeof *c);
    c->pem = pem;
    c->meta = m;
    c->role = m->role;
    c->limit_hits0 = s->sc->matcher.limit_hits;
    c->nodes_dropped0 = s->res.nodes.dropped;
    ew_default_node(s);
    ew_lines_reset(&s->sc->lines);
    /* The node of a bundle file is known even if its lines never say. */
    ew_span host;
    ew_node *node;
    if (ew_host_from_name(m->path, &host) &&
        ew_nodes_get(&s->res.nodes, host.p, host.n, &node) != 0)
        return EWDIAG_ENOMEM;
    return 0;
}

/* Warnings of what an entry's lines made the scan assume or skip. */
static int ew_account(ew_scan *s)
{
    const char *in = s->input, *path = s->cur.meta->path;
    const ew_entry_scan *c = &s->cur;
    const ew_scanner *sc = s->sc;
    int rc = 0;
    if (sc->lines.cut)
        rc |=
            ew_warn(s->warn, EW_W_LINE_TOO_LONG, path, sc->lines.cut,
                    "%s: %s: lines longer than %zu bytes were cut and matched on their first part",
                    in, path, sc->lines.max_line);
    uint64_t hits = sc->matcher.limit_hits - c->limit_hits0;
    if (hits)
        rc |= ew_warn(s->warn, EW_W_MATCH_LIMIT, path, hits,
                      "%s: %s: lines skipped: a rule's pattern backtracked on them until it "
                      "hit PCRE2's limits (match-limit %u, depth-limit %u)",
                      in, path, sc->lim.match_limit, sc->lim.depth_limit);
    uint64_t unlisted = s->res.nodes.dropped - c->nodes_dropped0;
    if (unlisted)
        rc |= ew_warn(s->warn, EW_W_LIMIT_NODES, path, unlisted,
                      "%s: %s: lines naming nodes beyond the first %zu: those nodes are not "
                      "listed (limit max-nodes); their findings are kept",
                      in, path, s->res.nodes.max);
    if (c->zoneless)
        rc |= ew_warn(s->warn, EW_W_TIME_ASSUMED, path, c->zoneless,
                      "%s: %s: traffic server log times carry no time zone: read as UTC "
                      "(a [Mon DD ...] time has no year either: the file's date gives it)",
                      in, path);
    if (c->yearless)
        rc |= ew_warn(s->warn, EW_W_YEAR_ASSUMED, path, c->yearless,
                      "%s: %s: the log's times have no year and the file no date: "
                      "the current year was assumed",
                      in, path);
    if (c->bad_time)
        rc |= ew_warn(s->warn, EW_W_BAD_TIMESTAMP, path, c->bad_time,
                      "%s: %s: matching lines whose time could not be read", in, path);
    return rc ? EWDIAG_ENOMEM : 0;
}

int ew_scan_entry_failed(ew_scan *s, ew_entry *e, const char *why)
{
    const char *path = s->cur.meta->path;
    if (ew_entry_set(e, EW_ENTRY_FAILED, why) != 0 ||
        ew_warn(s->warn, EW_W_READ_ERROR, path, 1, "%s: %s: %s%s", s->input, path, why,
                s->cur.lines ? " (the lines before it were analyzed)" : "") != 0)
        return EWDIAG_ENOMEM;
    return 0;
}

int ew_scan_feed_lines(ew_scan *s, ew_line_fn fn, const char *buf, size_t n)
{
    int rc = ew_lines_feed(&s->sc->lines, buf, n, fn, s);
    return rc < 0 ? rc : 0;
}

int ew_scan_end_lines(ew_scan *s, ew_line_fn fn, ew_entry *e, const char *read_error)
{
    ew_entry_scan *c = &s->cur;
    int rc = c->err ? c->err : fn ? ew_lines_finish(&s->sc->lines, fn, s) : 0;
    if (rc == 0)
        rc = c->err;
    if (rc != 0)
        return rc;
    e->lines = c->lines + s->sc->lines.blank;
    if (ew_account(s) != 0)
        return EWDIAG_ENOMEM;
    if (read_error)
        return ew_scan_entry_failed(s, e, read_error);
    return ew_entry_set(e, EW_ENTRY_SCANNED, NULL);
}
