/* roles.h - what an entry is, from its file name alone. */
#ifndef EW_ROLES_H
#define EW_ROLES_H

#include "core/ew.h"

typedef enum ew_role {
    EW_ROLE_OTHER,
    EW_ROLE_LOG,        /* loggingsnapshot_<host>_<ts>.txt: syslog-style lines */
    EW_ROLE_ATS_LOG,    /* Apache Traffic Server diags.log / error.log */
    EW_ROLE_XCONF,      /* xconf_dump_<host>_<ts>.txt|.xml */
    EW_ROLE_XSTAT,      /* xstat_dump_<host>_<ts>.txt|.xml */
    EW_ROLE_CAPTURE,    /* *.pcap, *.pcapng */
    EW_ROLE_TRUSTED_CA, /* ca_<host>_<ts>.pem */
    EW_ROLE_SERVER_CERT,/* server_<host>_<ts>.pem */
    EW_ROLE_ARCHIVE,    /* an archive or compressed file inside the input */
    EW_ROLE_DIRECTORY
} ew_role;

/* The role of a member named path (only its basename counts). */
ew_role ew_role_of(const char *path);
/* The report's name for a role ("log", "ats-log", ...). */
const char *ew_role_name(ew_role role);

/*
 * The host in a bundle file name: "xstat_dump_vcsc_2022-07-11_16_55_44.txt"
 * -> "vcsc". Returns false when the name does not follow
 * <prefix>_<host>_<YYYY-MM-DD_hh_mm_ss>.<ext>.
 */
bool ew_host_from_name(const char *path, ew_span *host);

/* The name without its compression suffix (".gz", ".bz2", ".xz", ".zst"),
 * written into out (cap bytes). */
void ew_strip_compression(const char *name, char *out, size_t cap);

#endif /* EW_ROLES_H */
