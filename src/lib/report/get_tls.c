/* get_tls.c - the public getters of TLS servers, chains and certificates.
 * A NULL chain or certificate reads as empty, so that getters chain. */
#include "report/report.h"

const char *ewdiag_tls_server_address(const ewdiag_tls_server *s) { return s->address; }
unsigned ewdiag_tls_server_port(const ewdiag_tls_server *s) { return s->port; }
uint64_t ewdiag_tls_server_handshakes(const ewdiag_tls_server *s) { return s->handshakes; }
uint64_t ewdiag_tls_server_alerts(const ewdiag_tls_server *s) { return s->alerts; }

uint64_t ewdiag_tls_server_handshakes_by(const ewdiag_tls_server *s, ewdiag_cert_seen seen)
{
    switch (seen) {
    case EWDIAG_CERT_PRESENT: return s->certificate_messages;
    case EWDIAG_CERT_ENCRYPTED: return s->tls13;
    case EWDIAG_CERT_RESUMED: return s->resumed;
    case EWDIAG_CERT_CUT: return s->cut;
    case EWDIAG_CERT_UNSEEN: return s->unseen;
    }
    return 0;
}

size_t ewdiag_tls_server_sni_count(const ewdiag_tls_server *s) { return s->nsnis; }

const char *ewdiag_tls_server_sni(const ewdiag_tls_server *s, size_t i)
{
    return i < s->nsnis ? s->snis[i] : "";
}

size_t ewdiag_tls_server_chain_count(const ewdiag_tls_server *s) { return s->nchains; }

const ewdiag_chain *ewdiag_tls_server_chain(const ewdiag_tls_server *s, size_t i)
{
    return i < s->nchains ? s->chains[i] : NULL;
}

const ewdiag_timeline *ewdiag_tls_server_times(const ewdiag_tls_server *s)
{
    return &s->times;
}

uint64_t ewdiag_chain_seen(const ewdiag_chain *c) { return c ? c->seen : 0; }
int64_t ewdiag_chain_first_seen(const ewdiag_chain *c) { return c ? c->first_seen : 0; }
int64_t ewdiag_chain_last_seen(const ewdiag_chain *c) { return c ? c->last_seen : 0; }
int ewdiag_chain_cut(const ewdiag_chain *c) { return c && c->cut; }
const char *ewdiag_chain_error(const ewdiag_chain *c) { return c ? ew_str(c->error) : ""; }
size_t ewdiag_chain_length(const ewdiag_chain *c) { return c ? c->ncerts : 0; }

const ewdiag_cert *ewdiag_chain_cert(const ewdiag_chain *c, size_t i)
{
    return c && i < c->ncerts ? &c->certs[i] : NULL;
}

const char *ewdiag_cert_subject(const ewdiag_cert *c) { return c ? c->subject : ""; }
const char *ewdiag_cert_issuer(const ewdiag_cert *c) { return c ? c->issuer : ""; }
const char *ewdiag_cert_subject_cn(const ewdiag_cert *c) { return c ? c->subject_cn : ""; }
const char *ewdiag_cert_issuer_cn(const ewdiag_cert *c) { return c ? c->issuer_cn : ""; }
size_t ewdiag_cert_san_dns_count(const ewdiag_cert *c) { return c ? c->ndns : 0; }

const char *ewdiag_cert_san_dns(const ewdiag_cert *c, size_t i)
{
    return c && i < c->ndns ? c->dns[i] : "";
}

size_t ewdiag_cert_san_ip_count(const ewdiag_cert *c) { return c ? c->nips : 0; }

const char *ewdiag_cert_san_ip(const ewdiag_cert *c, size_t i)
{
    return c && i < c->nips ? c->ips[i] : "";
}

const char *ewdiag_cert_serial(const ewdiag_cert *c) { return c ? c->serial : ""; }
int64_t ewdiag_cert_not_before(const ewdiag_cert *c) { return c ? c->not_before : 0; }
int64_t ewdiag_cert_not_after(const ewdiag_cert *c) { return c ? c->not_after : 0; }
int ewdiag_cert_self_signed(const ewdiag_cert *c) { return c && c->self_signed; }
int ewdiag_cert_is_ca(const ewdiag_cert *c) { return c && c->is_ca; }
const char *ewdiag_cert_key_type(const ewdiag_cert *c) { return c ? c->key_type : ""; }
int ewdiag_cert_key_bits(const ewdiag_cert *c) { return c ? c->key_bits : 0; }
const char *ewdiag_cert_curve(const ewdiag_cert *c) { return c ? c->curve : ""; }
const char *ewdiag_cert_signature_algorithm(const ewdiag_cert *c) { return c ? c->sig_alg : ""; }
const char *ewdiag_cert_sha256(const ewdiag_cert *c) { return c ? c->sha256 : ""; }
const char *ewdiag_cert_ski(const ewdiag_cert *c) { return c ? c->ski : ""; }
const char *ewdiag_cert_aki(const ewdiag_cert *c) { return c ? c->aki : ""; }
