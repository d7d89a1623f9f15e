/* test_timestamp.c - timestamp parsing and formatting.
 *
 * Expected values come from `date -u -d <time> +%s`, not from the code
 * under test. */
#include "core/timestamp.h"

#include <check.h>

#include "harness.h"
#include <stdlib.h>

#define SEC(s) ((int64_t)(s) * EW_US_PER_SEC)
#define SEC_PER_DAY 86400
#define DAY SEC(SEC_PER_DAY)
#define MS_123 123000
/* A prime, so that the round trip meets every time of day in turn. */
#define TOD_STRIDE 7919
#define ROUND_TRIP_DAYS (200 * 366)

/* date -u -d ... +%s */
#define T_2022_07_11_165526 INT64_C(1657558526)
#define T_2016_03_09_041835 INT64_C(1457497115)
#define T_2024_02_29_235959 INT64_C(1709251199)
#define T_2024_02_29_100000 INT64_C(1709200800)
#define T_2017_01_01_000000 INT64_C(1483228800)
#define T_2026_11_22_064600 INT64_C(1795329960)
#define T_2025_11_22_064600 INT64_C(1763793960)
#define T_2026_11_02_064600 INT64_C(1793601960)
#define T_2026_11_30_000000 INT64_C(1795996800)
#define T_2026_12_31_235959 INT64_C(1798761599)
#define T_2027_01_01_001000 INT64_C(1798762200)
#define T_2026_06_01_000000 INT64_C(1780272000)
#define T_2025_01_05_000000 INT64_C(1736035200)
#define T_2024_01_05_000000 INT64_C(1704412800)
#define T_1900_01_01_000000 INT64_C(-2208988800)
#define DAYS_1900_01_01 (-25567)

typedef bool (*parse_fn)(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used);

/* The three parsers behind one signature; ref_us matters to ATS only. */
static bool parse_iso(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used)
{
    EW_UNUSED(ref_us);
    return ew_ts_parse_iso(s, n, us, used);
}

static bool parse_utctime(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used)
{
    EW_UNUSED(ref_us);
    return ew_ts_parse_utctime(s, n, us, used);
}

static bool parse_compact(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used)
{
    EW_UNUSED(ref_us);
    return ew_ts_parse_ats_compact(s, n, us, used);
}

/* Parses from a private copy of exactly n bytes, so ASan catches any read
 * past the end. */
static int parse_exact(parse_fn fn, const char *s, size_t n, int64_t ref_us, int64_t *us,
                       size_t *used)
{
    char *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    if (n)
        memcpy(copy, s, n);
    int rc = fn(copy, n, ref_us, us, used) ? 0 : -1;
    free(copy);
    return rc;
}

static void expect_ok(parse_fn fn, const char *s, int64_t ref_us, int64_t want_us, size_t want_used)
{
    int64_t us = 0;
    size_t used = 0;
    ck_assert_msg(parse_exact(fn, s, strlen(s), ref_us, &us, &used) == 0, "rejected \"%s\"", s);
    ck_assert_msg(us == want_us, "\"%s\": got %lld, want %lld", s, (long long)us,
                  (long long)want_us);
    ck_assert_msg(used == want_used, "\"%s\": used %zu, want %zu", s, used, want_used);
}

static void expect_fail(parse_fn fn, const char *s, int64_t ref_us)
{
    int64_t us = 0;
    size_t used = 0;
    ck_assert_msg(parse_exact(fn, s, strlen(s), ref_us, &us, &used) == -1, "accepted \"%s\"", s);
}

START_TEST(test_iso_forms)
{
    expect_ok(parse_iso, "2022-07-11T18:55:26.016+02:00", 0, SEC(T_2022_07_11_165526) + 16000, 29);
    expect_ok(parse_iso, "2016-03-09T09:48:35+05:30", 0, SEC(T_2016_03_09_041835), 25);
    expect_ok(parse_iso, "2016-03-09T09:48:35+0530", 0, SEC(T_2016_03_09_041835), 24);
    expect_ok(parse_iso, "2022-07-11T11:55:26.5-05:00", 0, SEC(T_2022_07_11_165526) + 500000, 27);
    expect_ok(parse_iso, "2022-07-11T16:55:26Z", 0, SEC(T_2022_07_11_165526), 20);
    expect_ok(parse_iso, "2024-02-29T23:59:59.999999+00:00", 0, SEC(T_2024_02_29_235959) + 999999,
              32);
    /* Past microseconds the digits are read and dropped, not rounded. */
    expect_ok(parse_iso, "2022-07-11T16:55:26.123456789Z", 0, SEC(T_2022_07_11_165526) + 123456,
              30);
    /* Crossing midnight and a year backwards through the offset. */
    expect_ok(parse_iso, "2017-01-01T01:00:00+01:00", 0, SEC(T_2017_01_01_000000), 25);
    /* A leap second is counted as it comes: 23:59:60 is the next midnight. */
    expect_ok(parse_iso, "2016-12-31T23:59:60Z", 0, SEC(T_2017_01_01_000000), 20);
    expect_ok(parse_iso, "1900-01-01T00:00:00Z", 0, SEC(T_1900_01_01_000000), 20);
    /* Only the timestamp is used from a syslog line. */
    expect_ok(parse_iso, "2022-07-11T16:55:26Z host tvcs: x", 0, SEC(T_2022_07_11_165526), 20);
}
END_TEST

START_TEST(test_iso_rejects)
{
    static const char *const bad[] = {
        "2022-13-01T00:00:00Z",          "2022-00-01T00:00:00Z",
        "2022-02-30T00:00:00Z",          "2023-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",          "2022-04-31T00:00:00Z",
        "2022-07-00T00:00:00Z",          "2022-07-11T24:00:00Z",
        "2022-07-11T23:60:00Z",          "2022-07-11T23:59:61Z",
        "2022-07-11T16:55:26",           "2022-07-11T16:55:26.016",
        "2022-07-11T16:55:26 +02:00",    "2022-07-11 16:55:26Z",
        "2022-07-11t16:55:26Z",          "2022-07-11T16:55:26.Z",
        "2022-07-11T16:55:26.1234567890Z", "2022-07-11T16:55:26+24:00",
        "2022-07-11T16:55:26+02:60",     "2022-07-11T16:55:26+2:00",
        "2022-07-11T16:55:26+02",        "2022-07-11T16:55:26+02:0",
        "2022-7-11T16:55:26Z",           "22-07-11T16:55:26Z",
        "2022-07-11T6:55:26Z",           "garbage",
        "",                              " 2022-07-11T16:55:26Z",
    };
    for (size_t i = 0; i < EW_ARRAY_LEN(bad); i++)
        expect_fail(parse_iso, bad[i], 0);
}
END_TEST

/* The cached parser against the plain one, in a seeded random order of
 * times that share their second, differ in fraction or zone, or fail. */
START_TEST(test_iso_cached_equals_plain)
{
    static const char *const times[] = {
        "2022-07-11T18:55:26.016+02:00", "2022-07-11T18:55:26.5+02:00",
        "2022-07-11T18:55:26+02:00",     "2022-07-11T18:55:26.016+0200",
        "2022-07-11T18:55:26.016Z",      "2022-07-11T18:55:26.016-05:30",
        "2022-07-11T18:55:26.0161234567+02:00", "2022-07-11T18:55:26.016+02:0",
        "2022-07-11T18:55:26.016+02",    "2022-07-11T18:55:26.",
        "2022-07-11T18:55:26.x+02:00",   "2022-07-11T18:55:27.016+02:00",
        "2022-07-11T18:55:26.123456789Z host tvcs: x", "2022-02-30T18:55:26.016+02:00",
        "2022-07-11T18:55:26.016+25:00", "2022-07-11T18:55:26",
        "2016-12-31T23:59:60Z",          "2022-07-11T18:55:26.016+02:00trailing",
    };
    enum { ROUNDS = 4000 };
    ew_ts_cache cache = {0};
    unsigned seed = 7;
    for (int k = 0; k < ROUNDS; k++) {
        const char *t = times[(size_t)rand_r(&seed) % EW_ARRAY_LEN(times)];
        size_t n = strlen(t);
        char *copy = malloc(n);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, t, n);
        int64_t us1 = 0, us2 = 0;
        size_t used1 = 0, used2 = 0;
        bool ok1 = ew_ts_parse_iso(copy, n, &us1, &used1);
        bool ok2 = ew_ts_parse_iso_cached(&cache, copy, n, &us2, &used2);
        ck_assert_msg(ok1 == ok2, "\"%s\": plain %d, cached %d", t, ok1, ok2);
        if (ok1) {
            ck_assert_msg(us1 == us2, "\"%s\": plain %lld, cached %lld", t, (long long)us1,
                          (long long)us2);
            ck_assert_uint_eq(used1, used2);
        }
        free(copy);
    }
}
END_TEST

START_TEST(test_utctime)
{
    expect_ok(parse_utctime, "2022-07-11 16:55:26,000", 0, SEC(T_2022_07_11_165526), 23);
    expect_ok(parse_utctime, "2022-07-11 16:55:26.123", 0, SEC(T_2022_07_11_165526) + 123000, 23);
    expect_ok(parse_utctime, "2022-07-11 16:55:26", 0, SEC(T_2022_07_11_165526), 19);
    expect_ok(parse_utctime, "2022-07-11 16:55:26\" Module=", 0, SEC(T_2022_07_11_165526), 19);
    /* A separator without digits is not part of it. */
    expect_ok(parse_utctime, "2022-07-11 16:55:26,x", 0, SEC(T_2022_07_11_165526), 19);

    expect_fail(parse_utctime, "2022-07-11T16:55:26", 0);
    expect_fail(parse_utctime, "2022-02-30 16:55:26", 0);
    expect_fail(parse_utctime, "2022-07-11 16:55", 0);
    expect_fail(parse_utctime, "2022-07-11 16:55:26,1234567890", 0);
}
END_TEST

START_TEST(test_ats)
{
    int64_t nov = SEC(T_2026_11_30_000000);
    expect_ok(ew_ts_parse_ats, "[Nov 22 06:46:00.827]", nov, SEC(T_2026_11_22_064600) + 827000, 21);
    expect_ok(ew_ts_parse_ats, "[Nov  2 06:46:00]", nov, SEC(T_2026_11_02_064600), 17);
    expect_ok(ew_ts_parse_ats, "[Nov 2 06:46:00]", nov, SEC(T_2026_11_02_064600), 16);
    expect_ok(ew_ts_parse_ats, "[Nov 22 06:46:00.827] {0x7f} DIAG: x", nov,
              SEC(T_2026_11_22_064600) + 827000, 21);
    /* Written out just after New Year: last December is last year's. */
    expect_ok(ew_ts_parse_ats, "[Dec 31 23:59:59.900]", SEC(T_2027_01_01_001000),
              SEC(T_2026_12_31_235959) + 900000, 21);
}
END_TEST

START_TEST(test_ats_year)
{
    static const char line[] = "[Nov 22 06:46:00]";
    int64_t at = SEC(T_2026_11_22_064600);
    /* Up to a day ahead of the reference is still its year, beyond is not. */
    expect_ok(ew_ts_parse_ats, line, at, at, 17);
    expect_ok(ew_ts_parse_ats, line, at - DAY, at, 17);
    expect_ok(ew_ts_parse_ats, line, at - DAY - 1, SEC(T_2025_11_22_064600), 17);

    /* Feb 29 exists only in some years. */
    static const char leap[] = "[Feb 29 10:00:00]";
    expect_ok(ew_ts_parse_ats, leap, SEC(T_2025_01_05_000000), SEC(T_2024_02_29_100000), 17);
    expect_ok(ew_ts_parse_ats, leap, SEC(T_2024_02_29_100000), SEC(T_2024_02_29_100000), 17);
    expect_fail(ew_ts_parse_ats, leap, SEC(T_2024_01_05_000000));
    expect_fail(ew_ts_parse_ats, leap, SEC(T_2026_06_01_000000));
    /* A reference no calendar year of four digits holds. */
    expect_fail(ew_ts_parse_ats, line, INT64_MAX);
    expect_fail(ew_ts_parse_ats, line, INT64_MIN);
}
END_TEST

START_TEST(test_ats_rejects)
{
    static const char *const bad[] = {
        "[Foo 22 06:46:00]",  "[nov 22 06:46:00]",  "[Nov 22 06:46:00.827", "Nov 22 06:46:00]",
        "[Nov 31 06:46:00]",  "[Nov 00 06:46:00]",  "[Nov  22 06:46:00]",   "[Nov 123 06:46:00]",
        "[Nov 22 06:46]",     "[Nov 22 24:00:00]",  "[Nov 22 06:46:00 ]",   "[Nov22 06:46:00]",
        "[November 22 06:46:00]", "[Nov 22 06:46:00,5]", "",
    };
    for (size_t i = 0; i < EW_ARRAY_LEN(bad); i++)
        expect_fail(ew_ts_parse_ats, bad[i], SEC(T_2026_11_30_000000));
}
END_TEST

/* Every proper prefix of a valid timestamp: rejected, or (UTCTime, whose end
 * is optional) accepted with used inside it. parse_exact() lets ASan check
 * that nothing past the prefix is read. */
static void expect_prefixes(parse_fn fn, const char *s, int64_t ref_us, bool all_fail)
{
    size_t full = strlen(s);
    for (size_t k = 0; k < full; k++) {
        int64_t us = 0;
        size_t used = 0;
        int rc = parse_exact(fn, s, k, ref_us, &us, &used);
        if (all_fail)
            ck_assert_msg(rc == -1, "accepted \"%.*s\"", (int)k, s);
        else
            ck_assert_msg(rc == -1 || used <= k, "\"%.*s\": used %zu", (int)k, s, used);
    }
}

START_TEST(test_truncated)
{
    int64_t ref = SEC(T_2026_11_30_000000);
    expect_prefixes(parse_iso, "2022-07-11T18:55:26.016+02:00", 0, true);
    expect_prefixes(parse_iso, "2016-03-09T09:48:35+0530", 0, true);
    expect_prefixes(parse_iso, "2022-07-11T16:55:26.123456789Z", 0, true);
    expect_prefixes(parse_utctime, "2022-07-11 16:55:26,000", 0, false);
    expect_prefixes(ew_ts_parse_ats, "[Nov 22 06:46:00.827]", ref, true);
    expect_prefixes(ew_ts_parse_ats, "[Nov  2 06:46:00]", ref, true);
}
END_TEST

START_TEST(test_ats_compact)
{
    /* error.log: "20261122.06h46m00s CONNECT: ..." */
    expect_ok(parse_compact, "20261122.06h46m00s CONNECT: attempt fail", 0,
              SEC(T_2026_11_22_064600), 18);
    expect_ok(parse_compact, "20261102.06h46m00s", 0, SEC(T_2026_11_02_064600), 18);
    expect_fail(parse_compact, "20261322.06h46m00s", 0);
    expect_fail(parse_compact, "20260230.06h46m00s", 0);
    expect_fail(parse_compact, "20261122.24h46m00s", 0);
    expect_fail(parse_compact, "20261122 06h46m00s", 0);
    expect_fail(parse_compact, "2026-11-22T06:46:00Z", 0);
    expect_prefixes(parse_compact, "20261122.06h46m00s", 0, true);
}
END_TEST

/* Against a day counter that knows nothing but month lengths. */
START_TEST(test_days_from_civil)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t want = DAYS_1900_01_01;
    for (int64_t y = 1900; y < 2400; y++) {
        bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        for (unsigned m = 1; m <= 12; m++) {
            unsigned last = mdays[m - 1] + (m == 2 && leap);
            for (unsigned d = 1; d <= last; d++, want++)
                ck_assert_int_eq(ew_days_from_civil(y, m, d), want);
        }
    }
    ck_assert_int_eq(ew_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(ew_days_from_civil(1969, 12, 31), -1);
    /* The origin of Hinnant's shifted calendar. */
    ck_assert_int_eq(ew_days_from_civil(0, 3, 1), -719468);
}
END_TEST

static void expect_format(int64_t us, const char *want)
{
    char out[EW_TS_BUFSZ];
    memset(out, 'x', sizeof out);
    ew_ts_format(us, out);
    ck_assert_str_eq(out, want);
}

START_TEST(test_format)
{
    expect_format(0, "1970-01-01T00:00:00.000Z");
    expect_format(SEC(T_2022_07_11_165526) + 16000, "2022-07-11T16:55:26.016Z");
    expect_format(SEC(T_2024_02_29_235959) + 999999, "2024-02-29T23:59:59.999Z");
    /* Before 1970 the fraction still counts up from the second before. */
    expect_format(-1, "1969-12-31T23:59:59.999Z");
    expect_format(-EW_US_PER_SEC, "1969-12-31T23:59:59.000Z");
    expect_format(SEC(T_1900_01_01_000000), "1900-01-01T00:00:00.000Z");
    expect_format(SEC(T_1900_01_01_000000) - 1, "1899-12-31T23:59:59.999Z");
    /* The ends of the range still fit the buffer (date -u -d @...). */
    expect_format(INT64_MAX, "294247-01-10T04:00:54.775Z");
    expect_format(INT64_MIN, "-290308-12-21T19:59:05.224Z");
}
END_TEST

/* Format, then parse back: the two calendar conversions agree every day. */
START_TEST(test_round_trip)
{
    for (int64_t day = DAYS_1900_01_01; day < DAYS_1900_01_01 + ROUND_TRIP_DAYS; day++) {
        int64_t tod = (day * TOD_STRIDE % SEC_PER_DAY + SEC_PER_DAY) % SEC_PER_DAY;
        int64_t us = day * DAY + SEC(tod) + MS_123;
        char out[EW_TS_BUFSZ];
        ew_ts_format(us, out);
        int64_t back = 0;
        size_t used = 0;
        ck_assert(ew_ts_parse_iso(out, strlen(out), &back, &used));
        ck_assert_uint_eq(used, strlen(out));
        ck_assert_int_eq(back, us);
    }
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("timestamp");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_iso_forms);
    tcase_add_test(tc, test_iso_rejects);
    tcase_add_test(tc, test_iso_cached_equals_plain);
    tcase_add_test(tc, test_utctime);
    tcase_add_test(tc, test_ats);
    tcase_add_test(tc, test_ats_year);
    tcase_add_test(tc, test_ats_compact);
    tcase_add_test(tc, test_ats_rejects);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_days_from_civil);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
