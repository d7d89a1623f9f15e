/* test_multipart.c - the streaming multipart/form-data parser of ewdiag
 * serve: the same parts whatever the chunks, a receiver that takes less
 * (backpressure), boundaries near-missed in the data, and every error. */
#include "../src/serve/multipart.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define CT "multipart/form-data; boundary=XyZ"
#define LOG_MAX 65536
#define BIG_PART 20000

/* What the receiver saw, flattened: "B(field|file|has)", data, "E". */
typedef struct rec {
    char log[LOG_MAX];
    size_t len;
    mp_parser *p;
    size_t take_max;   /* at most this many bytes per data call; 0: all */
    int busy_begins;   /* answer MP_BUSY to this many begins first */
    int busy_calls;    /* and to every other data call when set */
    unsigned calls;
} rec;

static void put(rec *r, const char *s, size_t n)
{
    ck_assert_uint_lt(r->len + n, LOG_MAX);
    memcpy(r->log + r->len, s, n);
    r->len += n;
    r->log[r->len] = '\0';
}

static mp_rc on_begin(void *ctx, const char *field, const char *file, bool has)
{
    rec *r = ctx;
    if (r->busy_begins > 0) {
        r->busy_begins--;
        return MP_BUSY;
    }
    char b[3 * MP_MAX_PARAM];
    int n = snprintf(b, sizeof b, "B(%s|%s|%d)", field, file, has);
    put(r, b, (size_t)n);
    return MP_OK;
}

static long on_data(void *ctx, const char *p, size_t n)
{
    rec *r = ctx;
    if (r->busy_calls && r->calls++ % 2 == 0)
        return 0;
    size_t t = r->take_max && n > r->take_max ? r->take_max : n;
    put(r, p, t);
    return (long)t;
}

static mp_rc on_end(void *ctx)
{
    put(ctx, "E", 1);
    return MP_OK;
}

static const mp_handler handler = {on_begin, on_data, on_end};

/* Feeds body in chunks of `step` bytes, re-offering what was not taken;
 * returns 0 when the body parsed whole, -1 on an error. */
static int feed(rec *r, const char *body, size_t n, size_t step)
{
    char err[MP_ERROR_MAX];
    r->p = mp_new(CT, &handler, r, err, sizeof err);
    ck_assert_msg(r->p != NULL, "%s", err);
    size_t at = 0;
    unsigned stuck = 0;
    while (at < n) {
        size_t k = n - at < step ? n - at : step;
        long t = mp_feed(r->p, body + at, k);
        if (t < 0)
            return -1;
        at += (size_t)t;
        stuck = t == 0 ? stuck + 1 : 0;
        ck_assert_uint_lt(stuck, 100);
    }
    while (mp_pending(r->p) && mp_feed(r->p, "", 0) >= 0)
        continue;
    return mp_finish(r->p);
}

static const char body1[] =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"format\"\r\n\r\n"
    "html\r\n"
    "--XyZ  \r\n"
    "content-disposition: form-data; name=\"bundle\"; filename=\"a \\\"q\\\".tar.gz\"\r\n"
    "Content-Type: application/gzip\r\n\r\n"
    "data\r\n--XyNOT a boundary\r\r\n-\r\n--X\r\n--XyQ-- almost\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=bundle; filename=C:\\dir\\b.log\r\n\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue";

static const char want1[] =
    "B(format||0)htmlE"
    "B(bundle|a \"q\".tar.gz|1)data\r\n--XyNOT a boundary\r\r\n-\r\n--X\r\n--XyQ-- almostE"
    "B(bundle|C:\\dir\\b.log|1)E";

START_TEST(every_chunk_size)
{
    for (size_t step = 1; step <= sizeof body1; step++) {
        rec r = {.len = 0};
        ck_assert_int_eq(feed(&r, body1, sizeof body1 - 1, step), 0);
        ck_assert_str_eq(r.log, want1);
        mp_free(r.p);
    }
}
END_TEST

START_TEST(backpressure)
{
    for (size_t take = 1; take <= 7; take++) {
        rec r = {.take_max = take, .busy_begins = 2, .busy_calls = 1};
        ck_assert_int_eq(feed(&r, body1, sizeof body1 - 1, 5), 0);
        ck_assert_str_eq(r.log, want1);
        mp_free(r.p);
    }
}
END_TEST

START_TEST(big_part)
{
    static char body[BIG_PART + 512], want[BIG_PART + 128];
    char data[BIG_PART];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = "\r\n-XyZab"[i * 7 % 8]; /* dense near-misses */
    int n = snprintf(body, sizeof body, "--XyZ\r\nContent-Disposition: form-data; name=f; "
                                        "filename=x\r\n\r\n");
    memcpy(body + n, data, sizeof data);
    n += (int)sizeof data;
    n += snprintf(body + n, sizeof body - (size_t)n, "\r\n--XyZ--\r\n");
    int w = snprintf(want, sizeof want, "B(f|x|1)");
    memcpy(want + w, data, sizeof data);
    memcpy(want + w + sizeof data, "E", 2);
    rec *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(feed(r, body, (size_t)n, 4096), 0);
    ck_assert_uint_eq(r->len, (size_t)w + sizeof data + 1);
    ck_assert_int_eq(memcmp(r->log, want, r->len), 0);
    mp_free(r->p);
    free(r);
}
END_TEST

static void expect_error(const char *body, const char *text)
{
    for (size_t step = 1; step <= 64; step *= 4) {
        rec r = {.len = 0};
        ck_assert_int_eq(feed(&r, body, strlen(body), step), -1);
        ck_assert_msg(strstr(mp_error(r.p), text), "'%s' does not say '%s'", mp_error(r.p), text);
        mp_free(r.p);
    }
}

START_TEST(errors)
{
    expect_error("no boundary at all", "no multipart boundary");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc", "ends inside a part");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--XyZ\r\n",
                 "ends before the closing");
    expect_error("--XyZ\r\nContent-Type: x\r\n\r\nabc\r\n--XyZ--", "no Content-Disposition");
    expect_error("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\n\r\n--XyZ--", "not form-data");
    expect_error("--XyZ\r\nContent-Disposition: form-data\r\n\r\n\r\n--XyZ--", "has no name");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n\r\n--XyZ--", "malformed");
    expect_error("--XyZ\r\nNoColon\r\n\r\n\r\n--XyZ--", "header line is malformed");
    expect_error("--XyZ\r\n folded: x\r\n\r\n\r\n--XyZ--", "header line is malformed");
    expect_error("--XyZ\nContent-Disposition: form-data; name=a\n\n", "followed by something else");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\n\r\n", "do not end in CRLF");
    expect_error("--XyZ\r\nX: \x01\r\n\r\n", "control character");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
                 "Content-Disposition: form-data; name=b\r\n\r\n\r\n--XyZ--", "two Content-Disposition");
    expect_error("--XyZ-x", "single '-'");
    expect_error("--XyZ\rx", "CR without LF");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--XyZjunk\r\n",
                 "followed by something else");
}
END_TEST

START_TEST(long_headers)
{
    static char body[MP_MAX_HEADERS + 256];
    int n = snprintf(body, sizeof body, "--XyZ\r\nX-Long: ");
    memset(body + n, 'a', MP_MAX_HEADERS);
    body[n + MP_MAX_HEADERS] = '\0';
    expect_error(body, "longer than 8192");
    char name[MP_MAX_PARAM + 200];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    char b2[sizeof name + 128];
    snprintf(b2, sizeof b2, "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", name);
    expect_error(b2, "longer than 1024");
}
END_TEST

START_TEST(content_types)
{
    char err[MP_ERROR_MAX];
    rec r = {.len = 0};
    static const char *const good[] = {
        "multipart/form-data; boundary=XyZ", "Multipart/Form-Data;boundary=\"XyZ\"",
        "multipart/form-data; charset=utf-8; boundary=XyZ", "  multipart/form-data ; BOUNDARY = XyZ"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        mp_parser *p = mp_new(good[i], &handler, &r, err, sizeof err);
        ck_assert_msg(p != NULL, "%s: %s", good[i], err);
        mp_free(p);
    }
    static const char *const bad[] = {
        "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=a",
        "multipart/form-data; boundary=\"a", "multipart/form-data; boundary=a\rb",
        "multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "multipart/form-data; =x", "application/gzip", "multipart/form-data; boundary=a b "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(mp_new(bad[i], &handler, &r, err, sizeof err) == NULL, "%s accepted", bad[i]);
    ck_assert(mp_is_multipart("multipart/form-data"));
    ck_assert(!mp_is_multipart("multipart/form-database"));
    ck_assert(!mp_is_multipart(NULL));
}
END_TEST

/* A small deterministic PRNG (xorshift) for the mutations below. */
static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

#define MUTANTS 5000
#define MUTANT_MAX (sizeof body1 + 64)

/* Mutated bodies, fed in random chunks to a receiver that takes random
 * amounts: every run ends (parsed or an error), nothing read out of bounds
 * (run under the sanitizers by the suite). */
START_TEST(random_bodies)
{
    static const char *const pieces[] = {"\r\n--XyZ", "\r\n--XyZ--", "\r\n\r\n", "--", "\r", "\"",
                                         "; filename=\"", "Content-Disposition: form-data; name=x"};
    uint32_t seed = 0x9e3779b9u;
    char body[MUTANT_MAX];
    for (int k = 0; k < MUTANTS; k++) {
        size_t n = sizeof body1 - 1;
        memcpy(body, body1, n);
        for (int m = (int)(next_rand(&seed) % 4); m >= 0 && n > 0; m--) {
            size_t at = next_rand(&seed) % n;
            uint32_t what = next_rand(&seed) % 4;
            if (what == 0) {
                body[at] = (char)next_rand(&seed);
            } else if (what == 1) {
                n = at; /* cut */
            } else {
                const char *p = pieces[next_rand(&seed) % (sizeof pieces / sizeof pieces[0])];
                size_t len = strlen(p);
                if (n + len <= sizeof body) {
                    memmove(body + at + len, body + at, n - at);
                    memcpy(body + at, p, len);
                    n += len;
                }
            }
        }
        rec r = {.take_max = 1 + next_rand(&seed) % 9, .busy_begins = (int)(next_rand(&seed) % 3),
                 .busy_calls = (int)(next_rand(&seed) % 2)};
        int rc = feed(&r, body, n, 1 + next_rand(&seed) % 40);
        ck_assert(rc == 0 || rc == -1);
        ck_assert(rc == 0 || *mp_error(r.p));
        mp_free(r.p);
    }
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("multipart");
    TCase *tc = tcase_create("multipart");
    tcase_add_test(tc, every_chunk_size);
    tcase_add_test(tc, backpressure);
    tcase_add_test(tc, big_part);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, long_headers);
    tcase_add_test(tc, content_types);
    tcase_add_test(tc, random_bodies);
    suite_add_tcase(s, tc);
    return s;
}
