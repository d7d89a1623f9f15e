/* trust.c - a node's trust store (its ca_*.pem) and OpenSSL's verdict on a
 * chain as presented, as of the capture. Each call starts and ends with the
 * thread's OpenSSL error queue empty. */
#include "x509/x509_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/timestamp.h"

struct ew_trust {
    X509_STORE *store;
};

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
static int ew_read_pem(BIO *b, X509_STORE *store, size_t *ncerts, ew_err *err)
{
    for (;;) {
        X509 *x = PEM_read_bio_X509(b, NULL, ew_no_password, NULL);
        if (!x)
            break;
        int ok = X509_STORE_add_cert(store, x);
        X509_free(x);
        if (ok != 1)
            return ew_err_set(err, EWDIAG_EFORMAT,
                              "certificate %zu of the PEM text cannot be added to the store: %s",
                              *ncerts + 1, ew_ossl_reason());
        (*ncerts)++;
    }
    /* The loop ends on "no start line" once the text is used up; any other
     * error is a broken block. */
    unsigned long e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
        return 0;
    if (ERR_GET_LIB(ERR_peek_error()) == ERR_LIB_ASN1)
        return ew_err_set(err, EWDIAG_EFORMAT, "PEM certificate %zu: not a DER certificate inside (%s)",
                          *ncerts + 1, ew_ossl_reason());
    return ew_err_set(err, EWDIAG_EFORMAT, "PEM block after certificate %zu is broken: %s", *ncerts,
                      ew_ossl_reason());
}

int ew_trust_load_pem(ew_trust **t, const char *pem, size_t len, size_t *ncerts, ew_err *err)
{
    size_t n = 0;
    if (ncerts)
        *ncerts = 0;
    if (!t)
        return ew_err_set(err, EWDIAG_EINVAL, "trust store: no place given for it");
    *t = NULL;
    if (!pem && len)
        return ew_err_set(err, EWDIAG_EINVAL, "trust store: no PEM text given");
    if (len > INT_MAX)
        return ew_err_set(err, EWDIAG_EFORMAT, "trust store: PEM text of %zu bytes is too large", len);
    ew_trust *nt = ew_calloc(1, sizeof *nt);
    if (!nt)
        return ew_err_set(err, EWDIAG_ENOMEM, "trust store: out of memory");
    ERR_clear_error();
    int rc = 0;
    BIO *b = NULL;
    if (!(nt->store = X509_STORE_new()))
        rc = ew_err_set(err, EWDIAG_ENOMEM, "trust store: cannot create: %s", ew_ossl_reason());
    else if (len > 0 && !(b = BIO_new_mem_buf(pem, (int)len)))
        rc = ew_err_set(err, EWDIAG_ENOMEM, "trust store: cannot read the PEM text: %s",
                        ew_ossl_reason());
    else if (len > 0)
        rc = ew_read_pem(b, nt->store, &n, err);
    /* len == 0: an empty store, which trusts nothing. */
    BIO_free(b);
    ERR_clear_error();
    if (rc != 0) {
        ew_trust_free(nt);
        return rc;
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
    if (!ew_name_rfc2253(name, v->missing_issuer, sizeof v->missing_issuer))
        v->missing_issuer[0] = '\0';
}

/* Runs OpenSSL's verification as a TLS client does for a server's chain. */
static int ew_run_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted, int64_t at_us,
                         ew_verdict *v, ew_err *err)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx)
        return ew_err_set(err, EWDIAG_ENOMEM, "verification: out of memory");
    int rc = EWDIAG_EFORMAT;
    /* Whole seconds, rounded down: OpenSSL compares seconds. */
    int64_t at_s = at_us / EW_US_PER_SEC - (at_us % EW_US_PER_SEC < 0 ? 1 : 0);
    if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1
        || X509_STORE_CTX_set_default(ctx, "ssl_server") != 1
        || X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1) {
        ew_err_set(err, rc, "verification: cannot be set up: %s", ew_ossl_reason());
        goto out;
    }
    /* Also sets X509_V_FLAG_USE_CHECK_TIME: validity as of the capture. */
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)at_s);
    int ok = X509_verify_cert(ctx);
    if (ok < 0) {
        ew_err_set(err, rc, "verification: OpenSSL could not run it: %s", ew_ossl_reason());
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
                    int64_t at_us, ew_verdict *v, ew_err *err)
{
    if (!v)
        return ew_err_set(err, EWDIAG_EINVAL, "verification: no place given for the verdict");
    ew_verdict_reset(v);
    if (n == 0 || !der || !len)
        return ew_err_set(err, EWDIAG_EINVAL, "verification: the chain has no certificate");
    ERR_clear_error();
    int rc = EWDIAG_ENOMEM;
    X509 *leaf = NULL;
    X509_STORE *empty = NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    ew_err why;
    if (!untrusted) {
        ew_err_set(err, rc, "verification: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        X509 *x = ew_d2i(der[i], len[i], &why);
        if (!x) {
            rc = ew_err_set(err, EWDIAG_EFORMAT, "certificate %zu of the chain: %s", i + 1, why.msg);
            goto out;
        }
        if (i == 0) {
            leaf = x;
        } else if (!sk_X509_push(untrusted, x)) {
            X509_free(x);
            ew_err_set(err, rc, "verification: out of memory");
            goto out;
        }
    }
    /* No store at all trusts nothing, as an empty one. */
    X509_STORE *store = t ? t->store : (empty = X509_STORE_new());
    if (!store) {
        ew_err_set(err, rc, "verification: out of memory");
        goto out;
    }
    rc = ew_run_verify(store, leaf, untrusted, at_us, v, err);
out:
    if (rc != 0)
        ew_verdict_reset(v);
    X509_STORE_free(empty);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    ERR_clear_error();
    return rc;
}
