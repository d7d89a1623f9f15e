/* inventory.c - handshakes -> the TLS servers of an input, each distinct
 * chain parsed once; and the bounded log correlation reads. */
#include "analysis/inventory.h"

#include <stdio.h>
#include <stdlib.h>

#define EW_TEXT_MAX 640

void ew_inventory_init(ew_inventory *inv, const ew_inventory_limits *lim, ew_warnings *warn,
                       const char *input)
{
    *inv = (ew_inventory){.lim = *lim, .warn = warn, .input = input};
}

void ew_inventory_take(ew_inventory *inv, ew_tls_server ***servers, size_t *n)
{
    *servers = inv->servers;
    *n = inv->nservers;
    inv->servers = NULL;
    inv->nservers = inv->cservers = 0;
    ew_index_free(&inv->index);
}

void ew_inventory_free(ew_inventory *inv)
{
    for (size_t i = 0; i < inv->nservers; i++)
        ew_tls_server_free(inv->servers[i]);
    free(inv->servers);
    ew_index_free(&inv->index);
    free(inv->recs);
    memset(inv, 0, sizeof *inv);
}

void ew_chain_free(ew_chain *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncerts; i++)
        ew_cert_info_free(&c->certs[i]);
    free(c->certs);
    for (size_t i = 0; i < c->nder; i++)
        free(c->der[i]);
    EW_FREE_ALL(c->der, c->der_len, c->error, c);
}

void ew_tls_server_free(ew_tls_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nchains; i++)
        ew_chain_free(s->chains[i]);
    free(s->chains);
    for (size_t i = 0; i < s->nsnis; i++)
        free(s->snis[i]);
    ew_timeline_free(&s->times);
    free(s->address);
    free(s);
}

/* What the servers index is looked up by. */
typedef struct ew_server_key {
    const char *address;
    unsigned port;
} ew_server_key;

static uint64_t ew_server_hash(const char *addr, unsigned port)
{
    unsigned char p[2] = {(unsigned char)(port >> 8), (unsigned char)port};
    return ew_fnv1a(ew_fnv1a(EW_FNV_OFFSET, p, sizeof p), addr, strlen(addr));
}

static uint64_t ew_server_item_hash(const void *set, size_t k)
{
    const ew_tls_server *s = ((const ew_inventory *)set)->servers[k];
    return ew_server_hash(s->address, s->port);
}

static bool ew_server_same(const void *set, size_t k, const void *key)
{
    const ew_tls_server *s = ((const ew_inventory *)set)->servers[k];
    const ew_server_key *x = key;
    return s->port == x->port && strcmp(s->address, x->address) == 0;
}

long long ew_inventory_find(const ew_inventory *inv, const char *address, unsigned port)
{
    if (!inv->index.cap)
        return -1;
    ew_server_key key = {address, port};
    size_t slot =
        ew_index_find(&inv->index, ew_server_hash(address, port), ew_server_same, inv, &key);
    return ew_index_item(&inv->index, slot);
}

/* A new server, put into slot of the index as item inv->nservers. 0, or
 * EWDIAG_ENOMEM. */
static int ew_server_add(ew_inventory *inv, size_t slot, const char *addr, uint16_t port,
                         ew_tls_server **out)
{
    if (ew_grow(&inv->servers, &inv->cservers, inv->nservers + 1, sizeof *inv->servers) != 0)
        return EWDIAG_ENOMEM;
    ew_tls_server *s = ew_calloc(1, sizeof *s);
    if (!s || !(s->address = ew_strdup(addr))) {
        free(s);
        return EWDIAG_ENOMEM;
    }
    s->port = port;
    ew_index_put(&inv->index, slot, inv->nservers);
    inv->servers[inv->nservers++] = s;
    *out = s;
    return 0;
}

/* The server of e into *out (added if new; NULL past max-tls-servers). 0,
 * or EWDIAG_ENOMEM. */
static int ew_server_of(ew_inventory *inv, const ew_endpoint *e, ew_tls_server **out,
                        uint32_t *index)
{
    char addr[EW_ADDR_STR_MAX];
    ew_endpoint_addr_str(e, addr);
    *out = NULL;
    ew_server_key key = {addr, e->port};
    size_t slot;
    if (ew_index_lookup(&inv->index, inv->nservers, ew_server_item_hash, inv,
                        ew_server_hash(addr, e->port), ew_server_same, &key, &slot) != 0)
        return EWDIAG_ENOMEM;
    long long k = ew_index_item(&inv->index, slot);
    if (k >= 0) {
        *index = (uint32_t)k;
        *out = inv->servers[k];
        return 0;
    }
    if (inv->nservers >= inv->lim.servers) {
        inv->dropped_servers++;
        return 0;
    }
    *index = (uint32_t)inv->nservers;
    return ew_server_add(inv, slot, addr, e->port, out);
}

/* Whether c is the chain hs carries: the same certificates, byte for
 * byte. Compared in place: hashing every handshake's chain cost more than
 * reading the capture. */
static bool ew_chain_is(const ew_chain *c, const ew_tls_hs *hs)
{
    if (c->nder != hs->ncerts)
        return false;
    for (size_t i = 0; i < hs->ncerts; i++)
        if (c->der_len[i] != hs->cert_len[i])
            return false;
    for (size_t i = 0; i < hs->ncerts; i++)
        if (memcmp(c->der[i], hs->cert_der[i], hs->cert_len[i]) != 0)
            return false;
    return true;
}

/* Something about a chain, told once per distinct chain: "the TLS server
 * ADDR:PORT <what>". */
static int ew_tell(const ew_inventory *inv, const ew_tls_hs *hs, ew_warn_code code,
                   const char *what)
{
    if (!inv->warn)
        return 0;
    const char *in = inv->input;
    char server[EW_ENDPOINT_STR_MAX];
    ew_endpoint_str(&hs->server, server);
    if (inv->entry)
        return ew_warn(inv->warn, code, inv->entry, 1, "%s: %s: the TLS server %s %s", in,
                       inv->entry, server, what);
    return ew_warn(inv->warn, code, NULL, 1, "%s: the TLS server %s %s", in, server, what);
}

static int ew_tell_chain(const ew_inventory *inv, const ew_tls_hs *hs, const ew_chain *c)
{
    char what[EW_TEXT_MAX];
    int rc = 0;
    if (c->error) {
        snprintf(what, sizeof what, "presented a certificate that cannot be read: %s", c->error);
        rc |= ew_tell(inv, hs, EW_W_CERTIFICATE_UNREADABLE, what);
    }
    if (c->cut) {
        if (c->nder == 1)
            snprintf(what, sizeof what,
                     "presented a chain longer than max-chain or a certificate "
                     "larger than max-der: only its first certificate was kept");
        else
            snprintf(what, sizeof what,
                     "presented a chain longer than max-chain or a certificate "
                     "larger than max-der: only its first %zu certificates were kept",
                     c->nder);
        rc |= ew_tell(inv, hs, EW_W_LIMIT_CHAIN, what);
    }
    return rc;
}

static ew_chain *ew_chain_new(const ew_tls_hs *hs)
{
    ew_chain *c = ew_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->cut = hs->chain_cut;
    size_t n = hs->ncerts ? hs->ncerts : 1;
    c->certs = ew_calloc(n, sizeof *c->certs);
    c->der = ew_calloc(n, sizeof *c->der);
    c->der_len = ew_calloc(n, sizeof *c->der_len);
    if (!c->certs || !c->der || !c->der_len) {
        ew_chain_free(c);
        return NULL;
    }
    for (size_t i = 0; i < hs->ncerts; i++) {
        if (!(c->der[i] = ew_malloc(hs->cert_len[i] ? hs->cert_len[i] : 1))) {
            ew_chain_free(c);
            return NULL;
        }
        memcpy(c->der[i], hs->cert_der[i], hs->cert_len[i]);
        c->der_len[i] = hs->cert_len[i];
        c->nder++;
    }
    for (size_t i = 0; i < hs->ncerts; i++) {
        ew_err err = {0, ""};
        int rc = ew_cert_parse(hs->cert_der[i], hs->cert_len[i], &c->certs[c->ncerts], &err);
        if (rc == 0) {
            c->ncerts++;
            continue;
        }
        if (rc == EWDIAG_ENOMEM) {
            ew_chain_free(c);
            return NULL;
        }
        /* Keep what parsed before it; say which one did not. */
        char msg[320];
        snprintf(msg, sizeof msg, "certificate %zu of the chain: %s", i + 1, err.msg);
        if (!c->error && !(c->error = ew_strdup(msg))) {
            ew_chain_free(c);
            return NULL;
        }
        break;
    }
    return c;
}

static size_t ew_hs_der_bytes(const ew_tls_hs *hs)
{
    size_t n = 0;
    for (size_t i = 0; i < hs->ncerts; i++)
        n += hs->cert_len[i];
    return n;
}

/* The index of the chain hs carries in s's chains, added if new (within
 * max-chain-bytes, else EW_NO_CHAIN). 0, or EWDIAG_ENOMEM. */
static int ew_chain_of(ew_inventory *inv, ew_tls_server *s, const ew_tls_hs *hs, int32_t *index)
{
    for (size_t i = 0; i < s->nchains; i++) {
        if (ew_chain_is(s->chains[i], hs)) {
            *index = (int32_t)i;
            return 0;
        }
    }
    size_t der = ew_hs_der_bytes(hs);
    if (der > inv->lim.chain_bytes - inv->chain_bytes) {
        inv->dropped_chains++;
        *index = EW_NO_CHAIN;
        return 0;
    }
    if (s->nchains >= INT32_MAX ||
        ew_grow(&s->chains, &s->cchains, s->nchains + 1, sizeof *s->chains) != 0)
        return EWDIAG_ENOMEM;
    ew_chain *c = ew_chain_new(hs);
    if (!c)
        return EWDIAG_ENOMEM;
    inv->chain_bytes += der;
    s->chains[s->nchains++] = c;
    *index = (int32_t)(s->nchains - 1);
    /* The chain is the server's now: freed with it whatever happens. */
    return ew_tell_chain(inv, hs, c) == 0 ? 0 : EWDIAG_ENOMEM;
}

static uint8_t ew_sni_of(ew_tls_server *s, const char *sni)
{
    if (!*sni)
        return EW_NO_SNI;
    for (size_t i = 0; i < s->nsnis; i++)
        if (strcmp(s->snis[i], sni) == 0)
            return (uint8_t)i;
    if (s->nsnis == EW_MAX_SNIS || !(s->snis[s->nsnis] = ew_strdup(sni)))
        return EW_NO_SNI;
    return (uint8_t)s->nsnis++;
}

static int64_t ew_hs_time(const ew_tls_hs *hs)
{
    return hs->ts_cert ? hs->ts_cert : hs->ts_hello ? hs->ts_hello : hs->ts_start;
}

/* A Certificate message read whole: its chain, kept once, and when it was
 * seen. 0, or EWDIAG_ENOMEM. */
static int ew_chain_seen(ew_inventory *inv, ew_tls_server *s, const ew_tls_hs *hs, int32_t *chain)
{
    s->certificate_messages++;
    if (ew_chain_of(inv, s, hs, chain) != 0)
        return EWDIAG_ENOMEM;
    if (*chain == EW_NO_CHAIN)
        return 0;
    ew_chain *c = s->chains[*chain];
    int64_t t = ew_hs_time(hs);
    if (!c->seen || t < c->first_seen)
        c->first_seen = t;
    if (t > c->last_seen)
        c->last_seen = t;
    c->seen++;
    return 0;
}

int ew_inventory_add(void *ctx, const ew_tls_hs *hs)
{
    ew_inventory *inv = ctx;
    uint32_t index = 0;
    ew_tls_server *s;
    if (ew_server_of(inv, &hs->server, &s, &index) != 0)
        return EWDIAG_ENOMEM;
    if (!s)
        return 0; /* counted: limit max-tls-servers */
    s->handshakes++;
    s->alerts += hs->alert >= 0;
    if (ew_timeline_add(&s->times, ew_hs_time(hs)) != 0)
        return EWDIAG_ENOMEM;
    int32_t chain = EW_NO_CHAIN;
    /* The handshakes whose certificate was hidden, by why. */
    uint64_t *hidden[] = {[EW_CERT_ENCRYPTED] = &s->tls13,
                          [EW_CERT_RESUMED] = &s->resumed,
                          [EW_CERT_CUT] = &s->cut,
                          [EW_CERT_UNSEEN] = &s->unseen};
    if (hs->cert_state == EW_CERT_PRESENT) {
        if (ew_chain_seen(inv, s, hs, &chain) != 0)
            return EWDIAG_ENOMEM;
    } else if ((size_t)hs->cert_state < EW_ARRAY_LEN(hidden)) {
        (*hidden[hs->cert_state])++;
    }
    uint8_t sni = ew_sni_of(s, hs->sni);
    if (inv->n >= inv->lim.handshakes) {
        inv->forgotten++;
        return 0;
    }
    if (ew_grow(&inv->recs, &inv->cap, inv->n + 1, sizeof *inv->recs) != 0)
        return EWDIAG_ENOMEM;
    inv->recs[inv->n++] = (ew_hs_rec){
        .server = index,
        .chain = chain,
        .ts = ew_hs_time(hs),
        .version = hs->version,
        .cipher = hs->cipher,
        .alert = (int16_t)hs->alert,
        .alert_by_client = hs->alert_by_client,
        .state = (uint8_t)hs->cert_state,
        .sni = sni,
    };
    return 0;
}
