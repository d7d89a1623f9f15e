/* findings.c - events -> findings. */
#include "analysis/findings.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#define EW_KEY_SEP '\x1f'
#define EW_INDEX_MIN 64
#define EW_FNV_OFFSET UINT64_C(14695981039346656037)
#define EW_FNV_PRIME UINT64_C(1099511628211)
/* An error response is a status code from this value up. */
#define EW_HTTP_ERROR_MIN 500

void ew_findings_init(ew_findings *fs, const char *input, size_t evidence, int64_t window_us)
{
    memset(fs, 0, sizeof *fs);
    fs->input = input;
    fs->evidence = evidence;
    fs->window_us = window_us;
}

static uint64_t ew_hash(const char *p, size_t n)
{
    uint64_t h = EW_FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * EW_FNV_PRIME;
    return h;
}

static bool ew_span_ieq(ew_span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s.p[i]) != tolower((unsigned char)lit[i]))
            return false;
    return true;
}

static int ew_enforced(const ew_event *ev)
{
    ew_span a = ew_match_field(ev->m, ev->rule, EW_F_ACTION);
    if (ew_span_ieq(a, "terminate"))
        return 1;
    if (ew_span_ieq(a, "continue"))
        return 0;
    return -1;
}

static int ew_build_key(ew_findings *fs, const ew_event *ev, int enforced)
{
    ew_buf *k = &fs->key;
    ew_buf_clear(k);
    if (ew_buf_puts(k, ev->rule->id) != 0)
        return -1;
    for (size_t i = 0; i < ev->rule->ngroup_by; i++) {
        uint32_t g = ev->rule->group_by[i];
        char sep = EW_KEY_SEP;
        if (ew_buf_append(k, &sep, 1) != 0)
            return -1;
        int rc;
        if (g == EW_KEY_NODE)
            rc = ew_buf_append(k, ev->node.p, ev->node.n);
        else if (g == EW_KEY_ENFORCED)
            rc = ew_buf_printf(k, "%d", enforced);
        else
            rc = ew_buf_append(k, ev->m->groups[g].p, ev->m->groups[g].n);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static size_t ew_slot(const ew_findings *fs, const char *key, size_t n)
{
    size_t mask = fs->index_cap - 1;
    size_t i = (size_t)ew_hash(key, n) & mask;
    while (fs->index[i]) {
        const char *k = fs->v[fs->index[i] - 1]->key;
        if (strlen(k) == n && memcmp(k, key, n) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

/* Keeps the index at most half full. */
static int ew_index_grow(ew_findings *fs)
{
    if (fs->index_cap && (fs->n + 1) * 2 <= fs->index_cap)
        return 0;
    size_t ncap = fs->index_cap ? fs->index_cap * 2 : EW_INDEX_MIN;
    uint32_t *old = fs->index;
    size_t old_cap = fs->index_cap;
    fs->index = ew_calloc(ncap, sizeof *fs->index);
    if (!fs->index) {
        fs->index = old;
        return -1;
    }
    fs->index_cap = ncap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i]) {
            const char *k = fs->v[old[i] - 1]->key;
            fs->index[ew_slot(fs, k, strlen(k))] = old[i];
        }
    }
    free(old);
    return 0;
}

static char *ew_dup_opt(const char *s)
{
    return s ? ew_strdup(s) : NULL;
}

/* A new finding with the rule's texts and the event's identity. */
static ewdiag_finding *ew_finding_create(const ew_findings *fs, const ew_event *ev, int enforced)
{
    const ew_rule *r = ev->rule;
    ewdiag_finding *f = ew_finding_new(fs->evidence);
    if (!f)
        return NULL;
    ew_span server = ew_match_field(ev->m, r, EW_F_SERVER);
    ew_span target = ew_match_field(ev->m, r, EW_F_TARGET);
    ew_span address = ew_match_field(ev->m, r, EW_F_ADDRESS);
    if (server.n == 0)
        server = target;
    f->key = ew_strndup(fs->key.p, fs->key.len);
    f->rule = ew_strdup(r->id);
    f->title = ew_strdup(r->title);
    f->category = ew_dup_opt(r->category);
    f->description = ew_dup_opt(r->description);
    f->condition = ew_dup_opt(r->condition);
    f->workaround = ew_dup_opt(r->workaround);
    f->actions = ew_strv_dup(r->actions, r->nactions);
    f->nactions = r->nactions;
    f->defects = ew_strv_dup(r->defects, r->ndefects);
    f->ndefects = r->ndefects;
    f->input = ew_strdup(fs->input);
    f->node = ew_strndup(ev->node.p, ev->node.n);
    f->server = ew_strndup(server.p, server.n);
    f->address = ew_strndup(address.p, address.n);
    f->target = ew_strndup(target.p, target.n);
    f->enforced = enforced;
    f->severity = (ewdiag_severity)(enforced == 0 ? r->unenforced_severity : r->severity);
    if (!f->key || !f->rule || !f->title || (r->category && !f->category) ||
        (r->description && !f->description) || (r->condition && !f->condition) ||
        (r->workaround && !f->workaround) || !f->actions || !f->defects || !f->input ||
        !f->node || !f->server || !f->address || !f->target) {
        ew_finding_free(f);
        return NULL;
    }
    return f;
}

static ewdiag_finding *ew_find_or_add(ew_findings *fs, const ew_event *ev, int enforced)
{
    if (ew_index_grow(fs) != 0)
        return NULL;
    size_t slot = ew_slot(fs, fs->key.p, fs->key.len);
    if (fs->index[slot])
        return fs->v[fs->index[slot] - 1];
    if (fs->n >= UINT32_MAX - 1 || ew_grow(&fs->v, &fs->cap, fs->n + 1, sizeof *fs->v) != 0)
        return NULL;
    ewdiag_finding *f = ew_finding_create(fs, ev, enforced);
    if (!f)
        return NULL;
    fs->v[fs->n++] = f;
    fs->index[slot] = (uint32_t)fs->n;
    return f;
}

static bool ew_parse_int(ew_span s, long long *out)
{
    if (s.n == 0 || s.n > 18)
        return false;
    long long v = 0;
    size_t i = 0;
    bool neg = s.p[0] == '-';
    if (neg && s.n == 1)
        return false;
    for (i = neg ? 1 : 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (s.p[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static bool ew_icontains(ew_span hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= hay.n; i++) {
        size_t j = 0;
        while (j < n && tolower((unsigned char)hay.p[i + j]) == tolower((unsigned char)needle[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static bool ew_explain_applies(const ew_explain *x, const ew_event *ev)
{
    if (x->op == EW_OP_ALWAYS)
        return true;
    ew_span v = ev->m->groups[x->group];
    long long iv;
    switch (x->op) {
    case EW_OP_EQ: return v.p && ew_span_eq(v, x->value);
    case EW_OP_NE: return v.p && !ew_span_eq(v, x->value);
    case EW_OP_GT: return ew_parse_int(v, &iv) && iv > x->ivalue;
    case EW_OP_LT: return ew_parse_int(v, &iv) && iv < x->ivalue;
    case EW_OP_CONTAINS: return v.p && memmem(v.p, v.n, x->value, strlen(x->value)) != NULL;
    case EW_OP_ICONTAINS: return v.p && ew_icontains(v, x->value);
    default: return false;
    }
}

/* Expands {name} with the event's group of that name ({node}: the node). */
static int ew_expand(ew_buf *out, const char *text, const ew_event *ev)
{
    ew_buf_clear(out);
    const char *p = text;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            return ew_buf_puts(out, p);
        }
        if (ew_buf_append(out, p, (size_t)(open - p)) != 0)
            return -1;
        char name[64];
        size_t n = (size_t)(close - open - 1);
        ew_span val = ew_span_make(open, (size_t)(close - open + 1)); /* kept as is */
        if (n < sizeof name) {
            memcpy(name, open + 1, n);
            name[n] = '\0';
            uint32_t g = ew_rule_group(ev->rule, name);
            if (strcmp(name, "node") == 0)
                val = ev->node;
            else if (g)
                val = ev->m->groups[g];
        }
        if (ew_buf_append(out, val.p, val.n) != 0)
            return -1;
        p = close + 1;
    }
    return 0;
}

static int ew_add_explanations(ew_findings *fs, ewdiag_finding *f, const ew_event *ev)
{
    for (size_t i = 0; i < ev->rule->nexplain; i++) {
        const ew_explain *x = &ev->rule->explain[i];
        if (!ew_explain_applies(x, ev))
            continue;
        if (ew_expand(&fs->scratch, x->text, ev) != 0)
            return -1;
        if (ew_finding_explain(f, fs->scratch.p ? fs->scratch.p : "") != 0)
            return -1;
    }
    return 0;
}

static int ew_add_variant(ewdiag_finding *f, ew_span error, int depth)
{
    if (error.n == 0 && depth < 0)
        return 0;
    for (size_t i = 0; i < f->nvariants; i++) {
        ew_variant *v = &f->variants[i];
        if (v->depth == depth && ew_span_eq(error, v->error)) {
            v->count++;
            return 0;
        }
    }
    if (f->nvariants == EW_MAX_VARIANTS)
        return 0;
    ew_variant *v = &f->variants[f->nvariants];
    if (!(v->error = ew_strndup(error.p, error.n)))
        return -1;
    v->depth = depth;
    v->count = 1;
    f->nvariants++;
    return 0;
}

int ew_findings_event(ew_findings *fs, const ew_event *ev)
{
    int enforced = ew_enforced(ev);
    if (ew_build_key(fs, ev, enforced) != 0)
        return -1;
    ewdiag_finding *f = ew_find_or_add(fs, ev, enforced);
    if (!f)
        return -1;
    ew_span error = ew_match_field(ev->m, ev->rule, EW_F_ERROR);
    long long d;
    int depth = ew_parse_int(ew_match_field(ev->m, ev->rule, EW_F_DEPTH), &d) && d >= 0 &&
                        d <= INT32_MAX
                    ? (int)d
                    : -1;
    bool latest = f->count == 0 || ev->ts >= f->last_seen;
    f->count++;
    if (ev->ts) {
        if (!f->first_seen || ev->ts < f->first_seen)
            f->first_seen = ev->ts;
        if (ev->ts > f->last_seen)
            f->last_seen = ev->ts;
    }
    if (latest) {
        if (!f->error || !ew_span_eq(error, f->error)) {
            char *e = ew_strndup(error.p, error.n);
            if (!e)
                return -1;
            free(f->error);
            f->error = e;
        }
        f->depth = depth;
    }
    if (ew_add_variant(f, error, depth) != 0 || ew_add_explanations(fs, f, ev) != 0 ||
        ew_timeline_add(&f->event_times, ev->ts) != 0)
        return -1;
    return ew_ring_push(&f->evidence, ev->line.p, ev->line.n);
}

static bool ew_within(const ew_findings *fs, const ewdiag_finding *f, int64_t ts)
{
    if (!ts || !f->last_seen)
        return true;
    int64_t d = ts - f->last_seen;
    return (d < 0 ? -d : d) <= fs->window_us;
}

/* The finding on node that names value (as server, address or target) and
 * was seen last, within the window; NULL if none. */
static ewdiag_finding *ew_closest(ew_findings *fs, ew_span node, ew_span value, int64_t ts,
                                  bool by_name)
{
    ewdiag_finding *best = NULL;
    if (value.n == 0)
        return NULL;
    for (size_t i = 0; i < fs->n; i++) {
        ewdiag_finding *f = fs->v[i];
        if (!ew_span_eq(node, f->node) || !ew_within(fs, f, ts))
            continue;
        /* A line that names no address (the plugin's) is known by its target. */
        bool named = ew_span_eq(value, f->address) || (!*f->address && ew_span_eq(value, f->target)) ||
                     (by_name && (ew_span_eq(value, f->server) || ew_span_eq(value, f->target)));
        if (named && (!best || f->last_seen > best->last_seen))
            best = f;
    }
    return best;
}

int ew_findings_attach(ew_findings *fs, const ew_event *ev)
{
    ew_span value = ev->m->groups[ev->rule->attach_group];
    ewdiag_finding *f = ew_closest(fs, ev->node, value, ev->ts, true);
    return f ? ew_ring_push(&f->related, ev->line.p, ev->line.n) : 0;
}

static int ew_add_url(ewdiag_finding *f, const char *url)
{
    if (!*url || f->nurls == EW_MAX_URLS)
        return 0;
    for (size_t i = 0; i < f->nurls; i++)
        if (strcmp(f->urls[i].url, url) == 0)
            return 0;
    char mra[EW_MRA_MAX];
    ew_url *u = &f->urls[f->nurls];
    if (!(u->url = ew_strdup(url)))
        return -1;
    if (ew_mra_decode(url, strlen(url), mra, sizeof mra) == 0 && !(u->mra = ew_strdup(mra))) {
        free(u->url);
        u->url = NULL;
        return -1;
    }
    f->nurls++;
    return 0;
}

static void ew_add_port(ewdiag_finding *f, unsigned port)
{
    if (!port)
        return;
    for (size_t i = 0; i < f->nports; i++)
        if (f->ports[i] == port)
            return;
    if (f->nports < EW_MAX_PORTS)
        f->ports[f->nports++] = port;
}

int ew_findings_failed_request(ew_findings *fs, ew_span node, int64_t ts, const ew_txn *x,
                               ew_span line)
{
    ew_span ip = ew_span_make(x->dst_ip, strlen(x->dst_ip));
    ewdiag_finding *f = ew_closest(fs, node, ip, ts, false);
    if (!f)
        return 0;
    f->requests++;
    ew_add_port(f, x->dst_port);
    if (ew_add_url(f, x->url) != 0 || ew_timeline_add(&f->request_times, ts) != 0)
        return -1;
    return ew_ring_push(&f->related, line.p, line.n);
}

static int ew_cmp_finding(const void *a, const void *b)
{
    const ewdiag_finding *x = *(ewdiag_finding *const *)a;
    const ewdiag_finding *y = *(ewdiag_finding *const *)b;
    int c;
    if ((c = strcmp(x->node, y->node)) != 0)
        return c;
    if ((c = strcmp(x->server, y->server)) != 0)
        return c;
    if ((c = strcmp(x->address, y->address)) != 0)
        return c;
    if ((c = strcmp(x->rule, y->rule)) != 0)
        return c;
    return y->enforced - x->enforced;
}

int ew_findings_flush(ew_findings *fs, ewdiag_report *r)
{
    if (fs->n)
        qsort(fs->v, fs->n, sizeof *fs->v, ew_cmp_finding);
    size_t i = 0;
    for (; i < fs->n; i++) {
        if (ew_report_add_finding(r, fs->v[i]) != 0)
            break;
        free(fs->v[i]->key);
        fs->v[i]->key = NULL;
    }
    int rc = i == fs->n ? 0 : -1;
    for (size_t j = i; j < fs->n; j++)
        ew_finding_free(fs->v[j]);
    fs->n = 0;
    if (fs->index)
        memset(fs->index, 0, fs->index_cap * sizeof *fs->index);
    return rc;
}

void ew_findings_free(ew_findings *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        ew_finding_free(fs->v[i]);
    free(fs->v);
    free(fs->index);
    ew_buf_free(&fs->key);
    ew_buf_free(&fs->scratch);
    memset(fs, 0, sizeof *fs);
}
