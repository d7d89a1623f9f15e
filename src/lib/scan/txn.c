/* txn.c - traffic_server transactions and MRA URL decoding. */
#include "scan/txn.h"

#include "core/index.h"

#define EW_MRA_MIN_SLASHES 3

void ew_txns_init(ew_txns *t)
{
    t->gen = 1;
    for (size_t i = 0; i < EW_TXN_SLOTS; i++)
        t->slots[i].gen = 0;
}

/* O(1): a new generation makes every slot free. */
void ew_txns_reset(ew_txns *t)
{
    if (++t->gen == 0)
        ew_txns_init(t);
}

size_t ew_copy_span(char *dst, size_t cap, ew_span s)
{
    size_t n = EW_MIN(s.n, cap - 1);
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
    return n;
}

/* The slot of (pid, id). The traffic server numbers its transactions in
 * sequence: a numeric id is added, not hashed, so that the few open at a
 * time sit in neighbouring slots (in cache) and are not each other's
 * collisions; other ids are hashed. */
static uint64_t ew_txn_hash(ew_span pid, ew_span id)
{
    uint64_t h = ew_fnv1a(EW_FNV_OFFSET, pid.p, pid.n), n = 0;
    for (size_t i = 0; i < id.n; i++) {
        unsigned d = (unsigned)(unsigned char)id.p[i] - '0';
        if (d > 9)
            return ew_fnv1a(h, id.p, id.n);
        n = n * 10 + d;
    }
    return h + n;
}

ew_txn *ew_txns_get(ew_txns *t, ew_span pid, ew_span id, bool create)
{
    /* Ids longer than a slot holds cannot be told apart: not tracked. */
    if (id.n == 0 || id.n >= EW_TXN_ID_MAX || pid.n >= EW_TXN_PID_MAX)
        return NULL;
    uint64_t h = ew_txn_hash(pid, id);
    ew_txn *x = &t->slots[h & (EW_TXN_SLOTS - 1)];
    /* pid is empty (p NULL) when the line had none. */
    if (x->gen == t->gen && ew_span_eq_span(pid, ew_span_make(x->pid, x->pid_len)) &&
        ew_span_eq_span(id, ew_span_make(x->id, x->id_len)))
        return x;
    if (!create)
        return NULL;
    /* Only the fields read before being written need clearing. */
    x->gen = t->gen;
    x->dst_ip[0] = '\0';
    x->dst_port = 0;
    x->url[0] = '\0';
    x->url_len = 0;
    /* Both fit: longer ones were turned away above. */
    x->pid_len = (uint8_t)ew_copy_span(x->pid, sizeof x->pid, pid);
    x->id_len = (uint8_t)ew_copy_span(x->id, sizeof x->id, id);
    return x;
}

void ew_txns_drop(ew_txn *x)
{
    x->gen = 0;
}

/* Base64url digits plus one (and '+', which some clients write for '-'):
 * 0 for any other byte. A table: this runs on every request sent. */
static const uint8_t ew_b64url[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
    ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23,
    ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
    ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
    ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
    ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
    ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63, ['+'] = 63, ['_'] = 64,
};

static bool ew_is_scheme_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '.' || c == '-';
}

/* The first path segment of url: after "scheme://host[:port]/" (a "://"
 * later on, in a query, is no scheme), up to '/', '?', ' ' or the end; it
 * must be all base64url digits. */
static bool ew_first_segment(const char *url, size_t n, const unsigned char **seg, size_t *len)
{
    const char *p = url, *end = url + n, *sch = url;
    while (sch < end && ew_is_scheme_char((unsigned char)*sch))
        sch++;
    if (sch > url && end - sch >= 3 && memcmp(sch, "://", 3) == 0)
        p = sch + 3;
    p = memchr(p, '/', (size_t)(end - p));
    if (!p)
        return false;
    const unsigned char *s = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
    size_t k = 0;
    while (s + k < e && ew_b64url[s[k]])
        k++;
    if (s + k < e && s[k] != '/' && s[k] != '?' && s[k] != ' ')
        return false;
    *seg = s;
    *len = k;
    return true;
}

/* Appends the decoded byte c; false when it is not printable or out is
 * full. */
static bool ew_mra_put(unsigned c, char *out, size_t outsz, size_t *o, size_t *slashes)
{
    c &= 0xffu;
    if (c < 0x20 || c > 0x7e || *o + 1 >= outsz)
        return false;
    *slashes += c == '/';
    out[(*o)++] = (char)c;
    return true;
}

/* Decodes segment u[0..len) (all base64url digits) into out. */
static int ew_mra_decode_segment(const unsigned char *u, size_t len, char *out, size_t outsz)
{
    size_t o = 0, slashes = 0, i = 0;
    /* Four digits make three bytes. */
    for (; i + 4 <= len; i += 4) {
        uint32_t v = (uint32_t)(ew_b64url[u[i]] - 1) << 18 |
                     (uint32_t)(ew_b64url[u[i + 1]] - 1) << 12 |
                     (uint32_t)(ew_b64url[u[i + 2]] - 1) << 6 | (uint32_t)(ew_b64url[u[i + 3]] - 1);
        if (!ew_mra_put(v >> 16, out, outsz, &o, &slashes) ||
            !ew_mra_put(v >> 8, out, outsz, &o, &slashes) ||
            !ew_mra_put(v, out, outsz, &o, &slashes))
            return -1;
    }
    /* Unpadded tail: 2 digits give a byte, 3 give two, 1 gives none. */
    uint32_t v = 0;
    size_t rest = len - i;
    for (size_t k = 0; k < rest; k++)
        v = v << 6 | (uint32_t)(ew_b64url[u[i + k]] - 1);
    if ((rest == 2 && !ew_mra_put(v >> 4, out, outsz, &o, &slashes)) ||
        (rest == 3 && (!ew_mra_put(v >> 10, out, outsz, &o, &slashes) ||
                       !ew_mra_put(v >> 2, out, outsz, &o, &slashes))))
        return -1;
    if (slashes < EW_MRA_MIN_SLASHES)
        return -1;
    out[o] = '\0';
    return 0;
}

int ew_mra_decode(const char *url, size_t n, char *out, size_t outsz)
{
    const unsigned char *u;
    size_t len;
    if (!ew_first_segment(url, n, &u, &len))
        return -1;
    return ew_mra_decode_segment(u, len, out, outsz);
}

int ew_mra_host(const char *mra, char *out, size_t outsz)
{
    /* The host is the third field: after the domain and the protocol. */
    const char *p = strchr(mra, '/');
    p = p ? strchr(p + 1, '/') : NULL;
    if (!p)
        return -1;
    const char *h = p + 1, *end = strchr(h, '/');
    size_t n = end ? (size_t)(end - h) : strlen(h);
    if (n == 0 || outsz == 0)
        return -1;
    ew_copy_span(out, outsz, ew_span_make(h, n));
    return 0;
}

/* Whether url[0..n) starts with head key[0..keylen) (scheme, host and the
 * whole first segment): then its MRA host is the one decoded from key. */
static bool ew_same_head(const char *key, size_t keylen, const char *url, size_t n)
{
    if (!keylen || n < keylen || memcmp(url, key, keylen) != 0)
        return false;
    return n == keylen || url[keylen] == '/' || url[keylen] == '?' || url[keylen] == ' ';
}

const char *ew_mra_host_cached(ew_mra_cache *c, const char *url, size_t n)
{
    /* From the entry hit last: runs of requests to one server are common. */
    for (size_t k = 0; k < EW_MRA_CACHE; k++) {
        size_t i = (c->last + k) % EW_MRA_CACHE;
        if (ew_same_head(c->e[i].key, c->e[i].keylen, url, n)) {
            c->last = i;
            return c->e[i].host;
        }
    }
    const unsigned char *seg;
    size_t len;
    if (!ew_first_segment(url, n, &seg, &len))
        return "";
    size_t keylen = (size_t)((const char *)seg + len - url);
    size_t i = c->next++ % EW_MRA_CACHE;
    c->last = i;
    char mra[EW_MRA_MAX];
    if (ew_mra_decode_segment(seg, len, mra, sizeof mra) != 0 ||
        ew_mra_host(mra, c->e[i].host, sizeof c->e[i].host) != 0)
        c->e[i].host[0] = '\0';
    c->e[i].keylen = 0;
    if (keylen < sizeof c->e[i].key) {
        memcpy(c->e[i].key, url, keylen);
        c->e[i].keylen = keylen;
    }
    return c->e[i].host;
}
