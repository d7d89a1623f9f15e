/* submit.c - jobs in: a location every worker reads, or the bundle's own
 * bytes streamed into a large object. Workers are woken by NOTIFY. */
#include <libpq/libpq-fs.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "queue_int.h"

#define BLOB_CHUNK (256 * 1024) /* bytes per lo_write */
#define SUBMIT_TRIES 3          /* a racing twin commits between our two looks */

static int attempts_of(int max_attempts)
{
    return max_attempts <= 0 ? EWQ_DEFAULT_ATTEMPTS
           : max_attempts > EWQ_MAX_ATTEMPTS ? EWQ_MAX_ATTEMPTS : max_attempts;
}

/* Either the new job, or the one it repeats. A twin inserted concurrently
 * makes ON CONFLICT wait for it, after this statement's snapshot was
 * taken: then neither branch has a row, and a second try sees it. */
static const char submit_sql[] =
    "WITH ins AS (\n"
    "  INSERT INTO ewdiag.jobs (case_id, location, size, etag, again, max_attempts)\n"
    "  VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::boolean, $6::integer)\n"
    "  ON CONFLICT (coalesce(case_id, ''), location, coalesce(size, -1), coalesce(etag, ''))\n"
    "    WHERE NOT again DO NOTHING\n"
    "  RETURNING id)\n"
    "SELECT id, false FROM ins\n"
    "UNION ALL\n"
    "SELECT id, true FROM ewdiag.jobs\n"
    " WHERE NOT EXISTS (SELECT 1 FROM ins) AND NOT again\n"
    "   AND coalesce(case_id, '') = coalesce($1::text, '') AND location = $2::text\n"
    "   AND coalesce(size, -1) = coalesce($3::bigint, -1)\n"
    "   AND coalesce(etag, '') = coalesce($4::text, '')";

int ewq_notify(ewq_db *db)
{
    PGresult *r = ewq_query(db, "SELECT pg_notify('" EWQ_CHANNEL "', '')", 0, NULL,
                            PGRES_TUPLES_OK);
    PQclear(r);
    return r ? EWQ_OK : EWQ_EDB;
}

int ewq_submit_location(ewq_db *db, const ewq_location *loc, int64_t *id, bool *existed)
{
    if (!db || !loc || !loc->location || !*loc->location || !id || !existed)
        return ewq_fail(db, EWQ_EINVAL, "no location");
    char size[EWQ_NUM_MAX], tries[EWQ_NUM_MAX];
    const char *p[] = {loc->case_id && *loc->case_id ? loc->case_id : NULL,
                       loc->location,
                       loc->size >= 0 ? ewq_i64(size, loc->size) : NULL,
                       loc->etag && *loc->etag ? loc->etag : NULL,
                       loc->again ? "true" : "false",
                       ewq_i64(tries, attempts_of(loc->max_attempts))};
    for (int t = 0; t < SUBMIT_TRIES; t++) {
        PGresult *r = ewq_query(db, submit_sql, 6, p, PGRES_TUPLES_OK);
        if (!r)
            return EWQ_EDB;
        int rows = PQntuples(r);
        if (rows > 0) {
            *id = ewq_col_i64(r, 0, 0);
            *existed = strcmp(ewq_col_str(r, 0, 1), "t") == 0;
        }
        PQclear(r);
        if (rows > 0)
            return *existed ? EWQ_OK : ewq_notify(db);
    }
    return ewq_fail(db, EWQ_EDB, "database: %s submitted concurrently and not found after",
                    loc->location);
}

struct ewq_upload {
    ewq_db *db;
    Oid oid;
    int fd; /* the large object, open for writing */
};

/* The transaction ends; the first error is the one kept. */
static void rollback(ewq_db *db)
{
    char keep[EWQ_ERR_MAX];
    snprintf(keep, sizeof keep, "%s", db->err);
    ewq_exec(db, "ROLLBACK", 0, NULL); /* the large object goes with it */
    snprintf(db->err, sizeof db->err, "%s", keep);
}

/* A new large object open for writing, for the next bundle. */
static int new_blob(ewq_upload *up)
{
    up->oid = lo_creat(up->db->conn, INV_READ | INV_WRITE);
    if (up->oid != InvalidOid)
        up->fd = lo_open(up->db->conn, up->oid, INV_WRITE);
    if (up->fd < 0) {
        ewq_fail_result(up->db, NULL);
        return EWQ_EDB;
    }
    return EWQ_OK;
}

int ewq_upload_begin(ewq_db *db, ewq_upload **out)
{
    *out = NULL;
    ewq_upload *up = calloc(1, sizeof *up);
    if (!db || !up) {
        free(up);
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    }
    up->db = db;
    up->fd = -1;
    if (ewq_exec(db, "BEGIN", 0, NULL) != EWQ_OK) {
        free(up);
        return EWQ_EDB;
    }
    if (new_blob(up) != EWQ_OK) {
        rollback(db);
        free(up);
        return EWQ_EDB;
    }
    *out = up;
    return EWQ_OK;
}

int ewq_upload_write(ewq_upload *up, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) { /* lo_write() returns an int: chunks of at most BLOB_CHUNK */
        size_t n = len < BLOB_CHUNK ? len : BLOB_CHUNK;
        if (lo_write(up->db->conn, up->fd, p, n) != (int)n) {
            ewq_fail_result(up->db, NULL);
            return EWQ_EDB;
        }
        p += n;
        len -= n;
    }
    return EWQ_OK;
}

void ewq_upload_abort(ewq_upload *up)
{
    if (!up)
        return;
    rollback(up->db);
    free(up);
}

static int insert_blob_job(ewq_db *db, const char *case_id, const char *name, Oid oid,
                           int max_attempts, int64_t *id)
{
    char blob[EWQ_NUM_MAX], tries[EWQ_NUM_MAX];
    const char *p[] = {case_id && *case_id ? case_id : NULL, name, ewq_i64(blob, (int64_t)oid),
                       ewq_i64(tries, attempts_of(max_attempts))};
    PGresult *r = ewq_query(db,
                            "INSERT INTO ewdiag.jobs (case_id, location, blob, again, max_attempts)"
                            " VALUES ($1::text, $2::text, $3::oid, true, $4::integer) RETURNING id",
                            4, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    *id = ewq_col_i64(r, 0, 0);
    PQclear(r);
    return EWQ_OK;
}

/* The file written so far becomes a job of the open transaction, and a
 * new large object takes the next file's bytes. */
int ewq_upload_add(ewq_upload *up, const char *case_id, const char *name, int max_attempts,
                   int64_t *id)
{
    ewq_db *db = up->db;
    if (!name || !*name || !id)
        return ewq_fail(db, EWQ_EINVAL, "no bundle name");
    int fd = up->fd;
    up->fd = -1;
    if (lo_close(db->conn, fd) != 0) {
        ewq_fail_result(db, NULL);
        return EWQ_EDB;
    }
    int rc = insert_blob_job(db, case_id, name, up->oid, max_attempts, id);
    if (rc != EWQ_OK)
        return rc;
    return new_blob(up);
}

int ewq_upload_finish(ewq_upload *up, const char *case_id, const char *name, int max_attempts,
                      int64_t *id)
{
    ewq_db *db = up->db;
    int rc = name && *name && id ? EWQ_OK : ewq_fail(db, EWQ_EINVAL, "no bundle name");
    if (rc == EWQ_OK && up->fd < 0)
        rc = ewq_fail(db, EWQ_EINVAL, "the upload failed before: abort it");
    if (rc == EWQ_OK && lo_close(db->conn, up->fd) != 0)
        rc = (ewq_fail_result(db, NULL), EWQ_EDB);
    if (rc == EWQ_OK)
        rc = insert_blob_job(db, case_id, name, up->oid, max_attempts, id);
    if (rc == EWQ_OK)
        rc = ewq_notify(db); /* delivered at commit */
    if (rc == EWQ_OK)
        rc = ewq_exec(db, "COMMIT", 0, NULL);
    else
        rollback(db);
    free(up);
    return rc;
}

int ewq_submit_blob(ewq_db *db, const char *case_id, const char *name, ewdiag_read_fn fn,
                    void *ctx, int max_attempts, int64_t *id)
{
    if (!db || !name || !*name || !fn || !id)
        return ewq_fail(db, EWQ_EINVAL, "no bundle name or reader");
    char *buf = malloc(BLOB_CHUNK);
    ewq_upload *up = NULL;
    int rc = buf ? ewq_upload_begin(db, &up) : ewq_fail(db, EWQ_ENOMEM, "out of memory");
    long n = 0;
    while (rc == EWQ_OK && (n = fn(ctx, buf, BLOB_CHUNK)) > 0)
        rc = ewq_upload_write(up, buf, (size_t)n);
    free(buf);
    if (rc == EWQ_OK && n < 0)
        rc = ewq_fail(db, EWQ_EINPUT, "the bundle could not be read");
    if (rc == EWQ_OK)
        return ewq_upload_finish(up, case_id, name, max_attempts, id);
    ewq_upload_abort(up);
    return rc;
}
