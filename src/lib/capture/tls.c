/* tls.c - the TLS records of one connection, read from each direction's
 * in-order bytes as they come: their framing, the first plaintext alert,
 * and what the connection showed in the end. The handshake messages inside
 * are tls_hs.c's. */
#include "capture/tls_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ew_tls_init(ew_tls_conn *t)
{
    memset(t, 0, sizeof *t);
    t->client_dir = -1;
}

void ew_tls_set_client(ew_tls_conn *t, int dir)
{
    if (t->role_by_tcp)
        return;
    t->client_dir = (int8_t)dir;
    t->role_by_tcp = true;
}

void ew_tls_set_midstream(ew_tls_conn *t, int dir)
{
    ew_tls_dir *d = &t->d[dir];
    d->midstream = true;
    if (d->state == DS_START && d->rec_hdr_len == 0)
        d->state = DS_SEARCH;
}

int ew_tls_info_new(ew_tls_conn *t)
{
    if (t->info)
        return 0;
    ew_tls_info *in = ew_calloc(1, sizeof *in);
    if (!in)
        return EWDIAG_ENOMEM;
    in->hello_dir = in->sh_dir = in->alert_dir = -1;
    in->alert = -1;
    t->info = in;
    return 0;
}

/* "a" or "an", for tls_ct_name(type). */
static const char *tls_ct_article(uint8_t type)
{
    return type == TLS_CT_ALERT || type == TLS_CT_APPLICATION_DATA ||
                   type < TLS_CT_CHANGE_CIPHER_SPEC || type > TLS_CT_HEARTBEAT
               ? "an"
               : "a";
}

static const char *tls_ct_name(uint8_t type)
{
    switch (type) {
    case TLS_CT_CHANGE_CIPHER_SPEC: return "ChangeCipherSpec";
    case TLS_CT_ALERT: return "alert";
    case TLS_CT_HANDSHAKE: return "handshake";
    case TLS_CT_APPLICATION_DATA: return "application data";
    case TLS_CT_HEARTBEAT: return "heartbeat";
    default: return "unknown";
    }
}

static void tls_alert(ew_tls_conn *t, int dir)
{
    ew_tls_dir *d = &t->d[dir];
    ew_tls_info *in = t->info;
    /* The first one, but a fatal one wins over an earlier warning (such as
     * unrecognized_name) that did not end the handshake. */
    if (in->alert < 0 || (in->alert_level != TLS_ALERT_FATAL && d->alert[0] == TLS_ALERT_FATAL)) {
        in->alert = d->alert[1];
        in->alert_level = d->alert[0];
        in->alert_dir = (int8_t)dir;
    }
    if (d->alert[0] == TLS_ALERT_FATAL)
        ew_tls_dir_close(d);
}

static bool tls_header_sane(const uint8_t *h, bool first)
{
    uint8_t type = h[0];
    uint8_t max_type = first ? TLS_CT_APPLICATION_DATA : TLS_CT_HEARTBEAT;
    uint32_t len = (uint32_t)h[3] << 8 | h[4];
    return type >= TLS_CT_CHANGE_CIPHER_SPEC && type <= max_type && h[1] == TLS_VERSION_MAJOR &&
           len <= TLS_REC_MAX;
}

/* A full record header was read. 0, or EWDIAG_ENOMEM. */
static int tls_record_begin(ew_tls_conn *t, ew_cap_env *env, int dir)
{
    ew_tls_dir *d = &t->d[dir];
    bool first = d->state == DS_START;
    if (!tls_header_sane(d->rec_hdr, first)) {
        if (first)
            ew_tls_search_from(d, d->rec_hdr, TLS_REC_HDR); /* not TLS at its start */
        else
            ew_tls_error(d, env,
                      "a record header makes no sense (content type %u, version %u.%u, "
                      "length %u; at most %u)",
                      d->rec_hdr[0], d->rec_hdr[1], d->rec_hdr[2],
                      (unsigned)d->rec_hdr[3] << 8 | d->rec_hdr[4], TLS_REC_MAX);
        return 0;
    }
    if (first) {
        if (ew_tls_info_new(t) != 0)
            return EWDIAG_ENOMEM;
        d->state = DS_TLS;
    }
    d->rec_type = d->rec_hdr[0];
    d->rec_left = (uint32_t)d->rec_hdr[3] << 8 | d->rec_hdr[4];
    d->alert_len = 0;
    /* Only handshake records may continue a message that is not whole. */
    if (d->rec_type != TLS_CT_HANDSHAKE && d->hs_hdr_len > 0) {
        ew_tls_error(d, env, "%s %s record came before the %s message it interrupts was whole",
                  tls_ct_article(d->rec_type), tls_ct_name(d->rec_type),
                  d->hs_hdr_len == TLS_HS_HDR ? ew_tls_hs_name(d->hs_hdr[0]) : "handshake");
        return 0;
    }
    ew_tls_info *in = t->info;
    switch (d->rec_type) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
        /* In TLS 1.3 it is only for middleboxes: plaintext goes on. */
        if (tls_v13(in) || in->hrr)
            break;
        if (in->server_hello && dir == in->sh_dir && !in->cert)
            in->resumed = true;
        ew_tls_dir_close(d);
        break;
    case TLS_CT_APPLICATION_DATA:
        ew_tls_dir_close(d);
        break;
    case TLS_CT_ALERT:
        if (d->rec_left < TLS_ALERT_LEN)
            ew_tls_error(d, env, "an alert record of %u byte%s, less than an alert's 2", d->rec_left,
                      d->rec_left == 1 ? "" : "s");
        break;
    default:
        break;
    }
    return 0;
}

/* Part of the current record's body. 0, or EWDIAG_ENOMEM. */
static int tls_record_body(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                           int64_t ts)
{
    ew_tls_dir *d = &t->d[dir];
    if (d->rec_type == TLS_CT_HANDSHAKE)
        return ew_tls_handshake(t, env, dir, p, n, ts);
    if (d->rec_type == TLS_CT_ALERT && d->alert_len < TLS_ALERT_LEN) {
        size_t take = EW_MIN((size_t)(TLS_ALERT_LEN - d->alert_len), n);
        memcpy(d->alert + d->alert_len, p, take);
        d->alert_len = (uint8_t)(d->alert_len + take);
        if (d->alert_len == TLS_ALERT_LEN)
            tls_alert(t, dir);
    }
    return 0;
}

/* A partial header that cannot become a TLS record header. */
static bool tls_prefix_rejects(const ew_tls_dir *d)
{
    if (d->rec_hdr_len >= 1 && (d->rec_hdr[0] < TLS_CT_CHANGE_CIPHER_SPEC ||
                                d->rec_hdr[0] > TLS_CT_APPLICATION_DATA))
        return true;
    return d->rec_hdr_len >= 2 && d->rec_hdr[1] != TLS_VERSION_MAJOR;
}

int ew_tls_feed(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n, int64_t ts)
{
    ew_tls_dir *d = &t->d[dir];
    d->fed += (uint32_t)n;
    while (n > 0 && d->state != DS_DONE) {
        if (d->state == DS_SEARCH) {
            size_t used;
            int rc = ew_tls_search(t, env, dir, p, n, ts, &used);
            if (rc != 0)
                return rc;
            p += used;
            n -= used;
        } else if (d->rec_hdr_len < TLS_REC_HDR) {
            size_t take = EW_MIN((size_t)(TLS_REC_HDR - d->rec_hdr_len), n);
            memcpy(d->rec_hdr + d->rec_hdr_len, p, take);
            d->rec_hdr_len = (uint8_t)(d->rec_hdr_len + take);
            p += take;
            n -= take;
            if (d->rec_hdr_len < TLS_REC_HDR) {
                if (d->state == DS_START && tls_prefix_rejects(d))
                    ew_tls_search_from(d, d->rec_hdr, d->rec_hdr_len);
                continue;
            }
            int rc = tls_record_begin(t, env, dir);
            if (rc != 0)
                return rc;
        } else {
            size_t take = EW_MIN((size_t)d->rec_left, n);
            int rc = tls_record_body(t, env, dir, p, take, ts);
            if (rc != 0)
                return rc;
            p += take;
            n -= take;
            d->rec_left -= (uint32_t)take;
        }
        if (d->state == DS_TLS && d->rec_hdr_len == TLS_REC_HDR && d->rec_left == 0) {
            if (d->rec_type == TLS_CT_ALERT && d->alert_len < TLS_ALERT_LEN)
                ew_tls_error(d, env, "an empty alert record");
            d->rec_hdr_len = 0;
        }
    }
    return 0;
}

/* Past max_flow_bytes inside a handshake message: the option that reads
 * it whole, with room for the record headers of the rest; "" otherwise. */
#define TLS_RAISE_TEXT 64
static const char *tls_raise_flow(const ew_tls_dir *d, const ew_cap_env *env,
                                  char text[TLS_RAISE_TEXT])
{
    if (d->hs_hdr_len != TLS_HS_HDR || d->hs_got >= d->hs_len)
        return "";
    uint64_t rest = d->hs_len - d->hs_got;
    uint64_t need = (uint64_t)d->fed + rest + (rest / TLS_PLAINTEXT_MAX + 1) * TLS_REC_HDR;
    need = (need + TLS_RAISE_ROUND - 1) / TLS_RAISE_ROUND * TLS_RAISE_ROUND;
    need = EW_MAX(need, (uint64_t)env->lim.max_flow_bytes + 1);
    snprintf(text, TLS_RAISE_TEXT, "--set max-flow-bytes=%llu", (unsigned long long)need);
    return text;
}

void ew_tls_end(ew_tls_conn *t, ew_cap_env *env, int dir, ew_tls_end_why why)
{
    ew_tls_dir *d = &t->d[dir];
    if (d->state == DS_DONE)
        return;
    /* Cut: bytes are missing, or the stream stopped inside a record. */
    bool inside = d->rec_hdr_len > 0 || d->hs_hdr_len > 0;
    if (why != EW_TLS_END_CLOSE || inside)
        d->cut = true;
    /* A gap is told by tcp.c; a stream that was never TLS has nothing to say. */
    if (d->state == DS_TLS && (why == EW_TLS_END_LIMIT || (why == EW_TLS_END_CLOSE && inside))) {
        env->st.tls_cut++;
        char rec[96] = "", msg[96] = "", raise[TLS_RAISE_TEXT];
        if (d->rec_hdr_len == TLS_REC_HDR) {
            uint32_t len = (uint32_t)d->rec_hdr[3] << 8 | d->rec_hdr[4];
            snprintf(rec, sizeof rec, "%s %s record (%u of its %u bytes came)",
                     tls_ct_article(d->rec_type), tls_ct_name(d->rec_type), len - d->rec_left, len);
        } else if (d->rec_hdr_len > 0) {
            snprintf(rec, sizeof rec, "a record header (%u of its 5 bytes came)", d->rec_hdr_len);
        }
        if (d->hs_hdr_len == TLS_HS_HDR)
            snprintf(msg, sizeof msg, "%s message (%u of its %u bytes came)",
                     ew_tls_hs_name(d->hs_hdr[0]), d->hs_got, d->hs_len);
        else if (d->hs_hdr_len > 0)
            snprintf(msg, sizeof msg, "handshake message header (%u of its 4 bytes came)",
                     d->hs_hdr_len);
        if (why == EW_TLS_END_LIMIT && *tls_raise_flow(d, env, raise))
            ew_cap_why_conn(env, env->st.why_cut, true, "TLS",
                            "handshake past max-flow-bytes (%zu) inside a %s: %s reads it",
                            env->lim.max_flow_bytes, msg, raise);
        else if (why == EW_TLS_END_LIMIT)
            ew_cap_why_conn(env, env->st.why_cut, true, "TLS",
                            "its handshake goes on past max-flow-bytes (%zu bytes read per "
                            "direction)%s%s: the rest was not read",
                            env->lim.max_flow_bytes, *msg ? ", inside a " : "", msg);
        else
            ew_cap_why_conn(env, env->st.why_cut, true, "TLS", "the %s ended inside %s%s%s",
                            env->ts ? "connection" : "capture", *rec ? rec : "a",
                            *rec && *msg ? ", in a " : (*rec ? "" : " "), msg);
    }
    ew_tls_dir_close(d);
}

bool ew_tls_dir_done(const ew_tls_conn *t, int dir)
{
    return t->d[dir].state == DS_DONE;
}

bool ew_tls_seen(const ew_tls_conn *t)
{
    return t->info != NULL;
}

bool ew_tls_spoke(const ew_tls_conn *t)
{
    return t->info && (t->info->client_hello || t->info->server_hello || t->info->cert);
}

bool ew_tls_wants(const ew_tls_conn *t, int dir)
{
    const ew_tls_info *in = t->info;
    if (t->d[dir].state == DS_DONE)
        return false;
    return !in || !in->client_hello || !(in->cert || in->resumed || tls_v13(in));
}

bool ew_tls_headless(const ew_tls_conn *t)
{
    const ew_tls_info *in = t->info;
    return in && !in->client_hello && (in->cert || in->server_hello);
}

bool ew_tls_complete(const ew_tls_conn *t)
{
    const ew_tls_info *in = t->info;
    if (!in)
        return false;
    if (t->d[0].state == DS_DONE && t->d[1].state == DS_DONE)
        return true;
    /* A fatal alert after the server's part is known: nothing more to learn. */
    return in->alert >= 0 && in->alert_level == TLS_ALERT_FATAL && (in->cert || tls_v13(in));
}

static ew_cert_state tls_cert_state(const ew_tls_conn *t, int client_dir)
{
    const ew_tls_info *in = t->info;
    if (in->cert)
        return EW_CERT_PRESENT;
    if (tls_v13(in))
        return EW_CERT_ENCRYPTED;
    if (in->resumed)
        return EW_CERT_RESUMED;
    if (in->server_hello)
        return EW_CERT_CUT;
    int server_dir = in->sh_dir >= 0 ? in->sh_dir : 1 - client_dir;
    return t->d[server_dir].cut ? EW_CERT_CUT : EW_CERT_UNSEEN;
}

void ew_tls_fill(const ew_tls_conn *t, int client_dir, ew_tls_hs *out)
{
    memset(out, 0, sizeof *out);
    out->alert = -1;
    const ew_tls_info *in = t->info;
    if (!in) {
        out->cert_state = EW_CERT_UNSEEN;
        return;
    }
    out->ts_hello = in->ts_hello;
    out->ts_cert = in->cert ? in->ts_cert : in->ts_server_hello;
    out->client_version = in->client_version;
    out->offered_max = in->offered_max;
    out->version = in->version;
    out->draft = in->draft;
    out->cipher = in->cipher;
    memcpy(out->sni, in->sni, sizeof out->sni);
    out->cert_state = tls_cert_state(t, client_dir);
    /* A chain is given only once its message was read whole. */
    out->ncerts = in->cert ? in->ncerts : 0;
    size_t at = 0;
    for (size_t i = 0; i < out->ncerts; i++) {
        out->cert_der[i] = in->certs + at;
        out->cert_len[i] = in->cert_len[i];
        at += in->cert_len[i];
    }
    out->chain_cut = in->cert && in->chain_cut;
    out->alert = in->alert;
    out->alert_by_client = in->alert >= 0 && in->alert_dir == client_dir;
}

void ew_tls_release(ew_tls_conn *t)
{
    for (size_t i = 0; i < EW_ARRAY_LEN(t->d); i++)
        free(t->d[i].hs_buf);
    if (t->info)
        free(t->info->certs);
    free(t->info);
    ew_tls_init(t);
}

/* TLS that does not start at a stream's first byte: after a
 * STARTTLS exchange (SMTP, IMAP, POP3, FTP, XMPP, IRC, LDAP), a database's
 * SSL request, RDP's X.224 negotiation, a SOCKS or HTTP CONNECT proxy, or
 * in a capture that begins inside a handshake flight. The first record
 * header is looked for within TLS_SEARCH_MAX bytes of the direction, in
 * place (memchr for its first byte); only a header that a segment cuts is
 * copied, at most EW_TLS_PROBE - 1 bytes. A candidate is believed only if
 * the handshake message it starts makes sense: a ClientHello, ServerHello
 * or Certificate whose lengths agree. */

/* The smallest hello: version, random, and 4 more bytes. */
#define TLS_HELLO_MIN (2u + TLS_RANDOM_LEN + 4u)
#define TLS_HELLO_MAX 0xffffu
#define TLS_MINOR_MAX 4u /* SSL 3.0 (0) to TLS 1.3 (4) */

typedef enum tls_probe_res { PROBE_NO, PROBE_YES, PROBE_MORE } tls_probe_res;

/* Where a probe looks: the record's minor version and length, the
 * handshake type and length, and the message's first bytes. */
enum { PR_MINOR = 2, PR_LEN = 3, PR_TYPE = 5, PR_HS_LEN = 6, PR_BODY = 9 };

static uint32_t tls_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Whether a record header starts at h (n bytes there): checked as far as
 * the bytes go, PROBE_MORE when they stop before the check could end. */
static tls_probe_res tls_probe(const uint8_t *h, size_t n)
{
    static const uint8_t want[] = {TLS_CT_HANDSHAKE, TLS_VERSION_MAJOR};
    for (size_t i = 0; i < sizeof want && i < n; i++)
        if (h[i] != want[i])
            return PROBE_NO;
    if (n > PR_MINOR && h[PR_MINOR] > TLS_MINOR_MAX)
        return PROBE_NO;
    if (n >= TLS_REC_HDR) {
        uint32_t len = ew_be16(h + PR_LEN);
        if (len < TLS_HS_HDR || len > TLS_REC_MAX)
            return PROBE_NO;
    }
    if (n > PR_TYPE && h[PR_TYPE] != TLS_HT_CLIENT_HELLO && h[PR_TYPE] != TLS_HT_SERVER_HELLO &&
        h[PR_TYPE] != TLS_HT_CERTIFICATE)
        return PROBE_NO;
    if (n < EW_TLS_PROBE)
        return PROBE_MORE;
    uint32_t hs_len = tls_be24(h + PR_HS_LEN);
    if (h[PR_TYPE] == TLS_HT_CERTIFICATE)
        return hs_len >= TLS_LEN24 && tls_be24(h + PR_BODY) == hs_len - TLS_LEN24 ? PROBE_YES
                                                                                 : PROBE_NO;
    if (hs_len < TLS_HELLO_MIN || hs_len > TLS_HELLO_MAX)
        return PROBE_NO;
    /* A hello's version: 3.x, or a TLS 1.3 draft's in a ServerHello. */
    uint16_t v = ew_be16(h + PR_BODY);
    bool ok = (h[PR_BODY] == TLS_VERSION_MAJOR && h[PR_BODY + 1] <= TLS_MINOR_MAX) ||
              (h[PR_TYPE] == TLS_HT_SERVER_HELLO && ew_tls_version_norm(v, NULL) != v);
    return ok ? PROBE_YES : PROBE_NO;
}

void ew_tls_search_from(ew_tls_dir *d, const uint8_t *h, size_t n)
{
    uint8_t keep[TLS_REC_HDR];
    n = EW_MIN(n, sizeof keep);
    memcpy(keep, h, n);
    d->state = DS_SEARCH;
    d->rec_hdr_len = 0;
    /* The first byte was not a header's: what follows it might be. */
    d->carry_len = n > 1 ? (uint8_t)(n - 1) : 0;
    memcpy(d->carry, keep + 1, d->carry_len);
    d->searched += (uint32_t)n;
}

/* A header was found: the direction reads records from it. */
static int tls_found(ew_tls_conn *t, int dir)
{
    if (ew_tls_info_new(t) != 0)
        return EWDIAG_ENOMEM;
    t->d[dir].state = DS_TLS;
    t->d[dir].carry_len = 0;
    return 0;
}

/* The bytes kept from the last segment, with the first of p: a header
 * that starts in them is given from there (1), or they are kept for the
 * next segment when p is too short to tell (2), or dropped (0). */
static int tls_search_carry(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                            int64_t ts, size_t *used)
{
    ew_tls_dir *d = &t->d[dir];
    uint8_t tmp[2 * EW_TLS_PROBE];
    size_t cl = d->carry_len, add = EW_MIN(n, (size_t)EW_TLS_PROBE);
    memcpy(tmp, d->carry, cl);
    memcpy(tmp + cl, p, add);
    d->carry_len = 0;
    for (size_t i = 0; i < cl; i++) {
        tls_probe_res r = tls_probe(tmp + i, cl + add - i);
        if (r == PROBE_YES) {
            int rc = tls_found(t, dir);
            /* Fed again as stream bytes: fed counts them once. */
            d->fed -= (uint32_t)(cl - i);
            if (rc == 0)
                rc = ew_tls_feed(t, env, dir, tmp + i, cl - i, ts);
            *used = 0;
            return rc != 0 ? rc : 1;
        }
        if (r == PROBE_MORE) {
            /* Fewer than EW_TLS_PROBE bytes from i: all of p is in tmp. */
            d->carry_len = (uint8_t)(cl + add - i);
            memcpy(d->carry, tmp + i, d->carry_len);
            d->searched += (uint32_t)n;
            *used = n;
            return 2;
        }
    }
    return 0;
}

int ew_tls_search(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                  int64_t ts, size_t *used)
{
    ew_tls_dir *d = &t->d[dir];
    *used = n;
    if (d->carry_len > 0) {
        int rc = tls_search_carry(t, env, dir, p, n, ts, used);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    size_t budget = d->searched < TLS_SEARCH_MAX ? TLS_SEARCH_MAX - d->searched : 0;
    size_t lim = EW_MIN(n, budget);
    const uint8_t *q = p;
    while (q < p + lim && (q = memchr(q, TLS_CT_HANDSHAKE, (size_t)(p + lim - q))) != NULL) {
        tls_probe_res r = tls_probe(q, (size_t)(p + n - q));
        if (r == PROBE_YES) {
            *used = (size_t)(q - p);
            d->searched += (uint32_t)*used;
            return tls_found(t, dir);
        }
        if (r == PROBE_MORE) {
            d->carry_len = (uint8_t)(p + n - q);
            memcpy(d->carry, q, d->carry_len);
            break;
        }
        q++;
    }
    d->searched += (uint32_t)lim;
    if (d->searched >= TLS_SEARCH_MAX)
        ew_tls_dir_close(d); /* no TLS where it could be: not a TLS stream */
    return 0;
}
