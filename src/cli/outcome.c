/* outcome.c - warnings as lines for standard error, and the exit status. */
#include "outcome.h"

#include <string.h>

#include "options.h"

#define ASCII_PRINTABLE_LO 0x20
#define ASCII_DEL 0x7f
#define UTF8_C1_LEAD 0xc2  /* C1 controls are U+0080..U+009F: C2 80..C2 9F */
#define UTF8_C1_END 0xa0
#define UTF8_CONT_MASK 0xc0 /* a continuation byte is 10xxxxxx */
#define UTF8_CONT_TAG 0x80
#define UTF8_CONT_BITS 0x3f
#define UTF8_CONT_SHIFT 6
#define UNICODE_MAX 0x10ffff
#define SURROGATE_LO 0xd800
#define SURROGATE_HI 0xdfff
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define CONTROL_SHOWN "?"

/* Length of the well-formed UTF-8 sequence at p (n bytes left), 0 when
 * there is none: overlong forms, surrogates and code points past U+10FFFF
 * are not UTF-8. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    static const struct {
        unsigned char lo, hi, mask;
        unsigned len, min;
    } leads[] = {
        {0x00, 0x7f, 0x7f, 1, 0x0},
        {0xc2, 0xdf, 0x1f, 2, 0x80},
        {0xe0, 0xef, 0x0f, 3, 0x800},
        {0xf0, 0xf4, 0x07, 4, 0x10000},
    };
    for (size_t k = 0; k < sizeof leads / sizeof *leads; k++) {
        if (p[0] < leads[k].lo || p[0] > leads[k].hi)
            continue;
        if (n < leads[k].len)
            return 0;
        unsigned cp = p[0] & leads[k].mask;
        for (unsigned i = 1; i < leads[k].len; i++) {
            if ((p[i] & UTF8_CONT_MASK) != UTF8_CONT_TAG)
                return 0;
            cp = cp << UTF8_CONT_SHIFT | (p[i] & UTF8_CONT_BITS);
        }
        if (cp < leads[k].min || cp > UNICODE_MAX || (cp >= SURROGATE_LO && cp <= SURROGATE_HI))
            return 0;
        return leads[k].len;
    }
    return 0;
}

int put_safe(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t run = i;
        while (run < n && p[run] >= ASCII_PRINTABLE_LO && p[run] < ASCII_DEL)
            run++;
        if (run > i) {
            if (fwrite(p + i, 1, run - i, f) != run - i)
                return -1;
            i = run;
            continue;
        }
        size_t len = utf8_len(p + i, n - i);
        bool control = len == 1 || (len == 2 && p[i] == UTF8_C1_LEAD && p[i + 1] < UTF8_C1_END);
        if (control || len == 0 ? fputs(control ? CONTROL_SHOWN : REPLACEMENT, f) == EOF
                                : fwrite(p + i, 1, len, f) != len)
            return -1;
        i += len ? len : 1;
    }
    return 0;
}

/* Whether s starts with "head: ". */
static bool starts_with_field(const char *s, const char *head)
{
    size_t n = strlen(head);
    return strncmp(s, head, n) == 0 && s[n] == ':' && s[n + 1] == ' ';
}

int put_warning_line(FILE *f, const char *input, const char *entry, const char *message,
                     uint64_t count)
{
    if (fputs("ewdiag: ", f) == EOF)
        return -1;
    /* Say the input and the entry in front unless the message does. */
    if (!starts_with_field(message, input)) {
        if (put_safe(f, input) != 0 || fputs(": ", f) == EOF)
            return -1;
        if (entry && *entry && (put_safe(f, entry) != 0 || fputs(": ", f) == EOF))
            return -1;
    }
    if (put_safe(f, message) != 0)
        return -1;
    if (count > 1 && fprintf(f, " (%llu times)", (unsigned long long)count) < 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

int put_error_line(FILE *f, const char *error)
{
    if (fputs("ewdiag: ", f) == EOF || put_safe(f, error) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

/* Whether w is the error of an input that failed, said on a line of its own. */
static bool is_input_error(const ewdiag_report *r, const ewdiag_warning *w)
{
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++) {
        const ewdiag_input *in = ewdiag_report_input(r, i);
        if (ewdiag_input_status_get(in) == EWDIAG_INPUT_FAILED &&
            strcmp(ewdiag_input_name(in), ewdiag_warning_input(w)) == 0 &&
            strcmp(ewdiag_input_error(in), ewdiag_warning_message(w)) == 0)
            return true;
    }
    return false;
}

int put_warnings(FILE *f, const ewdiag_report *r)
{
    for (size_t i = 0; i < ewdiag_report_warning_count(r); i++) {
        const ewdiag_warning *w = ewdiag_report_warning(r, i);
        if (!is_input_error(r, w) &&
            put_warning_line(f, ewdiag_warning_input(w), ewdiag_warning_entry(w),
                             ewdiag_warning_message(w), ewdiag_warning_count(w)) != 0)
            return -1;
    }
    return 0;
}

bool report_incomplete(const ewdiag_report *r)
{
    for (size_t i = 0; i < ewdiag_report_input_count(r); i++)
        if (ewdiag_input_status_get(ewdiag_report_input(r, i)) != EWDIAG_INPUT_ANALYZED)
            return true;
    return false;
}

int exit_status_of(int max_severity, bool incomplete, size_t analyzed)
{
    if (analyzed == 0)
        return EXIT_TROUBLE;
    if (max_severity >= EWDIAG_SEV_WARNING)
        return EXIT_FINDINGS;
    return incomplete ? EXIT_PARTIAL : EXIT_CLEAN;
}

int report_exit_status(const ewdiag_report *r, size_t analyzed)
{
    return exit_status_of(ewdiag_report_max_severity(r), report_incomplete(r), analyzed);
}
