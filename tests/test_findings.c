/* test_findings.c - the engine through the public API: log lines in,
 * findings out, with the shipped rules (EWDIAG_RULES).
 *
 * Log lines follow the article (domain.md). Times are computed with
 * `date -u -d <UTC time> +%s`; a line prefix is local time with its
 * offset, so 18:55:26+02:00 is 16:55:26Z. */
#include <ewdiag.h>

#include <check.h>

#include "harness.h"
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUNDLE_LOG "loggingsnapshot_vcsc_2022-07-11_16_55_44.txt"
#define US_PER_SEC INT64_C(1000000)
#define US_PER_MS INT64_C(1000)
#define ANY_ENFORCED (-2)

/* date -u -d ... +%s */
#define T_2022_07_11_165526 INT64_C(1657558526) /* 18:55:26+02:00 */
#define T_2023_03_14_141245 INT64_C(1678803165) /* 09:12:45-05:00 */
#define T_2026_11_22_064600 INT64_C(1795329960)
#define T_2026_11_22_070000 INT64_C(1795330800)
#define T_2026_11_02_064601 INT64_C(1793601961)
#define YEAR_2026 2026
#define TM_YEAR_BASE 1900

#define R_UNTRUSTED "ts-origin-cert-untrusted"
#define R_SNI "ts-origin-sni-mismatch"
#define R_PLUGIN "ts-origin-plugin-refused"

#define CUCM "cucm.steven.lab"
#define CUCM_IP "10.48.36.215"
#define CUCM_SERVER CUCM "(" CUCM_IP ")"
#define MRA_URL                                                                                    \
    "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/"      \
    "CSFemusk.cnf.xml"
#define MRA_TARGET "steven.lab/https/cucm.steven.lab/6972"

/* "<local time> <host> traffic_server[<pid>]: " */
#define PFX(ts, host, pid) ts " " host " traffic_server[" pid "]: "
/* The untrusted-certificate WARNING; action is "Action=X" or "Action:X". */
#define UNTRUSTED(ts, host, target, action, error, server, depth)                                  \
    PFX(ts, host, "18242")                                                                         \
    "[ET_NET 0] WARNING: Core server certificate verification failed for (" target "). " action    \
    " Error=" error " server=" server " depth=" depth
#define CUCM_UNTRUSTED(ts) UNTRUSTED(ts, "vcsc", CUCM, "Action=Terminate", "self signed certificate", CUCM_SERVER, "0")
#define SSL_FAILED(ts, host, server)                                                               \
    PFX(ts, host, "18242")                                                                         \
    "[ET_NET 0] ERROR: SSL connection failed for '" server                                         \
    "': error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed"
#define SNI(ts, host, word, name, server)                                                          \
    PFX(ts, host, "3916")                                                                          \
    "[ET_NET 2] WARNING: " word " (" name ") not in certificate. Action=Terminate server=" server
#define TXN_HEAD(ts, utc, detail, txn)                                                             \
    PFX(ts, "vcsc", "18242")                                                                       \
    "UTCTime=\"" utc "\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"" detail   \
    "\" Txn-id=\"" txn "\" "
#define RECEIVE(ts, utc, txn, url)                                                                 \
    TXN_HEAD(ts, utc, "Receive Request", txn)                                                      \
    "TrackingID=\"bb0c8492-8c15-4537-a7d1-082dde781dbd\" Src-ip=\"127.0.0.1\" "                    \
    "Src-port=\"35766\" Last-via-addr=\"\" Msg=\"GET " url " HTTP/1.1\""
#define SEND(ts, utc, txn, ip, port)                                                               \
    TXN_HEAD(ts, utc, "Sending Request", txn)                                                      \
    "TrackingID=\"bb0c8492-8c15-4537-a7d1-082dde781dbd\" Dst-ip=\"" ip "\" Dst-port=\"" port      \
    "\" Msg=\"GET /CSFemusk.cnf.xml HTTP/1.1\""
#define RESPOND(ts, utc, txn, status)                                                              \
    TXN_HEAD(ts, utc, "Sending Response", txn)                                                     \
    "TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"35766\" Msg=\"HTTP/1.1 " status "\""

/* The explanations of ts-origin-cert-untrusted for depth 0 and depth 1,
 * {server} and {depth} filled in for cucm.steven.lab. */
#define DEPTH0_TEXT                                                                                \
    "Depth 0: the rejected certificate is the one cucm.steven.lab presented for itself. Either "   \
    "it is self-signed, or its issuer is not in the Expressway-C trust store and the server did "  \
    "not send that issuer along."
#define DEPTH1_TEXT                                                                                \
    "Depth 1: cucm.steven.lab sent a certificate chain, and the CA certificate at that level of "  \
    "the chain (the server's own certificate is depth 0) does not lead to a CA trusted by "        \
    "Expressway-C. The CAs of that chain must be added to the trust store."

/* ---- helpers ----------------------------------------------------------- */

typedef struct analysis {
    ewdiag_analyzer *a;
    ewdiag_report *r;
    char dir[PATH_MAX];
    char path[PATH_MAX + NAME_MAX + 2];
} analysis;

/* What an analysis is given beyond the text. */
typedef struct setup {
    const char *name;     /* file name; BUNDLE_LOG if NULL */
    const char *evidence; /* option "evidence"; default if NULL */
    time_t mtime;         /* file modification time; left as is if 0 */
} setup;

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Writes text as one file in a new folder and analyzes that file. */
static void analyze_with(analysis *an, const char *text, const setup *st)
{
    memset(an, 0, sizeof *an);
    snprintf(an->dir, sizeof an->dir, "%s", "/tmp/ewdiag-test-findings-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(an->dir));
    snprintf(an->path, sizeof an->path, "%s/%s", an->dir, st->name ? st->name : BUNDLE_LOG);
    write_file(an->path, text, strlen(text));
    if (st->mtime) {
        struct timeval tv[2] = {{st->mtime, 0}, {st->mtime, 0}};
        ck_assert_int_eq(utimes(an->path, tv), 0);
    }
    an->a = ewdiag_analyzer_new();
    ck_assert_ptr_nonnull(an->a);
    ck_assert_msg(ewdiag_analyzer_load_rules(an->a, ew_test_rules_dir()) == EWDIAG_OK, "rules: %s",
                  ewdiag_error(an->a));
    if (st->evidence)
        ck_assert_int_eq(ewdiag_analyzer_set_option(an->a, "evidence", st->evidence), EWDIAG_OK);
    an->r = ewdiag_report_new();
    ck_assert_ptr_nonnull(an->r);
    int rc = ewdiag_analyze_path(an->a, an->r, an->path);
    ck_assert_msg(rc == EWDIAG_OK, "analyze %s: %d %s", an->path, rc, ewdiag_error(an->a));
}

static void analyze_text(analysis *an, const char *text)
{
    setup st = {NULL, NULL, 0};
    analyze_with(an, text, &st);
}

static void done(analysis *an)
{
    ewdiag_report_free(an->r);
    ewdiag_analyzer_free(an->a);
    (void)unlink(an->path);
    (void)rmdir(an->dir);
}

static size_t nfindings(const analysis *an)
{
    return ewdiag_report_finding_count(an->r);
}

static void dump_findings(const analysis *an)
{
    for (size_t i = 0; i < nfindings(an); i++) {
        const ewdiag_finding *f = ewdiag_report_finding(an->r, i);
        fprintf(stderr, "  finding %zu: %s node=%s server=%s address=%s enforced=%d count=%llu\n",
                i, ewdiag_finding_rule(f), ewdiag_finding_node(f), ewdiag_finding_server(f),
                ewdiag_finding_address(f), ewdiag_finding_enforced(f),
                (unsigned long long)ewdiag_finding_count(f));
    }
}

static void expect_nfindings(const analysis *an, size_t want)
{
    if (nfindings(an) != want)
        dump_findings(an);
    ck_assert_msg(nfindings(an) == want, "%zu findings, want %zu", nfindings(an), want);
}

/* The one finding of rule for node and server (NULL: any), enforced
 * (ANY_ENFORCED: any); fails unless there is exactly one. */
static const ewdiag_finding *find(const analysis *an, const char *rule, const char *node,
                                  const char *server, int enforced)
{
    const ewdiag_finding *hit = NULL;
    size_t hits = 0;
    for (size_t i = 0; i < nfindings(an); i++) {
        const ewdiag_finding *f = ewdiag_report_finding(an->r, i);
        if (strcmp(ewdiag_finding_rule(f), rule) != 0 ||
            (node && strcmp(ewdiag_finding_node(f), node) != 0) ||
            (server && strcmp(ewdiag_finding_server(f), server) != 0) ||
            (enforced != ANY_ENFORCED && ewdiag_finding_enforced(f) != enforced))
            continue;
        hit = f;
        hits++;
    }
    if (hits != 1)
        dump_findings(an);
    ck_assert_msg(hits == 1, "%zu findings of %s node=%s server=%s enforced=%d, want 1", hits,
                  rule, node ? node : "*", server ? server : "*", enforced);
    return hit;
}

static bool has_explanation(const ewdiag_finding *f, const char *text)
{
    for (size_t i = 0; i < ewdiag_finding_explanation_count(f); i++)
        if (strcmp(ewdiag_finding_explanation(f, i), text) == 0)
            return true;
    return false;
}

static bool explanation_mentions(const ewdiag_finding *f, const char *needle)
{
    for (size_t i = 0; i < ewdiag_finding_explanation_count(f); i++)
        if (strstr(ewdiag_finding_explanation(f, i), needle))
            return true;
    return false;
}

static bool has_evidence(const ewdiag_finding *f, const char *line)
{
    for (size_t i = 0; i < ewdiag_finding_evidence_count(f); i++)
        if (strcmp(ewdiag_finding_evidence(f, i), line) == 0)
            return true;
    return false;
}

static bool has_related(const ewdiag_finding *f, const char *line)
{
    for (size_t i = 0; i < ewdiag_finding_related_count(f); i++)
        if (strcmp(ewdiag_finding_related(f, i), line) == 0)
            return true;
    return false;
}

static int64_t utc_us(int64_t sec, int64_t ms)
{
    return sec * US_PER_SEC + ms * US_PER_MS;
}

/* ---- the WARNING lines ------------------------------------------------ */

#define W_EQ_LINE CUCM_UNTRUSTED("2022-07-11T18:55:26.016+02:00")
#define W_COLON_LINE                                                                               \
    UNTRUSTED("2022-07-11T18:55:26.020+02:00", "vcsc", CUCM, "Action:Terminate",                   \
              "self signed certificate", CUCM_SERVER, "0")

START_TEST(test_untrusted_action_equals_and_colon)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n" W_COLON_LINE "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 2);
    ck_assert_str_eq(ewdiag_finding_address(f), CUCM_IP);
    ck_assert_str_eq(ewdiag_finding_target(f), CUCM);
    ck_assert_str_eq(ewdiag_finding_error(f), "self signed certificate");
    ck_assert_int_eq(ewdiag_finding_depth(f), 0);
    ck_assert_int_eq(ewdiag_finding_severity(f), EWDIAG_SEV_ERROR);
    ck_assert_str_eq(ewdiag_finding_category(f), "origin-tls-verification");
    ck_assert(has_evidence(f, W_EQ_LINE));
    ck_assert(has_evidence(f, W_COLON_LINE));
    ck_assert_str_eq(ewdiag_finding_input(f), an.path);
    done(&an);
}
END_TEST

START_TEST(test_untrusted_self_signed_hyphen)
{
    analysis an;
    analyze_text(&an, UNTRUSTED("2022-07-11T18:55:26.016+02:00", "vcsc", CUCM, "Action=Terminate",
                                "self-signed certificate", CUCM_SERVER, "0") "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_str_eq(ewdiag_finding_error(f), "self-signed certificate");
    ck_assert(explanation_mentions(f, "OpenSSL says 'self-signed certificate'"));
    done(&an);
}
END_TEST

START_TEST(test_untrusted_ssl_signed_in_chain)
{
    analysis an;
    analyze_text(&an, UNTRUSTED("2022-07-11T19:33:06.740+02:00", "vcsd", CUCM_IP, "Action:Terminate",
                                "ssl signed certificate in certificate chain",
                                CUCM_IP "(" CUCM_IP ")", "1") "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsd", CUCM_IP, 1);
    ck_assert_str_eq(ewdiag_finding_error(f), "ssl signed certificate in certificate chain");
    ck_assert_int_eq(ewdiag_finding_depth(f), 1);
    ck_assert(explanation_mentions(f, "'ssl signed certificate in certificate chain': the chain "
                                      "sent by 10.48.36.215"));
    done(&an);
}
END_TEST

START_TEST(test_untrusted_depth0_explanation)
{
    analysis an;
    analyze_text(&an, UNTRUSTED("2022-07-11T18:55:26.016+02:00", "vcsc", CUCM, "Action=Terminate",
                                "unable to get local issuer certificate", CUCM_SERVER, "0") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_int_eq(ewdiag_finding_depth(f), 0);
    ck_assert_msg(has_explanation(f, DEPTH0_TEXT), "no depth 0 explanation");
    ck_assert_msg(!explanation_mentions(f, "Depth 1"), "depth 1 explained for depth 0");
    ck_assert_msg(!explanation_mentions(f, "{"), "placeholder left in an explanation");
    done(&an);
}
END_TEST

START_TEST(test_untrusted_depth1_explanation)
{
    analysis an;
    analyze_text(&an, UNTRUSTED("2022-07-11T18:55:26.016+02:00", "vcsc", CUCM, "Action=Terminate",
                                "unable to get local issuer certificate", CUCM_SERVER, "1") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_int_eq(ewdiag_finding_depth(f), 1);
    ck_assert_msg(has_explanation(f, DEPTH1_TEXT), "no depth 1 explanation");
    ck_assert_msg(!explanation_mentions(f, "Depth 0"), "depth 0 explained for depth 1");
    ck_assert_msg(!explanation_mentions(f, "{"), "placeholder left in an explanation");
    done(&an);
}
END_TEST

#define SNI_LINE SNI("2022-07-11T19:49:01.491+02:00", "vcsc", "SNI", CUCM_IP, CUCM_IP "(" CUCM_IP ")")
#define ORIGIN_LINE                                                                                \
    SNI("2022-07-11T19:49:02.491+02:00", "vcsc", "Origin hostname", CUCM_IP, CUCM_IP "(" CUCM_IP ")")

/* Newer ATS says "Origin hostname (X)" for the same failure. */
START_TEST(test_sni_and_origin_hostname_one_finding)
{
    analysis an;
    analyze_text(&an, SNI_LINE "\n" ORIGIN_LINE "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_SNI, "vcsc", CUCM_IP, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 2);
    ck_assert_str_eq(ewdiag_finding_address(f), CUCM_IP);
    ck_assert_str_eq(ewdiag_finding_target(f), CUCM_IP);
    ck_assert(has_evidence(f, SNI_LINE));
    ck_assert(has_evidence(f, ORIGIN_LINE));
    done(&an);
}
END_TEST

START_TEST(test_origin_hostname_name_mismatch)
{
    analysis an;
    analyze_text(&an, SNI("2022-07-11T19:49:02.491+02:00", "vcsc", "Origin hostname",
                          "cucm01.example.com", "cucm01.example.com(192.0.2.10)") "\n");
    const ewdiag_finding *f = find(&an, R_SNI, "vcsc", "cucm01.example.com", 1);
    ck_assert_str_eq(ewdiag_finding_address(f), "192.0.2.10");
    ck_assert_str_eq(ewdiag_finding_target(f), "cucm01.example.com");
    ck_assert(explanation_mentions(f, "The request went to cucm01.example.com"));
    done(&an);
}
END_TEST

/* ATS retries: four identical lines within a few ms make one finding. */
START_TEST(test_retries_one_finding_utc_times)
{
    analysis an;
    analyze_text(&an, CUCM_UNTRUSTED("2022-07-11T18:55:26.016+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.017+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.019+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.021+02:00") "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 4);
    ck_assert_int_eq(ewdiag_finding_first_seen(f), utc_us(T_2022_07_11_165526, 16));
    ck_assert_int_eq(ewdiag_finding_last_seen(f), utc_us(T_2022_07_11_165526, 21));
    ck_assert_uint_eq(ewdiag_finding_evidence_count(f), 4);
    done(&an);
}
END_TEST

START_TEST(test_negative_offset)
{
    analysis an;
    analyze_text(&an, UNTRUSTED("2023-03-14T09:12:45.118-05:00", "expc1", "imp01.example.com",
                                "Action=Terminate", "certificate has expired",
                                "imp01.example.com(192.0.2.21)", "0") "\n"
                      UNTRUSTED("2023-03-14T09:12:46.250-05:00", "expc1", "imp01.example.com",
                                "Action=Terminate", "certificate has expired",
                                "imp01.example.com(192.0.2.21)", "0") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "expc1", "imp01.example.com", 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 2);
    ck_assert_int_eq(ewdiag_finding_first_seen(f), utc_us(T_2023_03_14_141245, 118));
    ck_assert_int_eq(ewdiag_finding_last_seen(f), utc_us(T_2023_03_14_141245 + 1, 250));
    done(&an);
}
END_TEST

/* Lines out of order: first and last seen are still the extremes. */
START_TEST(test_times_out_of_order)
{
    analysis an;
    analyze_text(&an, CUCM_UNTRUSTED("2022-07-11T18:55:26.019+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.016+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.021+02:00") "\n"
                      CUCM_UNTRUSTED("2022-07-11T18:55:26.017+02:00") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_int_eq(ewdiag_finding_first_seen(f), utc_us(T_2022_07_11_165526, 16));
    ck_assert_int_eq(ewdiag_finding_last_seen(f), utc_us(T_2022_07_11_165526, 21));
    done(&an);
}
END_TEST

#define CONTINUE_LINE                                                                              \
    UNTRUSTED("2022-07-11T18:55:27.000+02:00", "vcsc", CUCM, "Action=Continue",                    \
              "self signed certificate", CUCM_SERVER, "0")

START_TEST(test_continue_and_terminate_separate)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n" CONTINUE_LINE "\n");
    expect_nfindings(&an, 2);
    const ewdiag_finding *t = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    const ewdiag_finding *c = find(&an, R_UNTRUSTED, "vcsc", CUCM, 0);
    ck_assert_int_eq(ewdiag_finding_severity(t), EWDIAG_SEV_ERROR);
    ck_assert_int_eq(ewdiag_finding_severity(c), EWDIAG_SEV_WARNING);
    ck_assert_uint_eq(ewdiag_finding_count(t), 1);
    ck_assert_uint_eq(ewdiag_finding_count(c), 1);
    ck_assert(has_evidence(t, W_EQ_LINE));
    ck_assert(has_evidence(c, CONTINUE_LINE));
    ck_assert(explanation_mentions(c, "Action=Continue"));
    ck_assert(!explanation_mentions(t, "Action=Continue"));
    ck_assert_int_eq(ewdiag_report_max_severity(an.r), EWDIAG_SEV_ERROR);
    done(&an);
}
END_TEST

START_TEST(test_two_servers_two_findings)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n"
                      UNTRUSTED("2022-07-11T18:55:26.100+02:00", "vcsc", "imp.steven.lab",
                                "Action=Terminate", "self signed certificate",
                                "imp.steven.lab(10.48.36.216)", "0") "\n");
    expect_nfindings(&an, 2);
    const ewdiag_finding *a = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    const ewdiag_finding *b = find(&an, R_UNTRUSTED, "vcsc", "imp.steven.lab", 1);
    ck_assert_str_eq(ewdiag_finding_address(a), CUCM_IP);
    ck_assert_str_eq(ewdiag_finding_address(b), "10.48.36.216");
    ck_assert_uint_eq(ewdiag_finding_count(a), 1);
    ck_assert_uint_eq(ewdiag_finding_count(b), 1);
    done(&an);
}
END_TEST

START_TEST(test_two_hosts_two_findings)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n"
                      UNTRUSTED("2022-07-11T18:55:26.016+02:00", "vcsd", CUCM, "Action=Terminate",
                                "self signed certificate", CUCM_SERVER, "0") "\n");
    expect_nfindings(&an, 2);
    const ewdiag_finding *c = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    const ewdiag_finding *d = find(&an, R_UNTRUSTED, "vcsd", CUCM, 1);
    ck_assert_ptr_ne(c, d);
    ck_assert_str_ne(ewdiag_finding_node(c), ewdiag_finding_node(d));
    done(&an);
}
END_TEST

START_TEST(test_plugin_refused)
{
    analysis an;
    analyze_text(&an, PFX("2022-07-11T18:55:26.016+02:00", "vcsc", "18242")
                 "[ET_NET 0] WARNING: TS_EVENT_SSL_VERIFY_SERVER plugin failed the origin "
                 "certificate check for " CUCM ".  Action=Terminate SNI=" CUCM "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_PLUGIN, "vcsc", CUCM, 1);
    ck_assert_str_eq(ewdiag_finding_target(f), CUCM);
    ck_assert_int_eq(ewdiag_finding_severity(f), EWDIAG_SEV_ERROR);
    ck_assert_uint_eq(ewdiag_finding_count(f), 1);
    ck_assert_int_eq(ewdiag_finding_first_seen(f), utc_us(T_2022_07_11_165526, 16));
    done(&an);
}
END_TEST

/* ---- related lines ---------------------------------------------------- */

#define SSL_CUCM SSL_FAILED("2022-07-11T18:55:26.016+02:00", "vcsc", CUCM)
#define SSL_OTHER SSL_FAILED("2022-07-11T18:55:26.018+02:00", "vcsc", "other.example.com")

START_TEST(test_ssl_error_attached)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n" SSL_CUCM "\n" SSL_OTHER "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_related_count(f), 1);
    ck_assert_str_eq(ewdiag_finding_related(f, 0), SSL_CUCM);
    ck_assert(!has_related(f, SSL_OTHER));
    ck_assert_uint_eq(ewdiag_finding_count(f), 1);
    done(&an);
}
END_TEST

/* The SNI case: the ERROR names the address the finding was logged for. */
START_TEST(test_ssl_error_attached_by_address)
{
    analysis an;
    const char *err = SSL_FAILED("2022-07-11T19:49:01.491+02:00", "vcsc", CUCM_IP);
    char text[4096];
    snprintf(text, sizeof text, "%s\n%s\n", SNI_LINE, err);
    analyze_text(&an, text);
    const ewdiag_finding *f = find(&an, R_SNI, "vcsc", CUCM_IP, 1);
    ck_assert_uint_eq(ewdiag_finding_related_count(f), 1);
    ck_assert_str_eq(ewdiag_finding_related(f, 0), err);
    done(&an);
}
END_TEST

/* An ERROR on another node does not belong to this node's finding. */
START_TEST(test_ssl_error_other_node_not_attached)
{
    analysis an;
    analyze_text(&an, W_EQ_LINE "\n" SSL_FAILED("2022-07-11T18:55:26.016+02:00", "vcsd", CUCM) "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_related_count(f), 0);
    done(&an);
}
END_TEST

/* ---- transactions ----------------------------------------------------- */

#define RX RECEIVE("2022-07-11T18:55:26.000+02:00", "2022-07-11 16:55:26,000", "191", MRA_URL)
#define TX(ip) SEND("2022-07-11T18:55:26.006+02:00", "2022-07-11 16:55:26,006", "191", ip, "6972")
#define RESP(status) RESPOND("2022-07-11T18:55:26.024+02:00", "2022-07-11 16:55:26,024", "191", status)

START_TEST(test_txn_failed_request_counted)
{
    analysis an;
    analyze_text(&an, RX "\n" TX(CUCM_IP) "\n" W_EQ_LINE "\n" RESP("502 connect failed") "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_requests(f), 1);
    ck_assert_uint_eq(ewdiag_finding_port_count(f), 1);
    ck_assert_uint_eq(ewdiag_finding_port(f, 0), 6972);
    ck_assert_uint_eq(ewdiag_finding_url_count(f), 1);
    ck_assert_str_eq(ewdiag_finding_url(f, 0), MRA_URL);
    ck_assert_str_eq(ewdiag_finding_url_target(f, 0), MRA_TARGET);
    ck_assert(has_related(f, RESP("502 connect failed")));
    ck_assert_uint_eq(ewdiag_finding_count(f), 1);
    done(&an);
}
END_TEST

/* The plugin's line names no address: its target (an IP here) is what the
 * failed request's Dst-ip is compared with. */
START_TEST(test_txn_joins_plugin_by_target)
{
    analysis an;
    analyze_text(&an, RX "\n" TX(CUCM_IP) "\n"
                 PFX("2022-07-11T18:55:26.020+02:00", "vcsc", "18242")
                 "[ET_NET 0] WARNING: TS_EVENT_SSL_VERIFY_SERVER plugin failed the origin "
                 "certificate check for " CUCM_IP ".  Action=Terminate SNI=" CUCM "\n"
                 RESP("502 connect failed") "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_PLUGIN, "vcsc", CUCM, 1);
    ck_assert_str_eq(ewdiag_finding_target(f), CUCM_IP);
    ck_assert_uint_eq(ewdiag_finding_requests(f), 1);
    ck_assert_uint_eq(ewdiag_finding_port(f, 0), 6972);
    done(&an);
}
END_TEST

START_TEST(test_txn_ok_response_not_counted)
{
    analysis an;
    analyze_text(&an, RX "\n" TX(CUCM_IP) "\n" W_EQ_LINE "\n" RESP("200 OK") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_requests(f), 0);
    ck_assert_uint_eq(ewdiag_finding_port_count(f), 0);
    ck_assert_uint_eq(ewdiag_finding_url_count(f), 0);
    ck_assert(!has_related(f, RESP("200 OK")));
    done(&an);
}
END_TEST

/* A 502 for a request sent to another address is not this server's. */
START_TEST(test_txn_other_address_not_counted)
{
    analysis an;
    analyze_text(&an, RX "\n" TX("10.48.36.99") "\n" W_EQ_LINE "\n" RESP("502 connect failed") "\n");
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_requests(f), 0);
    ck_assert_uint_eq(ewdiag_finding_url_count(f), 0);
    done(&an);
}
END_TEST

/* ---- line forms ------------------------------------------------------- */

#define DECOY_WARNING                                                                              \
    "WARNING: Core server certificate verification failed for (decoy.example.com). "               \
    "Action=Terminate Error=self signed certificate server=decoy.example.com(192.0.2.99) depth=0"

START_TEST(test_continuation_not_an_event)
{
    analysis an;
    analyze_text(&an, PFX("2022-07-11T18:55:25.000+02:00", "vcsc", "18242")
                 "UTCTime=\"2022-07-11 16:55:25,000\" Module=\"network.http.trafficserver\" "
                 "Level=\"DEBUG\": Detail=\"Receive Response\" HTTPMSG:\n"
                 "|HTTP/1.1 200 OK\n"
                 "|" PFX("2022-07-11T18:55:25.001+02:00", "vcsc", "18242") "[ET_NET 0] " DECOY_WARNING "\n"
                 "|X-Note: " DECOY_WARNING "\n"
                 "   |" DECOY_WARNING "\n"
                 W_EQ_LINE "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 1);
    done(&an);
}
END_TEST

#define MIXED_LOG_LINES(eol)                                                                       \
    CUCM_UNTRUSTED("2022-07-11T18:55:26.016+02:00") eol                                            \
    CUCM_UNTRUSTED("2022-07-11T18:55:26.017+02:00") eol SSL_CUCM eol SNI_LINE eol                  \
    PFX("2022-07-11T18:55:26.030+02:00", "vcsc", "18242")                                          \
    "[ET_NET 0] WARNING: TS_EVENT_SSL_VERIFY_SERVER plugin failed the origin certificate check "   \
    "for " CUCM ".  Action=Terminate SNI=" CUCM eol

static void expect_no_cr(const char *what, const char *s)
{
    ck_assert_msg(strchr(s, '\r') == NULL, "%s \"%s\" holds a CR", what, s);
}

/* Everything a finding says, and no CR in any of it. */
static void expect_same_finding(const ewdiag_finding *x, const ewdiag_finding *y)
{
    ck_assert_str_eq(ewdiag_finding_rule(x), ewdiag_finding_rule(y));
    ck_assert_str_eq(ewdiag_finding_node(x), ewdiag_finding_node(y));
    ck_assert_str_eq(ewdiag_finding_server(x), ewdiag_finding_server(y));
    ck_assert_str_eq(ewdiag_finding_address(x), ewdiag_finding_address(y));
    ck_assert_str_eq(ewdiag_finding_target(x), ewdiag_finding_target(y));
    ck_assert_str_eq(ewdiag_finding_error(x), ewdiag_finding_error(y));
    ck_assert_int_eq(ewdiag_finding_depth(x), ewdiag_finding_depth(y));
    ck_assert_int_eq(ewdiag_finding_enforced(x), ewdiag_finding_enforced(y));
    ck_assert_int_eq(ewdiag_finding_severity(x), ewdiag_finding_severity(y));
    ck_assert_uint_eq(ewdiag_finding_count(x), ewdiag_finding_count(y));
    ck_assert_int_eq(ewdiag_finding_first_seen(x), ewdiag_finding_first_seen(y));
    ck_assert_int_eq(ewdiag_finding_last_seen(x), ewdiag_finding_last_seen(y));
    ck_assert_uint_eq(ewdiag_finding_evidence_count(x), ewdiag_finding_evidence_count(y));
    for (size_t i = 0; i < ewdiag_finding_evidence_count(x); i++) {
        ck_assert_str_eq(ewdiag_finding_evidence(x, i), ewdiag_finding_evidence(y, i));
        expect_no_cr("evidence", ewdiag_finding_evidence(y, i));
    }
    ck_assert_uint_eq(ewdiag_finding_related_count(x), ewdiag_finding_related_count(y));
    for (size_t i = 0; i < ewdiag_finding_related_count(x); i++) {
        ck_assert_str_eq(ewdiag_finding_related(x, i), ewdiag_finding_related(y, i));
        expect_no_cr("related", ewdiag_finding_related(y, i));
    }
    ck_assert_uint_eq(ewdiag_finding_explanation_count(x), ewdiag_finding_explanation_count(y));
    for (size_t i = 0; i < ewdiag_finding_explanation_count(x); i++)
        ck_assert_str_eq(ewdiag_finding_explanation(x, i), ewdiag_finding_explanation(y, i));
    expect_no_cr("server", ewdiag_finding_server(y));
    expect_no_cr("address", ewdiag_finding_address(y));
    expect_no_cr("error", ewdiag_finding_error(y));
}

START_TEST(test_crlf_same_as_lf)
{
    analysis lf, crlf;
    analyze_text(&lf, MIXED_LOG_LINES("\n"));
    analyze_text(&crlf, MIXED_LOG_LINES("\r\n"));
    /* What the LF file must give, from the lines themselves. */
    expect_nfindings(&lf, 3);
    const ewdiag_finding *u = find(&lf, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(u), 2);
    ck_assert_uint_eq(ewdiag_finding_related_count(u), 1);
    ck_assert_int_eq(ewdiag_finding_depth(u), 0);
    find(&lf, R_SNI, "vcsc", CUCM_IP, 1);
    find(&lf, R_PLUGIN, "vcsc", CUCM, 1);
    /* And the CRLF file the same, finding by finding. */
    expect_nfindings(&crlf, 3);
    const char *rules[] = {R_UNTRUSTED, R_SNI, R_PLUGIN};
    const char *servers[] = {CUCM, CUCM_IP, CUCM};
    for (size_t i = 0; i < 3; i++)
        expect_same_finding(find(&lf, rules[i], "vcsc", servers[i], 1),
                            find(&crlf, rules[i], "vcsc", servers[i], 1));
    done(&lf);
    done(&crlf);
}
END_TEST

/* diags.log: "[Mon DD hh:mm:ss.mmm]", no year, no zone: the year comes from
 * the file's modification time (2026-11-22T07:00:00Z here). */
START_TEST(test_ats_diags_log)
{
    analysis an;
    setup st = {"diags.log", NULL, (time_t)T_2026_11_22_070000};
    analyze_with(&an,
                 "[Nov 22 06:46:00.827] [ET_NET 0] WARNING: Core server certificate verification "
                 "failed for (origin.example.com). Action=Terminate Error=self-signed certificate "
                 "server=origin.example.com(127.0.0.1) depth=0\n"
                 "[Nov  2 06:46:01.204] [ET_NET 2] WARNING: SNI (127.0.0.1) not in certificate. "
                 "Action=Terminate server=127.0.0.1(127.0.0.1)\n",
                 &st);
    expect_nfindings(&an, 2);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, NULL, "origin.example.com", 1);
    ck_assert_str_ne(ewdiag_finding_node(f), "");
    ck_assert_str_eq(ewdiag_finding_address(f), "127.0.0.1");
    ck_assert_str_eq(ewdiag_finding_error(f), "self-signed certificate");
    time_t secs = (time_t)(ewdiag_finding_first_seen(f) / US_PER_SEC);
    struct tm tm;
    ck_assert_ptr_nonnull(gmtime_r(&secs, &tm));
    ck_assert_msg(tm.tm_year + TM_YEAR_BASE == YEAR_2026,
                  "year %d, want %d: the year of an ATS line must come from the file's "
                  "modification time (2026-11-22T07:00:00Z)",
                  tm.tm_year + TM_YEAR_BASE, YEAR_2026);
    ck_assert_int_eq(ewdiag_finding_first_seen(f), utc_us(T_2026_11_22_064600, 827));
    const ewdiag_finding *s = find(&an, R_SNI, NULL, "127.0.0.1", 1);
    ck_assert_str_ne(ewdiag_finding_node(s), "");
    ck_assert_int_eq(ewdiag_finding_first_seen(s), utc_us(T_2026_11_02_064601, 204));
    done(&an);
}
END_TEST

/* Lines of the traffic server that are no failure: no finding, and the
 * input is still analyzed. */
START_TEST(test_no_failure_no_finding)
{
    analysis an;
    analyze_text(&an, RX "\n" TX(CUCM_IP) "\n" RESP("200 OK") "\n"
                      PFX("2022-07-11T18:55:27.000+02:00", "vcsc", "18242")
                      "[ET_NET 0] NOTE: traffic server running\n");
    expect_nfindings(&an, 0);
    ck_assert_int_eq(ewdiag_report_max_severity(an.r), -1);
    ck_assert_uint_eq(ewdiag_report_input_count(an.r), 1);
    ck_assert_int_eq(ewdiag_input_status_get(ewdiag_report_input(an.r, 0)), EWDIAG_INPUT_ANALYZED);
    done(&an);
}
END_TEST

/* ---- options and odd bytes ------------------------------------------- */

#define EV1 CUCM_UNTRUSTED("2022-07-11T18:55:26.016+02:00")
#define EV2 CUCM_UNTRUSTED("2022-07-11T18:55:26.017+02:00")
#define EV3 CUCM_UNTRUSTED("2022-07-11T18:55:26.019+02:00")
#define EV4 CUCM_UNTRUSTED("2022-07-11T18:55:26.021+02:00")

START_TEST(test_evidence_option_keeps_latest)
{
    analysis an;
    setup st = {NULL, "2", 0};
    analyze_with(&an, EV1 "\n" EV2 "\n" EV3 "\n" EV4 "\n", &st);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 4);
    ck_assert_uint_eq(ewdiag_finding_evidence_count(f), 2);
    ck_assert_msg(has_evidence(f, EV3), "third line not kept");
    ck_assert_msg(has_evidence(f, EV4), "fourth line not kept");
    ck_assert(!has_evidence(f, EV1));
    ck_assert(!has_evidence(f, EV2));
    done(&an);
}
END_TEST

#define NON_UTF8_LINE                                                                              \
    UNTRUSTED("2022-07-11T18:55:26.016+02:00", "vcsc", CUCM, "Action=Terminate",                   \
              "self signed \xff\xfe certificate", CUCM_SERVER, "0")

START_TEST(test_non_utf8_bytes)
{
    analysis an;
    analyze_text(&an, NON_UTF8_LINE "\n");
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_str_eq(ewdiag_finding_error(f), "self signed \xff\xfe certificate");
    ck_assert(has_evidence(f, NON_UTF8_LINE));
    size_t len = 0;
    char *json = ewdiag_report_serialize(an.r, EWDIAG_FORMAT_JSON, 0, &len);
    ck_assert_ptr_nonnull(json);
    ck_assert_uint_eq(len, strlen(json));
    json_error_t err;
    json_t *doc = json_loads(json, 0, &err);
    ck_assert_msg(doc != NULL, "report JSON does not parse: %s at line %d col %d", err.text,
                  err.line, err.column);
    json_decref(doc);
    free(json);
    done(&an);
}
END_TEST

/* The untrusted WARNING as if written by program prog. */
#define UNTRUSTED_AS(ts, prog)                                                                     \
    ts " vcsc " prog "[18242]: [ET_NET 0] WARNING: Core server certificate verification failed "  \
       "for (" CUCM "). Action=Terminate Error=self signed certificate server=" CUCM_SERVER       \
       " depth=0\n"
#define NOISE(ts, prog) ts " vcsc " prog ": Event=\"Nothing\" Detail=\"noise\"\n"
#define LONG_PROGRAM                                                                               \
    "a_program_name_longer_than_the_scanner_remembers_between_lines_0123456789"

/* Program names are remembered between lines: a name that only starts
 * like a remembered one, or that more names pushed out, is still told
 * apart; the same line under another program is not the rule's. */
START_TEST(test_program_names_told_apart)
{
    analysis an;
    analyze_text(&an, UNTRUSTED_AS("2022-07-11T18:55:26.001+02:00", "traffic_server")
                      UNTRUSTED_AS("2022-07-11T18:55:26.002+02:00", "traffic_serve")
                      UNTRUSTED_AS("2022-07-11T18:55:26.003+02:00", "traffic_server2")
                      NOISE("2022-07-11T18:55:26.004+02:00", "tvcs")
                      NOISE("2022-07-11T18:55:26.005+02:00", "b2bua")
                      NOISE("2022-07-11T18:55:26.006+02:00", "XCP_JSM")
                      NOISE("2022-07-11T18:55:26.007+02:00", "httpd")
                      UNTRUSTED_AS("2022-07-11T18:55:26.008+02:00", "traffic_server")
                      UNTRUSTED_AS("2022-07-11T18:55:26.009+02:00", LONG_PROGRAM)
                      UNTRUSTED_AS("2022-07-11T18:55:26.010+02:00", LONG_PROGRAM)
                      UNTRUSTED_AS("2022-07-11T18:55:26.011+02:00", "traffic_serve")
                      UNTRUSTED_AS("2022-07-11T18:55:26.012+02:00", "traffic_server"));
    expect_nfindings(&an, 1);
    const ewdiag_finding *f = find(&an, R_UNTRUSTED, "vcsc", CUCM, 1);
    ck_assert_uint_eq(ewdiag_finding_count(f), 3);
    done(&an);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("findings");
    TCase *tc = tcase_create("warnings");
    tcase_add_test(tc, test_untrusted_action_equals_and_colon);
    tcase_add_test(tc, test_untrusted_self_signed_hyphen);
    tcase_add_test(tc, test_untrusted_ssl_signed_in_chain);
    tcase_add_test(tc, test_untrusted_depth0_explanation);
    tcase_add_test(tc, test_untrusted_depth1_explanation);
    tcase_add_test(tc, test_sni_and_origin_hostname_one_finding);
    tcase_add_test(tc, test_origin_hostname_name_mismatch);
    tcase_add_test(tc, test_plugin_refused);
    tcase_add_test(tc, test_txn_joins_plugin_by_target);
    suite_add_tcase(s, tc);

    tc = tcase_create("grouping");
    tcase_add_test(tc, test_retries_one_finding_utc_times);
    tcase_add_test(tc, test_negative_offset);
    tcase_add_test(tc, test_times_out_of_order);
    tcase_add_test(tc, test_continue_and_terminate_separate);
    tcase_add_test(tc, test_two_servers_two_findings);
    tcase_add_test(tc, test_two_hosts_two_findings);
    suite_add_tcase(s, tc);

    tc = tcase_create("related");
    tcase_add_test(tc, test_ssl_error_attached);
    tcase_add_test(tc, test_ssl_error_attached_by_address);
    tcase_add_test(tc, test_ssl_error_other_node_not_attached);
    tcase_add_test(tc, test_txn_failed_request_counted);
    tcase_add_test(tc, test_txn_ok_response_not_counted);
    tcase_add_test(tc, test_txn_other_address_not_counted);
    suite_add_tcase(s, tc);

    tc = tcase_create("input");
    tcase_add_test(tc, test_continuation_not_an_event);
    tcase_add_test(tc, test_crlf_same_as_lf);
    tcase_add_test(tc, test_ats_diags_log);
    tcase_add_test(tc, test_no_failure_no_finding);
    tcase_add_test(tc, test_evidence_option_keeps_latest);
    tcase_add_test(tc, test_non_utf8_bytes);
    tcase_add_test(tc, test_program_names_told_apart);
    suite_add_tcase(s, tc);
    return s;
}
