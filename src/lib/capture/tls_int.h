/* tls_int.h - what the two halves of the TLS reader share: tls.c reads
 * records and their framing, tls_hs.c the handshake messages inside. */
#ifndef EW_TLS_INT_H
#define EW_TLS_INT_H

#include "capture/capture_int.h"

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

static inline const uint8_t *rd_take(tls_rd *r, size_t n)
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

static inline uint32_t rd_uint(tls_rd *r, size_t bytes)
{
    const uint8_t *p = rd_take(r, bytes);
    uint32_t v = 0;
    for (size_t i = 0; p && i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* The next n bytes as a reader of their own. */
static inline tls_rd rd_sub(tls_rd *r, size_t n)
{
    tls_rd s = {NULL, 0, false};
    s.p = rd_take(r, n);
    s.n = s.p ? n : 0;
    s.bad = s.p == NULL;
    return s;
}

static inline bool tls_is_grease(uint16_t v)
{
    return (v & TLS_GREASE_MASK) == TLS_GREASE_BITS && (v >> 8) == (v & 0xffu);
}

static inline bool tls_v13(const ew_tls_info *in)
{
    return in->server_hello && in->version >= TLS_V1_3;
}

/* tls.c: framing that makes no sense ends the direction (counted, the
 * first one said); a direction that says no more. */
void ew_tls_error(ew_tls_dir *d, ew_cap_env *env, const char *fmt, ...) EW_PRINTF(3, 4);
void ew_tls_dir_close(ew_tls_dir *d);

/* tls_hs.c: handshake bytes of the current record of dir (reassembling
 * messages across records and segments). 0, or EWDIAG_ENOMEM. */
int ew_tls_handshake(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                     int64_t ts);
/* A handshake message's name ("ServerHello"), for messages. */
const char *ew_tls_hs_name(uint8_t type);

#endif /* EW_TLS_INT_H */
