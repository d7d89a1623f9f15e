/* timestamp.h - every timestamp form of the logs -> UTC microseconds. */
#ifndef EW_TIMESTAMP_H
#define EW_TIMESTAMP_H

#include "core/ew.h"

#define EW_US_PER_SEC INT64_C(1000000)
/* Buffer size for ew_ts_format(): "YYYY-MM-DDThh:mm:ss.mmmZ" and NUL, with room. */
#define EW_TS_BUFSZ 32

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1-12, d 1-31). */
int64_t ew_days_from_civil(int64_t y, unsigned m, unsigned d);

/*
 * ISO-8601 as in syslog prefixes: "2022-07-11T18:55:26.016+02:00",
 * "2016-03-09T09:48:35+05:30", "...-04:00", "...Z"; a fraction is '.' and 1-9 digits
 * (kept to microseconds). Offsets +hh:mm, +hhmm or Z. Parses at the start of
 * s (n bytes available); on success stores UTC microseconds in *us, the
 * bytes used in *used, and returns true; false if s does not start with one.
 */
bool ew_ts_parse_iso(const char *s, size_t n, int64_t *us, size_t *used);

/* The last second ew_ts_parse_iso_cached() parsed: lines come many to a
 * second, and only the fraction differs between them. */
#define EW_ISO_SECOND_LEN 19 /* "YYYY-MM-DDThh:mm:ss" */
#define EW_ISO_ZONE_MAX 6    /* "+hh:mm" */
typedef struct ew_ts_cache {
    bool valid;
    char second[EW_ISO_SECOND_LEN];
    char zone[EW_ISO_ZONE_MAX];
    size_t zone_len;
    int64_t base_us; /* the second, zone applied */
} ew_ts_cache;

/* ew_ts_parse_iso(), with c (zeroed before first use) remembering the
 * second and zone last parsed. Same contract and results. */
bool ew_ts_parse_iso_cached(ew_ts_cache *c, const char *s, size_t n, int64_t *us, size_t *used);

/* "2022-07-11 16:55:26,000" (UTCTime="..." value; ',' or '.' before the
 * fraction, fraction optional). Always UTC. Same contract as above. */
bool ew_ts_parse_utctime(const char *s, size_t n, int64_t *us, size_t *used);

/*
 * Apache Traffic Server diags.log prefix "[Nov 22 06:46:00.827]" or
 * "[Nov  2 06:46:00.827]" (day space-padded; fraction optional). It has no
 * year and no zone: the time is read as UTC and the year is that of ref_us
 * (the file's modification time, UTC microseconds), or the year before
 * when that would put the line more than a day after ref_us (a log that
 * began in December and was written out in January). Same contract.
 */
bool ew_ts_parse_ats(const char *s, size_t n, int64_t ref_us, int64_t *us, size_t *used);

/* Apache Traffic Server error.log prefix "20261122.06h46m00s": no zone,
 * read as UTC. Same contract as ew_ts_parse_iso(). */
bool ew_ts_parse_ats_compact(const char *s, size_t n, int64_t *us, size_t *used);

/* Formats as "2022-07-11T16:55:26.016Z" (milliseconds, always UTC). */
void ew_ts_format(int64_t us, char out[EW_TS_BUFSZ]);

#endif /* EW_TIMESTAMP_H */
