/* forecast.c - the origin servers of an input and X14.2's check applied to
 * each offline: collected while the log is read (Sending Request lines,
 * named by the MRA target of their transaction), completed with the
 * servers xconf names, then checked on the last full handshake of each in
 * the capture. The forecasts themselves are stated in forecast_state.c. */
#include "analysis/forecast_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* The ports of MRA origins (tomcat, TFTP over HTTPS): where a server xconf
 * names is looked for in the capture when no request shows its port. SIP
 * TLS (5061), LDAP and the like are never origins. */
static const unsigned ew_mra_ports[] = {8443, 6972};

static const char *const ew_origin_state_names[] = {[EW_ORIGIN_CHECKED] = "checked",
                                                    [EW_ORIGIN_NO_CAPTURE] = "no-capture",
                                                    [EW_ORIGIN_NO_HANDSHAKE] = "no-handshake",
                                                    [EW_ORIGIN_NO_CERTIFICATE] = "no-certificate"};

const char *ew_origin_state_name(ew_origin_state s)
{
    return EW_ENUM_NAME(ew_origin_state_names, s, EW_ORIGIN_NO_CERTIFICATE);
}

static const char *const ew_enforcement_names[] = {
    [EW_ENF_ENFORCED] = "enforced",     [EW_ENF_BEFORE_X14_2] = "before-x14.2",
    [EW_ENF_VERIFY_OFF] = "verify-off", [EW_ENF_CONTINUE_ONLY] = "continue-only",
    [EW_ENF_UNKNOWN] = "unknown",
};

const char *ew_enforcement_name(ew_enforcement e)
{
    return EW_ENUM_NAME(ew_enforcement_names, e, EW_ENF_UNKNOWN);
}

/* The forecast's section for each enforcement. */
static const char *const ew_section_names[] = {[EW_ENF_ENFORCED] = "before-expiry",
                                               [EW_ENF_BEFORE_X14_2] = "before-upgrade",
                                               [EW_ENF_VERIFY_OFF] = "before-verification"};

const char *ew_forecast_section(ew_enforcement e)
{
    return EW_ENUM_NAME(ew_section_names, e, EW_ENF_VERIFY_OFF);
}

static const char *const ew_expiry_names[] = {
    [EW_EXPIRY_NONE] = "none", [EW_EXPIRY_SOON] = "expiring", [EW_EXPIRY_EXPIRED] = "expired"};

const char *ew_expiry_name(ew_expiry e)
{
    return EW_ENUM_NAME(ew_expiry_names, e, EW_EXPIRY_NONE);
}

void ew_origin_free(ew_origin_srv *o)
{
    if (!o)
        return;
    EW_FREE_ALL(o->node, o->name, o->address, o->type);
    ew_join_free(&o->join);
    free(o);
}

void ew_origins_free(ew_origins *os)
{
    for (size_t i = 0; i < os->n; i++)
        ew_origin_free(os->v[i]);
    free(os->v);
    ew_index_free(&os->index);
    memset(os, 0, sizeof *os);
}

static bool ew_same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* An origin's key. Names compare without case (ew_same_name) and are left
 * out of the hash: one address and port under two names is rare. */
typedef struct ew_origin_key {
    ew_span node;
    const char *address, *name;
    unsigned port;
} ew_origin_key;

static uint64_t ew_origin_hash(ew_span node, const char *address, unsigned port)
{
    uint64_t h = ew_fnv1a(EW_FNV_OFFSET, node.p, node.n);
    h = ew_fnv1a(h, address, strlen(address) + 1); /* its NUL ends the field */
    return ew_fnv1a(h, &port, sizeof port);
}

static uint64_t ew_origin_item_hash(const void *set, size_t k)
{
    const ew_origin_srv *o = ((const ew_origins *)set)->v[k];
    return ew_origin_hash(ew_span_make(o->node, strlen(o->node)), o->address, o->port);
}

static bool ew_origin_same(const void *set, size_t k, const void *key)
{
    const ew_origin_srv *x = ((const ew_origins *)set)->v[k];
    const ew_origin_key *y = key;
    return x->port == y->port && ew_span_eq(y->node, x->node) &&
           strcmp(x->address, y->address) == 0 && ew_same_name(x->name, y->name);
}

void ew_origins_take(ew_origins *os, ew_origin_srv ***v, size_t *n)
{
    *v = os->v;
    *n = os->n;
    ew_index_free(&os->index);
    memset(os, 0, sizeof *os);
}

/* A new origin, appended; NULL when out of memory or when the bound is
 * reached (then counted in dropped). The index then finds it, not an
 * older one of the same key. */
static ew_origin_srv *ew_origin_add(ew_origins *os, const char *node, size_t node_len,
                                    const char *name, const char *address, unsigned port, int *rc)
{
    *rc = 0;
    if (os->n == EW_MAX_ORIGINS) {
        os->dropped++;
        return NULL;
    }
    ew_origin_srv *o = ew_calloc(1, sizeof *o);
    if (o) {
        ew_join_init(&o->join);
        o->node = ew_strndup(node, node_len);
        o->name = ew_strdup(name);
        o->address = ew_strdup(address);
        o->port = port;
    }
    ew_origin_key key = {ew_span_make(node, node_len), address, name, port};
    size_t slot = 0;
    if (!o || !o->node || !o->name || !o->address ||
        ew_grow(&os->v, &os->cap, os->n + 1, sizeof *os->v) != 0 ||
        ew_index_lookup(&os->index, os->n, ew_origin_item_hash, os,
                        ew_origin_hash(key.node, address, port), ew_origin_same, &key,
                        &slot) != 0) {
        ew_origin_free(o);
        *rc = EWDIAG_ENOMEM;
        return NULL;
    }
    /* Over an older origin of the same key: the newest is the one found. */
    ew_index_put(&os->index, slot, os->n);
    os->v[os->n++] = o;
    return o;
}

int ew_origins_request(ew_origins *os, const ew_origin_request *r)
{
    ew_origin_srv *o = NULL;
    if (os->index.cap) {
        ew_origin_key key = {r->node, r->dst_ip, r->host, r->dst_port};
        size_t slot = ew_index_find(&os->index, ew_origin_hash(r->node, r->dst_ip, r->dst_port),
                                    ew_origin_same, os, &key);
        long long k = ew_index_item(&os->index, slot);
        o = k >= 0 ? os->v[k] : NULL;
    }
    int rc = 0;
    if (!o && !(o = ew_origin_add(os, r->node.p, r->node.n, r->host, r->dst_ip, r->dst_port, &rc)))
        return rc;
    o->from |= EW_FROM_REQUEST;
    o->requests++;
    if (r->ts && (!o->first_seen || r->ts < o->first_seen))
        o->first_seen = r->ts;
    if (r->ts > o->last_seen)
        o->last_seen = r->ts;
    return 0;
}

/* ------------------------------------------------------------ xconf */

static bool ew_port_of_origin(const ew_origins *os, const char *node, unsigned port)
{
    for (size_t i = 0; i < EW_ARRAY_LEN(ew_mra_ports); i++)
        if (ew_mra_ports[i] == port)
            return true;
    for (size_t i = 0; i < os->n; i++)
        if ((os->v[i]->from & EW_FROM_REQUEST) && os->v[i]->port == port &&
            strcmp(os->v[i]->node, node) == 0)
            return true;
    return false;
}

/* Whether the capture's server s is the one xconf names name: its address,
 * or a ClientHello that asked for that name. */
static bool ew_server_named(const ew_tls_server *s, const char *name)
{
    if (strcmp(s->address, name) == 0)
        return true;
    for (size_t i = 0; i < s->nsnis; i++)
        if (ew_same_name(s->snis[i], name))
            return true;
    return false;
}

static int ew_mark_xconf(ew_origin_srv *o, const ew_xserver *x)
{
    o->from |= EW_FROM_XCONF;
    if (!o->type && x->type && !(o->type = ew_strdup(x->type)))
        return EWDIAG_ENOMEM;
    return 0;
}

/* One server xconf names: the origins requests reached under that name;
 * else the capture's servers on an origin port that are it; else one
 * origin of no address, which cannot be checked. */
static int ew_add_xserver(ew_origins *os, const ew_node *node, const ew_xserver *x,
                          const ew_inventory *inv)
{
    bool found = false;
    int rc = 0;
    size_t before = os->n;
    for (size_t i = 0; rc == 0 && i < before; i++) {
        ew_origin_srv *o = os->v[i];
        if (strcmp(o->node, node->name) == 0 && ew_same_name(o->name, x->address)) {
            rc = ew_mark_xconf(o, x);
            found = true;
        }
    }
    for (size_t i = 0; rc == 0 && !found && i < inv->nservers; i++) {
        const ew_tls_server *s = inv->servers[i];
        if (!ew_port_of_origin(os, node->name, s->port) || !ew_server_named(s, x->address))
            continue;
        ew_origin_srv *o =
            ew_origin_add(os, node->name, strlen(node->name), x->address, s->address, s->port, &rc);
        if (o)
            rc = ew_mark_xconf(o, x);
    }
    if (rc == 0 && os->n == before && !found) {
        ew_origin_srv *o =
            ew_origin_add(os, node->name, strlen(node->name), x->address, "", 0, &rc);
        if (o)
            rc = ew_mark_xconf(o, x);
    }
    return rc;
}

static int ew_add_xconf(ew_origins *os, const ew_nodes *nodes, const ew_inventory *inv)
{
    for (size_t i = 0; i < nodes->n; i++)
        for (size_t k = 0; k < nodes->v[i].nservers; k++) {
            const ew_xserver *x = &nodes->v[i].servers[k];
            int rc = x->address ? ew_add_xserver(os, &nodes->v[i], x, inv) : 0;
            if (rc != 0)
                return rc;
        }
    return 0;
}

/* ------------------------------------------------------------ enforcement */

/* "X14.1.2" before X14.2.0; false when it cannot be read. */
static bool ew_before_x14_2(const char *version)
{
    unsigned major = 0, minor = 0;
    if (!version || sscanf(version, "X%u.%u", &major, &minor) != 2)
        return false;
    return major < EW_ENFORCED_MAJOR || (major == EW_ENFORCED_MAJOR && minor < EW_ENFORCED_MINOR);
}

ew_enforcement ew_node_enforcement(const ew_nodes *nodes, const ew_groups *gs, const char *name,
                                   const char **version)
{
    const ew_node *n = NULL;
    for (size_t i = 0; i < nodes->n && !n; i++)
        if (strcmp(nodes->v[i].name, name) == 0)
            n = &nodes->v[i];
    bool terminate = false, cont = false;
    for (size_t i = 0; i < gs->n; i++)
        if (strcmp(gs->v[i]->node, name) == 0) {
            terminate |= gs->v[i]->enforced == 1;
            cont |= gs->v[i]->enforced == 0;
        }
    *version = n ? n->version : NULL;
    /* A refusal in the log says the check is on, whatever else says. */
    if (terminate)
        return EW_ENF_ENFORCED;
    if (n && ew_before_x14_2(n->version))
        return EW_ENF_BEFORE_X14_2;
    if (n && n->verify_origin && ew_same_name(n->verify_origin, "Off"))
        return EW_ENF_VERIFY_OFF;
    if (cont)
        return EW_ENF_CONTINUE_ONLY;
    return n && n->version ? EW_ENF_ENFORCED : EW_ENF_UNKNOWN;
}

/* ------------------------------------------------------------ checking */

/* The last full handshake to server si; when the log of handshakes forgot
 * it (max-handshakes), one made of the chain it presented last. */
static bool ew_last_full_hs(const ew_forecast_in *in, long long si, ew_hs_rec *out)
{
    const ew_inventory *inv = in->inv;
    const ew_hs_rec *best = ew_hs_by_last_full(in->by, inv, (uint32_t)si, INT64_MAX);
    if (best) {
        *out = *best;
        return true;
    }
    const ew_tls_server *s = inv->servers[si];
    int32_t last = EW_NO_CHAIN;
    for (size_t i = 0; i < s->nchains; i++)
        if (last == EW_NO_CHAIN || s->chains[i]->last_seen >= s->chains[last]->last_seen)
            last = (int32_t)i;
    if (last == EW_NO_CHAIN)
        return false;
    *out = (ew_hs_rec){(uint32_t)si,    last,     s->chains[last]->last_seen, 0, 0, -1, false,
                       EW_CERT_PRESENT, EW_NO_SNI};
    return true;
}

ew_expiry ew_expiry_at(int64_t not_after, int64_t at, int64_t window, long long *days_left)
{
    int64_t left = not_after - at;
    *days_left = left >= 0 ? left / EW_US_PER_DAY : -((-left + EW_US_PER_DAY - 1) / EW_US_PER_DAY);
    if (left < 0)
        return EW_EXPIRY_EXPIRED;
    return left <= window ? EW_EXPIRY_SOON : EW_EXPIRY_NONE;
}

/* Checks o on its last full handshake: trust, name, expiry. */
static int ew_check_origin(ew_origin_srv *o, const ew_forecast_in *in)
{
    if (in->captures == 0) {
        o->state = EW_ORIGIN_NO_CAPTURE;
        return 0;
    }
    long long si = *o->address ? ew_inventory_find(in->inv, o->address, o->port) : -1;
    ew_hs_rec r;
    if (si < 0) {
        o->state = EW_ORIGIN_NO_HANDSHAKE;
        return 0;
    }
    if (!ew_last_full_hs(in, si, &r) || in->inv->servers[si]->chains[r.chain]->ncerts == 0) {
        o->state = EW_ORIGIN_NO_CERTIFICATE;
        return 0;
    }
    int rc = ew_join_handshake(&o->join, o->node, o->name, in->inv, in->by, &r, in->trusts);
    if (rc != 0)
        return rc;
    const ew_tls_view *t = &o->join.tls;
    o->state = EW_ORIGIN_CHECKED;
    o->trust_known = t->verified;
    o->untrusted = t->verified && !t->verdict.trusted;
    o->misnamed = t->name_match == EW_NAME_ABSENT || t->name_match == EW_NAME_IP_SAN_ONLY;
    o->not_after = t->chain->certs[0].not_after;
    o->expiry = ew_expiry_at(o->not_after, r.ts, in->window_us, &o->days_left);
    return 0;
}

static int ew_origin_cmp(const void *a, const void *b)
{
    const ew_origin_srv *x = *(ew_origin_srv *const *)a, *y = *(ew_origin_srv *const *)b;
    int c = strcmp(x->node, y->node);
    if (c == 0)
        c = strcasecmp(x->name, y->name);
    if (c == 0)
        c = strcmp(x->address, y->address);
    if (c == 0)
        c = (x->port > y->port) - (x->port < y->port);
    return c;
}

int ew_forecast_run(ew_origins *os, const ew_forecast_in *in, ew_forecasts *out)
{
    int rc = ew_add_xconf(os, in->nodes, in->inv);
    if (rc != 0)
        return rc;
    /* The index numbers the origins as they were added: sorted, they are
     * looked up no more. */
    ew_index_free(&os->index);
    if (os->n > 1)
        qsort(os->v, os->n, sizeof *os->v, ew_origin_cmp);
    for (size_t i = 0; i < os->n; i++) {
        ew_origin_srv *o = os->v[i];
        const char *version;
        o->enforcement = ew_node_enforcement(in->nodes, in->groups, o->node, &version);
        if ((rc = ew_check_origin(o, in)) != 0 ||
            (rc = ew_forecast_state(o, version, in, out)) != 0)
            return rc;
    }
    return 0;
}
