/* db.h - ewdiag's store on PostgreSQL: the job queue and the results, as
 * one module with a small C interface for every front end (the queue and
 * worker commands, and the upload service's asynchronous bundles).
 *
 * Use:
 *
 *     ewq_db *db = ewq_db_new(NULL, "ewdiag serve");  // NULL: libpq's PG* environment
 *     if (!db || ewq_db_connect(db) != EWQ_OK || ewq_schema_check(db) != EWQ_OK)
 *         fprintf(stderr, "%s\n", ewq_db_error(db));
 *     int64_t id;
 *     ewq_submit_blob(db, "case 42", "node1.tar.gz", read_fn, ctx, 0, &id);
 *     ewq_job job;
 *     ewq_job_get(db, id, &job);                       // job.state: "queued" ...
 *     char *body; size_t len;
 *     ewq_result_get(db, id, EWDIAG_FORMAT_JSON, &body, &len);  // when "done"
 *     free(body);
 *     ewq_job_clear(&job);
 *     ewq_db_free(db);
 *
 * Every function returns EWQ_OK or a negative EWQ_E* code; ewq_db_error()
 * then says what went wrong in one line. One ewq_db is one connection: use
 * one per thread (libpq's rule). A connection that is lost stays lost
 * until ewq_db_connect() is called again; ewq_db_lost() tells.
 */
#ifndef EWDIAG_QUEUE_DB_H
#define EWDIAG_QUEUE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ewdiag.h>

#define EWQ_OK 0
#define EWQ_EDB (-1)       /* the database refused, or cannot be reached */
#define EWQ_ENOMEM (-2)    /* out of memory */
#define EWQ_ENOTFOUND (-3) /* no such job, or no result (yet) */
#define EWQ_EINPUT (-4)    /* the bundle's bytes could not be read */
#define EWQ_ESCHEMA (-5)   /* no schema, or one of another version */
#define EWQ_EINVAL (-6)    /* bad argument */
#define EWQ_EOLD (-7)      /* a result an older worker stored lacks the rendering asked for */

#define EWQ_SCHEMA_VERSION 1     /* the schema this build reads and writes */
#define EWQ_DEFAULT_ATTEMPTS 3   /* failures before a job is dead-lettered */
#define EWQ_MAX_ATTEMPTS 100

typedef struct ewq_db ewq_db;

/* A handle on the database described by conninfo (a libpq connection string
 * or postgresql:// URL; NULL or "": libpq's environment, PGHOST, PGSERVICE
 * ...), not yet connected; app names the connections in pg_stat_activity.
 * NULL if out of memory. */
ewq_db *ewq_db_new(const char *conninfo, const char *app);
/* Closes the connection and frees. NULL is accepted. */
void ewq_db_free(ewq_db *db);
/* Connects, or reconnects after a loss. */
int ewq_db_connect(ewq_db *db);
/* Whether the connection is down (never made, or lost). */
bool ewq_db_lost(const ewq_db *db);
/* The last error, one line; "" if none. Never NULL (db NULL: "out of memory"). */
const char *ewq_db_error(const ewq_db *db);

/* Creates or upgrades the schema `ewdiag` to EWQ_SCHEMA_VERSION, in one
 * transaction under an advisory lock: safe from several machines at once,
 * and a no-op when it is current. *from gets the version found (0: none). */
int ewq_schema_init(ewq_db *db, int *from);
/* EWQ_OK when the schema is there at EWQ_SCHEMA_VERSION; EWQ_ESCHEMA (and
 * what to do in the error) otherwise. */
int ewq_schema_check(ewq_db *db);

/* A job to submit for a location every worker can read: a path (made
 * absolute by the caller) or an http(s) URL. */
typedef struct ewq_location {
    const char *case_id;  /* NULL: none */
    const char *location;
    int64_t size;         /* bytes, -1 unknown */
    const char *etag;     /* HTTP ETag, NULL unknown */
    bool again;           /* queue it even if the same was submitted before */
    int max_attempts;     /* 0: EWQ_DEFAULT_ATTEMPTS */
} ewq_location;

/* Queues a job, unless the same case, location, size and ETag were
 * submitted before and `again` is false: then *existed is true and *id is
 * that job's. Workers listening are woken. */
int ewq_submit_location(ewq_db *db, const ewq_location *loc, int64_t *id, bool *existed);

/* Queues a job whose bundle is read from fn (as ewdiag_analyze_read()
 * reads) and streamed into a PostgreSQL large object in the same
 * transaction as the job, in chunks: memory stays flat whatever its size.
 * `name` is the input's name in the report (the upload's file name). Never
 * deduplicated. EWQ_EINPUT when fn fails: nothing is stored. The large
 * object is unlinked when the job is done (its report is stored) or the
 * job row is deleted. */
int ewq_submit_blob(ewq_db *db, const char *case_id, const char *name, ewdiag_read_fn fn,
                    void *ctx, int max_attempts, int64_t *id);

/* The same, pushed: for a caller that gets the bytes in chunks (an HTTP
 * server's upload callback). begin opens a transaction on db and a new
 * large object (db serves nothing else until finish or abort); write
 * appends; finish queues the job and commits; abort rolls back, and
 * nothing is left. finish and abort free `up`, whatever they return. */
typedef struct ewq_upload ewq_upload;
int ewq_upload_begin(ewq_db *db, ewq_upload **up);
int ewq_upload_write(ewq_upload *up, const void *buf, size_t len);
int ewq_upload_finish(ewq_upload *up, const char *case_id, const char *name, int max_attempts,
                      int64_t *id);
void ewq_upload_abort(ewq_upload *up);
/* Several files in one transaction (a multipart upload: all its jobs are
 * queued, or none): after a file's writes, add queues it as a job (*id,
 * not visible to anyone until finish commits) and starts a new large
 * object for the next file; finish queues the last file and commits them
 * all. When add fails, abort. */
int ewq_upload_add(ewq_upload *up, const char *case_id, const char *name, int max_attempts,
                   int64_t *id);

/* A job as the database has it. Strings are "" when unknown; times are
 * microseconds since 1970 UTC, 0 when not yet. */
typedef struct ewq_job {
    int64_t id;
    char state[8]; /* "queued", "running", "done", "dead" */
    int attempts, max_attempts;
    char *case_id, *location, *worker, *error; /* owned: ewq_job_clear() */
    int64_t submitted_at, started_at, finished_at;
} ewq_job;

/* The job `id`; EWQ_ENOTFOUND if there is none. */
int ewq_job_get(ewq_db *db, int64_t id, ewq_job *job);
void ewq_job_clear(ewq_job *job);

/* Which stored results a listing covers: one job, one case, or all. */
typedef struct ewq_filter {
    int64_t job_id;      /* 0: any */
    const char *case_id; /* NULL: any */
} ewq_filter;

/* Writes the stored reports the filter selects (NULL: all), in job order,
 * as `format` gives them: for json and jsonl exactly what `ewdiag -f
 * FORMAT` writes for the same inputs (one document for all); for text, each
 * input's own report, one after the other; for html the one page of the
 * one result the filter must select (as ewq_results_write_html() with dir
 * NULL). Reads one stored report at a
 * time: memory stays bounded whatever their number. Their warnings then go
 * to `warn` as the CLI writes them on standard error, one line each
 * (NULL: nowhere). *count gets how many reports, *max_severity the highest
 * severity among their findings (-1: none), *incomplete whether an input
 * of theirs went unread in part (status not `analyzed`: exit status 3
 * without findings); each may be NULL. */
int ewq_results_write(ewq_db *db, const ewq_filter *filter, ewdiag_format format, FILE *out,
                      FILE *warn, size_t *count, int *max_severity, bool *incomplete);

/* HTML: one page per result, as `ewdiag -f html` writes it for its input.
 * With dir NULL the filter must select one result, whose page goes to out
 * (EWQ_EINVAL when it selects several: the error says how to pick); with
 * dir (made if missing), each result's page goes to DIR/job-ID.html and
 * its path, one a line, to out. A result stored by a worker older than
 * the HTML rendering has none: EWQ_EOLD, the error naming the job and how
 * to have it analyzed again (with dir: each such job on `warn`, the
 * others written). Warnings, counts and severity as ewq_results_write(). */
int ewq_results_write_html(ewq_db *db, const ewq_filter *filter, const char *dir, FILE *out,
                           FILE *warn, size_t *count, int *max_severity, bool *incomplete);

/* The result of job `id` in `format`, malloc'd, NUL-terminated, length in
 * *len (may be NULL). EWQ_ENOTFOUND when the job has no result (yet). */
int ewq_result_get(ewq_db *db, int64_t id, ewdiag_format format, char **body, size_t *len);

#endif
