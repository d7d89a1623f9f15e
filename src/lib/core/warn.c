/* warn.c - warnings, counted per (code, entry) in constant time: an input
 * of a million entries may warn about each. */
#include "core/warn.h"

#include "core/index.h"

#include <stdio.h>


const char *ew_warn_code_name(ew_warn_code code)
{
    static const char *const names[EW_W_COUNT] = {
        [EW_W_LINE_TOO_LONG] = "line-too-long",
        [EW_W_MATCH_LIMIT] = "match-limit",
        [EW_W_TIME_ASSUMED] = "time-assumed",
        [EW_W_YEAR_ASSUMED] = "year-assumed",
        [EW_W_BAD_TIMESTAMP] = "bad-timestamp",
        [EW_W_READ_ERROR] = "read-error",
        [EW_W_CAPTURE_MALFORMED] = "capture-malformed",
        [EW_W_CAPTURE_GAP] = "capture-gap",
        [EW_W_TLS_MALFORMED] = "tls-malformed",
        [EW_W_TLS_CUT] = "tls-cut",
        [EW_W_LIMIT_FLOWS] = "limit-flows",
        [EW_W_CAPTURE_ERROR] = "capture-error",
        [EW_W_LIMIT_HANDSHAKES] = "limit-handshakes",
        [EW_W_NO_LOG] = "no-log",
        [EW_W_LIMIT_BYTES] = "limit-bytes",
        [EW_W_LIMIT_RATIO] = "limit-ratio",
        [EW_W_LIMIT_DEPTH] = "limit-depth",
        [EW_W_ARCHIVE_DAMAGED] = "archive-damaged",
        [EW_W_ARCHIVE_ERROR] = "archive-error",
        [EW_W_LIMIT_ENTRIES] = "limit-entries",
        [EW_W_OPEN_ERROR] = "open-error",
        [EW_W_TRUNCATED] = "truncated",
        [EW_W_EMPTY] = "empty",
        [EW_W_CERTIFICATE_UNREADABLE] = "certificate-unreadable",
        [EW_W_LIMIT_CHAIN] = "limit-chain",
        [EW_W_CAPTURE_HEADLESS] = "capture-headless",
        [EW_W_LIMIT_DER] = "limit-der",
        [EW_W_ENCAP_UNREAD] = "encapsulation-unread",
        [EW_W_LIMIT_ORIGINS] = "limit-origins",
        [EW_W_LIMIT_FINDINGS] = "limit-findings",
        [EW_W_LIMIT_EVIDENCE] = "limit-evidence",
        [EW_W_LIMIT_NODES] = "limit-nodes",
        [EW_W_LIMIT_TLS_SERVERS] = "limit-tls-servers",
        [EW_W_LIMIT_CHAINS] = "limit-chains",
        [EW_W_CAPTURE_ORDER] = "capture-order",
    };
    return (unsigned)code < EW_W_COUNT && names[code] ? names[code] : "unknown";
}

bool ew_warn_code_unread(ew_warn_code code)
{
    switch (code) {
    case EW_W_LINE_TOO_LONG:
    case EW_W_MATCH_LIMIT:
    case EW_W_READ_ERROR:
    case EW_W_CAPTURE_MALFORMED:
    case EW_W_CAPTURE_GAP:
    case EW_W_TLS_MALFORMED:
    case EW_W_TLS_CUT:
    case EW_W_LIMIT_FLOWS:
    case EW_W_CAPTURE_ERROR:
    case EW_W_LIMIT_HANDSHAKES:
    case EW_W_LIMIT_BYTES:
    case EW_W_LIMIT_RATIO:
    case EW_W_LIMIT_DEPTH:
    case EW_W_ARCHIVE_DAMAGED:
    case EW_W_ARCHIVE_ERROR:
    case EW_W_LIMIT_ENTRIES:
    case EW_W_OPEN_ERROR:
    case EW_W_TRUNCATED:
    case EW_W_CERTIFICATE_UNREADABLE:
    case EW_W_LIMIT_CHAIN:
    case EW_W_LIMIT_DER:
    case EW_W_ENCAP_UNREAD:
    case EW_W_LIMIT_ORIGINS:
    case EW_W_LIMIT_FINDINGS:
    case EW_W_LIMIT_TLS_SERVERS:
    case EW_W_LIMIT_CHAINS:
    case EW_W_CAPTURE_ORDER:
        return true;
    default: /* assumptions about time, no log, a capture begun earlier; fewer
              * evidence lines or nodes listed lose no count */
        return false;
    }
}

typedef struct ew_warn_key {
    ew_warn_code code;
    const char *entry;
} ew_warn_key;

static uint64_t ew_key_hash(ew_warn_code code, const char *entry)
{
    uint64_t c = (uint64_t)code;
    uint64_t h = ew_fnv1a(EW_FNV_OFFSET, &c, sizeof c);
    /* NULL and "" are different entries. */
    return entry ? ew_fnv1a(h, entry, strlen(entry)) : h ^ 1u;
}

static uint64_t ew_item_hash(const void *set, size_t k)
{
    const ew_warning *x = &((const ew_warnings *)set)->v[k];
    return ew_key_hash(x->code, x->entry);
}

static bool ew_same(const void *set, size_t k, const void *key)
{
    const ew_warning *x = &((const ew_warnings *)set)->v[k];
    const ew_warn_key *y = key;
    if (x->code != y->code)
        return false;
    if (!x->entry || !y->entry)
        return !x->entry && !y->entry;
    return strcmp(x->entry, y->entry) == 0;
}

int ew_warn(ew_warnings *w, ew_warn_code code, const char *entry, uint64_t n, const char *fmt,
            ...)
{
    if (ew_index_reserve(&w->index, w->n, ew_item_hash, w) != 0)
        return EWDIAG_ENOMEM;
    ew_warn_key key = {code, entry};
    size_t slot = ew_index_find(&w->index, ew_key_hash(code, entry), ew_same, w, &key);
    if (ew_index_item(&w->index, slot) >= 0) {
        w->v[ew_index_item(&w->index, slot)].count += n;
        return 0;
    }
    if (ew_grow(&w->v, &w->cap, w->n + 1, sizeof *w->v) != 0)
        return EWDIAG_ENOMEM;
    ew_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    int rc = ew_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    ew_warning x = {code, entry ? ew_strdup(entry) : NULL, rc == 0 ? ew_buf_take(&msg) : NULL, n};
    if (!x.message || (entry && !x.entry)) {
        free(x.entry);
        free(x.message);
        ew_buf_free(&msg);
        return EWDIAG_ENOMEM;
    }
    ew_index_put(&w->index, slot, w->n);
    w->v[w->n++] = x;
    return 0;
}

const ew_warning *ew_warnings_first(const ew_warnings *w)
{
    return w->n ? &w->v[0] : NULL;
}

void ew_warnings_free(ew_warnings *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].entry);
        free(w->v[i].message);
    }
    free(w->v);
    ew_index_free(&w->index);
    memset(w, 0, sizeof *w);
}
