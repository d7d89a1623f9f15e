/* test_lines.c - the streaming line splitter. */
#include "core/lines.h"

#include <check.h>

#include "harness.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* What a callback returns to stop the splitter: any value but 0 or -1. */
#define STOP_RC 7
/* Room the carry may take beyond max_line: a pending '\r' and the NUL. */
#define CARRY_SLACK 2
#define SMALL_MAX_LINE 8
#define HUGE_MAX_LINE 1024
#define HUGE_LINE_BYTES (50u * 1024 * 1024)
#define HUGE_CHUNK (64u * 1024)
#define HUGE_LAST_CHUNKS 16

/* Every line given, flattened as "flags:len:bytes\n" so runs compare with
 * one memcmp. */
typedef struct rec {
    ew_buf log;
    uint64_t calls;
    uint64_t stop_at; /* return STOP_RC on this call (1-based); 0: never */
    const char *lo, *hi; /* when set, every line must lie inside [lo, hi) */
} rec;

static int rec_line(void *ctx, const char *line, size_t len, unsigned flags)
{
    rec *r = ctx;
    r->calls++;
    /* Compared as integers: the pointers may belong to different objects. */
    if (r->lo)
        ck_assert_msg((uintptr_t)r->lo <= (uintptr_t)line
                          && (uintptr_t)(line + len) <= (uintptr_t)r->hi,
                      "line not given in place");
    if (ew_buf_printf(&r->log, "%u:%zu:", flags, len) != 0
        || ew_buf_append(&r->log, line, len) != 0 || ew_buf_append(&r->log, "\n", 1) != 0)
        ck_abort_msg("out of memory");
    return r->calls == r->stop_at ? STOP_RC : 0;
}

static void rec_expect(const rec *r, const char *want, size_t want_n)
{
    ck_assert_msg(r->log.len == want_n && (want_n == 0 || memcmp(r->log.p, want, want_n) == 0),
                  "got \"%s\", want \"%.*s\"", r->log.len ? r->log.p : "", (int)want_n, want);
}

#define REC_EXPECT(r, lit) rec_expect((r), (lit), sizeof(lit) - 1)

/* Feeds s through a private copy of exactly n bytes, so that ASan sees any
 * read past the chunk or any use of it after the feed. */
static int feed_copy(ew_lines *l, const char *s, size_t n, rec *r)
{
    char *chunk = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(chunk);
    if (n)
        memcpy(chunk, s, n);
    int rc = ew_lines_feed(l, chunk, n, rec_line, r);
    free(chunk);
    return rc;
}

/* Splits s at the positions cuts[0..ncuts) (ascending), feeds the pieces
 * and finishes; the lines land in r. */
static void run_split(const char *s, size_t n, const size_t *cuts, size_t ncuts, size_t max_line,
                      rec *r)
{
    ew_lines l;
    ew_lines_init(&l, max_line);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : n;
        ck_assert_int_eq(feed_copy(&l, s + at, to - at, r), 0);
        at = to;
    }
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, r), 0);
    ck_assert_uint_eq(l.bytes, n);
    ck_assert_uint_eq(l.lines, r->calls);
    ck_assert_uint_le(l.carry.cap, max_line + CARRY_SLACK);
    ew_lines_free(&l);
}

static void run_chunks(const char *s, size_t n, size_t chunk, size_t max_line, rec *r)
{
    size_t ncuts = n ? (n - 1) / chunk : 0;
    size_t *cuts = calloc(ncuts ? ncuts : 1, sizeof *cuts);
    ck_assert_ptr_nonnull(cuts);
    for (size_t i = 0; i < ncuts; i++)
        cuts[i] = (i + 1) * chunk;
    run_split(s, n, cuts, ncuts, max_line, r);
    free(cuts);
}

static void expect_run(const char *s, size_t n, size_t max_line, const char *want, size_t want_n)
{
    rec r = {0};
    run_split(s, n, NULL, 0, max_line, &r);
    rec_expect(&r, want, want_n);
    ew_buf_free(&r.log);
}

/* Feeds a string literal as one chunk, in place. */
#define FEED(l, lit, r) ew_lines_feed((l), (lit), sizeof(lit) - 1, rec_line, (r))

/* The cases of tests/data/line_cases.json: each input split whole with its
 * max_line gives the lines want lists ("flags:length:text\n" each). A new
 * case is one line there. */
#define LINE_CASES "tests/data/line_cases.json"

START_TEST(test_line_cases)
{
    const char *root = getenv("EWDIAG_SOURCE_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", LINE_CASES);
    json_error_t err;
    json_t *cases = json_load_file(path, 0, &err);
    ck_assert_msg(json_is_array(cases), "%s:%d: %s", path, err.line, err.text);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c)
    {
        json_t *in = json_object_get(c, "input"), *want = json_object_get(c, "want");
        json_t *max_line = json_object_get(c, "max_line");
        ck_assert_msg(json_is_string(in) && json_is_string(want) && json_is_integer(max_line),
                      "case %zu: input, want and max_line", i);
        expect_run(json_string_value(in), json_string_length(in),
                   (size_t)json_integer_value(max_line), json_string_value(want),
                   json_string_length(want));
    }
    json_decref(cases);
}
END_TEST

/* Lines, CRLF, empties, continuations, NUL bytes, and with max_line 8 lines
 * of 8, 8 + CR, 9, 8 + CR + more, and a long one. */
static const char mixed[] = "alpha\r\n\n  | cont\nbeta\n12345678\n12345678\r\n123456789\n"
                            "12345678\rx\nthis line is far too long\r\n\r\n|\n"
                            "nul\0byte\ntail";
static const char mixed_want[] =
    "0:5:alpha\n0:0:\n2:8:  | cont\n0:4:beta\n0:8:12345678\n0:8:12345678\n1:8:12345678\n"
    "1:8:12345678\n1:8:this lin\n0:0:\n2:1:|\n0:8:nul\0byte\n0:4:tail\n";

START_TEST(test_every_split)
{
    size_t n = sizeof mixed - 1;
    rec whole = {0};
    run_split(mixed, n, NULL, 0, SMALL_MAX_LINE, &whole);
    rec_expect(&whole, mixed_want, sizeof mixed_want - 1);

    rec bytes = {0};
    run_chunks(mixed, n, 1, SMALL_MAX_LINE, &bytes);
    rec_expect(&bytes, whole.log.p, whole.log.len);
    ew_buf_free(&bytes.log);

    /* Every way to cut it in two and in three pieces. */
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = i; j <= n; j++) {
            size_t cuts[] = {i, j};
            rec r = {0};
            run_split(mixed, n, cuts, EW_ARRAY_LEN(cuts), SMALL_MAX_LINE, &r);
            rec_expect(&r, whole.log.p, whole.log.len);
            ew_buf_free(&r.log);
        }
    }
    ew_buf_free(&whole.log);
}
END_TEST

START_TEST(test_cut_in_pieces)
{
    static const char s[] = "0123456789abcdefghij\nnext\n";
    for (size_t chunk = 1; chunk < sizeof s; chunk++) {
        rec r = {0};
        ew_lines l;
        ew_lines_init(&l, SMALL_MAX_LINE);
        for (size_t at = 0; at < sizeof s - 1; at += chunk)
            ck_assert_int_eq(feed_copy(&l, s + at, EW_MIN(chunk, sizeof s - 1 - at), &r), 0);
        ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), 0);
        REC_EXPECT(&r, "1:8:01234567\n0:4:next\n");
        ck_assert_uint_eq(l.lines, 2);
        ck_assert_uint_eq(l.cut, 1);
        ew_lines_free(&l);
        ew_buf_free(&r.log);
    }
}
END_TEST

START_TEST(test_in_place)
{
    static const char s[] = "one\ntwo\r\nthree\n";
    rec r = {.lo = s, .hi = s + sizeof s - 1};
    ew_lines l;
    ew_lines_init(&l, SMALL_MAX_LINE);
    ck_assert_int_eq(ew_lines_feed(&l, s, sizeof s - 1, rec_line, &r), 0);
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), 0);
    REC_EXPECT(&r, "0:3:one\n0:3:two\n0:5:three\n");
    /* Nothing straddled, so nothing was allocated. */
    ck_assert_ptr_null(l.carry.p);
    ck_assert_int_eq(ew_lines_feed(&l, NULL, 0, rec_line, &r), 0);
    ew_lines_free(&l);
    ew_buf_free(&r.log);
}
END_TEST

/* 50 MB without a '\n' in chunks of several sizes: memory stays at
 * max_line whether the head is given in place or from the carry. */
static const size_t huge_chunks[] = {HUGE_CHUNK, 1000, 1023, 1024, 1025, 1026};

START_TEST(test_huge_line)
{
    size_t chunk = huge_chunks[_i];
    char *buf = malloc(chunk);
    ck_assert_ptr_nonnull(buf);
    memset(buf, 'a', chunk);
    rec r = {0};
    ew_lines l;
    ew_lines_init(&l, HUGE_MAX_LINE);
    for (size_t done = 0; done < HUGE_LINE_BYTES; done += chunk) {
        size_t n = EW_MIN(chunk, HUGE_LINE_BYTES - done);
        ck_assert_int_eq(ew_lines_feed(&l, buf, n, rec_line, &r), 0);
        ck_assert_uint_le(l.carry.cap, HUGE_MAX_LINE + CARRY_SLACK);
    }
    ck_assert_int_eq(FEED(&l, "\nok\n", &r), 0);
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), 0);
    ck_assert_uint_eq(l.lines, 2);
    ck_assert_uint_eq(l.cut, 1);
    ck_assert_uint_eq(l.bytes, HUGE_LINE_BYTES + sizeof "\nok\n" - 1);
    ck_assert_uint_le(l.carry.cap, HUGE_MAX_LINE + CARRY_SLACK);

    char want[HUGE_MAX_LINE + 32];
    int w = snprintf(want, sizeof want, "%u:%u:", EW_LINE_CUT, (unsigned)HUGE_MAX_LINE);
    ck_assert(w > 0);
    memset(want + w, 'a', HUGE_MAX_LINE);
    static const char rest[] = "\n0:2:ok\n";
    memcpy(want + w + HUGE_MAX_LINE, rest, sizeof rest - 1);
    rec_expect(&r, want, (size_t)w + HUGE_MAX_LINE + sizeof rest - 1);

    ew_lines_free(&l);
    ew_buf_free(&r.log);
    free(buf);
}
END_TEST

START_TEST(test_huge_last_line)
{
    static char buf[HUGE_CHUNK];
    memset(buf, 'b', sizeof buf);
    rec r = {0};
    ew_lines l;
    ew_lines_init(&l, HUGE_MAX_LINE);
    for (int i = 0; i < HUGE_LAST_CHUNKS; i++)
        ck_assert_int_eq(ew_lines_feed(&l, buf, sizeof buf, rec_line, &r), 0);
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), 0);
    ck_assert_uint_eq(r.calls, 1);
    ck_assert_uint_eq(l.cut, 1);
    ck_assert_ptr_null(l.carry.p);
    /* Finished, the cut line is over: what follows is a line of its own. */
    ck_assert_int_eq(FEED(&l, "next\n", &r), 0);
    ck_assert_uint_eq(r.calls, 2);
    ew_lines_free(&l);
    ew_buf_free(&r.log);
}
END_TEST

START_TEST(test_stop)
{
    rec r = {.stop_at = 2};
    ew_lines l;
    ew_lines_init(&l, SMALL_MAX_LINE);
    ck_assert_int_eq(FEED(&l, "a\nb\nc\n", &r), STOP_RC);
    ck_assert_uint_eq(r.calls, 2);
    ck_assert_uint_eq(l.lines, 2);
    REC_EXPECT(&r, "0:1:a\n0:1:b\n");
    ew_buf_free(&r.log);

    /* From a line given out of the carry, and from finish. */
    ew_lines_reset(&l);
    r = (rec){.stop_at = 1};
    ck_assert_int_eq(FEED(&l, "ab", &r), 0);
    ck_assert_int_eq(FEED(&l, "c\nd", &r), STOP_RC);
    REC_EXPECT(&r, "0:3:abc\n");
    ew_buf_free(&r.log);

    ew_lines_reset(&l);
    r = (rec){.stop_at = 1};
    ck_assert_int_eq(FEED(&l, "tail", &r), 0);
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), STOP_RC);
    ew_buf_free(&r.log);

    /* From a cut head given before its line ends. */
    ew_lines_reset(&l);
    r = (rec){.stop_at = 1};
    ck_assert_int_eq(FEED(&l, "0123456789", &r), STOP_RC);
    REC_EXPECT(&r, "1:8:01234567\n");
    ew_buf_free(&r.log);
    ew_lines_free(&l);
}
END_TEST

START_TEST(test_reset)
{
    rec r = {0};
    ew_lines l;
    ew_lines_init(&l, SMALL_MAX_LINE);
    ck_assert_int_eq(FEED(&l, "x\nabc", &r), 0);
    size_t cap = l.carry.cap;
    ck_assert_uint_gt(cap, 0);
    ck_assert_int_eq(FEED(&l, "defghijk", &r), 0);
    ck_assert(l.skipping);

    ew_lines_reset(&l);
    ck_assert(!l.skipping);
    ck_assert_uint_eq(l.lines, 0);
    ck_assert_uint_eq(l.cut, 0);
    ck_assert_uint_eq(l.bytes, 0);
    ck_assert_uint_eq(l.carry.len, 0);
    ck_assert_uint_eq(l.carry.cap, cap);

    /* Nothing of the old stream leaks into the new one. */
    ew_buf_clear(&r.log);
    ck_assert_int_eq(FEED(&l, "new\n", &r), 0);
    ck_assert_int_eq(ew_lines_finish(&l, rec_line, &r), 0);
    REC_EXPECT(&r, "0:3:new\n");
    ew_lines_free(&l);
    ew_buf_free(&r.log);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("lines");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_line_cases);
    tcase_add_test(tc, test_every_split);
    tcase_add_test(tc, test_cut_in_pieces);
    tcase_add_test(tc, test_in_place);
    tcase_add_test(tc, test_stop);
    tcase_add_test(tc, test_reset);
    suite_add_tcase(s, tc);

    TCase *big = tcase_create("huge");
    /* 50 MB under ASan in small chunks takes a while. */
    tcase_set_timeout(big, 120);
    tcase_add_loop_test(big, test_huge_line, 0, (int)EW_ARRAY_LEN(huge_chunks));
    tcase_add_test(big, test_huge_last_line);
    suite_add_tcase(s, big);
    return s;
}
