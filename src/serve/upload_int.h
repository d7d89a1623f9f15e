/* upload_int.h - inside the uploads: what POST /v1/analyze (upload.c) and
 * POST /v1/bundles (bundles.c) share. Both take the body, or its
 * multipart/form-data files, into a stream read by a consumer on a worker
 * thread; they differ in the consumer (an analysis, or the store on
 * PostgreSQL) and in the answer. */
#ifndef EWDIAG_SERVE_UPLOAD_INT_H
#define EWDIAG_SERVE_UPLOAD_INT_H

#include <stdatomic.h>

#include "http.h"
#include "multipart.h"
#include "stream.h"

#define NAME_MAX_BYTES 255 /* an input's name (a file name) */
#define UPLOAD_ERR_MAX 240
#define RETRY_AFTER_S 5

typedef struct upload upload;

/* What an upload feeds. */
typedef struct upload_kind {
    route_id route;
    bool format_field; /* a multipart field "format" chooses the report's format */
    bool text_names;   /* names must be UTF-8 text without control characters (stored) */
    /* Reads the stream on a worker (arg: the upload), then upload_consumed(). */
    work_fn consume;
    /* The answer once the consumer is done, or when the stream was
     * stopped (client gone, second signal, or by the consumer). */
    enum MHD_Result (*respond)(request *rq, upload *u);
    enum MHD_Result (*respond_stopped)(request *rq, upload *u);
    void (*free_result)(void *result); /* of the upload's `result` */
    /* What runs when every worker of the pool is busy (the 503 says "all
     * N <busy>: try again shortly"). */
    const char *busy;
} upload_kind;

typedef enum { PART_NONE, PART_FILE, PART_FORMAT, PART_SKIP } part_kind;

#define FORMAT_FIELD_MAX 16 /* the form's "format" value */

struct upload {
    atomic_int refs; /* the request and the consumer */
    const upload_kind *kind;
    server *srv;
    struct MHD_Connection *conn;
    stream *s;
    mp_parser *mp;         /* NULL: the body is the one file */
    ewdiag_format format;  /* the consumer reads it once the body has ended */
    uint64_t received;
    unsigned inputs;       /* files begun */
    unsigned err_status;   /* an error to answer once the body is read */
    char err[UPLOAD_ERR_MAX];
    bool ended;            /* the end of the body was handled */
    part_kind part;        /* the multipart part being read */
    char field[FORMAT_FIELD_MAX + 1];
    size_t flen;
    struct timespec t0;
    /* The analysis's results, read once the stream says it is done. */
    char *out;
    size_t outlen;
    int exit_status;
    void *result;               /* the kind's own results */
    dlink link; /* in the server's list of uploads */
};

/* The Content-Type of a report in format f. */
const char *upload_content_type(ewdiag_format f);
/* Whether s is UTF-8 without control characters (a name to store). */
bool upload_is_text(const char *s);

/* The checks every upload's headers pass first: the token, the server not
 * stopping, Content-Length within --max-upload. *refused when an answer is
 * queued (the result is then that of queuing it). */
enum MHD_Result upload_check(request *rq, bool *refused);
/* Starts an upload of `kind` after its own checks: the consumer on a
 * worker of `pool`, `result` its results (freed with the upload by
 * kind->free_result, also when this fails). Answers 503 when the pool is
 * full, 400 on a bad multipart header or name. */
enum MHD_Result upload_start(request *rq, const upload_kind *kind, workers *pool,
                             ewdiag_format fmt, void *result);
/* The consumer is done: the upload's results may be read. Drops the
 * consumer's reference: it must not touch u after. */
void upload_consumed(upload *u);

#endif
