/* routes.c - everything but the upload: the page and its files, health,
 * metrics, and what answers a wrong path or method. */
#include <stdlib.h>
#include <string.h>

#include "bundles.h"
#include "http.h"
#include "page.h"

#define PAGE_CSP                                                                        \
    "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; "     \
    "base-uri 'none'; frame-ancestors 'none'"

typedef struct static_file {
    const char *path;
    const char *ctype;
    const char *body;
} static_file;

static const static_file files[] = {
    {"/", "text/html; charset=utf-8", page_html},
    {"/static/upload.js", "text/javascript; charset=utf-8", page_js},
    {"/static/upload.css", "text/css; charset=utf-8", page_css},
};

static bool is_get(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

enum MHD_Result respond_method_not_allowed(request *rq, const char *allow)
{
    static const char msg[] = "ewdiag serve: method not allowed\n";
    const response_header h[] = {{MHD_HTTP_HEADER_ALLOW, allow}};
    return respond_static(rq, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", msg,
                          sizeof msg - 1, h, EW_SERVE_LEN(h));
}

static enum MHD_Result serve_file(request *rq, const static_file *f)
{
    const response_header h[] = {{MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, PAGE_CSP}};
    return respond_static(rq, MHD_HTTP_OK, f->ctype, f->body, strlen(f->body), h,
                          EW_SERVE_LEN(h));
}

static enum MHD_Result healthz(request *rq)
{
    static char ok[] = "ok\n";
    if (atomic_load(&rq->srv->draining))
        return respond_error(rq, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping");
    return respond(rq, MHD_HTTP_OK, "text/plain; charset=utf-8", ok, sizeof ok - 1, false);
}

static enum MHD_Result metrics(request *rq)
{
    size_t len = 0;
    metrics_gauges g = {.analyses = workers_busy(rq->srv->workers)};
    bundles_gauges(rq->srv, &g);
    char *text = metrics_text(&g, &len);
    if (!text)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return respond(rq, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len, true);
}

enum MHD_Result route_get(request *rq, const char *url, const char *method)
{
    if (strcmp(url, "/healthz") == 0) {
        rq->route = ROUTE_HEALTHZ;
        return is_get(method) ? healthz(rq) : respond_method_not_allowed(rq, "GET, HEAD");
    }
    if (strcmp(url, "/v1/analyze") == 0) {
        rq->route = ROUTE_ANALYZE;
        return respond_method_not_allowed(rq, "POST");
    }
    if (strncmp(url, "/v1/bundles", strlen("/v1/bundles")) == 0 &&
        (url[strlen("/v1/bundles")] == '\0' || url[strlen("/v1/bundles")] == '/'))
        return bundles_route(rq, url, method);
    const static_file *f = NULL;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(url, files[i].path) == 0)
            f = &files[i];
    rq->route = f ? ROUTE_PAGE : strcmp(url, "/metrics") == 0 ? ROUTE_METRICS : ROUTE_OTHER;
    if (rq->route == ROUTE_OTHER)
        return respond_error(rq, MHD_HTTP_NOT_FOUND, "no such path (GET /, POST /v1/analyze, "
                                                     "POST /v1/bundles, GET /v1/bundles/ID, "
                                                     "GET /healthz, GET /metrics)");
    if (!is_get(method))
        return respond_method_not_allowed(rq, "GET, HEAD");
    if (!authorized(rq))
        return respond_unauthorized(rq);
    return f ? serve_file(rq, f) : metrics(rq);
}
