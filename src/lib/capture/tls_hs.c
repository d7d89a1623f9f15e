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
    case TLS_HT_CLIENT_HELLO: return "ClientHello";
    case TLS_HT_SERVER_HELLO: return "ServerHello";
    case 4: return "NewSessionTicket";
    case 8: return "EncryptedExtensions";
    case TLS_HT_CERTIFICATE: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 16: return "ClientKeyExchange";
    case 20: return "Finished";
    default: return "handshake";
    }
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
#define TLS_WHY_MAX 160

static int tls_client_hello(ew_tls_conn *t, int dir, const uint8_t *p, size_t n, int64_t ts,
                            char *why)
{
    ew_tls_info *in = t->info;
    if (in->client_hello)
        return 0; /* the second one after a HelloRetryRequest says nothing new */
    tls_rd r = {p, n, false};
    uint16_t legacy = (uint16_t)rd_uint(&r, 2);
    rd_take(&r, TLS_RANDOM_LEN);
    rd_take(&r, rd_uint(&r, 1));  /* session_id */
    rd_take(&r, rd_uint(&r, 2));  /* cipher_suites */
    rd_take(&r, rd_uint(&r, 1));  /* compression_methods */
    uint16_t offered = legacy;
    if (!r.bad && r.n > 0) {
        tls_rd exts = rd_sub(&r, rd_uint(&r, 2));
        while (!exts.bad && exts.n > 0) {
            uint32_t type = rd_uint(&exts, 2);
            tls_rd ext = rd_sub(&exts, rd_uint(&exts, 2));
            if (exts.bad)
                break;
            if (type == TLS_EXT_SERVER_NAME && !tls_parse_sni(in, ext)) {
                snprintf(why, TLS_WHY_MAX, "ClientHello: its server_name extension is malformed");
                return EWDIAG_EFORMAT;
            }
            if (type == TLS_EXT_SUPPORTED_VERSIONS) {
                tls_rd vs = rd_sub(&ext, rd_uint(&ext, 1));
                uint16_t max = 0;
                while (!vs.bad && vs.n >= 2) {
                    uint16_t v = (uint16_t)rd_uint(&vs, 2);
                    if (!tls_is_grease(v))
                        max = EW_MAX(max, v);
                }
                if (ext.bad || vs.n != 0) {
                    snprintf(why, TLS_WHY_MAX,
                             "ClientHello: its supported_versions extension is malformed");
                    return EWDIAG_EFORMAT;
                }
                if (max)
                    offered = max;
            }
        }
        if (exts.bad) {
            snprintf(why, TLS_WHY_MAX,
                     "ClientHello: its extensions run past the end of its %zu bytes", n);
            return EWDIAG_EFORMAT;
        }
    }
    if (r.bad) {
        snprintf(why, TLS_WHY_MAX, "ClientHello: its fields run past the end of its %zu bytes", n);
        return EWDIAG_EFORMAT;
    }
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
    rd_take(&r, rd_uint(&r, 1)); /* session_id */
    uint16_t cipher = (uint16_t)rd_uint(&r, 2);
    rd_take(&r, 1); /* compression_method */
    if (!r.bad && r.n > 0) {
        tls_rd exts = rd_sub(&r, rd_uint(&r, 2));
        while (!exts.bad && exts.n > 0) {
            uint32_t type = rd_uint(&exts, 2);
            tls_rd ext = rd_sub(&exts, rd_uint(&exts, 2));
            if (!exts.bad && type == TLS_EXT_SUPPORTED_VERSIONS) {
                version = (uint16_t)rd_uint(&ext, 2);
                if (ext.bad) {
                    snprintf(why, TLS_WHY_MAX,
                             "ServerHello: its supported_versions extension is malformed");
                    return EWDIAG_EFORMAT;
                }
            }
        }
        if (exts.bad) {
            snprintf(why, TLS_WHY_MAX,
                     "ServerHello: its extensions run past the end of its %zu bytes", n);
            return EWDIAG_EFORMAT;
        }
    }
    if (r.bad) {
        snprintf(why, TLS_WHY_MAX, "ServerHello: its fields run past the end of its %zu bytes", n);
        return EWDIAG_EFORMAT;
    }
    if (!t->role_by_tcp && t->client_dir < 0)
        t->client_dir = (int8_t)(1 - dir);
    if (memcmp(random, tls_hrr_random, TLS_RANDOM_LEN) == 0) {
        /* Not the final one: the real ServerHello follows the new ClientHello. */
        in->hrr = true;
        return 0;
    }
    in->server_hello = true;
    in->version = version;
    in->cipher = cipher;
    in->ts_server_hello = ts;
    in->sh_dir = (int8_t)dir;
    return 0;
}

/* Certificate of TLS 1.0-1.2 (RFC 5246 7.4.2): the server's chain. */
static int tls_certificate(ew_tls_conn *t, const ew_cap_env *env, const uint8_t *p, size_t n,
                           int64_t ts, char *why)
{
    ew_tls_info *in = t->info;
    tls_rd r = {p, n, false};
    uint32_t list_len = rd_uint(&r, TLS_LEN24);
    if (r.bad) {
        snprintf(why, TLS_WHY_MAX, "Certificate message of %zu bytes: too short for its "
                                   "certificate list's length", n);
        return EWDIAG_EFORMAT;
    }
    if (list_len != r.n) {
        snprintf(why, TLS_WHY_MAX,
                 "Certificate message: its certificate list says %u bytes, but the message "
                 "(%zu bytes by its handshake header) leaves %zu for it",
                 list_len, n, r.n);
        return EWDIAG_EFORMAT;
    }
    /* First pass: check every length and count what is kept. */
    size_t keep = 0, kept_bytes = 0;
    bool cut = false;
    tls_rd w = r;
    size_t at_cert = 0;
    while (w.n > 0) {
        at_cert++;
        uint32_t len = rd_uint(&w, TLS_LEN24);
        size_t left = w.n;
        if (w.bad) {
            snprintf(why, TLS_WHY_MAX,
                     "Certificate message: the list ends inside the length of certificate %zu",
                     at_cert);
            return EWDIAG_EFORMAT;
        }
        if (!rd_take(&w, len)) {
            snprintf(why, TLS_WHY_MAX,
                     "Certificate message: certificate %zu of the list says %u bytes, but only "
                     "%zu are left in the list",
                     at_cert, len, left);
            return EWDIAG_EFORMAT;
        }
        if (cut)
            continue;
        /* An oversized one ends the kept chain so depths keep their meaning. */
        if (keep == env->lim.max_chain || len > env->lim.max_der) {
            cut = true;
            continue;
        }
        keep++;
        kept_bytes += len;
    }
    uint8_t *certs = ew_malloc(kept_bytes ? kept_bytes : 1);
    if (!certs)
        return EWDIAG_ENOMEM;
    size_t at = 0;
    for (size_t i = 0; i < keep; i++) {
        uint32_t len = rd_uint(&r, TLS_LEN24);
        memcpy(certs + at, rd_take(&r, len), len);
        in->cert_len[i] = len;
        at += len;
    }
    free(in->certs);
    in->certs = certs;
    in->ncerts = keep;
    in->chain_cut = cut;
    in->cert = true;
    in->ts_cert = ts;
    return 0;
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
static int tls_message(ew_tls_conn *t, const ew_cap_env *env, int dir, uint8_t type,
                       const uint8_t *p, size_t n, int64_t ts, char *why)
{
    int rc = 0;
    switch (type) {
    case TLS_HT_CLIENT_HELLO:
        rc = tls_client_hello(t, dir, p, n, ts, why);
        break;
    case TLS_HT_SERVER_HELLO:
        rc = tls_server_hello(t, dir, p, n, ts, why);
        break;
    case TLS_HT_CERTIFICATE:
        rc = tls_certificate(t, env, p, n, ts, why);
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

/* Handshake bytes of a record: messages are cut out of them, in place when
 * one lies whole in p, else through hs_buf. Returns 0 or -1 (memory). */
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
            d->hs_len = (uint32_t)d->hs_hdr[1] << 16 | (uint32_t)d->hs_hdr[2] << 8 | d->hs_hdr[3];
            d->hs_got = 0;
            d->hs_keep = tls_wanted(t, dir, d->hs_hdr[0]);
            /* Only what is kept is bounded: a big CertificateRequest that
             * is skipped costs nothing. */
            if (d->hs_keep && d->hs_len > env->lim.max_handshake) {
                ew_tls_error(d, env, "%s message of %u bytes, more than max-handshake (%zu)",
                          ew_tls_hs_name(d->hs_hdr[0]), d->hs_len, env->lim.max_handshake);
                break;
            }
            if (d->hs_keep && d->hs_len > d->hs_cap) {
                /* Grown once per size; a flight's messages reuse it. */
                uint8_t *nb = ew_realloc(d->hs_buf, d->hs_len);
                if (!nb)
                    return EWDIAG_ENOMEM;
                d->hs_buf = nb;
                d->hs_cap = d->hs_len;
            }
        }
        size_t take = EW_MIN((size_t)(d->hs_len - d->hs_got), n);
        const uint8_t *body = NULL;
        if (d->hs_keep) {
            if (d->hs_got == 0 && take == d->hs_len) {
                body = p;
            } else {
                memcpy(d->hs_buf + d->hs_got, p, take);
                if (d->hs_got + take == d->hs_len)
                    body = d->hs_buf;
            }
        }
        d->hs_got += (uint32_t)take;
        p += take;
        n -= take;
        if (d->hs_got < d->hs_len)
            break;
        if (d->hs_keep) {
            char why[TLS_WHY_MAX] = "";
            int rc = tls_message(t, env, dir, d->hs_hdr[0], body ? body : d->hs_buf, d->hs_len, ts,
                                 why);
            if (rc == EWDIAG_ENOMEM)
                return rc;
            if (rc != 0) {
                ew_tls_error(d, env, "%s", *why ? why : "a handshake message makes no sense");
                break;
            }
        }
        tls_hs_reset(d);
    }
    return 0;
}
