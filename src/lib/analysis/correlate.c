/* correlate.c - each group joined to the TLS handshake that failed: the
 * connection from the node to the group's address, closest in time to its
 * warnings; then the chain's trust against the node's own trust store and
 * the name the request used, as facts. */
#include "analysis/correlate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/timestamp.h"

/* TLS alert that says the client did not trust the certificate's issuer. */
#define EW_ALERT_UNKNOWN_CA 48
/* Room for a number or a list of names given as a fact's parameter. */
#define EW_PARAM_MAX 512

static const char *const ew_capture_match_names[] = {[EW_CAPTURE_NONE] = "no-capture",
                                                     [EW_CAPTURE_NO_HS] = "no-handshake",
                                                     [EW_CAPTURE_MATCHED] = "matched"};

const char *ew_capture_match_name(ew_capture_match m)
{
    return EW_ENUM_NAME(ew_capture_match_names, m, EW_CAPTURE_NONE);
}

void ew_join_init(ew_join *j)
{
    memset(j, 0, sizeof *j);
    j->tls.alert = -1;
    j->tls.name_match = -1;
}

void ew_join_free(ew_join *j)
{
    for (size_t i = 0; i < j->nfacts; i++)
        ew_fact_clear(&j->facts[i]);
    EW_FREE_ALL(j->tls.sni, j->tls.trust_path, j->tls.name);
    ew_join_init(j);
}

static const ew_trust_file *ew_trust_for(const ew_trusts *ts, const char *node)
{
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->v[i].node, node) == 0)
            return &ts->v[i];
    /* One store and no better match: a bundle is one node's. */
    return ts->n == 1 ? &ts->v[0] : NULL;
}

static bool ew_port_wanted(const ew_group *f, unsigned port)
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

/* Whether r stands for f better than best: one the client ended with an
 * alert first, then the closest to the latest warning, then the first. */
static bool ew_better(const ew_group *f, const ew_hs_rec *r, const ew_hs_rec *best)
{
    if (!best)
        return true;
    bool ra = r->alert >= 0 && r->alert_by_client, ba = best->alert >= 0 && best->alert_by_client;
    if (ra != ba)
        return ra;
    int64_t dr = ew_abs64(r->ts - f->last_seen), db = ew_abs64(best->ts - f->last_seen);
    return dr < db || (dr == db && r < best);
}

/* The handshake that best stands for the finding's failures: to its
 * address (and ports, when requests named them), within the window around
 * its warnings (ew_better). */
static const ew_hs_rec *ew_pick(const ew_inventory *inv, const ew_hs_by *by, const ew_group *f,
                                int64_t window)
{
    const ew_hs_rec *best = NULL;
    for (uint32_t s = ew_hs_by_address(by, inv, f->address); s != EW_BY_END; s = by->addr_next[s]) {
        if (!ew_port_wanted(f, inv->servers[s]->port))
            continue;
        for (uint32_t k = by->start[s]; k < by->start[s + 1]; k++) {
            const ew_hs_rec *r = &inv->recs[by->order[k]];
            if (f->first_seen && (r->ts < f->first_seen - window || r->ts > f->last_seen + window))
                continue;
            if (ew_better(f, r, best))
                best = r;
        }
    }
    return best;
}

/* States a fact with its parameters (as many as its code has), unless as
 * many facts were stated already as a finding keeps. 0, or EWDIAG_ENOMEM. */
int ew_join_state(ew_join *j, ew_fact_code code, ...)
{
    if (j->nfacts == EW_MAX_EXPLANATIONS)
        return 0;
    ew_fact *f = &j->facts[j->nfacts];
    memset(f, 0, sizeof *f);
    f->code = code;
    va_list ap;
    va_start(ap, code);
    int rc = 0;
    for (size_t i = 0; i < EW_FACT_MAX_PARAMS && ew_fact_defs[code].params[i]; i++) {
        const char *v = va_arg(ap, const char *);
        if (rc == 0 && !(f->param[i] = ew_strdup(v ? v : "")))
            rc = EWDIAG_ENOMEM;
    }
    va_end(ap);
    if (rc != 0) {
        ew_fact_clear(f);
        return rc;
    }
    j->nfacts++;
    return 0;
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

static int ew_state_names(ew_join *j, const ew_cert_info *leaf)
{
    const ew_tls_view *t = &j->tls;
    char dns[EW_PARAM_MAX];
    ew_join_names(leaf->dns, leaf->ndns, dns, sizeof dns);
    switch ((ew_name_match)t->name_match) {
    case EW_NAME_ABSENT:
        return ew_join_state(j, EW_FACT_NAME_ABSENT, t->name, dns, leaf->subject_cn);
    case EW_NAME_IP_SAN_ONLY:
        return ew_join_state(j, EW_FACT_IP_SAN_ONLY, t->name, dns);
    default:
        return 0;
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

/* A name for a certificate: its CN, else the whole name. */
static const char *ew_cn_or(const char *cn, const char *name)
{
    return *cn ? cn : name;
}

static int ew_state_leaf(ew_join *j, const ew_chain *c, const ew_tls_server *s, int64_t at)
{
    const ew_tls_view *t = &j->tls;
    const ew_cert_info *leaf = &c->certs[0];
    char when[EW_TS_BUFSZ], day[EW_TS_BUFSZ], bits[EW_PARAM_MAX];
    ew_ts_format(t->chain_earlier ? c->last_seen : t->ts, when);
    snprintf(bits, sizeof bits, "%d", leaf->key_bits);
    int rc = ew_join_state(j, t->chain_earlier ? EW_FACT_PRESENTED_EARLIER : EW_FACT_PRESENTED,
                           when, ew_cn_or(leaf->subject_cn, leaf->subject),
                           ew_cn_or(leaf->issuer_cn, leaf->issuer), leaf->key_type, bits);
    bool ec = strcmp(leaf->key_type, "EC") == 0;
    if (leaf->self_signed)
        rc |= ew_join_state(j, EW_FACT_SELF_SIGNED);
    if (ec && (leaf->self_signed || !t->verdict.trusted))
        rc |= ew_join_state(j, EW_FACT_ECDSA_PREFERRED);
    const ew_cert_info *rsa = ec ? ew_rsa_sibling(s) : NULL;
    if (rsa)
        rc |= ew_join_state(j, EW_FACT_RSA_SIBLING, ew_cn_or(rsa->subject_cn, rsa->subject),
                            ew_cn_or(rsa->issuer_cn, rsa->issuer));
    if (at && leaf->not_after && at > leaf->not_after) {
        ew_day(leaf->not_after, day);
        rc |= ew_join_state(j, EW_FACT_EXPIRED, day);
    }
    if (at && leaf->not_before && at < leaf->not_before) {
        ew_day(leaf->not_before, day);
        rc |= ew_join_state(j, EW_FACT_NOT_YET_VALID, day);
    }
    return rc ? EWDIAG_ENOMEM : 0;
}

static int ew_state_trust(ew_join *j, size_t ncerts_store)
{
    const ew_verdict *v = &j->tls.verdict;
    const char *store = ew_basename(j->tls.trust_path);
    char count[EW_PARAM_MAX], depth[EW_PARAM_MAX];
    snprintf(count, sizeof count, "%zu", ncerts_store);
    const char *count_s = ncerts_store == 1 ? "" : "s";
    if (v->trusted)
        return ew_join_state(j, EW_FACT_TRUSTED, store, count, count_s);
    snprintf(depth, sizeof depth, "%d", v->error_depth);
    int rc = ew_join_state(j, EW_FACT_UNTRUSTED, store, count, count_s, v->error_text, depth);
    if (*v->missing_issuer)
        rc |= ew_join_state(j, EW_FACT_ISSUER_MISSING, v->missing_issuer);
    return rc ? EWDIAG_ENOMEM : 0;
}

/* What the handshake could not show of the certificate. */
static int ew_state_hidden(ew_join *j)
{
    const ew_tls_view *t = &j->tls;
    char when[EW_TS_BUFSZ];
    switch (t->cert_state) {
    case EW_CERT_ENCRYPTED:
        return ew_join_state(j, t->chain ? EW_FACT_TLS13_HIDDEN_EARLIER : EW_FACT_TLS13_HIDDEN);
    case EW_CERT_RESUMED:
        if (!t->chain)
            return ew_join_state(j, EW_FACT_RESUMED_NO_FULL);
        ew_ts_format(t->chain->last_seen, when);
        return ew_join_state(j, EW_FACT_RESUMED, when);
    case EW_CERT_CUT:
        return ew_join_state(j, t->chain ? EW_FACT_CUT_EARLIER : EW_FACT_CUT);
    default:
        return 0;
    }
}

static int ew_verify(ew_join *j, const char *node, const ew_trusts *ts, const ew_chain *c,
                     int64_t at)
{
    const ew_trust_file *tf = ew_trust_for(ts, node);
    if (!tf || !c->nder)
        return 0;
    ew_err err = {0, ""};
    int rc = ew_trust_verify(tf->trust, (const uint8_t *const *)c->der, c->der_len, c->nder, at,
                             &j->tls.verdict, &err);
    if (rc == EWDIAG_ENOMEM)
        return rc;
    if (rc != 0)
        return ew_join_state(j, EW_FACT_VERIFY_FAILED, err.msg);
    j->tls.verified = true;
    if (!(j->tls.trust_path = ew_strdup(tf->path)))
        return EWDIAG_ENOMEM;
    return ew_state_trust(j, tf->ncerts);
}

/* The view of the handshake r. */
static int ew_view(ew_tls_view *t, const ew_inventory *inv, const ew_hs_by *by, const ew_hs_rec *r)
{
    const ew_tls_server *s = inv->servers[r->server];
    t->match = EW_CAPTURE_MATCHED;
    t->ts = r->ts;
    t->port = s->port;
    t->version = r->version;
    t->cipher = r->cipher;
    if (r->version)
        ew_tls_version_str(r->version, t->version_name);
    if (r->cipher)
        ew_cipher_str(r->cipher, t->cipher_name);
    t->alert = r->alert;
    t->alert_by_client = r->alert_by_client;
    t->cert_state = r->state;
    if (r->sni != EW_NO_SNI && !(t->sni = ew_strdup(s->snis[r->sni])))
        return EWDIAG_ENOMEM;
    const ew_hs_rec *full =
        r->chain != EW_NO_CHAIN ? r : ew_hs_by_last_full(by, inv, r->server, r->ts);
    t->chain = full ? s->chains[full->chain] : NULL;
    t->chain_earlier = full && full != r;
    return 0;
}

static int ew_state_alert(ew_join *j)
{
    const ew_tls_view *t = &j->tls;
    if (t->alert < 0 || !t->alert_by_client)
        return 0;
    char code[EW_PARAM_MAX];
    snprintf(code, sizeof code, "%d", t->alert);
    return ew_join_state(
        j, t->alert == EW_ALERT_UNKNOWN_CA ? EW_FACT_CLIENT_ALERT_UNKNOWN_CA : EW_FACT_CLIENT_ALERT,
        ew_alert_name(t->alert), code);
}

int ew_join_handshake(ew_join *j, const char *node, const char *name, const ew_inventory *inv,
                      const ew_hs_by *by, const ew_hs_rec *r, const ew_trusts *ts)
{
    ew_tls_view *t = &j->tls;
    const ew_tls_server *s = inv->servers[r->server];
    int rc = ew_view(t, inv, by, r);
    if (rc == 0)
        rc = ew_state_hidden(j);
    if (rc == 0)
        rc = ew_state_alert(j);
    if (rc != 0 || !t->chain || t->chain->ncerts == 0) {
        if (rc == 0 && t->chain && t->chain->error)
            rc = ew_join_state(j, EW_FACT_UNREADABLE, t->chain->error);
        return rc;
    }
    if ((rc = ew_verify(j, node, ts, t->chain, r->ts)) != 0 ||
        (rc = ew_state_leaf(j, t->chain, s, r->ts)) != 0)
        return rc;
    if (!name || !*name)
        return 0;
    if (!(t->name = ew_strdup(name)))
        return EWDIAG_ENOMEM;
    t->name_match = (int)ew_cert_name_match(&t->chain->certs[0], name);
    return ew_state_names(j, &t->chain->certs[0]);
}

static int ew_join_one(ew_join *j, const ew_group *g, const ew_inventory *inv, const ew_hs_by *by,
                       const ew_trusts *ts, int64_t window)
{
    const ew_hs_rec *r = *g->address ? ew_pick(inv, by, g, window) : NULL;
    if (!r) {
        j->tls.match = EW_CAPTURE_NO_HS;
        return 0;
    }
    return ew_join_handshake(j, g->node, *g->target ? g->target : g->server, inv, by, r, ts);
}

int ew_correlate(const ew_groups *gs, const ew_inventory *inv, const ew_hs_by *by,
                 const ew_trusts *trusts, size_t captures, int64_t window, ew_join *joins)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < gs->n; i++) {
        if (captures == 0)
            joins[i].tls.match = EW_CAPTURE_NONE;
        else
            rc = ew_join_one(&joins[i], gs->v[i], inv, by, trusts, window);
    }
    return rc;
}
