/* x509_int.h - what the files of the x509 stage share. */
#ifndef EW_X509_INT_H
#define EW_X509_INT_H

/* Refuse, at compile time, any API that OpenSSL 3 deprecates. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <openssl/x509.h>

#include "x509/x509.h"

/* OpenSSL's reason for the failure, for a message; never NULL. */
const char *ew_ossl_reason(void);
/* RFC 2253 one-line form of a name into out, "..." when cut; false when
 * OpenSSL cannot print it. */
bool ew_name_rfc2253(const X509_NAME *name, char *out, size_t cap);
/* Exactly len bytes of DER as a certificate; NULL with err set
 * (EWDIAG_EFORMAT) when they are not one. */
X509 *ew_d2i(const uint8_t *der, size_t len, ew_err *err);

#endif /* EW_X509_INT_H */
