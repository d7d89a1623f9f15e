/* inventory.h - the TLS servers of a capture: every distinct chain each
 * presented, counted; and a bounded log of handshakes for correlation. */
#ifndef EW_INVENTORY_H
#define EW_INVENTORY_H

#include "capture/capture.h"
#include "report/report.h"
#include "x509/x509.h"

#define EW_NO_CHAIN (-1)
#define EW_NO_SNI 0xffu

/* One handshake, as much as correlation needs. */
typedef struct ew_hs_rec {
    uint32_t server;  /* index in the input's tls_servers */
    int32_t chain;    /* index in that server's chains, or EW_NO_CHAIN */
    int64_t ts;       /* when the certificate came (else hello, else start) */
    uint16_t version;
    uint16_t cipher;
    int16_t alert;    /* -1 none */
    bool alert_by_client;
    uint8_t state;    /* ew_cert_state */
    uint8_t sni;      /* index in the server's snis, or EW_NO_SNI */
} ew_hs_rec;

typedef struct ew_inventory {
    ewdiag_input *input;
    ew_hs_rec *recs;
    size_t n, cap;
    size_t max;         /* handshakes remembered for correlation */
    uint64_t forgotten; /* beyond max: counted in the inventory, not correlated */
    int err;            /* first fatal error (out of memory) */
    /* Where a certificate that cannot be read is told (scan.c sets them):
     * the report, and the capture file being read (the last one once the
     * capture has ended; owned by the input). NULL report: not told. */
    ewdiag_report *report;
    const char *entry;
    /* The capture's counters already told as warnings, file by file (scan.c). */
    ew_capture_stats told;
} ew_inventory;

void ew_inventory_init(ew_inventory *inv, ewdiag_input *input, size_t max);
/* The capture reader's callback (ctx is the inventory). */
int ew_inventory_add(void *ctx, const ew_tls_hs *hs);
void ew_inventory_free(ew_inventory *inv);

#endif /* EW_INVENTORY_H */
