/* x509.h - certificate fields and trust verdicts, with OpenSSL's libcrypto. */
#ifndef EW_X509_H
#define EW_X509_H

#include <ewdiag.h>

#include "core/ew.h"

#define EW_NAME_MAX 512

typedef struct ewdiag_cert {
    char subject[EW_NAME_MAX];   /* RFC 2253 one-line form; a text too long
                                    for its field ends in "..." */
    char issuer[EW_NAME_MAX];
    char subject_cn[256];        /* "" if none */
    char issuer_cn[256];
    char **dns;                  /* SAN dNSName entries (owned); bytes no host
                                    name holds (NUL...) shown as \xNN */
    size_t ndns;
    char **ips;                  /* SAN iPAddress entries, as text (owned) */
    size_t nips;
    char serial[128];            /* hex, upper case */
    int64_t not_before;          /* UTC microseconds */
    int64_t not_after;
    bool self_signed;            /* issuer == subject and its own key verifies it */
    bool is_ca;                  /* basicConstraints CA:TRUE */
    char key_type[16];           /* "RSA", "EC", "Ed25519", "DSA", ... */
    int key_bits;
    char curve[32];              /* EC curve name, "" otherwise */
    char sig_alg[64];            /* e.g. "sha256WithRSAEncryption" */
    char sha256[65];             /* fingerprint of the DER, lower-case hex */
    char ski[128];               /* subject key identifier, hex, upper case; "" if none */
    char aki[128];               /* authority key identifier (key id), same form */
} ew_cert_info;

/* Parses one DER certificate. 0, or EWDIAG_EFORMAT (or _ENOMEM) with err set ("certificate 2 of the
 * chain: bad DER at byte 57"-style messages are the caller's to compose). */
int ew_cert_parse(const uint8_t *der, size_t len, ew_cert_info *out, ew_err *err);
void ew_cert_info_free(ew_cert_info *ci);

/*
 * How the traffic server's name check sees `name` (the address a request
 * was sent to): it compares DNS SAN entries and the CN only, wildcards as
 * in RFC 6125; an IP address listed only as an iPAddress SAN does not pass.
 */
typedef enum ew_name_match {
    EW_NAME_DNS_SAN,    /* a dNSName entry matches */
    EW_NAME_CN,         /* the subject CN matches (no dNSName did) */
    EW_NAME_IP_SAN_ONLY,/* only an iPAddress SAN holds it: refused all the same */
    EW_NAME_ABSENT      /* nowhere in the certificate */
} ew_name_match;

ew_name_match ew_cert_name_match(const ew_cert_info *ci, const char *name);
/* "dns-san", "cn", "ip-san-only", "absent". */
const char *ew_name_match_name(ew_name_match m);

/* The CA certificates Expressway-C trusted (ca_<host>_<ts>.pem). */
typedef struct ew_trust ew_trust;

/* Loads every certificate of a PEM text (count in *ncerts). PEM blocks
 * that are not certificates are skipped; a broken one is an error. */
int ew_trust_load_pem(ew_trust **t, const char *pem, size_t len, size_t *ncerts, ew_err *err);
void ew_trust_free(ew_trust *t);

typedef struct ew_verdict {
    bool trusted;         /* the chain verifies to a CA of the store */
    int error;            /* OpenSSL X509_V_ERR_*, 0 when trusted */
    char error_text[128]; /* X509_verify_cert_error_string() ("ok" when trusted) */
    int error_depth;      /* where it failed, -1 when trusted */
    char missing_issuer[EW_NAME_MAX]; /* for an untrusted chain: the issuer
                                         (RFC 2253) not found in the store;
                                         "" if not that kind of failure */
} ew_verdict;

/*
 * Verifies a chain as presented (leaf first) against the store, as of
 * at_us (the capture's time, not now), with OpenSSL's default purpose
 * checks off (TLS server purpose on). The name check is separate
 * (ew_cert_name_match). A NULL t is an empty store. 0, or an EWDIAG_E* code with err set
 * when the chain cannot be parsed at all.
 */
int ew_trust_verify(const ew_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                    int64_t at_us, ew_verdict *v, ew_err *err);

#endif /* EW_X509_H */
