/* tls.c - TLS records and handshake messages of one connection, read from
 * each direction's in-order bytes as they come: hellos, the server's chain,
 * the first plaintext alert. Parses in place; only a handshake message that
 * straddles records or segments is copied, and only if we read it. */
#include "capture/capture_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Record layer (RFC 5246 6.2, RFC 8446 5.1). */
#define TLS_REC_HDR 5
#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPLICATION_DATA 23
#define TLS_CT_HEARTBEAT 24
#define TLS_VERSION_MAJOR 3
/* Largest TLSCiphertext fragment: 2^14 plus the expansion allowed. */
#define TLS_REC_MAX (16384u + 2048u)

/* Handshake layer. */
#define TLS_HS_HDR 4
#define TLS_HT_CLIENT_HELLO 1
#define TLS_HT_SERVER_HELLO 2
#define TLS_HT_CERTIFICATE 11
#define TLS_HS_LEN_MAX 0xffffffu /* 24-bit length field */
#define TLS_RANDOM_LEN 32
#define TLS_LEN24 3

/* Extensions. */
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_SNI_HOST_NAME 0

#define TLS_V1_3 0x0304u
/* GREASE values (RFC 8701) look like 0x?A?A with equal bytes. */
#define TLS_GREASE_MASK 0x0f0fu
#define TLS_GREASE_BITS 0x0a0au

#define TLS_ALERT_LEN 2
#define TLS_ALERT_FATAL 2

/* Printable ASCII: what an SNI host name is made of. */
#define TLS_PRINT_MIN 0x21
#define TLS_PRINT_MAX 0x7e

/* A ServerHello with this random is a HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t tls_hrr_random[TLS_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

typedef enum ew_tls_dir_state {
    DS_START, /* no full record header yet: TLS or not is still open */
    DS_TLS,   /* reading plaintext records */
    DS_DONE   /* encrypted from here, not TLS, nonsense, or ended */
} ew_tls_dir_state;

struct ew_tls_info {
    int64_t ts_hello, ts_server_hello, ts_cert;
    uint16_t client_version, offered_max, version, cipher;
    bool client_hello, server_hello, hrr, cert, resumed, chain_cut;
    int8_t hello_dir; /* who sent the ClientHello, -1 */
    int8_t sh_dir;    /* who sent the ServerHello, -1 */
    int8_t alert_dir;
    uint8_t alert_level;
    int alert;
    char sni[EW_SNI_MAX];
    size_t ncerts;
    size_t cert_len[EW_MAX_CHAIN_HARD];
    uint8_t *certs; /* the kept DER, one after the other */
};

/* A bounded reader over a message: any read past the end sets bad. */
typedef struct tls_rd {
    const uint8_t *p;
    size_t n;
    bool bad;
} tls_rd;

static const uint8_t *rd_take(tls_rd *r, size_t n)
{
    if (r->bad || n > r->n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->n -= n;
    return p;
}

static uint32_t rd_uint(tls_rd *r, size_t bytes)
{
    const uint8_t *p = rd_take(r, bytes);
    uint32_t v = 0;
    for (size_t i = 0; p && i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* The next n bytes as a reader of their own. */
static tls_rd rd_sub(tls_rd *r, size_t n)
{
    tls_rd s = {NULL, 0, false};
    s.p = rd_take(r, n);
    s.n = s.p ? n : 0;
    s.bad = s.p == NULL;
    return s;
}

static bool tls_is_grease(uint16_t v)
{
    return (v & TLS_GREASE_MASK) == TLS_GREASE_BITS && (v >> 8) == (v & 0xffu);
}

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
        return -1;
    in->hello_dir = in->sh_dir = in->alert_dir = -1;
    in->alert = -1;
    t->info = in;
    return 0;
}

static void tls_dir_close(ew_tls_dir *d)
{
    d->state = DS_DONE;
    free(d->hs_buf);
    d->hs_buf = NULL;
    d->hs_cap = 0;
}

static void tls_error(ew_tls_dir *d, ew_cap_env *env, const char *fmt, ...) EW_PRINTF(3, 4);

/* Framing that makes no sense: this direction says no more. The first one
 * is told, with its connection. */
static void tls_error(ew_tls_dir *d, ew_cap_env *env, const char *fmt, ...)
{
    env->st.tls_errors++;
    d->cut = true;
    tls_dir_close(d);
    if (*env->st.why_tls)
        return;
    char what[EW_CAP_WHY_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ew_cap_why_conn(env, env->st.why_tls, true, "TLS", "%s: its TLS parsing stopped there", what);
}

/* Handshake message names, for messages. */
static const char *tls_hs_name(uint8_t type)
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

static bool tls_v13(const ew_tls_info *in)
{
    return in->server_hello && in->version >= TLS_V1_3;
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

/* The parsers below return -1 with why set when the message makes no sense. */
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
                return -1;
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
                    return -1;
                }
                if (max)
                    offered = max;
            }
        }
        if (exts.bad) {
            snprintf(why, TLS_WHY_MAX,
                     "ClientHello: its extensions run past the end of its %zu bytes", n);
            return -1;
        }
    }
    if (r.bad) {
        snprintf(why, TLS_WHY_MAX, "ClientHello: its fields run past the end of its %zu bytes", n);
        return -1;
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
                    return -1;
                }
            }
        }
        if (exts.bad) {
            snprintf(why, TLS_WHY_MAX,
                     "ServerHello: its extensions run past the end of its %zu bytes", n);
            return -1;
        }
    }
    if (r.bad) {
        snprintf(why, TLS_WHY_MAX, "ServerHello: its fields run past the end of its %zu bytes", n);
        return -1;
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
        return -1;
    }
    if (list_len != r.n) {
        snprintf(why, TLS_WHY_MAX,
                 "Certificate message: its certificate list says %u bytes, but the message "
                 "(%zu bytes by its handshake header) leaves %zu for it",
                 list_len, n, r.n);
        return -1;
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
            return -1;
        }
        if (!rd_take(&w, len)) {
            snprintf(why, TLS_WHY_MAX,
                     "Certificate message: certificate %zu of the list says %u bytes, but only "
                     "%zu are left in the list",
                     at_cert, len, left);
            return -1;
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
        return -2;
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

/* A whole message. Returns 0, 1 when its content makes no sense, -1 when
 * out of memory. */
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
    return rc == -2 ? -1 : rc == -1 ? 1 : 0;
}

static void tls_hs_reset(ew_tls_dir *d)
{
    d->hs_hdr_len = 0;
    d->hs_len = d->hs_got = 0;
    d->hs_keep = false;
}

/* Handshake bytes of a record: messages are cut out of them, in place when
 * one lies whole in p, else through hs_buf. Returns 0 or -1 (memory). */
static int tls_handshake(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
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
                tls_error(d, env, "%s message of %u bytes, more than max-handshake (%zu)",
                          tls_hs_name(d->hs_hdr[0]), d->hs_len, env->lim.max_handshake);
                break;
            }
            if (d->hs_keep && d->hs_len > d->hs_cap) {
                /* Grown once per size; a flight's messages reuse it. */
                uint8_t *nb = ew_realloc(d->hs_buf, d->hs_len);
                if (!nb)
                    return -1;
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
            if (rc < 0)
                return -1;
            if (rc > 0) {
                tls_error(d, env, "%s", *why ? why : "a handshake message makes no sense");
                break;
            }
        }
        tls_hs_reset(d);
    }
    return 0;
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
        tls_dir_close(d);
}

static bool tls_header_sane(const uint8_t *h, bool first)
{
    uint8_t type = h[0];
    uint8_t max_type = first ? TLS_CT_APPLICATION_DATA : TLS_CT_HEARTBEAT;
    uint32_t len = (uint32_t)h[3] << 8 | h[4];
    return type >= TLS_CT_CHANGE_CIPHER_SPEC && type <= max_type && h[1] == TLS_VERSION_MAJOR &&
           len <= TLS_REC_MAX;
}

/* A full record header was read. Returns 0 or -1 (memory). */
static int tls_record_begin(ew_tls_conn *t, ew_cap_env *env, int dir)
{
    ew_tls_dir *d = &t->d[dir];
    bool first = d->state == DS_START;
    if (!tls_header_sane(d->rec_hdr, first)) {
        if (first)
            tls_dir_close(d); /* not TLS: nothing to say about it */
        else
            tls_error(d, env,
                      "a record header makes no sense (content type %u, version %u.%u, "
                      "length %u; at most %u)",
                      d->rec_hdr[0], d->rec_hdr[1], d->rec_hdr[2],
                      (unsigned)d->rec_hdr[3] << 8 | d->rec_hdr[4], TLS_REC_MAX);
        return 0;
    }
    if (first) {
        if (tls_info_new(t) != 0)
            return -1;
        d->state = DS_TLS;
    }
    d->rec_type = d->rec_hdr[0];
    d->rec_left = (uint32_t)d->rec_hdr[3] << 8 | d->rec_hdr[4];
    d->alert_len = 0;
    /* Only handshake records may continue a message that is not whole. */
    if (d->rec_type != TLS_CT_HANDSHAKE && d->hs_hdr_len > 0) {
        tls_error(d, env, "%s %s record came before the %s message it interrupts was whole",
                  tls_ct_article(d->rec_type), tls_ct_name(d->rec_type),
                  d->hs_hdr_len == TLS_HS_HDR ? tls_hs_name(d->hs_hdr[0]) : "handshake");
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
        tls_dir_close(d);
        break;
    case TLS_CT_APPLICATION_DATA:
        tls_dir_close(d);
        break;
    case TLS_CT_ALERT:
        if (d->rec_left < TLS_ALERT_LEN)
            tls_error(d, env, "an alert record of %u byte%s, less than an alert's 2", d->rec_left,
                      d->rec_left == 1 ? "" : "s");
        break;
    default:
        break;
    }
    return 0;
}

/* Part of the current record's body. Returns 0 or -1 (memory). */
static int tls_record_body(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                           int64_t ts)
{
    ew_tls_dir *d = &t->d[dir];
    if (d->rec_type == TLS_CT_HANDSHAKE)
        return tls_handshake(t, env, dir, p, n, ts);
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
                    tls_dir_close(d);
                break;
            }
            if (tls_record_begin(t, env, dir) != 0)
                return -1;
        } else {
            size_t take = EW_MIN((size_t)d->rec_left, n);
            if (tls_record_body(t, env, dir, p, take, ts) != 0)
                return -1;
            p += take;
            n -= take;
            d->rec_left -= (uint32_t)take;
        }
        if (d->state == DS_TLS && d->rec_hdr_len == TLS_REC_HDR && d->rec_left == 0) {
            if (d->rec_type == TLS_CT_ALERT && d->alert_len < TLS_ALERT_LEN)
                tls_error(d, env, "an empty alert record");
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
                     tls_hs_name(d->hs_hdr[0]), d->hs_got, d->hs_len);
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
    tls_dir_close(d);
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
