/* torture.c - every allocation fails in turn, as curl's torture tests do:
 * on a few fixtures, the N-th allocation of an analysis (the library's own,
 * and jansson's while reports are written: this program routes its
 * allocator through the counter) fails, for N = 1, 2, ... until an
 * analysis needs no more; the same for loading the rules. Each run must end
 * with EWDIAG_ENOMEM or what a run without failure ends with, never crash; the analyzer must still
 * work afterwards; a run that says OK must give the very report a run
 * without failure gives; and nothing may leak (the sanitizer build's leak
 * checker, at exit). Built with -Dalloc_torture=true.
 *   torture [FIXTURE...]   (default: the fixtures below; $EWDIAG_RULES) */
#include <ewdiag.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static const char *const default_fixtures[] = {
    "fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz",
    "fixtures/captures/selfsigned-rsa/diagnostic_log_vcsc_2026-11-22_08_49_36.tar.gz",
    "fixtures/captures/no-intermediate/diagnostic_log_vcsc_2026-11-22_08_50_13.tar.gz",
    "fixtures/ats/ats-diags.tar.gz",
    "fixtures/bad/truncated.tar.gz",
};

static const ewdiag_format formats[] = {EWDIAG_FORMAT_JSON, EWDIAG_FORMAT_TEXT,
                                        EWDIAG_FORMAT_HTML};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* jansson's allocations count too, but only while reports are written:
 * its parser, which loads the rules, takes a failed allocation for a
 * syntax error, which no code of ours can tell apart. */
static bool jansson_counted;

static void *counted_malloc(size_t n)
{
    return jansson_counted ? ew_malloc(n) : malloc(n);
}

static const char *rules_dir(void)
{
    const char *d = getenv("EWDIAG_RULES");
    return d && *d ? d : "rules";
}

/* An analyzer on one thread (so that the count of allocations is the same
 * run after run); NULL when out of memory. */
static ewdiag_analyzer *make_analyzer(int *rc)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    *rc = a ? ewdiag_analyzer_set_option(a, "threads", "1") : EWDIAG_ENOMEM;
    if (*rc == EWDIAG_OK)
        *rc = ewdiag_analyzer_load_rules(a, rules_dir());
    if (*rc != EWDIAG_OK) {
        ewdiag_analyzer_free(a);
        return NULL;
    }
    return a;
}

/* One analysis and its serializations into out[]: the analysis' code, or
 * EWDIAG_ENOMEM when a serialization failed. */
static int run_once(ewdiag_analyzer *a, const char *path, char *out[NFORMATS])
{
    for (size_t i = 0; i < NFORMATS; i++)
        out[i] = NULL;
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        return EWDIAG_ENOMEM;
    int rc = ewdiag_analyze_path(a, r, path);
    /* A report is written whatever the analysis said (a failed input is
     * listed too). */
    for (size_t i = 0; rc != EWDIAG_ENOMEM && i < NFORMATS; i++)
        if (!(out[i] = ewdiag_report_serialize(r, formats[i], 0, NULL)))
            rc = EWDIAG_ENOMEM;
    ewdiag_report_free(r);
    return rc;
}

static void free_out(char *out[NFORMATS])
{
    for (size_t i = 0; i < NFORMATS; i++)
        free(out[i]);
}

/* Loading the rules, each allocation failing in turn. */
static int torture_load(void)
{
    unsigned long k = 0, runs = 0;
    for (;;) {
        ew_alloc_torture(++k);
        int rc;
        ewdiag_analyzer *a = make_analyzer(&rc);
        unsigned long made = ew_alloc_count();
        ew_alloc_torture(0);
        ewdiag_analyzer_free(a);
        runs++;
        if (rc != EWDIAG_OK && rc != EWDIAG_ENOMEM) {
            fprintf(stderr, "FAIL loading rules, allocation %lu failed: code %d\n", k, rc);
            return 1;
        }
        if (k > made)
            break;
    }
    printf("ok loading rules: %lu runs\n", runs);
    return 0;
}

static int torture_fixture(ewdiag_analyzer *a, const char *path)
{
    char *want[NFORMATS], *got[NFORMATS];
    /* A first run builds what the analyzer keeps (the scanner...). */
    ew_alloc_torture(0);
    if (run_once(a, path, want) != EWDIAG_ENOMEM)
        free_out(want);
    ew_alloc_torture(0);
    int want_rc = run_once(a, path, want);
    if (want_rc == EWDIAG_ENOMEM) {
        fprintf(stderr, "FAIL %s: the run without failure ran out of memory\n", path);
        return 1;
    }
    unsigned long total = ew_alloc_count(), k;
    int bad = 0;
    for (k = 1; k <= total && !bad; k++) {
        ew_alloc_torture(k);
        int rc = run_once(a, path, got);
        ew_alloc_torture(0);
        /* Out of memory said, or the very result of a run without failure:
         * a failure turned into something else is a bug. */
        if (rc != want_rc && rc != EWDIAG_ENOMEM) {
            fprintf(stderr, "FAIL %s: allocation %lu failed: code %d (without failure: %d)\n",
                    path, k, rc, want_rc);
            bad = 1;
        }
        for (size_t i = 0; rc == want_rc && !bad && i < NFORMATS; i++)
            if (strcmp(got[i], want[i]) != 0) {
                fprintf(stderr, "FAIL %s: allocation %lu failed, yet a report said OK and "
                        "differs (format %zu)\n", path, k, i);
                bad = 1;
            }
        free_out(got);
    }
    /* The analyzer still works as before. */
    if (!bad && (run_once(a, path, got) != want_rc || strcmp(got[0], want[0]) != 0)) {
        fprintf(stderr, "FAIL %s: the analyzer does not work after the failures\n", path);
        bad = 1;
    }
    if (!bad)
        free_out(got);
    free_out(want);
    if (!bad)
        printf("ok %s: %lu allocations, each failed once\n", path, total);
    return bad;
}

int main(int argc, char **argv)
{
    json_set_alloc_funcs(counted_malloc, free);
    int bad = torture_load();
    int rc;
    ewdiag_analyzer *a = make_analyzer(&rc);
    jansson_counted = true;
    if (!a) {
        fprintf(stderr, "FAIL cannot load the rules: %d\n", rc);
        return 1;
    }
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            bad |= torture_fixture(a, argv[i]);
    else
        for (size_t i = 0; i < sizeof default_fixtures / sizeof *default_fixtures; i++)
            bad |= torture_fixture(a, default_fixtures[i]);
    ewdiag_analyzer_free(a);
    return bad ? 1 : 0;
}
