/* test_threads.c - the thread rule of ewdiag.h: one analyzer per thread,
 * each with its own reports, gives the very reports a single thread gives.
 *
 * Four threads, each with its own analyzer (rules loaded in the thread),
 * analyze ten rounds at once. In each round every thread analyzes a fixture
 * of its own (a different one per thread) and then the same fixture as all
 * the others; every report, as JSON and as text, must equal the one made
 * beforehand on the main thread. The fixtures cover logs, nested archives,
 * ATS logs, captures with certificates and trust stores, and broken inputs.
 * Run it under the sanitizer build, and once under helgrind:
 *   valgrind --tool=helgrind build/tests/test_threads   (CK_FORK=no) */
#include <ewdiag.h>

#include <check.h>

#include "harness.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NTHREADS 4
#define ROUNDS 10
#define FORMATS 2

static const char *const fixtures[] = {
    "fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz",
    "fixtures/captures/selfsigned-rsa/diagnostic_log_vcsc_2026-11-22_08_49_36.tar.gz",
    "fixtures/captures/no-intermediate/diagnostic_log_vcsc_2026-11-22_08_50_13.tar.gz",
    "fixtures/captures/inventory.pcapng",
    "fixtures/cluster/diagnostic_log_vcsd_2022-07-11_17_40_00.tar.gz",
    "fixtures/ats/ats-diags.tar.gz",
    "fixtures/nested",
    "fixtures/bad/truncated.tar.gz",
    "tests/bad/tls-cert-garbage-der.tar.gz",
    "tests/bad/pcap-bad-magic.pcap",
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static const ewdiag_format formats[FORMATS] = {EWDIAG_FORMAT_JSON, EWDIAG_FORMAT_TEXT};

/* The single-threaded reports, per fixture and format. */
static char *expected[NFIX][FORMATS];
static int expected_rc[NFIX];

static ewdiag_analyzer *new_analyzer(void)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    if (a && ewdiag_analyzer_load_rules(a, ew_test_rules_dir()) != EWDIAG_OK) {
        ewdiag_analyzer_free(a);
        return NULL;
    }
    return a;
}

/* Analyzes one fixture into a report of its own; its serializations. */
static int analyze(ewdiag_analyzer *a, size_t fix, char *out[FORMATS])
{
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        return EWDIAG_ENOMEM;
    int rc = ewdiag_analyze_path(a, r, fixtures[fix]);
    for (size_t f = 0; f < FORMATS; f++)
        out[f] = ewdiag_report_serialize(r, formats[f], EWDIAG_WRITE_COMPACT, NULL);
    ewdiag_report_free(r);
    return rc;
}

typedef struct worker {
    pthread_t thread;
    size_t index;
    pthread_barrier_t *barrier;
    unsigned analyses;
    unsigned mismatches;
    char first[512]; /* what the first mismatch was */
} worker;

static void compare(worker *w, unsigned round, size_t fix, int rc, char *got[FORMATS])
{
    w->analyses++;
    for (size_t f = 0; f < FORMATS; f++) {
        bool same = got[f] && expected[fix][f] && strcmp(got[f], expected[fix][f]) == 0;
        if (!same || rc != expected_rc[fix]) {
            if (!w->mismatches++)
                snprintf(w->first, sizeof w->first,
                         "thread %zu, round %u, %s, %s: rc %d (expected %d), report %s", w->index,
                         round, fixtures[fix], f ? "text" : "json", rc, expected_rc[fix],
                         !got[f] ? "missing" : same ? "equal" : "differs");
        }
        free(got[f]);
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    ewdiag_analyzer *a = new_analyzer();
    /* Everyone starts together, rules loaded or not. */
    pthread_barrier_wait(w->barrier);
    if (!a) {
        w->mismatches++;
        snprintf(w->first, sizeof w->first, "thread %zu: no analyzer, or its rules did not load",
                 w->index);
    }
    for (unsigned round = 0; round < ROUNDS; round++) {
        if (a) {
            /* A fixture of its own: the threads work on different ones. */
            size_t own = (w->index + round) % NFIX;
            char *got[FORMATS];
            int rc = analyze(a, own, got);
            compare(w, round, own, rc, got);
        }
        /* Then all on the same one at once. */
        pthread_barrier_wait(w->barrier);
        if (a) {
            size_t same = round % NFIX;
            char *got[FORMATS];
            int rc = analyze(a, same, got);
            compare(w, round, same, rc, got);
        }
    }
    ewdiag_analyzer_free(a);
    return NULL;
}

static void setup(void)
{
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_msg(a != NULL, "rules from %s did not load", ew_test_rules_dir());
    for (size_t i = 0; i < NFIX; i++) {
        ck_assert_msg(access(fixtures[i], R_OK) == 0, "%s: missing (run from the source root)",
                      fixtures[i]);
        expected_rc[i] = analyze(a, i, expected[i]);
        for (size_t f = 0; f < FORMATS; f++)
            ck_assert_msg(expected[i][f] != NULL, "%s: no report", fixtures[i]);
    }
    ewdiag_analyzer_free(a);
}

static void teardown(void)
{
    for (size_t i = 0; i < NFIX; i++)
        for (size_t f = 0; f < FORMATS; f++) {
            free(expected[i][f]);
            expected[i][f] = NULL;
        }
}

START_TEST(test_reference_is_stable)
{
    /* The same analyzer twice in a row gives the same reports: the ground
     * truth the threads are held to. */
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < NFIX; i++) {
        char *got[FORMATS];
        int rc = analyze(a, i, got);
        ck_assert_int_eq(rc, expected_rc[i]);
        for (size_t f = 0; f < FORMATS; f++) {
            ck_assert_ptr_nonnull(got[f]);
            ck_assert_msg(strcmp(got[f], expected[i][f]) == 0, "%s: report differs", fixtures[i]);
            free(got[f]);
        }
    }
    ewdiag_analyzer_free(a);
}
END_TEST

START_TEST(test_threads_match_single)
{
    pthread_barrier_t barrier;
    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
    worker w[NTHREADS];
    memset(w, 0, sizeof w);
    for (size_t i = 0; i < NTHREADS; i++) {
        w[i].index = i;
        w[i].barrier = &barrier;
        ck_assert_int_eq(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
    }
    unsigned analyses = 0;
    for (size_t i = 0; i < NTHREADS; i++) {
        ck_assert_int_eq(pthread_join(w[i].thread, NULL), 0);
        analyses += w[i].analyses;
    }
    pthread_barrier_destroy(&barrier);
    for (size_t i = 0; i < NTHREADS; i++)
        ck_assert_msg(w[i].mismatches == 0, "%u mismatches; the first: %s", w[i].mismatches,
                      w[i].first);
    ck_assert_uint_eq(analyses, NTHREADS * ROUNDS * 2);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("one analyzer per thread");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    /* Slow under valgrind's tools; the default suits the others. */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_reference_is_stable);
    tcase_add_test(tc, test_threads_match_single);
    suite_add_tcase(s, tc);
    return s;
}
