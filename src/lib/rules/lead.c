/* lead.c - whether a rule's pattern can only match from its literal on, so
 * that PCRE2 may start where the prefilter found it instead of trying every
 * offset before. Conservative: any doubt says no (the match then runs from
 * the line's start, as always correct). */
#include "rules/rules.h"

/* Bytes that mean something to PCRE2 outside a class. */
#define EW_META "\\^$.|?*+()[]{}"
/* What may quantify the byte before it. */
#define EW_QUANT "?*+{"

/* Past a character class opening at p ('['); NULL if it never closes. */
static const char *ew_skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']') /* a ']' first is a member */
        p++;
    while (*p && *p != ']') {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '[' && p[1] == ':') {
            const char *e = strstr(p + 2, ":]");
            if (!e)
                return NULL;
            p = e + 1;
        }
        p++;
    }
    return *p ? p : NULL;
}

/* Past a group opening at p ('('), for the few openings that change how
 * the rest reads: a comment is skipped whole; NULL for an option group
 * that turns on extended syntax (a '#' would start a comment that may hold
 * anything), which is not followed. Else p itself. */
static const char *ew_open_group(const char *p)
{
    if (p[1] != '?')
        return p;
    if (p[2] == '#') {
        const char *e = strchr(p, ')');
        return e ? e : NULL;
    }
    for (const char *q = p + 2; *q && *q != ':' && *q != ')'; q++) {
        if (*q == 'x')
            return NULL;
        if (!(*q == '-' || *q == '^' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
            break;
    }
    return p;
}

/* Whether rest has an alternative at the top level, or any construct that
 * is not followed (\G: it would assert the start offset). */
static bool ew_top_alternative(const char *p)
{
    unsigned depth = 0;
    for (; *p; p++) {
        if (*p == '\\') {
            if (p[1] == 'G')
                return true;
            if (p[1] == 'Q') {
                const char *e = strstr(p + 2, "\\E");
                if (!e)
                    return false;
                p = e + 1;
            } else if (p[1]) {
                p++;
            }
        } else if (*p == '[') {
            if (!(p = ew_skip_class(p)))
                return true;
        } else if (*p == '(') {
            const char *q = ew_open_group(p);
            if (!q)
                return true;
            depth += q == p;
            p = q;
        } else if (*p == ')') {
            if (depth == 0)
                return true;
            depth--;
        } else if (*p == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

bool ew_pattern_leads_with(const char *pattern, const char *lit, size_t n)
{
    if (!pattern || !lit || n == 0 || strlen(pattern) < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (pattern[i] != lit[i] || lit[i] == '\0' || strchr(EW_META, lit[i]))
            return false;
    if (pattern[n] && strchr(EW_QUANT, pattern[n]))
        return false;
    return !ew_top_alternative(pattern + n);
}
