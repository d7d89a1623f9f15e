/* match.h - run one rule's pattern on one line, within PCRE2 limits. */
#ifndef EW_MATCH_H
#define EW_MATCH_H

#include "rules/rules.h"

typedef struct ew_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    uint32_t max_groups;
    uint64_t limit_hits; /* lines skipped because a limit stopped a pattern */
    /* The last match: its line, and its captures as PCRE2 left them (read
     * when asked for: most lines' events use two or three of them). */
    const char *line;
    size_t len;
    const PCRE2_SIZE *ov;
    uint32_t nset; /* captures 0..nset-1 may be set */
} ew_matcher;

/* 0, or EWDIAG_ENOMEM. */
int ew_matcher_init(ew_matcher *m, uint32_t max_groups, uint32_t match_limit,
                    uint32_t depth_limit);
void ew_matcher_free(ew_matcher *m);

typedef enum ew_match_result {
    EW_MATCH_NONE,   /* the pattern does not match the line */
    EW_MATCH_FOUND,  /* it does: its captures are ew_match_group's */
    EW_MATCH_STOPPED /* a PCRE2 limit or error stopped it (counted in limit_hits) */
} ew_match_result;

/* Runs r's pattern on the line, trying matches from offset from on (not
 * past len; 0, or where r's literal first occurs when r->lead_literal);
 * the caller has checked r's literal first. */
ew_match_result ew_match(ew_matcher *m, const ew_rule *r, const char *line, size_t len,
                         size_t from);

/* Capture g (0: the whole match) of the last match, empty if unset. */
static inline ew_span ew_match_group(const ew_matcher *m, uint32_t g)
{
    if (g >= m->nset)
        return ew_span_make(NULL, 0);
    PCRE2_SIZE a = m->ov[2 * (size_t)g], b = m->ov[2 * (size_t)g + 1];
    if (a == PCRE2_UNSET || b < a || b > m->len)
        return ew_span_make(NULL, 0);
    return ew_span_make(m->line + a, b - a);
}

/* The capture of well-known field f of the last match of r, empty if none. */
static inline ew_span ew_match_field(const ew_matcher *m, const ew_rule *r, ew_field f)
{
    uint32_t g = r->field[f];
    return g ? ew_match_group(m, g) : ew_span_make(NULL, 0);
}

#endif /* EW_MATCH_H */
