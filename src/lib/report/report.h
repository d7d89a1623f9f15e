/* report.h - the report model: inputs, entries, findings, warnings.
 * Everything here is owned by the report and outlives the analyzer. */
#ifndef EW_REPORT_H
#define EW_REPORT_H

#include <ewdiag.h>

#include "core/ew.h"
#include "core/limits.h"
#include "capture/names.h"
#include "core/ring.h"
#include "core/timeline.h"
#include "x509/x509.h"

struct ewdiag_entry {
    char *path;
    const char *role;   /* static string */
    const char *status; /* static string: scanned, skipped, failed */
    char *reason;       /* NULL if none */
    uint64_t size;
    uint64_t lines;
};

typedef struct ew_node {
    char *name;
    char *version;       /* NULL if unknown */
    char *verify_origin; /* xconf EdgeConfigServer VerifyOriginServer, NULL if unknown */
} ew_node;

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
    unsigned char digest[32]; /* SHA-256 over the DERs: identity */
} ew_chain;


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

/* The trust store of a node (ca_<host>_<ts>.pem). */
typedef struct ew_trust_file {
    char *node;
    char *path;
    size_t ncerts;
    ew_trust *trust;
} ew_trust_file;

struct ewdiag_input {
    char *name;
    ewdiag_input_status status;
    char *error; /* NULL if none */
    uint64_t bytes;
    ewdiag_entry **entries;
    size_t nentries, centries;
    ew_node *nodes;
    size_t nnodes, cnodes;
    size_t captures;     /* capture files read */
    ew_tls_server **tls_servers;
    size_t ntls_servers, ctls_servers;
    ew_trust_file *trust_files;
    size_t ntrust_files, ctrust_files;
};


typedef struct ew_variant {
    char *error;
    int depth;
    uint64_t count;
} ew_variant;

typedef struct ew_url {
    char *url;
    char *mra; /* decoded MRA segment "domain/protocol/host/port", NULL if none */
} ew_url;

/* What the capture says of a finding's server. */
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
    char cipher_name[EW_TLS_NAME_MAX]; /* "" when cipher is 0 */
    char *sni;            /* NULL: none sent */
    int alert;            /* -1 none */
    bool alert_by_client;
    int cert_state;       /* ew_cert_state of that handshake */
    const ew_chain *chain; /* the chain presented there or, when hidden, at the
                              last full handshake before; owned by the input */
    bool chain_earlier;   /* chain comes from an earlier full handshake */
    bool verified;        /* a trust store was there: verdict below */
    ew_verdict verdict;
    char *trust_path;     /* the ca_ file used */
    char *name;           /* the name checked against the certificate */
    int name_match;       /* ew_name_match, -1 when not checked */
} ew_tls_view;

struct ewdiag_finding {
    char *key; /* group key, for lookup while the input is analyzed */
    /* copied from the rule, so the report outlives the analyzer */
    char *rule, *title, *category, *description, *condition, *workaround;
    char **actions;
    size_t nactions;
    char **defects;
    size_t ndefects;
    ewdiag_severity severity;
    char *input, *node, *server, *address, *target, *error;
    int enforced; /* 1, 0, -1 unknown */
    int depth;    /* -1 unknown */
    uint64_t count;
    uint64_t requests;
    int64_t first_seen, last_seen;
    ew_ring evidence; /* lines of the finding's own events */
    ew_ring related;  /* lines attached to it: errors, responses */
    char *explanations[EW_MAX_EXPLANATIONS];
    size_t nexplanations;
    ew_variant variants[EW_MAX_VARIANTS];
    size_t nvariants;
    unsigned ports[EW_MAX_PORTS];
    size_t nports;
    ew_url urls[EW_MAX_URLS];
    size_t nurls;
    ew_tls_view tls;
    ew_timeline event_times;
    ew_timeline request_times;
};

struct ewdiag_warning {
    char *input;
    char *entry; /* NULL if about the whole input */
    const char *code; /* static string */
    char *message;
    uint64_t count;
};

struct ewdiag_report {
    ewdiag_input **inputs;
    size_t ninputs, cinputs;
    ewdiag_finding **findings;
    size_t nfindings, cfindings;
    ewdiag_warning **warnings;
    size_t nwarnings, cwarnings;
};

ewdiag_input *ew_input_new(const char *name);
void ew_input_free(ewdiag_input *in);
/* Adds an entry and returns it (owned by in); NULL when out of memory. */
ewdiag_entry *ew_input_add_entry(ewdiag_input *in, const char *path, const char *role,
                                 uint64_t size);
int ew_entry_set(ewdiag_entry *e, const char *status, const char *reason);
/* The node of that name, added if new; NULL when out of memory. */
ew_node *ew_input_node(ewdiag_input *in, const char *name, size_t n);

void ew_chain_free(ew_chain *c);
void ew_tls_server_free(ew_tls_server *s);

/* Appends an explanation unless present or full. 0, or -1 out of memory. */
int ew_finding_explain(ewdiag_finding *f, const char *text);

ewdiag_finding *ew_finding_new(size_t evidence);
void ew_finding_free(ewdiag_finding *f);

int ew_report_add_input(ewdiag_report *r, ewdiag_input *in);
int ew_report_add_finding(ewdiag_report *r, ewdiag_finding *f);
/* Adds n to the warning (input, entry, code), creating it with message.
 * entry may be NULL. */
int ew_report_warn(ewdiag_report *r, const char *input, const char *entry, const char *code,
                   uint64_t n, const char *fmt, ...) EW_PRINTF(6, 7);

/* Serializers (report_text.c, report_json.c), into an open FILE. */
int ew_report_write_text(const ewdiag_report *r, FILE *f, unsigned flags);
int ew_report_write_json(const ewdiag_report *r, FILE *f, unsigned flags);
int ew_report_write_jsonl(const ewdiag_report *r, FILE *f, unsigned flags);

#endif /* EW_REPORT_H */
