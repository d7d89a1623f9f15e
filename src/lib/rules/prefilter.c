/* prefilter.c - Wu-Manber multi-literal search over a line, one table per
 * program. */
#include "rules/prefilter.h"

#include <stdlib.h>

/* A window holds at least a literal's first 4 bytes (the heads). */
_Static_assert(EW_WM_MIN_LITERAL >= sizeof(uint32_t), "a head is read from every window");
_Static_assert(EW_WM_MIN_LITERAL >= EW_WM_BLOCK, "a window holds a block");

typedef struct ew_wm_item {
    uint32_t end;  /* hash of the block that ends the literal's window */
    uint32_t rule;
} ew_wm_item;

/* Spreads a block's bytes over the table (Knuth's multiplicative hash). */
#define EW_WM_MIX UINT32_C(2654435761)

/* A block, hashed: one load. Four bytes turn away more windows than two
 * would: on log text, a third as many steps land on a block some literal
 * holds, each a branch the processor guessed wrong. */
static inline unsigned ew_block_hash(const char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return (uint32_t)(v * EW_WM_MIX) >> (32 - EW_WM_HASH_BITS);
}

/* Whether r is searched in the group of program prog (NULL: every rule's).
 * Forecast rules match no line. */
static bool ew_wm_member(const ew_rule *r, const char *prog, size_t plen)
{
    if (r->kind == EW_RULE_FORECAST || !r->literal)
        return false;
    return !prog || (r->program && strlen(r->program) == plen && memcmp(r->program, prog, plen) == 0);
}

static int ew_item_cmp(const void *a, const void *b)
{
    const ew_wm_item *x = a, *y = b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void ew_wm_free(ew_wm *g)
{
    EW_FREE_ALL(g->shift, g->near, g->ends, g->items, g->heads, g->shorts);
    memset(g, 0, sizeof *g);
}

/* The shifts: how far the window may move when its last block is h. */
static void ew_wm_shifts(ew_wm *g, const ew_rule *rules, const ew_wm_item *it)
{
    size_t m = g->window;
    g->dflt = EW_MIN(m - EW_WM_BLOCK + 1, (size_t)UINT8_MAX);
    memset(g->shift, (int)g->dflt, EW_WM_TABLE);
    for (size_t k = 0; k < g->nitems; k++) {
        const char *lit = rules[it[k].rule].literal;
        for (size_t q = EW_WM_BLOCK - 1; q < m; q++) {
            unsigned h = ew_block_hash(lit + q - (EW_WM_BLOCK - 1));
            g->shift[h] = (uint8_t)EW_MIN((size_t)g->shift[h], m - 1 - q);
            g->near[h / 64] |= UINT64_C(1) << (h % 64);
        }
    }
}

static int ew_wm_build(ew_wm *g, const ew_ruleset *rs, const char *prog, size_t plen)
{
    memset(g, 0, sizeof *g);
    g->window = EW_WM_MAX_WINDOW;
    size_t n = rs->n ? rs->n : 1;
    ew_wm_item *it = ew_calloc(n, sizeof *it);
    g->shorts = ew_calloc(n, sizeof *g->shorts);
    if (!it || !g->shorts) {
        free(it);
        ew_wm_free(g);
        return EWDIAG_ENOMEM;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const ew_rule *r = &rs->rules[i];
        if (!ew_wm_member(r, prog, plen))
            continue;
        if (r->literal_len < EW_WM_MIN_LITERAL) {
            g->shorts[g->nshorts++] = (uint32_t)i;
            continue;
        }
        g->window = EW_MIN(g->window, r->literal_len);
        it[g->nitems++].rule = (uint32_t)i;
    }
    int rc = 0;
    if (g->nitems) {
        g->shift = ew_malloc(EW_WM_TABLE);
        g->near = ew_calloc(EW_WM_TABLE / 64, sizeof *g->near);
        g->ends = ew_calloc(g->nitems, sizeof *g->ends);
        g->items = ew_calloc(g->nitems, sizeof *g->items);
        g->heads = ew_calloc(g->nitems, sizeof *g->heads);
        rc = g->shift && g->near && g->ends && g->items && g->heads ? 0 : EWDIAG_ENOMEM;
    }
    if (rc == 0 && g->nitems) {
        for (size_t k = 0; k < g->nitems; k++)
            it[k].end = ew_block_hash(rs->rules[it[k].rule].literal + g->window - EW_WM_BLOCK);
        qsort(it, g->nitems, sizeof *it, ew_item_cmp);
        ew_wm_shifts(g, rs->rules, it);
        for (size_t k = 0; k < g->nitems; k++) {
            g->ends[k] = it[k].end;
            g->items[k] = it[k].rule;
            memcpy(&g->heads[k], rs->rules[it[k].rule].literal, sizeof g->heads[k]);
        }
    }
    free(it);
    if (rc != 0)
        ew_wm_free(g);
    return rc;
}

/* Looked up for each new program name: length and two bytes are enough to
 * spread a few program names over core/index.c's slots. n > 0. */
static uint64_t ew_program_hash(const char *p, size_t n)
{
    return n * 7u + (unsigned char)p[0] * 31u + (unsigned char)p[n - 1];
}

typedef struct ew_program_key {
    const char *p;
    size_t n;
} ew_program_key;

static bool ew_program_same(const void *set, size_t i, const void *key)
{
    const ew_prefilter *pf = set;
    const ew_program_key *k = key;
    return ew_span_eq_span(ew_span_make(pf->programs[i], pf->program_len[i]),
                           ew_span_make(k->p, k->n));
}

static uint64_t ew_program_item_hash(const void *set, size_t i)
{
    const ew_prefilter *pf = set;
    return ew_program_hash(pf->programs[i], pf->program_len[i]);
}

/* The distinct programs of the rules, in rule order. */
static int ew_programs(ew_prefilter *pf, const ew_ruleset *rs)
{
    size_t n = rs->n ? rs->n : 1;
    pf->programs = ew_calloc(n, sizeof *pf->programs);
    pf->program_len = ew_calloc(n, sizeof *pf->program_len);
    if (!pf->programs || !pf->program_len)
        return EWDIAG_ENOMEM;
    for (size_t i = 0; i < rs->n; i++) {
        ew_program_key key = {rs->rules[i].program, 0};
        key.n = key.p ? strlen(key.p) : 0;
        size_t slot;
        if (!key.n)
            continue;
        if (ew_index_lookup(&pf->index, pf->ngroups, ew_program_item_hash, pf,
                            ew_program_hash(key.p, key.n), ew_program_same, &key, &slot) != 0)
            return EWDIAG_ENOMEM;
        if (ew_index_item(&pf->index, slot) >= 0)
            continue;
        ew_index_put(&pf->index, slot, pf->ngroups);
        pf->programs[pf->ngroups] = key.p;
        pf->program_len[pf->ngroups++] = key.n;
    }
    return 0;
}

int ew_prefilter_build(ew_prefilter *pf, const ew_ruleset *rs)
{
    memset(pf, 0, sizeof *pf);
    pf->rules = rs->rules;
    pf->nrules = rs->n;
    pf->nwords = (rs->n + 63) / 64;
    int rc = ew_programs(pf, rs);
    if (rc == 0 && pf->ngroups && !(pf->groups = ew_calloc(pf->ngroups, sizeof *pf->groups)))
        rc = EWDIAG_ENOMEM;
    if (rc == 0)
        rc = ew_wm_build(&pf->any, rs, NULL, 0);
    for (size_t i = 0; rc == 0 && i < pf->ngroups; i++)
        rc = ew_wm_build(&pf->groups[i], rs, pf->programs[i], pf->program_len[i]);
    if (rc != 0)
        ew_prefilter_free(pf);
    return rc;
}

void ew_prefilter_free(ew_prefilter *pf)
{
    ew_wm_free(&pf->any);
    for (size_t i = 0; pf->groups && i < pf->ngroups; i++)
        ew_wm_free(&pf->groups[i]);
    EW_FREE_ALL(pf->groups, pf->programs, pf->program_len);
    ew_index_free(&pf->index);
    pf->ngroups = 0;
}

const ew_wm *ew_prefilter_group(const ew_prefilter *pf, const char *p, size_t n)
{
    if (n == 0)
        return &pf->any;
    if (!pf->index.cap)
        return NULL;
    ew_program_key key = {p, n};
    long long i = ew_index_item(
        &pf->index, ew_index_find(&pf->index, ew_program_hash(p, n), ew_program_same, pf, &key));
    return i >= 0 ? &pf->groups[i] : NULL;
}

static inline bool ew_hit_first(uint64_t *hits, size_t *at, uint32_t i, size_t where)
{
    uint64_t bit = UINT64_C(1) << (i % 64);
    if (!(hits[i / 64] & bit)) {
        hits[i / 64] |= bit;
        at[i] = where;
    }
    return true;
}

/* The first entry of g->ends equal to h, or g->nitems. */
static size_t ew_wm_first(const ew_wm *g, uint32_t h)
{
    size_t lo = 0, hi = g->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->ends[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool ew_prefilter_scan(const ew_prefilter *pf, const ew_wm *g, const char *s, size_t n,
                       uint64_t *hits, size_t *at)
{
    bool any = false;
    /* Locals: hits and at are written below, so fields of g would be
     * reloaded on every step. */
    const size_t m = g->window, dflt = g->dflt, nitems = g->nitems;
    const uint8_t *shift = g->shift;
    const uint64_t *near = g->near;
    for (size_t pos = m - 1; nitems && pos < n;) {
        unsigned h = ew_block_hash(s + pos - (EW_WM_BLOCK - 1));
        /* Most blocks are in no literal: the small bitmap says so. */
        if (!((near[h / 64] >> (h % 64)) & 1u)) {
            pos += dflt;
            continue;
        }
        size_t sh = shift[h];
        if (sh) {
            pos += sh;
            continue;
        }
        size_t start = pos + 1 - m;
        uint32_t head; /* the window is at least as long */
        memcpy(&head, s + start, sizeof head);
        for (size_t k = ew_wm_first(g, h); k < nitems && g->ends[k] == h; k++) {
            uint32_t i = g->items[k];
            const ew_rule *r = &pf->rules[i];
            if (head == g->heads[k] && start + r->literal_len <= n &&
                ew_mem_eq(s + start, r->literal, r->literal_len))
                any = ew_hit_first(hits, at, i, start);
        }
        pos++;
    }
    for (size_t k = 0; k < g->nshorts; k++) {
        uint32_t i = g->shorts[k];
        const ew_rule *r = &pf->rules[i];
        const char *p = memmem(s, n, r->literal, r->literal_len);
        if (p)
            any = ew_hit_first(hits, at, i, (size_t)(p - s));
    }
    return any;
}
