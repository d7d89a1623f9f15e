/* test_txn.c - MRA URL decoding and the transaction table.
 *
 * Expected decodings come from the article (domain.md) and from
 * `printf %s TEXT | base64` with the padding dropped. */
#include "scan/txn.h"

#include <check.h>

#include "harness.h"
#include <stdio.h>
#include <stdlib.h>

#define SEG_6972 "c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg"
#define MRA_6972 "steven.lab/https/cucm.steven.lab/6972"
#define SEG_8443 "c3RldmVuLmxhYi9odHRwcy8xMC40OC4zNi4yMTUvODQ0Mw"
#define MRA_8443 "steven.lab/https/10.48.36.215/8443"
#define EXPRESSWAY "http://vcs_control.steven.lab:8443/"
/* printf '\x01\x02\x03/a/b/c/d' | base64 */
#define SEG_CONTROL_BYTES "AQIDL2EvYi9jL2Q"
/* printf '\xff\xfe/a/b/c' | base64, in the URL-safe alphabet */
#define SEG_HIGH_BYTES "__4vYS9iL2M"
/* printf 'steven.lab/https/cucm' | base64: two slashes only */
#define SEG_TWO_SLASHES "c3RldmVuLmxhYi9odHRwcy9jdWNt"
#define OUT_CAP EW_MRA_MAX
/* A guard zone after the output buffer, checked untouched. */
#define GUARD 16
#define GUARD_BYTE 0x5a

/* Decodes url through a heap copy of exactly its length, so that ASan
 * catches any read past it. */
static int decode(const char *url, char *out, size_t outsz)
{
    size_t n = strlen(url);
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, url, n);
    int rc = ew_mra_decode(copy, n, out, outsz);
    free(copy);
    return rc;
}

static void expect_decodes(const char *url, const char *want)
{
    char out[OUT_CAP];
    int rc = decode(url, out, sizeof out);
    ck_assert_msg(rc == 0, "ew_mra_decode(\"%s\") = %d, want 0", url, rc);
    ck_assert_msg(strcmp(out, want) == 0, "ew_mra_decode(\"%s\") gave \"%s\", want \"%s\"", url,
                  out, want);
}

static void expect_rejects(const char *url)
{
    char out[OUT_CAP];
    int rc = decode(url, out, sizeof out);
    ck_assert_msg(rc == -1, "ew_mra_decode(\"%s\") = %d, want -1", url, rc);
}

static ew_span span(const char *s)
{
    return ew_span_make(s, strlen(s));
}

/* ---- ew_mra_decode ---------------------------------------------------- */

START_TEST(test_decode_article_segments)
{
    expect_decodes(EXPRESSWAY SEG_6972 "/CSFemusk.cnf.xml", MRA_6972);
    expect_decodes(EXPRESSWAY SEG_8443 "/cucm-uds/user/emusk/devices", MRA_8443);
}
END_TEST

START_TEST(test_decode_query_and_trailing_path)
{
    expect_decodes(EXPRESSWAY SEG_8443 "/cucm-uds/user/emusk/devices?max=100", MRA_8443);
    expect_decodes(EXPRESSWAY SEG_8443 "?max=100", MRA_8443);
    expect_decodes(EXPRESSWAY SEG_6972, MRA_6972);
    expect_decodes(EXPRESSWAY SEG_6972 "/", MRA_6972);
    /* As cut out of an HTTPMSG line: the request line goes on after a space. */
    expect_decodes(EXPRESSWAY SEG_6972 " HTTP/1.1", MRA_6972);
}
END_TEST

START_TEST(test_decode_without_scheme)
{
    expect_decodes("/" SEG_6972 "/CSFemusk.cnf.xml", MRA_6972);
    expect_decodes("vcs_control.steven.lab:8443/" SEG_8443 "/cucm-uds/user/emusk/devices",
                   MRA_8443);
}
END_TEST

/* Only the first path segment is the MRA one: a "://" further on (here in
 * a query parameter) is not the scheme separator. */
START_TEST(test_decode_without_scheme_url_in_query)
{
    expect_decodes("/" SEG_6972 "/CSFemusk.cnf.xml?next=https://example.com/x/y/z", MRA_6972);
}
END_TEST

START_TEST(test_decode_rejects_non_base64)
{
    expect_rejects(EXPRESSWAY "not*base64!/x");
    expect_rejects(EXPRESSWAY "c3RldmVu.LmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/x");
    expect_rejects(EXPRESSWAY "cucm-uds/user/emusk/devices");
}
END_TEST

START_TEST(test_decode_rejects_binary)
{
    expect_rejects(EXPRESSWAY SEG_CONTROL_BYTES "/x");
    expect_rejects(EXPRESSWAY SEG_HIGH_BYTES "/x");
}
END_TEST

START_TEST(test_decode_rejects_too_few_slashes)
{
    expect_rejects(EXPRESSWAY SEG_TWO_SLASHES "/x");
}
END_TEST

START_TEST(test_decode_rejects_no_segment)
{
    expect_rejects("");
    expect_rejects("http://vcs_control.steven.lab:8443");
    expect_rejects(EXPRESSWAY);
    expect_rejects(EXPRESSWAY "/" SEG_6972);
}
END_TEST

/* Every output size below what the text needs fails, and nothing is
 * written past the size given. */
START_TEST(test_decode_output_too_small)
{
    const char *url = EXPRESSWAY SEG_6972 "/CSFemusk.cnf.xml";
    size_t need = strlen(MRA_6972) + 1;
    for (size_t cap = 0; cap <= need; cap++) {
        char *out = malloc(cap + GUARD);
        ck_assert_ptr_nonnull(out);
        memset(out, GUARD_BYTE, cap + GUARD);
        int rc = decode(url, out, cap);
        if (cap < need) {
            ck_assert_msg(rc == -1, "cap %zu: rc %d, want -1", cap, rc);
        } else {
            ck_assert_int_eq(rc, 0);
            ck_assert_str_eq(out, MRA_6972);
        }
        for (size_t i = cap; i < cap + GUARD; i++)
            ck_assert_msg((unsigned char)out[i] == GUARD_BYTE,
                          "cap %zu: byte %zu past the buffer was written", cap, i);
        free(out);
    }
}
END_TEST

/* Every prefix of a valid URL, through an exact-size copy: never a crash,
 * and a success is always a NUL-terminated prefix of the full decoding. */
START_TEST(test_decode_every_truncation)
{
    const char *urls[] = {
        EXPRESSWAY SEG_6972 "/CSFemusk.cnf.xml",
        EXPRESSWAY SEG_8443 "/cucm-uds/user/emusk/devices?max=100",
    };
    const char *full[] = {MRA_6972, MRA_8443};
    for (size_t u = 0; u < EW_ARRAY_LEN(urls); u++) {
        size_t n = strlen(urls[u]);
        for (size_t len = 0; len <= n; len++) {
            char *copy = malloc(len ? len : 1);
            ck_assert_ptr_nonnull(copy);
            memcpy(copy, urls[u], len);
            char out[OUT_CAP];
            int rc = ew_mra_decode(copy, len, out, sizeof out);
            free(copy);
            ck_assert_msg(rc == 0 || rc == -1, "len %zu: rc %d", len, rc);
            if (rc == 0) {
                ck_assert_msg(memchr(out, '\0', sizeof out) != NULL, "len %zu: no NUL", len);
                ck_assert_msg(strncmp(out, full[u], strlen(out)) == 0,
                              "len %zu: \"%s\" is not a prefix of \"%s\"", len, out, full[u]);
            }
        }
    }
}
END_TEST

/* ---- ew_txns_get ----------------------------------------------------- */

static ew_txns *new_txns(void)
{
    ew_txns *t = malloc(sizeof *t);
    ck_assert_ptr_nonnull(t);
    ew_txns_init(t);
    return t;
}

/* The cached host against decoding each URL afresh, in a seeded random
 * order: heads that share a prefix, differ after the segment, or fail. */
START_TEST(test_mra_host_cache_equals_decode)
{
    static const char *const urls[] = {
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/CSFemusk.cnf.xml",
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg",
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg?x=1",
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3MgX/a",
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg!/a",
        "http://vcs_control.steven.lab:8443/c3RldmVuLmxhYi9odHRwcy8xMC40OC4zNi4yMTUvODQ0Mw/cucm-uds/user",
        "http://other:8443/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/x",
        "/c3RldmVuLmxhYi9odHRwcy9jdWNtLnN0ZXZlbi5sYWIvNjk3Mg/x",
        "http://vcs_control.steven.lab:8443/plain/path",
        "http://vcs_control.steven.lab:8443",
        "http://a/AAAA/x", "http://a/aGVsbG8/x", "",
    };
    enum { ROUNDS = 3000 };
    ew_mra_cache *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    unsigned seed = 11;
    for (int k = 0; k < ROUNDS; k++) {
        const char *u = urls[(size_t)rand_r(&seed) % EW_ARRAY_LEN(urls)];
        char mra[EW_MRA_MAX], want[EW_MRA_MAX] = "";
        if (ew_mra_decode(u, strlen(u), mra, sizeof mra) != 0 ||
            ew_mra_host(mra, want, sizeof want) != 0)
            want[0] = '\0';
        ck_assert_str_eq(ew_mra_host_cached(c, u, strlen(u)), want);
    }
    free(c);
}
END_TEST

START_TEST(test_txn_create_and_find)
{
    ew_txns *t = new_txns();
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span("191"), false));
    ew_txn *x = ew_txns_get(t, span("18242"), span("191"), true);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->pid, "18242");
    ck_assert_str_eq(x->id, "191");
    ck_assert_str_eq(x->url, "");
    ck_assert_str_eq(x->dst_ip, "");
    ck_assert_uint_eq(x->dst_port, 0);
    x->dst_port = 6972;
    ck_assert_ptr_eq(ew_txns_get(t, span("18242"), span("191"), false), x);
    /* Asking with create for a transaction that exists keeps what it holds. */
    ck_assert_ptr_eq(ew_txns_get(t, span("18242"), span("191"), true), x);
    ck_assert_uint_eq(x->dst_port, 6972);
    free(t);
}
END_TEST

START_TEST(test_txn_ids_from_spans_inside_lines)
{
    ew_txns *t = new_txns();
    const char *line = "traffic_server[18242]: Txn-id=\"191\" ...";
    ew_span pid = ew_span_make(line + 15, 5);
    ew_span id = ew_span_make(line + 31, 3);
    ew_txn *x = ew_txns_get(t, pid, id, true);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->pid, "18242");
    ck_assert_str_eq(x->id, "191");
    ck_assert_ptr_eq(ew_txns_get(t, span("18242"), span("191"), false), x);
    free(t);
}
END_TEST

START_TEST(test_txn_other_pid_is_other_txn)
{
    ew_txns *t = new_txns();
    ew_txn *a = ew_txns_get(t, span("18242"), span("191"), true);
    ck_assert_ptr_nonnull(a);
    a->dst_port = 6972;
    /* Same id in another process (ids restart when it restarts). */
    ck_assert_ptr_null(ew_txns_get(t, span("3916"), span("191"), false));
    ew_txn *b = ew_txns_get(t, span("3916"), span("191"), true);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    ck_assert_str_eq(b->pid, "3916");
    ck_assert_uint_eq(b->dst_port, 0);
    ck_assert_ptr_eq(ew_txns_get(t, span("18242"), span("191"), false), a);
    ck_assert_uint_eq(a->dst_port, 6972);
    /* And no pid at all is yet another one. */
    ck_assert_ptr_null(ew_txns_get(t, span(""), span("191"), false));
    free(t);
}
END_TEST

START_TEST(test_txn_other_id_is_other_txn)
{
    ew_txns *t = new_txns();
    ew_txn *a = ew_txns_get(t, span("18242"), span("191"), true);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span("19"), false));
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span("1911"), false));
    free(t);
}
END_TEST

START_TEST(test_txn_drop)
{
    ew_txns *t = new_txns();
    ew_txn *x = ew_txns_get(t, span("18242"), span("191"), true);
    ck_assert_ptr_nonnull(x);
    snprintf(x->dst_ip, sizeof x->dst_ip, "%s", "10.48.36.215");
    x->dst_port = 6972;
    ew_txns_drop(x);
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span("191"), false));
    /* Created again, it starts empty. */
    x = ew_txns_get(t, span("18242"), span("191"), true);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->dst_ip, "");
    ck_assert_uint_eq(x->dst_port, 0);
    free(t);
}
END_TEST

START_TEST(test_txn_reset_forgets)
{
    ew_txns *t = new_txns();
    ck_assert_ptr_nonnull(ew_txns_get(t, span("18242"), span("191"), true));
    ew_txns_reset(t);
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span("191"), false));
    free(t);
}
END_TEST

START_TEST(test_txn_ids_too_long)
{
    ew_txns *t = new_txns();
    char id[EW_TXN_ID_MAX + 1];
    char pid[EW_TXN_PID_MAX + 1];
    /* The longest that fit: one byte less than the field (its NUL). */
    memset(id, '7', EW_TXN_ID_MAX - 1);
    id[EW_TXN_ID_MAX - 1] = '\0';
    memset(pid, '4', EW_TXN_PID_MAX - 1);
    pid[EW_TXN_PID_MAX - 1] = '\0';
    ew_txn *x = ew_txns_get(t, span(pid), span(id), true);
    ck_assert_ptr_nonnull(x);
    ck_assert_str_eq(x->id, id);
    ck_assert_str_eq(x->pid, pid);
    /* One more byte: cannot be told apart once cut, so not tracked. */
    memset(id, '7', EW_TXN_ID_MAX);
    id[EW_TXN_ID_MAX] = '\0';
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span(id), true));
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span(id), false));
    memset(pid, '4', EW_TXN_PID_MAX);
    pid[EW_TXN_PID_MAX] = '\0';
    ck_assert_ptr_null(ew_txns_get(t, span(pid), span("191"), true));
    /* No id at all. */
    ck_assert_ptr_null(ew_txns_get(t, span("18242"), span(""), true));
    free(t);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("txn");
    TCase *tc = tcase_create("mra");
    tcase_add_test(tc, test_decode_article_segments);
    tcase_add_test(tc, test_decode_query_and_trailing_path);
    tcase_add_test(tc, test_decode_without_scheme);
    tcase_add_test(tc, test_decode_without_scheme_url_in_query);
    tcase_add_test(tc, test_decode_rejects_non_base64);
    tcase_add_test(tc, test_decode_rejects_binary);
    tcase_add_test(tc, test_decode_rejects_too_few_slashes);
    tcase_add_test(tc, test_decode_rejects_no_segment);
    tcase_add_test(tc, test_decode_output_too_small);
    tcase_add_test(tc, test_decode_every_truncation);
    suite_add_tcase(s, tc);
    tc = tcase_create("table");
    tcase_add_test(tc, test_mra_host_cache_equals_decode);
    tcase_add_test(tc, test_txn_create_and_find);
    tcase_add_test(tc, test_txn_ids_from_spans_inside_lines);
    tcase_add_test(tc, test_txn_other_pid_is_other_txn);
    tcase_add_test(tc, test_txn_other_id_is_other_txn);
    tcase_add_test(tc, test_txn_drop);
    tcase_add_test(tc, test_txn_reset_forgets);
    tcase_add_test(tc, test_txn_ids_too_long);
    suite_add_tcase(s, tc);
    return s;
}
