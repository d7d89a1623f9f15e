/* name.c - the traffic server's name check: DNS SANs and the CN only,
 * wildcards as RFC 6125 (as OpenSSL applies it); an address listed only as
 * an iPAddress SAN does not pass. Plain C: no OpenSSL here. */
#include "x509/x509.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define EW_IPV4_LEN 4
#define EW_IPV6_LEN 16
/* The bracketed form of an IPv6 name, "[::1]", is accepted too. */
#define EW_IP_NAME_MAX 64

static unsigned char ew_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive, whatever the locale (DNS names are ASCII). */
static bool ew_eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (ew_lower((unsigned char)a[i]) != ew_lower((unsigned char)b[i]))
            return false;
    return true;
}

/* Length without one trailing dot: "host.lab." is the same name, fully
 * qualified. */
static size_t ew_dns_len(const char *s)
{
    size_t n = strlen(s);
    return n > 1 && s[n - 1] == '.' ? n - 1 : n;
}

/* RFC 6125 as OpenSSL applies it: a '*' only as the whole left-most label,
 * standing for exactly one non-empty label, and never right above a
 * single-label suffix ("*.lab" matches nothing). */
static bool ew_dns_match(const char *pattern, const char *name)
{
    size_t pn = ew_dns_len(pattern), nn = ew_dns_len(name);
    if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *rest = pattern + 2;
        size_t rn = pn - 2;
        if (rn == 0 || !memchr(rest, '.', rn) || memchr(rest, '*', rn))
            return false;
        const char *dot = memchr(name, '.', nn);
        if (!dot || dot == name)
            return false;
        size_t label = (size_t)(dot - name);
        return ew_eq_nocase(dot + 1, nn - label - 1, rest, rn);
    }
    return ew_eq_nocase(pattern, pn, name, nn);
}

typedef struct ew_ip {
    int family; /* AF_INET, AF_INET6, or 0: not an address */
    unsigned char b[EW_IPV6_LEN];
} ew_ip;

static ew_ip ew_ip_parse(const char *s)
{
    ew_ip ip = {0, {0}};
    char buf[EW_IP_NAME_MAX];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, s + 1, n - 2);
        buf[n - 2] = '\0';
        s = buf;
    }
    if (inet_pton(AF_INET, s, ip.b) == 1)
        ip.family = AF_INET;
    else if (inet_pton(AF_INET6, s, ip.b) == 1)
        ip.family = AF_INET6;
    return ip;
}

static bool ew_ip_eq(const ew_ip *a, const ew_ip *b)
{
    size_t n = a->family == AF_INET ? EW_IPV4_LEN : EW_IPV6_LEN;
    return a->family != 0 && a->family == b->family && memcmp(a->b, b->b, n) == 0;
}

/* Does a DNS SAN or CN text hold `name`? An address only as itself, in
 * whatever spelling; a host name with the wildcard rules. */
static bool ew_entry_match(const char *entry, const char *name, const ew_ip *ip)
{
    if (!*entry)
        return false;
    if (ip->family) {
        ew_ip e = ew_ip_parse(entry);
        return ew_eq_nocase(entry, strlen(entry), name, strlen(name)) || ew_ip_eq(&e, ip);
    }
    return ew_dns_match(entry, name);
}

ew_name_match ew_cert_name_match(const ew_cert_info *ci, const char *name)
{
    if (!ci || !name || !*name)
        return EW_NAME_ABSENT;
    ew_ip ip = ew_ip_parse(name);
    for (size_t i = 0; i < ci->ndns; i++)
        if (ew_entry_match(ci->dns[i], name, &ip))
            return EW_NAME_DNS_SAN;
    /* The traffic server looks at the CN whatever the SAN holds. */
    if (ew_entry_match(ci->subject_cn, name, &ip))
        return EW_NAME_CN;
    if (ip.family)
        for (size_t i = 0; i < ci->nips; i++) {
            ew_ip san = ew_ip_parse(ci->ips[i]);
            if (ew_ip_eq(&san, &ip))
                return EW_NAME_IP_SAN_ONLY;
        }
    return EW_NAME_ABSENT;
}

static const char *const ew_name_match_names[] = {
    [EW_NAME_DNS_SAN] = "dns-san", [EW_NAME_CN] = "cn",
    [EW_NAME_IP_SAN_ONLY] = "ip-san-only", [EW_NAME_ABSENT] = "absent"};

const char *ew_name_match_name(ew_name_match m)
{
    return EW_ENUM_NAME(ew_name_match_names, m, EW_NAME_ABSENT);
}
