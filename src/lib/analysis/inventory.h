/* inventory.h - the TLS servers of an input's captures: every distinct
 * chain each presented, parsed once and counted; and a bounded log of
 * handshakes that correlation reads. */
#ifndef EW_INVENTORY_H
#define EW_INVENTORY_H

#include "capture/capture.h"
#include "core/index.h"
#include "core/limits.h"
#include "core/timeline.h"
#include "core/warn.h"
#include "x509/x509.h"

#define EW_NO_CHAIN (-1)
#define EW_NO_SNI 0xffu

/* A distinct certificate chain a server presented, as parsed. */
typedef struct ewdiag_chain {
    ew_cert_info *certs; /* leaf first, those that parsed */
    size_t ncerts;
    unsigned char **der; /* every certificate as presented, for verification */
    size_t *der_len;
    size_t nder;
    char *error;         /* why a certificate could not be parsed; NULL */
    bool cut;            /* longer than kept */
    uint64_t seen;       /* Certificate messages that carried it */
    int64_t first_seen, last_seen;
} ew_chain; /* identity: der, byte for byte */

/* A TLS server of the capture (address and port). */
typedef struct ewdiag_tls_server {
    char *address;
    unsigned port;
    uint64_t handshakes;
    uint64_t certificate_messages;
    uint64_t tls13, resumed, cut, unseen; /* handshakes whose certificate was hidden */
    uint64_t alerts;                      /* handshakes with a plaintext alert, either side */
    ew_chain **chains;
    size_t nchains, cchains;
    char *snis[EW_MAX_SNIS]; /* distinct SNI values sent */
    size_t nsnis;
    ew_timeline times; /* of its handshakes */
} ew_tls_server;

void ew_chain_free(ew_chain *c);
void ew_tls_server_free(ew_tls_server *s);

/* One handshake, as much as correlation needs. */
typedef struct ew_hs_rec {
    uint32_t server;  /* index in servers */
    int32_t chain;    /* index in that server's chains, or EW_NO_CHAIN */
    int64_t ts;       /* when the certificate came (else hello, else start) */
    uint16_t version;
    uint16_t cipher;
    int16_t alert;    /* -1 none */
    bool alert_by_client;
    uint8_t state;    /* ew_cert_state */
    uint8_t sni;      /* index in the server's snis, or EW_NO_SNI */
} ew_hs_rec;

/* What the inventory keeps at most (max-handshakes, max-tls-servers,
 * max-chain-bytes). */
typedef struct ew_inventory_limits {
    size_t handshakes; /* remembered for correlation */
    size_t servers;
    size_t chain_bytes; /* DER of the distinct chains, all servers */
} ew_inventory_limits;

typedef struct ew_inventory {
    ew_tls_server **servers;
    size_t nservers, cservers;
    ew_index index; /* servers by (address, port) */
    ew_hs_rec *recs;
    size_t n, cap;
    ew_inventory_limits lim;
    uint64_t forgotten; /* beyond max: counted in the inventory, not correlated */
    uint64_t dropped_servers; /* handshakes to servers beyond lim.servers */
    uint64_t dropped_chains;  /* chains not kept, beyond lim.chain_bytes */
    size_t chain_bytes;       /* DER held by the chains */
    /* Where what a chain shows (unreadable, cut) is told: the warnings,
     * about the capture file being read. */
    ew_warnings *warn;
    const char *input;
    const char *entry;
} ew_inventory;

void ew_inventory_init(ew_inventory *inv, const ew_inventory_limits *lim, ew_warnings *warn,
                       const char *input);
/* The capture reader's callback (ctx is the inventory): 0, or EWDIAG_ENOMEM. */
int ew_inventory_add(void *ctx, const ew_tls_hs *hs);
/* Moves the servers out into *servers (n in *n). */
void ew_inventory_take(ew_inventory *inv, ew_tls_server ***servers, size_t *n);
void ew_inventory_free(ew_inventory *inv);
/* The index in servers of the server (address, port), or -1. */
long long ew_inventory_find(const ew_inventory *inv, const char *address, unsigned port);

#endif /* EW_INVENTORY_H */
