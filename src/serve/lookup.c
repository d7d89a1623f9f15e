/* lookup.c - GET /v1/bundles/ID: a job's state and, once it is done, its
 * report as `ewdiag -f FORMAT` writes it. The HTTP thread never waits on
 * the database: the lookup runs on a worker with a connection of its own
 * while the request's connection is paused, and is answered when resumed.
 * Also what answers anything else under /v1/bundles. */
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bundles_int.h"
#include "upload_int.h"

#define ID_DIGITS_MAX 18  /* a positive int64 without overflow */
#define POLL_AFTER_S 2    /* Retry-After of a job not done yet */
#define HTTP_UNPROCESSABLE 422 /* a dead job (MHD_HTTP_UNPROCESSABLE_CONTENT is 0.9.74+) */
#define STATE_MAX 8
#define TIME_TEXT_MAX 32
#define US_PER_S 1000000
#define US_PER_MS 1000
#define LOOKUP_ERR_MAX (DB_MSG_MAX + 128)
#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

typedef struct lookup {
    atomic_int refs; /* the request and the worker */
    struct bundles *b;
    struct MHD_Connection *conn;
    pthread_mutex_t mu;
    bool done, suspended, abandoned;
    int64_t id;
    ewdiag_format format;
    /* The answer, made by the worker before `done`. */
    unsigned status, retry_s;
    const char *ctype;
    char state[STATE_MAX]; /* "" when no job was found */
    int exit_status;       /* of a report; -1 none */
    char *body;
    size_t len;
    dlink link; /* in the store's pending list */
} lookup;

static void lookup_unref(lookup *l)
{
    if (atomic_fetch_sub(&l->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l->body);
    free(l);
}

/* ---- on the worker ------------------------------------------------------------ */

static void fail(lookup *l, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A one-line text error as the answer. */
static void fail(lookup *l, unsigned status, const char *fmt, ...)
{
    char msg[LOOKUP_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(l->body);
    l->body = NULL;
    if (n >= 0 && asprintf(&l->body, "ewdiag serve: %s\n", msg) < 0)
        l->body = NULL;
    l->len = l->body ? strlen(l->body) : 0;
    l->status = l->body ? status : MHD_HTTP_INTERNAL_SERVER_ERROR;
    l->ctype = "text/plain; charset=utf-8";
    l->retry_s = status == MHD_HTTP_SERVICE_UNAVAILABLE ? RETRY_AFTER_S : 0;
}

/* A time as the report writes times (UTC, milliseconds), or null. */
static json_t *time_json(int64_t us)
{
    char text[TIME_TEXT_MAX + 8], day[TIME_TEXT_MAX];
    time_t t = (time_t)(us / US_PER_S);
    struct tm tm;
    if (!us || !gmtime_r(&t, &tm) || !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm))
        return json_null();
    snprintf(text, sizeof text, "%s.%03dZ", day, (int)(us % US_PER_S / US_PER_MS));
    return json_string(text);
}

/* A text column as a JSON string; "" (and what is not UTF-8) as null. */
static json_t *text_json(const char *s)
{
    json_t *j = s && *s ? json_string(s) : NULL;
    return j ? j : json_null();
}

/* The state of a job not done: 202 while queued or running, 422 dead. */
static int status_answer(lookup *l, const ewq_job *job)
{
    json_t *o = json_object();
    bool ok = o && json_object_set_new(o, "id", json_integer(job->id)) == 0 &&
              json_object_set_new(o, "name", text_json(job->location)) == 0 &&
              json_object_set_new(o, "case", text_json(job->case_id)) == 0 &&
              json_object_set_new(o, "state", json_string(job->state)) == 0 &&
              json_object_set_new(o, "attempts", json_integer(job->attempts)) == 0 &&
              json_object_set_new(o, "max_attempts", json_integer(job->max_attempts)) == 0 &&
              json_object_set_new(o, "error", text_json(job->error)) == 0 &&
              json_object_set_new(o, "submitted_at", time_json(job->submitted_at)) == 0 &&
              json_object_set_new(o, "started_at", time_json(job->started_at)) == 0 &&
              json_object_set_new(o, "finished_at", time_json(job->finished_at)) == 0;
    char *text = ok ? json_dumps(o, JSON_FLAGS) : NULL;
    json_decref(o);
    if (!text || asprintf(&l->body, "%s\n", text) < 0) {
        free(text);
        l->body = NULL;
        return EWQ_ENOMEM;
    }
    free(text);
    l->len = strlen(l->body);
    l->ctype = "application/json";
    bool dead = strcmp(job->state, "dead") == 0;
    l->status = dead ? HTTP_UNPROCESSABLE : MHD_HTTP_ACCEPTED;
    l->retry_s = dead ? 0 : POLL_AFTER_S;
    return EWQ_OK;
}

/* The report of a job done, and the command's exit status for it. */
static int report_answer(ewq_db *db, lookup *l)
{
    size_t count = 0;
    int severity = -1;
    bool incomplete = false;
    FILE *mem = open_memstream(&l->body, &l->len);
    if (!mem)
        return EWQ_ENOMEM;
    ewq_filter f = {.job_id = l->id};
    int rc = ewq_results_write(db, &f, l->format, mem, NULL, &count, &severity, &incomplete);
    if (fclose(mem) != 0 && rc == EWQ_OK)
        rc = EWQ_ENOMEM;
    if (rc == EWQ_OK && count == 0)
        rc = EWQ_ENOTFOUND; /* done, and its result deleted since */
    if (rc != EWQ_OK) {
        free(l->body);
        l->body = NULL;
        return rc;
    }
    l->status = MHD_HTTP_OK;
    l->ctype = upload_content_type(l->format);
    l->exit_status = severity >= EWDIAG_SEV_WARNING ? EXIT_FINDINGS
                     : incomplete                  ? EXIT_PARTIAL
                                                   : EXIT_CLEAN;
    return EWQ_OK;
}

static int fetch(ewq_db *db, lookup *l)
{
    ewq_job job;
    int rc = ewq_job_get(db, l->id, &job);
    if (rc != EWQ_OK)
        return rc;
    snprintf(l->state, sizeof l->state, "%s", job.state);
    rc = strcmp(job.state, "done") == 0 ? report_answer(db, l) : status_answer(l, &job);
    ewq_job_clear(&job);
    return rc;
}

/* The lookup, once more on a new connection when its was found lost. */
static void answer(dbconn *c, lookup *l)
{
    char msg[DB_MSG_MAX];
    for (int attempt = 0; attempt < DB_RETRIES; attempt++) {
        ewq_db *db = dbconn_get(c, msg, sizeof msg);
        if (!db) {
            fail(l, MHD_HTTP_SERVICE_UNAVAILABLE, "the database cannot be used now: %s", msg);
            return;
        }
        int rc = fetch(db, l);
        if (rc == EWQ_OK)
            return;
        bool lost = rc == EWQ_EDB && dbconn_lost(c);
        if (lost && attempt + 1 < DB_RETRIES)
            continue;
        if (rc == EWQ_EOLD) /* stored before the worker kept HTML */
            fail(l, MHD_HTTP_NOT_FOUND, "%s", ewq_db_error(db));
        else if (rc == EWQ_ENOTFOUND && !l->state[0])
            fail(l, MHD_HTTP_NOT_FOUND, "no job %lld", (long long)l->id);
        else if (rc == EWQ_ENOTFOUND)
            fail(l, MHD_HTTP_NOT_FOUND, "job %lld is done, but its result is gone",
                 (long long)l->id);
        else
            fail(l, lost ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
                 rc == EWQ_ENOMEM ? "out of memory" : ewq_db_error(db));
        return;
    }
}

/* Sets *flag (done, abandoned) under the lookup's lock and wakes its
 * connection if it sleeps, so that the HTTP thread sees the flag. */
static void mark_and_resume(lookup *l, bool *flag)
{
    pthread_mutex_lock(&l->mu);
    *flag = true;
    if (l->suspended) {
        l->suspended = false;
        MHD_resume_connection(l->conn);
    }
    pthread_mutex_unlock(&l->mu);
}

static void look_up(void *ctx, void *arg)
{
    lookup *l = arg;
    pthread_mutex_lock(&l->mu);
    bool abandoned = l->abandoned;
    pthread_mutex_unlock(&l->mu);
    if (!abandoned)
        answer(ctx, l);
    mark_and_resume(l, &l->done);
    lookup_unref(l);
}

/* ---- on the HTTP thread --------------------------------------------------------- */

static bool is_get(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* "123" -> 123; 0 when it is not a job number. */
static int64_t parse_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ID_DIGITS_MAX || strspn(s, "0123456789") != n)
        return 0;
    return (int64_t)strtoll(s, NULL, 10);
}

/* ?format=: json (the default), jsonl, text or html, the formats the store
 * keeps. */
static enum MHD_Result parse_lookup_format(request *rq, ewdiag_format *fmt, bool *refused)
{
    const char *f = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "format");
    *fmt = EWDIAG_FORMAT_JSON;
    *refused = f && parse_format(f, fmt) != 0;
    if (!*refused)
        return MHD_YES;
    return respond_error(rq, MHD_HTTP_BAD_REQUEST, "format '%.32s': a stored report is given as "
                         "json, jsonl, text or html", f);
}

static lookup *lookup_new(request *rq, int64_t id, ewdiag_format fmt)
{
    lookup *l = calloc(1, sizeof *l);
    if (!l || pthread_mutex_init(&l->mu, NULL) != 0) {
        free(l);
        return NULL;
    }
    atomic_init(&l->refs, 2);
    l->b = rq->srv->bundles;
    l->conn = rq->conn;
    l->id = id;
    l->format = fmt;
    l->exit_status = -1;
    return l;
}

static void list_add(lookup *l)
{
    dlist_add(&l->b->mu, &l->b->pending, &l->link);
}

static void list_remove(lookup *l)
{
    dlist_remove(&l->b->mu, &l->b->pending, &l->link);
}

static enum MHD_Result start_lookup(request *rq, const char *id_text, const char *method)
{
    bool refused;
    enum MHD_Result q = bundles_check(rq, &refused);
    if (refused)
        return q;
    if (!is_get(method))
        return respond_method_not_allowed(rq, "GET, HEAD");
    int64_t id = parse_id(id_text);
    if (!id)
        return respond_error(rq, MHD_HTTP_NOT_FOUND, "no job '%.24s' (job numbers are "
                             "positive)", id_text);
    ewdiag_format fmt;
    q = parse_lookup_format(rq, &fmt, &refused);
    if (refused)
        return q;
    lookup *l = lookup_new(rq, id, fmt);
    if (!l)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    list_add(l);
    if (workers_submit(rq->srv->bundles->lookups, look_up, l) != 0) {
        list_remove(l);
        atomic_store(&l->refs, 1);
        lookup_unref(l);
        return respond_busy(rq, RETRY_AFTER_S, "too many lookups waiting: try again shortly");
    }
    rq->lk = l;
    return MHD_YES;
}

enum MHD_Result bundles_route(request *rq, const char *url, const char *method)
{
    const char *rest = url + strlen(BUNDLES_PATH);
    if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
        rq->route = ROUTE_BUNDLES;
        return respond_method_not_allowed(rq, "POST");
    }
    rq->route = ROUTE_BUNDLE;
    return start_lookup(rq, rest + 1, method);
}

static enum MHD_Result respond_lookup(request *rq, lookup *l)
{
    char retry[16], exit_status[16];
    response_header h[3];
    size_t n = 0;
    if (l->state[0])
        h[n++] = (response_header){"Ewdiag-Job-State", l->state};
    if (l->retry_s) {
        snprintf(retry, sizeof retry, "%u", l->retry_s);
        h[n++] = (response_header){MHD_HTTP_HEADER_RETRY_AFTER, retry};
    }
    if (l->exit_status >= 0) {
        snprintf(exit_status, sizeof exit_status, "%d", l->exit_status);
        h[n++] = (response_header){"Ewdiag-Exit-Status", exit_status};
    }
    if (l->state[0])
        snprintf(rq->info, sizeof rq->info, "state=%s", l->state);
    if (!l->body)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    char *body = l->body;
    l->body = NULL; /* the response frees it */
    return respond_headers(rq, l->status, l->ctype, body, l->len, true, h, n);
}

enum MHD_Result bundles_step(request *rq)
{
    lookup *l = rq->lk;
    pthread_mutex_lock(&l->mu);
    bool done = l->done, abandoned = l->abandoned;
    if (!done && !abandoned) {
        l->suspended = true;
        MHD_suspend_connection(rq->conn);
    }
    pthread_mutex_unlock(&l->mu);
    if (done)
        return respond_lookup(rq, l);
    if (abandoned)
        return respond_busy(rq, RETRY_AFTER_S, "the server is stopping");
    return MHD_YES; /* resumed when the lookup is done */
}

void bundles_end(request *rq)
{
    lookup *l = rq->lk;
    list_remove(l);
    rq->lk = NULL;
    lookup_unref(l);
}

bool bundles_pending(server *srv)
{
    struct bundles *b = srv->bundles;
    if (!b)
        return false;
    pthread_mutex_lock(&b->mu);
    bool pending = b->pending != NULL;
    pthread_mutex_unlock(&b->mu);
    return pending;
}

void bundles_abort_all(server *srv)
{
    struct bundles *b = srv->bundles;
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    for (dlink *k = b->pending; k; k = k->next) {
        lookup *l = DLINK_OWNER(k, lookup, link);
        mark_and_resume(l, &l->abandoned);
    }
    pthread_mutex_unlock(&b->mu);
}
