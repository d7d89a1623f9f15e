/* prefilter.h - which rule literals a line holds, in one pass whatever the
 * number of rules: Wu-Manber over hashed four-byte blocks (literals are
 * long, so most of a line is skipped), memmem for the few short literals.
 * Rules are grouped by the program whose lines they read: a line's program
 * picks its group, a line of a program no rule names is not searched at
 * all, and each group's window is its own shortest literal (the longer, the
 * farther each step jumps). */
#ifndef EW_PREFILTER_H
#define EW_PREFILTER_H

#include "core/index.h"
#include "rules/rules.h"

#define EW_WM_BLOCK 4                     /* bytes hashed per step */
#define EW_WM_HASH_BITS 16                /* a block's hash: 64 KB of shifts */
#define EW_WM_TABLE (1u << EW_WM_HASH_BITS)
#define EW_WM_MIN_LITERAL 4               /* shorter literals go to memmem */
#define EW_WM_MAX_WINDOW 64               /* the window never exceeds this */

/* One group's search: the rules of one program, or all of them. */
typedef struct ew_wm {
    size_t window;   /* the shortest long literal of the group, capped */
    uint8_t *shift;  /* EW_WM_TABLE entries: how far a window ending in block h moves */
    uint64_t *near;  /* bit h: shift[h] is below the default (8 KB, stays in L1) */
    size_t dflt;     /* the shift of a block no literal holds */
    uint32_t *ends;  /* hash of each long literal's window-ending block, sorted */
    uint32_t *items; /* the rule of each entry of ends */
    uint32_t *heads; /* the first 4 bytes of each entry's literal, as loaded */
    size_t nitems;
    uint32_t *shorts; /* rules with short literals */
    size_t nshorts;
} ew_wm;

typedef struct ew_prefilter {
    size_t nrules;
    size_t nwords;        /* 64-bit words of a hit set */
    const ew_rule *rules; /* the ruleset's array (not owned) */
    ew_wm any;            /* every rule: for lines that name no program */
    ew_wm *groups;        /* one per program named by a rule */
    const char **programs; /* groups[i]'s program (the rules' strings) */
    size_t *program_len;
    size_t ngroups;
    ew_index index;         /* groups by program */
} ew_prefilter;

/* Built from the rules loaded; rebuild after loading more. 0, or
 * EWDIAG_ENOMEM. */
int ew_prefilter_build(ew_prefilter *pf, const ew_ruleset *rs);
void ew_prefilter_free(ew_prefilter *pf);

/* The group for lines of program p[0..n); n == 0 (the line names none):
 * every rule's. NULL when no rule reads that program's lines. */
const ew_wm *ew_prefilter_group(const ew_prefilter *pf, const char *p, size_t n);

/* Sets bit i of hits (nwords words, cleared by the caller) for each rule i
 * of group g whose literal occurs in s, and at[i] to where it first does.
 * Returns whether any did. */
bool ew_prefilter_scan(const ew_prefilter *pf, const ew_wm *g, const char *s, size_t n,
                       uint64_t *hits, size_t *at);

static inline bool ew_hit(const uint64_t *hits, size_t i)
{
    return (hits[i / 64] >> (i % 64)) & 1u;
}

#endif /* EW_PREFILTER_H */
