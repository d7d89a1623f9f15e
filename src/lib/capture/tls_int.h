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
/* Largest TLSPlaintext fragment, and the ciphertext's: 2^14 plus the
 * expansion allowed. */
#define TLS_PLAINTEXT_MAX 16384u
/* A max-flow-bytes advised in a message is rounded up to this. */
#define TLS_RAISE_ROUND (64u * 1024u)
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
/* TLS 1.3 drafts 16-28 as their hellos name them (0x7f00 | draft), and the
 * two Facebook variants of drafts 23 and 26 seen in old captures. */
#define TLS_DRAFT_HI 0x7fu
#define TLS_DRAFT_MIN 16u
#define TLS_DRAFT_MAX 28u
#define TLS_FB_DRAFT23 0xfb17u
#define TLS_FB_DRAFT26 0xfb1au
/* GREASE values (RFC 8701) look like 0x?A?A with equal bytes. */
#define TLS_GREASE_MASK 0x0f0fu
#define TLS_GREASE_BITS 0x0a0au

#define TLS_ALERT_LEN 2
#define TLS_ALERT_FATAL 2

/* Printable ASCII: what an SNI host name is made of. */
#define TLS_PRINT_MIN 0x21
#define TLS_PRINT_MAX 0x7e

typedef enum ew_tls_dir_state {
    DS_START,  /* no full record header yet: TLS or not is still open */
    DS_SEARCH, /* not TLS at its start: looking for the first record header */
    DS_TLS,    /* reading plaintext records */
    DS_DONE    /* encrypted from here, not TLS, nonsense, or ended */
} ew_tls_dir_state;

/* How far into a direction its first record header is looked for (a
 * STARTTLS exchange, a proxy's CONNECT, or a capture that begins inside a
 * handshake flight all fit). */
#define TLS_SEARCH_MAX (64u * 1024u)

/* The server's Certificate message, read as it comes (never held whole):
 * only the certificates kept are copied, once, into the chain. */
typedef struct ew_tls_certrd {
    uint8_t len[TLS_LEN24]; /* a length field being read */
    uint8_t len_got;
    bool list;              /* the list's length was read */
    bool body;              /* inside a certificate */
    bool keep;              /* and it is kept */
    uint32_t list_left;     /* list bytes still to come */
    uint32_t cert_left;     /* bytes of the current certificate still to come */
    size_t at, cap;         /* kept bytes, and room for them */
    size_t index;           /* certificates begun */
} ew_tls_certrd;

struct ew_tls_info {
    int64_t ts_hello, ts_server_hello, ts_cert;
    uint16_t client_version, offered_max, version, cipher;
    bool client_hello, server_hello, hrr, cert, resumed, chain_cut;
    uint8_t draft;    /* TLS 1.3 draft the ServerHello named, 0 */
    int8_t hello_dir; /* who sent the ClientHello, -1 */
    int8_t sh_dir;    /* who sent the ServerHello, -1 */
    int8_t alert_dir;
    uint8_t alert_level;
    int alert;
    char sni[EW_SNI_MAX];
    size_t ncerts;
    size_t cert_len[EW_MAX_CHAIN_HARD];
    uint8_t *certs; /* the kept DER, one after the other */
    ew_tls_certrd crd;
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

/* A version as hellos name it, with a TLS 1.3 draft read as 0x0304 (its
 * number in *draft when draft is not NULL). */
uint16_t ew_tls_version_norm(uint16_t v, uint8_t *draft);

/* tls.c: bytes of a direction in DS_SEARCH. Sets *used to the bytes
 * of p before the first record header found (the direction is then in
 * DS_TLS, and what a cut header held before p was given already), or to n.
 * 0, or EWDIAG_ENOMEM. */
int ew_tls_search(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                  int64_t ts, size_t *used);
/* Starts the search with the bytes of a record header that was not one. */
void ew_tls_search_from(ew_tls_dir *d, const uint8_t *h, size_t n);
/* The connection's TLS facts, allocated when TLS is first seen. */
int ew_tls_info_new(ew_tls_conn *t);

/* tls_hs.c: the server's Certificate message (TLS 1.0-1.2), its body in
 * pieces. Returns 0; EWDIAG_EFORMAT with why (TLS_WHY_MAX bytes) set;
 * EWDIAG_ENOMEM. */
#define TLS_WHY_MAX 160
int ew_tls_cert_begin(ew_tls_conn *t, uint32_t hs_len, char *why);
int ew_tls_cert_bytes(ew_tls_conn *t, ew_cap_env *env, const uint8_t *p, size_t n, char *why);
/* The whole message came at ts. */
void ew_tls_cert_end(ew_tls_conn *t, int dir, int64_t ts);

/* tls_hs.c: handshake bytes of the current record of dir (reassembling
 * messages across records and segments). 0, or EWDIAG_ENOMEM. */
int ew_tls_handshake(ew_tls_conn *t, ew_cap_env *env, int dir, const uint8_t *p, size_t n,
                     int64_t ts);
/* A handshake message's name ("ServerHello"), for messages. */
const char *ew_tls_hs_name(uint8_t type);

#endif /* EW_TLS_INT_H */
