/* html.h - the report as one self-contained HTML page, written with the
 * public getters of ewdiag.h only (html.c, html_timeline.c, html_finding.c,
 * html_origins.c, html_assets.c). */
#ifndef EW_HTML_H
#define EW_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ewdiag.h>

/* Where the page goes; the first write that fails sets err and the rest
 * are skipped, so callers check once at the end. */
typedef struct ew_html {
    FILE *f;
    int err;
} ew_html;

void ew_html_put(ew_html *h, const char *s);
void ew_html_write(ew_html *h, const void *p, size_t n);
void ew_html_printf(ew_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text from the input, escaped for an element or a quoted attribute:
 * markup characters as entities, bytes that are not UTF-8 and characters
 * HTML forbids as U+FFFD, control characters as their visible symbols. */
void ew_html_text(ew_html *h, const char *s);
/* pre, s escaped, then post; nothing when s is empty (not given). */
void ew_html_opt(ew_html *h, const char *pre, const char *s, const char *post);
/* A list's n, after marking it "none<what>" when it is empty. */
size_t ew_html_count(ew_html *h, size_t n, const char *what);
/* A UTC time as "2022-07-11T17:49:01.491Z"; "unknown" for 0. */
void ew_html_time(ew_html *h, int64_t us);
/* The same into buf (at least EW_HTML_TIME_MAX bytes). */
#define EW_HTML_TIME_MAX 64
void ew_html_time_str(int64_t us, char *buf);

/* The servers of the findings: one row each (server name and address),
 * in order of first appearance. */
typedef struct ew_html_rows {
    size_t *row_of; /* per finding: its row */
    size_t *first;  /* per row: its first finding */
    size_t n;       /* rows */
} ew_html_rows;

/* 0, or EWDIAG_ENOMEM. */
int ew_html_rows_make(const ewdiag_report *r, ew_html_rows *rows);
void ew_html_rows_free(ew_html_rows *rows);

/* The timeline section: one SVG row per server, every failure, failed
 * request and handshake on one time axis. 0, or EWDIAG_ENOMEM. */
int ew_html_timeline(ew_html *h, const ewdiag_report *r, const ew_html_rows *rows);

/* The findings section, each finding tied to its timeline row, and the
 * capture's TLS servers as a table (html_finding.c). */
void ew_html_findings(ew_html *h, const ewdiag_report *r, const ew_html_rows *rows);
void ew_html_tls_servers(ew_html *h, const ewdiag_report *r);

/* The origins section: per input and node, the traffic server's origin
 * servers and how checking each came out (html_origins.c). */
void ew_html_origins(ew_html *h, const ewdiag_report *r);

/* The page's style sheet and script (html_assets.c): pieces, NULL-ended
 * (a C string literal may not be longer than 4095 bytes). */
extern const char *const ew_html_css[];
extern const char *const ew_html_js[];

int ew_report_write_html(const ewdiag_report *r, FILE *f, unsigned flags);

#endif /* EW_HTML_H */
