/* http.c - the daemon (a thread pool on epoll that never blocks: uploads
 * pause their connection instead), request dispatch, responses, the
 * bearer token, and one log line per request. */
#include "http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bundles.h"
#include "upload.h"

#define CONN_MEMORY (256u * 1024u) /* per connection: headers, and the read buffer of a body */
#define ERROR_MAX 512
#define LOG_LINE_MAX 640
#define ADDR_MAX 64
#define NS_PER_S 1e9
#define MAX_OPTIONS 8 /* of the daemon, in its option array */

/* ---- responses -------------------------------------------------------- */

static void common_headers(struct MHD_Response *r)
{
    /* Failing to add a header leaves a response that still works. */
    (void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(r, "Cache-Control", "no-store");
    (void)MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

/* Queues r for rq and releases it; MHD_NO when it cannot be queued. */
static enum MHD_Result queue(request *rq, unsigned status, struct MHD_Response *r, size_t len)
{
    if (!r)
        return MHD_NO;
    common_headers(r);
    enum MHD_Result q = MHD_queue_response(rq->conn, status, r);
    MHD_destroy_response(r);
    if (q == MHD_YES) {
        rq->status = status;
        rq->bytes_out = len;
    }
    return q;
}

/* A response from memory in the given mode, with its type and headers. */
static enum MHD_Result respond_mem(request *rq, unsigned status, const char *ctype, void *body,
                                   size_t len, enum MHD_ResponseMemoryMode mode,
                                   const response_header *h, size_t nh)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    bool ok = !ctype || MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) == MHD_YES;
    for (size_t i = 0; ok && i < nh; i++)
        ok = MHD_add_response_header(r, h[i].name, h[i].value) == MHD_YES;
    if (!ok) {
        MHD_destroy_response(r);
        return MHD_NO;
    }
    return queue(rq, status, r, len);
}

enum MHD_Result respond_headers(request *rq, unsigned status, const char *ctype, char *body,
                                size_t len, bool take, const response_header *h, size_t nh)
{
    return respond_mem(rq, status, ctype, body, len,
                       take ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY, h, nh);
}

enum MHD_Result respond_static(request *rq, unsigned status, const char *ctype, const char *body,
                               size_t len, const response_header *h, size_t nh)
{
    return respond_mem(rq, status, ctype, (void *)body, len, MHD_RESPMEM_PERSISTENT, h, nh);
}

enum MHD_Result respond(request *rq, unsigned status, const char *ctype, char *body, size_t len,
                        bool take)
{
    return respond_headers(rq, status, ctype, body, len, take, NULL, 0);
}

static struct MHD_Response *error_response(const char *fmt, va_list ap, size_t *len)
{
    char msg[ERROR_MAX];
    int n = snprintf(msg, sizeof msg, "ewdiag serve: ");
    int m = vsnprintf(msg + n, sizeof msg - (size_t)n - 1, fmt, ap);
    if (n < 0 || m < 0)
        return NULL;
    *len = strlen(msg);
    msg[(*len)++] = '\n';
    struct MHD_Response *r = MHD_create_response_from_buffer(*len, msg, MHD_RESPMEM_MUST_COPY);
    if (r && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                     "text/plain; charset=utf-8") != MHD_YES) {
        MHD_destroy_response(r);
        return NULL;
    }
    return r;
}

enum MHD_Result respond_error(request *rq, unsigned status, const char *fmt, ...)
{
    size_t len = 0;
    va_list ap;
    va_start(ap, fmt);
    struct MHD_Response *r = error_response(fmt, ap, &len);
    va_end(ap);
    return queue(rq, status, r, len);
}

static struct MHD_Response *error_response_of(size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct MHD_Response *r = error_response(fmt, ap, len);
    va_end(ap);
    return r;
}

enum MHD_Result respond_busy(request *rq, unsigned retry_s, const char *msg)
{
    size_t len = 0;
    char after[16];
    struct MHD_Response *r = error_response_of(&len, "%s", msg);
    snprintf(after, sizeof after, "%u", retry_s);
    if (r && MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after) != MHD_YES) {
        MHD_destroy_response(r);
        r = NULL;
    }
    return queue(rq, MHD_HTTP_SERVICE_UNAVAILABLE, r, len);
}

/* ---- the token --------------------------------------------------------- */

/* Compares in a time that does not tell how much of it matched. */
static bool same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char diff = (unsigned char)(na != nb);
    for (size_t i = 0; i < na; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return diff == 0 && nb > 0;
}

bool authorized(request *rq)
{
    const char *token = rq->srv->cfg->token;
    if (!token)
        return true;
    const char *h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    static const char bearer[] = "Bearer ";
    if (h && strncasecmp(h, bearer, sizeof bearer - 1) == 0)
        return same_secret(h + sizeof bearer - 1, token);
    /* A browser asks for Basic credentials: the token is the password. */
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(rq->conn, &pass);
    bool ok = pass && same_secret(pass, token);
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

enum MHD_Result respond_unauthorized(request *rq)
{
    size_t len = 0;
    struct MHD_Response *r = error_response_of(
        &len, "%s", "a token is needed: Authorization: Bearer TOKEN (or the token as the password)");
    if (r && (MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                      "Basic realm=\"ewdiag\", charset=\"UTF-8\"") != MHD_YES ||
              MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                      "Bearer realm=\"ewdiag\"") != MHD_YES)) {
        MHD_destroy_response(r);
        r = NULL;
    }
    return queue(rq, MHD_HTTP_UNAUTHORIZED, r, len);
}

/* ---- the log ------------------------------------------------------------ */

/* The URL as it may be shown: printable ASCII, the rest %XX, cut. */
static void copy_url(char *dst, const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)url; *p && o + 4 <= URL_LOG_MAX; p++) {
        if (*p > 0x20 && *p < 0x7f && *p != '"') {
            dst[o++] = (char)*p;
        } else {
            dst[o++] = '%';
            dst[o++] = hex[*p >> 4];
            dst[o++] = hex[*p & 0xf];
        }
    }
    dst[o] = '\0';
}

static void client_of(struct MHD_Connection *c, char *buf, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    socklen_t len = sa && sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                     : sizeof(struct sockaddr_in);
    if (!sa || getnameinfo(sa, len, buf, (socklen_t)n, NULL, 0, NI_NUMERICHOST) != 0)
        snprintf(buf, n, "%s", "-");
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / NS_PER_S;
}

/* One line per request: time, client, request, status, bytes, duration. */
static void log_request(const request *rq, double secs, bool completed)
{
    char when[32], client[ADDR_MAX], line[LOG_LINE_MAX];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    if (!gmtime_r(&now.tv_sec, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(when, sizeof when, "%s", "-");
    client_of(rq->conn, client, sizeof client);
    const char *note = rq->note ? rq->note : completed ? NULL : "connection closed before the end";
    char status[16] = "-"; /* no response: the connection was closed */
    if (rq->status)
        snprintf(status, sizeof status, "%u", rq->status);
    int n = snprintf(line, sizeof line,
                     "%s.%03ldZ %s \"%s %s\" %s in=%llu out=%llu %.3fs%s%s%s%s\n", when,
                     now.tv_nsec / 1000000L, client, rq->method, rq->url, status,
                     (unsigned long long)rq->bytes_in, (unsigned long long)rq->bytes_out, secs,
                     rq->info[0] ? " " : "", rq->info, note ? " " : "", note ? note : "");
    if (n > 0 && write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        return; /* nowhere left to say it */
}

/* ---- dispatch ------------------------------------------------------------ */

static request *request_new(server *srv, struct MHD_Connection *c, const char *url,
                            const char *method)
{
    request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->srv = srv;
    rq->conn = c;
    rq->route = ROUTE_OTHER;
    clock_gettime(CLOCK_MONOTONIC, &rq->start);
    snprintf(rq->method, sizeof rq->method, "%s", method);
    copy_url(rq->url, url);
    atomic_fetch_add(&srv->requests, 1);
    return rq;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)version;
    request *rq = *state;
    if (!rq) {
        if (!(rq = request_new(cls, c, url, method)))
            return MHD_NO;
        *state = rq;
        if (strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strcmp(url, "/v1/analyze") == 0)
            return upload_begin(rq);
        if (strcmp(method, MHD_HTTP_METHOD_POST) == 0 && strcmp(url, "/v1/bundles") == 0)
            return bundles_post(rq);
        return route_get(rq, url, method);
    }
    if (rq->up)
        return upload_step(rq, data, size);
    if (rq->lk && !*size)
        return bundles_step(rq);
    /* A body nobody asked for: read and dropped (the response is queued). */
    rq->bytes_in += *size;
    *size = 0;
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    request *rq = *state;
    if (!rq)
        return;
    bool ok = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK;
    if (!ok && !rq->note)
        rq->note = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timed out (--timeout): closed"
                   : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "server stopping: closed"
                                                                   : NULL;
    if (rq->up)
        upload_end(rq, ok);
    if (rq->lk)
        bundles_end(rq);
    double secs = seconds_since(&rq->start);
    log_request(rq, secs, ok);
    metrics_request(rq->route, rq->status, rq->bytes_in, ok ? rq->bytes_out : 0, secs);
    atomic_fetch_sub(&rq->srv->requests, 1);
    free(rq);
    *state = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)c;
    (void)socket_context;
    metrics_connection(code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[ERROR_MAX];
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        return;
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "ewdiag serve: http: %s\n", msg);
}

/* ---- the daemon ---------------------------------------------------------- */

/* "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (every IPv4 interface). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen)
{
    char host[NI_MAXHOST];
    const char *port;
    size_t hlen;
    if (*s == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return -1;
        hlen = (size_t)(end - s - 1);
        memcpy(host, s + 1, hlen < sizeof host ? hlen : 0);
        port = end + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - s);
        memcpy(host, s, hlen < sizeof host ? hlen : 0);
        port = colon + 1;
    }
    if (hlen >= sizeof host || !*port || strspn(port, "0123456789") != strlen(port) ||
        strtol(port, NULL, 10) > UINT16_MAX)
        return -1;
    host[hlen] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    if (getaddrinfo(hlen ? host : "0.0.0.0", port, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static unsigned daemon_flags(const server *srv, int family)
{
    unsigned f = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    f |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL : MHD_USE_POLL;
    if (family == AF_INET6)
        f |= MHD_USE_IPv6;
    if (srv->cfg->cert_pem)
        f |= MHD_USE_TLS;
    return f;
}

struct MHD_Daemon *http_start(server *srv)
{
    const serve_config *cfg = srv->cfg;
    static struct sockaddr_storage ss; /* MHD keeps the pointer */
    socklen_t sslen = 0;
    if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
        fprintf(stderr, "ewdiag serve: --listen wants ADDR:PORT, [IPV6]:PORT or :PORT, not '%s'\n",
                cfg->listen);
        return NULL;
    }
    if (cfg->cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fputs("ewdiag serve: this libmicrohttpd has no TLS: --cert cannot be used\n", stderr);
        return NULL;
    }
    struct MHD_OptionItem opts[MAX_OPTIONS];
    size_t k = 0;
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                        (intptr_t)cfg->max_connections, NULL};
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout_s,
                                        NULL};
    if (cfg->threads > 1)
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads,
                                            NULL};
    if (cfg->cert_pem) {
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, cfg->key_pem};
        opts[k++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cfg->cert_pem};
    }
    opts[k++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    uint16_t port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    struct MHD_Daemon *d = MHD_start_daemon(
        daemon_flags(srv, ss.ss_family), port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_ARRAY, opts,
        MHD_OPTION_END);
    if (!d)
        fprintf(stderr, "ewdiag serve: cannot listen on %s (in use, or not an address of this "
                        "machine?)\n", cfg->listen);
    return d;
}
