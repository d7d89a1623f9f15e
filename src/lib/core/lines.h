/* lines.h - streaming line splitter over arbitrary read chunks. */
#ifndef EW_LINES_H
#define EW_LINES_H

#include "core/ew.h"

/* Flags passed with each line. */
#define EW_LINE_CUT 0x1u          /* longer than max_line: only its head is given */
#define EW_LINE_CONTINUATION 0x2u /* starts with '|' (after blanks): belongs to the record before */

/*
 * Called once per line, without its '\n' or the '\r' before it (a '\r' at
 * the very end of input, with no '\n', is kept). The bytes live
 * until the callback returns. A non-zero return (an EWDIAG_E* code) stops
 * the splitter, which returns that value from ew_lines_feed()/_finish().
 */
typedef int (*ew_line_fn)(void *ctx, const char *line, size_t len, unsigned flags);

typedef struct ew_lines {
    size_t max_line;   /* longest line given whole; longer ones are cut */
    ew_buf carry;      /* head of a line not yet ended by '\n' */
    bool skipping;     /* inside the tail of a cut line: drop bytes to '\n' */
    bool skip_blank;   /* empty lines are counted in blank, not given */
    uint64_t lines;    /* lines given */
    uint64_t blank;    /* empty lines counted, not given (skip_blank) */
    uint64_t cut;      /* lines cut at max_line */
    uint64_t bytes;    /* bytes fed */
} ew_lines;

/* max_line >= 1. No allocation until a line straddles two chunks. */
void ew_lines_init(ew_lines *l, size_t max_line);
/* Lines wholly inside buf are given in place (no copy); only a line that
 * straddles chunks is copied, at most max_line + 1 bytes of it (the last a
 * pending '\r'). Returns 0, the callback's non-zero value (an EWDIAG_E*
 * code), or EWDIAG_ENOMEM. */
int ew_lines_feed(ew_lines *l, const char *buf, size_t n, ew_line_fn fn, void *ctx);
/* Gives the last line if the input did not end with '\n'. */
int ew_lines_finish(ew_lines *l, ew_line_fn fn, void *ctx);
/* Resets counters and state for a new stream, keeping the buffer. */
void ew_lines_reset(ew_lines *l);
void ew_lines_free(ew_lines *l);

#endif /* EW_LINES_H */
