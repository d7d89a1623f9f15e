/* kind_log.c - the log kinds (Expressway's loggingsnapshot, Apache Traffic
 * Server's diags.log and error.log): lines -> events. The line prefix, the
 * literal prefilter, the rule's pattern; then the event goes to the sink,
 * and the Txn-id lines join requests to their responses. */
#include "scan/scan_int.h"

#include <time.h>

#include "core/timestamp.h"

/* ATS logs name no program: their lines are the traffic server's. */
#define EW_ATS_PROGRAM "traffic_server"
#define EW_PORT_MAX 65535
/* An error response is a status code from this value up. */
#define EW_HTTP_ERROR_MIN 500

/* The prefix of a line: "<ISO time> <host> <program>[<pid>]: ..." or, in
 * ATS logs, "[Mon DD hh:mm:ss.mmm] ...". Only spans; the time is parsed
 * when a rule matches. */
typedef enum ew_prefix_kind {
    EW_PX_NONE,
    EW_PX_SYSLOG,     /* 2022-07-11T18:55:26.016+02:00 host program[pid]: */
    EW_PX_ATS,        /* [Nov 22 06:46:00.827] (diags.log) */
    EW_PX_ATS_COMPACT /* 20261122.06h46m00s (error.log) */
} ew_prefix_kind;

/* "YYYYMMDD." opens an ATS error.log line. */
#define EW_COMPACT_DATE_LEN 8

typedef struct ew_prefix {
    ew_prefix_kind kind;
    ew_span time;
    ew_span host;
    ew_span program; /* empty: unknown, every rule may look at the line */
    ew_span pid;
} ew_prefix;

/* The bytes up to stop (or end), past which *p is moved. For a line's time
 * (some 30 bytes) memchr is cheaper than a loop. */
static ew_span ew_token(const char **p, const char *end, char stop)
{
    const char *s = *p;
    const char *e = memchr(s, stop, (size_t)(end - s));
    *p = e ? e : end;
    return ew_span_make(s, (size_t)(*p - s));
}

/* The same for the few bytes of a host name or a pid: a loop costs less
 * than the call. */
static ew_span ew_short_token(const char **p, const char *end, char stop)
{
    const char *s = *p, *e = s;
    while (e < end && *e != stop)
        e++;
    *p = e;
    return ew_span_make(s, (size_t)(e - s));
}

static bool ew_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The bytes that end a syslog program name ("program[pid]:", "program:"). */
static const bool ew_program_end[256] = {['['] = true, [':'] = true, [' '] = true};

/* The program name at p: a name the memo holds is compared, not looked
 * for byte by byte. */
static ew_span ew_program_at(const char *p, const char *end, const ew_program_memo *memo)
{
    size_t left = (size_t)(end - p);
    for (size_t k = 0; k < EW_PROGRAM_MEMO; k++) {
        size_t i = (memo->last + k) % EW_PROGRAM_MEMO;
        size_t n = memo->e[i].n;
        const char *name = memo->e[i].name;
        if (n && left > n && p[0] == name[0] && ew_program_end[(unsigned char)p[n]] &&
            ew_mem_eq(p, name, n))
            return ew_span_make(p, n);
    }
    const char *s = p;
    while (p < end && !ew_program_end[(unsigned char)*p])
        p++;
    return ew_span_make(s, (size_t)(p - s));
}

static void ew_parse_prefix(const char *line, size_t len, const ew_program_memo *memo,
                            ew_prefix *px)
{
    memset(px, 0, sizeof *px);
    const char *p = line, *end = line + len;
    bool compact = len > EW_COMPACT_DATE_LEN && line[EW_COMPACT_DATE_LEN] == '.';
    for (size_t i = 0; compact && i < EW_COMPACT_DATE_LEN; i++)
        compact = ew_is_digit(line[i]);
    if ((len && line[0] == '[') || compact) {
        px->kind = compact ? EW_PX_ATS_COMPACT : EW_PX_ATS;
        px->time = ew_span_make(line, len);
        px->program = ew_span_make(EW_ATS_PROGRAM, sizeof EW_ATS_PROGRAM - 1);
        return;
    }
    /* Syslog lines start with a year. */
    if (len < 5 || !ew_is_digit(line[0]) || line[4] != '-')
        return;
    px->kind = EW_PX_SYSLOG;
    px->time = ew_token(&p, end, ' ');
    if (p++ >= end)
        return;
    px->host = ew_short_token(&p, end, ' ');
    if (p++ >= end)
        return;
    px->program = ew_program_at(p, end, memo);
    p += px->program.n;
    if (p < end && *p == '[') {
        p++;
        px->pid = ew_short_token(&p, end, ']');
    }
}

/* The prefilter group of the line's program (NULL: no rule reads it),
 * remembered for the lines to come. */
static const ew_wm *ew_line_group(ew_scanner *a, ew_span program)
{
    ew_program_memo *memo = &a->program;
    for (size_t k = 0; program.n && k < EW_PROGRAM_MEMO; k++) {
        size_t i = (memo->last + k) % EW_PROGRAM_MEMO;
        if (ew_span_eq_span(program, ew_span_make(memo->e[i].name, memo->e[i].n))) {
            memo->last = i;
            return memo->e[i].g;
        }
    }
    const ew_wm *g = ew_prefilter_group(&a->prefilter, program.p, program.n);
    if (program.n && program.n <= EW_PROGRAM_MEMO_MAX) {
        size_t i = memo->next++ % EW_PROGRAM_MEMO;
        memcpy(memo->e[i].name, program.p, program.n);
        memo->e[i].n = program.n;
        memo->e[i].g = g;
        memo->last = i;
    }
    return g;
}

static int64_t ew_line_time(ew_entry_scan *s, const ew_prefix *px)
{
    int64_t us = 0;
    size_t used;
    bool ok = false;
    switch (px->kind) {
    case EW_PX_SYSLOG:
        ok = ew_ts_parse_iso_cached(&s->iso_time, px->time.p, px->time.n, &us, &used);
        break;
    case EW_PX_ATS: {
        /* No file date (a pipe): the year is this one's, and said to be. */
        int64_t ref = s->meta->mtime_us;
        if (!ref) {
            ref = (int64_t)time(NULL) * EW_US_PER_SEC;
            s->yearless++;
        }
        ok = ew_ts_parse_ats(px->time.p, px->time.n, ref, &us, &used);
        break;
    }
    case EW_PX_ATS_COMPACT:
        ok = ew_ts_parse_ats_compact(px->time.p, px->time.n, &us, &used);
        break;
    case EW_PX_NONE:
        break;
    }
    if (!ok || us == 0) {
        s->bad_time++;
        return 0;
    }
    s->zoneless += px->kind != EW_PX_SYSLOG;
    return us;
}

static unsigned ew_span_uint(ew_span v, unsigned max)
{
    unsigned long n = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (!ew_is_digit(v.p[i]) || n > max)
            return 0;
        n = n * 10 + (unsigned)(v.p[i] - '0');
    }
    return n <= max ? (unsigned)n : 0;
}

/* A line that matched a rule: its event, whose time is parsed only when
 * something is told of it (most transaction lines only update the table). */
typedef struct ew_line_event {
    ew_event ev;
    const ew_prefix *px;
    bool timed;
} ew_line_event;

static const ew_event *ew_timed(ew_scan *s, ew_line_event *le)
{
    if (!le->timed) {
        le->ev.ts = le->px->time.n ? ew_line_time(&s->cur, le->px) : 0;
        le->timed = true;
    }
    return &le->ev;
}

/* A request went to an origin: where, and under which name. */
static int ew_origin_sent(ew_scan *s, ew_line_event *le, const ew_txn *x)
{
    if (!s->sink.origin_request || !x->dst_port)
        return 0;
    const ew_event *ev = ew_timed(s, le);
    const char *host = ew_mra_host_cached(&s->sc->txns->hosts, x->url, x->url_len);
    ew_origin_request req = {ev->node, ev->ts, x->dst_ip, x->dst_port, host};
    return s->sink.origin_request(s->sink.ctx, &req);
}

static int ew_transaction(ew_scan *s, ew_line_event *le)
{
    const ew_event *ev = &le->ev;
    const ew_rule *r = ev->rule;
    const ew_matcher *m = ev->m;
    ew_txns *t = s->sc->txns;
    ew_span id = ew_match_field(m, r, EW_F_TXN);
    ew_span status = ew_match_field(m, r, EW_F_STATUS);
    if (status.n) {
        ew_txn *x = ew_txns_get(t, ev->pid, id, false);
        if (!x)
            return 0;
        int rc = 0;
        if (ew_span_uint(status, UINT16_MAX) >= EW_HTTP_ERROR_MIN) {
            ev = ew_timed(s, le);
            ew_failed_request req = {ev->node, ev->ts, x, ev->line};
            rc = s->sink.failed_request(s->sink.ctx, &req);
        }
        ew_txns_drop(x);
        return rc;
    }
    ew_span url = ew_match_field(m, r, EW_F_URL);
    ew_span ip = ew_match_field(m, r, EW_F_DST_IP);
    /* A request's first line starts a transaction afresh (ids restart). */
    ew_txn *x = ew_txns_get(t, ev->pid, id, true);
    if (!x)
        return 0;
    if (url.n) {
        memset(x->dst_ip, 0, sizeof x->dst_ip);
        x->dst_port = 0;
        x->url_len = (uint16_t)ew_copy_span(x->url, sizeof x->url, url);
    }
    if (ip.n) {
        ew_copy_span(x->dst_ip, sizeof x->dst_ip, ip);
        x->dst_port = ew_span_uint(ew_match_field(m, r, EW_F_DST_PORT), EW_PORT_MAX);
        return ew_origin_sent(s, le, x);
    }
    return 0;
}

static int ew_dispatch(ew_scan *s, ew_line_event *le)
{
    const ew_event *ev = &le->ev;
    switch (ev->rule->kind) {
    case EW_RULE_FINDING: {
        /* The node a finding's line names is a node of the input, whatever
         * the file was called. */
        ew_node *node;
        if (ew_nodes_get(&s->res.nodes, ev->node.p, ev->node.n, &node) != 0)
            return EWDIAG_ENOMEM;
        return s->sink.event(s->sink.ctx, ew_timed(s, le));
    }
    case EW_RULE_EVIDENCE:
        return s->sink.evidence(s->sink.ctx, ew_timed(s, le));
    case EW_RULE_TRANSACTION:
        return ew_transaction(s, le);
    case EW_RULE_FORECAST:
        break; /* matches no line (the prefilter skips it) */
    }
    return 0;
}

/* Runs rule i, whose literal the line holds, and gives its event. */
static int ew_rule_line(ew_scan *s, size_t i, ew_line_event *le)
{
    ew_scanner *a = s->sc;
    const ew_rule *r = &a->rules->rules[i];
    /* r reads this line's program: the prefilter's group was that one's. */
    size_t from = r->lead_literal ? a->at[i] : 0;
    if (ew_match(&a->matcher, r, le->ev.line.p, le->ev.line.n, from) != EW_MATCH_FOUND)
        return 0;
    le->ev.rule = r;
    return ew_dispatch(s, le);
}

static int ew_log_line(void *ctx, const char *line, size_t len, unsigned flags)
{
    ew_scan *s = ctx;
    ew_entry_scan *c = &s->cur;
    ew_scanner *a = s->sc;
    c->lines++;
    /* Continuation lines belong to a record before them (an HTTP or SIP
     * message body): quoted text there is not an event. */
    if (flags & EW_LINE_CONTINUATION) {
        c->continuation++;
        return 0;
    }
    /* The line's program picks the rules that may read it; most lines
     * then hold no literal of theirs, which one pass says. */
    ew_prefix px;
    ew_parse_prefix(line, len, &a->program, &px);
    const ew_wm *g = ew_line_group(a, px.program);
    if (!g)
        return 0;
    memset(a->hits, 0, a->prefilter.nwords * sizeof *a->hits);
    if (!ew_prefilter_scan(&a->prefilter, g, line, len, a->hits, a->at))
        return 0;
    /* Field by field: zeroing the whole struct costs more than the rest. */
    ew_line_event le;
    le.px = &px;
    le.timed = false;
    le.ev.rule = NULL;
    le.ev.ts = 0;
    le.ev.node = px.host.n ? px.host : c->default_node;
    le.ev.pid = px.pid;
    le.ev.line = ew_span_make(line, len);
    le.ev.m = &a->matcher;
    /* In rule order, as the rules were loaded. */
    for (size_t w = 0; w < a->prefilter.nwords; w++) {
        for (uint64_t bits = a->hits[w]; bits; bits &= bits - 1) {
            size_t i = w * 64 + ew_ctz64(bits);
            int rc = ew_rule_line(s, i, &le);
            if (rc != 0) {
                c->err = rc;
                return rc;
            }
        }
    }
    return 0;
}

/* Whether the first line of buf starts with a time as log lines do: a file
 * named otherwise (a renamed log in a repacked bundle) is read all the same. */
static bool ew_looks_like_log(const char *buf, size_t n)
{
    const char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n;
    int64_t us;
    size_t used;
    return ew_ts_parse_iso(buf, len, &us, &used) || ew_ts_parse_ats(buf, len, 0, &us, &used) ||
           ew_ts_parse_ats_compact(buf, len, &us, &used);
}

static bool ew_is_log_name(const char *base)
{
    return ew_name_has_prefix(base, "loggingsnapshot_");
}

static bool ew_is_ats_log_name(const char *base)
{
    return ew_name_has_prefix(base, "diags.log") || ew_name_has_prefix(base, "error.log");
}

static int ew_log_begin(void *ctx, const ew_entry_meta *m, ew_entry *e)
{
    ew_scan *s = ctx;
    EW_UNUSED(e);
    /* Txn-ids are a log's own: they restart with the traffic server. */
    ew_txns_reset(s->sc->txns);
    return ew_scan_begin_lines(s, m);
}

static int ew_log_feed(void *ctx, const char *buf, size_t n)
{
    return ew_scan_feed_lines(ctx, ew_log_line, buf, n);
}

static int ew_log_end(void *ctx, ew_entry *e, const char *read_error)
{
    return ew_scan_end_lines(ctx, ew_log_line, e, read_error);
}

const ew_kind ew_kind_log = EW_PUSH_KIND(EW_ROLE_LOG, ew_is_log_name, ew_looks_like_log, ew_log);
const ew_kind ew_kind_ats_log = EW_PUSH_KIND(EW_ROLE_ATS_LOG, ew_is_ats_log_name, NULL, ew_log);
