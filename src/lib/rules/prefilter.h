/* prefilter.h - which rule literals a line holds, in one pass whatever the
 * number of rules: Wu-Manber over two-byte blocks (literals are long, so
 * most of a line is skipped), memmem for the few short literals. */
#ifndef EW_PREFILTER_H
#define EW_PREFILTER_H

#include "rules/rules.h"

#define EW_WM_BLOCK 2                     /* bytes hashed per step */
#define EW_WM_TABLE (1u << (8 * EW_WM_BLOCK))
#define EW_WM_MIN_LITERAL 4               /* shorter literals go to memmem */
#define EW_WM_MAX_WINDOW 64               /* the window never exceeds this */

typedef struct ew_prefilter {
    size_t nrules;
    size_t nwords;        /* 64-bit words of a hit set */
    size_t window;        /* Wu-Manber window: the shortest long literal, capped */
    uint8_t shift[EW_WM_TABLE];
    uint32_t bucket[EW_WM_TABLE + 1]; /* rules whose window ends in a block: [bucket[h], bucket[h+1]) */
    uint32_t *items;      /* rule indices, grouped by bucket */
    uint32_t *shorts;     /* rules with short literals */
    size_t nshorts;
    const ew_rule *rules; /* the ruleset's array (not owned) */
    bool any_long;
} ew_prefilter;

/* Built from the rules loaded; rebuild after loading more. 0, or
 * EWDIAG_ENOMEM. */
int ew_prefilter_build(ew_prefilter *pf, const ew_ruleset *rs);
void ew_prefilter_free(ew_prefilter *pf);

/* Sets bit i of hits (nwords words, cleared by the caller) for each rule i
 * whose literal occurs in s. Returns whether any did. */
bool ew_prefilter_scan(const ew_prefilter *pf, const char *s, size_t n, uint64_t *hits);

static inline bool ew_hit(const uint64_t *hits, size_t i)
{
    return (hits[i / 64] >> (i % 64)) & 1u;
}

#endif /* EW_PREFILTER_H */
