/* html_out.c - writing the page: text put as is, or escaped when it came
 * from an input (markup, bytes that are not UTF-8, control characters),
 * and times. The first write that fails is remembered. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ew.h" /* ew_utf8_len(): the one UTF-8 validator of the serializers */
#include "report/html.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_MS INT64_C(1000)
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/* ---- writing ------------------------------------------------------- */

void ew_html_put(ew_html *h, const char *s)
{
    if (!h->err && fputs(s, h->f) == EOF)
        h->err = 1;
}

void ew_html_write(ew_html *h, const void *p, size_t n)
{
    if (!h->err && n && fwrite(p, 1, n, h->f) != n)
        h->err = 1;
}

void ew_html_printf(ew_html *h, const char *fmt, ...)
{
    if (h->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(h->f, fmt, ap) < 0)
        h->err = 1;
    va_end(ap);
}

/* A code point HTML forbids in its input stream (C1 controls and
 * noncharacters), which would make the page invalid. */
static bool ew_html_forbidden(const unsigned char *p, size_t len)
{
    uint32_t cp = p[0] & (0xff >> (len + 1));
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (p[i] & 0x3f);
    return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

/* The entity for a markup character, or NULL. */
static const char *ew_html_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

/* A C0 control as its visible symbol (U+2400 + c, DEL U+2421), so that an
 * escape sequence in a log line shows as what it is. */
static void ew_html_control(ew_html *h, unsigned char c)
{
    char sym[4] = {'\xe2', '\x90', (char)(c == 0x7f ? 0xa1 : 0x80 + c), '\0'};
    ew_html_put(h, sym);
}

void ew_html_text(ew_html *h, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n && !h->err;) {
        size_t run = i;
        while (run < n && p[run] >= 0x20 && p[run] < 0x7f && !ew_html_entity(p[run]))
            run++;
        ew_html_write(h, p + i, run - i);
        if (run == n)
            break;
        i = run;
        const char *ent = ew_html_entity(p[i]);
        if (ent || p[i] < 0x20 || p[i] == 0x7f) {
            if (ent)
                ew_html_put(h, ent);
            else if (p[i] == '\t' || p[i] == '\n')
                ew_html_write(h, p + i, 1);
            else
                ew_html_control(h, p[i]);
            i++;
            continue;
        }
        size_t len = ew_utf8_len(p + i, n - i);
        if (len == 0 || ew_html_forbidden(p + i, len))
            ew_html_put(h, UTF8_REPLACEMENT);
        else
            ew_html_write(h, p + i, len);
        i += len ? len : 1;
    }
}

void ew_html_time_str(int64_t us, char *buf)
{
    int64_t sec = us / US_PER_SEC, frac = us % US_PER_SEC;
    if (frac < 0) {
        sec--;
        frac += US_PER_SEC;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (us == 0 || !gmtime_r(&t, &tm)) {
        snprintf(buf, EW_HTML_TIME_MAX, "%s", "unknown");
        return;
    }
    snprintf(buf, EW_HTML_TIME_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, (int)(frac / US_PER_MS));
}

void ew_html_time(ew_html *h, int64_t us)
{
    char buf[EW_HTML_TIME_MAX];
    ew_html_time_str(us, buf);
    if (us)
        ew_html_printf(h, "<time datetime=\"%s\">%s</time>", buf, buf);
    else
        ew_html_put(h, "unknown");
}

/* ---- small pieces ---------------------------------------------------- */

void ew_html_opt(ew_html *h, const char *pre, const char *s, const char *post)
{
    if (!*s)
        return;
    ew_html_put(h, pre);
    ew_html_text(h, s);
    ew_html_put(h, post);
}

size_t ew_html_count(ew_html *h, size_t n, const char *what)
{
    if (!n)
        ew_html_printf(h, "<span class=\"none\">none%s</span>", what);
    return n;
}
