/* html_timeline.c - the HTML report's timeline: one SVG row per server of
 * the findings, on one UTC axis across every input and node; in each row a
 * lane per node with its failures (WARNING lines) and failed requests, and
 * a lane per capture with its TLS handshakes to that address. Marks that
 * fall on the same pixel are drawn as one, with their count: the drawing
 * stays bounded whatever the number of events. Public getters only. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/html.h"

#define VIEW_W 1000
#define PLOT_X0 250
#define PLOT_W 720 /* pixels of the time axis: marks on one pixel merge */
#define AXIS_H 34
#define ROW_TITLE_H 20
#define LANE_H 18
#define ROW_GAP 8
#define MARK_MIN_W 2.0
#define MAX_TICKS 9
#define MIN_SPAN_US INT64_C(2000000) /* a lone instant is drawn on 2 s */
#define PAD_DIV 40                   /* 2.5 % of the span on each side */
#define LABEL_MAX 40                 /* characters of a label drawn; all in its title */
#define US_MS INT64_C(1000)
#define US_S INT64_C(1000000)
#define US_MIN (60 * US_S)
#define US_HOUR (60 * US_MIN)
#define US_DAY (24 * US_HOUR)

typedef struct ew_span {
    int64_t t0, t1; /* the axis, padded */
    bool any;
} ew_span;

/* Per pixel of one lane: how many, and from when to when. */
typedef struct ew_bucket {
    uint64_t n;
    int64_t first, last;
} ew_bucket;

typedef enum { MARK_EVENT, MARK_REQUEST, MARK_HANDSHAKE, MARK_KINDS } ew_mark_kind;

static const char *const mark_class[MARK_KINDS] = {"ev", "rq", "hs"};
static const char *const mark_what[MARK_KINDS][2] = {
    {"failure", "failures"}, {"failed request", "failed requests"}, {"handshake", "handshakes"}};

/* ---- rows: one per server and address ------------------------------ */

typedef struct ew_key {
    const char *server, *address;
    size_t i;
} ew_key;

static int ew_key_cmp(const void *a, const void *b)
{
    const ew_key *x = a, *y = b;
    int c = strcmp(x->server, y->server);
    if (!c)
        c = strcmp(x->address, y->address);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

void ew_html_rows_free(ew_html_rows *rows)
{
    free(rows->row_of);
    free(rows->first);
    memset(rows, 0, sizeof *rows);
}

int ew_html_rows_make(const ewdiag_report *r, ew_html_rows *rows)
{
    size_t n = ewdiag_report_finding_count(r);
    memset(rows, 0, sizeof *rows);
    ew_key *keys = calloc(n ? n : 1, sizeof *keys);
    size_t *group = calloc(n ? n : 1, sizeof *group),
           *row_of_group = calloc(n ? n : 1, sizeof(size_t));
    rows->row_of = calloc(n ? n : 1, sizeof *rows->row_of);
    rows->first = calloc(n ? n : 1, sizeof *rows->first);
    if (!keys || !group || !row_of_group || !rows->row_of || !rows->first) {
        free(keys);
        free(group);
        free(row_of_group);
        ew_html_rows_free(rows);
        return EWDIAG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const ewdiag_finding *f = ewdiag_report_finding(r, i);
        keys[i] = (ew_key){ewdiag_finding_server(f), ewdiag_finding_address(f), i};
    }
    qsort(keys, n, sizeof *keys, ew_key_cmp);
    size_t g = 0;
    for (size_t k = 0; k < n; k++) {
        if (k && (strcmp(keys[k].server, keys[k - 1].server) != 0 ||
                  strcmp(keys[k].address, keys[k - 1].address) != 0))
            g++;
        group[keys[k].i] = g;
        row_of_group[g] = SIZE_MAX;
    }
    for (size_t i = 0; i < n; i++) {
        if (row_of_group[group[i]] == SIZE_MAX) {
            row_of_group[group[i]] = rows->n;
            rows->first[rows->n++] = i;
        }
        rows->row_of[i] = row_of_group[group[i]];
    }
    free(keys);
    free(group);
    free(row_of_group);
    return 0;
}

/* ---- what is drawn --------------------------------------------------- */

/* The TLS servers of input `in` at the row's address. */
static bool ew_tls_at(const ewdiag_input *in, const char *address, size_t j)
{
    return *address &&
           strcmp(ewdiag_tls_server_address(ewdiag_input_tls_server(in, j)), address) == 0;
}

static void ew_span_add(ew_span *s, const ewdiag_timeline *t)
{
    size_t n = ewdiag_timeline_count(t);
    if (!n)
        return;
    int64_t a = ewdiag_timeline_time(t, 0);
    int64_t z = ewdiag_timeline_time(t, n - 1) + ewdiag_timeline_resolution(t);
    if (!s->any || a < s->t0)
        s->t0 = a;
    if (!s->any || z > s->t1)
        s->t1 = z;
    s->any = true;
}

static ew_span ew_span_of(const ewdiag_report *r, const ew_html_rows *rows)
{
    ew_span s = {0, 0, false};
    for (size_t i = 0; i < ewdiag_report_finding_count(r); i++) {
        ew_span_add(&s, ewdiag_finding_event_times(ewdiag_report_finding(r, i)));
        ew_span_add(&s, ewdiag_finding_request_times(ewdiag_report_finding(r, i)));
    }
    for (size_t k = 0; k < rows->n; k++) {
        const char *addr = ewdiag_finding_address(ewdiag_report_finding(r, rows->first[k]));
        for (size_t i = 0; i < ewdiag_report_input_count(r); i++) {
            const ewdiag_input *in = ewdiag_report_input(r, i);
            for (size_t j = 0; j < ewdiag_input_tls_server_count(in); j++)
                if (ew_tls_at(in, addr, j))
                    ew_span_add(&s, ewdiag_tls_server_times(ewdiag_input_tls_server(in, j)));
        }
    }
    if (s.t1 - s.t0 < MIN_SPAN_US) {
        int64_t mid = s.t0 / 2 + s.t1 / 2;
        s.t0 = mid - MIN_SPAN_US / 2;
        s.t1 = mid + MIN_SPAN_US / 2;
    }
    int64_t pad = (s.t1 - s.t0) / PAD_DIV;
    s.t0 -= pad;
    s.t1 += pad;
    return s;
}

static double ew_x(const ew_span *s, int64_t t)
{
    return PLOT_X0 + (double)(t - s->t0) * PLOT_W / (double)(s->t1 - s->t0);
}

/* Adds a timeline's marks to the lane's pixels. */
static void ew_bucket_add(ew_bucket *b, const ew_span *s, const ewdiag_timeline *t)
{
    for (size_t i = 0; i < ewdiag_timeline_count(t); i++) {
        int64_t at = ewdiag_timeline_time(t, i);
        double x = ew_x(s, at) - PLOT_X0;
        size_t px = x <= 0 ? 0 : x >= PLOT_W - 1 ? PLOT_W - 1 : (size_t)x;
        if (!b[px].n || at < b[px].first)
            b[px].first = at;
        if (!b[px].n || at > b[px].last)
            b[px].last = at;
        b[px].n += ewdiag_timeline_weight(t, i);
    }
}

/* ---- drawing --------------------------------------------------------- */

/* Text, cut to LABEL_MAX characters (not inside a UTF-8 sequence). */
static void ew_label(ew_html *h, const char *s)
{
    size_t n = strlen(s), cut = 0, chars = 0;
    while (cut < n && chars < LABEL_MAX) {
        cut++;
        while (cut < n && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut++;
        chars++;
    }
    if (cut == n) {
        ew_html_text(h, s);
        return;
    }
    char *head = malloc(cut + 1);
    if (!head) { /* the label is only shortened: write it whole */
        ew_html_text(h, s);
        return;
    }
    memcpy(head, s, cut);
    head[cut] = '\0';
    ew_html_text(h, head);
    ew_html_put(h, "\xe2\x80\xa6");
    free(head);
}

static void ew_marks(ew_html *h, const ew_bucket *b, ew_mark_kind kind, double y, double res_px,
                     const char *who)
{
    double w = res_px > MARK_MIN_W ? res_px : MARK_MIN_W;
    double top = y + (kind == MARK_REQUEST ? LANE_H / 2.0 : 2.0);
    double hgt = kind == MARK_HANDSHAKE ? LANE_H - 4.0 : LANE_H / 2.0 - 2.0;
    for (size_t px = 0; px < PLOT_W; px++) {
        if (!b[px].n)
            continue;
        char a[EW_HTML_TIME_MAX], z[EW_HTML_TIME_MAX];
        ew_html_time_str(b[px].first, a);
        ew_html_time_str(b[px].last, z);
        ew_html_printf(h,
                       "<rect class=\"m %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "data-weight=\"%" PRIu64 "\" data-time=\"%s\"><title>",
                       mark_class[kind], PLOT_X0 + (double)px, top, w, hgt, b[px].n, a);
        ew_html_text(h, who);
        ew_html_printf(h, ": %" PRIu64 " %s %s %s%s%s</title></rect>\n", b[px].n,
                       mark_what[kind][b[px].n != 1], b[px].first == b[px].last ? "at" : "from", a,
                       b[px].first == b[px].last ? "" : " to ", b[px].first == b[px].last ? "" : z);
    }
}

/* The lane's frame: its label (a fixed prefix, then text from the input)
 * and base line. */
static void ew_lane_open(ew_html *h, const char *cls, const char *prefix, const char *label,
                         double y)
{
    ew_html_printf(h, "<g class=\"lane %s\"><text class=\"lane-label\" x=\"%d\" y=\"%.1f\">%s", cls,
                   PLOT_X0 - 8, y + LANE_H - 5.0, prefix);
    ew_label(h, label);
    ew_html_printf(h, "</text><line class=\"base\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
                   PLOT_X0, y + LANE_H / 2.0, PLOT_X0 + PLOT_W, y + LANE_H / 2.0);
}

typedef struct ew_draw {
    ew_html *h;
    const ewdiag_report *r;
    const ew_html_rows *rows;
    const size_t *order; /* findings by row, each row's in report order */
    const size_t *start; /* row k's findings: order[start[k] .. start[k+1]) */
    ew_span span;
    ew_bucket *b[MARK_KINDS];
} ew_draw;

static double ew_res_px(const ew_draw *d, const ewdiag_timeline *t)
{
    return (double)ewdiag_timeline_resolution(t) * PLOT_W / (double)(d->span.t1 - d->span.t0);
}

/* The node of the a-th finding in row order. */
static const char *ew_row_node(const ew_draw *d, size_t a)
{
    return ewdiag_finding_node(ewdiag_report_finding(d->r, d->order[a]));
}

/* Whether the a-th finding is the first of its node in row k. */
static bool ew_node_first(const ew_draw *d, size_t k, size_t a)
{
    const char *node = ew_row_node(d, a);
    for (size_t p = d->start[k]; p < a; p++)
        if (strcmp(ew_row_node(d, p), node) == 0)
            return false;
    return true;
}

/* The failure lanes of row k: one per node, in order of appearance.
 * Returns the lanes drawn; *drawn counts the events with a time. */
static size_t ew_fail_lanes(ew_draw *d, size_t k, double y, uint64_t *drawn)
{
    size_t lanes = 0;
    for (size_t a = d->start[k]; a < d->start[k + 1]; a++) {
        const char *node = ew_row_node(d, a);
        if (!ew_node_first(d, k, a))
            continue;
        memset(d->b[MARK_EVENT], 0, PLOT_W * sizeof(ew_bucket));
        memset(d->b[MARK_REQUEST], 0, PLOT_W * sizeof(ew_bucket));
        double res[2] = {0, 0};
        for (size_t p = a; p < d->start[k + 1]; p++) {
            const ewdiag_finding *f = ewdiag_report_finding(d->r, d->order[p]);
            if (strcmp(ewdiag_finding_node(f), node) != 0)
                continue;
            const ewdiag_timeline *ev = ewdiag_finding_event_times(f),
                                  *rq = ewdiag_finding_request_times(f);
            ew_bucket_add(d->b[MARK_EVENT], &d->span, ev);
            ew_bucket_add(d->b[MARK_REQUEST], &d->span, rq);
            res[0] = ew_res_px(d, ev) > res[0] ? ew_res_px(d, ev) : res[0];
            res[1] = ew_res_px(d, rq) > res[1] ? ew_res_px(d, rq) : res[1];
        }
        double ly = y + (double)lanes * LANE_H;
        ew_lane_open(d->h, "fail", "", *node ? node : "(no node)", ly);
        ew_marks(d->h, d->b[MARK_EVENT], MARK_EVENT, ly, res[0], *node ? node : "(no node)");
        ew_marks(d->h, d->b[MARK_REQUEST], MARK_REQUEST, ly, res[1], *node ? node : "(no node)");
        ew_html_put(d->h, "</g>\n");
        for (size_t px = 0; px < PLOT_W; px++)
            *drawn += d->b[MARK_EVENT][px].n;
        lanes++;
    }
    return lanes;
}

/* Who took input i's capture: its node, or its name when it has several. */
static const char *ew_capture_who(const ewdiag_report *r, size_t i)
{
    const ewdiag_input *in = ewdiag_report_input(r, i);
    return ewdiag_input_node_count(in) == 1 ? ewdiag_input_node(in, 0) : ewdiag_input_name(in);
}

/* Whether input i's capture shows a handshake to addr. */
static bool ew_capture_has(const ewdiag_report *r, size_t i, const char *addr)
{
    const ewdiag_input *in = ewdiag_report_input(r, i);
    for (size_t j = 0; j < ewdiag_input_tls_server_count(in); j++)
        if (ew_tls_at(in, addr, j))
            return true;
    return false;
}

/* The capture lanes of row k: one per node whose captures show a
 * handshake to the row's address (the captures of several inputs of one
 * node share its lane). */
static size_t ew_capture_lanes(ew_draw *d, size_t k, double y, bool draw)
{
    const char *addr = ewdiag_finding_address(ewdiag_report_finding(d->r, d->rows->first[k]));
    size_t lanes = 0, ni = ewdiag_report_input_count(d->r);
    for (size_t i = 0; i < ni; i++) {
        const char *who = ew_capture_who(d->r, i);
        bool seen = false;
        for (size_t p = 0; p < i && !seen; p++)
            seen = ew_capture_has(d->r, p, addr) && strcmp(ew_capture_who(d->r, p), who) == 0;
        if (seen || !ew_capture_has(d->r, i, addr))
            continue;
        lanes++;
        if (!draw)
            continue;
        double res = 0;
        memset(d->b[MARK_HANDSHAKE], 0, PLOT_W * sizeof(ew_bucket));
        for (size_t p = i; p < ni; p++) {
            const ewdiag_input *in = ewdiag_report_input(d->r, p);
            if (strcmp(ew_capture_who(d->r, p), who) != 0)
                continue;
            for (size_t j = 0; j < ewdiag_input_tls_server_count(in); j++) {
                if (!ew_tls_at(in, addr, j))
                    continue;
                const ewdiag_timeline *t = ewdiag_tls_server_times(ewdiag_input_tls_server(in, j));
                ew_bucket_add(d->b[MARK_HANDSHAKE], &d->span, t);
                res = ew_res_px(d, t) > res ? ew_res_px(d, t) : res;
            }
        }
        double ly = y + (double)(lanes - 1) * LANE_H;
        ew_lane_open(d->h, "capture", "capture ", who, ly);
        ew_marks(d->h, d->b[MARK_HANDSHAKE], MARK_HANDSHAKE, ly, res, who);
        ew_html_put(d->h, "</g>\n");
    }
    return lanes;
}

static size_t ew_nodes_of_row(const ew_draw *d, size_t k)
{
    size_t n = 0;
    for (size_t a = d->start[k]; a < d->start[k + 1]; a++) {
        n += ew_node_first(d, k, a);
    }
    return n;
}

static double ew_row_height(ew_draw *d, size_t k)
{
    size_t lanes = ew_nodes_of_row(d, k) + ew_capture_lanes(d, k, 0, false);
    return ROW_TITLE_H + (double)lanes * LANE_H + ROW_GAP;
}

static void ew_row(ew_draw *d, size_t k, double y)
{
    const ewdiag_finding *f = ewdiag_report_finding(d->r, d->rows->first[k]);
    const char *server = ewdiag_finding_server(f), *addr = ewdiag_finding_address(f);
    uint64_t count = 0, drawn = 0;
    for (size_t a = d->start[k]; a < d->start[k + 1]; a++)
        count += ewdiag_finding_count(ewdiag_report_finding(d->r, d->order[a]));
    ew_html_printf(d->h, "<g class=\"row\" data-row=\"%zu\" data-server=\"", k);
    ew_html_text(d->h, server);
    ew_html_put(d->h, "\" data-address=\"");
    ew_html_text(d->h, addr);
    ew_html_printf(d->h, "\" data-events=\"%" PRIu64 "\"><title>", count);
    ew_html_text(d->h, *server ? server : "(unknown server)");
    ew_html_printf(d->h, "</title>\n<text class=\"row-label\" x=\"4\" y=\"%.1f\">", y + 14.0);
    ew_label(d->h, *server ? server : "(unknown server)");
    if (*addr && strcmp(addr, server) != 0) {
        ew_html_put(d->h, " (");
        ew_html_text(d->h, addr);
        ew_html_put(d->h, ")");
    }
    ew_html_put(d->h, "</text>\n");
    double ly = y + ROW_TITLE_H;
    size_t lanes = ew_fail_lanes(d, k, ly, &drawn);
    ew_capture_lanes(d, k, ly + (double)lanes * LANE_H, true);
    if (drawn < count)
        ew_html_printf(d->h,
                       "<text class=\"note\" x=\"%d\" y=\"%.1f\">%" PRIu64
                       " without a time, not drawn</text>\n",
                       PLOT_X0, y + 14.0, count - drawn);
    ew_html_put(d->h, "</g>\n");
}

/* ---- the axis -------------------------------------------------------- */

static int64_t ew_step(int64_t span)
{
    static const int64_t steps[] = {
        US_MS,       2 * US_MS,    5 * US_MS,   10 * US_MS, 20 * US_MS,  50 * US_MS,
        100 * US_MS, 200 * US_MS,  500 * US_MS, US_S,       2 * US_S,    5 * US_S,
        10 * US_S,   15 * US_S,    30 * US_S,   US_MIN,     2 * US_MIN,  5 * US_MIN,
        10 * US_MIN, 15 * US_MIN,  30 * US_MIN, US_HOUR,    2 * US_HOUR, 3 * US_HOUR,
        6 * US_HOUR, 12 * US_HOUR, US_DAY,      2 * US_DAY, 7 * US_DAY,  14 * US_DAY};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] < MAX_TICKS)
            return steps[i];
    int64_t s = steps[sizeof steps / sizeof steps[0] - 1];
    while (span / s >= MAX_TICKS)
        s *= 2;
    return s;
}

static void ew_axis(ew_html *h, const ew_span *s, double height)
{
    int64_t step = ew_step(s->t1 - s->t0);
    int64_t t = s->t0 / step * step;
    if (t < s->t0)
        t += step;
    /* "2022-07-11T17:49:01.491Z": the part the step needs */
    size_t from = step >= US_DAY ? 0 : 11, len = step >= US_DAY ? 10 : step >= US_S ? 8 : 12;
    ew_html_put(h, "<g class=\"axis\">\n");
    for (; t <= s->t1; t += step) {
        char buf[EW_HTML_TIME_MAX];
        ew_html_time_str(t, buf);
        double x = ew_x(s, t);
        ew_html_printf(h,
                       "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"tick-label\" x=\"%.1f\" y=\"%d\">%.*s</text>\n",
                       x, AXIS_H - 6, x, height, x, AXIS_H - 12, (int)len, buf + from);
    }
    ew_html_put(h, "</g>\n");
}

/* ---- the section ----------------------------------------------------- */

static void ew_legend(ew_html *h, const ew_span *s)
{
    char a[EW_HTML_TIME_MAX], z[EW_HTML_TIME_MAX];
    ew_html_time_str(s->t0, a);
    ew_html_time_str(s->t1, z);
    ew_html_put(h, "<p class=\"legend\"><span class=\"key ev\">\xe2\x96\xa0</span> failure (a "
                   "WARNING line) <span class=\"key rq\">\xe2\x96\xa0</span> failed request (an "
                   "error response) <span class=\"key hs\">\xe2\x96\xa0</span> TLS handshake in "
                   "the capture. ");
    if (s->any)
        ew_html_printf(h,
                       "From %s to %s, UTC; marks on the same pixel are one, their count in "
                       "their title.</p>\n",
                       a, z);
    else
        ew_html_put(h, "No failure has a known time.</p>\n");
}

/* Findings ordered by row: a counting sort. */
static int ew_order(const ewdiag_report *r, const ew_html_rows *rows, size_t **order,
                    size_t **start)
{
    size_t n = ewdiag_report_finding_count(r);
    *order = calloc(n ? n : 1, sizeof **order);
    *start = calloc(rows->n + 1, sizeof **start);
    size_t *fill = calloc(rows->n + 1, sizeof *fill);
    if (!*order || !*start || !fill) {
        free(*order);
        free(*start);
        free(fill);
        return EWDIAG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        (*start)[rows->row_of[i] + 1]++;
    for (size_t k = 0; k < rows->n; k++)
        (*start)[k + 1] += (*start)[k];
    for (size_t i = 0; i < n; i++) {
        size_t k = rows->row_of[i];
        (*order)[(*start)[k] + fill[k]++] = i;
    }
    free(fill);
    return 0;
}

int ew_html_timeline(ew_html *h, const ewdiag_report *r, const ew_html_rows *rows)
{
    if (!rows->n)
        return 0;
    size_t *order, *start;
    if (ew_order(r, rows, &order, &start) != 0)
        return EWDIAG_ENOMEM;
    ew_draw d = {h, r, rows, order, start, ew_span_of(r, rows), {NULL, NULL, NULL}};
    int rc = 0;
    for (int k = 0; k < MARK_KINDS; k++)
        if (!(d.b[k] = calloc(PLOT_W, sizeof(ew_bucket))))
            rc = EWDIAG_ENOMEM;
    if (rc == 0) {
        double height = AXIS_H;
        for (size_t k = 0; k < rows->n; k++)
            height += ew_row_height(&d, k);
        ew_html_put(h, "<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        ew_legend(h, &d.span);
        ew_html_printf(h,
                       "<div class=\"scroll\"><svg class=\"timeline\" viewBox=\"0 0 %d %.0f\" "
                       "width=\"%d\" height=\"%.0f\" role=\"img\" "
                       "aria-label=\"When each server failed, per node\">\n",
                       VIEW_W, height, VIEW_W, height);
        if (d.span.any)
            ew_axis(h, &d.span, height);
        double y = AXIS_H;
        for (size_t k = 0; k < rows->n; k++) {
            ew_row(&d, k, y);
            y += ew_row_height(&d, k);
        }
        ew_html_put(h, "</svg></div>\n</section>\n");
    }
    for (int k = 0; k < MARK_KINDS; k++)
        free(d.b[k]);
    free(order);
    free(start);
    return rc;
}
