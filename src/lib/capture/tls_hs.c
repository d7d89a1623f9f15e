/* tls_hs.c - the handshake messages of a TLS connection: ClientHello
 * (version offered, SNI), ServerHello (version, cipher, HelloRetryRequest)
 * and the server's Certificate chain. Parses in place; only a message that
 * straddles records or segments is copied, and only if we read it. */
#include "capture/tls_int.h"

#include <stdio.h>
#include <stdlib.h>

/* A ServerHello with this random is a HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t tls_hrr_random[TLS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* Handshake message names, for messages. */
const char *ew_tls_hs_name(uint8_t type)
{
    switch (type) {
    case TLS_HT_CLIENT_HELLO:
        return "ClientHello";
    case TLS_HT_SERVER_HELLO:
        return "ServerHello";
    case 4:
        return "NewSessionTicket";
    case 8:
        return "EncryptedExtensions";
    case TLS_HT_CERTIFICATE:
        return "Certificate";
    case 12:
        return "ServerKeyExchange";
    case 13:
        return "CertificateRequest";
    case 14:
        return "ServerHelloDone";
    case 15:
        return "CertificateVerify";
    case 16:
        return "ClientKeyExchange";
    case 20:
        return "Finished";
    default:
        return "handshake";
    }
}

uint16_t ew_tls_version_norm(uint16_t v, uint8_t *draft)
{
    uint8_t n = 0;
    if (v >> 8 == TLS_DRAFT_HI && (v & 0xffu) >= TLS_DRAFT_MIN && (v & 0xffu) <= TLS_DRAFT_MAX)
        n = (uint8_t)(v & 0xffu);
    else if (v == TLS_FB_DRAFT23 || v == TLS_FB_DRAFT26)
        n = (uint8_t)(v == TLS_FB_DRAFT23 ? 23 : 26);
    if (n == 0)
        return v;
    if (draft)
        *draft = n;
    return TLS_V1_3;
}

static void tls_copy_sni(char *out, const uint8_t *p, size_t n)
{
    n = EW_MIN(n, (size_t)EW_SNI_MAX - 1);
    for (size_t i = 0; i < n; i++)
        out[i] = (p[i] >= TLS_PRINT_MIN && p[i] <= TLS_PRINT_MAX) ? (char)p[i] : '?';
    out[n] = '\0';
}

/* server_name (RFC 6066 3): the first host_name. */
static bool tls_parse_sni(ew_tls_info *in, tls_rd ext)
{
    tls_rd list = rd_sub(&ext, rd_uint(&ext, 2));
    while (!list.bad && list.n > 0) {
        uint32_t type = rd_uint(&list, 1);
        uint32_t len = rd_uint(&list, 2);
        const uint8_t *name = rd_take(&list, len);
        if (name && type == TLS_SNI_HOST_NAME && in->sni[0] == '\0') {
            tls_copy_sni(in->sni, name, len);
            break;
        }
    }
    return !list.bad && !ext.bad;
}

/* The parsers below return 0; EWDIAG_EFORMAT with why set when the message
 * makes no sense; EWDIAG_ENOMEM. */

/* The extensions of a Hello: none when its fields end before them. */
static tls_rd tls_exts(tls_rd *r)
{
    if (r->bad || r->n == 0)
        return (tls_rd){NULL, 0, false};
    return rd_sub(r, rd_uint(r, 2));
}

/* The next extension of exts; false at their end or when it overruns. */
static bool tls_next_ext(tls_rd *exts, uint32_t *type, tls_rd *ext)
{
    if (exts->bad || exts->n == 0)
        return false;
    *type = rd_uint(exts, 2);
    *ext = rd_sub(exts, rd_uint(exts, 2));
    return !exts->bad;
}

/* A Hello's extension that does not parse. */
static int tls_bad_ext(char *why, const char *hello, const char *ext)
{
    snprintf(why, TLS_WHY_MAX, "%s: its %s extension is malformed", hello, ext);
    return EWDIAG_EFORMAT;
}

/* A Hello whose extensions, or else its fields, overran its n bytes. */
static int tls_hello_overrun(char *why, const char *hello, bool exts_bad, bool fields_bad, size_t n)
{
    if (!exts_bad && !fields_bad)
        return 0;
    snprintf(why, TLS_WHY_MAX, "%s: its %s run past the end of its %zu bytes", hello,
             exts_bad ? "extensions" : "fields", n);
    return EWDIAG_EFORMAT;
}

static int tls_client_hello(ew_tls_conn *t, int dir, const uint8_t *p, size_t n, int64_t ts,
                            char *why)
{
    ew_tls_info *in = t->info;
    if (in->client_hello)
        return 0; /* the second one after a HelloRetryRequest says nothing new */
    tls_rd r = {p, n, false};
    uint16_t legacy = (uint16_t)rd_uint(&r, 2);
    rd_take(&r, TLS_RANDOM_LEN);
    rd_take(&r, rd_uint(&r, 1)); /* session_id */
    rd_take(&r, rd_uint(&r, 2)); /* cipher_suites */
    rd_take(&r, rd_uint(&r, 1)); /* compression_methods */
    uint16_t offered = legacy;
    tls_rd exts = tls_exts(&r), ext;
    uint32_t type;
    while (tls_next_ext(&exts, &type, &ext)) {
        if (type == TLS_EXT_SERVER_NAME && !tls_parse_sni(in, ext))
            return tls_bad_ext(why, "ClientHello", "server_name");
        if (type == TLS_EXT_SUPPORTED_VERSIONS) {
            tls_rd vs = rd_sub(&ext, rd_uint(&ext, 1));
            uint16_t max = 0;
            while (!vs.bad && vs.n >= 2) {
                uint16_t v = ew_tls_version_norm((uint16_t)rd_uint(&vs, 2), NULL);
                if (!tls_is_grease(v))
                    max = EW_MAX(max, v);
            }
            if (ext.bad || vs.n != 0)
                return tls_bad_ext(why, "ClientHello", "supported_versions");
            if (max)
                offered = max;
        }
    }
    int rc = tls_hello_overrun(why, "ClientHello", exts.bad, r.bad, n);
    if (rc != 0)
        return rc;
    in->client_hello = true;
    in->client_version = legacy;
    in->offered_max = offered;
    in->ts_hello = ts;
    in->hello_dir = (int8_t)dir;
    if (!t->role_by_tcp)
        t->client_dir = (int8_t)dir;
    return 0;
}

static int tls_server_hello(ew_tls_conn *t, int dir, const uint8_t *p, size_t n, int64_t ts,
                            char *why)
{
    ew_tls_info *in = t->info;
    if (in->server_hello)
        return 0;
    tls_rd r = {p, n, false};
    uint16_t version = (uint16_t)rd_uint(&r, 2);
    const uint8_t *random = rd_take(&r, TLS_RANDOM_LEN);
    /* Drafts 16-21 of TLS 1.3 name themselves here, with neither a
     * session_id nor a compression method. */
    bool old_draft = ew_tls_version_norm(version, NULL) != version;
    if (!old_draft)
        rd_take(&r, rd_uint(&r, 1)); /* session_id */
    uint16_t cipher = (uint16_t)rd_uint(&r, 2);
    if (!old_draft)
        rd_take(&r, 1); /* compression_method */
    tls_rd exts = tls_exts(&r), ext;
    uint32_t type;
    while (tls_next_ext(&exts, &type, &ext)) {
        if (type == TLS_EXT_SUPPORTED_VERSIONS) {
            version = (uint16_t)rd_uint(&ext, 2);
            if (ext.bad)
                return tls_bad_ext(why, "ServerHello", "supported_versions");
        }
    }
    int rc = tls_hello_overrun(why, "ServerHello", exts.bad, r.bad, n);
    if (rc != 0)
        return rc;
    if (!t->role_by_tcp && t->client_dir < 0)
        t->client_dir = (int8_t)(1 - dir);
    if (memcmp(random, tls_hrr_random, TLS_RANDOM_LEN) == 0) {
        /* Not the final one: the real ServerHello follows the new ClientHello. */
        in->hrr = true;
        return 0;
    }
    in->server_hello = true;
    in->version = ew_tls_version_norm(version, &in->draft);
    in->cipher = cipher;
    in->ts_server_hello = ts;
    in->sh_dir = (int8_t)dir;
    return 0;
}

/* the server's Certificate message of TLS 1.0-1.2 (RFC 5246
 * 7.4.2), read as its bytes come: the list's and each certificate's length
 * checked, and only the certificates kept copied, once, into the chain.
 * So its size is bounded by what is kept (max_chain certificates of at most
 * max_der bytes each), not by max_handshake: a certificate with thousands
 * of names is read like any other. */

int ew_tls_cert_begin(ew_tls_conn *t, uint32_t hs_len, char *why)
{
    ew_tls_info *in = t->info;
    if (hs_len < TLS_LEN24) {
        snprintf(why, TLS_WHY_MAX,
                 "Certificate message of %u bytes: too short for its "
                 "certificate list's length",
                 hs_len);
        return EWDIAG_EFORMAT;
    }
    memset(&in->crd, 0, sizeof in->crd);
    in->crd.list_left = hs_len - TLS_LEN24;
    free(in->certs);
    in->certs = NULL;
    in->ncerts = 0;
    in->chain_cut = false;
    return 0;
}

/* A length field of 3 bytes, read across pieces: true once whole. */
static bool tls_cert_len(ew_tls_certrd *c, const uint8_t **p, size_t *n, uint32_t *len)
{
    size_t take = EW_MIN((size_t)(TLS_LEN24 - c->len_got), *n);
    memcpy(c->len + c->len_got, *p, take);
    c->len_got = (uint8_t)(c->len_got + take);
    *p += take;
    *n -= take;
    if (c->len_got < TLS_LEN24)
        return false;
    c->len_got = 0;
    *len = (uint32_t)c->len[0] << 16 | (uint32_t)c->len[1] << 8 | c->len[2];
    return true;
}

/* Room for the chain: what the list holds, or what may be kept of it. */
static int tls_cert_room(ew_tls_info *in, const ew_cap_env *env, uint32_t list_len)
{
    size_t most = env->lim.max_chain * env->lim.max_der;
    if (env->lim.max_der && most / env->lim.max_der != env->lim.max_chain)
        most = SIZE_MAX;
    in->crd.cap = EW_MAX(EW_MIN((size_t)list_len, most), (size_t)1);
    in->certs = ew_malloc(in->crd.cap);
    return in->certs ? 0 : EWDIAG_ENOMEM;
}

/* A certificate's length was read: whether it is kept. */
static int tls_cert_start(ew_tls_conn *t, ew_cap_env *env, uint32_t len, char *why)
{
    ew_tls_info *in = t->info;
    ew_tls_certrd *c = &in->crd;
    /* ASN1Cert<1..2^24-1>: an empty one is no certificate (RFC 8446, 4.4.2). */
    if (len == 0) {
        snprintf(why, TLS_WHY_MAX, "Certificate message: certificate %zu of the list is empty",
                 c->index);
        return EWDIAG_EFORMAT;
    }
    if (len > c->list_left) {
        snprintf(why, TLS_WHY_MAX,
                 "Certificate message: certificate %zu of the list says %u bytes, but only "
                 "%u are left in the list",
                 c->index, len, c->list_left);
        return EWDIAG_EFORMAT;
    }
    c->body = true;
    c->cert_left = len;
    c->keep = false;
    /* An oversized one ends the kept chain so depths keep their meaning. */
    if (in->chain_cut)
        return 0;
    if (len > env->lim.max_der) {
        env->st.cert_big++;
        ew_cap_why_conn(env, env->st.why_big, true, "TLS",
                        "certificate %zu of the server's chain is %u bytes, more than max-der "
                        "(%zu): it and those after it were not kept (--set max-der=%u reads it)",
                        c->index, len, env->lim.max_der, len);
    }
    if (in->ncerts == env->lim.max_chain || len > env->lim.max_der || c->at + len > c->cap) {
        in->chain_cut = true;
        return 0;
    }
    c->keep = true;
    in->cert_len[in->ncerts++] = len;
    return 0;
}

int ew_tls_cert_bytes(ew_tls_conn *t, ew_cap_env *env, const uint8_t *p, size_t n, char *why)
{
    ew_tls_info *in = t->info;
    ew_tls_certrd *c = &in->crd;
    uint32_t len;
    while (n > 0) {
        if (!c->list) {
            if (!tls_cert_len(c, &p, &n, &len))
                break;
            uint32_t room = in->crd.list_left; /* the message's bytes after the field */
            if (len != room) {
                snprintf(why, TLS_WHY_MAX,
                         "Certificate message: its certificate list says %u bytes, but the "
                         "message (%u bytes by its handshake header) leaves %u for it",
                         len, room + TLS_LEN24, room);
                return EWDIAG_EFORMAT;
            }
            c->list = true;
            if (tls_cert_room(in, env, len) != 0)
                return EWDIAG_ENOMEM;
        } else if (!c->body) {
            if (c->len_got == 0) {
                c->index++;
                if (c->list_left < TLS_LEN24) {
                    snprintf(why, TLS_WHY_MAX,
                             "Certificate message: the list ends inside the length of "
                             "certificate %zu",
                             c->index);
                    return EWDIAG_EFORMAT;
                }
            }
            size_t before = n;
            bool whole = tls_cert_len(c, &p, &n, &len);
            c->list_left -= (uint32_t)(before - n);
            if (!whole)
                break;
            int rc = tls_cert_start(t, env, len, why);
            if (rc != 0)
                return rc;
        } else {
            size_t take = EW_MIN((size_t)c->cert_left, n);
            if (c->keep) {
                memcpy(in->certs + c->at, p, take);
                c->at += take;
            }
            p += take;
            n -= take;
            c->cert_left -= (uint32_t)take;
            c->list_left -= (uint32_t)take;
            if (c->cert_left == 0)
                c->body = false;
        }
    }
    return 0;
}

void ew_tls_cert_end(ew_tls_conn *t, int dir, int64_t ts)
{
    ew_tls_info *in = t->info;
    in->cert = true;
    in->ts_cert = ts;
    /* Seen without the hellos (a capture that starts mid-handshake): the
     * sender is the server. */
    if (!t->role_by_tcp && t->client_dir < 0)
        t->client_dir = (int8_t)(1 - dir);
}

/* Is dir the one whose Certificate we want? The server's, as far as known. */
static bool tls_is_server(const ew_tls_conn *t, int dir)
{
    const ew_tls_info *in = t->info;
    if (in->sh_dir >= 0)
        return dir == in->sh_dir;
    if (t->client_dir >= 0)
        return dir != t->client_dir;
    return true;
}

/* Whether we read the body of a message of this type from dir. */
static bool tls_wanted(const ew_tls_conn *t, int dir, uint8_t type)
{
    const ew_tls_info *in = t->info;
    switch (type) {
    case TLS_HT_CLIENT_HELLO:
        return !in->client_hello;
    case TLS_HT_SERVER_HELLO:
        return !in->server_hello;
    case TLS_HT_CERTIFICATE:
        return !in->cert && !tls_v13(in) && tls_is_server(t, dir);
    default:
        return false;
    }
}

/* A whole message: its parser's return. */
static int tls_message(ew_tls_conn *t, int dir, uint8_t type, const uint8_t *p, size_t n,
                       int64_t ts, char *why)
{
    int rc = 0;
    switch (type) {
    case TLS_HT_CLIENT_HELLO:
        rc = tls_client_hello(t, dir, p, n, ts, why);
        break;
    case TLS_HT_SERVER_HELLO:
        rc = tls_server_hello(t, dir, p, n, ts, why);
        break;
    default:
        break;
    }
    return rc;
}

static void tls_hs_reset(ew_tls_dir *d)
{
    d->hs_hdr_len = 0;
    d->hs_len = d->hs_got = 0;
    d->hs_keep = false;
}

/* A Certificate we read is streamed (above), never held whole. */
static bool tls_streamed(const ew_tls_dir *d)
{
    return d->hs_keep && d->hs_hdr[0] == TLS_HT_CERTIFICATE;
}

/* A message's header is whole: whether and how its body is read. Returns
 * 0; 1 when the direction stopped (said); EWDIAG_ENOMEM. */
static int tls_hs_header(ew_tls_conn *t, ew_cap_env *env, int dir)
{
    ew_tls_dir *d = &t->d[dir];
    d->hs_len = (uint32_t)d->hs_hdr[1] << 16 | (uint32_t)d->hs_hdr[2] << 8 | d->hs_hdr[3];
    d->hs_got = 0;
    d->hs_keep = tls_wanted(t, dir, d->hs_hdr[0]);
    if (tls_streamed(d)) {
        char why[TLS_WHY_MAX] = "";
        if (ew_tls_cert_begin(t, d->hs_len, why) == 0)
            return 0;
        ew_tls_error(d, env, "%s", why);
        return 1;
    }
    /* Only what is kept is bounded: a big CertificateRequest that is
     * skipped costs nothing. */
    if (d->hs_keep && d->hs_len > env->lim.max_handshake) {
        ew_tls_error(d, env, "%s message of %u bytes, more than max-handshake (%zu)",
                     ew_tls_hs_name(d->hs_hdr[0]), d->hs_len, env->lim.max_handshake);
        return 1;
    }
    return 0;
}

/* take bytes of the message body at p; *body is set once it is whole and
 * read in place or from hs_buf. 0, or EWDIAG_EFORMAT/ENOMEM with why. */
static int tls_hs_body(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t take,
                       const uint8_t **body, char *why)
{
    ew_tls_dir *d = &t->d[dir];
    *body = NULL;
    if (tls_streamed(d))
        return ew_tls_cert_bytes(t, env, p, take, why);
    if (!d->hs_keep)
        return 0;
    if (d->hs_got == 0 && take == d->hs_len) {
        *body = p;
    } else if (take > 0) {
        if (d->hs_len > d->hs_cap) {
            /* Only for a message cut across records or segments (most lie
             * whole in one); grown once per size, then reused. */
            uint8_t *nb = ew_realloc(d->hs_buf, d->hs_len);
            if (!nb)
                return EWDIAG_ENOMEM;
            d->hs_buf = nb;
            d->hs_cap = d->hs_len;
        }
        memcpy(d->hs_buf + d->hs_got, p, take);
        if (d->hs_got + take == d->hs_len)
            *body = d->hs_buf;
    }
    return 0;
}

/* Handshake bytes of a record: messages are cut out of them, in place when
 * one lies whole in p, else through hs_buf (the Certificate as it comes).
 * Returns 0, or EWDIAG_ENOMEM. */
int ew_tls_handshake(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                     int64_t ts)
{
    ew_tls_dir *d = &t->d[dir];
    while (n > 0 && d->state == DS_TLS) {
        if (d->hs_hdr_len < TLS_HS_HDR) {
            size_t take = EW_MIN((size_t)(TLS_HS_HDR - d->hs_hdr_len), n);
            memcpy(d->hs_hdr + d->hs_hdr_len, p, take);
            d->hs_hdr_len = (uint8_t)(d->hs_hdr_len + take);
            p += take;
            n -= take;
            if (d->hs_hdr_len < TLS_HS_HDR)
                break;
            int rc = tls_hs_header(t, env, dir);
            if (rc != 0)
                return rc < 0 ? rc : 0;
        }
        size_t take = EW_MIN((size_t)(d->hs_len - d->hs_got), n);
        const uint8_t *body = NULL;
        char why[TLS_WHY_MAX] = "";
        int rc = tls_hs_body(t, env, dir, p, take, &body, why);
        d->hs_got += (uint32_t)take;
        p += take;
        n -= take;
        if (rc == 0 && d->hs_got < d->hs_len)
            break;
        if (rc == 0 && tls_streamed(d))
            ew_tls_cert_end(t, dir, ts);
        else if (rc == 0 && d->hs_keep)
            rc = tls_message(t, dir, d->hs_hdr[0], body ? body : d->hs_buf, d->hs_len, ts, why);
        if (rc == EWDIAG_ENOMEM)
            return rc;
        if (rc != 0) {
            ew_tls_error(d, env, "%s", *why ? why : "a handshake message makes no sense");
            break;
        }
        tls_hs_reset(d);
    }
    return 0;
}
