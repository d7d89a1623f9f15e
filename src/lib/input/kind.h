/* kind.h - what an entry of an input is, and how the walker hands each
 * kind of entry to whoever reads it: a table of kinds (one file each, in
 * the scan stage), as libarchive registers its formats. The walker knows
 * archives and folders; every other kind is a row of the table. */
#ifndef EW_KIND_H
#define EW_KIND_H

#include <stdio.h>

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
    EW_ROLE_DIRECTORY,
    EW_ROLE_COUNT
} ew_role;

/* The report's name for a role ("log", "ats-log", ...). */
const char *ew_role_name(ew_role role);

typedef enum ew_entry_status {
    EW_ENTRY_SKIPPED,
    EW_ENTRY_SCANNED,
    EW_ENTRY_FAILED
} ew_entry_status;

/* "skipped", "scanned", "failed". */
const char *ew_entry_status_name(ew_entry_status s);

/* One file inside an input, as the report lists it. */
typedef struct ewdiag_entry {
    char *path;
    ew_role role;
    ew_entry_status status;
    char *reason; /* NULL if none */
    uint64_t size;
    uint64_t lines;
} ew_entry;

/* Sets the status and reason (copied; NULL for none). 0, or EWDIAG_ENOMEM. */
int ew_entry_set(ew_entry *e, ew_entry_status status, const char *reason);

/* What the walker knows of an entry before reading it. */
typedef struct ew_entry_meta {
    const char *path;  /* full name, nested archives joined with '/' */
    ew_role role;
    uint64_t size;     /* 0 if unknown */
    int64_t mtime_us;  /* 0 if unknown */
} ew_entry_meta;

typedef enum ew_kind_mode {
    EW_KIND_SKIP,      /* listed, not read: skip_reason says why */
    EW_KIND_PUSH,      /* its bytes are pushed: begin, feed..., end */
    EW_KIND_PULL,      /* read through a FILE * by the reader (libpcap) */
    EW_KIND_CONTAINER  /* opened by the walker itself: an archive */
} ew_kind_mode;

/* A kind of entry. ctx is the table's (the reader of one input). Every
 * function returns 0 or an EWDIAG_E* code, which stops the walk (what goes
 * wrong with the entry's bytes is the reader's to say and not an error). */
typedef struct ew_kind {
    ew_role role;
    ew_kind_mode mode;
    /* By the base name, its compression suffix taken off. */
    bool (*match)(const char *base);
    /* By the first bytes, for a file whose name says nothing; NULL: never. */
    bool (*sniff)(const char *buf, size_t n);
    const char *skip_reason;
    /* EW_KIND_PUSH. begin: 0 to read it (then feed and end follow). end
     * sets the entry's status; read_error is NULL, or what cut the bytes. */
    int (*begin)(void *ctx, const ew_entry_meta *m, ew_entry *e);
    int (*feed)(void *ctx, const char *buf, size_t n);
    int (*end)(void *ctx, ew_entry *e, const char *read_error);
    /* EW_KIND_PULL: reads f to its end, closes it (whatever it returns)
     * and sets the entry's status; when the bytes under f fail,
     * *transport_error says why by the end. ftello(f) tells the bytes
     * read from f; f cannot seek. */
    int (*pull)(void *ctx, const ew_entry_meta *m, ew_entry *e, FILE *f,
                const char *const *transport_error);
} ew_kind;

/* The table of kinds, and the context their functions get. */
typedef struct ew_kinds {
    const ew_kind *const *v;
    size_t n;
    void *ctx;
} ew_kinds;

/* Archives and compressed files: the walker's own kind. */
extern const ew_kind ew_kind_archive;

/* The kind of role in the table; NULL if none. */
const ew_kind *ew_kind_of(const ew_kinds *k, ew_role role);
/* The role of a member named path (only its basename counts): an archive
 * suffix, else the first kind whose match takes the name without its
 * compression suffix; a compressed file that no kind takes is an archive;
 * anything else is EW_ROLE_OTHER. */
ew_role ew_role_of(const ew_kinds *k, const char *path);
/* The first kind whose sniff takes these first bytes; NULL if none. */
const ew_kind *ew_kind_sniff(const ew_kinds *k, const char *buf, size_t n);

/* Base-name tests the kinds use (case-insensitive). */
bool ew_name_has_prefix(const char *s, const char *prefix);
bool ew_name_has_suffix(const char *s, const char *suffix);

/*
 * The host in a bundle file name: "xstat_dump_vcsc_2022-07-11_16_55_44.txt"
 * -> "vcsc". Returns false when the name does not follow
 * <prefix>_<host>_<YYYY-MM-DD_hh_mm_ss>.<ext>.
 */
bool ew_host_from_name(const char *path, ew_span *host);

/* The name without its compression suffix (".gz", ".bz2", ".xz", ".zst"),
 * written into out (cap bytes). */
void ew_strip_compression(const char *name, char *out, size_t cap);

#endif /* EW_KIND_H */
