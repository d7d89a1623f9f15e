/* The prefilter against memmem, the obvious oracle: every rule's literal
 * is reported exactly when it occurs in the line and the rule reads the
 * line's program, with where it first occurs. */
#include <check.h>

#include "harness.h"
#include <stdlib.h>

#include "rules/prefilter.h"

#define N_TRIALS 4000
#define LINE_MAX_LEN 300
#define SEED 12345u

static const char *const literals[] = {
    "Core server certificate verification failed for (", ") not in certificate",
    "SSL connection failed for ", "CONNECT: attempt fail", "Detail=\"Receive Request\"",
    "ab", "abc", "abcd", "ERROR", "x", "zz", "certificate", "fail", "Receive",
};

/* The rules' programs, in turn; a line may also name one no rule reads. */
static const char *const programs[] = {"traffic_server", "tvcs", "kernel"};
#define UNREAD_PROGRAM "sshd"

static ew_ruleset make_rules(size_t n)
{
    ew_ruleset rs = {0};
    rs.rules = calloc(n, sizeof *rs.rules);
    ck_assert_ptr_nonnull(rs.rules);
    rs.n = rs.cap = n;
    for (size_t i = 0; i < n; i++) {
        rs.rules[i].literal = (char *)literals[i % EW_ARRAY_LEN(literals)];
        rs.rules[i].literal_len = strlen(rs.rules[i].literal);
        rs.rules[i].program = (char *)programs[i % EW_ARRAY_LEN(programs)];
    }
    return rs;
}

/* Checks group g (of program prog, "" for a line that names none) on one
 * line against memmem. */
static void check_line(const ew_prefilter *pf, const ew_ruleset *rs, const char *prog,
                       const char *line, size_t n)
{
    const ew_wm *g = ew_prefilter_group(pf, prog, strlen(prog));
    ck_assert_ptr_nonnull(g);
    uint64_t hits[4] = {0};
    size_t at[EW_ARRAY_LEN(literals) * 6];
    ck_assert_uint_le(rs->n, EW_ARRAY_LEN(at));
    bool any = ew_prefilter_scan(pf, g, line, n, hits, at);
    bool want_any = false;
    for (size_t i = 0; i < rs->n; i++) {
        const ew_rule *r = &rs->rules[i];
        const char *p = memmem(line, n, r->literal, r->literal_len);
        bool want = p && (!*prog || strcmp(prog, r->program) == 0);
        want_any |= want;
        ck_assert_msg(ew_hit(hits, i) == want, "rule %zu (\"%s\", %s) on %s \"%.*s\": got %d", i,
                      r->literal, r->program, prog, (int)n, line, ew_hit(hits, i));
        if (want)
            ck_assert_uint_eq(at[i], (size_t)(p - line));
    }
    ck_assert(any == want_any);
}

/* Lines built from pieces of the literals, so hits and near misses abound. */
static size_t random_line(char *buf, unsigned *seed)
{
    size_t n = 0, want = (size_t)rand_r(seed) % LINE_MAX_LEN;
    while (n < want) {
        const char *lit = literals[(size_t)rand_r(seed) % EW_ARRAY_LEN(literals)];
        size_t len = strlen(lit), from = (size_t)rand_r(seed) % len;
        size_t take = 1 + (size_t)rand_r(seed) % (len - from);
        if (rand_r(seed) % 4 == 0)
            buf[n++] = (char)(' ' + rand_r(seed) % 90);
        for (size_t i = 0; i < take && n < LINE_MAX_LEN; i++)
            buf[n++] = lit[from + i];
    }
    return n;
}

static void check_against_memmem(size_t nrules)
{
    ew_ruleset rs = make_rules(nrules);
    ew_prefilter *pf = malloc(sizeof *pf);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(ew_prefilter_build(pf, &rs), 0);
    unsigned seed = SEED;
    char line[LINE_MAX_LEN];
    ck_assert_ptr_null(ew_prefilter_group(pf, UNREAD_PROGRAM, strlen(UNREAD_PROGRAM)));
    for (int t = 0; t < N_TRIALS; t++) {
        size_t n = random_line(line, &seed);
        char *exact = malloc(n ? n : 1); /* ASan sees any read past n */
        ck_assert_ptr_nonnull(exact);
        memcpy(exact, line, n);
        check_line(pf, &rs, "", exact, n);
        for (size_t k = 0; k < EW_ARRAY_LEN(programs) && k < nrules; k++)
            check_line(pf, &rs, programs[k], exact, n);
        free(exact);
    }
    ew_prefilter_free(pf);
    free(pf);
    free(rs.rules);
}

START_TEST(test_long_literals_only) { check_against_memmem(5); }
END_TEST

START_TEST(test_mixed_lengths) { check_against_memmem(EW_ARRAY_LEN(literals)); }
END_TEST

/* More rules than one 64-bit word of hits. */
START_TEST(test_many_rules) { check_against_memmem(3 * EW_ARRAY_LEN(literals) * 2); }
END_TEST

START_TEST(test_no_rules)
{
    ew_ruleset rs = {0};
    ew_prefilter *pf = malloc(sizeof *pf);
    ck_assert_ptr_nonnull(pf);
    ck_assert_int_eq(ew_prefilter_build(pf, &rs), 0);
    uint64_t hits[1] = {0};
    size_t at[1];
    ck_assert_ptr_null(ew_prefilter_group(pf, "tvcs", 4));
    const ew_wm *g = ew_prefilter_group(pf, "", 0);
    ck_assert_ptr_nonnull(g);
    ck_assert(!ew_prefilter_scan(pf, g, "anything at all", 15, hits, at));
    ew_prefilter_free(pf);
    free(pf);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("prefilter");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_long_literals_only);
    tcase_add_test(tc, test_mixed_lengths);
    tcase_add_test(tc, test_many_rules);
    tcase_add_test(tc, test_no_rules);
    suite_add_tcase(s, tc);
    return s;
}
