/* correlate.h - each group joined to the TLS handshake that failed: what
 * the capture showed of its server (a view), and what that says, as facts
 * (rules/facts.h) whose wording is data. */
#ifndef EW_CORRELATE_H
#define EW_CORRELATE_H

#include "analysis/group.h"
#include "analysis/hs_index.h"
#include "analysis/inventory.h"
#include "capture/names.h"
#include "rules/facts.h"
#include "scan/scan.h"

typedef enum ew_capture_match {
    EW_CAPTURE_NONE,      /* the input had no capture */
    EW_CAPTURE_NO_HS,     /* no handshake to that server near the failures */
    EW_CAPTURE_MATCHED    /* a handshake close in time: below */
} ew_capture_match;

/* "matched", "no-handshake", "no-capture". */
const char *ew_capture_match_name(ew_capture_match m);

typedef struct ew_tls_view {
    ew_capture_match match;
    int64_t ts;           /* the handshake's time */
    unsigned port;
    uint16_t version, cipher;
    char version_name[EW_TLS_NAME_MAX]; /* "" when version is 0 */
    char cipher_name[EW_TLS_NAME_MAX];  /* "" when cipher is 0 */
    char *sni;            /* NULL: none sent */
    int alert;            /* -1 none */
    bool alert_by_client;
    int cert_state;       /* ew_cert_state of that handshake */
    const ew_chain *chain; /* the chain presented there or, when hidden, at the
                              last full handshake before; owned by the servers */
    bool chain_earlier;   /* chain comes from an earlier full handshake */
    bool verified;        /* a trust store was there: verdict below */
    ew_verdict verdict;
    char *trust_path;     /* the ca_ file used */
    char *name;           /* the name checked against the certificate */
    int name_match;       /* ew_name_match, -1 when not checked */
} ew_tls_view;

/* What correlation says of one group. */
typedef struct ew_join {
    ew_tls_view tls;
    ew_fact facts[EW_MAX_EXPLANATIONS];
    size_t nfacts;
} ew_join;

void ew_join_init(ew_join *j);
void ew_join_free(ew_join *j);

/* States a fact of code with its parameters (const char *, as many as the
 * code has), unless j holds as many as a finding keeps. 0, or
 * EWDIAG_ENOMEM. */
int ew_join_state(ew_join *j, ew_fact_code code, ...);

/* Joins j (initialised) to the handshake r of the inventory: its view, the
 * chain's trust against node's store as of r, and whether name (NULL or
 * "": not checked) passes the name check; with the facts that follow. 0,
 * or EWDIAG_ENOMEM. */
int ew_join_handshake(ew_join *j, const char *node, const char *name, const ew_inventory *inv,
                      const ew_hs_by *by, const ew_hs_rec *r, const ew_trusts *ts);

/* Joins each group of gs to the inventory's handshakes; joins[i] is
 * groups->v[i]'s (n of them, initialised by the caller). captures: the
 * input's capture files; window: microseconds around the warnings. 0, or
 * EWDIAG_ENOMEM. */
int ew_correlate(const ew_groups *gs, const ew_inventory *inv, const ew_hs_by *by,
                 const ew_trusts *trusts, size_t captures, int64_t window, ew_join *joins);

#endif /* EW_CORRELATE_H */
