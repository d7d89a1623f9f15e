/* str.c - owned strings, names and UTF-8. */
#include "core/ew.h"

#include <stdlib.h>

char *ew_strndup(const char *s, size_t n)
{
    char *d = ew_malloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ew_strdup(const char *s)
{
    return ew_strndup(s, strlen(s));
}

char *ew_strdup_opt(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = ew_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

char **ew_strv_dup(char *const *v, size_t n)
{
    char **d = ew_calloc(n ? n : 1, sizeof *d);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(d[i] = ew_strdup(v[i]))) {
            ew_strv_free(d, i);
            return NULL;
        }
    }
    return d;
}

void ew_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

const char *ew_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

size_t ew_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    uint32_t cp = c & (0xff >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

const char *ew_enum_name(const char *const *names, size_t n, unsigned v, unsigned dflt)
{
    return v < n && names[v] ? names[v] : names[dflt];
}
