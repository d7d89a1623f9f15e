/* options.c - the analysis options every command shares. */
#include "options.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef EWDIAG_SOURCE_RULES_DIR
#define EWDIAG_SOURCE_RULES_DIR ""
#endif

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ewdiag%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'ewdiag%s%s --help' for more information.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return EXIT_TROUBLE;
}

int analysis_opt(analysis_opts *o, int opt, const char *arg, const char *cmd)
{
    switch (opt) {
    case 'r': o->rules = arg; return 1;
    case 'e': o->evidence = arg; return 1;
    case OPT_SET:
        if (o->nsets == MAX_SETS)
            return usage_error(cmd, "more than %d --set options", MAX_SETS), -1;
        o->sets[o->nsets++] = arg;
        return 1;
    default: return 0;
    }
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *rules_path(const char *given)
{
    const char *path = given;
    if (!path)
        path = getenv("EWDIAG_RULES");
    if (!path || !*path) {
        path = ewdiag_default_rules_dir();
        if (!is_dir(path) && *EWDIAG_SOURCE_RULES_DIR && is_dir(EWDIAG_SOURCE_RULES_DIR))
            path = EWDIAG_SOURCE_RULES_DIR;
    }
    return path;
}

int parse_format(const char *s, ewdiag_format *f)
{
    if (strcmp(s, "text") == 0)
        *f = EWDIAG_FORMAT_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = EWDIAG_FORMAT_JSON;
    else if (strcmp(s, "jsonl") == 0)
        *f = EWDIAG_FORMAT_JSONL;
    else if (strcmp(s, "html") == 0)
        *f = EWDIAG_FORMAT_HTML;
    else
        return -1;
    return 0;
}

/* --set KEY=VALUE on an analyzer; says what is wrong when `loud`. */
static int set_option(ewdiag_analyzer *a, const char *kv, bool loud)
{
    const char *eq = strchr(kv, '=');
    char key[64];
    size_t n = eq ? (size_t)(eq - kv) : 0;
    if (!eq || eq == kv || n >= sizeof key)
        return loud ? usage_error(NULL, "--set wants KEY=VALUE with a known KEY, not '%s'", kv) : -1;
    memcpy(key, kv, n);
    key[n] = '\0';
    if (ewdiag_analyzer_set_option(a, key, eq + 1) != EWDIAG_OK)
        return loud ? usage_error(NULL, "%s", ewdiag_error(a)) : -1;
    return 0;
}

ewdiag_analyzer *configure(const analysis_opts *o, bool loud)
{
    ewdiag_analyzer *a = ewdiag_analyzer_new();
    if (!a) {
        if (loud)
            fputs("ewdiag: out of memory\n", stderr);
        return NULL;
    }
    bool ok = true;
    if (o->evidence && ewdiag_analyzer_set_option(a, "evidence", o->evidence) != EWDIAG_OK) {
        if (loud)
            usage_error(NULL, "%s", ewdiag_error(a));
        ok = false;
    }
    if (ok && o->threads && ewdiag_analyzer_set_option(a, "threads", o->threads) != EWDIAG_OK)
        ok = false;
    for (int i = 0; ok && i < o->nsets; i++)
        ok = set_option(a, o->sets[i], loud) == 0;
    if (ok && ewdiag_analyzer_load_rules(a, o->rules) != EWDIAG_OK) {
        if (loud)
            fprintf(stderr, "ewdiag: %s\n", ewdiag_error(a));
        ok = false;
    }
    if (!ok) {
        ewdiag_analyzer_free(a);
        return NULL;
    }
    return a;
}
