/* roles.c - entry roles from file names, at any folder depth. */
#include "input/roles.h"

#include <ctype.h>
#include <strings.h>

/* "_YYYY-MM-DD_hh_mm_ss" closes every bundle file name before its suffix. */
#define EW_NAME_STAMP_LEN 20

static bool ew_has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool ew_has_suffix(const char *s, const char *suffix)
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
        if (ew_has_suffix(name, ew_compression_suffixes[i])) {
            n -= strlen(ew_compression_suffixes[i]);
            break;
        }
    }
    n = EW_MIN(n, cap - 1);
    memcpy(out, name, n);
    out[n] = '\0';
}

static ew_role ew_role_of_plain(const char *base)
{
    if (ew_has_prefix(base, "loggingsnapshot_"))
        return EW_ROLE_LOG;
    if (ew_has_prefix(base, "diags.log") || ew_has_prefix(base, "error.log"))
        return EW_ROLE_ATS_LOG;
    if (ew_has_prefix(base, "xconf_dump_"))
        return EW_ROLE_XCONF;
    if (ew_has_prefix(base, "xstat_dump_"))
        return EW_ROLE_XSTAT;
    if (ew_has_suffix(base, ".pcap") || ew_has_suffix(base, ".pcapng") ||
        ew_has_suffix(base, ".cap"))
        return EW_ROLE_CAPTURE;
    if (ew_has_suffix(base, ".pem") && ew_has_prefix(base, "ca_"))
        return EW_ROLE_TRUSTED_CA;
    if (ew_has_suffix(base, ".pem") && ew_has_prefix(base, "server_"))
        return EW_ROLE_SERVER_CERT;
    return EW_ROLE_OTHER;
}

ew_role ew_role_of(const char *path)
{
    const char *base = ew_basename(path);
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_archive_suffixes); i++)
        if (ew_has_suffix(base, ew_archive_suffixes[i]))
            return EW_ROLE_ARCHIVE;
    /* A compressed single file (loggingsnapshot_x.txt.gz) keeps the role of
     * what it holds; the reader decompresses it. Other compressed files are
     * opened as archives. */
    char plain[256];
    ew_strip_compression(base, plain, sizeof plain);
    ew_role role = ew_role_of_plain(plain);
    if (role == EW_ROLE_OTHER && strcmp(plain, base) != 0)
        return EW_ROLE_ARCHIVE;
    return role;
}

const char *ew_role_name(ew_role role)
{
    static const char *const names[] = {
        [EW_ROLE_OTHER] = "other",           [EW_ROLE_LOG] = "log",
        [EW_ROLE_ATS_LOG] = "ats-log",       [EW_ROLE_XCONF] = "xconf",
        [EW_ROLE_XSTAT] = "xstat",           [EW_ROLE_CAPTURE] = "capture",
        [EW_ROLE_TRUSTED_CA] = "trusted-ca", [EW_ROLE_SERVER_CERT] = "server-cert",
        [EW_ROLE_ARCHIVE] = "archive",       [EW_ROLE_DIRECTORY] = "directory",
    };
    return (unsigned)role < EW_ARRAY_LEN(names) ? names[role] : "other";
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

bool ew_host_from_name(const char *path, ew_span *host)
{
    static const char *const prefixes[] = {"loggingsnapshot_", "xconf_dump_", "xstat_dump_",
                                           "ca_", "server_", "diagnostic_log_"};
    const char *base = ew_basename(path);
    const char *start = NULL;
    for (size_t i = 0; i < EW_ARRAY_LEN(prefixes) && !start; i++)
        if (ew_has_prefix(base, prefixes[i]))
            start = base + strlen(prefixes[i]);
    /* tcpdump files: eth0_diagnostic_logging_tcpdump00_<host>_<ts>.pcap */
    const char *td = strstr(base, "_diagnostic_logging_tcpdump");
    if (!start && td) {
        start = strchr(td + 1, '_');
        start = start ? strchr(start + 1, '_') : NULL;
        start = start ? strchr(start + 1, '_') : NULL;
        if (start)
            start++;
    }
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
