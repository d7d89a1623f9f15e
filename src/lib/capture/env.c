/* env.c - what the capture stages share: endpoints as text, and the first
 * problem of each kind put in words for the stats. */
#include "capture/capture_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/timestamp.h"

/* A dotted quad: glibc's inet_ntop formats IPv4 with sprintf, ~1,700
 * instructions, and the inventory names every handshake's server. */
static void ew_ipv4_str(const uint8_t *a, char *out)
{
    char *p = out;
    for (size_t i = 0; i < EW_IPV4_BYTES; i++) {
        unsigned v = a[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i + 1 < EW_IPV4_BYTES ? '.' : '\0';
    }
}

void ew_endpoint_addr_str(const ew_endpoint *e, char out[EW_ADDR_STR_MAX])
{
    if (e->af == 4)
        ew_ipv4_str(e->addr, out);
    else if (e->af != 6 || !inet_ntop(AF_INET6, e->addr, out, EW_ADDR_STR_MAX))
        snprintf(out, EW_ADDR_STR_MAX, "?");
}

void ew_endpoint_str(const ew_endpoint *e, char out[EW_ENDPOINT_STR_MAX])
{
    char a[EW_ADDR_STR_MAX];
    ew_endpoint_addr_str(e, a);
    snprintf(out, EW_ENDPOINT_STR_MAX, e->af == 6 ? "[%s]:%u" : "%s:%u", a, e->port);
}

void ew_cap_why_conn(ew_cap_env *env, char *slot, bool with_time, const char *what,
                     const char *fmt, ...)
{
    if (*slot)
        return;
    int n = 0;
    if (env->from && env->to) {
        char from[EW_ENDPOINT_STR_MAX], to[EW_ENDPOINT_STR_MAX], ts[EW_TS_BUFSZ] = "";
        ew_endpoint_str(env->from, from);
        ew_endpoint_str(env->to, to);
        if (with_time && env->ts)
            ew_ts_format(env->ts, ts);
        n = snprintf(slot, EW_CAP_WHY_MAX, "%s from %s to %s%s%s: ", what, from, to,
                     !with_time ? "" : env->ts ? " at " : " at the end of the capture", ts);
    } else {
        n = snprintf(slot, EW_CAP_WHY_MAX, "%s: ", what);
    }
    if (n < 0 || n >= EW_CAP_WHY_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(slot + n, (size_t)(EW_CAP_WHY_MAX - n), fmt, ap);
    va_end(ap);
}

void ew_cap_malformed(ew_capture_stats *st, const char *fmt, ...)
{
    st->malformed++;
    if (*st->why_malformed)
        return;
    int n = snprintf(st->why_malformed, sizeof st->why_malformed, "record %llu: ",
                     (unsigned long long)st->records);
    if (n < 0 || (size_t)n >= sizeof st->why_malformed)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why_malformed + n, sizeof st->why_malformed - (size_t)n, fmt, ap);
    va_end(ap);
}

void ew_cap_why_clear(ew_capture_stats *st)
{
    st->why_malformed[0] = st->why_gap[0] = st->why_tls[0] = st->why_cut[0] = '\0';
    st->why_headless[0] = st->why_big[0] = st->why_encap[0] = st->why_order[0] = '\0';
}
