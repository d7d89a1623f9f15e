/* test_forecast.c - the forecast's pieces (issue 10): the expiry window's
 * edges, whether a node enforces the check, the origins requests give, and
 * the host of an MRA target. The whole, on real captures, is in the golden
 * cases forecast-* and tests/python/test_fixtures.py. */
#include "analysis/forecast_int.h"

#include <check.h>

#include "harness.h"
#include <stdlib.h>

#define DAY EW_US_PER_DAY
#define AT (INT64_C(1764950400) * INT64_C(1000000)) /* 2025-12-05T16:00:00Z */
#define WINDOW (30 * DAY)

START_TEST(test_expiry_edges)
{
    long long days = 99;
    ck_assert_int_eq(ew_expiry_at(AT + WINDOW + 1, AT, WINDOW, &days), EW_EXPIRY_NONE);
    ck_assert_int_eq(days, 30);
    ck_assert_int_eq(ew_expiry_at(AT + WINDOW, AT, WINDOW, &days), EW_EXPIRY_SOON);
    ck_assert_int_eq(days, 30);
    ck_assert_int_eq(ew_expiry_at(AT + WINDOW - 1, AT, WINDOW, &days), EW_EXPIRY_SOON);
    ck_assert_int_eq(days, 29);
    ck_assert_int_eq(ew_expiry_at(AT, AT, WINDOW, &days), EW_EXPIRY_SOON);
    ck_assert_int_eq(days, 0);
    ck_assert_int_eq(ew_expiry_at(AT - 1, AT, WINDOW, &days), EW_EXPIRY_EXPIRED);
    ck_assert_int_eq(days, -1);
    ck_assert_int_eq(ew_expiry_at(AT - DAY, AT, WINDOW, &days), EW_EXPIRY_EXPIRED);
    ck_assert_int_eq(days, -1);
    ck_assert_int_eq(ew_expiry_at(AT - DAY - 1, AT, WINDOW, &days), EW_EXPIRY_EXPIRED);
    ck_assert_int_eq(days, -2);
    /* A window of 0 days: only what has ended. */
    ck_assert_int_eq(ew_expiry_at(AT + 1, AT, 0, &days), EW_EXPIRY_NONE);
    ck_assert_str_eq(ew_expiry_name(EW_EXPIRY_SOON), "expiring");
    ck_assert_str_eq(ew_expiry_name(EW_EXPIRY_EXPIRED), "expired");
}
END_TEST

/* A node named name with version and verify (NULL: unknown). */
static void node_set(ew_nodes *ns, const char *name, const char *version, const char *verify)
{
    ew_node *n;
    ck_assert_int_eq(ew_nodes_get(ns, name, strlen(name), &n), 0);
    ck_assert_ptr_nonnull(n);
    n->version = version ? ew_strdup(version) : NULL;
    n->verify_origin = verify ? ew_strdup(verify) : NULL;
}

static ew_enforcement enforcement(const char *version, const char *verify, int enforced_group)
{
    ew_nodes ns = {.max = 4};
    node_set(&ns, "vcsc", version, verify);
    ew_groups gs;
    ew_group_limits lim = {.evidence = 1, .max_groups = 1};
    ew_groups_init(&gs, &lim);
    ew_group g = {0}, *pg = &g;
    g.node = "vcsc";
    g.enforced = enforced_group;
    if (enforced_group >= 0) {
        gs.v = &pg;
        gs.n = 1;
    }
    const char *v;
    ew_enforcement e = ew_node_enforcement(&ns, &gs, "vcsc", &v);
    if (version)
        ck_assert_str_eq(v, version);
    gs.v = NULL;
    gs.n = 0;
    ew_groups_free(&gs);
    ew_nodes_free(&ns);
    return e;
}

START_TEST(test_enforcement)
{
    ck_assert_int_eq(enforcement("X14.1.2", "On", -1), EW_ENF_BEFORE_X14_2);
    ck_assert_int_eq(enforcement("X14.0", NULL, -1), EW_ENF_BEFORE_X14_2);
    ck_assert_int_eq(enforcement("X12.7.1", "On", -1), EW_ENF_BEFORE_X14_2);
    ck_assert_int_eq(enforcement("X14.2", "On", -1), EW_ENF_ENFORCED);
    ck_assert_int_eq(enforcement("X14.2.0", NULL, -1), EW_ENF_ENFORCED);
    ck_assert_int_eq(enforcement("X15.0.1", "On", -1), EW_ENF_ENFORCED);
    ck_assert_int_eq(enforcement("X14.2.1", "Off", -1), EW_ENF_VERIFY_OFF);
    ck_assert_int_eq(enforcement("X14.2.1", "off", -1), EW_ENF_VERIFY_OFF);
    ck_assert_int_eq(enforcement("X14.2.1", "On", 0), EW_ENF_CONTINUE_ONLY);
    ck_assert_int_eq(enforcement(NULL, NULL, 0), EW_ENF_CONTINUE_ONLY);
    ck_assert_int_eq(enforcement(NULL, NULL, -1), EW_ENF_UNKNOWN);
    /* A refusal in the log wins over what the dumps say. */
    ck_assert_int_eq(enforcement("X14.1.2", "Off", 1), EW_ENF_ENFORCED);
    ck_assert_str_eq(ew_forecast_section(EW_ENF_BEFORE_X14_2), "before-upgrade");
    ck_assert_str_eq(ew_forecast_section(EW_ENF_VERIFY_OFF), "before-verification");
    ck_assert_str_eq(ew_forecast_section(EW_ENF_ENFORCED), "before-expiry");
}
END_TEST

static int request(ew_origins *os, const char *node, const char *ip, unsigned port,
                   const char *host, int64_t ts)
{
    ew_origin_request r = {ew_span_make(node, strlen(node)), ts, ip, port, host};
    return ew_origins_request(os, &r);
}

START_TEST(test_origins_from_requests)
{
    ew_origins os = {0};
    ck_assert_int_eq(request(&os, "vcsc", "10.48.36.215", 8443, "cucm.steven.lab", 3), 0);
    ck_assert_int_eq(request(&os, "vcsc", "10.48.36.215", 8443, "CUCM.steven.lab", 1), 0);
    ck_assert_int_eq(request(&os, "vcsc", "10.48.36.215", 6972, "cucm.steven.lab", 2), 0);
    ck_assert_int_eq(request(&os, "vcsc", "10.48.36.215", 8443, "10.48.36.215", 2), 0);
    ck_assert_int_eq(request(&os, "vcsd", "10.48.36.215", 8443, "cucm.steven.lab", 2), 0);
    ck_assert_uint_eq(os.n, 4);
    ck_assert_str_eq(os.v[0]->name, "cucm.steven.lab");
    ck_assert_uint_eq(os.v[0]->requests, 2);
    ck_assert_int_eq(os.v[0]->first_seen, 1);
    ck_assert_int_eq(os.v[0]->last_seen, 3);
    ck_assert_uint_eq(os.v[0]->from, EW_FROM_REQUEST);
    for (unsigned p = 1; p <= EW_MAX_ORIGINS; p++)
        ck_assert_int_eq(request(&os, "vcsc", "192.0.2.1", p, "", 0), 0);
    ck_assert_uint_eq(os.n, EW_MAX_ORIGINS);
    ck_assert_uint_eq(os.dropped, 4);
    ew_origins_free(&os);
}
END_TEST

START_TEST(test_mra_host)
{
    char host[EW_MRA_MAX];
    ck_assert_int_eq(ew_mra_host("steven.lab/https/cucm.steven.lab/6972", host, sizeof host), 0);
    ck_assert_str_eq(host, "cucm.steven.lab");
    ck_assert_int_eq(ew_mra_host("steven.lab/https/10.48.36.215/8443", host, sizeof host), 0);
    ck_assert_str_eq(host, "10.48.36.215");
    ck_assert_int_eq(ew_mra_host("steven.lab/https/cucm", host, sizeof host), 0);
    ck_assert_str_eq(host, "cucm");
    ck_assert_int_eq(ew_mra_host("steven.lab/https//8443", host, sizeof host), -1);
    ck_assert_int_eq(ew_mra_host("steven.lab/https", host, sizeof host), -1);
    ck_assert_int_eq(ew_mra_host("steven.lab/https/abcdef/1", host, 4), 0);
    ck_assert_str_eq(host, "abc");
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("forecast");
    TCase *tc = tcase_create("forecast");
    tcase_add_test(tc, test_expiry_edges);
    tcase_add_test(tc, test_enforcement);
    tcase_add_test(tc, test_origins_from_requests);
    tcase_add_test(tc, test_mra_host);
    suite_add_tcase(s, tc);
    return s;
}
