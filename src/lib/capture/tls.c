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

static int tls_info_new(ew_tls_conn *t)
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
            ew_tls_dir_close(d); /* not TLS: nothing to say about it */
        else
            ew_tls_error(d, env,
                      "a record header makes no sense (content type %u, version %u.%u, "
                      "length %u; at most %u)",
                      d->rec_hdr[0], d->rec_hdr[1], d->rec_hdr[2],
                      (unsigned)d->rec_hdr[3] << 8 | d->rec_hdr[4], TLS_REC_MAX);
        return 0;
    }
    if (first) {
        if (tls_info_new(t) != 0)
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
    while (n > 0 && d->state != DS_DONE) {
        if (d->rec_hdr_len < TLS_REC_HDR) {
            size_t take = EW_MIN((size_t)(TLS_REC_HDR - d->rec_hdr_len), n);
            memcpy(d->rec_hdr + d->rec_hdr_len, p, take);
            d->rec_hdr_len = (uint8_t)(d->rec_hdr_len + take);
            p += take;
            n -= take;
            if (d->rec_hdr_len < TLS_REC_HDR) {
                if (d->state == DS_START && tls_prefix_rejects(d))
                    ew_tls_dir_close(d);
                break;
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
        char rec[96] = "", msg[96] = "";
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
        if (why == EW_TLS_END_LIMIT)
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
    return t->info && (t->info->client_hello || t->info->server_hello);
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
    out->cipher = in->cipher;
    memcpy(out->sni, in->sni, sizeof out->sni);
    out->cert_state = tls_cert_state(t, client_dir);
    out->ncerts = in->ncerts;
    size_t at = 0;
    for (size_t i = 0; i < in->ncerts; i++) {
        out->cert_der[i] = in->certs + at;
        out->cert_len[i] = in->cert_len[i];
        at += in->cert_len[i];
    }
    out->chain_cut = in->chain_cut;
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
