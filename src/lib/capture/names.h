/* names.h - TLS versions, cipher suites, alerts and certificate states by name. */
#ifndef EW_TLS_NAMES_H
#define EW_TLS_NAMES_H

#include "core/ew.h"

#define EW_TLS_NAME_MAX 48
/* "TLS 1.2"; unknown ones as "0x7f17". */
void ew_tls_version_str(uint16_t v, char out[EW_TLS_NAME_MAX]);
/* "ECDHE-RSA-AES256-GCM-SHA384" (OpenSSL's names); unknown ones as "0xc0ff". */
void ew_cipher_str(uint16_t c, char out[EW_TLS_NAME_MAX]);
/* "certificate", "encrypted", "resumed", "cut", "unseen" */
const char *ew_cert_state_name(int state);
/* "unknown_ca"; "" when not a known alert. */
const char *ew_alert_name(int alert);

#endif /* EW_TLS_NAMES_H */
