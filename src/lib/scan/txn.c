/* txn.c - traffic_server transactions and MRA URL decoding. */
#include "scan/txn.h"

#include <ctype.h>

#define EW_FNV_OFFSET UINT64_C(14695981039346656037)
#define EW_FNV_PRIME UINT64_C(1099511628211)
#define EW_MRA_MIN_SLASHES 3

static uint64_t ew_fnv(uint64_t h, ew_span s)
{
    for (size_t i = 0; i < s.n; i++)
        h = (h ^ (unsigned char)s.p[i]) * EW_FNV_PRIME;
    return h;
}

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

void ew_copy_span(char *dst, size_t cap, ew_span s)
{
    size_t n = EW_MIN(s.n, cap - 1);
    if (n)
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static bool ew_same(const char *stored, ew_span s)
{
    /* s is empty, p NULL, when the line had no pid. */
    return ew_span_eq(s, stored);
}

ew_txn *ew_txns_get(ew_txns *t, ew_span pid, ew_span id, bool create)
{
    /* Ids longer than a slot holds cannot be told apart: not tracked. */
    if (id.n == 0 || id.n >= EW_TXN_ID_MAX || pid.n >= EW_TXN_PID_MAX)
        return NULL;
    uint64_t h = ew_fnv(ew_fnv(EW_FNV_OFFSET, pid), id);
    ew_txn *x = &t->slots[h & (EW_TXN_SLOTS - 1)];
    if (x->gen == t->gen && ew_same(x->pid, pid) && ew_same(x->id, id))
        return x;
    if (!create)
        return NULL;
    /* Only the fields read before being written need clearing. */
    x->gen = t->gen;
    x->dst_ip[0] = '\0';
    x->dst_port = 0;
    x->url[0] = '\0';
    ew_copy_span(x->pid, sizeof x->pid, pid);
    ew_copy_span(x->id, sizeof x->id, id);
    return x;
}

void ew_txns_drop(ew_txn *x)
{
    x->gen = 0;
}

static int ew_b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int ew_mra_decode(const char *url, size_t n, char *out, size_t outsz)
{
    /* Skip "scheme://host[:port]" to the first path segment. A "://" later
     * on (in a query) is no scheme. */
    const char *p = url, *end = url + n;
    const char *sch = url;
    while (sch < end && (isalnum((unsigned char)*sch) || *sch == '+' || *sch == '.' || *sch == '-'))
        sch++;
    if (sch > url && end - sch >= 3 && memcmp(sch, "://", 3) == 0)
        p = sch + 3;
    while (p < end && *p != '/')
        p++;
    if (p == end)
        return -1;
    const char *seg = ++p;
    while (p < end && *p != '/' && *p != '?' && *p != ' ')
        p++;
    size_t o = 0, slashes = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *q = seg; q < p; q++) {
        int v = ew_b64url_value((unsigned char)*q);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char c = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
            if (c < 0x20 || c > 0x7e || o + 1 >= outsz)
                return -1;
            slashes += c == '/';
            out[o++] = (char)c;
        }
    }
    if (slashes < EW_MRA_MIN_SLASHES)
        return -1;
    out[o] = '\0';
    return 0;
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
