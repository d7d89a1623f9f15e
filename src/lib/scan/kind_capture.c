/* kind_capture.c - the capture kind (*.pcap, *.pcapng): every file of an
 * input fed to one reader, so that connections live across the rotated
 * files of an interface; its handshakes go to the sink, what it could not
 * read to the warnings. */
#include "scan/scan_int.h"

#include <stdio.h>

#include "core/timestamp.h"

/* Longest "input: entry" put before a capture warning's text. */
#define EW_PATH_SHOWN_MAX 8192

static bool ew_is_capture_name(const char *base)
{
    return ew_name_has_suffix(base, ".pcap") || ew_name_has_suffix(base, ".pcapng") ||
           ew_name_has_suffix(base, ".cap");
}

/* A counter of the capture reader that grew, as a warning. */
typedef struct ew_cap_counter {
    ew_warn_code code;
    size_t at;     /* offsetof the counter in ew_capture_stats */
    size_t why_at; /* offsetof its first problem's text; 0: none */
    const char *fallback;
    const char *lead; /* put before the first problem's text; NULL: none */
} ew_cap_counter;

#define EW_STAT(f) offsetof(ew_capture_stats, f)

static const ew_cap_counter ew_cap_counters[] = {
    {EW_W_CAPTURE_MALFORMED, EW_STAT(malformed), EW_STAT(why_malformed),
     "a record too short or inconsistent for its headers", NULL},
    {EW_W_CAPTURE_GAP, EW_STAT(gaps), EW_STAT(why_gap),
     "a TCP stream with missing packets: its TLS parsing stopped there", NULL},
    {EW_W_TLS_MALFORMED, EW_STAT(tls_errors), EW_STAT(why_tls),
     "a TLS stream whose framing made no sense: its parsing stopped there", NULL},
    {EW_W_TLS_CUT, EW_STAT(tls_cut), EW_STAT(why_cut), "a TLS stream ended inside a record", NULL},
    {EW_W_CAPTURE_HEADLESS, EW_STAT(headless), EW_STAT(why_headless),
     "a TLS connection whose start is not in the capture: what came after it "
     "was read",
     NULL},
    {EW_W_LIMIT_DER, EW_STAT(cert_big), EW_STAT(why_big),
     "a certificate larger than max-der was not kept", NULL},
    {EW_W_ENCAP_UNREAD, EW_STAT(encap_unread), EW_STAT(why_encap), "an encapsulation",
     "packets in an encapsulation not read (per kind): "},
};

static uint64_t ew_counter(const ew_capture_stats *st, size_t at)
{
    uint64_t v;
    memcpy(&v, (const char *)st + at, sizeof v);
    return v;
}

/* Whether two paths name files of one series of rotated captures: equal
 * but for their digits (eth0_..._tcpdump03_host_<ts>.pcap, name.pcap2). */
static bool ew_same_series(const char *a, const char *b)
{
    for (;;) {
        while (*a >= '0' && *a <= '9')
            a++;
        while (*b >= '0' && *b <= '9')
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

/* Notes a file whose records span [first, last]: given after a file of its
 * series whose records are later, the files are out of order. */
static void ew_capture_order(ew_scan *s, const char *path, int64_t first, int64_t last)
{
    size_t i = 0;
    while (i < s->nseries && !ew_same_series(s->series[i].path, path))
        i++;
    if (i == s->nseries) {
        if (i == EW_CAP_SERIES_MAX)
            return; /* more interfaces than followed: not checked */
        s->nseries++;
        s->series[i].path = path;
        s->series[i].ts_max = last;
        return;
    }
    if (first < s->series[i].ts_max && !s->order_late) {
        s->order_late = path;
        s->order_late_ts = first;
        s->order_before = s->series[i].path;
        s->order_before_ts = s->series[i].ts_max;
    }
    if (last > s->series[i].ts_max) {
        s->series[i].ts_max = last;
        s->series[i].path = path;
    }
}

/* Connections whose parts came in files given out of order and did not
 * meet: the files, and the first connection. */
static int ew_capture_order_warning(ew_scan *s, const ew_capture_stats *st, const char *where,
                                    const char *entry)
{
    uint64_t n = st->order_unjoined - s->told.order_unjoined;
    if (n == 0)
        return 0;
    char files[3 * EW_PATH_SHOWN_MAX / 2] = "";
    if (s->order_late) {
        char late[EW_TS_BUFSZ], before[EW_TS_BUFSZ];
        ew_ts_format(s->order_late_ts, late);
        ew_ts_format(s->order_before_ts, before);
        snprintf(files, sizeof files, " (%s, from %s, came after %s, up to %s)", s->order_late,
                 late, s->order_before, before);
    }
    return ew_warn(s->warn, EW_W_CAPTURE_ORDER, s->order_late ? s->order_late : entry, n,
                   "%s: capture files given out of order%s; connections that cross between "
                   "them could not be joined: %s",
                   where, files,
                   *st->why_order ? st->why_order : "the bytes between their parts are missing");
}

/* What the capture reader counted since the counters were last told, as
 * warnings on entry (NULL: the input): each with the first problem of its
 * kind, which names the record or the connection. */
static int ew_capture_warnings(ew_scan *s, const char *entry)
{
    const ew_capture_stats *st = ew_capture_stats_get(s->capture);
    char where[EW_PATH_SHOWN_MAX];
    if (entry)
        snprintf(where, sizeof where, "%s: %s", s->input, entry);
    else
        snprintf(where, sizeof where, "%s", s->input);
    int rc = 0;
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_cap_counters); i++) {
        const ew_cap_counter *k = &ew_cap_counters[i];
        uint64_t now = ew_counter(st, k->at), before = ew_counter(&s->told, k->at);
        const char *why = (const char *)st + k->why_at;
        if (now > before)
            rc |= ew_warn(s->warn, k->code, entry, now - before,
                          k->code == EW_W_CAPTURE_MALFORMED ? "%s: %s%s; such records were skipped"
                                                            : "%s: %s%s",
                          where, k->lead ? k->lead : "", *why ? why : k->fallback);
    }
    rc |= ew_capture_order_warning(s, st, where, entry);
    if (st->flows_evicted > s->told.flows_evicted)
        rc |= ew_warn(s->warn, EW_W_LIMIT_FLOWS, entry, st->flows_evicted - s->told.flows_evicted,
                      "%s: connections dropped because more than %zu were open at once "
                      "(limit max-flows)",
                      where, s->sc->lim.capture.max_flows);
    s->told = *st;
    return rc ? EWDIAG_ENOMEM : 0;
}

/* The capture could not be read to its end: why, and how far it went. */
static int ew_capture_failed(ew_scan *s, const ew_entry_meta *m, ew_entry *e, const char *why,
                             uint64_t records)
{
    char before[96] = "";
    if (records)
        snprintf(before, sizeof before, "; the %llu record%s before it were read",
                 (unsigned long long)records, records == 1 ? "" : "s");
    if (ew_entry_set(e, EW_ENTRY_FAILED, why) != 0 ||
        ew_warn(s->warn, EW_W_CAPTURE_ERROR, m->path, 1, "%s: %s: %s%s", s->input, m->path, why,
                before) != 0)
        return EWDIAG_ENOMEM;
    return 0;
}

static int ew_capture_pull(void *ctx, const ew_entry_meta *m, ew_entry *e, FILE *f,
                           const char *const *transport_error)
{
    ew_scan *s = ctx;
    if (!s->capture &&
        !(s->capture = ew_capture_new(&s->sc->lim.capture, s->sink.handshake, s->sink.ctx))) {
        (void)fclose(f); /* read-only: nothing to flush */
        return EWDIAG_ENOMEM;
    }
    s->capture_path = e->path; /* lives as long as the walk's result */
    int rc = s->sink.capture_file(s->sink.ctx, e->path);
    if (rc != 0) {
        (void)fclose(f); /* read-only: nothing to flush */
        return rc;
    }
    uint64_t records0 = ew_capture_stats_get(s->capture)->records;
    ew_err err = {0, ""};
    rc = ew_capture_feed(s->capture, f, &err); /* closes f */
    if (rc != 0 && rc != EWDIAG_EFORMAT)
        return rc; /* out of memory, here or in the sink */
    const ew_capture_stats *st = ew_capture_stats_get(s->capture);
    uint64_t records = st->records - records0;
    if (records > 0)
        ew_capture_order(s, e->path, st->file_ts_first, st->file_ts_last);
    /* A file that is no capture at all is not one of the input's captures. */
    if (rc == 0 || records > 0)
        s->res.captures++;
    if (ew_capture_warnings(s, e->path) != 0)
        return EWDIAG_ENOMEM;
    const char *why = *transport_error ? *transport_error : rc != 0 ? err.msg : NULL;
    if (why)
        return ew_capture_failed(s, m, e, why, records);
    return ew_entry_set(e, EW_ENTRY_SCANNED, NULL);
}

int ew_scan_finish(ew_scan *s)
{
    if (!s->capture)
        return 0;
    int rc = ew_capture_finish(s->capture);
    if (rc != 0)
        return rc;
    /* What the end of the capture showed belongs to its last file. */
    return ew_capture_warnings(s, s->capture_path);
}

const ew_kind ew_kind_capture = {
    .role = EW_ROLE_CAPTURE,
    .mode = EW_KIND_PULL,
    .match = ew_is_capture_name,
    .pull = ew_capture_pull,
};
