/* warn.h - what an analysis could not do fully, as each stage says it:
 * warnings with a stable code, the entry they are about, a message and a
 * count. A warning said again (same code and entry) is counted, not
 * repeated. The report takes them once the input is done. */
#ifndef EW_WARN_H
#define EW_WARN_H

#include "core/ew.h"
#include "core/index.h"

typedef enum ew_warn_code {
    EW_W_LINE_TOO_LONG,
    EW_W_MATCH_LIMIT,
    EW_W_TIME_ASSUMED,
    EW_W_YEAR_ASSUMED,
    EW_W_BAD_TIMESTAMP,
    EW_W_READ_ERROR,
    EW_W_CAPTURE_MALFORMED,
    EW_W_CAPTURE_GAP,
    EW_W_TLS_MALFORMED,
    EW_W_TLS_CUT,
    EW_W_LIMIT_FLOWS,
    EW_W_CAPTURE_ERROR,
    EW_W_LIMIT_HANDSHAKES,
    EW_W_NO_LOG,
    EW_W_LIMIT_BYTES,
    EW_W_LIMIT_RATIO,
    EW_W_LIMIT_DEPTH,
    EW_W_ARCHIVE_DAMAGED,
    EW_W_ARCHIVE_ERROR,
    EW_W_LIMIT_ENTRIES,
    EW_W_OPEN_ERROR,
    EW_W_TRUNCATED,
    EW_W_EMPTY,
    EW_W_CERTIFICATE_UNREADABLE,
    EW_W_LIMIT_CHAIN,
    EW_W_CAPTURE_HEADLESS,
    EW_W_LIMIT_DER,
    EW_W_ENCAP_UNREAD,
    EW_W_LIMIT_ORIGINS,
    EW_W_LIMIT_FINDINGS,
    EW_W_LIMIT_EVIDENCE,
    EW_W_LIMIT_NODES,
    EW_W_LIMIT_TLS_SERVERS,
    EW_W_LIMIT_CHAINS,
    EW_W_CAPTURE_ORDER,
    EW_W_COUNT
} ew_warn_code;

/* The stable name of a code ("line-too-long"), as reports show it. */
const char *ew_warn_code_name(ew_warn_code code);
/* Whether a warning of this code means part of the input went unread (a
 * limit, damage, an unsupported part): its input is then partial. */
bool ew_warn_code_unread(ew_warn_code code);

typedef struct ew_warning {
    ew_warn_code code;
    char *entry;   /* NULL: about the whole input */
    char *message;
    uint64_t count;
} ew_warning;

typedef struct ew_warnings {
    ew_warning *v;
    size_t n, cap;
    ew_index index; /* on (code, entry) */
} ew_warnings;

/* Adds n to the warning (code, entry), making it with the message when it
 * is new. 0, or EWDIAG_ENOMEM. */
int ew_warn(ew_warnings *w, ew_warn_code code, const char *entry, uint64_t n, const char *fmt,
            ...) EW_PRINTF(5, 6);
/* The first warning, NULL if none. */
const ew_warning *ew_warnings_first(const ew_warnings *w);
void ew_warnings_free(ew_warnings *w);

#endif /* EW_WARN_H */
