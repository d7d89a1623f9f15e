/* correlate.c - each finding joined to the TLS handshake that failed: the
 * connection from the node to the finding's address, closest in time to
 * its warnings; then the chain's trust against the node's own trust store
 * and the name the request used, in plain words. */
#include "analysis/correlate.h"

#include "capture/names.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/timestamp.h"

#define EW_TEXT_MAX 1024
/* TLS alert that says the client did not trust the certificate's issuer. */
#define EW_ALERT_UNKNOWN_CA 48

static const ew_trust_file *ew_trust_for(const ewdiag_input *in, const char *node)
{
    for (size_t i = 0; i < in->ntrust_files; i++)
        if (strcmp(in->trust_files[i].node, node) == 0)
            return &in->trust_files[i];
    /* One store and no better match: a bundle is one node's. */
    return in->ntrust_files == 1 ? &in->trust_files[0] : NULL;
}

static bool ew_port_wanted(const ewdiag_finding *f, unsigned port)
{
    if (f->nports == 0)
        return true;
    for (size_t i = 0; i < f->nports; i++)
        if (f->ports[i] == port)
            return true;
    return false;
}

static int64_t ew_abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

/* The handshake that best stands for the finding's failures: to its
 * address (and ports, when requests named them), within the window around
 * its warnings; one the client ended with an alert first, then the one
 * closest to the latest warning. */
static const ew_hs_rec *ew_pick(const ew_inventory *inv, const ewdiag_finding *f, int64_t window)
{
    const ewdiag_input *in = inv->input;
    const ew_hs_rec *best = NULL;
    for (size_t i = 0; i < inv->n; i++) {
        const ew_hs_rec *r = &inv->recs[i];
        const ew_tls_server *s = in->tls_servers[r->server];
        if (strcmp(s->address, f->address) != 0 || !ew_port_wanted(f, s->port))
            continue;
        if (f->first_seen && (r->ts < f->first_seen - window || r->ts > f->last_seen + window))
            continue;
        if (!best) {
            best = r;
            continue;
        }
        bool ra = r->alert >= 0 && r->alert_by_client, ba = best->alert >= 0 && best->alert_by_client;
        if (ra != ba) {
            if (ra)
                best = r;
            continue;
        }
        if (ew_abs64(r->ts - f->last_seen) < ew_abs64(best->ts - f->last_seen))
            best = r;
    }
    return best;
}

/* The last handshake to the same server, at or before r, that carried a
 * chain: resumed and TLS 1.3 handshakes show none of their own. */
static const ew_hs_rec *ew_last_full(const ew_inventory *inv, const ew_hs_rec *r)
{
    const ew_hs_rec *best = NULL;
    for (size_t i = 0; i < inv->n; i++) {
        const ew_hs_rec *x = &inv->recs[i];
        if (x->server == r->server && x->chain != EW_NO_CHAIN && x->ts <= r->ts &&
            (!best || x->ts >= best->ts))
            best = x;
    }
    return best;
}

static int ew_say(ewdiag_finding *f, const char *fmt, ...) EW_PRINTF(2, 3);
static int ew_say(ewdiag_finding *f, const char *fmt, ...)
{
    char text[EW_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return ew_finding_explain(f, text);
}

/* "a, b, c" into out. */
static void ew_join_names(char *const *v, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        int w = snprintf(out + o, cap - o, "%s%s", i ? ", " : "", v[i]);
        if (w < 0)
            break;
        o += (size_t)w < cap - o ? (size_t)w : cap - o - 1;
    }
}

static int ew_explain_names(ewdiag_finding *f, const ew_cert_info *leaf)
{
    ew_tls_view *t = &f->tls;
    char dns[EW_TEXT_MAX / 2];
    ew_join_names(leaf->dns, leaf->ndns, dns, sizeof dns);
    switch ((ew_name_match)t->name_match) {
    case EW_NAME_ABSENT:
        return ew_say(f, "%s is not among the names of the certificate presented (DNS SAN: %s; CN: %s).",
                      t->name, leaf->ndns ? dns : "none", *leaf->subject_cn ? leaf->subject_cn : "none");
    case EW_NAME_IP_SAN_ONLY:
        return ew_say(f,
                      "The certificate lists %s as an IP address SAN, but the traffic server compares "
                      "DNS SAN entries and the CN only, so it is refused all the same: announce the "
                      "server by an FQDN among its DNS SANs (%s).",
                      t->name, leaf->ndns ? dns : "none: one must be added");
    default: return 0;
    }
}

static void ew_day(int64_t us, char out[EW_TS_BUFSZ])
{
    ew_ts_format(us, out);
    out[10] = '\0';
}

/* The same server, in another handshake, with an RSA certificate that is
 * not self-signed: what X14.2's ECDSA preference hides. NULL if none. */
static const ew_cert_info *ew_rsa_sibling(const ew_tls_server *s)
{
    for (size_t i = 0; i < s->nchains; i++) {
        const ew_chain *c = s->chains[i];
        if (c->ncerts && strcmp(c->certs[0].key_type, "RSA") == 0 && !c->certs[0].self_signed)
            return &c->certs[0];
    }
    return NULL;
}

static int ew_explain_leaf(ewdiag_finding *f, const ew_chain *c, const ew_tls_server *s, int64_t at)
{
    const ew_cert_info *leaf = &c->certs[0];
    char a[EW_TS_BUFSZ], b[EW_TS_BUFSZ];
    int rc = 0;
    ew_ts_format(f->tls.chain_earlier ? c->last_seen : f->tls.ts, a);
    rc |= ew_say(f, "%s at %s: CN=%s, issued by CN=%s, %s %d-bit key.",
                 f->tls.chain_earlier ? "The certificate this server last presented in full, in the capture"
                                      : "The certificate presented, in the capture",
                 a, *leaf->subject_cn ? leaf->subject_cn : leaf->subject,
                 *leaf->issuer_cn ? leaf->issuer_cn : leaf->issuer, leaf->key_type, leaf->key_bits);
    if (leaf->self_signed)
        rc |= ew_say(f, "That certificate is self-signed (its issuer is itself): only that very "
                        "certificate in the Expressway-C trust store makes it trusted.");
    if (strcmp(leaf->key_type, "EC") == 0 && (leaf->self_signed || !f->tls.verdict.trusted))
        rc |= ew_say(f, "It has an EC (ECDSA) key: the server presented its ECDSA certificate "
                        "(tomcat-ECDSA, self-signed by default), which X14.2 may now prefer over the "
                        "RSA one. Have it signed by a trusted CA, or make Expressway-C prefer RSA by "
                        "prefixing its cipher string with ECDHE-RSA-AES256-GCM-SHA384: (Maintenance > "
                        "Security > Ciphers).");
    const ew_cert_info *rsa = strcmp(leaf->key_type, "EC") == 0 ? ew_rsa_sibling(s) : NULL;
    if (rsa)
        rc |= ew_say(f, "The same server presented an RSA certificate in another handshake of the "
                        "capture (CN=%s, issued by CN=%s): the ECDSA cipher preference is what "
                        "brought the EC one forward.",
                     *rsa->subject_cn ? rsa->subject_cn : rsa->subject,
                     *rsa->issuer_cn ? rsa->issuer_cn : rsa->issuer);
    if (at && leaf->not_after && at > leaf->not_after) {
        ew_day(leaf->not_after, b);
        rc |= ew_say(f, "It had expired: valid until %s, before the handshake.", b);
    }
    if (at && leaf->not_before && at < leaf->not_before) {
        ew_day(leaf->not_before, b);
        rc |= ew_say(f, "It was not yet valid: valid from %s, after the handshake (check the clocks).", b);
    }
    return rc;
}

static int ew_explain_trust(ewdiag_finding *f, size_t ncerts_store)
{
    const ew_verdict *v = &f->tls.verdict;
    if (v->trusted)
        return ew_say(f, "The chain verifies against the bundle's trust store (%s, %zu CA "
                         "certificate%s) as of the handshake: trust is not what failed.",
                      ew_basename(f->tls.trust_path), ncerts_store, ncerts_store == 1 ? "" : "s");
    int rc = ew_say(f, "Checked offline against the bundle's trust store (%s, %zu CA certificate%s) as "
                       "of the handshake, OpenSSL says: %s (depth %d).",
                    ew_basename(f->tls.trust_path), ncerts_store, ncerts_store == 1 ? "" : "s",
                    v->error_text, v->error_depth);
    if (*v->missing_issuer)
        rc |= ew_say(f, "The certificate missing from the trust store: %s. Upload it (and any CA "
                        "above it) under Maintenance > Security > Trusted CA certificate.",
                     v->missing_issuer);
    return rc;
}

static int ew_explain_hidden(ewdiag_finding *f)
{
    const ew_tls_view *t = &f->tls;
    char a[EW_TS_BUFSZ];
    if (t->cert_state == EW_CERT_ENCRYPTED)
        return ew_say(f, "That handshake used TLS 1.3: the certificate is encrypted and cannot be read "
                         "from the capture.%s",
                      t->chain ? " The chain shown comes from an earlier full handshake to the same server." : "");
    if (t->cert_state == EW_CERT_RESUMED) {
        if (!t->chain)
            return ew_say(f, "That handshake resumed an earlier session and carried no certificate; "
                             "no earlier full handshake to this server is in the capture.");
        ew_ts_format(t->chain->last_seen, a);
        return ew_say(f, "That handshake resumed an earlier session and carried no certificate: the "
                         "chain shown is the one last presented in full, at %s.", a);
    }
    if (t->cert_state == EW_CERT_CUT)
        return ew_say(f, "The capture does not hold the whole Certificate message of that handshake "
                         "(packets are missing, or the connection ended inside it; the warnings "
                         "say which).%s",
                      t->chain ? " The chain shown comes from an earlier full handshake to the same "
                                 "server." : "");
    return 0;
}

static int ew_verify(ewdiag_finding *f, const ewdiag_input *in, const ew_chain *c, int64_t at)
{
    const ew_trust_file *tf = ew_trust_for(in, f->node);
    if (!tf || !c->nder)
        return 0;
    ew_err err = {0, ""};
    if (ew_trust_verify(tf->trust, (const uint8_t *const *)c->der, c->der_len, c->nder, at,
                        &f->tls.verdict, &err) != 0)
        return ew_say(f, "The chain could not be verified: %s.", err.msg);
    f->tls.verified = true;
    if (!(f->tls.trust_path = ew_strdup(tf->path)))
        return -1;
    return ew_explain_trust(f, tf->ncerts);
}

static int ew_join_one(ewdiag_finding *f, const ew_inventory *inv, int64_t window)
{
    const ewdiag_input *in = inv->input;
    ew_tls_view *t = &f->tls;
    const ew_hs_rec *r = *f->address ? ew_pick(inv, f, window) : NULL;
    if (!r) {
        t->match = EW_CAPTURE_NO_HS;
        return 0;
    }
    const ew_tls_server *s = in->tls_servers[r->server];
    t->match = EW_CAPTURE_MATCHED;
    t->ts = r->ts;
    t->port = s->port;
    t->version = r->version;
    t->cipher = r->cipher;
    if (r->cipher)
        ew_cipher_str(r->cipher, t->cipher_name);
    t->alert = r->alert;
    t->alert_by_client = r->alert_by_client;
    t->cert_state = r->state;
    if (r->sni != EW_NO_SNI && !(t->sni = ew_strdup(s->snis[r->sni])))
        return -1;
    const ew_hs_rec *full = r->chain != EW_NO_CHAIN ? r : ew_last_full(inv, r);
    t->chain = full ? s->chains[full->chain] : NULL;
    t->chain_earlier = full && full != r;
    int rc = ew_explain_hidden(f);
    if (t->alert >= 0 && t->alert_by_client) {
        const char *name = ew_alert_name(t->alert);
        rc |= ew_say(f, "Expressway-C ended the handshake with the TLS alert %s (%d)%s.",
                     *name ? name : "?", t->alert,
                     t->alert == EW_ALERT_UNKNOWN_CA ? ": it does not know the certificate's CA" : "");
    }
    if (!t->chain || t->chain->ncerts == 0) {
        if (t->chain && t->chain->error)
            rc |= ew_say(f, "The certificate presented could not be read: %s.", t->chain->error);
        return rc;
    }
    rc |= ew_verify(f, in, t->chain, r->ts);
    rc |= ew_explain_leaf(f, t->chain, s, r->ts);
    const char *name = *f->target ? f->target : f->server;
    if (*name) {
        if (!(t->name = ew_strdup(name)))
            return -1;
        t->name_match = (int)ew_cert_name_match(&t->chain->certs[0], name);
        rc |= ew_explain_names(f, &t->chain->certs[0]);
    }
    return rc ? -1 : 0;
}

int ew_correlate(ew_findings *fs, const ew_inventory *inv, int64_t window)
{
    for (size_t i = 0; i < fs->n; i++) {
        ewdiag_finding *f = fs->v[i];
        if (inv->input->captures == 0) {
            f->tls.match = EW_CAPTURE_NONE;
            continue;
        }
        if (ew_join_one(f, inv, window) != 0)
            return EWDIAG_ENOMEM;
    }
    return 0;
}
