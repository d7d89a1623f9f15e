/* test_roles.c - entry roles, hosts and compression suffixes from file
 * names alone (names from the admin guide's bundle list, domain.md). */
#include "input/kind.h"
#include "scan/scan.h"

#include <check.h>

#include "harness.h"
#include <stdio.h>
#include <stdlib.h>

#define STAMP "2022-07-11_16_55_44"
#define STRIP_BUF 256
#define SMALL_CAP 8

/* The scan stage's registry of kinds, as an analysis walks with it. */
static void expect_role(const char *name, ew_role want)
{
    const ew_kinds kinds = {ew_scan_kind_table, ew_scan_kind_count, NULL};
    ew_role got = ew_role_of(&kinds, name);
    ck_assert_msg(got == want, "ew_role_of(\"%s\") = %s, want %s", name, ew_role_name(got),
                  ew_role_name(want));
}

/* ew_host_from_name() gives want (NUL-terminated copy compared). */
static void expect_host(const char *name, const char *want)
{
    ew_span host = {0};
    ck_assert_msg(ew_host_from_name(name, &host), "no host found in \"%s\"", name);
    ck_assert_msg(ew_span_eq(host, want), "host of \"%s\" is \"%.*s\", want \"%s\"", name,
                  (int)host.n, host.p ? host.p : "", want);
}

static void expect_no_host(const char *name)
{
    ew_span host = {0};
    ck_assert_msg(!ew_host_from_name(name, &host), "\"%s\" gave host \"%.*s\", want none", name,
                  (int)host.n, host.p ? host.p : "");
}

static void expect_strip(const char *name, size_t cap, const char *want)
{
    char out[STRIP_BUF];
    ck_assert_uint_le(cap, sizeof out);
    memset(out, 'X', sizeof out);
    ew_strip_compression(name, out, cap);
    ck_assert_msg(strcmp(out, want) == 0, "ew_strip_compression(\"%s\", %zu) = \"%s\", want \"%s\"",
                  name, cap, out, want);
}

START_TEST(test_role_log)
{
    expect_role("loggingsnapshot_vcsc_" STAMP ".txt", EW_ROLE_LOG);
    expect_role("bundle/loggingsnapshot_vcsc_" STAMP ".txt", EW_ROLE_LOG);
    expect_role("a/b/c/d/e/loggingsnapshot_vcsc_" STAMP ".txt", EW_ROLE_LOG);
}
END_TEST

START_TEST(test_role_dumps)
{
    expect_role("a/b/c/xconf_dump_vcsc_" STAMP ".txt", EW_ROLE_XCONF);
    expect_role("a/b/c/xconf_dump_vcsc_" STAMP ".xml", EW_ROLE_XCONF);
    expect_role("xstat_dump_vcsc_" STAMP ".xml", EW_ROLE_XSTAT);
    expect_role("x/xstat_dump_vcsc_" STAMP ".txt", EW_ROLE_XSTAT);
}
END_TEST

START_TEST(test_role_capture)
{
    expect_role("eth0_diagnostic_logging_tcpdump00_vcsc_" STAMP ".pcap", EW_ROLE_CAPTURE);
    expect_role("d/eth1_diagnostic_logging_tcpdump19_vcsc_" STAMP ".pcap", EW_ROLE_CAPTURE);
}
END_TEST

START_TEST(test_role_certificates)
{
    expect_role("ca_vcsc_" STAMP ".pem", EW_ROLE_TRUSTED_CA);
    expect_role("server_vcsc_" STAMP ".pem", EW_ROLE_SERVER_CERT);
    expect_role("deep/er/ca_vcsc_" STAMP ".pem", EW_ROLE_TRUSTED_CA);
    expect_role("deep/er/server_vcsc_" STAMP ".pem", EW_ROLE_SERVER_CERT);
}
END_TEST

START_TEST(test_role_ats_logs)
{
    expect_role("diags.log", EW_ROLE_ATS_LOG);
    expect_role("diags.log.1", EW_ROLE_ATS_LOG);
    expect_role("error.log", EW_ROLE_ATS_LOG);
    expect_role("var/log/trafficserver/diags.log", EW_ROLE_ATS_LOG);
}
END_TEST

START_TEST(test_role_archives)
{
    expect_role("x.tar.gz", EW_ROLE_ARCHIVE);
    expect_role("x.TGZ", EW_ROLE_ARCHIVE);
    expect_role("x.zip", EW_ROLE_ARCHIVE);
    expect_role("x.tar", EW_ROLE_ARCHIVE);
    expect_role("a/b/diagnostic_log_vcsc_" STAMP ".tar.gz", EW_ROLE_ARCHIVE);
}
END_TEST

/* A compressed single file keeps the role of what it holds; any other
 * compressed file is opened as an archive. */
START_TEST(test_role_compressed_single_file)
{
    expect_role("loggingsnapshot_x.txt.gz", EW_ROLE_LOG);
    expect_role("a/loggingsnapshot_vcsc_" STAMP ".txt.gz", EW_ROLE_LOG);
    expect_role("diags.log.gz", EW_ROLE_ATS_LOG);
    expect_role("foo.txt.gz", EW_ROLE_ARCHIVE);
}
END_TEST

START_TEST(test_role_other)
{
    expect_role("random.txt", EW_ROLE_OTHER);
    expect_role("a/b/random.txt", EW_ROLE_OTHER);
    expect_role("README", EW_ROLE_OTHER);
    /* The prefix is of the base name, not of a folder. */
    expect_role("loggingsnapshot_dir/random.txt", EW_ROLE_OTHER);
}
END_TEST

START_TEST(test_host_each_bundle_file)
{
    expect_host("loggingsnapshot_vcsc_" STAMP ".txt", "vcsc");
    expect_host("xconf_dump_vcsc_" STAMP ".txt", "vcsc");
    expect_host("xconf_dump_vcsc_" STAMP ".xml", "vcsc");
    expect_host("xstat_dump_vcsc_" STAMP ".xml", "vcsc");
    expect_host("ca_vcsc_" STAMP ".pem", "vcsc");
    expect_host("server_vcsc_" STAMP ".pem", "vcsc");
    expect_host("eth0_diagnostic_logging_tcpdump00_vcsc_" STAMP ".pcap", "vcsc");
}
END_TEST

START_TEST(test_host_at_depth)
{
    expect_host("a/b/c/loggingsnapshot_vcsc_" STAMP ".txt", "vcsc");
    expect_host("x/y/eth1_diagnostic_logging_tcpdump07_vcsc_" STAMP ".pcap", "vcsc");
}
END_TEST

START_TEST(test_host_with_underscore_and_dash)
{
    expect_host("loggingsnapshot_exp_c-01_" STAMP ".txt", "exp_c-01");
    expect_host("xstat_dump_exp_c-01_" STAMP ".xml", "exp_c-01");
    expect_host("ca_exp_c-01_" STAMP ".pem", "exp_c-01");
    expect_host("eth0_diagnostic_logging_tcpdump00_exp_c-01_" STAMP ".pcap", "exp_c-01");
}
END_TEST

START_TEST(test_host_absent)
{
    expect_no_host("loggingsnapshot_vcsc.txt");
    expect_no_host("xconf_dump_vcsc_2022-07-11.txt");
    expect_no_host("diags.log");
    expect_no_host("random.txt");
    expect_no_host("random_vcsc_" STAMP ".txt");
    /* A stamp with no host before it. */
    expect_no_host("loggingsnapshot__" STAMP ".txt");
    /* A stamp cut short. */
    expect_no_host("loggingsnapshot_vcsc_2022-07-11_16_55_4");
    expect_no_host("eth0_diagnostic_logging_tcpdump00.pcap");
}
END_TEST

START_TEST(test_strip_compression)
{
    expect_strip("loggingsnapshot_x.txt.gz", STRIP_BUF, "loggingsnapshot_x.txt");
    expect_strip("a.txt.bz2", STRIP_BUF, "a.txt");
    expect_strip("a.txt.xz", STRIP_BUF, "a.txt");
    expect_strip("a.txt.zst", STRIP_BUF, "a.txt");
    expect_strip("a.txt.GZ", STRIP_BUF, "a.txt");
    expect_strip("a.tar.gz", STRIP_BUF, "a.tar");
    expect_strip("a.txt", STRIP_BUF, "a.txt");
    expect_strip("diags.log", STRIP_BUF, "diags.log");
    expect_strip("", STRIP_BUF, "");
    /* Only the last suffix goes. */
    expect_strip("a.gz.gz", STRIP_BUF, "a.gz");
}
END_TEST

START_TEST(test_strip_compression_cut_to_fit)
{
    expect_strip("loggingsnapshot_x.txt.gz", SMALL_CAP, "logging");
    expect_strip("abcdefghij", SMALL_CAP, "abcdefg");
    expect_strip("abc.gz", 1, "");
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("roles");
    TCase *tc = tcase_create("role");
    tcase_add_test(tc, test_role_log);
    tcase_add_test(tc, test_role_dumps);
    tcase_add_test(tc, test_role_capture);
    tcase_add_test(tc, test_role_certificates);
    tcase_add_test(tc, test_role_ats_logs);
    tcase_add_test(tc, test_role_archives);
    tcase_add_test(tc, test_role_compressed_single_file);
    tcase_add_test(tc, test_role_other);
    suite_add_tcase(s, tc);
    tc = tcase_create("host");
    tcase_add_test(tc, test_host_each_bundle_file);
    tcase_add_test(tc, test_host_at_depth);
    tcase_add_test(tc, test_host_with_underscore_and_dash);
    tcase_add_test(tc, test_host_absent);
    suite_add_tcase(s, tc);
    tc = tcase_create("strip");
    tcase_add_test(tc, test_strip_compression);
    tcase_add_test(tc, test_strip_compression_cut_to_fit);
    suite_add_tcase(s, tc);
    return s;
}
