/* test_x509.c - certificate fields, name matching and trust verdicts.
 *
 * Self-contained: every key and certificate is made here with libcrypto,
 * so each expected value is one the test set itself. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include "x509/x509.h"

#include "core/timestamp.h"

#include <limits.h>

#include <check.h>

#include "harness.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/* Times the certificates are given (UTC seconds, checked with date -u). */
#define T_2015 INT64_C(1420070400)
#define T_2016 INT64_C(1451606400)
#define T_2020 INT64_C(1577836800)
#define T_2020_06 INT64_C(1590969600)
#define T_2021 INT64_C(1609459200)
#define T_2022 INT64_C(1640995200)
#define T_CAPTURE INT64_C(1657558526) /* 2022-07-11T16:55:26Z, the article's */
#define T_2027 INT64_C(1798761600)
#define T_2030 INT64_C(1893456000)
#define T_2030_06 INT64_C(1906502400)
#define T_2031 INT64_C(1924992000)
#define T_2040 INT64_C(2208988800)
#define T_2045 INT64_C(2366841600)
#define T_2060 INT64_C(2840140800) /* past 2049: a GeneralizedTime */
#define T_1969_LAST_SEC INT64_C(-1)
#define US(s) ((s) * EW_US_PER_SEC)

#define RSA_BITS 2048
#define EC_BITS 256
#define SHA256_LEN 32
#define SHA1_LEN 20
#define HEX_MAX 129
#define LONG_OU_LEN 600
#define X509_V1 0
#define X509_V3 2
#define ERR_SZ 256
#define THREADS 4
#define THREAD_ROUNDS 25
#define HUGE_DER_HEADER_LEN 6

#define ARTICLE_SERIAL "6B0B5C63AF2D8E5A4A5F6E1B1C7D0E3F"
#define ARTICLE_SUBJECT "CN=cucm-ms.steven.lab,OU=Collab,O=Steven Lab,L=Diegem,C=BE"
#define ROOT_SUBJECT "CN=steven-DC-CA,DC=steven,DC=lab"
#define INTER_SUBJECT "CN=steven-Issuing-CA,O=Steven Lab,C=BE"
#define LEAF_SUBJECT "CN=cucm.steven.lab,O=Steven Lab,C=BE"
#define EC_SUBJECT "CN=cucm-ms-EC.steven.lab,OU=tomcat-ECDSA,O=Steven Lab,C=BE"

/* One made certificate: the object (for independent checks) and its DER. */
typedef struct made {
    X509 *x;
    unsigned char *der;
    size_t len;
} made;

/* An extension as `openssl req -addext` would spell it. */
typedef struct ext {
    int nid;
    const char *value;
} ext;

static EVP_PKEY *k_root, *k_inter, *k_leaf, *k_article, *k_ec;
static made c_article, c_root, c_inter, c_leaf, c_ec, c_expired, c_notyet, c_ipsan, c_wild,
    c_client, c_bare, c_nul;

/* ------------------------------------------------------------- the maker */

static void add_names(X509_NAME *n, const char *const *rdn)
{
    for (size_t i = 0; rdn[i]; i += 2)
        ck_assert_int_eq(X509_NAME_add_entry_by_txt(n, rdn[i], MBSTRING_UTF8,
                                                    (const unsigned char *)rdn[i + 1], -1, -1, 0),
                         1);
}

static void set_serial(X509 *x, const char *hex)
{
    BIGNUM *bn = NULL;
    ck_assert_int_gt(BN_hex2bn(&bn, hex), 0);
    ck_assert_ptr_nonnull(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
    BN_free(bn);
}

static void add_exts(X509 *x, const made *issuer, EVP_PKEY *issuer_key, const ext *exts)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer->x : x, x, NULL, NULL, 0);
    /* So that authorityKeyIdentifier=keyid works for a self-signed one too. */
    ck_assert_int_eq(X509V3_set_issuer_pkey(&ctx, issuer_key), 1);
    for (size_t i = 0; exts && exts[i].nid; i++) {
        X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        ck_assert_msg(e != NULL, "extension %s=%s", OBJ_nid2sn(exts[i].nid), exts[i].value);
        ck_assert_int_eq(X509_add_ext(x, e, -1), 1);
        X509_EXTENSION_free(e);
    }
}

static void finish(made *m, X509 *x, EVP_PKEY *issuer_key)
{
    ck_assert_int_gt(X509_sign(x, issuer_key, EVP_sha256()), 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    ck_assert_int_gt(n, 0);
    m->x = x;
    m->der = der;
    m->len = (size_t)n;
}

/* A v3 certificate for key, issued by issuer (NULL: self-signed). */
static void make(made *m, EVP_PKEY *key, const char *const *rdn, const made *issuer,
                 EVP_PKEY *issuer_key, const char *serial, int64_t nb, int64_t na, const ext *exts)
{
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(X509_set_version(x, X509_V3), 1);
    set_serial(x, serial);
    add_names(X509_get_subject_name(x), rdn);
    ck_assert_int_eq(
        X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer->x : x)), 1);
    ck_assert_int_eq(X509_set_pubkey(x, key), 1);
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb));
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na));
    add_exts(x, issuer, issuer_key ? issuer_key : key, exts);
    finish(m, x, issuer_key ? issuer_key : key);
}

static const ext leaf_exts_common[] = {
    {NID_basic_constraints, "CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
    {NID_ext_key_usage, "serverAuth,clientAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
    {0, NULL},
};

/* A v1 certificate: no extensions at all, a negative serial, and a time
 * before the epoch; its subject is too long for the field. */
static void make_bare(void)
{
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(X509_set_version(x, X509_V1), 1);
    set_serial(x, "-05");
    char ou[LONG_OU_LEN + 1];
    memset(ou, 'x', LONG_OU_LEN);
    ou[LONG_OU_LEN] = '\0';
    /* As a UTF8String: MBSTRING_UTF8 would enforce the 64-character bound. */
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "OU", V_ASN1_UTF8STRING,
                                                (const unsigned char *)ou, -1, -1, 0),
                     1);
    const char *rdn[] = {"CN", "bare.steven.lab", NULL};
    add_names(X509_get_subject_name(x), rdn);
    ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(x)), 1);
    ck_assert_int_eq(X509_set_pubkey(x, k_ec), 1);
    ck_assert_int_eq(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "19691231235959Z"), 1);
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)T_2027));
    finish(&c_bare, x, k_ec);
}

/* A dNSName with a NUL inside, the old trick to pass for another host. */
static void make_nul(void)
{
    static const char evil[] = "cucm.steven.lab\0.evil.example";
    X509 *x = X509_new();
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(X509_set_version(x, X509_V3), 1);
    set_serial(x, "0B");
    const char *rdn[] = {"CN", "evil.example", NULL};
    add_names(X509_get_subject_name(x), rdn);
    ck_assert_int_eq(X509_set_issuer_name(x, X509_get_subject_name(c_root.x)), 1);
    ck_assert_int_eq(X509_set_pubkey(x, k_leaf), 1);
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)T_2022));
    ck_assert_ptr_nonnull(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)T_2027));
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();
    ck_assert(gens && g && s);
    ck_assert_int_eq(ASN1_STRING_set(s, evil, (int)sizeof evil - 1), 1);
    GENERAL_NAME_set0_value(g, GEN_DNS, s);
    ck_assert_int_gt(sk_GENERAL_NAME_push(gens, g), 0);
    ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT), 1);
    GENERAL_NAMES_free(gens);
    finish(&c_nul, x, k_root);
}

static void setup(void)
{
    k_root = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
    k_inter = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
    k_leaf = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
    k_article = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
    k_ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert(k_root && k_inter && k_leaf && k_article && k_ec);

    /* The article's certificate, self-signed and without keyCertSign. */
    const char *article_rdn[] = {"C", "BE", "L", "Diegem", "O", "Steven Lab", "OU", "Collab",
                                 "CN", "cucm-ms.steven.lab", NULL};
    const ext article_exts[] = {
        {NID_basic_constraints, "CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "DNS:cucm.steven.lab,DNS:steven.lab"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {0, NULL},
    };
    make(&c_article, k_article, article_rdn, NULL, NULL, ARTICLE_SERIAL, T_2022, T_2027,
         article_exts);

    const char *root_rdn[] = {"DC", "lab", "DC", "steven", "CN", "steven-DC-CA", NULL};
    const ext ca_exts[] = {
        {NID_basic_constraints, "critical,CA:TRUE"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {0, NULL},
    };
    make(&c_root, k_root, root_rdn, NULL, NULL, "01", T_2015, T_2045, ca_exts);

    const char *inter_rdn[] = {"C", "BE", "O", "Steven Lab", "CN", "steven-Issuing-CA", NULL};
    const ext inter_exts[] = {
        {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {0, NULL},
    };
    make(&c_inter, k_inter, inter_rdn, &c_root, k_root, "1000", T_2016, T_2040, inter_exts);

    const char *leaf_rdn[] = {"C", "BE", "O", "Steven Lab", "CN", "cucm.steven.lab", NULL};
    const ext leaf_exts[] = {
        {NID_basic_constraints, "CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, "serverAuth,clientAuth"},
        {NID_subject_alt_name, "DNS:cucm.steven.lab,DNS:cucm-ms.steven.lab"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
        {0, NULL},
    };
    make(&c_leaf, k_leaf, leaf_rdn, &c_inter, k_inter, "2A", T_2022, T_2060, leaf_exts);

    const char *ec_rdn[] = {"C", "BE", "O", "Steven Lab", "OU", "tomcat-ECDSA", "CN",
                            "cucm-ms-EC.steven.lab", NULL};
    const ext ec_exts[] = {
        {NID_key_usage, "critical,digitalSignature,keyCertSign"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "DNS:cucm-ms.steven.lab"},
        {NID_subject_key_identifier, "hash"},
        {0, NULL},
    };
    make(&c_ec, k_ec, ec_rdn, NULL, NULL, "0EC0", T_2022, T_2027, ec_exts);

    const char *expired_rdn[] = {"CN", "expired.steven.lab", NULL};
    make(&c_expired, k_leaf, expired_rdn, &c_root, k_root, "03", T_2020, T_2021, leaf_exts_common);
    const char *notyet_rdn[] = {"CN", "future.steven.lab", NULL};
    make(&c_notyet, k_leaf, notyet_rdn, &c_root, k_root, "04", T_2030, T_2031, leaf_exts_common);

    const char *ip_rdn[] = {"CN", "cucm-ip", NULL};
    const ext ip_exts[] = {
        {NID_basic_constraints, "CA:FALSE"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "IP:10.48.36.215"},
        {0, NULL},
    };
    make(&c_ipsan, k_leaf, ip_rdn, &c_root, k_root, "05", T_2022, T_2027, ip_exts);

    const char *wild_rdn[] = {"CN", "*.steven.lab", NULL};
    const ext wild_exts[] = {
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "DNS:*.steven.lab"},
        {0, NULL},
    };
    make(&c_wild, k_leaf, wild_rdn, &c_root, k_root, "06", T_2022, T_2027, wild_exts);

    /* For the TLS server purpose: a client-only certificate. */
    const char *client_rdn[] = {"CN", "client.steven.lab", NULL};
    const ext client_exts[] = {
        {NID_ext_key_usage, "clientAuth"},
        {NID_subject_alt_name, "DNS:client.steven.lab"},
        {0, NULL},
    };
    make(&c_client, k_leaf, client_rdn, &c_root, k_root, "07", T_2022, T_2027, client_exts);

    make_bare();
    make_nul();
    ERR_clear_error();
}

static void made_free(made *m)
{
    X509_free(m->x);
    OPENSSL_free(m->der);
    memset(m, 0, sizeof *m);
}

static void teardown(void)
{
    made *all[] = {&c_article, &c_root, &c_inter, &c_leaf, &c_ec, &c_expired,
                   &c_notyet, &c_ipsan, &c_wild, &c_client, &c_bare, &c_nul};
    for (size_t i = 0; i < EW_ARRAY_LEN(all); i++)
        made_free(all[i]);
    EVP_PKEY *keys[] = {k_root, k_inter, k_leaf, k_article, k_ec};
    for (size_t i = 0; i < EW_ARRAY_LEN(keys); i++)
        EVP_PKEY_free(keys[i]);
}

/* --------------------------------------------------- independent answers */

static void hex(char *out, const unsigned char *p, size_t n, bool upper)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, upper ? "%02X" : "%02x", p[i]);
    out[2 * n] = '\0';
}

static void sha256_of(const made *m, char out[HEX_MAX])
{
    unsigned char md[SHA256_LEN];
    unsigned int n = 0;
    ck_assert_int_eq(X509_digest(m->x, EVP_sha256(), md, &n), 1);
    ck_assert_uint_eq(n, SHA256_LEN);
    hex(out, md, n, false);
}

/* What subjectKeyIdentifier=hash holds: SHA-1 of the public key bits. */
static void key_hash_of(const made *m, char out[HEX_MAX])
{
    unsigned char md[SHA1_LEN];
    unsigned int n = 0;
    ck_assert_int_eq(X509_pubkey_digest(m->x, EVP_sha1(), md, &n), 1);
    hex(out, md, n, true);
}

static void parse_ok(const made *m, ew_cert_info *ci)
{
    ew_err err = {0, ""};
    ck_assert_msg(ew_cert_parse(m->der, m->len, ci, &err) == 0, "parse: %s", err.msg);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}

/* ------------------------------------------------------------- the fields */

START_TEST(test_article_fields)
{
    ew_cert_info ci;
    char want[HEX_MAX];
    parse_ok(&c_article, &ci);
    ck_assert_str_eq(ci.subject, ARTICLE_SUBJECT);
    ck_assert_str_eq(ci.issuer, ARTICLE_SUBJECT);
    ck_assert_str_eq(ci.subject_cn, "cucm-ms.steven.lab");
    ck_assert_str_eq(ci.issuer_cn, "cucm-ms.steven.lab");
    ck_assert_uint_eq(ci.ndns, 2);
    ck_assert_str_eq(ci.dns[0], "cucm.steven.lab");
    ck_assert_str_eq(ci.dns[1], "steven.lab");
    ck_assert_uint_eq(ci.nips, 0);
    ck_assert_ptr_null(ci.ips);
    ck_assert_str_eq(ci.serial, ARTICLE_SERIAL);
    ck_assert_int_eq(ci.not_before, US(T_2022));
    ck_assert_int_eq(ci.not_after, US(T_2027));
    /* Self-signed although its key usage has no keyCertSign. */
    ck_assert(ci.self_signed);
    ck_assert(!ci.is_ca);
    ck_assert_str_eq(ci.key_type, "RSA");
    ck_assert_int_eq(ci.key_bits, RSA_BITS);
    ck_assert_str_eq(ci.curve, "");
    ck_assert_str_eq(ci.sig_alg, "sha256WithRSAEncryption");
    sha256_of(&c_article, want);
    ck_assert_str_eq(ci.sha256, want);
    key_hash_of(&c_article, want);
    ck_assert_str_eq(ci.ski, want);
    ck_assert_str_eq(ci.aki, want);
    ew_cert_info_free(&ci);
    ck_assert_ptr_null(ci.dns);
    ck_assert_uint_eq(ci.ndns, 0);
    ew_cert_info_free(&ci); /* twice is harmless */
}
END_TEST

START_TEST(test_chain_fields)
{
    ew_cert_info root, inter, leaf;
    char want[HEX_MAX];
    parse_ok(&c_root, &root);
    parse_ok(&c_inter, &inter);
    parse_ok(&c_leaf, &leaf);

    ck_assert_str_eq(root.subject, ROOT_SUBJECT);
    ck_assert_str_eq(root.issuer, ROOT_SUBJECT);
    ck_assert_str_eq(root.subject_cn, "steven-DC-CA");
    ck_assert_str_eq(root.serial, "01");
    ck_assert_int_eq(root.not_before, US(T_2015));
    ck_assert_int_eq(root.not_after, US(T_2045));
    ck_assert(root.self_signed);
    ck_assert(root.is_ca);
    ck_assert_uint_eq(root.ndns + root.nips, 0);
    key_hash_of(&c_root, want);
    ck_assert_str_eq(root.ski, want);
    ck_assert_str_eq(root.aki, root.ski);

    ck_assert_str_eq(inter.subject, INTER_SUBJECT);
    ck_assert_str_eq(inter.issuer, ROOT_SUBJECT);
    ck_assert_str_eq(inter.subject_cn, "steven-Issuing-CA");
    ck_assert_str_eq(inter.issuer_cn, "steven-DC-CA");
    ck_assert_str_eq(inter.serial, "1000");
    ck_assert_int_eq(inter.not_before, US(T_2016));
    ck_assert_int_eq(inter.not_after, US(T_2040));
    ck_assert(!inter.self_signed);
    ck_assert(inter.is_ca);
    key_hash_of(&c_inter, want);
    ck_assert_str_eq(inter.ski, want);
    ck_assert_str_eq(inter.aki, root.ski);

    ck_assert_str_eq(leaf.subject, LEAF_SUBJECT);
    ck_assert_str_eq(leaf.issuer, INTER_SUBJECT);
    ck_assert_str_eq(leaf.subject_cn, "cucm.steven.lab");
    ck_assert_str_eq(leaf.issuer_cn, "steven-Issuing-CA");
    ck_assert_uint_eq(leaf.ndns, 2);
    ck_assert_str_eq(leaf.dns[0], "cucm.steven.lab");
    ck_assert_str_eq(leaf.dns[1], "cucm-ms.steven.lab");
    ck_assert_str_eq(leaf.serial, "2A");
    ck_assert_int_eq(leaf.not_before, US(T_2022));
    ck_assert_int_eq(leaf.not_after, US(T_2060));
    ck_assert(!leaf.self_signed);
    ck_assert(!leaf.is_ca);
    ck_assert_str_eq(leaf.key_type, "RSA");
    ck_assert_int_eq(leaf.key_bits, RSA_BITS);
    ck_assert_str_eq(leaf.sig_alg, "sha256WithRSAEncryption");
    sha256_of(&c_leaf, want);
    ck_assert_str_eq(leaf.sha256, want);
    key_hash_of(&c_leaf, want);
    ck_assert_str_eq(leaf.ski, want);
    ck_assert_str_eq(leaf.aki, inter.ski);
    ck_assert_str_ne(leaf.ski, leaf.aki);

    ew_cert_info_free(&root);
    ew_cert_info_free(&inter);
    ew_cert_info_free(&leaf);
}
END_TEST

START_TEST(test_ec_fields)
{
    ew_cert_info ci;
    char want[HEX_MAX];
    parse_ok(&c_ec, &ci);
    ck_assert_str_eq(ci.subject, EC_SUBJECT);
    ck_assert_str_eq(ci.issuer, EC_SUBJECT);
    ck_assert_str_eq(ci.subject_cn, "cucm-ms-EC.steven.lab");
    ck_assert_uint_eq(ci.ndns, 1);
    ck_assert_str_eq(ci.dns[0], "cucm-ms.steven.lab");
    ck_assert_str_eq(ci.serial, "0EC0");
    ck_assert_int_eq(ci.not_before, US(T_2022));
    ck_assert_int_eq(ci.not_after, US(T_2027));
    ck_assert(ci.self_signed);
    ck_assert(!ci.is_ca);
    ck_assert_str_eq(ci.key_type, "EC");
    ck_assert_int_eq(ci.key_bits, EC_BITS);
    ck_assert_str_eq(ci.curve, "prime256v1");
    ck_assert_str_eq(ci.sig_alg, "ecdsa-with-SHA256");
    sha256_of(&c_ec, want);
    ck_assert_str_eq(ci.sha256, want);
    key_hash_of(&c_ec, want);
    ck_assert_str_eq(ci.ski, want);
    ck_assert_str_eq(ci.aki, ""); /* none was added */
    ew_cert_info_free(&ci);
}
END_TEST

START_TEST(test_other_fields)
{
    ew_cert_info ci;
    parse_ok(&c_expired, &ci);
    ck_assert_str_eq(ci.subject, "CN=expired.steven.lab");
    ck_assert_str_eq(ci.issuer, ROOT_SUBJECT);
    ck_assert_int_eq(ci.not_before, US(T_2020));
    ck_assert_int_eq(ci.not_after, US(T_2021));
    ck_assert_uint_eq(ci.ndns, 0);
    ew_cert_info_free(&ci);

    parse_ok(&c_notyet, &ci);
    ck_assert_int_eq(ci.not_before, US(T_2030));
    ck_assert_int_eq(ci.not_after, US(T_2031));
    ew_cert_info_free(&ci);

    parse_ok(&c_ipsan, &ci);
    ck_assert_str_eq(ci.subject_cn, "cucm-ip");
    ck_assert_uint_eq(ci.ndns, 0);
    ck_assert_uint_eq(ci.nips, 1);
    ck_assert_str_eq(ci.ips[0], "10.48.36.215");
    ck_assert_str_eq(ci.ski, "");
    ck_assert_str_eq(ci.aki, "");
    ew_cert_info_free(&ci);
    ck_assert_ptr_null(ci.ips);

    parse_ok(&c_wild, &ci);
    ck_assert_str_eq(ci.subject_cn, "*.steven.lab");
    ck_assert_uint_eq(ci.ndns, 1);
    ck_assert_str_eq(ci.dns[0], "*.steven.lab");
    ew_cert_info_free(&ci);
}
END_TEST

/* v1, no extensions, negative serial, a time before 1970, a subject too
 * long for its field. */
START_TEST(test_bare_fields)
{
    ew_cert_info ci;
    parse_ok(&c_bare, &ci);
    ck_assert_uint_eq(strlen(ci.subject), EW_NAME_MAX - 1);
    ck_assert_str_eq(ci.subject + EW_NAME_MAX - 4, "...");
    ck_assert_int_eq(strncmp(ci.subject, "CN=bare.steven.lab,OU=xxxx", 26), 0);
    ck_assert_str_eq(ci.subject, ci.issuer);
    ck_assert_str_eq(ci.subject_cn, "bare.steven.lab");
    ck_assert_str_eq(ci.serial, "-05");
    ck_assert_int_eq(ci.not_before, US(T_1969_LAST_SEC));
    ck_assert_int_eq(ci.not_after, US(T_2027));
    ck_assert(ci.self_signed);
    ck_assert(!ci.is_ca);
    ck_assert_uint_eq(ci.ndns + ci.nips, 0);
    ck_assert_str_eq(ci.ski, "");
    ck_assert_str_eq(ci.aki, "");
    ck_assert_str_eq(ci.key_type, "EC");
    ew_cert_info_free(&ci);
}
END_TEST

START_TEST(test_nul_in_dns_san)
{
    ew_cert_info ci;
    parse_ok(&c_nul, &ci);
    ck_assert_uint_eq(ci.ndns, 1);
    ck_assert_str_eq(ci.dns[0], "cucm.steven.lab\\x00.evil.example");
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.lab"), EW_NAME_ABSENT);
    ew_cert_info_free(&ci);
}
END_TEST

/* --------------------------------------------------------- broken input */

static void parse_fails(const uint8_t *der, size_t len, const char *words)
{
    ew_cert_info ci;
    ew_err err = {0, ""};
    memset(&ci, 0x5a, sizeof ci);
    ck_assert_int_eq(ew_cert_parse(der, len, &ci, &err), EWDIAG_EFORMAT);
    ck_assert_msg(strstr(err.msg, words) != NULL, "error \"%s\" lacks \"%s\"", err.msg, words);
    /* Left empty, and safe to free. */
    ck_assert_ptr_null(ci.dns);
    ck_assert_ptr_null(ci.ips);
    ck_assert_uint_eq(ci.ndns + ci.nips, 0);
    ew_cert_info_free(&ci);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}

START_TEST(test_bad_der)
{
    static const uint8_t garbage[] = "this is not a certificate at all";
    /* SEQUENCE claiming 2 GB with 2 bytes behind it. */
    static const uint8_t huge_claim[HUGE_DER_HEADER_LEN] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff};
    ERR_clear_error();
    parse_fails(garbage, sizeof garbage - 1, "not a DER certificate");
    parse_fails(huge_claim, sizeof huge_claim, "not a DER certificate");
    parse_fails(c_article.der, c_article.len - 1, "not a DER certificate");
    parse_fails(c_article.der, c_article.len / 2, "not a DER certificate");
    parse_fails(c_article.der, 1, "not a DER certificate");
    parse_fails(c_article.der, 0, "empty");
    parse_fails(NULL, 0, "empty");
    parse_fails(c_article.der, SIZE_MAX, "too large");
    parse_fails(c_article.der, (size_t)LONG_MAX + 1, "too large");

    uint8_t *more = malloc(c_article.len + 2);
    ck_assert_ptr_nonnull(more);
    memcpy(more, c_article.der, c_article.len);
    more[c_article.len] = 0;
    more[c_article.len + 1] = 0;
    parse_fails(more, c_article.len + 2, "2 bytes of garbage after the DER certificate");
    free(more);

    /* One bad certificate does not spoil the next. */
    ew_cert_info ci;
    parse_ok(&c_article, &ci);
    ck_assert_str_eq(ci.subject_cn, "cucm-ms.steven.lab");
    ew_cert_info_free(&ci);

    /* NULL out, NULL err: refused without a crash. */
    ck_assert_int_eq(ew_cert_parse(c_article.der, c_article.len, NULL, NULL), EWDIAG_EINVAL);
    ck_assert_int_eq(ew_cert_parse(garbage, sizeof garbage - 1, &ci, NULL), EWDIAG_EFORMAT);
}
END_TEST

/* A stale OpenSSL error of the thread does not fail a good certificate,
 * and a failure leaves none behind. */
START_TEST(test_error_queue_clean)
{
    static const uint8_t garbage[] = {0x30, 0x03, 0x02, 0x01};
    ew_cert_info ci;
    ew_err err = {0, ""};
    ERR_raise(ERR_LIB_USER, ERR_R_PASSED_NULL_PARAMETER);
    ck_assert_int_eq(ew_cert_parse(c_leaf.der, c_leaf.len, &ci, &err), 0);
    ew_cert_info_free(&ci);
    ck_assert_uint_eq(ERR_peek_error(), 0);
    ERR_raise(ERR_LIB_USER, ERR_R_PASSED_NULL_PARAMETER);
    ck_assert_int_eq(ew_cert_parse(garbage, sizeof garbage, &ci, &err), EWDIAG_EFORMAT);
    /* The cause, not OpenSSL's wrapper of it, and not the stale error. */
    ck_assert_str_eq(err.msg, "not a DER certificate (4 bytes): too long");
    ck_assert_uint_eq(ERR_peek_error(), 0);
}
END_TEST

/* ------------------------------------------------------------- the names */

START_TEST(test_names_article)
{
    ew_cert_info ci;
    parse_ok(&c_article, &ci);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.lab"), EW_NAME_DNS_SAN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "CUCM.Steven.LAB"), EW_NAME_DNS_SAN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "steven.lab"), EW_NAME_DNS_SAN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.lab."), EW_NAME_DNS_SAN);
    /* The CN counts though the certificate has DNS SANs. */
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm-ms.steven.lab"), EW_NAME_CN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "CUCM-MS.STEVEN.LAB"), EW_NAME_CN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "10.48.36.215"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm2.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.la"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "x.cucm.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, ""), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, NULL), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(NULL, "cucm.steven.lab"), EW_NAME_ABSENT);
    ew_cert_info_free(&ci);
}
END_TEST

START_TEST(test_names_wildcard)
{
    ew_cert_info ci;
    parse_ok(&c_wild, &ci);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.lab"), EW_NAME_DNS_SAN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "IMP.STEVEN.lab"), EW_NAME_DNS_SAN);
    ck_assert_int_eq(ew_cert_name_match(&ci, "a.b.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, ".steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.other.lab"), EW_NAME_ABSENT);
    ew_cert_info_free(&ci);

    /* Hand-made: where the '*' may not stand. */
    char *dns[] = {"f*.steven.lab", "*.lab", "a.*.steven.lab", "*"};
    ew_cert_info h;
    memset(&h, 0, sizeof h);
    h.dns = dns;
    h.ndns = EW_ARRAY_LEN(dns);
    ck_assert_int_eq(ew_cert_name_match(&h, "foo.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&h, "steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&h, "a.x.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&h, "lab"), EW_NAME_ABSENT);
    /* A wildcard never stands for an address. */
    char *wild_ip[] = {"*.48.36.215"};
    h.dns = wild_ip;
    h.ndns = 1;
    ck_assert_int_eq(ew_cert_name_match(&h, "10.48.36.215"), EW_NAME_ABSENT);
}
END_TEST

START_TEST(test_names_ip)
{
    ew_cert_info ci;
    parse_ok(&c_ipsan, &ci);
    ck_assert_int_eq(ew_cert_name_match(&ci, "10.48.36.215"), EW_NAME_IP_SAN_ONLY);
    ck_assert_int_eq(ew_cert_name_match(&ci, "10.48.36.216"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm.steven.lab"), EW_NAME_ABSENT);
    ck_assert_int_eq(ew_cert_name_match(&ci, "cucm-ip"), EW_NAME_CN);
    ew_cert_info_free(&ci);

    /* The address as text in a DNS SAN or the CN passes. */
    char *dns_ip[] = {"cucm.steven.lab", "10.48.36.215"};
    char *ips[] = {"10.48.36.215", "2001:db8::d7"};
    ew_cert_info h;
    memset(&h, 0, sizeof h);
    h.dns = dns_ip;
    h.ndns = EW_ARRAY_LEN(dns_ip);
    h.ips = ips;
    h.nips = EW_ARRAY_LEN(ips);
    ck_assert_int_eq(ew_cert_name_match(&h, "10.48.36.215"), EW_NAME_DNS_SAN);
    h.ndns = 1;
    snprintf(h.subject_cn, sizeof h.subject_cn, "10.48.36.215");
    ck_assert_int_eq(ew_cert_name_match(&h, "10.48.36.215"), EW_NAME_CN);
    h.subject_cn[0] = '\0';
    ck_assert_int_eq(ew_cert_name_match(&h, "10.48.36.215"), EW_NAME_IP_SAN_ONLY);
    /* IPv6, compared as bytes whatever the spelling. */
    ck_assert_int_eq(ew_cert_name_match(&h, "2001:DB8:0:0:0:0:0:D7"), EW_NAME_IP_SAN_ONLY);
    ck_assert_int_eq(ew_cert_name_match(&h, "[2001:db8::d7]"), EW_NAME_IP_SAN_ONLY);
    ck_assert_int_eq(ew_cert_name_match(&h, "2001:db8::d8"), EW_NAME_ABSENT);
    /* The same 4 bytes as IPv4-mapped IPv6 are another address. */
    ck_assert_int_eq(ew_cert_name_match(&h, "::ffff:10.48.36.215"), EW_NAME_ABSENT);
    snprintf(h.subject_cn, sizeof h.subject_cn, "2001:db8:0::D7");
    ck_assert_int_eq(ew_cert_name_match(&h, "2001:db8::d7"), EW_NAME_CN);
}
END_TEST

/* ------------------------------------------------------------- the store */

static char *pem_of(const made *const *certs, size_t n, bool with_key, size_t *len)
{
    BIO *b = BIO_new(BIO_s_mem());
    ck_assert_ptr_nonnull(b);
    ck_assert_int_gt(BIO_puts(b, "# Expressway trusted CA list\n"), 0);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(PEM_write_bio_X509(b, certs[i]->x), 1);
        if (with_key && i == 0)
            ck_assert_int_eq(
                PEM_write_bio_PrivateKey(b, k_leaf, NULL, NULL, 0, NULL, NULL), 1);
    }
    char *p = NULL;
    long got = BIO_get_mem_data(b, &p);
    ck_assert_int_gt(got, 0);
    char *s = malloc((size_t)got + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, p, (size_t)got);
    s[got] = '\0';
    *len = (size_t)got;
    BIO_free(b);
    return s;
}

static ew_trust *store_of(const made *const *certs, size_t n)
{
    size_t len = 0, got = 0;
    char *pem = n ? pem_of(certs, n, false, &len) : NULL;
    ew_trust *t = NULL;
    ew_err err = {0, ""};
    ck_assert_msg(ew_trust_load_pem(&t, pem ? pem : "", len, &got, &err) == 0, "%s",
                  err.msg);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(got, n);
    free(pem);
    return t;
}

static void load_fails(const char *pem, const char *words)
{
    ew_trust *t = (ew_trust *)&t; /* must come back NULL */
    size_t n = 99;
    ew_err err = {0, ""};
    ck_assert_int_eq(ew_trust_load_pem(&t, pem, strlen(pem), &n, &err), EWDIAG_EFORMAT);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(strstr(err.msg, words) != NULL, "error \"%s\" lacks \"%s\"", err.msg, words);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}

START_TEST(test_store_load)
{
    ERR_clear_error();
    const made *two[] = {&c_root, &c_inter};
    size_t len = 0, n = 0;
    char *pem = pem_of(two, 2, true, &len);
    ck_assert_ptr_nonnull(strstr(pem, "PRIVATE KEY"));
    ew_trust *t = NULL;
    ew_err err = {0, ""};
    ck_assert_msg(ew_trust_load_pem(&t, pem, len, &n, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ERR_peek_error(), 0);
    ew_trust_free(t);
    free(pem);

    /* Nothing, or text without PEM: an empty store. */
    ck_assert_int_eq(ew_trust_load_pem(&t, "", 0, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ew_trust_free(t);
    ck_assert_int_eq(ew_trust_load_pem(&t, NULL, 0, NULL, &err), 0);
    ew_trust_free(t);
    ck_assert_int_eq(ew_trust_load_pem(&t, "no PEM here\n", 12, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ew_trust_free(t);
    ew_trust_free(NULL);
    ck_assert_int_eq(ew_trust_load_pem(NULL, "", 0, &n, &err), EWDIAG_EINVAL);
}
END_TEST

START_TEST(test_store_broken)
{
    ERR_clear_error();
    load_fails("-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n",
               "PEM block after certificate 0 is broken");
    load_fails("-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n", "broken");
    /* Good base64, no certificate inside. */
    load_fails("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
               "PEM certificate 1: not a DER certificate inside");
    /* An encrypted certificate block: refused, no pass phrase asked. */
    load_fails("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n"
               "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n"
               "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
               "broken");

    /* A good certificate, then a broken one: the count says where. */
    const made *one[] = {&c_root};
    size_t len = 0;
    char *good = pem_of(one, 1, false, &len);
    const char bad[] = "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n";
    char *both = malloc(len + sizeof bad);
    ck_assert_ptr_nonnull(both);
    memcpy(both, good, len);
    memcpy(both + len, bad, sizeof bad);
    load_fails(both, "after certificate 1");
    free(both);
    free(good);
}
END_TEST

/* --------------------------------------------------------------- verdicts */

typedef struct vcase {
    const made *chain[3];
    size_t n;
    int64_t at;
} vcase;

static void verify(const ew_trust *t, const vcase *c, ew_verdict *v)
{
    const uint8_t *der[3];
    size_t len[3];
    for (size_t i = 0; i < c->n; i++) {
        der[i] = c->chain[i]->der;
        len[i] = c->chain[i]->len;
    }
    ew_err err = {0, ""};
    ck_assert_msg(ew_trust_verify(t, der, len, c->n, US(c->at), v, &err) == 0, "%s",
                  err.msg);
    ck_assert_uint_eq(ERR_peek_error(), 0);
}

static void expect_trusted(const ew_verdict *v)
{
    ck_assert_msg(v->trusted, "untrusted: %s at depth %d", v->error_text, v->error_depth);
    ck_assert_int_eq(v->error, X509_V_OK);
    ck_assert_str_eq(v->error_text, X509_verify_cert_error_string(X509_V_OK));
    ck_assert_int_eq(v->error_depth, -1);
    ck_assert_str_eq(v->missing_issuer, "");
}

static void expect_error(const ew_verdict *v, int error, int depth, const char *missing)
{
    ck_assert(!v->trusted);
    ck_assert_msg(v->error == error, "error %d (%s), want %d", v->error, v->error_text, error);
    ck_assert_str_eq(v->error_text, X509_verify_cert_error_string(error));
    ck_assert_int_eq(v->error_depth, depth);
    ck_assert_str_eq(v->missing_issuer, missing);
}

START_TEST(test_verify_chain)
{
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    ew_verdict v;

    vcase full = {{&c_leaf, &c_inter}, 2, T_CAPTURE};
    verify(t, &full, &v);
    expect_trusted(&v);

    /* The server did not send its intermediate, and the store lacks it. */
    vcase alone = {{&c_leaf}, 1, T_CAPTURE};
    verify(t, &alone, &v);
    expect_error(&v, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0, INTER_SUBJECT);
    ck_assert_str_eq(v.error_text, "unable to get local issuer certificate");

    /* A root sent along is not trusted for being sent. */
    vcase with_root = {{&c_leaf, &c_inter, &c_root}, 3, T_CAPTURE};
    verify(t, &with_root, &v);
    expect_trusted(&v);
    ew_trust_free(t);

    ew_trust *empty = store_of(NULL, 0);
    verify(empty, &full, &v);
    expect_error(&v, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1, ROOT_SUBJECT);
    verify(empty, &with_root, &v);
    expect_error(&v, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2, ROOT_SUBJECT);
    ew_trust_free(empty);

    /* Another CA in the store changes nothing. */
    const made *other[] = {&c_article};
    ew_trust *o = store_of(other, 1);
    verify(o, &with_root, &v);
    expect_error(&v, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2, ROOT_SUBJECT);
    ew_trust_free(o);

    /* The intermediate in the store is not enough: OpenSSL wants the root. */
    const made *inter[] = {&c_inter};
    ew_trust *i = store_of(inter, 1);
    verify(i, &alone, &v);
    expect_error(&v, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, 1, ROOT_SUBJECT);
    ew_trust_free(i);
}
END_TEST

START_TEST(test_verify_self_signed)
{
    ew_verdict v;
    vcase article = {{&c_article}, 1, T_CAPTURE};
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    verify(t, &article, &v);
    expect_error(&v, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, ARTICLE_SUBJECT);
    ew_trust_free(t);

    /* No store at all is an empty one. */
    verify(NULL, &article, &v);
    expect_error(&v, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, ARTICLE_SUBJECT);

    /* Uploaded to the store, the self-signed certificate is trusted. */
    const made *both[] = {&c_root, &c_article};
    t = store_of(both, 2);
    verify(t, &article, &v);
    expect_trusted(&v);
    vcase ec = {{&c_ec}, 1, T_CAPTURE};
    verify(t, &ec, &v);
    expect_error(&v, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0, EC_SUBJECT);
    ew_trust_free(t);

    const made *with_ec[] = {&c_ec};
    t = store_of(with_ec, 1);
    verify(t, &ec, &v);
    expect_trusted(&v);
    ew_trust_free(t);
}
END_TEST

/* Validity is judged at the time given, not now. */
START_TEST(test_verify_time)
{
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    ew_verdict v;

    vcase expired = {{&c_expired}, 1, T_CAPTURE};
    verify(t, &expired, &v);
    expect_error(&v, X509_V_ERR_CERT_HAS_EXPIRED, 0, "");
    ck_assert_str_eq(v.error_text, "certificate has expired");
    expired.at = T_2020_06;
    verify(t, &expired, &v);
    expect_trusted(&v);

    vcase notyet = {{&c_notyet}, 1, T_CAPTURE};
    verify(t, &notyet, &v);
    expect_error(&v, X509_V_ERR_CERT_NOT_YET_VALID, 0, "");
    ck_assert_str_eq(v.error_text, "certificate is not yet valid");
    notyet.at = T_2030_06;
    verify(t, &notyet, &v);
    expect_trusted(&v);

    /* The chain's CA not yet valid either: 2015 is before the intermediate. */
    vcase early = {{&c_leaf, &c_inter}, 2, T_2015 + 1};
    verify(t, &early, &v);
    ck_assert(!v.trusted);
    ck_assert_int_eq(v.error, X509_V_ERR_CERT_NOT_YET_VALID);
    ew_trust_free(t);
}
END_TEST

/* The TLS server purpose is checked: a client-only certificate fails. */
START_TEST(test_verify_purpose)
{
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    ew_verdict v;
    vcase client = {{&c_client}, 1, T_CAPTURE};
    verify(t, &client, &v);
    expect_error(&v, X509_V_ERR_INVALID_PURPOSE, 0, "");
    vcase ip = {{&c_ipsan}, 1, T_CAPTURE};
    verify(t, &ip, &v);
    expect_trusted(&v); /* the name is checked apart */
    ew_trust_free(t);
}
END_TEST

START_TEST(test_verify_bad_chain)
{
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    ew_verdict v;
    ew_err err = {0, ""};
    static const uint8_t junk[] = "junk";
    const uint8_t *der[] = {c_leaf.der, junk};
    size_t len[] = {c_leaf.len, sizeof junk - 1};
    ERR_clear_error();
    ck_assert_int_eq(ew_trust_verify(t, der, len, 2, US(T_CAPTURE), &v, &err), EWDIAG_EFORMAT);
    ck_assert_msg(strstr(err.msg, "certificate 2 of the chain: not a DER certificate") != NULL, "%s",
                  err.msg);
    ck_assert(!v.trusted);
    ck_assert_int_eq(v.error_depth, -1);
    ck_assert_uint_eq(ERR_peek_error(), 0);

    len[0] = c_leaf.len - 1;
    ck_assert_int_eq(ew_trust_verify(t, der, len, 1, US(T_CAPTURE), &v, &err), EWDIAG_EFORMAT);
    ck_assert_msg(strstr(err.msg, "certificate 1 of the chain") != NULL, "%s", err.msg);
    ck_assert_int_eq(ew_trust_verify(t, der, len, 0, US(T_CAPTURE), &v, &err), EWDIAG_EINVAL);
    ck_assert_msg(strstr(err.msg, "no certificate") != NULL, "%s", err.msg);
    ck_assert_int_eq(ew_trust_verify(t, der, len, 1, US(T_CAPTURE), NULL, &err), EWDIAG_EINVAL);
    ck_assert_uint_eq(ERR_peek_error(), 0);

    /* And the next good chain verifies. */
    vcase full = {{&c_leaf, &c_inter}, 2, T_CAPTURE};
    verify(t, &full, &v);
    expect_trusted(&v);
    ew_trust_free(t);
}
END_TEST

/* One store, several threads verifying at once. */
typedef struct worker {
    const ew_trust *t;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    const uint8_t *full[] = {c_leaf.der, c_inter.der};
    const size_t full_len[] = {c_leaf.len, c_inter.len};
    const uint8_t *self[] = {c_article.der};
    const size_t self_len[] = {c_article.len};
    for (int r = 0; r < THREAD_ROUNDS; r++) {
        ew_verdict v;
        ew_err err = {0, ""};
        ew_cert_info ci;
        if (ew_trust_verify(w->t, full, full_len, 2, US(T_CAPTURE), &v, &err) != 0
            || !v.trusted)
            w->failures++;
        if (ew_trust_verify(w->t, self, self_len, 1, US(T_CAPTURE), &v, &err) != 0
            || v.error != X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
            w->failures++;
        if (ew_cert_parse(c_article.der, c_article.len - 1, &ci, &err) != EWDIAG_EFORMAT)
            w->failures++;
        if (ew_cert_parse(c_leaf.der, c_leaf.len, &ci, &err) != 0
            || strcmp(ci.subject, LEAF_SUBJECT) != 0)
            w->failures++;
        ew_cert_info_free(&ci);
    }
    return NULL;
}

START_TEST(test_threads)
{
    const made *root[] = {&c_root};
    ew_trust *t = store_of(root, 1);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i].t = t;
        w[i].failures = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(pthread_join(th[i], NULL), 0);
        ck_assert_int_eq(w[i].failures, 0);
    }
    ew_trust_free(t);
}
END_TEST

Suite *ew_test_suite(void)
{
    Suite *s = suite_create("x509");
    TCase *tc = tcase_create("core");
    /* Keys are made once, before the tests fork. */
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_article_fields);
    tcase_add_test(tc, test_chain_fields);
    tcase_add_test(tc, test_ec_fields);
    tcase_add_test(tc, test_other_fields);
    tcase_add_test(tc, test_bare_fields);
    tcase_add_test(tc, test_nul_in_dns_san);
    tcase_add_test(tc, test_bad_der);
    tcase_add_test(tc, test_error_queue_clean);
    tcase_add_test(tc, test_names_article);
    tcase_add_test(tc, test_names_wildcard);
    tcase_add_test(tc, test_names_ip);
    tcase_add_test(tc, test_store_load);
    tcase_add_test(tc, test_store_broken);
    tcase_add_test(tc, test_verify_chain);
    tcase_add_test(tc, test_verify_self_signed);
    tcase_add_test(tc, test_verify_time);
    tcase_add_test(tc, test_verify_purpose);
    tcase_add_test(tc, test_verify_bad_chain);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    return s;
}
