/* x509.c - certificate fields and trust verdicts, with OpenSSL's libcrypto.
 *
 * Only libcrypto: the chain was captured off the wire, nothing here does TLS.
 * Each call starts and ends with the thread's OpenSSL error queue empty: the
 * first error of a failure is its cause (the later ones only wrap it), and
 * one bad certificate cannot make the next call fail. Nothing is printed. */

/* Refuse, at compile time, any API that OpenSSL 3 deprecates. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include "x509/x509.h"

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
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
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
/* The bracketed form of an IPv6 name, "[::1]", is accepted too. */
#define EW_IP_NAME_MAX 64

struct ew_trust {
    X509_STORE *store;
};

/* ------------------------------------------------------------------ errors */

static void ew_x509_err(char *err, size_t errsz, const char *fmt, ...) EW_PRINTF(3, 4);

static void ew_x509_err(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || errsz == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    if (w < 0)
        err[0] = '\0';
}

/* OpenSSL's reason for the failure, for a message; never NULL. The queue
 * was empty when the call began, so its oldest error is the cause ("header
 * too long"), not a wrapper ("nested asn1 error"). */
static const char *ew_ossl_reason(void)
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

/* RFC 2253 one-line form of a name, as OpenSSL prints it. */
static int ew_name_rfc2253(const X509_NAME *name, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return -1;
    int rc = -1;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(b, &p);
        if (n >= 0) {
            ew_copy_trunc(out, cap, n ? p : "", (size_t)n);
            rc = 0;
        }
    }
    BIO_free(b);
    return rc;
}

/* The most specific (last) CN of a name, "" if none. */
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
        return -1;
    char *s = ew_name_text(utf8, (size_t)n, false);
    OPENSSL_free(utf8);
    if (!s)
        return -1;
    ew_copy_trunc(out, cap, s, strlen(s));
    free(s);
    return 0;
}

/* ------------------------------------------------------------- the fields */

/* UTC microseconds of an ASN1_TIME, computed without TZ-dependent calls. */
static int ew_asn1_time_us(const ASN1_TIME *t, int64_t *us)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    int64_t days = ew_days_from_civil((int64_t)tm.tm_year + EW_TM_YEAR_BASE, (unsigned)tm.tm_mon + 1,
                                      (unsigned)tm.tm_mday);
    int64_t sec = ((days * EW_HOURS_PER_DAY + tm.tm_hour) * EW_MINS_PER_HOUR + tm.tm_min)
                      * EW_SECS_PER_MIN
                  + tm.tm_sec;
    *us = sec * EW_US_PER_SEC;
    return 0;
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
        return -1;
    if (ew_grow(v, cap, *n + 1, sizeof **v) != 0) {
        free(s);
        return -1;
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

static int ew_sans(X509 *x, ew_cert_info *ci, char *err, size_t errsz)
{
    int crit = 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
    if (!gens) {
        /* -1: no SAN. Anything else: present but unreadable, or repeated. */
        if (crit == -1)
            return 0;
        ew_x509_err(err, errsz, "subjectAltName extension: %s",
                    crit == -2 ? "present more than once" : "cannot be decoded");
        return -1;
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
        ew_x509_err(err, errsz, "subjectAltName: out of memory");
    return rc;
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
static X509 *ew_d2i(const uint8_t *der, size_t len, char *err, size_t errsz)
{
    if (!der || len == 0) {
        ew_x509_err(err, errsz, "empty certificate (0 bytes)");
        return NULL;
    }
    if (len > LONG_MAX) {
        ew_x509_err(err, errsz, "certificate of %zu bytes is too large to decode", len);
        return NULL;
    }
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        ew_x509_err(err, errsz, "not a DER certificate (%zu bytes): %s", len, ew_ossl_reason());
        return NULL;
    }
    size_t used = (size_t)(p - der);
    if (used != len) {
        ew_x509_err(err, errsz, "%zu bytes of garbage after the DER certificate (%zu of %zu bytes)",
                    len - used, used, len);
        X509_free(x);
        return NULL;
    }
    return x;
}

static int ew_fill(X509 *x, const uint8_t *der, size_t len, ew_cert_info *ci, char *err,
                   size_t errsz)
{
    if (ew_name_rfc2253(X509_get_subject_name(x), ci->subject, sizeof ci->subject) != 0
        || ew_name_rfc2253(X509_get_issuer_name(x), ci->issuer, sizeof ci->issuer) != 0) {
        ew_x509_err(err, errsz, "subject or issuer name cannot be printed: %s", ew_ossl_reason());
        return -1;
    }
    if (ew_name_cn(X509_get_subject_name(x), ci->subject_cn, sizeof ci->subject_cn) != 0
        || ew_name_cn(X509_get_issuer_name(x), ci->issuer_cn, sizeof ci->issuer_cn) != 0) {
        ew_x509_err(err, errsz, "subject or issuer CN cannot be read as UTF-8: %s",
                    ew_ossl_reason());
        return -1;
    }
    if (ew_sans(x, ci, err, errsz) != 0)
        return -1;
    ew_serial_hex(X509_get0_serialNumber(x), ci->serial, sizeof ci->serial);
    if (ew_asn1_time_us(X509_get0_notBefore(x), &ci->not_before) != 0) {
        ew_x509_err(err, errsz, "notBefore is not a valid time");
        return -1;
    }
    if (ew_asn1_time_us(X509_get0_notAfter(x), &ci->not_after) != 0) {
        ew_x509_err(err, errsz, "notAfter is not a valid time");
        return -1;
    }
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
        ew_x509_err(err, errsz, "SHA-256 of the certificate: %s", ew_ossl_reason());
        return -1;
    }
    ew_hex(ci->sha256, sizeof ci->sha256, md, mdlen, false);
    ew_key_id(X509_get0_subject_key_id(x), ci->ski, sizeof ci->ski);
    ew_key_id(X509_get0_authority_key_id(x), ci->aki, sizeof ci->aki);
    return 0;
}

int ew_cert_parse(const uint8_t *der, size_t len, ew_cert_info *out, char *err, size_t errsz)
{
    if (!out) {
        ew_x509_err(err, errsz, "no place given for the certificate's fields");
        return -1;
    }
    memset(out, 0, sizeof *out);
    ERR_clear_error();
    X509 *x = ew_d2i(der, len, err, errsz);
    int rc = x ? ew_fill(x, der, len, out, err, errsz) : -1;
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

/* ------------------------------------------------------------ name match */

static unsigned char ew_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive, whatever the locale (DNS names are ASCII). */
static bool ew_eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (ew_lower((unsigned char)a[i]) != ew_lower((unsigned char)b[i]))
            return false;
    return true;
}

/* Length without one trailing dot: "host.lab." is the same name, fully
 * qualified. */
static size_t ew_dns_len(const char *s)
{
    size_t n = strlen(s);
    return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

/* RFC 6125 as OpenSSL applies it: a '*' only as the whole left-most label,
 * standing for exactly one non-empty label, and never right above a
 * single-label suffix ("*.lab" matches nothing). */
static bool ew_dns_match(const char *pattern, const char *name)
{
    size_t pn = ew_dns_len(pattern), nn = ew_dns_len(name);
    if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *rest = pattern + 2;
        size_t rn = pn - 2;
        if (rn == 0 || !memchr(rest, '.', rn) || memchr(rest, '*', rn))
            return false;
        const char *dot = memchr(name, '.', nn);
        if (!dot || dot == name)
            return false;
        size_t label = (size_t)(dot - name);
        return ew_eq_nocase(dot + 1, nn - label - 1, rest, rn);
    }
    return ew_eq_nocase(pattern, pn, name, nn);
}

typedef struct ew_ip {
    int family; /* AF_INET, AF_INET6, or 0: not an address */
    unsigned char b[EW_IPV6_LEN];
} ew_ip;

static ew_ip ew_ip_parse(const char *s)
{
    ew_ip ip = {0, {0}};
    char buf[EW_IP_NAME_MAX];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, s + 1, n - 2);
        buf[n - 2] = '\0';
        s = buf;
    }
    if (inet_pton(AF_INET, s, ip.b) == 1)
        ip.family = AF_INET;
    else if (inet_pton(AF_INET6, s, ip.b) == 1)
        ip.family = AF_INET6;
    return ip;
}

static bool ew_ip_eq(const ew_ip *a, const ew_ip *b)
{
    size_t n = a->family == AF_INET ? EW_IPV4_LEN : EW_IPV6_LEN;
    return a->family != 0 && a->family == b->family && memcmp(a->b, b->b, n) == 0;
}

/* Does a DNS SAN or CN text hold `name`? An address only as itself, in
 * whatever spelling; a host name with the wildcard rules. */
static bool ew_entry_match(const char *entry, const char *name, const ew_ip *ip)
{
    if (!*entry)
        return false;
    if (ip->family) {
        ew_ip e = ew_ip_parse(entry);
        return ew_eq_nocase(entry, strlen(entry), name, strlen(name)) || ew_ip_eq(&e, ip);
    }
    return ew_dns_match(entry, name);
}

ew_name_match ew_cert_name_match(const ew_cert_info *ci, const char *name)
{
    if (!ci || !name || !*name)
        return EW_NAME_ABSENT;
    ew_ip ip = ew_ip_parse(name);
    for (size_t i = 0; i < ci->ndns; i++)
        if (ew_entry_match(ci->dns[i], name, &ip))
            return EW_NAME_DNS_SAN;
    /* The traffic server looks at the CN whatever the SAN holds. */
    if (ew_entry_match(ci->subject_cn, name, &ip))
        return EW_NAME_CN;
    if (ip.family)
        for (size_t i = 0; i < ci->nips; i++) {
            ew_ip san = ew_ip_parse(ci->ips[i]);
            if (ew_ip_eq(&san, &ip))
                return EW_NAME_IP_SAN_ONLY;
        }
    return EW_NAME_ABSENT;
}

const char *ew_name_match_name(ew_name_match m)
{
    switch (m) {
    case EW_NAME_DNS_SAN: return "dns-san";
    case EW_NAME_CN: return "cn";
    case EW_NAME_IP_SAN_ONLY: return "ip-san-only";
    case EW_NAME_ABSENT: break;
    }
    return "absent";
}

/* ------------------------------------------------------------ trust store */

/* A CERTIFICATE block with encryption headers would otherwise make OpenSSL
 * ask for a pass phrase on the terminal. */
static int ew_no_password(char *buf, int size, int rwflag, void *u)
{
    EW_UNUSED(buf);
    EW_UNUSED(size);
    EW_UNUSED(rwflag);
    EW_UNUSED(u);
    return -1;
}

/* Reads every certificate of the BIO into the store. */
static int ew_read_pem(BIO *b, X509_STORE *store, size_t *ncerts, char *err, size_t errsz)
{
    for (;;) {
        X509 *x = PEM_read_bio_X509(b, NULL, ew_no_password, NULL);
        if (!x)
            break;
        int ok = X509_STORE_add_cert(store, x);
        X509_free(x);
        if (ok != 1) {
            ew_x509_err(err, errsz, "certificate %zu of the PEM text cannot be added to the store: %s",
                        *ncerts + 1, ew_ossl_reason());
            return -1;
        }
        (*ncerts)++;
    }
    /* The loop ends on "no start line" once the text is used up; any other
     * error is a broken block. */
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
        return 0;
    if (ERR_GET_LIB(ERR_peek_error()) == ERR_LIB_ASN1)
        ew_x509_err(err, errsz, "PEM certificate %zu: not a DER certificate inside (%s)",
                    *ncerts + 1, ew_ossl_reason());
    else
        ew_x509_err(err, errsz, "PEM block after certificate %zu is broken: %s", *ncerts,
                    ew_ossl_reason());
    return -1;
}

int ew_trust_load_pem(ew_trust **t, const char *pem, size_t len, size_t *ncerts, char *err,
                      size_t errsz)
{
    size_t n = 0;
    if (ncerts)
        *ncerts = 0;
    if (!t) {
        ew_x509_err(err, errsz, "trust store: no place given for it");
        return -1;
    }
    *t = NULL;
    if (!pem && len) {
        ew_x509_err(err, errsz, "trust store: no PEM text given");
        return -1;
    }
    if (len > INT_MAX) {
        ew_x509_err(err, errsz, "trust store: PEM text of %zu bytes is too large", len);
        return -1;
    }
    ew_trust *nt = ew_calloc(1, sizeof *nt);
    if (!nt) {
        ew_x509_err(err, errsz, "trust store: out of memory");
        return -1;
    }
    ERR_clear_error();
    int rc = -1;
    BIO *b = NULL;
    if (!(nt->store = X509_STORE_new())) {
        ew_x509_err(err, errsz, "trust store: cannot create: %s", ew_ossl_reason());
    } else if (len == 0) {
        rc = 0; /* an empty store: nothing is trusted */
    } else if (!(b = BIO_new_mem_buf(pem, (int)len))) {
        ew_x509_err(err, errsz, "trust store: cannot read the PEM text: %s", ew_ossl_reason());
    } else {
        rc = ew_read_pem(b, nt->store, &n, err, errsz);
    }
    BIO_free(b);
    ERR_clear_error();
    if (rc != 0) {
        ew_trust_free(nt);
        return -1;
    }
    *t = nt;
    if (ncerts)
        *ncerts = n;
    return 0;
}

void ew_trust_free(ew_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->store);
    free(t);
}

/* ---------------------------------------------------------------- verify */

static void ew_verdict_reset(ew_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->error_depth = -1;
}

/* The certificate to name when the chain stops short of the store: the one
 * the error is about, else the top of the chain built. */
static X509 *ew_failed_cert(X509_STORE_CTX *ctx, X509 *leaf)
{
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    if (cur)
        return cur;
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain ? sk_X509_num(chain) : 0;
    return n > 0 ? sk_X509_value(chain, n - 1) : leaf;
}

static void ew_missing_issuer(X509_STORE_CTX *ctx, X509 *leaf, ew_verdict *v)
{
    const X509 *x = ew_failed_cert(ctx, leaf);
    const X509_NAME *name = NULL;
    switch (v->error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        name = X509_get_issuer_name(x);
        break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        /* A self-signed certificate the store lacks: itself is missing. */
        name = X509_get_subject_name(x);
        break;
    default:
        return;
    }
    if (ew_name_rfc2253(name, v->missing_issuer, sizeof v->missing_issuer) != 0)
        v->missing_issuer[0] = '\0';
}

/* Runs OpenSSL's verification as a TLS client does for a server's chain. */
static int ew_run_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted, int64_t at_us,
                         ew_verdict *v, char *err, size_t errsz)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx) {
        ew_x509_err(err, errsz, "verification: out of memory");
        return -1;
    }
    int rc = -1;
    /* Whole seconds, rounded down: OpenSSL compares seconds. */
    int64_t at_s = at_us / EW_US_PER_SEC - (at_us % EW_US_PER_SEC < 0 ? 1 : 0);
    if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1
        || X509_STORE_CTX_set_default(ctx, "ssl_server") != 1
        || X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1) {
        ew_x509_err(err, errsz, "verification: cannot be set up: %s", ew_ossl_reason());
        goto out;
    }
    /* Also sets X509_V_FLAG_USE_CHECK_TIME: validity as of the capture. */
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at_s);
    int ok = X509_verify_cert(ctx);
    if (ok < 0) {
        ew_x509_err(err, errsz, "verification: OpenSSL could not run it: %s", ew_ossl_reason());
        goto out;
    }
    v->trusted = ok == 1;
    v->error = v->trusted ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    snprintf(v->error_text, sizeof v->error_text, "%s", X509_verify_cert_error_string(v->error));
    v->error_depth = v->trusted ? -1 : X509_STORE_CTX_get_error_depth(ctx);
    if (!v->trusted)
        ew_missing_issuer(ctx, leaf, v);
    rc = 0;
out:
    X509_STORE_CTX_free(ctx);
    return rc;
}

int ew_trust_verify(const ew_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                    int64_t at_us, ew_verdict *v, char *err, size_t errsz)
{
    if (!v) {
        ew_x509_err(err, errsz, "verification: no place given for the verdict");
        return -1;
    }
    ew_verdict_reset(v);
    if (n == 0 || !der || !len) {
        ew_x509_err(err, errsz, "verification: the chain has no certificate");
        return -1;
    }
    ERR_clear_error();
    int rc = -1;
    X509 *leaf = NULL;
    X509_STORE *empty = NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    char why[EW_ERR_MAX / 2];
    if (!untrusted) {
        ew_x509_err(err, errsz, "verification: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        X509 *x = ew_d2i(der[i], len[i], why, sizeof why);
        if (!x) {
            ew_x509_err(err, errsz, "certificate %zu of the chain: %s", i + 1, why);
            goto out;
        }
        if (i == 0) {
            leaf = x;
        } else if (!sk_X509_push(untrusted, x)) {
            X509_free(x);
            ew_x509_err(err, errsz, "verification: out of memory");
            goto out;
        }
    }
    /* No store at all trusts nothing, as an empty one. */
    X509_STORE *store = t ? t->store : (empty = X509_STORE_new());
    if (!store) {
        ew_x509_err(err, errsz, "verification: out of memory");
        goto out;
    }
    rc = ew_run_verify(store, leaf, untrusted, at_us, v, err, errsz);
out:
    if (rc != 0)
        ew_verdict_reset(v);
    X509_STORE_free(empty);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    ERR_clear_error();
    return rc;
}
