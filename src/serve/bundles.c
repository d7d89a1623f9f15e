/* bundles.c - POST /v1/bundles: each file of the upload is streamed as it
 * arrives into a large object of the store, on a worker with a database
 * connection of its own (ewq_upload_*: never a temporary file, never the
 * whole body in memory); all the files of an upload are queued as jobs in
 * one transaction, committed once the body has ended well, and answered
 * 202 with the jobs. A client that leaves, a bad body or a lost database
 * rolls it back: nothing is left. Also the store's start and stop. */
#include "bundles.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundles_int.h"
#include "upload_int.h"

#define STORE_CHUNK (256u * 1024u) /* bytes per lo_write, the consumer's buffer */
#define CASE_MAX_BYTES 255         /* ?case= */
#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)
#define ID_TEXT_MAX 24             /* an int64 in decimal */
#define STORE_ERR_MAX (DB_MSG_MAX + 128)

const bool bundles_built = true;

typedef struct store_job {
    int64_t id;
    char name[NAME_MAX_BYTES + 1];
} store_job;

/* An upload's results; the consumer writes them, the HTTP thread reads
 * them once the stream says the consumer is done or stopped. */
typedef struct store_result {
    char *case_id; /* NULL: none */
    size_t njobs, max_jobs;
    store_job *jobs;
    atomic_uint status; /* the consumer's failure as an HTTP status; 0 none */
    char err[STORE_ERR_MAX]; /* written once, before status */
} store_result;

static void result_free(void *p)
{
    store_result *res = p;
    free(res->case_id);
    free(res->jobs);
    free(res);
}

static store_result *result_new(const char *case_id, unsigned max_jobs)
{
    store_result *res = calloc(1, sizeof *res);
    if (!res || !(res->jobs = calloc(max_jobs, sizeof *res->jobs)) ||
        (case_id && *case_id && !(res->case_id = strdup(case_id)))) {
        if (res)
            result_free(res);
        return NULL;
    }
    res->max_jobs = max_jobs;
    atomic_init(&res->status, 0);
    return res;
}

static void set_fail(store_result *res, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first failure is the answer. */
static void set_fail(store_result *res, unsigned status, const char *fmt, ...)
{
    if (atomic_load(&res->status))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->err, sizeof res->err, fmt, ap);
    va_end(ap);
    atomic_store(&res->status, status);
}

/* ---- the consumer, on a worker with a connection ------------------------ */

/* An operation on the store failed: 503 when the connection is lost (the
 * database went away: try again), 500 with the server's word otherwise. */
static void db_failed(dbconn *c, ewq_db *db, store_result *res)
{
    if (dbconn_lost(c))
        set_fail(res, MHD_HTTP_SERVICE_UNAVAILABLE, "the database connection was lost during "
                 "the upload, nothing was stored: %s", ewq_db_error(db));
    else
        set_fail(res, MHD_HTTP_INTERNAL_SERVER_ERROR, "nothing was stored: %s", ewq_db_error(db));
}

/* The transaction and the first large object; on a connection found lost
 * (the server restarted since it was used), once more on a new one. */
static ewq_upload *open_upload(dbconn *c, store_result *res, ewq_db **dbp)
{
    char msg[DB_MSG_MAX];
    for (int attempt = 0; attempt < DB_RETRIES; attempt++) {
        ewq_db *db = dbconn_get(c, msg, sizeof msg);
        if (!db) {
            set_fail(res, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be used now: %s", msg);
            return NULL;
        }
        ewq_upload *up;
        *dbp = db;
        if (ewq_upload_begin(db, &up) == EWQ_OK)
            return up;
        if (!dbconn_lost(c) || attempt + 1 == DB_RETRIES) {
            db_failed(c, db, res);
            return NULL;
        }
    }
    return NULL;
}

/* The file just written becomes a job: with the next file to come (add),
 * or as the last (finish: all are committed; up is freed). */
static bool queue_file(dbconn *c, ewq_db *db, ewq_upload *up, store_result *res,
                       const char *name, bool last)
{
    int64_t id = 0;
    int rc = last ? ewq_upload_finish(up, res->case_id, name, 0, &id)
                  : ewq_upload_add(up, res->case_id, name, 0, &id);
    if (rc != EWQ_OK) {
        db_failed(c, db, res);
        return false;
    }
    if (res->njobs < res->max_jobs) { /* the parser stops at --max-inputs */
        res->jobs[res->njobs].id = id;
        snprintf(res->jobs[res->njobs].name, sizeof res->jobs[0].name, "%s", name);
        res->njobs++;
    }
    return true;
}

enum { PUMP_OK, PUMP_STOPPED, PUMP_DB };

/* The current file, from the stream into the large object. */
static int pump(upload *u, ewq_upload *up, char *buf)
{
    long n;
    while ((n = stream_read(u->s, buf, STORE_CHUNK)) > 0)
        if (ewq_upload_write(up, buf, (size_t)n) != EWQ_OK)
            return PUMP_DB;
    return n < 0 ? PUMP_STOPPED : PUMP_OK;
}

static void store(void *ctx, void *arg)
{
    dbconn *c = ctx;
    upload *u = arg;
    store_result *res = u->result;
    char *buf = malloc(STORE_CHUNK), name[NAME_MAX_BYTES + 1] = "";
    ewq_upload *up = NULL;
    ewq_db *db = NULL;
    const char *next;
    int rc = -1;
    bool ok = buf != NULL;
    if (!ok)
        set_fail(res, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    while (ok && (rc = stream_next(u->s, &next)) == 1) {
        if (!up)
            ok = (up = open_upload(c, res, &db)) != NULL;
        else
            ok = queue_file(c, db, up, res, name, false);
        snprintf(name, sizeof name, "%s", next);
        int p = ok ? pump(u, up, buf) : PUMP_STOPPED;
        if (p == PUMP_DB)
            db_failed(c, db, res);
        ok = ok && p == PUMP_OK;
        stream_drain(u->s);
    }
    if (ok && rc == 0 && !up)
        set_fail(res, MHD_HTTP_BAD_REQUEST, "no file in the upload");
    bool committed = ok && rc == 0 && up && queue_file(c, db, up, res, name, true);
    if (up && !(ok && rc == 0)) /* finish frees it, whatever it returns */
        ewq_upload_abort(up);
    unsigned failed = atomic_load(&res->status);
    if (failed) /* answered now: the rest of the body is dropped */
        stream_abort(u->s);
    metrics_store(committed ? RESULT_OK : failed ? RESULT_FAILED : RESULT_ABORTED,
                  committed ? res->njobs : 0);
    free(buf);
    upload_consumed(u);
}

/* ---- the answers ----------------------------------------------------------- */

static enum MHD_Result respond_store_stopped(request *rq, upload *u)
{
    store_result *res = u->result;
    unsigned status = atomic_load(&res->status);
    if (status >= MHD_HTTP_INTERNAL_SERVER_ERROR) /* the operator's business: in the log */
        snprintf(rq->info, sizeof rq->info, "%.*s", (int)sizeof rq->info - 1, res->err);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        return respond_busy(rq, RETRY_AFTER_S, res->err);
    if (status)
        return respond_error(rq, status, "%s", res->err);
    return respond_busy(rq, RETRY_AFTER_S, "the server is stopping: the upload was not stored");
}

/* {"jobs": [{"id": .., "name": .., "status_url": ..}, ...]} */
static char *jobs_json(const store_result *res, size_t *len)
{
    json_t *jobs = json_array(), *root = json_object();
    bool ok = jobs && root && json_object_set(root, "jobs", jobs) == 0;
    char url[sizeof BUNDLES_PATH + ID_TEXT_MAX + 1];
    for (size_t i = 0; ok && i < res->njobs; i++) {
        snprintf(url, sizeof url, BUNDLES_PATH "/%lld", (long long)res->jobs[i].id);
        json_t *j = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)res->jobs[i].id, "name",
                              res->jobs[i].name, "status_url", url);
        ok = j && json_array_append_new(jobs, j) == 0;
    }
    char *text = ok ? json_dumps(root, JSON_FLAGS) : NULL;
    json_decref(jobs);
    json_decref(root);
    size_t n = text ? strlen(text) : 0;
    char *body = text ? realloc(text, n + 2) : NULL;
    if (!body) {
        free(text);
        return NULL;
    }
    memcpy(body + n, "\n", 2);
    *len = n + 1;
    return body;
}

/* "jobs=12,13,..." for the log line, cut to fit. */
static void log_jobs(request *rq, const store_result *res)
{
    size_t o = (size_t)snprintf(rq->info, sizeof rq->info, "jobs=");
    for (size_t i = 0; i < res->njobs && o < sizeof rq->info; i++) {
        int n = snprintf(rq->info + o, sizeof rq->info - o, "%s%lld", i ? "," : "",
                         (long long)res->jobs[i].id);
        if (n < 0 || (size_t)n >= sizeof rq->info - o) {
            snprintf(rq->info + o, sizeof rq->info - o, ",...");
            break;
        }
        o += (size_t)n;
    }
}

static enum MHD_Result respond_accepted(request *rq, upload *u)
{
    store_result *res = u->result;
    if (atomic_load(&res->status))
        return respond_store_stopped(rq, u);
    size_t len = 0;
    char *body = jobs_json(res, &len);
    if (!body)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "out of memory (the jobs were queued)");
    log_jobs(rq, res);
    char where[sizeof BUNDLES_PATH + ID_TEXT_MAX + 1];
    snprintf(where, sizeof where, BUNDLES_PATH "/%lld", (long long)res->jobs[0].id);
    response_header h[] = {{MHD_HTTP_HEADER_LOCATION, where}};
    return respond_headers(rq, MHD_HTTP_ACCEPTED, "application/json", body, len, true, h,
                           res->njobs == 1 ? 1 : 0);
}

static const upload_kind store_kind = {
    .route = ROUTE_BUNDLES,
    .text_names = true,
    .consume = store,
    .respond = respond_accepted,
    .respond_stopped = respond_store_stopped,
    .free_result = result_free,
    .busy = "uploads into the database are running (--max-async)",
};

/* ---- the request ------------------------------------------------------------- */

enum MHD_Result bundles_check(request *rq, bool *refused)
{
    struct bundles *b = rq->srv->bundles;
    *refused = true;
    if (!b)
        return respond_error(rq, MHD_HTTP_NOT_FOUND, "asynchronous uploads need a database: "
                             "start ewdiag serve with --db URL (or --db '' for libpq's PG* "
                             "environment) after 'ewdiag queue init'; see ewdiag-serve(1)");
    if (!authorized(rq))
        return respond_unauthorized(rq);
    unsigned retry_s;
    char msg[DB_MSG_MAX], why[STORE_ERR_MAX];
    if (dbhealth_down(b->health, &retry_s, msg, sizeof msg)) {
        metrics_db_error();
        snprintf(why, sizeof why, "the database cannot be used now (tried again within %u s): %s",
                 retry_s, msg);
        return respond_busy(rq, retry_s, why);
    }
    *refused = false;
    return MHD_YES;
}

enum MHD_Result bundles_post(request *rq)
{
    rq->route = ROUTE_BUNDLES;
    bool refused;
    enum MHD_Result q = bundles_check(rq, &refused);
    if (!refused)
        q = upload_check(rq, &refused);
    if (refused)
        return q;
    const char *case_id = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "case");
    if (case_id && (strlen(case_id) > CASE_MAX_BYTES || !upload_is_text(case_id)))
        return respond_error(rq, MHD_HTTP_BAD_REQUEST,
                             "the case is not UTF-8 text of at most %d bytes", CASE_MAX_BYTES);
    store_result *res = result_new(case_id, rq->srv->cfg->max_inputs);
    if (!res)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return upload_start(rq, &store_kind, rq->srv->bundles->stores, EWDIAG_FORMAT_JSON, res);
}

/* ---- start, stop ------------------------------------------------------------- */

/* A first look: a schema missing or of another version is for the operator
 * to fix now; a database down is waited for (the routes answer 503). */
static int first_look(const serve_config *cfg, dbhealth *h)
{
    ewq_db *db = ewq_db_new(cfg->db, "ewdiag serve");
    if (!db) {
        fputs("ewdiag serve: out of memory\n", stderr);
        return -1;
    }
    int rc = ewq_db_connect(db);
    if (rc == EWQ_OK)
        rc = ewq_schema_check(db);
    if (rc == EWQ_ESCHEMA)
        fprintf(stderr, "ewdiag serve: --db: %s\n", ewq_db_error(db));
    else if (rc != EWQ_OK) {
        fprintf(stderr, "ewdiag serve: warning: %s; /v1/bundles answers 503 until it can be "
                        "reached\n", ewq_db_error(db));
        dbhealth_failed(h, ewq_db_error(db));
    }
    ewq_db_free(db);
    return rc == EWQ_ESCHEMA ? -1 : 0;
}

static void bundles_free(struct bundles *b)
{
    workers_stop(b->stores);
    workers_stop(b->lookups);
    dbhealth_free(b->health);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

int bundles_start(server *srv)
{
    const serve_config *cfg = srv->cfg;
    if (!cfg->db)
        return 0;
    struct bundles *b = calloc(1, sizeof *b);
    if (!b || pthread_mutex_init(&b->mu, NULL) != 0) {
        free(b);
        fputs("ewdiag serve: out of memory\n", stderr);
        return -1;
    }
    if (!(b->health = dbhealth_new(cfg->db)) || first_look(cfg, b->health) != 0 ||
        !(b->stores = dbpool_start(b->health, cfg->max_async, 0)) ||
        !(b->lookups = dbpool_start(b->health, cfg->threads, cfg->max_connections))) {
        if (!b->health)
            fputs("ewdiag serve: out of memory\n", stderr);
        bundles_free(b);
        return -1;
    }
    srv->bundles = b;
    fprintf(stderr, "ewdiag serve: asynchronous uploads into the database %s (%u at once)\n",
            *cfg->db ? "of --db" : "of libpq's environment", cfg->max_async);
    if (!cfg->token)
        fputs("ewdiag serve: warning: --db without --token-file: whoever reaches the service can "
              "read every stored report by its job number\n", stderr);
    return 0;
}

void bundles_stop(server *srv)
{
    if (!srv->bundles)
        return;
    bundles_free(srv->bundles);
    srv->bundles = NULL;
}

void bundles_gauges(server *srv, metrics_gauges *g)
{
    struct bundles *b = srv->bundles;
    if (!b)
        return;
    g->stores = workers_busy(b->stores);
    g->store_slots = workers_size(b->stores);
    g->db_up = dbhealth_up(b->health);
}
