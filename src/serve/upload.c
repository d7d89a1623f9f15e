/* upload.c - POST /v1/analyze. The HTTP thread feeds the body (or each
 * file of a multipart body) into a stream; a worker analyzes it as it
 * arrives with ewdiag_analyze_read() and serializes the report; the
 * response is that report. Nothing is written to disk and the body is
 * never held whole: memory per upload is the stream's ring. */
#include "upload.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/outcome.h"
#include "multipart.h"
#include "stream.h"

#define RING_BYTES (1024u * 1024u) /* between the HTTP thread and the analysis */
#define NAME_MAX_BYTES 255         /* an input's name (a file name) */
#define FORMAT_FIELD_MAX 16        /* the form's "format" value */
#define RETRY_AFTER_S 5
#define ERR_MAX 240
#define NS_PER_S 1e9

typedef enum { PART_NONE, PART_FILE, PART_FORMAT, PART_SKIP } part_kind;

typedef struct upload {
    atomic_int refs; /* the request and the worker */
    server *srv;
    struct MHD_Connection *conn;
    stream *s;
    mp_parser *mp;         /* NULL: the body is the one file */
    ewdiag_format format;  /* the worker reads it once the body has ended */
    uint64_t received;
    unsigned inputs;       /* files begun */
    unsigned err_status;   /* an error to answer once the body is read */
    char err[ERR_MAX];
    bool ended;            /* the end of the body was handled */
    part_kind part;        /* the multipart part being read */
    char field[FORMAT_FIELD_MAX + 1];
    size_t flen;
    struct timespec t0;
    /* The worker's results, read once the stream says it is done. */
    char *out;
    size_t outlen;
    int exit_status;
    struct upload *next, *prev; /* the server's list */
} upload;

/* ---- life ------------------------------------------------------------------- */

static void upload_unref(upload *u)
{
    if (atomic_fetch_sub(&u->refs, 1) != 1)
        return;
    stream_free(u->s);
    mp_free(u->mp);
    free(u->out);
    free(u);
}

/* Pauses or resumes the connection for the stream (under its lock). */
static void on_stall(void *ctx, bool stall)
{
    upload *u = ctx;
    if (stall)
        MHD_suspend_connection(u->conn);
    else
        MHD_resume_connection(u->conn);
}

static void list_add(upload *u)
{
    server *srv = u->srv;
    pthread_mutex_lock(&srv->mu);
    u->next = srv->uploads;
    if (u->next)
        u->next->prev = u;
    srv->uploads = u;
    pthread_mutex_unlock(&srv->mu);
}

static void list_remove(upload *u)
{
    server *srv = u->srv;
    pthread_mutex_lock(&srv->mu);
    if (u->prev)
        u->prev->next = u->next;
    else if (srv->uploads == u)
        srv->uploads = u->next;
    if (u->next)
        u->next->prev = u->prev;
    u->next = u->prev = NULL;
    pthread_mutex_unlock(&srv->mu);
}

void uploads_abort_all(server *srv)
{
    pthread_mutex_lock(&srv->mu);
    for (upload *u = srv->uploads; u; u = u->next)
        stream_abort(u->s);
    pthread_mutex_unlock(&srv->mu);
}

/* The upload fails with this status and message, answered once the body
 * is read (libmicrohttpd answers only then); the analysis stops now. */
static void fail(upload *u, unsigned status, const char *msg)
{
    if (!u->err_status) {
        u->err_status = status;
        snprintf(u->err, sizeof u->err, "%s", msg);
    }
    stream_abort(u->s);
}

/* ---- the analysis, on a worker ------------------------------------------------ */

/* Two threads per analysis (gzip inflated beside the scanning) while
 * there are cores for it, one each when the analyses running fill them:
 * the command's rule for --jobs. */
static void pick_threads(ewdiag_analyzer *a, const upload *u)
{
    const serve_config *cfg = u->srv->cfg;
    if (!cfg->adapt_threads)
        return;
    unsigned running = workers_busy(u->srv->workers);
    if (ewdiag_analyzer_set_option(a, "threads", 2 * running <= cfg->cores ? "2" : "1") != EWDIAG_OK)
        return; /* a valid value: it keeps the last one then, which works too */
}

static void analyze(ewdiag_analyzer *a, void *arg)
{
    upload *u = arg;
    pick_threads(a, u);
    ewdiag_report *r = ewdiag_report_new();
    bool oom = !r;
    size_t inputs = 0, analyzed = 0;
    const char *name;
    int rc;
    while ((rc = stream_next(u->s, &name)) == 1) {
        int arc = oom ? EWDIAG_ENOMEM : ewdiag_analyze_read(a, r, stream_read, u->s, name);
        stream_drain(u->s);
        inputs++;
        analyzed += arc == EWDIAG_OK;
        oom = oom || arc == EWDIAG_ENOMEM || arc == EWDIAG_EINVAL;
    }
    size_t findings = ewdiag_report_finding_count(r);
    if (rc == 0 && !oom)
        u->out = ewdiag_report_serialize(r, u->format, 0, &u->outlen);
    u->exit_status = report_exit_status(r, analyzed);
    ewdiag_report_free(r);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double secs = (double)(t.tv_sec - u->t0.tv_sec) + (double)(t.tv_nsec - u->t0.tv_nsec) / NS_PER_S;
    metrics_analysis(rc < 0 ? RESULT_ABORTED : u->out ? RESULT_OK : RESULT_FAILED, secs, inputs,
                     findings);
    stream_done(u->s);
    upload_unref(u);
}

/* ---- names ---------------------------------------------------------------------- */

/* What the report calls an uploaded file: its base name, as the command
 * calls a file it is given by that name. -1 when too long. */
static int input_name(const char *given, char out[NAME_MAX_BYTES + 1])
{
    const char *base = given;
    for (const char *p = given; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = strlen(base);
    if (n > NAME_MAX_BYTES)
        return -1;
    memcpy(out, n ? base : "-", n ? n + 1 : 2);
    return 0;
}

/* ---- multipart/form-data --------------------------------------------------------- */

static mp_rc on_begin(void *ctx, const char *field, const char *filename, bool has_file)
{
    upload *u = ctx;
    char name[NAME_MAX_BYTES + 1], msg[ERR_MAX];
    u->flen = 0;
    if (!has_file || !*filename) { /* a form field, or a file input left empty */
        u->part = has_file || strcmp(field, "format") != 0 ? PART_SKIP : PART_FORMAT;
        return MP_OK;
    }
    if (u->inputs == u->srv->cfg->max_inputs) {
        snprintf(msg, sizeof msg, "more than %u files in one upload (--max-inputs)", u->inputs);
        mp_fail(u->mp, msg);
        return MP_FAIL;
    }
    if (input_name(filename, name) != 0) {
        mp_fail(u->mp, "a file name is longer than 255 bytes");
        return MP_FAIL;
    }
    int rc = stream_open(u->s, name);
    if (rc < 0)
        mp_fail(u->mp, "out of memory");
    if (rc != 1)
        return rc ? MP_FAIL : MP_BUSY;
    u->inputs++;
    u->part = PART_FILE;
    return MP_OK;
}

static long on_data(void *ctx, const char *p, size_t n)
{
    upload *u = ctx;
    switch (u->part) {
    case PART_FILE: return (long)stream_write(u->s, p, n);
    case PART_FORMAT:
        if (u->flen + n > FORMAT_FIELD_MAX) {
            mp_fail(u->mp, "the form's format field is too long (text, json, jsonl or html)");
            return -1;
        }
        memcpy(u->field + u->flen, p, n);
        u->flen += n;
        return (long)n;
    default: return (long)n;
    }
}

static mp_rc on_end(void *ctx)
{
    upload *u = ctx;
    part_kind k = u->part;
    u->part = PART_NONE;
    if (k == PART_FILE)
        stream_close(u->s);
    if (k != PART_FORMAT)
        return MP_OK;
    u->field[u->flen] = '\0';
    if (parse_format(u->field, &u->format) == 0)
        return MP_OK;
    mp_fail(u->mp, "the form's format is not text, json, jsonl or html");
    return MP_FAIL;
}

/* ---- the request ------------------------------------------------------------------ */

static const char *content_type_of(ewdiag_format f)
{
    switch (f) {
    case EWDIAG_FORMAT_TEXT: return "text/plain; charset=utf-8";
    case EWDIAG_FORMAT_JSONL: return "application/x-ndjson";
    case EWDIAG_FORMAT_HTML: return "text/html; charset=utf-8";
    default: return "application/json";
    }
}

static upload *upload_new(request *rq, ewdiag_format fmt, const char *ctype, char *err,
                          size_t errsz)
{
    static const mp_handler handler = {on_begin, on_data, on_end};
    upload *u = calloc(1, sizeof *u);
    if (!u || !(u->s = stream_new(RING_BYTES, on_stall, u))) {
        free(u);
        snprintf(err, errsz, "%s", "out of memory");
        return NULL;
    }
    atomic_init(&u->refs, 2);
    u->srv = rq->srv;
    u->conn = rq->conn;
    u->format = fmt;
    clock_gettime(CLOCK_MONOTONIC, &u->t0);
    if (mp_is_multipart(ctype) && !(u->mp = mp_new(ctype, &handler, u, err, errsz))) {
        stream_free(u->s);
        free(u);
        return NULL;
    }
    return u;
}

/* The checks of the headers; *refused when an error response is queued
 * (then the result is that of queuing it). */
static enum MHD_Result check_headers(request *rq, ewdiag_format *fmt, bool *refused)
{
    const serve_config *cfg = rq->srv->cfg;
    *refused = true;
    if (!authorized(rq))
        return respond_unauthorized(rq);
    if (atomic_load(&rq->srv->draining))
        return respond_busy(rq, RETRY_AFTER_S, "the server is stopping");
    const char *f = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "format");
    if (f && parse_format(f, fmt) != 0)
        return respond_error(rq, MHD_HTTP_BAD_REQUEST,
                             "unknown format '%.32s' (text, json, jsonl or html)", f);
    const char *len = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len && strtoull(len, NULL, 10) > cfg->max_upload)
        return respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE,
                             "the upload (%.20s bytes) is larger than --max-upload (%llu bytes)",
                             len, (unsigned long long)cfg->max_upload);
    *refused = false;
    return MHD_YES;
}

enum MHD_Result upload_begin(request *rq)
{
    ewdiag_format fmt = EWDIAG_FORMAT_JSON;
    bool refused;
    char err[ERR_MAX], name[NAME_MAX_BYTES + 1];
    rq->route = ROUTE_ANALYZE;
    enum MHD_Result q = check_headers(rq, &fmt, &refused);
    if (refused)
        return q;
    const char *ctype = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *given = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "name");
    if (!mp_is_multipart(ctype) && input_name(given ? given : "-", name) != 0)
        return respond_error(rq, MHD_HTTP_BAD_REQUEST, "the name is longer than 255 bytes");
    upload *u = upload_new(rq, fmt, ctype, err, sizeof err);
    if (!u)
        return respond_error(rq, strcmp(err, "out of memory") == 0 ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                                                : MHD_HTTP_BAD_REQUEST,
                             "%s", err);
    if (!u->mp && stream_open(u->s, name) != 1) {
        atomic_store(&u->refs, 1);
        upload_unref(u);
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    list_add(u);
    if (workers_submit(rq->srv->workers, analyze, u) != 0) {
        list_remove(u);
        atomic_store(&u->refs, 1);
        upload_unref(u);
        metrics_busy();
        char msg[ERR_MAX];
        snprintf(msg, sizeof msg, "all %u analyses are running (--max-analyses): try again shortly",
                 workers_size(rq->srv->workers));
        return respond_busy(rq, RETRY_AFTER_S, msg);
    }
    rq->up = u;
    return MHD_YES;
}

/* Body bytes: fed to the parser or the stream, or dropped after an error. */
static enum MHD_Result take(request *rq, upload *u, const char *data, size_t *size)
{
    if (u->received + *size > rq->srv->cfg->max_upload) {
        /* No answer can be queued before the body is read: closed. */
        rq->status = MHD_HTTP_CONTENT_TOO_LARGE;
        rq->note = "closed: the upload is larger than --max-upload";
        stream_abort(u->s);
        return MHD_NO;
    }
    size_t took = *size;
    if (u->err_status || stream_aborted(u->s)) {
        took = *size;
    } else if (u->mp) {
        long t = mp_feed(u->mp, data, *size);
        if (t < 0)
            fail(u, MHD_HTTP_BAD_REQUEST, mp_error(u->mp));
        else
            took = (size_t)t;
    } else {
        took = stream_write(u->s, data, *size);
    }
    u->received += took;
    rq->bytes_in += took;
    *size -= took;
    return MHD_YES;
}

/* The end of the body: the last part's callbacks, the closing boundary.
 * 1 while a callback waits for the worker (the connection is paused). */
static int end_body(upload *u)
{
    if (u->err_status || stream_aborted(u->s))
        return 0;
    if (!u->mp) {
        stream_close(u->s);
        return 0;
    }
    if (mp_feed(u->mp, "", 0) >= 0 && mp_pending(u->mp))
        return 1;
    if (mp_error(u->mp)[0] || mp_finish(u->mp) != 0) {
        fail(u, MHD_HTTP_BAD_REQUEST, mp_error(u->mp));
        return 0;
    }
    if (!u->inputs)
        fail(u, MHD_HTTP_BAD_REQUEST,
             "no file in the upload: send each bundle as a part with a file name "
             "(curl -F bundle=@FILE)");
    return 0;
}

static enum MHD_Result respond_report(request *rq, upload *u)
{
    char status[8];
    struct MHD_Response *r = MHD_create_response_from_buffer(u->outlen, u->out,
                                                             MHD_RESPMEM_MUST_FREE);
    if (!r)
        return MHD_NO;
    size_t len = u->outlen;
    u->out = NULL; /* the response frees it */
    snprintf(status, sizeof status, "%d", u->exit_status);
    if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type_of(u->format)) !=
            MHD_YES ||
        MHD_add_response_header(r, "Ewdiag-Exit-Status", status) != MHD_YES ||
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
        MHD_add_response_header(r, "Cache-Control", "no-store") != MHD_YES) {
        MHD_destroy_response(r);
        return MHD_NO;
    }
    enum MHD_Result q = MHD_queue_response(rq->conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    if (q == MHD_YES) {
        rq->status = MHD_HTTP_OK;
        rq->bytes_out = len;
    }
    return q;
}

enum MHD_Result upload_step(request *rq, const char *data, size_t *size)
{
    upload *u = rq->up;
    if (*size)
        return take(rq, u, data, size);
    if (!u->ended) {
        if (end_body(u))
            return MHD_YES;
        u->ended = true;
    }
    if (u->err_status)
        return respond_error(rq, u->err_status, "%s", u->err);
    if (stream_aborted(u->s))
        return respond_busy(rq, RETRY_AFTER_S, "the server is stopping: the analysis was stopped");
    if (!stream_finish(u->s))
        return MHD_YES; /* paused until the report is ready */
    if (!u->out)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "out of memory: the analysis could not finish");
    return respond_report(rq, u);
}

void upload_end(request *rq, bool completed)
{
    upload *u = rq->up;
    list_remove(u);
    stream_abort(u->s); /* a worker still reading stops: its client is gone */
    if (!completed && !rq->note && !u->ended)
        rq->note = "client gone before the end of the upload: its analysis was stopped";
    rq->up = NULL;
    upload_unref(u);
}
