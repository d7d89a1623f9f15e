/* fuzz_x509.c - certificates and trust stores (x509.c).
 *
 * The input is parsed both ways x509.c reads certificates: as one DER
 * certificate (ew_cert_parse; then the name check with fixed names and
 * with its own SAN entries, and a verification alone and under the
 * fixtures' intermediate against their root) and as a PEM trust store
 * (ew_trust_load_pem; then the fixtures' chain is verified against it). */
#include "fuzz.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "x509/x509.h"

#define LEAF_PEM "fixtures/captures/certs/cucm-ms.pem"
#define INTERMEDIATE_PEM "fixtures/captures/certs/intermediate.pem"
#define ROOT_PEM "fixtures/captures/certs/store-root.pem"
#define ERR_LEN 256
#define T_FIXTURES INT64_C(1795337384000000) /* 2026-11-22 08:49:44 UTC */
#define ONE_SECOND INT64_C(1000000)

typedef struct der {
    unsigned char *p;
    size_t n;
} der;

static der leaf, intermediate;
static ew_trust *root;
static bool ready;

static der load_der(const char *rel)
{
    size_t len;
    char *pem = ewfuzz_read_source(rel, &len);
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    der d = {NULL, 0};
    int n = x ? i2d_X509(x, &d.p) : -1;
    if (n <= 0)
        ewfuzz_die("not a PEM certificate", rel);
    d.n = (size_t)n;
    X509_free(x);
    BIO_free(b);
    free(pem);
    return d;
}

static void setup(void)
{
    leaf = load_der(LEAF_PEM);
    intermediate = load_der(INTERMEDIATE_PEM);
    size_t len, n;
    char *pem = ewfuzz_read_source(ROOT_PEM, &len);
    ew_err err = {0, ""};
    if (ew_trust_load_pem(&root, pem, len, &n, &err) != 0 || n == 0)
        ewfuzz_die("trust store does not load", ROOT_PEM);
    free(pem);
    ready = true;
}

static void check_cert(const uint8_t *data, size_t size)
{
    ew_cert_info ci;
    ew_err err = {0, ""};
    if (ew_cert_parse(data, size, &ci, &err) != 0)
        return;
    static const char *const names[] = {"cucm.steven.lab", "10.48.36.215", "2001:db8::1",
                                        "[2001:db8::1]", "a.b.c.d.e", "*.steven.lab", "", "."};
    for (size_t i = 0; i < EW_ARRAY_LEN(names); i++)
        (void)ew_cert_name_match(&ci, names[i]);
    for (size_t i = 0; i < ci.ndns; i++)
        (void)ew_cert_name_match(&ci, ci.dns[i]);
    for (size_t i = 0; i < ci.nips; i++)
        (void)ew_cert_name_match(&ci, ci.ips[i]);
    const uint8_t *chain[2] = {data, intermediate.p};
    size_t lens[2] = {size, intermediate.n};
    ew_verdict v;
    int64_t times[] = {T_FIXTURES, ci.not_before, ci.not_before + ONE_SECOND, ci.not_after};
    for (size_t i = 0; i < EW_ARRAY_LEN(times); i++) {
        (void)ew_trust_verify(root, chain, lens, 1, times[i], &v, &err);
        (void)ew_trust_verify(root, chain, lens, 2, times[i], &v, &err);
    }
    ew_cert_info_free(&ci);
}

static void check_store(const uint8_t *data, size_t size)
{
    ew_trust *t = NULL;
    size_t n = 0;
    ew_err err = {0, ""};
    if (ew_trust_load_pem(&t, (const char *)data, size, &n, &err) != 0)
        return;
    const uint8_t *chain[2] = {leaf.p, intermediate.p};
    size_t lens[2] = {leaf.n, intermediate.n};
    ew_verdict v;
    (void)ew_trust_verify(t, chain, lens, 2, T_FIXTURES, &v, &err);
    (void)ew_trust_verify(t, chain, lens, 1, T_FIXTURES, &v, &err);
    ew_trust_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    check_cert(data, size);
    check_store(data, size);
    return 0;
}
