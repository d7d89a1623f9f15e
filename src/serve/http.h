/* http.h - the HTTP side of ewdiag serve (GNU libmicrohttpd): the server,
 * its settings, one request's state, and the helpers every route uses. */
#ifndef EWDIAG_SERVE_HTTP_H
#define EWDIAG_SERVE_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../cli/options.h"
#include "list.h"
#include "metrics.h"
#include "workers.h"

#define EW_SERVE_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define EW_SERVE_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define URL_LOG_MAX 200 /* bytes of a URL written to the request log */

/* The settings, from the command line (serve.c says the defaults). */
typedef struct serve_config {
    const char *listen;     /* ADDR:PORT */
    uint64_t max_upload;    /* bytes of one request body */
    unsigned max_analyses;  /* analyses at once: the workers */
    unsigned max_inputs;    /* files in one upload */
    unsigned max_connections;
    unsigned timeout_s;     /* a connection idle this long is closed */
    unsigned threads;       /* HTTP threads */
    unsigned cores;
    bool adapt_threads;     /* the threads of each analysis follow the load (no --set threads=) */
    char *token;            /* bearer token; NULL: none asked */
    char *cert_pem, *key_pem; /* TLS when both are set */
    const char *db;         /* --db: the store (POST /v1/bundles); "" libpq's environment; NULL none */
    unsigned max_async;     /* uploads into the store at once */
    analysis_opts an;
} serve_config;

struct upload;
struct lookup;
struct bundles;

typedef struct server {
    const serve_config *cfg;
    struct MHD_Daemon *daemon;
    workers *workers;
    atomic_bool draining;     /* SIGTERM: no new analysis */
    pthread_mutex_t mu;       /* uploads */
    dlink *uploads;           /* those whose request is not over */
    atomic_int requests;      /* requests not over */
    struct bundles *bundles;  /* the store, with --db; NULL without */
} server;

#define REQUEST_INFO_MAX 160 /* what a route adds to the log line */

/* One request, from its headers to the end of its response. */
typedef struct request {
    server *srv;
    struct MHD_Connection *conn;
    route_id route;
    char method[16];
    char url[URL_LOG_MAX + 1];
    struct timespec start;
    unsigned status;         /* of the response queued; 0 none yet */
    uint64_t bytes_in;       /* request body bytes taken */
    uint64_t bytes_out;      /* response body bytes queued */
    const char *note;        /* why it ended early, for the log */
    char info[REQUEST_INFO_MAX]; /* "jobs=12,13", "state=done": for the log */
    struct upload *up;       /* POST /v1/analyze, POST /v1/bundles */
    struct lookup *lk;       /* GET /v1/bundles/ID */
} request;

/* Starts the daemon; NULL after saying why on stderr. */
struct MHD_Daemon *http_start(server *srv);

/* Queues a response: body (len bytes) is copied unless `take`, when it is
 * handed over (freed with free()). ctype NULL: none. */
enum MHD_Result respond(request *rq, unsigned status, const char *ctype, char *body, size_t len,
                        bool take);
/* The same with more headers. */
typedef struct response_header {
    const char *name, *value;
} response_header;
enum MHD_Result respond_headers(request *rq, unsigned status, const char *ctype, char *body,
                                size_t len, bool take, const response_header *h, size_t nh);
/* The same for a body that outlives the daemon (a constant): not copied. */
enum MHD_Result respond_static(request *rq, unsigned status, const char *ctype, const char *body,
                               size_t len, const response_header *h, size_t nh);
/* The same for a body that outlives the daemon (a constant): not copied. */
enum MHD_Result respond_static(request *rq, unsigned status, const char *ctype, const char *body,
                               size_t len, const response_header *h, size_t nh);
/* 405 with the methods allowed. */
enum MHD_Result respond_method_not_allowed(request *rq, const char *allow);
/* A one-line text/plain error ("ewdiag serve: <message>"). */
enum MHD_Result respond_error(request *rq, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, with a Retry-After header (503). */
enum MHD_Result respond_busy(request *rq, unsigned retry_s, const char *msg);

/* Whether the request carries the token (always, when none is asked). */
bool authorized(request *rq);
/* 401 asking for the token (Bearer, or Basic with it as the password). */
enum MHD_Result respond_unauthorized(request *rq);

/* GET routes (routes.c): the first call of a request that is not an upload. */
enum MHD_Result route_get(request *rq, const char *url, const char *method);

#endif
