/* kind_dump.c - the xstat and xconf dump kinds: the few facts ewdiag takes
 * from them, the software version and whether origin verification is
 * switched off. */
#include "scan/scan_int.h"

#include <ctype.h>

/* How far after "Version" the value may start ("Version: \"X14.2.1\"",
 * "<Version item=\"1\">X14.2.1</Version>"). */
#define EW_VERSION_LOOKAHEAD 40
#define EW_VERSION_MAX 32
#define EW_VERIFY_KEY "VerifyOriginServer"
#define EW_SETTING_MAX 16
#define EW_XSERVER_KEY "EdgeConfigProvisioning Server "
/* An xconf value, quoted: a host name or address, or a type. */
#define EW_XVALUE_MAX 256

static int ew_set_once(char **slot, const char *v, size_t n)
{
    if (*slot)
        return 0;
    *slot = ew_strndup(v, n);
    return *slot ? 0 : EWDIAG_ENOMEM;
}

/* "X14.2.1" after the word Version, within a short distance. */
static bool ew_find_version(const char *line, size_t len, ew_span *out)
{
    const char *v = memmem(line, len, "Version", 7);
    if (!v)
        return false;
    const char *end = line + len;
    const char *limit = EW_MIN(end, v + EW_VERSION_LOOKAHEAD);
    for (const char *p = v + 7; p + 1 < limit; p++) {
        if (*p == 'X' && isdigit((unsigned char)p[1])) {
            const char *q = p + 1;
            while (q < end && (isdigit((unsigned char)*q) || *q == '.') &&
                   (size_t)(q - p) < EW_VERSION_MAX)
                q++;
            *out = ew_span_make(p, (size_t)(q - p));
            return true;
        }
    }
    return false;
}

/* The value after "VerifyOriginServer": ": \"Off\"", ">Off<". */
static bool ew_find_verify(const char *line, size_t len, ew_span *out)
{
    const char *k = memmem(line, len, EW_VERIFY_KEY, sizeof EW_VERIFY_KEY - 1);
    if (!k)
        return false;
    const char *p = k + sizeof EW_VERIFY_KEY - 1, *end = line + len;
    while (p < end && !isalpha((unsigned char)*p)) {
        if (*p == '<' || *p == '\n')
            return false;
        p++;
    }
    const char *q = p;
    while (q < end && isalpha((unsigned char)*q) && (size_t)(q - p) < EW_SETTING_MAX)
        q++;
    if (q == p)
        return false;
    *out = ew_span_make(p, (size_t)(q - p));
    return true;
}

/* '... EdgeConfigProvisioning Server 2 Address: "imp.steven.lab"' (and
 * Type): the MRA servers xconf names. Their TlsVerify is not read: X14.2
 * checks every one of them whatever it says. */
static int ew_find_xserver(ew_node *node, const char *line, size_t len)
{
    const char *k = memmem(line, len, EW_XSERVER_KEY, sizeof EW_XSERVER_KEY - 1);
    if (!k)
        return 0;
    const char *p = k + sizeof EW_XSERVER_KEY - 1, *end = line + len;
    unsigned index = 0;
    while (p < end && isdigit((unsigned char)*p) && index < EW_MAX_XSERVERS * 1000u)
        index = index * 10 + (unsigned)(*p++ - '0');
    if (p == end || *p != ' ')
        return 0;
    p++;
    bool is_addr = (size_t)(end - p) > 7 && memcmp(p, "Address", 7) == 0;
    bool is_type = (size_t)(end - p) > 4 && memcmp(p, "Type", 4) == 0;
    const char *q = is_addr || is_type ? memchr(p, '"', (size_t)(end - p)) : NULL;
    const char *z = q ? memchr(q + 1, '"', (size_t)(end - q - 1)) : NULL;
    if (!z || z == q + 1 || z - q - 1 >= EW_XVALUE_MAX)
        return 0;
    ew_xserver *x = ew_node_xserver(node, index);
    if (!x)
        /* Past the bound, a server is not named: only memory stops here. */
        return node->nservers == EW_MAX_XSERVERS ? 0 : EWDIAG_ENOMEM;
    return ew_set_once(is_addr ? &x->address : &x->type, q + 1, (size_t)(z - q - 1));
}

static int ew_dump_line(void *ctx, const char *line, size_t len, unsigned flags)
{
    ew_scan *s = ctx;
    ew_entry_scan *c = &s->cur;
    EW_UNUSED(flags);
    c->lines++;
    ew_node *node;
    ew_span v;
    int rc = ew_nodes_get(&s->res.nodes, c->default_node.p, c->default_node.n, &node);
    /* A node not listed (limit max-nodes) keeps nothing. */
    bool listed = rc == 0 && node;
    if (listed && c->role == EW_ROLE_XSTAT && !node->version && ew_find_version(line, len, &v))
        rc = ew_set_once(&node->version, v.p, v.n);
    else if (listed && c->role == EW_ROLE_XCONF && ew_find_verify(line, len, &v))
        rc = ew_set_once(&node->verify_origin, v.p, v.n);
    else if (rc == 0 && c->role == EW_ROLE_XCONF)
        rc = ew_find_xserver(node, line, len);
    if (rc != 0)
        c->err = rc;
    return rc;
}

static int ew_dump_begin(void *ctx, const ew_entry_meta *m, ew_entry *e)
{
    EW_UNUSED(e);
    return ew_scan_begin_lines(ctx, m);
}

static int ew_dump_feed(void *ctx, const char *buf, size_t n)
{
    return ew_scan_feed_lines(ctx, ew_dump_line, buf, n);
}

static int ew_dump_end(void *ctx, ew_entry *e, const char *read_error)
{
    return ew_scan_end_lines(ctx, ew_dump_line, e, read_error);
}

static bool ew_is_xconf_name(const char *base)
{
    return ew_name_has_prefix(base, "xconf_dump_");
}

static bool ew_is_xstat_name(const char *base)
{
    return ew_name_has_prefix(base, "xstat_dump_");
}

const ew_kind ew_kind_xconf = EW_PUSH_KIND(EW_ROLE_XCONF, ew_is_xconf_name, NULL, ew_dump);
const ew_kind ew_kind_xstat = EW_PUSH_KIND(EW_ROLE_XSTAT, ew_is_xstat_name, NULL, ew_dump);
