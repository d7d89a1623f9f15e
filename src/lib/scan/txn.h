/* txn.h - traffic_server transactions (Txn-id lines) and MRA URL decoding. */
#ifndef EW_TXN_H
#define EW_TXN_H

#include "core/ew.h"
#include "core/limits.h"

#define EW_TXN_ID_MAX 24
#define EW_TXN_PID_MAX 16
#define EW_TXN_IP_MAX 48
#define EW_TXN_URL_MAX 384
#define EW_MRA_MAX 256

typedef struct ew_txn {
    uint32_t gen; /* in use when equal to the table's gen */
    uint8_t pid_len, id_len; /* compared before the bytes */
    uint16_t url_len;
    char pid[EW_TXN_PID_MAX];
    char id[EW_TXN_ID_MAX];
    char dst_ip[EW_TXN_IP_MAX];
    unsigned dst_port;
    char url[EW_TXN_URL_MAX]; /* client URL, cut to fit; "" if not seen */
} ew_txn;

_Static_assert(EW_TXN_URL_MAX <= UINT16_MAX && EW_TXN_ID_MAX <= UINT8_MAX &&
                   EW_TXN_PID_MAX <= UINT8_MAX,
               "an ew_txn's lengths fit their fields");

/* The MRA hosts decoded last, by URL head ("scheme://host:port/SEGMENT"):
 * a node's requests go to a few servers, and decoding is per byte. */
#define EW_MRA_CACHE 8
typedef struct ew_mra_cache {
    struct {
        size_t keylen; /* 0: empty */
        char key[EW_TXN_URL_MAX];
        char host[EW_MRA_MAX];
    } e[EW_MRA_CACHE];
    size_t next; /* the entry to replace next */
    size_t last; /* the entry found or filled last */
} ew_mra_cache;

/* The transactions of one log, direct-mapped by (pid, id): bounded memory;
 * a collision forgets the older transaction, which only loses context. */
typedef struct ew_txns {
    uint32_t gen; /* bumped to forget every slot at once */
    ew_txn slots[EW_TXN_SLOTS];
    ew_mra_cache hosts; /* content-addressed: never needs forgetting */
} ew_txns;

void ew_txns_reset(ew_txns *t);
/* The slot for (pid, id); with create, claimed (and cleared) if it held
 * another transaction. NULL if absent and not created. */
ew_txn *ew_txns_get(ew_txns *t, ew_span pid, ew_span id, bool create);
void ew_txns_drop(ew_txn *x);
/* Makes a table of indeterminate content usable (once, after allocation). */
void ew_txns_init(ew_txns *t);

/* Copies span s into dst of size cap, cut to fit, NUL-terminated; returns
 * the length copied. */
size_t ew_copy_span(char *dst, size_t cap, ew_span s);

/*
 * Decodes the first path segment of an MRA URL ("http://host:port/SEG/...")
 * as unpadded base64url into "domain/protocol/host/port". Returns 0 and
 * writes out (NUL-terminated) when it decodes to printable text with at
 * least three '/'; -1 otherwise.
 */
int ew_mra_decode(const char *url, size_t n, char *out, size_t outsz);

/* The host of a decoded MRA target ("domain/protocol/HOST/port") into out
 * (NUL-terminated, cut to fit). 0, or -1 when it has no host field. */
int ew_mra_host(const char *mra, char *out, size_t outsz);

/* The host of MRA URL url[0..n) (see ew_mra_decode, ew_mra_host), "" when
 * it names none; from c when its head was decoded lately. Valid until the
 * next call. */
const char *ew_mra_host_cached(ew_mra_cache *c, const char *url, size_t n);

#endif /* EW_TXN_H */
