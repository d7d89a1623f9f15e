/* facts.h - the vocabulary of explanations: what the analysis can say of a
 * finding beyond its rule (the certificate presented, the trust verdict,
 * the name check...), each a fact with a stable code and named parameters.
 * Their wording is data (rules/explanations.json, texts.h), not code. */
#ifndef EW_FACTS_H
#define EW_FACTS_H

#include "core/ew.h"

#define EW_FACT_MAX_PARAMS 6

typedef enum ew_fact_code {
    EW_FACT_TLS13_HIDDEN,
    EW_FACT_TLS13_HIDDEN_EARLIER,
    EW_FACT_RESUMED,
    EW_FACT_RESUMED_NO_FULL,
    EW_FACT_CUT,
    EW_FACT_CUT_EARLIER,
    EW_FACT_CLIENT_ALERT,
    EW_FACT_CLIENT_ALERT_UNKNOWN_CA,
    EW_FACT_UNREADABLE,
    EW_FACT_VERIFY_FAILED,
    EW_FACT_TRUSTED,
    EW_FACT_UNTRUSTED,
    EW_FACT_ISSUER_MISSING,
    EW_FACT_PRESENTED,
    EW_FACT_PRESENTED_EARLIER,
    EW_FACT_SELF_SIGNED,
    EW_FACT_ECDSA_PREFERRED,
    EW_FACT_RSA_SIBLING,
    EW_FACT_EXPIRED,
    EW_FACT_NOT_YET_VALID,
    EW_FACT_NAME_ABSENT,
    EW_FACT_IP_SAN_ONLY,
    EW_FACT_FORECAST_BEFORE_UPGRADE,
    EW_FACT_FORECAST_VERIFY_OFF,
    EW_FACT_FORECAST_CONTINUE_ONLY,
    EW_FACT_FORECAST_UNKNOWN,
    EW_FACT_EXPIRES_SOON,
    EW_FACT_COUNT
} ew_fact_code;

/* A code's name ("self-signed") and its parameters, in order. */
typedef struct ew_fact_def {
    const char *name;
    const char *params[EW_FACT_MAX_PARAMS]; /* NULL-terminated when fewer */
} ew_fact_def;

extern const ew_fact_def ew_fact_defs[EW_FACT_COUNT];

/* The code of a name; EW_FACT_COUNT when unknown. */
ew_fact_code ew_fact_code_of(const char *name);
/* The index of a parameter of code; -1 when it has none of that name. */
int ew_fact_param(ew_fact_code code, const char *name, size_t n);

/* A fact, said of a finding: its parameters' values in the definition's
 * order (owned; NULL for ""). */
typedef struct ew_fact {
    ew_fact_code code;
    char *param[EW_FACT_MAX_PARAMS];
} ew_fact;

void ew_fact_clear(ew_fact *f);

#endif /* EW_FACTS_H */
