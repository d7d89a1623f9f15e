/* cert.c - a certificate's fields, with OpenSSL's libcrypto.
 *
 * Only libcrypto: the chain was captured off the wire, nothing here does TLS.
 * Each call starts and ends with the thread's OpenSSL error queue empty: the
 * first error of a failure is its cause (the later ones only wrap it), and
 * one bad certificate cannot make the next call fail. Nothing is printed. */

#include "x509/x509_int.h"

#include "core/timestamp.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define EW_TRUNC_MARK "..."
#define EW_TRUNC_MARK_LEN (sizeof(EW_TRUNC_MARK) - 1)
#define EW_HEX_PER_BYTE 2
#define EW_NIBBLE_BITS 4
#define EW_NIBBLE_MASK 0xfu
#define EW_HOURS_PER_DAY 24
#define EW_MINS_PER_HOUR 60
#define EW_SECS_PER_MIN 60
#define EW_TM_YEAR_BASE 1900
#define EW_SHA256_LEN 32
#define EW_IPV4_LEN 4
#define EW_IPV6_LEN 16
/* "\xNN": how an unprintable byte of a name is shown. */
#define EW_ESC_LEN 4
#define EW_ASCII_DEL 0x7f
#define EW_ASCII_SPACE 0x20
/* Longest address text inet_ntop writes, and what is shown for an iPAddress
 * SAN that is neither 4 nor 16 bytes long. */
#define EW_IP_TEXT_MAX 64

/* OpenSSL's reason for the failure, for a message; never NULL. The queue
 * was empty when the call began, so its oldest error is the cause ("header
 * too long"), not a wrapper ("nested asn1 error"). */
const char *ew_ossl_reason(void)
{
    unsigned long e = ERR_peek_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "no detail from OpenSSL";
}

/* ------------------------------------------------------------------- text */

/* Copies n bytes into out (size cap), ending in "..." when they do not fit. */
static void ew_copy_trunc(char *out, size_t cap, const char *s, size_t n)
{
    if (cap == 0)
        return;
    if (n < cap) {
        memcpy(out, s, n);
        out[n] = '\0';
        return;
    }
    size_t keep = cap > EW_TRUNC_MARK_LEN ? cap - 1 - EW_TRUNC_MARK_LEN : 0;
    memcpy(out, s, keep);
    snprintf(out + keep, cap - keep, "%s", EW_TRUNC_MARK);
}

/* Hex of n bytes into out, ending in "..." when it does not fit. */
static void ew_hex(char *out, size_t cap, const unsigned char *p, size_t n, bool upper)
{
    static const char lower_digits[] = "0123456789abcdef";
    static const char upper_digits[] = "0123456789ABCDEF";
    const char *d = upper ? upper_digits : lower_digits;
    if (cap == 0)
        return;
    size_t keep = n;
    bool cut = n > (cap - 1) / EW_HEX_PER_BYTE;
    if (cut)
        keep = cap > EW_TRUNC_MARK_LEN + 1 ? (cap - 1 - EW_TRUNC_MARK_LEN) / EW_HEX_PER_BYTE : 0;
    size_t o = 0;
    for (size_t i = 0; i < keep; i++) {
        out[o++] = d[p[i] >> EW_NIBBLE_BITS];
        out[o++] = d[p[i] & EW_NIBBLE_MASK];
    }
    out[o] = '\0';
    if (cut)
        snprintf(out + o, cap - o, "%s", EW_TRUNC_MARK);
}

static bool ew_printable(unsigned char c, bool ascii_only)
{
    if (c < EW_ASCII_SPACE || c == EW_ASCII_DEL)
        return false;
    return !(ascii_only && c > EW_ASCII_DEL);
}

/* A name from the certificate as a C string: bytes that could not be part
 * of a host name (a NUL above all, "good.lab\0.evil") are shown as \xNN so
 * that such an entry never matches a name it does not hold. */
static char *ew_name_text(const unsigned char *p, size_t n, bool ascii_only)
{
    size_t need = 1;
    for (size_t i = 0; i < n; i++)
        need += ew_printable(p[i], ascii_only) ? 1 : EW_ESC_LEN;
    char *s = ew_malloc(need);
    if (!s)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (ew_printable(p[i], ascii_only))
            s[o++] = (char)p[i];
        else
            o += (size_t)snprintf(s + o, need - o, "\\x%02x", p[i]);
    }
    s[o] = '\0';
    return s;
}

bool ew_name_rfc2253(const X509_NAME *name, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return false;
    bool ok = false;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);
        if (n >= 0) {
            ew_copy_trunc(out, cap, n ? p : "", (size_t)n);
            ok = true;
        }
    }
    BIO_free(b);
    return ok;
}

/* The most specific (last) CN of a name, "" if none. 0; EWDIAG_EFORMAT
 * when it cannot be read as UTF-8; EWDIAG_ENOMEM. */
static int ew_name_cn(const X509_NAME *name, char *out, size_t cap)
{
    int at = -1, last = -1;
    while ((at = X509_NAME_get_index_by_NID(name, NID_commonName, at)) >= 0)
        last = at;
    out[0] = '\0';
    if (last < 0)
        return 0;
    const ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
    unsigned char *utf8 = NULL;
    int n = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
    if (n < 0)
        return EWDIAG_EFORMAT;
    char *s = ew_name_text(utf8, (size_t)n, false);
    OPENSSL_free(utf8);
    if (!s)
        return EWDIAG_ENOMEM;
    ew_copy_trunc(out, cap, s, strlen(s));
    free(s);
    return 0;
}

/* ------------------------------------------------------------- the fields */

/* UTC microseconds of an ASN1_TIME, computed without TZ-dependent calls. */
static bool ew_asn1_time_us(const ASN1_TIME *t, int64_t *us)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return false;
    int64_t days = ew_days_from_civil((int64_t)tm.tm_year + EW_TM_YEAR_BASE, (unsigned)tm.tm_mon + 1,
                                      (unsigned)tm.tm_mday);
    int64_t sec = ((days * EW_HOURS_PER_DAY + tm.tm_hour) * EW_MINS_PER_HOUR + tm.tm_min)
                      * EW_SECS_PER_MIN
                  + tm.tm_sec;
    *us = sec * EW_US_PER_SEC;
    return true;
}

/* As `openssl x509 -serial` shows it: the content bytes, upper-case hex. */
static void ew_serial_hex(const ASN1_INTEGER *serial, char *out, size_t cap)
{
    const unsigned char *p = ASN1_STRING_get0_data(serial);
    int n = ASN1_STRING_length(serial);
    bool neg = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER;
    if (n <= 0) {
        snprintf(out, cap, "00");
        return;
    }
    size_t o = 0;
    if (neg && cap > 1)
        out[o++] = '-';
    ew_hex(out + o, cap - o, p, (size_t)n, true);
}

/* Appends a string to an owned array of strings. */
static int ew_push_str(char ***v, size_t *n, size_t *cap, char *s)
{
    if (!s)
        return EWDIAG_ENOMEM;
    if (ew_grow(v, cap, *n + 1, sizeof **v) != 0) {
        free(s);
        return EWDIAG_ENOMEM;
    }
    (*v)[(*n)++] = s;
    return 0;
}

static char *ew_ip_text(const ASN1_OCTET_STRING *ip)
{
    char text[EW_IP_TEXT_MAX];
    const unsigned char *p = ASN1_STRING_get0_data(ip);
    int n = ASN1_STRING_length(ip);
    if (n == EW_IPV4_LEN && inet_ntop(AF_INET, p, text, sizeof text))
        return ew_strdup(text);
    if (n == EW_IPV6_LEN && inet_ntop(AF_INET6, p, text, sizeof text))
        return ew_strdup(text);
    /* Not an address: shown for what it is, never parsed back as one. */
    snprintf(text, sizeof text, "<iPAddress of %d bytes>", n);
    return ew_strdup(text);
}

static int ew_sans(X509 *x, ew_cert_info *ci, ew_err *err)
{
    int crit = 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
    if (!gens) {
        /* -1: no SAN. Anything else: present but unreadable, or repeated. */
        if (crit == -1)
            return 0;
        return ew_err_set(err, EWDIAG_EFORMAT, "subjectAltName extension: %s",
                          crit == -2 ? "present more than once" : "cannot be decoded");
    }
    size_t cdns = 0, cips = 0;
    int rc = 0;
    for (int i = 0; rc == 0 && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type == GEN_DNS) {
            const ASN1_IA5STRING *s = g->d.dNSName;
            rc = ew_push_str(&ci->dns, &ci->ndns, &cdns,
                             ew_name_text(ASN1_STRING_get0_data(s),
                                          (size_t)EW_MAX(ASN1_STRING_length(s), 0), true));
        } else if (g->type == GEN_IPADD) {
            rc = ew_push_str(&ci->ips, &ci->nips, &cips, ew_ip_text(g->d.iPAddress));
        }
    }
    GENERAL_NAMES_free(gens);
    if (rc != 0)
        return ew_err_set(err, rc, "subjectAltName: out of memory");
    return 0;
}

/* "RSA", "EC", "Ed25519"... as a person reads them, not OpenSSL's OIDs. */
static const char *ew_key_type_name(int base)
{
    switch (base) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    case EVP_PKEY_DSA: return "DSA";
    case EVP_PKEY_SM2: return "SM2";
    default: return NULL;
    }
}

static void ew_key(X509 *x, ew_cert_info *ci)
{
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    if (!pkey) {
        /* A key OpenSSL cannot load (unknown algorithm, bad encoding):
         * still name its algorithm. */
        ASN1_OBJECT *alg = NULL;
        X509_PUBKEY *pub = X509_get_X509_PUBKEY(x);
        if (pub && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pub) == 1 && alg)
            OBJ_obj2txt(ci->key_type, (int)sizeof ci->key_type, alg, 0);
        return;
    }
    const char *name = ew_key_type_name(EVP_PKEY_get_base_id(pkey));
    if (!name)
        name = EVP_PKEY_get0_type_name(pkey);
    snprintf(ci->key_type, sizeof ci->key_type, "%s", name ? name : "unknown");
    ci->key_bits = EVP_PKEY_get_bits(pkey);
    if (ci->key_bits < 0)
        ci->key_bits = 0;
    /* Only named curves have a group name; explicit parameters leave "". */
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC
        && EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, ci->curve,
                                          sizeof ci->curve, NULL)
               != 1)
        ci->curve[0] = '\0';
}

static void ew_sig_alg(const X509 *x, ew_cert_info *ci)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_get0_signature(NULL, &alg, x);
    if (alg)
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    /* The long name ("sha256WithRSAEncryption"), or the dotted OID. */
    if (!obj || OBJ_obj2txt(ci->sig_alg, (int)sizeof ci->sig_alg, obj, 0) <= 0)
        snprintf(ci->sig_alg, sizeof ci->sig_alg, "unknown");
}

static void ew_key_id(const ASN1_OCTET_STRING *id, char *out, size_t cap)
{
    out[0] = '\0';
    if (id)
        ew_hex(out, cap, ASN1_STRING_get0_data(id), (size_t)EW_MAX(ASN1_STRING_length(id), 0),
               true);
}

/* Decodes exactly len bytes of DER: d2i takes a prefix, the rest would be
 * silently ignored, and a certificate message must not carry any. */
X509 *ew_d2i(const uint8_t *der, size_t len, ew_err *err)
{
    if (!der || len == 0) {
        ew_err_set(err, EWDIAG_EFORMAT, "empty certificate (0 bytes)");
        return NULL;
    }
    if (len > LONG_MAX) {
        ew_err_set(err, EWDIAG_EFORMAT, "certificate of %zu bytes is too large to decode", len);
        return NULL;
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        ew_err_set(err, EWDIAG_EFORMAT, "not a DER certificate (%zu bytes): %s", len,
                   ew_ossl_reason());
        return NULL;
    }
    size_t used = (size_t)(p - der);
    if (used != len) {
        ew_err_set(err, EWDIAG_EFORMAT,
                   "%zu bytes of garbage after the DER certificate (%zu of %zu bytes)",
                   len - used, used, len);
        X509_free(x);
        return NULL;
    }
    return x;
}

static int ew_fill(X509 *x, const uint8_t *der, size_t len, ew_cert_info *ci, ew_err *err)
{
    if (!ew_name_rfc2253(X509_get_subject_name(x), ci->subject, sizeof ci->subject) ||
        !ew_name_rfc2253(X509_get_issuer_name(x), ci->issuer, sizeof ci->issuer))
        return ew_err_set(err, EWDIAG_EFORMAT, "subject or issuer name cannot be printed: %s",
                          ew_ossl_reason());
    int rc = ew_name_cn(X509_get_subject_name(x), ci->subject_cn, sizeof ci->subject_cn);
    if (rc == 0)
        rc = ew_name_cn(X509_get_issuer_name(x), ci->issuer_cn, sizeof ci->issuer_cn);
    if (rc != 0)
        return ew_err_set(err, rc, "subject or issuer CN: %s",
                          rc == EWDIAG_ENOMEM ? "out of memory" : "cannot be read as UTF-8");
    rc = ew_sans(x, ci, err);
    if (rc != 0)
        return rc;
    ew_serial_hex(X509_get0_serialNumber(x), ci->serial, sizeof ci->serial);
    if (!ew_asn1_time_us(X509_get0_notBefore(x), &ci->not_before))
        return ew_err_set(err, EWDIAG_EFORMAT, "notBefore is not a valid time");
    if (!ew_asn1_time_us(X509_get0_notAfter(x), &ci->not_after))
        return ew_err_set(err, EWDIAG_EFORMAT, "notAfter is not a valid time");
    /* Not X509_check_issued(): it also wants keyCertSign in the key usage,
     * which self-signed server certificates often lack. The contract is the
     * names and the signature. */
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    ci->self_signed = pkey && X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0
                      && X509_verify(x, pkey) == 1;
    int crit = 0;
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
    ci->is_ca = bc && bc->ca;
    BASIC_CONSTRAINTS_free(bc);
    ew_key(x, ci);
    ew_sig_alg(x, ci);
    /* What those probes raised (a key OpenSSL cannot load...) is no failure,
     * and must not pass for the cause of one below. */
    ERR_clear_error();
    unsigned char md[EW_SHA256_LEN];
    unsigned int mdlen = 0;
    /* Over the bytes as presented, which is what a fingerprint names. */
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != sizeof md) {
        return ew_err_set(err, EWDIAG_EFORMAT, "SHA-256 of the certificate: %s", ew_ossl_reason());
    }
    ew_hex(ci->sha256, sizeof ci->sha256, md, mdlen, false);
    ew_key_id(X509_get0_subject_key_id(x), ci->ski, sizeof ci->ski);
    ew_key_id(X509_get0_authority_key_id(x), ci->aki, sizeof ci->aki);
    return 0;
}

int ew_cert_parse(const uint8_t *der, size_t len, ew_cert_info *out, ew_err *err)
{
    if (!out)
        return ew_err_set(err, EWDIAG_EINVAL, "no place given for the certificate's fields");
    memset(out, 0, sizeof *out);
    ERR_clear_error();
    X509 *x = ew_d2i(der, len, err);
    int rc = x ? ew_fill(x, der, len, out, err) : EWDIAG_EFORMAT;
    X509_free(x);
    if (rc != 0) {
        ew_cert_info_free(out);
        memset(out, 0, sizeof *out);
    }
    ERR_clear_error();
    return rc;
}

static void ew_free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ew_cert_info_free(ew_cert_info *ci)
{
    if (!ci)
        return;
    ew_free_strs(ci->dns, ci->ndns);
    ew_free_strs(ci->ips, ci->nips);
    ci->dns = ci->ips = NULL;
    ci->ndns = ci->nips = 0;
}
