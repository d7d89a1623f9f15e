/* timestamp.c - every timestamp form of the logs -> UTC microseconds.
 *
 * Calendar arithmetic is done here rather than with mktime()/timegm(): those
 * depend on TZ, take locks and are slow on millions of lines. */
#include "core/timestamp.h"

#include <inttypes.h>
#include <stdio.h>

#define EW_SEC_PER_MIN 60
#define EW_MIN_PER_HOUR 60
#define EW_HOUR_PER_DAY 24
#define EW_SEC_PER_HOUR ((int64_t)EW_SEC_PER_MIN * EW_MIN_PER_HOUR)
#define EW_SEC_PER_DAY (EW_SEC_PER_HOUR * EW_HOUR_PER_DAY)
#define EW_US_PER_DAY (EW_SEC_PER_DAY * EW_US_PER_SEC)
#define EW_US_PER_MS 1000
#define EW_SEC_MAX 60            /* a leap second; counted as it comes */
#define EW_MONTHS 12
#define EW_FEBRUARY 2
#define EW_MARCH 3
#define EW_YEAR_MIN 0
#define EW_YEAR_MAX 9999         /* four digits, and far from int64 overflow */
#define EW_YEAR_DIGITS 4
#define EW_FIELD_DIGITS 2        /* month, day, hour, minute, second, offset */
#define EW_FRAC_DIGITS_MAX 9     /* nanoseconds */
#define EW_FRAC_DIGITS_KEPT 6    /* microseconds */
#define EW_MONTH_NAME_LEN 3
#define EW_DECIMAL 10

/* Hinnant's days_from_civil / civil_from_days
 * (https://howardhinnant.github.io/date_algorithms.html): years are shifted
 * to start on March 1 so the leap day falls last, and counted in 400-year
 * eras, after which the Gregorian calendar repeats. */
#define EW_LEAP_EVERY 4          /* years, except centuries... */
#define EW_CENTURY 100
#define EW_YEARS_PER_ERA 400     /* ...that are not multiples of 400 */
#define EW_DAYS_PER_YEAR 365
#define EW_DAYS_PER_4_YEARS (EW_LEAP_EVERY * EW_DAYS_PER_YEAR + 1)
#define EW_DAYS_PER_CENTURY (EW_CENTURY * EW_DAYS_PER_YEAR + 24)
#define EW_DAYS_PER_ERA (EW_YEARS_PER_ERA * EW_DAYS_PER_YEAR + 97)
#define EW_DAYS_0000_03_01_TO_1970 719468
/* From March on, every 5 months span 153 days (31 30 31 30 31), which makes
 * the day of the shifted year a linear function of the month (the +2 in the
 * formulas rounds it onto the right day). */
#define EW_MONTHS_PER_CYCLE 5
#define EW_DAYS_PER_CYCLE 153

static const char ew_month_names[EW_MONTHS][EW_MONTH_NAME_LEN + 1] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static const unsigned char ew_month_days[EW_MONTHS] = {
    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
};

/* A broken-down time, no zone. */
typedef struct ew_civil {
    int64_t year;
    unsigned month, day;
    unsigned hour, minute, second;
    unsigned micro;
} ew_civil;

/* Reading position in bytes that are not NUL-terminated. */
typedef struct ew_scan {
    const char *s;
    size_t n;
    size_t i;
} ew_scan;

/* ---- calendar ---- */

int64_t ew_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= EW_FEBRUARY;
    int64_t era = (y >= 0 ? y : y - (EW_YEARS_PER_ERA - 1)) / EW_YEARS_PER_ERA;
    unsigned yoe = (unsigned)(y - era * EW_YEARS_PER_ERA);
    unsigned mp = m >= EW_MARCH ? m - EW_MARCH : m + EW_MONTHS - EW_MARCH;
    unsigned doy = (EW_DAYS_PER_CYCLE * mp + 2) / EW_MONTHS_PER_CYCLE + d - 1;
    unsigned doe = yoe * EW_DAYS_PER_YEAR + yoe / EW_LEAP_EVERY - yoe / EW_CENTURY + doy;
    return era * EW_DAYS_PER_ERA + (int64_t)doe - EW_DAYS_0000_03_01_TO_1970;
}

static void ew_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += EW_DAYS_0000_03_01_TO_1970;
    int64_t era = (z >= 0 ? z : z - (EW_DAYS_PER_ERA - 1)) / EW_DAYS_PER_ERA;
    unsigned doe = (unsigned)(z - era * EW_DAYS_PER_ERA);
    unsigned yoe = (doe - doe / (EW_DAYS_PER_4_YEARS - 1) + doe / EW_DAYS_PER_CENTURY
                    - doe / (EW_DAYS_PER_ERA - 1)) / EW_DAYS_PER_YEAR;
    unsigned doy = doe - (EW_DAYS_PER_YEAR * yoe + yoe / EW_LEAP_EVERY - yoe / EW_CENTURY);
    unsigned mp = (EW_MONTHS_PER_CYCLE * doy + 2) / EW_DAYS_PER_CYCLE;
    *d = doy - (EW_DAYS_PER_CYCLE * mp + 2) / EW_MONTHS_PER_CYCLE + 1;
    *m = mp < EW_MONTHS - EW_MARCH + 1 ? mp + EW_MARCH : mp + EW_MARCH - EW_MONTHS;
    *y = (int64_t)yoe + era * EW_YEARS_PER_ERA + (*m <= EW_FEBRUARY);
}

/* Quotient rounded down and the remainder that goes with it, in [0, b);
 * written so that no intermediate can overflow. */
static void ew_floor_divmod(int64_t a, int64_t b, int64_t *q, int64_t *r)
{
    *q = a / b;
    *r = a % b;
    if (*r < 0) {
        *q -= 1;
        *r += b;
    }
}

static bool ew_is_leap(int64_t y)
{
    return y % EW_LEAP_EVERY == 0 && (y % EW_CENTURY != 0 || y % EW_YEARS_PER_ERA == 0);
}

static bool ew_civil_valid(const ew_civil *t)
{
    if (t->month < 1 || t->month > EW_MONTHS || t->day < 1)
        return false;
    bool leap_day = t->month == EW_FEBRUARY && ew_is_leap(t->year);
    unsigned mdays = ew_month_days[t->month - 1] + (unsigned)leap_day;
    return t->day <= mdays && t->hour < EW_HOUR_PER_DAY && t->minute < EW_MIN_PER_HOUR
           && t->second <= EW_SEC_MAX;
}

/* t must be valid, with 0 <= year <= EW_YEAR_MAX. */
static int64_t ew_civil_to_us(const ew_civil *t)
{
    int64_t days = ew_days_from_civil(t->year, t->month, t->day);
    int64_t secs = days * EW_SEC_PER_DAY + (int64_t)t->hour * EW_SEC_PER_HOUR
                   + (int64_t)t->minute * EW_SEC_PER_MIN + t->second;
    return secs * EW_US_PER_SEC + t->micro;
}

/* ---- scanning ---- */

static bool ew_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool ew_scan_char(ew_scan *sc, char c)
{
    if (sc->i >= sc->n || sc->s[sc->i] != c)
        return false;
    sc->i++;
    return true;
}

/* Between min and max decimal digits, as many as there are. */
static bool ew_scan_digits(ew_scan *sc, size_t min, size_t max, unsigned *out)
{
    unsigned v = 0;
    size_t k = 0;
    while (k < max && sc->i < sc->n && ew_is_digit(sc->s[sc->i])) {
        v = v * EW_DECIMAL + (unsigned)(sc->s[sc->i] - '0');
        sc->i++;
        k++;
    }
    *out = v;
    return k >= min;
}

static bool ew_scan_uint(ew_scan *sc, size_t digits, unsigned *out)
{
    return ew_scan_digits(sc, digits, digits, out);
}

/* An optional fraction: one of seps, then 1-9 digits, truncated to
 * microseconds. A separator not followed by a digit is not consumed: it is
 * the caller's to judge. */
static bool ew_scan_fraction(ew_scan *sc, const char *seps, unsigned *micro)
{
    *micro = 0;
    /* '\0' is tested apart because strchr() would find the terminator. */
    if (sc->i + 1 >= sc->n || sc->s[sc->i] == '\0' || !strchr(seps, sc->s[sc->i])
        || !ew_is_digit(sc->s[sc->i + 1]))
        return true;
    sc->i++;
    size_t k = 0;
    for (; sc->i < sc->n && ew_is_digit(sc->s[sc->i]); sc->i++, k++) {
        if (k == EW_FRAC_DIGITS_MAX)
            return false;
        if (k < EW_FRAC_DIGITS_KEPT)
            *micro = *micro * EW_DECIMAL + (unsigned)(sc->s[sc->i] - '0');
    }
    for (; k < EW_FRAC_DIGITS_KEPT; k++)
        *micro *= EW_DECIMAL;
    return true;
}

/* "YYYY-MM-DD" */
static bool ew_scan_date(ew_scan *sc, ew_civil *t)
{
    unsigned y;
    if (!ew_scan_uint(sc, EW_YEAR_DIGITS, &y) || !ew_scan_char(sc, '-')
        || !ew_scan_uint(sc, EW_FIELD_DIGITS, &t->month) || !ew_scan_char(sc, '-')
        || !ew_scan_uint(sc, EW_FIELD_DIGITS, &t->day))
        return false;
    t->year = y;
    return true;
}

/* "hh:mm:ss", then an optional fraction after one of seps. */
static bool ew_scan_clock(ew_scan *sc, ew_civil *t, const char *seps)
{
    if (!ew_scan_uint(sc, EW_FIELD_DIGITS, &t->hour) || !ew_scan_char(sc, ':')
        || !ew_scan_uint(sc, EW_FIELD_DIGITS, &t->minute) || !ew_scan_char(sc, ':')
        || !ew_scan_uint(sc, EW_FIELD_DIGITS, &t->second))
        return false;
    return ew_scan_fraction(sc, seps, &t->micro);
}

/* "Z", or "+hh:mm", "+hhmm" (or '-'): seconds east of UTC. */
static bool ew_scan_offset(ew_scan *sc, int64_t *east)
{
    if (ew_scan_char(sc, 'Z')) {
        *east = 0;
        return true;
    }
    int64_t sign;
    if (ew_scan_char(sc, '+'))
        sign = 1;
    else if (ew_scan_char(sc, '-'))
        sign = -1;
    else
        return false;
    unsigned h, m;
    if (!ew_scan_uint(sc, EW_FIELD_DIGITS, &h))
        return false;
    (void)ew_scan_char(sc, ':'); /* optional: both forms occur */
    if (!ew_scan_uint(sc, EW_FIELD_DIGITS, &m) || h >= EW_HOUR_PER_DAY || m >= EW_MIN_PER_HOUR)
        return false;
    *east = sign * ((int64_t)h * EW_SEC_PER_HOUR + (int64_t)m * EW_SEC_PER_MIN);
    return true;
}

/* "Nov" */
static bool ew_scan_month_name(ew_scan *sc, unsigned *month)
{
    if (sc->n - sc->i < EW_MONTH_NAME_LEN)
        return false;
    for (unsigned k = 0; k < EW_MONTHS; k++) {
        if (memcmp(sc->s + sc->i, ew_month_names[k], EW_MONTH_NAME_LEN) == 0) {
            sc->i += EW_MONTH_NAME_LEN;
            *month = k + 1;
            return true;
        }
    }
    return false;
}

/* "22", "2" or, space-padded, " 2". */
static bool ew_scan_day(ew_scan *sc, unsigned *day)
{
    if (ew_scan_char(sc, ' '))
        return ew_scan_uint(sc, 1, day);
    return ew_scan_digits(sc, 1, EW_FIELD_DIGITS, day);
}

/* ---- public ---- */

/* ISO-8601 in full; *zone: where its offset starts, *micro: its fraction. */
static bool ew_iso(const char *s, size_t n, int64_t *us, size_t *used, size_t *zone,
                   unsigned *micro)
{
    ew_scan sc = {s, n, 0};
    ew_civil t;
    int64_t east;
    if (!ew_scan_date(&sc, &t) || !ew_scan_char(&sc, 'T') || !ew_scan_clock(&sc, &t, "."))
        return false;
    *zone = sc.i;
    if (!ew_scan_offset(&sc, &east) || !ew_civil_valid(&t))
        return false;
    *us = ew_civil_to_us(&t) - east * EW_US_PER_SEC;
    *used = sc.i;
    *micro = t.micro;
    return true;
}

bool ew_ts_parse_iso(const char *s, size_t n, int64_t *us, size_t *used)
{
    size_t zone;
    unsigned micro;
    return ew_iso(s, n, us, used, &zone, &micro);
}

bool ew_ts_parse_iso_cached(ew_ts_cache *c, const char *s, size_t n, int64_t *us, size_t *used)
{
    unsigned micro;
    if (c->valid && n >= EW_ISO_SECOND_LEN && ew_mem_eq(s, c->second, EW_ISO_SECOND_LEN)) {
        ew_scan sc = {s, n, EW_ISO_SECOND_LEN};
        if (ew_scan_fraction(&sc, ".", &micro) && n - sc.i >= c->zone_len &&
            ew_mem_eq(s + sc.i, c->zone, c->zone_len)) {
            *us = c->base_us + micro;
            *used = sc.i + c->zone_len;
            return true;
        }
    }
    size_t zone;
    if (!ew_iso(s, n, us, used, &zone, &micro))
        return false;
    /* Every field before the fraction has its fixed width: the second is
     * always the first EW_ISO_SECOND_LEN bytes. */
    c->valid = *used - zone <= EW_ISO_ZONE_MAX;
    if (c->valid) {
        memcpy(c->second, s, EW_ISO_SECOND_LEN);
        c->zone_len = *used - zone;
        memcpy(c->zone, s + zone, c->zone_len);
        c->base_us = *us - micro;
    }
    return true;
}

bool ew_ts_parse_utctime(const char *s, size_t n, int64_t *us, size_t *used)
{
    ew_scan sc = {s, n, 0};
    ew_civil t;
    if (!ew_scan_date(&sc, &t) || !ew_scan_char(&sc, ' ') || !ew_scan_clock(&sc, &t, ",.")
        || !ew_civil_valid(&t))
        return false;
    *us = ew_civil_to_us(&t);
    *used = sc.i;
    return true;
}

static int64_t ew_year_of(int64_t us)
{
    int64_t days, rem;
    ew_floor_divmod(us, EW_US_PER_DAY, &days, &rem);
    int64_t y;
    unsigned m, d;
    ew_civil_from_days(days, &y, &m, &d);
    return y;
}

/* Puts t in the year of ref_us, or the one before if that would place it
 * more than a day after ref_us (or the date, Feb 29, does not exist). */
static bool ew_place_year(ew_civil *t, int64_t ref_us, int64_t *us)
{
    int64_t year = ew_year_of(ref_us);
    /* Both candidates must be four-digit years. */
    if (year <= EW_YEAR_MIN || year > EW_YEAR_MAX)
        return false;
    t->year = year;
    if (ew_civil_valid(t)) {
        *us = ew_civil_to_us(t);
        if (*us - ref_us <= EW_US_PER_DAY)
            return true;
    }
    t->year = year - 1;
    if (!ew_civil_valid(t))
        return false;
    *us = ew_civil_to_us(t);
    return true;
}

bool ew_ts_parse_ats(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used)
{
    ew_scan sc = {s, n, 0};
    ew_civil t;
    int64_t v;
    if (!ew_scan_char(&sc, '[') || !ew_scan_month_name(&sc, &t.month) || !ew_scan_char(&sc, ' ')
        || !ew_scan_day(&sc, &t.day) || !ew_scan_char(&sc, ' ') || !ew_scan_clock(&sc, &t, ".")
        || !ew_scan_char(&sc, ']') || !ew_place_year(&t, ref_us, &v))
        return false;
    *us = v;
    *used = sc.i;
    return true;
}

bool ew_ts_parse_ats_compact(const char *s, size_t n, int64_t *us, size_t *used)
{
    ew_scan sc = {s, n, 0};
    ew_civil t = {0};
    unsigned y;
    if (!ew_scan_uint(&sc, EW_YEAR_DIGITS, &y) || !ew_scan_uint(&sc, EW_FIELD_DIGITS, &t.month)
        || !ew_scan_uint(&sc, EW_FIELD_DIGITS, &t.day) || !ew_scan_char(&sc, '.')
        || !ew_scan_uint(&sc, EW_FIELD_DIGITS, &t.hour) || !ew_scan_char(&sc, 'h')
        || !ew_scan_uint(&sc, EW_FIELD_DIGITS, &t.minute) || !ew_scan_char(&sc, 'm')
        || !ew_scan_uint(&sc, EW_FIELD_DIGITS, &t.second) || !ew_scan_char(&sc, 's'))
        return false;
    t.year = y;
    if (!ew_civil_valid(&t))
        return false;
    *us = ew_civil_to_us(&t);
    *used = sc.i;
    return true;
}

void ew_ts_format(int64_t us, char out[EW_TS_BUFSZ])
{
    int64_t days, day_us;
    ew_floor_divmod(us, EW_US_PER_DAY, &days, &day_us);
    int64_t y;
    unsigned m, d;
    ew_civil_from_days(days, &y, &m, &d);
    int64_t secs = day_us / EW_US_PER_SEC;
    unsigned ms = (unsigned)(day_us % EW_US_PER_SEC / EW_US_PER_MS);
    unsigned hh = (unsigned)(secs / EW_SEC_PER_HOUR);
    unsigned mm = (unsigned)(secs % EW_SEC_PER_HOUR / EW_SEC_PER_MIN);
    unsigned ss = (unsigned)(secs % EW_SEC_PER_MIN);
    /* The widest, year -290308 of INT64_MIN, still fits EW_TS_BUFSZ. */
    int w = snprintf(out, EW_TS_BUFSZ, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y, m, d,
                     hh, mm, ss, ms);
    if (w < 0)
        out[0] = '\0';
}
