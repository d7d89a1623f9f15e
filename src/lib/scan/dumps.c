/* dumps.c - the few facts ewdiag takes from xstat and xconf dumps: the
 * software version, and whether origin verification is switched off. */
#include "scan/scan.h"

#include <ctype.h>

/* How far after "Version" the value may start ("Version: \"X14.2.1\"",
 * "<Version item=\"1\">X14.2.1</Version>"). */
#define EW_VERSION_LOOKAHEAD 40
#define EW_VERSION_MAX 32
#define EW_VERIFY_KEY "VerifyOriginServer"
#define EW_SETTING_MAX 16

static int ew_set_once(char **slot, const char *v, size_t n)
{
    if (*slot)
        return 0;
    *slot = ew_strndup(v, n);
    return *slot ? 0 : -1;
}

/* "X14.2.1" after the word Version, within a short distance. */
static bool ew_find_version(const char *line, size_t len, ew_span *out)
{
    const char *v = memmem(line, len, "Version", 7);
    if (!v)
        return false;
    const char *end = line + len;
    const char *limit = EW_MIN(end, v + EW_VERSION_LOOKAHEAD);
    for (const char *p = v + 7; p + 1 < limit; p++) {
        if (*p == 'X' && isdigit((unsigned char)p[1])) {
            const char *q = p + 1;
            while (q < end && (isdigit((unsigned char)*q) || *q == '.') &&
                   (size_t)(q - p) < EW_VERSION_MAX)
                q++;
            *out = ew_span_make(p, (size_t)(q - p));
            return true;
        }
    }
    return false;
}

/* The value after "VerifyOriginServer": ": \"Off\"", ">Off<". */
static bool ew_find_verify(const char *line, size_t len, ew_span *out)
{
    const char *k = memmem(line, len, EW_VERIFY_KEY, sizeof EW_VERIFY_KEY - 1);
    if (!k)
        return false;
    const char *p = k + sizeof EW_VERIFY_KEY - 1, *end = line + len;
    while (p < end && !isalpha((unsigned char)*p)) {
        if (*p == '<' || *p == '\n')
            return false;
        p++;
    }
    const char *q = p;
    while (q < end && isalpha((unsigned char)*q) && (size_t)(q - p) < EW_SETTING_MAX)
        q++;
    if (q == p)
        return false;
    *out = ew_span_make(p, (size_t)(q - p));
    return true;
}

int ew_dumpscan_line(void *ctx, const char *line, size_t len, unsigned flags)
{
    ew_scan *s = ctx;
    s->lines++;
    ew_node *node = ew_input_node(s->run->input, s->default_node.p, s->default_node.n);
    if (!node) {
        s->err = EWDIAG_ENOMEM;
        return EWDIAG_ENOMEM;
    }
    ew_span v;
    int rc = 0;
    if (s->role == EW_ROLE_XSTAT && !node->version && ew_find_version(line, len, &v))
        rc = ew_set_once(&node->version, v.p, v.n);
    else if (s->role == EW_ROLE_XCONF && ew_find_verify(line, len, &v))
        rc = ew_set_once(&node->verify_origin, v.p, v.n);
    if (rc != 0) {
        s->err = EWDIAG_ENOMEM;
        return EWDIAG_ENOMEM;
    }
    EW_UNUSED(flags);
    return 0;
}
