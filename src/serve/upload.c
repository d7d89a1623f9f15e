/* upload.c - uploads, and POST /v1/analyze. The HTTP thread feeds the body
 * (or each file of a multipart body) into a stream; a consumer on a worker
 * reads it as it arrives: for /v1/analyze an analysis with
 * ewdiag_analyze_read() whose report is the response (for /v1/bundles, the
 * store: bundles.c). Nothing is written to disk and the body is never held
 * whole: memory per upload is the stream's ring. */
#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/outcome.h"
#include "upload_int.h"

#define RING_BYTES (1024u * 1024u) /* between the HTTP thread and the consumer */
#define NS_PER_S 1e9

/* ---- life ------------------------------------------------------------------- */

static void upload_unref(upload *u)
{
    if (atomic_fetch_sub(&u->refs, 1) != 1)
        return;
    stream_free(u->s);
    mp_free(u->mp);
    free(u->out);
    if (u->result)
        u->kind->free_result(u->result);
    free(u);
}

void upload_consumed(upload *u)
{
    stream_done(u->s);
    upload_unref(u);
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
    dlist_add(&u->srv->mu, &u->srv->uploads, &u->link);
}

static void list_remove(upload *u)
{
    dlist_remove(&u->srv->mu, &u->srv->uploads, &u->link);
}

void uploads_abort_all(server *srv)
{
    pthread_mutex_lock(&srv->mu);
    for (dlink *k = srv->uploads; k; k = k->next)
        stream_abort(DLINK_OWNER(k, upload, link)->s);
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

static void analyze(void *ctx, void *arg)
{
    ewdiag_analyzer *a = ctx;
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
    upload_consumed(u);
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

/* The length of the UTF-8 sequence starting at p (RFC 3629: shortest
 * form, no surrogates, at most U+10FFFF), 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : (p[0] & 0xF0) == 0xE0 ? 3
               : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))) ||
        (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))))
        return 0;
    return n;
}

bool upload_is_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_len(p);
        if (!n || *p < 0x20 || *p == 0x7f || (p[0] == 0xC2 && p[1] < 0xA0))
            return false; /* not UTF-8, or a C0 or C1 control character */
        p += n;
    }
    return true;
}

/* ---- multipart/form-data --------------------------------------------------------- */

static mp_rc on_begin(void *ctx, const char *field, const char *filename, bool has_file)
{
    upload *u = ctx;
    char name[NAME_MAX_BYTES + 1], msg[UPLOAD_ERR_MAX];
    u->flen = 0;
    if (!has_file || !*filename) { /* a form field, or a file input left empty */
        u->part = has_file || strcmp(field, "format") != 0 || !u->kind->format_field ? PART_SKIP
                                                                                  : PART_FORMAT;
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
    if (u->kind->text_names && !upload_is_text(name)) {
        mp_fail(u->mp, "a file name is not UTF-8 text");
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

const char *upload_content_type(ewdiag_format f)
{
    switch (f) {
    case EWDIAG_FORMAT_TEXT: return "text/plain; charset=utf-8";
    case EWDIAG_FORMAT_JSONL: return "application/x-ndjson";
    case EWDIAG_FORMAT_HTML: return "text/html; charset=utf-8";
    default: return "application/json";
    }
}

static upload *upload_new(request *rq, const upload_kind *kind, ewdiag_format fmt,
                          const char *ctype, char *err, size_t errsz)
{
    static const mp_handler handler = {on_begin, on_data, on_end};
    upload *u = calloc(1, sizeof *u);
    if (!u || !(u->s = stream_new(RING_BYTES, on_stall, u))) {
        free(u);
        snprintf(err, errsz, "%s", "out of memory");
        return NULL;
    }
    atomic_init(&u->refs, 2);
    u->kind = kind;
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

enum MHD_Result upload_check(request *rq, bool *refused)
{
    const serve_config *cfg = rq->srv->cfg;
    *refused = true;
    if (!authorized(rq))
        return respond_unauthorized(rq);
    if (atomic_load(&rq->srv->draining))
        return respond_busy(rq, RETRY_AFTER_S, "the server is stopping");
    const char *len = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len && strtoull(len, NULL, 10) > cfg->max_upload)
        return respond_error(rq, MHD_HTTP_CONTENT_TOO_LARGE,
                             "the upload (%.20s bytes) is larger than --max-upload (%llu bytes)",
                             len, (unsigned long long)cfg->max_upload);
    *refused = false;
    return MHD_YES;
}

/* The upload is over before it began: freed with its result. */
static void discard(upload *u)
{
    atomic_store(&u->refs, 1);
    upload_unref(u);
}

/* The body's one input name: ?name=, else '-'. An error to answer, or NULL. */
static const char *body_name(request *rq, const upload_kind *kind, char name[NAME_MAX_BYTES + 1])
{
    const char *given = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "name");
    if (input_name(given ? given : "-", name) != 0)
        return "the name is longer than 255 bytes";
    if (kind->text_names && !upload_is_text(name))
        return "the name is not UTF-8 text";
    return NULL;
}

enum MHD_Result upload_start(request *rq, const upload_kind *kind, workers *pool,
                             ewdiag_format fmt, void *result)
{
    char err[UPLOAD_ERR_MAX], name[NAME_MAX_BYTES + 1];
    const char *ctype = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *bad = mp_is_multipart(ctype) ? NULL : body_name(rq, kind, name);
    upload *u = bad ? NULL : upload_new(rq, kind, fmt, ctype, err, sizeof err);
    if (!u) {
        if (result)
            kind->free_result(result);
        if (bad)
            return respond_error(rq, MHD_HTTP_BAD_REQUEST, "%s", bad);
        return respond_error(rq, strcmp(err, "out of memory") == 0 ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                                                : MHD_HTTP_BAD_REQUEST,
                             "%s", err);
    }
    u->result = result;
    if (!u->mp && stream_open(u->s, name) != 1) {
        discard(u);
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    list_add(u);
    if (workers_submit(pool, kind->consume, u) != 0) {
        list_remove(u);
        discard(u);
        metrics_busy(kind->route);
        char msg[UPLOAD_ERR_MAX];
        snprintf(msg, sizeof msg, "all %u %s: try again shortly", workers_size(pool), kind->busy);
        return respond_busy(rq, RETRY_AFTER_S, msg);
    }
    rq->up = u;
    return MHD_YES;
}

static enum MHD_Result respond_analysis_stopped(request *rq, upload *u)
{
    (void)u;
    return respond_busy(rq, RETRY_AFTER_S, "the server is stopping: the analysis was stopped");
}

static enum MHD_Result respond_report(request *rq, upload *u);

static const upload_kind analyze_kind = {
    .route = ROUTE_ANALYZE,
    .format_field = true,
    .consume = analyze,
    .respond = respond_report,
    .respond_stopped = respond_analysis_stopped,
    .busy = "analyses are running (--max-analyses)",
};

enum MHD_Result upload_begin(request *rq)
{
    ewdiag_format fmt = EWDIAG_FORMAT_JSON;
    bool refused;
    rq->route = ROUTE_ANALYZE;
    enum MHD_Result q = upload_check(rq, &refused);
    if (refused)
        return q;
    const char *f = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, "format");
    if (f && parse_format(f, &fmt) != 0)
        return respond_error(rq, MHD_HTTP_BAD_REQUEST,
                             "unknown format '%.32s' (text, json, jsonl or html)", f);
    return upload_start(rq, &analyze_kind, rq->srv->workers, fmt, NULL);
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
    if (!u->out)
        return respond_error(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "out of memory: the analysis could not finish");
    snprintf(status, sizeof status, "%d", u->exit_status);
    const response_header h[] = {{"Ewdiag-Exit-Status", status}};
    char *out = u->out;
    u->out = NULL; /* the response frees it */
    return respond_headers(rq, MHD_HTTP_OK, upload_content_type(u->format), out, u->outlen, true,
                           h, EW_SERVE_LEN(h));
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
        return u->kind->respond_stopped(rq, u);
    if (!stream_finish(u->s))
        return MHD_YES; /* paused until the consumer is done */
    return u->kind->respond(rq, u);
}

void upload_end(request *rq, bool completed)
{
    upload *u = rq->up;
    list_remove(u);
    stream_abort(u->s); /* a worker still reading stops: its client is gone */
    if (!completed && !rq->note && !u->ended)
        rq->note = u->kind->route == ROUTE_ANALYZE
                       ? "client gone before the end of the upload: its analysis was stopped"
                       : "client gone before the end of the upload: nothing stored";
    rq->up = NULL;
    upload_unref(u);
}
