/* outcome.h - what a run says besides its report, the same for every
 * command that analyzes (ewdiag, ewdiag serve, ewdiag queue results,
 * ewdiag worker): each warning as one line for standard error, and the exit
 * status. On the public API only. */
#ifndef EWDIAG_CLI_OUTCOME_H
#define EWDIAG_CLI_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ewdiag.h>

/* s, made safe for a terminal as the text report makes it: bytes that are
 * not UTF-8 become U+FFFD, control characters (C0, DEL, C1) '?'. 0, or -1
 * when f fails. */
int put_safe(FILE *f, const char *s);

/* One warning as one line: "ewdiag: INPUT: ENTRY: WHAT", then " (N times)"
 * when count > 1. The library's messages already start with the input and
 * the entry; one that does not gets them put in front. 0, or -1. */
int put_warning_line(FILE *f, const char *input, const char *entry, const char *message,
                     uint64_t count);

/* The error of an input that could not be analyzed, "ewdiag: ERROR". */
int put_error_line(FILE *f, const char *error);

/* Every warning of r, one line each, in the report's order, except the
 * error of an input that failed (its own line says it once). 0, or -1. */
int put_warnings(FILE *f, const ewdiag_report *r);

/* Whether some input of r went unread in part (status partial) or whole
 * (failed). */
bool report_incomplete(const ewdiag_report *r);

/* The exit status from the highest severity found (-1: none), whether some
 * input went unread (in part), and how many inputs could be analyzed:
 * EXIT_TROUBLE when none, else EXIT_FINDINGS for a finding of severity
 * warning or above, else EXIT_PARTIAL when incomplete, else EXIT_CLEAN. */
int exit_status_of(int max_severity, bool incomplete, size_t analyzed);

/* The same for a report. */
int report_exit_status(const ewdiag_report *r, size_t analyzed);

#endif
