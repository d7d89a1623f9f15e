/* prefilter.c - Wu-Manber multi-literal search over a line. */
#include "rules/prefilter.h"

#include <stdlib.h>

static inline unsigned ew_block_hash(const char *p)
{
    return ((unsigned)(unsigned char)p[0] << 8) | (unsigned char)p[1];
}

int ew_prefilter_build(ew_prefilter *pf, const ew_ruleset *rs)
{
    memset(pf, 0, sizeof *pf);
    pf->rules = rs->rules;
    pf->nrules = rs->n;
    pf->nwords = (rs->n + 63) / 64;
    pf->window = EW_WM_MAX_WINDOW;
    for (size_t i = 0; i < rs->n; i++) {
        size_t len = rs->rules[i].literal_len;
        if (len >= EW_WM_MIN_LITERAL) {
            pf->any_long = true;
            pf->window = EW_MIN(pf->window, len);
        }
    }
    pf->items = ew_calloc(rs->n ? rs->n : 1, sizeof *pf->items);
    pf->shorts = ew_calloc(rs->n ? rs->n : 1, sizeof *pf->shorts);
    if (!pf->items || !pf->shorts) {
        ew_prefilter_free(pf);
        return EWDIAG_ENOMEM;
    }
    size_t m = pf->window;
    size_t deflt = m - EW_WM_BLOCK + 1;
    memset(pf->shift, (int)EW_MIN(deflt, (size_t)UINT8_MAX), sizeof pf->shift);
    /* Shifts: how far the window may move when its last block is h. */
    for (size_t i = 0; i < rs->n; i++) {
        const ew_rule *r = &rs->rules[i];
        if (r->kind == EW_RULE_FORECAST) /* matches no line */
            continue;
        if (r->literal_len < EW_WM_MIN_LITERAL) {
            pf->shorts[pf->nshorts++] = (uint32_t)i;
            continue;
        }
        for (size_t q = EW_WM_BLOCK - 1; q < m; q++) {
            unsigned h = ew_block_hash(r->literal + q - (EW_WM_BLOCK - 1));
            size_t s = m - 1 - q;
            if (s < pf->shift[h])
                pf->shift[h] = (uint8_t)s;
        }
    }
    /* Buckets: the rules whose window's last block is h (counting sort). */
    for (size_t i = 0; i < rs->n; i++)
        if (rs->rules[i].literal_len >= EW_WM_MIN_LITERAL)
            pf->bucket[ew_block_hash(rs->rules[i].literal + m - EW_WM_BLOCK) + 1]++;
    for (size_t h = 0; h < EW_WM_TABLE; h++)
        pf->bucket[h + 1] += pf->bucket[h];
    uint32_t *fill = ew_malloc(sizeof pf->bucket);
    if (!fill) {
        ew_prefilter_free(pf);
        return EWDIAG_ENOMEM;
    }
    memcpy(fill, pf->bucket, sizeof pf->bucket);
    for (size_t i = 0; i < rs->n; i++)
        if (rs->rules[i].literal_len >= EW_WM_MIN_LITERAL)
            pf->items[fill[ew_block_hash(rs->rules[i].literal + m - EW_WM_BLOCK)]++] = (uint32_t)i;
    free(fill);
    return 0;
}

void ew_prefilter_free(ew_prefilter *pf)
{
    free(pf->items);
    free(pf->shorts);
    pf->items = pf->shorts = NULL;
}

bool ew_prefilter_scan(const ew_prefilter *pf, const char *s, size_t n, uint64_t *hits)
{
    bool any = false;
    size_t m = pf->window;
    for (size_t pos = m - 1; pf->any_long && pos < n;) {
        unsigned h = ew_block_hash(s + pos - (EW_WM_BLOCK - 1));
        size_t sh = pf->shift[h];
        if (sh) {
            pos += sh;
            continue;
        }
        size_t start = pos + 1 - m;
        for (uint32_t k = pf->bucket[h]; k < pf->bucket[h + 1]; k++) {
            uint32_t i = pf->items[k];
            const ew_rule *r = &pf->rules[i];
            if (start + r->literal_len <= n && memcmp(s + start, r->literal, r->literal_len) == 0) {
                hits[i / 64] |= UINT64_C(1) << (i % 64);
                any = true;
            }
        }
        pos++;
    }
    for (size_t k = 0; k < pf->nshorts; k++) {
        uint32_t i = pf->shorts[k];
        const ew_rule *r = &pf->rules[i];
        if (memmem(s, n, r->literal, r->literal_len)) {
            hits[i / 64] |= UINT64_C(1) << (i % 64);
            any = true;
        }
    }
    return any;
}
