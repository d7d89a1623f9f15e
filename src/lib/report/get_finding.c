/* get_finding.c - the public getters of findings and of what the capture
 * says of a finding's server. */
#include "report/report.h"

const char *ewdiag_finding_rule(const ewdiag_finding *f)
{
    return f->rule;
}
const char *ewdiag_finding_title(const ewdiag_finding *f)
{
    return ew_str(f->title);
}
const char *ewdiag_finding_category(const ewdiag_finding *f)
{
    return ew_str(f->category);
}
ewdiag_severity ewdiag_finding_severity(const ewdiag_finding *f)
{
    return f->severity;
}
const char *ewdiag_finding_input(const ewdiag_finding *f)
{
    return ew_str(f->input);
}
const char *ewdiag_finding_node(const ewdiag_finding *f)
{
    return ew_str(f->g.node);
}
const char *ewdiag_finding_server(const ewdiag_finding *f)
{
    return ew_str(f->g.server);
}
const char *ewdiag_finding_address(const ewdiag_finding *f)
{
    return ew_str(f->g.address);
}
const char *ewdiag_finding_target(const ewdiag_finding *f)
{
    return ew_str(f->g.target);
}
size_t ewdiag_finding_related_count(const ewdiag_finding *f)
{
    return f->g.related.n;
}
const char *ewdiag_finding_related(const ewdiag_finding *f, size_t i)
{
    return ew_str(ew_ring_get(&f->g.related, i));
}
int ewdiag_finding_enforced(const ewdiag_finding *f)
{
    return f->g.enforced;
}
uint64_t ewdiag_finding_count(const ewdiag_finding *f)
{
    return f->g.count;
}
uint64_t ewdiag_finding_requests(const ewdiag_finding *f)
{
    return f->g.requests;
}
int64_t ewdiag_finding_first_seen(const ewdiag_finding *f)
{
    return f->g.first_seen;
}
int64_t ewdiag_finding_last_seen(const ewdiag_finding *f)
{
    return f->g.last_seen;
}
const char *ewdiag_finding_error(const ewdiag_finding *f)
{
    return ew_str(f->g.error);
}
int ewdiag_finding_depth(const ewdiag_finding *f)
{
    return f->g.depth;
}
const char *ewdiag_finding_description(const ewdiag_finding *f)
{
    return ew_str(f->description);
}
const char *ewdiag_finding_condition(const ewdiag_finding *f)
{
    return ew_str(f->condition);
}
const char *ewdiag_finding_workaround(const ewdiag_finding *f)
{
    return ew_str(f->workaround);
}
size_t ewdiag_finding_evidence_count(const ewdiag_finding *f)
{
    return f->g.evidence.n;
}
const char *ewdiag_finding_evidence(const ewdiag_finding *f, size_t i)
{
    return ew_str(ew_ring_get(&f->g.evidence, i));
}
size_t ewdiag_finding_explanation_count(const ewdiag_finding *f)
{
    return f->g.nexplanations;
}
const char *ewdiag_finding_explanation(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nexplanations ? f->g.explanations[i] : "";
}
size_t ewdiag_finding_action_count(const ewdiag_finding *f)
{
    return f->nactions;
}
const char *ewdiag_finding_action(const ewdiag_finding *f, size_t i)
{
    return i < f->nactions ? f->actions[i] : "";
}
size_t ewdiag_finding_defect_count(const ewdiag_finding *f)
{
    return f->ndefects;
}
const char *ewdiag_finding_defect(const ewdiag_finding *f, size_t i)
{
    return i < f->ndefects ? f->defects[i] : "";
}
size_t ewdiag_finding_port_count(const ewdiag_finding *f)
{
    return f->g.nports;
}
unsigned ewdiag_finding_port(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nports ? f->g.ports[i] : 0;
}
size_t ewdiag_finding_url_count(const ewdiag_finding *f)
{
    return f->g.nurls;
}
const char *ewdiag_finding_url(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nurls ? f->g.urls[i].url : "";
}
const char *ewdiag_finding_url_target(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nurls ? ew_str(f->g.urls[i].mra) : "";
}

size_t ewdiag_finding_variant_count(const ewdiag_finding *f)
{
    return f->g.nvariants;
}
const char *ewdiag_finding_variant_error(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nvariants ? ew_str(f->g.variants[i].error) : "";
}
int ewdiag_finding_variant_depth(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nvariants ? f->g.variants[i].depth : -1;
}
uint64_t ewdiag_finding_variant_events(const ewdiag_finding *f, size_t i)
{
    return i < f->g.nvariants ? f->g.variants[i].count : 0;
}
const ewdiag_timeline *ewdiag_finding_event_times(const ewdiag_finding *f)
{
    return &f->g.event_times;
}
const ewdiag_timeline *ewdiag_finding_request_times(const ewdiag_finding *f)
{
    return &f->g.request_times;
}

/* ---- the capture's view ---------------------------------------------- */

static bool ew_matched(const ewdiag_finding *f)
{
    return f->tls.match == EW_CAPTURE_MATCHED;
}

const char *ewdiag_finding_capture(const ewdiag_finding *f)
{
    return ew_capture_match_name(f->tls.match);
}

int64_t ewdiag_finding_tls_time(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.ts : 0;
}

unsigned ewdiag_finding_tls_port(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.port : 0;
}

const char *ewdiag_finding_tls_version(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.version_name : "";
}

const char *ewdiag_finding_tls_cipher(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.cipher_name : "";
}

const char *ewdiag_finding_tls_sni(const ewdiag_finding *f)
{
    return ew_matched(f) ? ew_str(f->tls.sni) : "";
}

int ewdiag_finding_tls_alert(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.alert : -1;
}

const char *ewdiag_finding_tls_alert_name(const ewdiag_finding *f)
{
    return ew_matched(f) && f->tls.alert >= 0 ? ew_alert_name(f->tls.alert) : "";
}

int ewdiag_finding_tls_alert_by_client(const ewdiag_finding *f)
{
    return ew_matched(f) && f->tls.alert >= 0 && f->tls.alert_by_client;
}

const char *ewdiag_finding_tls_certificate(const ewdiag_finding *f)
{
    return ew_matched(f) ? ew_cert_state_name(f->tls.cert_state) : "";
}

const ewdiag_chain *ewdiag_finding_chain(const ewdiag_finding *f)
{
    return ew_matched(f) ? f->tls.chain : NULL;
}

int ewdiag_finding_chain_earlier(const ewdiag_finding *f)
{
    return ew_matched(f) && f->tls.chain && f->tls.chain_earlier;
}

size_t ewdiag_finding_chain_length(const ewdiag_finding *f)
{
    return ewdiag_chain_length(ewdiag_finding_chain(f));
}

const char *ewdiag_finding_chain_subject(const ewdiag_finding *f, size_t i)
{
    return ewdiag_cert_subject(ewdiag_chain_cert(ewdiag_finding_chain(f), i));
}

const char *ewdiag_finding_chain_issuer(const ewdiag_finding *f, size_t i)
{
    return ewdiag_cert_issuer(ewdiag_chain_cert(ewdiag_finding_chain(f), i));
}

const char *ewdiag_finding_chain_sha256(const ewdiag_finding *f, size_t i)
{
    return ewdiag_cert_sha256(ewdiag_chain_cert(ewdiag_finding_chain(f), i));
}

const char *ewdiag_finding_name_checked(const ewdiag_finding *f)
{
    return ewdiag_finding_chain(f) ? ew_str(f->tls.name) : "";
}

const char *ewdiag_finding_name_match(const ewdiag_finding *f)
{
    const char *n = ewdiag_finding_chain(f) && f->tls.name_match >= 0
                        ? ew_name_match_name((ew_name_match)f->tls.name_match)
                        : NULL;
    return ew_str(n);
}

static bool ew_verified(const ewdiag_finding *f)
{
    return ew_matched(f) && f->tls.verified;
}

int ewdiag_finding_trusted(const ewdiag_finding *f)
{
    return ew_verified(f) ? f->tls.verdict.trusted : -1;
}

const char *ewdiag_finding_trust_store(const ewdiag_finding *f)
{
    return ew_verified(f) ? ew_str(f->tls.trust_path) : "";
}

const char *ewdiag_finding_trust_error(const ewdiag_finding *f)
{
    return ew_verified(f) && !f->tls.verdict.trusted ? f->tls.verdict.error_text : "";
}

int ewdiag_finding_trust_error_depth(const ewdiag_finding *f)
{
    return ew_verified(f) && !f->tls.verdict.trusted ? f->tls.verdict.error_depth : -1;
}

const char *ewdiag_finding_missing_issuer(const ewdiag_finding *f)
{
    return ew_verified(f) && !f->tls.verdict.trusted ? f->tls.verdict.missing_issuer : "";
}
