/* fuzz_lines.c - the line splitter (lines.c) and every timestamp parser
 * (timestamp.c).
 *
 * The first byte says where the rest is cut into two chunks. The lines
 * must come out the same (bytes, flags, counters) whether the input is fed
 * whole, in those two chunks or a byte at a time, with a small and a large
 * max_line; none may be longer than max_line. Every line then goes through
 * ew_ts_parse_iso/utctime/ats/ats_compact at each of its first bytes and
 * after "UTCTime=\"": a parse must use bytes it was given, and an ISO time
 * formatted by ew_ts_format must parse back to the same millisecond. */
#include "fuzz.h"

#include "core/lines.h"
#include "core/timestamp.h"

#define SMALL_MAX_LINE 64u
#define LARGE_MAX_LINE (64u * 1024u)
#define TS_POSITIONS 40 /* first bytes of a line where a time is looked for */
#define UTCTIME_KEY "UTCTime=\""
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)
#define US_PER_MS 1000
#define US_PER_DAY (INT64_C(86400) * EW_US_PER_SEC)
#define YEAR_LAST 9999
#define REF_2022 INT64_C(1657558544000000) /* 2022-07-11 16:55:44 UTC */
#define REF_NEW_YEAR INT64_C(1672531200000000) /* 2023-01-01 00:00:00 UTC */

typedef struct digest {
    size_t max_line;
    bool times; /* run the timestamp parsers on each line */
    uint64_t hash;
    uint64_t lines;
    uint64_t cut;
} digest;

static void hash_bytes(digest *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        d->hash = (d->hash ^ b[i]) * FNV_PRIME;
}

/* A successful parse used bytes it had, and its time formats. */
static void check_parse(bool ok, size_t used, size_t n, int64_t us)
{
    if (!ok)
        return;
    if (used == 0 || used > n)
        abort();
    char out[EW_TS_BUFSZ];
    ew_ts_format(us, out);
    if (strlen(out) >= EW_TS_BUFSZ)
        abort();
}

/* ew_ts_format of a time in years 1970-9999 parses back, to the millisecond. */
static void check_roundtrip(int64_t us)
{
    if (us < 0 || us >= ew_days_from_civil(YEAR_LAST + 1, 1, 1) * US_PER_DAY)
        return;
    char out[EW_TS_BUFSZ];
    ew_ts_format(us, out);
    int64_t back;
    size_t used;
    if (!ew_ts_parse_iso(out, strlen(out), &back, &used) || used != strlen(out) ||
        back != us - us % US_PER_MS)
        abort();
}

static void parse_times(const char *s, size_t n)
{
    static const int64_t refs[] = {0, REF_2022, REF_NEW_YEAR, INT64_MIN, INT64_MAX};
    int64_t us;
    size_t used;
    bool ok = ew_ts_parse_iso(s, n, &us, &used);
    check_parse(ok, used, n, us);
    if (ok)
        check_roundtrip(us);
    ok = ew_ts_parse_utctime(s, n, &us, &used);
    check_parse(ok, used, n, us);
    ok = ew_ts_parse_ats_compact(s, n, &us, &used);
    check_parse(ok, used, n, us);
    for (size_t i = 0; i < EW_ARRAY_LEN(refs); i++) {
        ok = ew_ts_parse_ats(s, n, refs[i], &us, &used);
        check_parse(ok, used, n, us);
    }
}

static int on_line(void *ctx, const char *line, size_t len, unsigned flags)
{
    digest *d = ctx;
    if (len > d->max_line || ((flags & EW_LINE_CUT) && len != d->max_line))
        abort();
    d->lines++;
    d->cut += (flags & EW_LINE_CUT) != 0;
    hash_bytes(d, &len, sizeof len);
    hash_bytes(d, &flags, sizeof flags);
    hash_bytes(d, line, len);
    if (!d->times)
        return 0;
    for (size_t i = 0; i < EW_MIN(len, (size_t)TS_POSITIONS); i++)
        parse_times(line + i, len - i);
    const char *k = memmem(line, len, UTCTIME_KEY, strlen(UTCTIME_KEY));
    if (k) {
        size_t at = (size_t)(k - line) + strlen(UTCTIME_KEY);
        parse_times(line + at, len - at);
    }
    return 0;
}

/* Feeds data in chunks of `step` bytes (0: the cut at `split`). */
static digest run(const char *data, size_t size, size_t max_line, size_t split, size_t step,
                  bool times)
{
    digest d = {max_line, times, FNV_OFFSET, 0, 0};
    ew_lines l;
    ew_lines_init(&l, max_line);
    int rc = 0;
    if (step == 0) {
        rc = ew_lines_feed(&l, data, split, on_line, &d);
        if (rc == 0)
            rc = ew_lines_feed(&l, data + split, size - split, on_line, &d);
    } else {
        for (size_t i = 0; i < size && rc == 0; i += step)
            rc = ew_lines_feed(&l, data + i, EW_MIN(step, size - i), on_line, &d);
    }
    if (rc == 0)
        rc = ew_lines_finish(&l, on_line, &d);
    if (rc != 0 || l.lines != d.lines || l.cut != d.cut || l.bytes != size)
        abort();
    ew_lines_free(&l);
    return d;
}

static bool same(const digest *a, const digest *b)
{
    return a->hash == b->hash && a->lines == b->lines && a->cut == b->cut;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    size_t split = n * data[0] / UINT8_MAX;
    static const size_t max_lines[] = {SMALL_MAX_LINE, LARGE_MAX_LINE};
    for (size_t i = 0; i < EW_ARRAY_LEN(max_lines); i++) {
        bool times = max_lines[i] == LARGE_MAX_LINE;
        digest whole = run(text, n, max_lines[i], n, 0, times);
        digest two = run(text, n, max_lines[i], split, 0, false);
        digest bytes = run(text, n, max_lines[i], 0, 1, false);
        if (!same(&whole, &two) || !same(&whole, &bytes))
            abort();
    }
    return 0;
}
