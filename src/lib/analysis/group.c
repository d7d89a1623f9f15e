/* group.c - events -> groups: grouping by the rule's keys, variants,
 * explanations. */
#include "analysis/group.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#define EW_KEY_SEP '\x1f'
/* An error response is a status code from this value up. */
#define EW_HTTP_ERROR_MIN 500

void ew_groups_init(ew_groups *fs, const ew_group_limits *lim)
{
    memset(fs, 0, sizeof *fs);
    fs->lim = *lim;
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

static int ew_build_key(ew_groups *fs, const ew_event *ev, int enforced)
{
    ew_buf *k = &fs->key;
    ew_buf_clear(k);
    if (ew_buf_puts(k, ev->rule->id) != 0)
        return EWDIAG_ENOMEM;
    for (size_t i = 0; i < ev->rule->ngroup_by; i++) {
        uint32_t g = ev->rule->group_by[i];
        char sep = EW_KEY_SEP;
        if (ew_buf_append(k, &sep, 1) != 0)
            return EWDIAG_ENOMEM;
        int rc;
        if (g == EW_KEY_NODE)
            rc = ew_buf_append(k, ev->node.p, ev->node.n);
        else if (g == EW_KEY_ENFORCED)
            rc = ew_buf_printf(k, "%d", enforced);
        else {
            ew_span v = ew_match_group(ev->m, g);
            rc = ew_buf_append(k, v.p, v.n);
        }
        if (rc != 0)
            return EWDIAG_ENOMEM;
    }
    return 0;
}

static uint64_t ew_key_hash(const char *key, size_t n)
{
    return ew_fnv1a(EW_FNV_OFFSET, key, n);
}

static uint64_t ew_item_hash(const void *set, size_t k)
{
    const char *key = ((const ew_groups *)set)->v[k]->key;
    return ew_key_hash(key, strlen(key));
}

/* Whether group k has the key in the scratch buffer. */
static bool ew_same_key(const void *set, size_t k, const void *key)
{
    const ew_buf *b = key;
    const char *gk = ((const ew_groups *)set)->v[k]->key;
    return strlen(gk) == b->len && memcmp(gk, b->p, b->len) == 0;
}

static ew_group *ew_group_new(size_t evidence)
{
    ew_group *g = ew_calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->enforced = -1;
    g->depth = -1;
    if (ew_ring_init(&g->evidence, evidence) != 0 || ew_ring_init(&g->related, evidence) != 0) {
        ew_group_free(g);
        return NULL;
    }
    return g;
}

void ew_group_clear(ew_group *g)
{
    char **strs[] = {&g->key, &g->node, &g->server, &g->address, &g->target, &g->error};
    for (size_t i = 0; i < EW_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    ew_ring_free(&g->evidence);
    ew_ring_free(&g->related);
    for (size_t i = 0; i < EW_MAX_EXPLANATIONS; i++)
        free(g->explanations[i]);
    for (size_t i = 0; i < g->nvariants; i++)
        free(g->variants[i].error);
    for (size_t i = 0; i < g->nurls; i++) {
        free(g->urls[i].url);
        free(g->urls[i].mra);
    }
    ew_timeline_free(&g->event_times);
    ew_timeline_free(&g->request_times);
    memset(g, 0, sizeof *g);
}

void ew_group_free(ew_group *g)
{
    if (!g)
        return;
    ew_group_clear(g);
    free(g);
}

int ew_explanations_add(char **v, size_t *n, const char *text)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(v[i], text) == 0)
            return 0;
    if (*n == EW_MAX_EXPLANATIONS)
        return 0;
    if (!(v[*n] = ew_strdup(text)))
        return EWDIAG_ENOMEM;
    (*n)++;
    return 0;
}

/* A new group with the event's identity. */
static ew_group *ew_group_create(const ew_groups *fs, const ew_event *ev, int enforced)
{
    const ew_rule *r = ev->rule;
    ew_group *f = ew_group_new(fs->lim.evidence);
    if (!f)
        return NULL;
    ew_span server = ew_match_field(ev->m, r, EW_F_SERVER);
    ew_span target = ew_match_field(ev->m, r, EW_F_TARGET);
    ew_span address = ew_match_field(ev->m, r, EW_F_ADDRESS);
    if (server.n == 0)
        server = target;
    f->key = ew_strndup(fs->key.p, fs->key.len);
    f->rule = r;
    f->node = ew_strndup(ev->node.p, ev->node.n);
    f->server = ew_strndup(server.p, server.n);
    f->address = ew_strndup(address.p, address.n);
    f->target = ew_strndup(target.p, target.n);
    f->enforced = enforced;
    if (!f->key || !f->node || !f->server || !f->address || !f->target) {
        ew_group_free(f);
        return NULL;
    }
    return f;
}

/* The event's group into *f, made if new; *f NULL when dropped (limit
 * max-findings). 0, or EWDIAG_ENOMEM. */
static int ew_find_or_add(ew_groups *fs, const ew_event *ev, int enforced, ew_group **f)
{
    size_t slot;
    *f = NULL;
    if (ew_index_lookup(&fs->index, fs->n, ew_item_hash, fs, ew_key_hash(fs->key.p, fs->key.len),
                        ew_same_key, &fs->key, &slot) != 0)
        return EWDIAG_ENOMEM;
    long long k = ew_index_item(&fs->index, slot);
    *f = k >= 0 ? fs->v[k] : NULL;
    if (*f)
        return 0;
    /* Past max-findings the events of new groups are counted, not kept. */
    if (fs->n >= fs->lim.max_groups) {
        fs->dropped_events++;
        return 0;
    }
    if (ew_grow(&fs->v, &fs->cap, fs->n + 1, sizeof *fs->v) != 0)
        return EWDIAG_ENOMEM;
    ew_group *g = ew_group_create(fs, ev, enforced);
    if (!g)
        return EWDIAG_ENOMEM;
    ew_index_put(&fs->index, slot, fs->n);
    fs->v[fs->n++] = g;
    if (ew_groups_index_names(fs) != 0)
        return EWDIAG_ENOMEM;
    *f = g;
    return 0;
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
    ew_span v = ew_match_group(ev->m, x->group);
    long long iv;
    switch (x->op) {
    case EW_OP_EQ:
        return v.p && ew_span_eq(v, x->value);
    case EW_OP_NE:
        return v.p && !ew_span_eq(v, x->value);
    case EW_OP_GT:
        return ew_parse_int(v, &iv) && iv > x->ivalue;
    case EW_OP_LT:
        return ew_parse_int(v, &iv) && iv < x->ivalue;
    case EW_OP_CONTAINS:
        return v.p && memmem(v.p, v.n, x->value, strlen(x->value)) != NULL;
    case EW_OP_ICONTAINS:
        return v.p && ew_icontains(v, x->value);
    default:
        return false;
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
            return EWDIAG_ENOMEM;
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
                val = ew_match_group(ev->m, g);
        }
        if (ew_buf_append(out, val.p, val.n) != 0)
            return EWDIAG_ENOMEM;
        p = close + 1;
    }
    return 0;
}

static int ew_add_explanations(ew_groups *fs, ew_group *f, const ew_event *ev)
{
    for (size_t i = 0; i < ev->rule->nexplain; i++) {
        const ew_explain *x = &ev->rule->explain[i];
        if (!ew_explain_applies(x, ev))
            continue;
        if (ew_expand(&fs->scratch, x->text, ev) != 0)
            return EWDIAG_ENOMEM;
        if (ew_explanations_add(f->explanations, &f->nexplanations,
                                fs->scratch.p ? fs->scratch.p : "") != 0)
            return EWDIAG_ENOMEM;
    }
    return 0;
}

static int ew_add_variant(ew_group *f, ew_span error, int depth)
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
        return EWDIAG_ENOMEM;
    v->depth = depth;
    v->count = 1;
    f->nvariants++;
    return 0;
}

int ew_groups_event(ew_groups *fs, const ew_event *ev)
{
    int enforced = ew_enforced(ev);
    if (ew_build_key(fs, ev, enforced) != 0)
        return EWDIAG_ENOMEM;
    ew_group *f;
    if (ew_find_or_add(fs, ev, enforced, &f) != 0)
        return EWDIAG_ENOMEM;
    if (!f)
        return 0;
    ew_span error = ew_match_field(ev->m, ev->rule, EW_F_ERROR);
    long long d;
    int depth =
        ew_parse_int(ew_match_field(ev->m, ev->rule, EW_F_DEPTH), &d) && d >= 0 && d <= INT32_MAX
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
                return EWDIAG_ENOMEM;
            free(f->error);
            f->error = e;
        }
        f->depth = depth;
    }
    if (ew_add_variant(f, error, depth) != 0 || ew_add_explanations(fs, f, ev) != 0 ||
        ew_timeline_add(&f->event_times, ev->ts) != 0)
        return EWDIAG_ENOMEM;
    return ew_groups_keep_line(fs, &f->evidence, ev->line);
}

static int ew_cmp_group(const void *a, const void *b)
{
    const ew_group *x = *(ew_group *const *)a;
    const ew_group *y = *(ew_group *const *)b;
    int c;
    if ((c = strcmp(x->node, y->node)) != 0)
        return c;
    if ((c = strcmp(x->server, y->server)) != 0)
        return c;
    if ((c = strcmp(x->address, y->address)) != 0)
        return c;
    if ((c = strcmp(x->rule->id, y->rule->id)) != 0)
        return c;
    return y->enforced - x->enforced;
}

void ew_groups_sort(ew_groups *fs)
{
    /* The names index by group number: no use once they move. */
    free(fs->names);
    fs->names = NULL;
    fs->nnames = fs->names_cap = 0;
    if (fs->n)
        qsort(fs->v, fs->n, sizeof *fs->v, ew_cmp_group);
}

void ew_groups_free(ew_groups *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        ew_group_free(fs->v[i]);
    EW_FREE_ALL(fs->v, fs->names);
    ew_index_free(&fs->index);
    ew_buf_free(&fs->key);
    ew_buf_free(&fs->scratch);
    memset(fs, 0, sizeof *fs);
}
