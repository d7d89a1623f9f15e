/* facts.c - the codes of explanations and their parameters. */
#include "rules/facts.h"

#include <stdlib.h>

const ew_fact_def ew_fact_defs[EW_FACT_COUNT] = {
    [EW_FACT_TLS13_HIDDEN] = {"tls13-hidden", {NULL}},
    [EW_FACT_TLS13_HIDDEN_EARLIER] = {"tls13-hidden-earlier", {NULL}},
    [EW_FACT_RESUMED] = {"resumed", {"time", NULL}},
    [EW_FACT_RESUMED_NO_FULL] = {"resumed-no-full", {NULL}},
    [EW_FACT_CUT] = {"cut", {NULL}},
    [EW_FACT_CUT_EARLIER] = {"cut-earlier", {NULL}},
    [EW_FACT_CLIENT_ALERT] = {"client-alert", {"alert", "code", NULL}},
    [EW_FACT_CLIENT_ALERT_UNKNOWN_CA] = {"client-alert-unknown-ca", {"alert", "code", NULL}},
    [EW_FACT_UNREADABLE] = {"unreadable", {"error", NULL}},
    [EW_FACT_VERIFY_FAILED] = {"verify-failed", {"error", NULL}},
    [EW_FACT_TRUSTED] = {"trusted", {"store", "count", "count_s", NULL}},
    [EW_FACT_UNTRUSTED] = {"untrusted", {"store", "count", "count_s", "error", "depth", NULL}},
    [EW_FACT_ISSUER_MISSING] = {"issuer-missing", {"issuer", NULL}},
    [EW_FACT_PRESENTED] = {"presented", {"time", "subject", "issuer", "key_type", "key_bits", NULL}},
    [EW_FACT_PRESENTED_EARLIER] = {"presented-earlier",
                                   {"time", "subject", "issuer", "key_type", "key_bits", NULL}},
    [EW_FACT_SELF_SIGNED] = {"self-signed", {NULL}},
    [EW_FACT_ECDSA_PREFERRED] = {"ecdsa-preferred", {NULL}},
    [EW_FACT_RSA_SIBLING] = {"rsa-sibling", {"subject", "issuer", NULL}},
    [EW_FACT_EXPIRED] = {"expired", {"date", NULL}},
    [EW_FACT_NOT_YET_VALID] = {"not-yet-valid", {"date", NULL}},
    [EW_FACT_NAME_ABSENT] = {"name-absent", {"name", "dns", "cn", NULL}},
    [EW_FACT_IP_SAN_ONLY] = {"ip-san-only", {"name", "dns", NULL}},
    [EW_FACT_FORECAST_BEFORE_UPGRADE] = {"forecast-before-upgrade", {"node", "version", NULL}},
    [EW_FACT_FORECAST_VERIFY_OFF] = {"forecast-verify-off", {"node", NULL}},
    [EW_FACT_FORECAST_CONTINUE_ONLY] = {"forecast-continue-only", {"node", NULL}},
    [EW_FACT_FORECAST_UNKNOWN] = {"forecast-unknown", {"node", NULL}},
    [EW_FACT_EXPIRES_SOON] = {"expires-soon", {"date", "days", "days_s", NULL}},
};

ew_fact_code ew_fact_code_of(const char *name)
{
    for (int i = 0; i < EW_FACT_COUNT; i++)
        if (strcmp(ew_fact_defs[i].name, name) == 0)
            return (ew_fact_code)i;
    return EW_FACT_COUNT;
}

int ew_fact_param(ew_fact_code code, const char *name, size_t n)
{
    const ew_fact_def *d = &ew_fact_defs[code];
    for (int i = 0; i < EW_FACT_MAX_PARAMS && d->params[i]; i++)
        if (strlen(d->params[i]) == n && memcmp(d->params[i], name, n) == 0)
            return i;
    return -1;
}

void ew_fact_clear(ew_fact *f)
{
    for (size_t i = 0; i < EW_FACT_MAX_PARAMS; i++) {
        free(f->param[i]);
        f->param[i] = NULL;
    }
}
