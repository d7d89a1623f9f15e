/* roles.c - what an entry is from its name, at any folder depth: archive
 * suffixes here, every other kind by its own match in the table. */
#include "input/kind.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

/* "_YYYY-MM-DD_hh_mm_ss" closes every bundle file name before its suffix. */
#define EW_NAME_STAMP_LEN 20
/* Longest base name judged; longer ones are cut (no kind's name is long). */
#define EW_BASE_MAX 256

bool ew_name_has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool ew_name_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *const ew_compression_suffixes[] = {".gz", ".bz2", ".xz", ".zst", ".lz4"};
static const char *const ew_archive_suffixes[] = {".tar.gz", ".tgz", ".tar", ".zip", ".tar.bz2",
                                                  ".tbz2", ".tar.xz", ".txz", ".7z", ".cpio"};

void ew_strip_compression(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_compression_suffixes); i++) {
        if (ew_name_has_suffix(name, ew_compression_suffixes[i])) {
            n -= strlen(ew_compression_suffixes[i]);
            break;
        }
    }
    n = EW_MIN(n, cap - 1);
    memcpy(out, name, n);
    out[n] = '\0';
}

static bool ew_is_archive_name(const char *base)
{
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_archive_suffixes); i++)
        if (ew_name_has_suffix(base, ew_archive_suffixes[i]))
            return true;
    return false;
}

const ew_kind ew_kind_archive = {
    .role = EW_ROLE_ARCHIVE,
    .mode = EW_KIND_CONTAINER,
    .match = ew_is_archive_name,
};

const ew_kind *ew_kind_of(const ew_kinds *k, ew_role role)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i]->role == role)
            return k->v[i];
    return role == EW_ROLE_ARCHIVE ? &ew_kind_archive : NULL;
}

ew_role ew_role_of(const ew_kinds *k, const char *path)
{
    const char *base = ew_basename(path);
    if (ew_is_archive_name(base))
        return EW_ROLE_ARCHIVE;
    /* A compressed single file (loggingsnapshot_x.txt.gz) keeps the role of
     * what it holds; the reader decompresses it. Other compressed files are
     * opened as archives. */
    char plain[EW_BASE_MAX];
    ew_strip_compression(base, plain, sizeof plain);
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i]->mode != EW_KIND_CONTAINER && k->v[i]->match && k->v[i]->match(plain))
            return k->v[i]->role;
    return strcmp(plain, base) != 0 ? EW_ROLE_ARCHIVE : EW_ROLE_OTHER;
}

const ew_kind *ew_kind_sniff(const ew_kinds *k, const char *buf, size_t n)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i]->sniff && k->v[i]->sniff(buf, n))
            return k->v[i];
    return NULL;
}

const char *ew_role_name(ew_role role)
{
    static const char *const names[EW_ROLE_COUNT] = {
        [EW_ROLE_OTHER] = "other",           [EW_ROLE_LOG] = "log",
        [EW_ROLE_ATS_LOG] = "ats-log",       [EW_ROLE_XCONF] = "xconf",
        [EW_ROLE_XSTAT] = "xstat",           [EW_ROLE_CAPTURE] = "capture",
        [EW_ROLE_TRUSTED_CA] = "trusted-ca", [EW_ROLE_SERVER_CERT] = "server-cert",
        [EW_ROLE_ARCHIVE] = "archive",       [EW_ROLE_DIRECTORY] = "directory",
    };
    return (unsigned)role < EW_ROLE_COUNT ? names[role] : "other";
}

const char *ew_entry_status_name(ew_entry_status s)
{
    switch (s) {
    case EW_ENTRY_SCANNED: return "scanned";
    case EW_ENTRY_FAILED: return "failed";
    case EW_ENTRY_SKIPPED: break;
    }
    return "skipped";
}

int ew_entry_set(ew_entry *e, ew_entry_status status, const char *reason)
{
    e->status = status;
    free(e->reason);
    e->reason = NULL;
    if (reason && !(e->reason = ew_strdup(reason)))
        return EWDIAG_ENOMEM;
    return 0;
}

/* Matches "_DDDD-DD-DD_DD_DD_DD" at s (EW_NAME_STAMP_LEN bytes). */
static bool ew_is_name_stamp(const char *s)
{
    static const char shape[] = "_0000-00-00_00_00_00";
    for (size_t i = 0; i < EW_NAME_STAMP_LEN; i++) {
        if (shape[i] == '0' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return false;
    }
    return true;
}

/* Where the host starts in a tcpdump file's name:
 * eth0_diagnostic_logging_tcpdump00_<host>_<ts>.pcap */
static const char *ew_tcpdump_host(const char *base)
{
    const char *td = strstr(base, "_diagnostic_logging_tcpdump");
    const char *start = td ? strchr(td + 1, '_') : NULL;
    start = start ? strchr(start + 1, '_') : NULL;
    start = start ? strchr(start + 1, '_') : NULL;
    return start ? start + 1 : NULL;
}

bool ew_host_from_name(const char *path, ew_span *host)
{
    static const char *const prefixes[] = {"loggingsnapshot_", "xconf_dump_", "xstat_dump_",
                                           "ca_", "server_", "diagnostic_log_"};
    const char *base = ew_basename(path);
    const char *start = NULL;
    for (size_t i = 0; i < EW_ARRAY_LEN(prefixes) && !start; i++)
        if (ew_name_has_prefix(base, prefixes[i]))
            start = base + strlen(prefixes[i]);
    if (!start)
        start = ew_tcpdump_host(base);
    if (!start)
        return false;
    for (const char *p = start; *p; p++) {
        if (*p == '_' && p > start && strlen(p) >= EW_NAME_STAMP_LEN && ew_is_name_stamp(p)) {
            *host = ew_span_make(start, (size_t)(p - start));
            return true;
        }
    }
    return false;
}
