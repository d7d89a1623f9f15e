/* test_rules.c - loading rule files: the shipped rules, and every error a
 * rule file can hold (docs/rules.md), each naming the file and the rule,
 * each leaving the analyzer's rules as they were. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ewdiag.h>

#include <check.h>

#include "harness.h"
#include "rules/rules.h"
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RULE_ID "test-rule"
#define LITERAL "Core server certificate verification failed for ("
#define PATTERN                                                                                    \
    "Core server certificate verification failed for \\((?<target>[^)]*)\\)\\.? +Action[=:] "     \
    "*(?<action>[A-Za-z]+)"
#define EXAMPLE                                                                                    \
    "2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: Core server "   \
    "certificate verification failed for (cucm.steven.lab). Action=Terminate Error=self signed "   \
    "certificate server=cucm.steven.lab(10.48.36.215) depth=0"
#define SNI_LINE                                                                                   \
    "2022-07-11T19:49:01.491+02:00 vcsc traffic_server[3916]: [ET_NET 2] WARNING: SNI "            \
    "(10.48.36.215) not in certificate. Action=Terminate server=10.48.36.215(10.48.36.215)"
#define TXN_LINE                                                                                   \
    "2022-07-11T18:55:26.024+02:00 vcsc traffic_server[18242]: UTCTime=\"2022-07-11 "              \
    "16:55:26,024\" Module=\"network.http.trafficserver\" Level=\"INFO\": Detail=\"Sending "       \
    "Response\" Txn-id=\"191\" TrackingID=\"\" Dst-ip=\"127.0.0.1\" Dst-port=\"35766\" "           \
    "Msg=\"HTTP/1.1 502 connect failed\""
#define SHIPPED_ID "ts-origin-cert-untrusted"

/* ---- helpers ----------------------------------------------------------- */

static char tmp_dir[PATH_MAX];

static void tmp_setup(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "%s", "/tmp/ewdiag-test-rules-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static int not_dot(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Removes tmp_dir and the files (and empty folders) in it. */
static void tmp_teardown(void)
{
    struct dirent **names;
    int n = scandir(tmp_dir, &names, not_dot, alphasort);
    for (int i = 0; i < n; i++) {
        char p[PATH_MAX + NAME_MAX + 2];
        snprintf(p, sizeof p, "%s/%s", tmp_dir, names[i]->d_name);
        if (unlink(p) != 0)
            (void)rmdir(p);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    (void)rmdir(tmp_dir);
}

/* tmp_dir/name; the buffer is static per slot so two paths can coexist. */
static const char *tmp_path(const char *name)
{
    static char buf[4][PATH_MAX + NAME_MAX + 2];
    static unsigned slot;
    char *p = buf[slot++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", tmp_dir, name);
    return p;
}

static const char *write_text(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static const char *write_rule(const char *name, json_t *rule)
{
    const char *path = tmp_path(name);
    ck_assert_int_eq(json_dump_file(rule, path, JSON_INDENT(2)), 0);
    return path;
}

/* A valid finding rule, to be spoilt one field at a time. */
static json_t *base_rule(void)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[sss], s:s, s:[s], s:[s], "
                          "s:[s]}",
                          "id", RULE_ID, "title", "A test rule", "kind", "finding", "severity",
                          "error", "category", "origin-tls-verification", "program",
                          "traffic_server", "literal", LITERAL, "pattern", PATTERN, "group_by",
                          "node", "target", "enforced", "description", "What is wrong.",
                          "actions", "Fix it.", "examples", EXAMPLE, "counter_examples",
                          SNI_LINE);
    ck_assert_ptr_nonnull(r);
    return r;
}

static void set_str(json_t *rule, const char *key, const char *value)
{
    ck_assert_int_eq(json_object_set_new(rule, key, json_string(value)), 0);
}

static void drop(json_t *rule, const char *key)
{
    ck_assert_int_eq(json_object_del(rule, key), 0);
}

static ewdiag_analyzer *new_analyzer(void)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    ck_assert_ptr_nonnull(a);
    return a;
}

static void expect_contains(const char *msg, const char *needle)
{
    ck_assert_msg(strstr(msg, needle) != NULL, "error \"%s\" does not contain \"%s\"", msg,
                  needle);
}

/*
 * Loading path into a (which holds `before` rules) fails with code; the
 * message names the file and the rule, and holds needle; no rule was kept.
 */
static void expect_refused(ewdiag_analyzer *a, const char *path, int code, const char *file,
                           const char *id, const char *needle)
{
    size_t before = ewdiag_analyzer_rule_count(a);
    int rc = ewdiag_analyzer_load_rules(a, path);
    const char *msg = ewdiag_error(a);
    ck_assert_msg(rc == code, "load_rules(%s) = %d, want %d (%s)", path, rc, code, msg);
    if (file)
        expect_contains(msg, file);
    if (id)
        expect_contains(msg, id);
    if (needle)
        expect_contains(msg, needle);
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), before);
}

/* rule, written as one file, is refused by a fresh analyzer. */
static void expect_rule_refused(json_t *rule, const char *needle)
{
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, path, EWDIAG_EFORMAT, path, RULE_ID, needle);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}

/* The explanation catalog shipped beside the rules holds no rule. */
#define CATALOG_FILE "explanations.json"

static int is_json_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static int is_rule_file(const struct dirent *d)
{
    return is_json_file(d) && strcmp(d->d_name, CATALOG_FILE) != 0;
}

/* ---- shipped rules ---------------------------------------------------- */

START_TEST(test_shipped_rules_load)
{
    struct dirent **names;
    int n = scandir(ew_test_rules_dir(), &names, is_rule_file, alphasort);
    ck_assert_msg(n > 0, "no rule file in %s", ew_test_rules_dir());
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);

    ewdiag_analyzer *a = new_analyzer();
    int rc = ewdiag_analyzer_load_rules(a, ew_test_rules_dir());
    ck_assert_msg(rc == EWDIAG_OK, "shipped rules: %s", ewdiag_error(a));
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), (size_t)n);
    ewdiag_analyzer_free(a);
}
END_TEST

/* Each shipped rule file alone is one rule. */
START_TEST(test_shipped_rules_load_one_by_one)
{
    struct dirent **names;
    int n = scandir(ew_test_rules_dir(), &names, is_rule_file, alphasort);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + NAME_MAX + 2];
        snprintf(path, sizeof path, "%s/%s", ew_test_rules_dir(), names[i]->d_name);
        ewdiag_analyzer *a = new_analyzer();
        int rc = ewdiag_analyzer_load_rules(a, path);
        ck_assert_msg(rc == EWDIAG_OK, "%s: %s", path, ewdiag_error(a));
        ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 1);
        ewdiag_analyzer_free(a);
        free(names[i]);
    }
    free(names);
}
END_TEST

/* ---- a valid rule ----------------------------------------------------- */

START_TEST(test_base_rule_loads)
{
    json_t *rule = base_rule();
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    int rc = ewdiag_analyzer_load_rules(a, path);
    ck_assert_msg(rc == EWDIAG_OK, "%s", ewdiag_error(a));
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 1);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

/* Rules add up over calls. */
START_TEST(test_rules_add_up)
{
    json_t *rule = base_rule();
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, ew_test_rules_dir()), EWDIAG_OK);
    size_t shipped = ewdiag_analyzer_rule_count(a);
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, path), EWDIAG_OK);
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), shipped + 1);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

START_TEST(test_invalid_json)
{
    const char *path = write_text("broken.json", "{\n"
                                                 "  \"id\": \"test-rule\",\n"
                                                 "  \"title\" \"no colon before me\"\n"
                                                 "}\n");
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, path, EWDIAG_EFORMAT, path, NULL, NULL);
    /* "<file>:<line>:<col>": the error is on line 3. */
    const char *msg = ewdiag_error(a);
    size_t n = strlen(path);
    ck_assert_msg(strncmp(msg, path, n) == 0, "\"%s\" does not start with the file", msg);
    int line = 0, col = 0;
    char sep = 0;
    ck_assert_msg(sscanf(msg + n, ":%d:%d%c", &line, &col, &sep) == 3 && sep == ':',
                  "\"%s\" has no file:line:col", msg);
    ck_assert_int_eq(line, 3);
    ck_assert_int_gt(col, 0);
    ewdiag_analyzer_free(a);
}
END_TEST

/* ---- the cases of tests/data/rule_cases.json -------------------------- */

/* Each case is the base rule, its "drop" keys deleted and its "set" keys
 * replaced; it is "refused" with a message holding each of those strings,
 * or it "loads". A new case is one line there. */
#define RULE_CASES "tests/data/rule_cases.json"

static json_t *load_rule_cases(void)
{
    const char *root = getenv("EWDIAG_SOURCE_ROOT");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", RULE_CASES);
    json_error_t err;
    json_t *cases = json_load_file(path, 0, &err);
    ck_assert_msg(json_is_array(cases), "%s:%d: %s", path, err.line, err.text);
    return cases;
}

static json_t *case_rule(const json_t *c)
{
    json_t *rule = base_rule();
    size_t i;
    json_t *key;
    json_array_foreach(json_object_get(c, "drop"), i, key)
        drop(rule, json_string_value(key));
    json_t *set = json_object_get(c, "set");
    if (set)
        ck_assert_int_eq(json_object_update(rule, set), 0);
    return rule;
}

static void expect_rule_loads(json_t *rule, const char *name)
{
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_msg(ewdiag_analyzer_load_rules(a, path) == EWDIAG_OK, "%s: %s", name,
                  ewdiag_error(a));
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 1);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}

START_TEST(test_rule_cases)
{
    json_t *cases = load_rule_cases();
    size_t i, j;
    json_t *c, *needle;
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        ck_assert_ptr_nonnull(name);
        json_t *refused = json_object_get(c, "refused");
        ck_assert_msg(json_is_true(json_object_get(c, "loads")) != (refused != NULL),
                      "%s: a case either loads or is refused", name);
        if (!refused)
            expect_rule_loads(case_rule(c), name);
        json_array_foreach(refused, j, needle)
            expect_rule_refused(case_rule(c), json_string_value(needle));
    }
    json_decref(cases);
}
END_TEST

/* An unclosed group: PCRE2 stops at the end of the pattern. */
/* Which patterns may be run from where their literal first occurs; each
 * answer checked against PCRE2 on lines that hold the literal twice. */
START_TEST(test_pattern_leads_with)
{
    static const struct {
        const char *pattern, *literal;
        bool leads;
    } cases[] = {
        {"Detail=\"Receive Request\" +Txn-id=\"(?<txn>[^\"]+)\"", "Detail=\"Receive Request\"", true},
        {"abc(?:d|e)", "abc", true},        {"abc[|]d", "abc", true},
        {"abc[]|]d", "abc", true},          {"abc\\|d", "abc", true},
        {"abc\\Q|\\Ed", "abc", true},   {"abc[[:alpha:]|]d", "abc", true},
        {"abc(?i)d", "abc", true},          {"abc", "abc", true},
        {"abc|d", "abc", false},            {"abc(?:d)|e", "abc", false},
        {"abc?d", "abc", false},            {"abc*d", "abc", false},
        {"abc+d", "abc", false},            {"abc{2}d", "abc", false},
        {"ab.c", "ab.c", false},            {"xabc", "abc", false},
        {"ab", "abc", false},               {"abc(?#(x)|d", "abc", false},
        {"abc(?x)# (\n|d", "abc", false},  {"abc\\Gd", "abc", false},
        {"(?:abc)d", "abc", false},         {"abc[|d", "abc", false},
    };
    static const char *const lines[] = {"xx abc abcd abce", "d abc|d abcd", "abcabc d dd", "e abc"};
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    ck_assert_ptr_nonnull(md);
    for (size_t i = 0; i < EW_ARRAY_LEN(cases); i++) {
        const char *pat = cases[i].pattern, *lit = cases[i].literal;
        ck_assert_msg(ew_pattern_leads_with(pat, lit, strlen(lit)) == cases[i].leads, "%s", pat);
        int ec;
        PCRE2_SIZE off;
        pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
        if (!code || !cases[i].leads) {
            pcre2_code_free(code);
            continue;
        }
        for (size_t k = 0; k < EW_ARRAY_LEN(lines); k++) {
            const char *at = strstr(lines[k], lit);
            if (!at)
                continue;
            size_t n = strlen(lines[k]);
            int a = pcre2_match(code, (PCRE2_SPTR)lines[k], n, 0, 0, md, NULL);
            PCRE2_SIZE start = a > 0 ? pcre2_get_ovector_pointer(md)[0] : 0;
            int b = pcre2_match(code, (PCRE2_SPTR)lines[k], n, (PCRE2_SIZE)(at - lines[k]), 0, md,
                                NULL);
            ck_assert_msg(a == b, "%s on \"%s\": %d from 0, %d from the literal", pat, lines[k], a,
                          b);
            if (a > 0)
                ck_assert_uint_eq(start, pcre2_get_ovector_pointer(md)[0]);
        }
        pcre2_code_free(code);
    }
    pcre2_match_data_free(md);
}
END_TEST

START_TEST(test_pattern_does_not_compile)
{
    const char *pattern = PATTERN "(unclosed";
    json_t *rule = base_rule();
    set_str(rule, "pattern", pattern);
    char needle[64];
    snprintf(needle, sizeof needle, "offset %zu", strlen(pattern));
    expect_rule_refused(rule, needle);
}
END_TEST

/* An error inside the pattern: the offset PCRE2 itself gives for it. */
START_TEST(test_pattern_error_offset_inside)
{
    const char *pattern = "verification failed for (a)) +Action";
    int ec;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    ck_assert_ptr_null(code);
    ck_assert_uint_lt(off, strlen(pattern));
    json_t *rule = base_rule();
    set_str(rule, "pattern", pattern);
    set_str(rule, "literal", "verification failed for (");
    char needle[64];
    snprintf(needle, sizeof needle, "offset %zu", (size_t)off);
    expect_rule_refused(rule, needle);
}
END_TEST

START_TEST(test_bad_id)
{
    json_t *rule = base_rule();
    set_str(rule, "id", "Test_Rule");
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, path, EWDIAG_EFORMAT, path, "Test_Rule", "\"id\"");
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

/* Two files of one directory with the same id: the second is named, and
 * the first, although valid, is not kept either. */
START_TEST(test_duplicate_id_in_one_directory)
{
    json_t *rule = base_rule();
    write_rule("a.json", rule);
    const char *second = write_rule("b.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, tmp_dir, EWDIAG_EFORMAT, second, RULE_ID, "already");
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 0);
    /* Nothing of that call was kept: a.json alone loads as new. */
    ck_assert_msg(ewdiag_analyzer_load_rules(a, tmp_path("a.json")) == EWDIAG_OK, "%s",
                  ewdiag_error(a));
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 1);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

START_TEST(test_duplicate_id_in_one_directory_after_shipped)
{
    json_t *rule = base_rule();
    write_rule("a.json", rule);
    const char *second = write_rule("b.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, ew_test_rules_dir()), EWDIAG_OK);
    size_t shipped = ewdiag_analyzer_rule_count(a);
    expect_refused(a, tmp_dir, EWDIAG_EFORMAT, second, RULE_ID, "already");
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), shipped);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

START_TEST(test_duplicate_id_of_loaded_rule)
{
    json_t *rule = base_rule();
    set_str(rule, "id", SHIPPED_ID);
    const char *path = write_rule("again.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, ew_test_rules_dir()), EWDIAG_OK);
    size_t shipped = ewdiag_analyzer_rule_count(a);
    expect_refused(a, path, EWDIAG_EFORMAT, path, SHIPPED_ID, "already");
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), shipped);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

/* The same directory twice: every id of the second call is a duplicate. */
START_TEST(test_shipped_rules_twice)
{
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, ew_test_rules_dir()), EWDIAG_OK);
    size_t shipped = ewdiag_analyzer_rule_count(a);
    expect_refused(a, ew_test_rules_dir(), EWDIAG_EFORMAT, ew_test_rules_dir(), NULL, "already");
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), shipped);
    ewdiag_analyzer_free(a);
}
END_TEST

/* A good file before a bad one in the same directory: all or nothing. */
START_TEST(test_directory_all_or_nothing)
{
    json_t *good = base_rule();
    set_str(good, "id", "test-good");
    write_rule("a.json", good);
    json_t *bad = base_rule();
    drop(bad, "literal");
    const char *bad_path = write_rule("b.json", bad);
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, tmp_dir, EWDIAG_EFORMAT, bad_path, RULE_ID, "literal");
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 0);
    ck_assert_msg(ewdiag_analyzer_load_rules(a, tmp_path("a.json")) == EWDIAG_OK, "%s",
                  ewdiag_error(a));
    ewdiag_analyzer_free(a);
    json_decref(good);
    json_decref(bad);
}
END_TEST

/* Only *.json files of a directory are rules. */
START_TEST(test_directory_skips_other_files)
{
    json_t *rule = base_rule();
    write_rule("a.json", rule);
    write_text("README.txt", "not a rule\n");
    write_text("b.json~", "{ broken\n");
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_msg(ewdiag_analyzer_load_rules(a, tmp_dir) == EWDIAG_OK, "%s", ewdiag_error(a));
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), 1);
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

START_TEST(test_nonexistent_path)
{
    const char *path = tmp_path("no-such-rules");
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, path, EWDIAG_EIO, path, NULL, NULL);
    ewdiag_analyzer_free(a);
}
END_TEST

START_TEST(test_empty_directory)
{
    ewdiag_analyzer *a = new_analyzer();
    size_t before = ewdiag_analyzer_rule_count(a);
    int rc = ewdiag_analyzer_load_rules(a, tmp_dir);
    ck_assert_int_lt(rc, 0);
    expect_contains(ewdiag_error(a), tmp_dir);
    ck_assert_uint_eq(ewdiag_analyzer_rule_count(a), before);
    ewdiag_analyzer_free(a);
}
END_TEST

START_TEST(test_not_an_object)
{
    const char *path = write_text("array.json", "[1, 2, 3]\n");
    ewdiag_analyzer *a = new_analyzer();
    expect_refused(a, path, EWDIAG_EFORMAT, path, NULL, NULL);
    ewdiag_analyzer_free(a);
}
END_TEST

/* After an error, a good load clears the message. */
START_TEST(test_error_cleared_by_success)
{
    json_t *rule = base_rule();
    const char *path = write_rule("rule.json", rule);
    ewdiag_analyzer *a = new_analyzer();
    ck_assert_int_lt(ewdiag_analyzer_load_rules(a, tmp_path("missing.json")), 0);
    ck_assert_str_ne(ewdiag_error(a), "");
    ck_assert_int_eq(ewdiag_analyzer_load_rules(a, path), EWDIAG_OK);
    ck_assert_str_eq(ewdiag_error(a), "");
    ewdiag_analyzer_free(a);
    json_decref(rule);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("shipped");
    tcase_add_test(tc, test_shipped_rules_load);
    tcase_add_test(tc, test_shipped_rules_load_one_by_one);
    tcase_add_test(tc, test_shipped_rules_twice);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_base_rule_loads);
    tcase_add_test(tc, test_rules_add_up);
    tcase_add_test(tc, test_invalid_json);
    tcase_add_test(tc, test_not_an_object);
    tcase_add_test(tc, test_pattern_does_not_compile);
    tcase_add_test(tc, test_pattern_leads_with);
    tcase_add_test(tc, test_pattern_error_offset_inside);
    tcase_add_test(tc, test_bad_id);
    tcase_add_test(tc, test_error_cleared_by_success);
    suite_add_tcase(s, tc);

    tc = tcase_create("cases");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_rule_cases);
    suite_add_tcase(s, tc);

    tc = tcase_create("directory");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_duplicate_id_in_one_directory);
    tcase_add_test(tc, test_duplicate_id_in_one_directory_after_shipped);
    tcase_add_test(tc, test_duplicate_id_of_loaded_rule);
    tcase_add_test(tc, test_directory_all_or_nothing);
    tcase_add_test(tc, test_directory_skips_other_files);
    tcase_add_test(tc, test_nonexistent_path);
    tcase_add_test(tc, test_empty_directory);
    suite_add_tcase(s, tc);
    return s;
}
