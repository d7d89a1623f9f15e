/* forecast.h - the origin servers of an input (where the traffic server
 * sent requests, and the MRA servers xconf names), each checked offline as
 * X14.2 will check it: the chain of its last full handshake in the capture
 * against the node's trust store, and the name used against the
 * certificate, as of the capture. What would be refused on a node that does
 * not enforce the check yet, and what expires soon, become forecasts:
 * typed results the report turns into findings (report/build.c). */
#ifndef EW_FORECAST_H
#define EW_FORECAST_H

#include "analysis/correlate.h"
#include "core/index.h"
#include "rules/rules.h"
#include "scan/scan.h"

/* Distinct origins remembered per input (node, address, port, name). */
#define EW_MAX_ORIGINS 1024
/* Days before its end from which a certificate is said to expire soon. */
#define EW_DEF_EXPIRY_WINDOW_DAYS 30
/* The rules the forecasts are stated under (rules/<id>.json). */
#define EW_RULE_VERIFY_FORECAST "ts-origin-verify-forecast"
#define EW_RULE_CERT_EXPIRING "ts-origin-cert-expiring"

typedef enum ew_origin_from {
    EW_FROM_REQUEST = 1u, /* Sending Request lines went to it */
    EW_FROM_XCONF = 2u    /* xconf names it (EdgeConfigProvisioning Server) */
} ew_origin_from;

typedef enum ew_origin_state {
    EW_ORIGIN_CHECKED,       /* the chain of its last full handshake was checked */
    EW_ORIGIN_NO_CAPTURE,    /* the input holds no capture */
    EW_ORIGIN_NO_HANDSHAKE,  /* the capture holds no handshake to it */
    EW_ORIGIN_NO_CERTIFICATE /* handshakes, none showing its certificate */
} ew_origin_state;

/* "checked", "no-capture", "no-handshake", "no-certificate". */
const char *ew_origin_state_name(ew_origin_state s);

/* Whether a node enforces the check, and if not, why not. */
typedef enum ew_enforcement {
    EW_ENF_ENFORCED,      /* X14.2 or later, verification on */
    EW_ENF_BEFORE_X14_2,  /* software before X14.2.0 */
    EW_ENF_VERIFY_OFF,    /* EdgeConfigServer VerifyOriginServer: Off */
    EW_ENF_CONTINUE_ONLY, /* only Action=Continue lines */
    EW_ENF_UNKNOWN        /* the bundle does not say (no xstat, no xconf, no line) */
} ew_enforcement;

/* "enforced", "before-x14.2", "verify-off", "continue-only", "unknown". */
const char *ew_enforcement_name(ew_enforcement e);

/* Where a node's forecasts stand in a report: "before-upgrade" (software
 * before X14.2.0), "before-verification" (check off, permissive or not
 * known), "before-expiry" (check enforced: expiring certificates only). */
const char *ew_forecast_section(ew_enforcement e);

typedef enum ew_expiry {
    EW_EXPIRY_NONE,
    EW_EXPIRY_SOON,   /* within the window after the capture */
    EW_EXPIRY_EXPIRED /* already at the capture */
} ew_expiry;

/* "none", "expiring", "expired". */
const char *ew_expiry_name(ew_expiry e);

/* A certificate ending at not_after, seen at `at`: expired when at is past
 * it, expiring when not_after is at most window after at; *days_left the
 * whole days from at to not_after, rounded toward minus infinity. */
ew_expiry ew_expiry_at(int64_t not_after, int64_t at, int64_t window, long long *days_left);

/* An origin server and what checking it says. */
typedef struct ewdiag_origin {
    char *node;
    char *name;    /* the name requests used (the MRA target's host); "" unknown */
    char *address; /* "" when no request nor handshake gave one */
    unsigned port; /* 0 likewise */
    char *type;    /* xconf's type ("UnifiedCM"...); NULL when xconf does not name it */
    unsigned from; /* ew_origin_from bits */
    uint64_t requests;
    int64_t first_seen, last_seen; /* of its requests; 0 when none */
    ew_enforcement enforcement;    /* its node's */
    ew_origin_state state;
    ew_join join;     /* the handshake checked (state CHECKED) */
    bool trust_known; /* a trust store was there to verify against */
    bool untrusted;   /* the chain does not verify to the store */
    bool misnamed;    /* the name used is not a DNS SAN nor the CN */
    ew_expiry expiry;
    int64_t not_after;   /* the leaf's end of validity; 0 when not checked */
    long long days_left; /* whole days from the capture to not_after (negative: expired) */
} ew_origin_srv;

typedef struct ew_origins {
    ew_origin_srv **v;
    size_t n, cap;
    ew_index index; /* v by (node, address, port, name); until ew_forecast_run sorts v */
    uint64_t dropped; /* beyond EW_MAX_ORIGINS */
} ew_origins;

/* One request sent to an origin, while the input is read. 0, or
 * EWDIAG_ENOMEM. */
int ew_origins_request(ew_origins *os, const ew_origin_request *r);
void ew_origin_free(ew_origin_srv *o);
void ew_origins_free(ew_origins *os);
/* Hands the origins over to *v, *n (the caller frees each and the array)
 * and leaves os empty. */
void ew_origins_take(ew_origins *os, ew_origin_srv ***v, size_t *n);

/* What a forecast finding says beyond its rule. */
typedef struct ew_forecast_info {
    bool is;                    /* the finding is a forecast */
    ew_enforcement enforcement; /* why the node does not refuse it yet */
    bool untrusted, misnamed;   /* what would fail (verify forecast) */
    ew_expiry expiry;           /* cert-expiring forecast */
    int64_t not_after;
    long long days_left;
} ew_forecast_info;

/* A forecast: a finding of a forecast rule, with a group made for it (one
 * node, server, address and port) and the handshake it was checked on. */
typedef struct ew_forecast {
    const ew_rule *rule;
    const ew_rule *fixes[EW_MAX_FIXES_FROM]; /* the failure rules whose fixes apply */
    size_t nfixes;
    int severity;
    ew_group *g;
    ew_join join;
    ew_forecast_info info;
} ew_forecast;

typedef struct ew_forecasts {
    ew_forecast *v;
    size_t n, cap;
} ew_forecasts;

void ew_forecasts_free(ew_forecasts *fs);

/* What the forecast reads, once the input is read. */
typedef struct ew_forecast_in {
    const ew_ruleset *rules; /* where the forecast rules are; NULL: none */
    const ew_nodes *nodes;
    const ew_trusts *trusts;
    const ew_groups *groups;
    const ew_inventory *inv;
    const ew_hs_by *by; /* inv's index */
    size_t captures;
    int64_t window_us; /* expiry window */
} ew_forecast_in;

/* Completes the origins with the servers xconf names, checks each, and
 * states the forecasts. 0, or EWDIAG_ENOMEM. */
int ew_forecast_run(ew_origins *os, const ew_forecast_in *in, ew_forecasts *out);

#endif /* EW_FORECAST_H */
