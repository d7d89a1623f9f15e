/* kind_skip.c - kinds that are listed but not read. */
#include "scan/scan_int.h"

static bool ew_is_server_cert_name(const char *base)
{
    return ew_name_has_suffix(base, ".pem") && ew_name_has_prefix(base, "server_");
}

const ew_kind ew_kind_server_cert = {
    .role = EW_ROLE_SERVER_CERT,
    .mode = EW_KIND_SKIP,
    .match = ew_is_server_cert_name,
    .skip_reason = "Expressway-C's own certificate: not needed for this analysis",
};
