/* match.c - one rule's pattern on one line, bounded by PCRE2's limits. */
#include "rules/match.h"

#include <stdlib.h>

/* JIT stack: enough for our patterns; the match limit bounds the work. */
#define EW_JIT_STACK_MIN (32u * 1024u)
#define EW_JIT_STACK_MAX (512u * 1024u)

int ew_matcher_init(ew_matcher *m, uint32_t max_groups, uint32_t match_limit,
                    uint32_t depth_limit)
{
    memset(m, 0, sizeof *m);
    m->max_groups = max_groups;
    m->md = pcre2_match_data_create(max_groups + 1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    if (!m->md || !m->mctx) {
        ew_matcher_free(m);
        return EWDIAG_ENOMEM;
    }
    pcre2_set_match_limit(m->mctx, match_limit);
    pcre2_set_depth_limit(m->mctx, depth_limit);
    m->jit_stack = pcre2_jit_stack_create(EW_JIT_STACK_MIN, EW_JIT_STACK_MAX, NULL);
    if (m->jit_stack)
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    return 0;
}

void ew_matcher_free(ew_matcher *m)
{
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    memset(m, 0, sizeof *m);
}

ew_match_result ew_match(ew_matcher *m, const ew_rule *r, const char *line, size_t len,
                         size_t from)
{
    if (r->ngroups > m->max_groups)
        return EW_MATCH_STOPPED;
    /* The JIT entry point skips pcre2_match()'s checks of what we know. */
    PCRE2_SIZE at = EW_MIN(from, len);
    int rc = r->jit ? pcre2_jit_match(r->code, (PCRE2_SPTR)line, len, at, 0, m->md, m->mctx)
                    : pcre2_match(r->code, (PCRE2_SPTR)line, len, at, 0, m->md, m->mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return EW_MATCH_NONE;
    if (rc < 0) {
        m->limit_hits++;
        return EW_MATCH_STOPPED;
    }
    /* rc is one more than the highest group set; unset groups below it
     * hold PCRE2_UNSET. */
    m->line = line;
    m->len = len;
    m->ov = pcre2_get_ovector_pointer(m->md);
    m->nset = (uint32_t)rc;
    return EW_MATCH_FOUND;
}
