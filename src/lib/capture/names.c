/* names.c - TLS protocol numbers as people read them. */
#include "capture/names.h"

#include <stdio.h>

#include "capture/capture.h"

void ew_tls_version_str(uint16_t v, char out[EW_TLS_NAME_MAX])
{
    static const struct {
        uint16_t v;
        const char *name;
    } names[] = {{0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"}, {0x0302, "TLS 1.1"},
                 {0x0303, "TLS 1.2"}, {0x0304, "TLS 1.3"}};
    for (size_t i = 0; i < EW_ARRAY_LEN(names); i++) {
        if (names[i].v == v) {
            snprintf(out, EW_TLS_NAME_MAX, "%s", names[i].name);
            return;
        }
    }
    snprintf(out, EW_TLS_NAME_MAX, "0x%04x", v);
}

void ew_cipher_str(uint16_t c, char out[EW_TLS_NAME_MAX])
{
    /* The suites Expressway and Unified CM negotiate in practice. */
    static const struct {
        uint16_t id;
        const char *name;
    } names[] = {
        {0x002f, "AES128-SHA"},
        {0x0035, "AES256-SHA"},
        {0x009c, "AES128-GCM-SHA256"},
        {0x009d, "AES256-GCM-SHA384"},
        {0x009e, "DHE-RSA-AES128-GCM-SHA256"},
        {0x009f, "DHE-RSA-AES256-GCM-SHA384"},
        {0x1301, "TLS_AES_128_GCM_SHA256"},
        {0x1302, "TLS_AES_256_GCM_SHA384"},
        {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
        {0xc009, "ECDHE-ECDSA-AES128-SHA"},
        {0xc00a, "ECDHE-ECDSA-AES256-SHA"},
        {0xc013, "ECDHE-RSA-AES128-SHA"},
        {0xc014, "ECDHE-RSA-AES256-SHA"},
        {0xc023, "ECDHE-ECDSA-AES128-SHA256"},
        {0xc024, "ECDHE-ECDSA-AES256-SHA384"},
        {0xc027, "ECDHE-RSA-AES128-SHA256"},
        {0xc028, "ECDHE-RSA-AES256-SHA384"},
        {0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256"},
        {0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384"},
        {0xc02f, "ECDHE-RSA-AES128-GCM-SHA256"},
        {0xc030, "ECDHE-RSA-AES256-GCM-SHA384"},
        {0xcca8, "ECDHE-RSA-CHACHA20-POLY1305"},
        {0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305"},
    };
    for (size_t i = 0; i < EW_ARRAY_LEN(names); i++) {
        if (names[i].id == c) {
            snprintf(out, EW_TLS_NAME_MAX, "%s", names[i].name);
            return;
        }
    }
    snprintf(out, EW_TLS_NAME_MAX, "0x%04x", c);
}

const char *ew_cert_state_name(int state)
{
    switch (state) {
    case EW_CERT_PRESENT: return "certificate";
    case EW_CERT_ENCRYPTED: return "encrypted";
    case EW_CERT_RESUMED: return "resumed";
    case EW_CERT_CUT: return "cut";
    default: return "unseen";
    }
}

const char *ew_alert_name(int alert)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {0, "close_notify"},          {10, "unexpected_message"},
        {20, "bad_record_mac"},       {40, "handshake_failure"},
        {42, "bad_certificate"},      {43, "unsupported_certificate"},
        {44, "certificate_revoked"},  {45, "certificate_expired"},
        {46, "certificate_unknown"},  {47, "illegal_parameter"},
        {48, "unknown_ca"},           {49, "access_denied"},
        {50, "decode_error"},         {51, "decrypt_error"},
        {70, "protocol_version"},     {71, "insufficient_security"},
        {80, "internal_error"},       {86, "inappropriate_fallback"},
        {90, "user_canceled"},        {109, "missing_extension"},
        {112, "unrecognized_name"},   {116, "certificate_required"},
    };
    for (size_t i = 0; i < EW_ARRAY_LEN(names); i++)
        if (names[i].code == alert)
            return names[i].name;
    return "";
}
