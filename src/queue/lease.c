/* lease.c - every change of a job's state, each one statement (so one
 * transaction). A claim gets a lease token from a sequence; completing,
 * failing or releasing a job requires that token and state 'running', so a
 * worker whose lease was taken over (it was stopped, cut off, too slow)
 * changes nothing: "result stored" and "job done" commit together, once. */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "queue_int.h"

static const char claim_sql[] =
    "UPDATE ewdiag.jobs j SET state = 'running', attempts = j.attempts + 1,\n"
    "       lease = nextval('ewdiag.lease_seq'), worker = $1::text,\n"
    "       lease_until = now() + make_interval(secs => $2::double precision),\n"
    "       heartbeat_at = now(), started_at = now()\n"
    "  FROM (SELECT id FROM ewdiag.jobs\n"
    "         WHERE state = 'queued' AND not_before <= now()\n"
    "         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) c\n"
    " WHERE j.id = c.id\n"
    "RETURNING j.id, j.lease, j.attempts, j.max_attempts, j.location, j.blob";

int ewq_claim_next(ewq_db *db, const char *worker, int lease_s, ewq_claim *c)
{
    char secs[EWQ_NUM_MAX];
    const char *p[] = {worker, ewq_i64(secs, lease_s)};
    PGresult *r = ewq_query_prepared(db, EWQ_STMT_CLAIM, claim_sql, 2, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return EWQ_ENOTFOUND;
    }
    memset(c, 0, sizeof *c);
    c->id = ewq_col_i64(r, 0, 0);
    c->lease = ewq_col_i64(r, 0, 1);
    c->attempts = (int)ewq_col_i64(r, 0, 2);
    c->max_attempts = (int)ewq_col_i64(r, 0, 3);
    c->location = ewq_col_dup(r, 0, 4);
    c->blob = (unsigned)ewq_col_i64(r, 0, 5);
    PQclear(r);
    if (!c->location) {
        /* Claimed but unusable: give it back rather than wait for the lease. */
        ewq_release(db, c->id, c->lease);
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    }
    return EWQ_OK;
}

void ewq_claim_clear(ewq_claim *c)
{
    free(c->location);
    c->location = NULL;
}

/* The result, its renderings and the state 'done' in one statement; the
 * large object of an upload is unlinked with it. */
static const char complete_sql[] =
    "WITH old AS (\n"
    "  SELECT id, blob FROM ewdiag.jobs\n"
    "   WHERE id = $1::bigint AND lease = $2::bigint AND state = 'running' FOR UPDATE),\n"
    "j AS (\n"
    "  UPDATE ewdiag.jobs SET state = 'done', blob = NULL, error = NULL,\n"
    "         lease_until = NULL, finished_at = now()\n"
    "    FROM old WHERE jobs.id = old.id\n"
    "  RETURNING jobs.id, jobs.location, old.blob),\n"
    "r AS (\n"
    "  INSERT INTO ewdiag.results (job_id, input, report)\n"
    "  SELECT id, location, $3::text::jsonb FROM j RETURNING job_id),\n"
    "x AS (\n"
    "  INSERT INTO ewdiag.renderings (job_id, format, body)\n"
    "  SELECT job_id, v.format, v.body\n"
    "    FROM r, (VALUES ('json', $3::text), ('text', $4::text), ('html', $5::text))\n"
    "         AS v (format, body)\n"
    "  RETURNING job_id)\n"
    "SELECT (SELECT count(*) FROM r),\n"
    "       (SELECT count(lo_unlink(j.blob)) FROM j\n"
    "         WHERE j.blob IS NOT NULL\n"
    "           AND EXISTS (SELECT 1 FROM pg_largeobject_metadata m WHERE m.oid = j.blob))";

/* After a lost connection the commit may have landed: the job done under
 * our own lease token says it did. */
static int already_done(ewq_db *db, const char *const *p)
{
    PGresult *r = ewq_query_prepared(db, EWQ_STMT_DONE_BY,
                                     "SELECT 1 FROM ewdiag.jobs WHERE id = $1::bigint"
                                     " AND lease = $2::bigint AND state = 'done'",
                                     2, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    int done = PQntuples(r) > 0;
    PQclear(r);
    return done ? EWQ_OK : EWQ_ENOTFOUND;
}

int ewq_complete(ewq_db *db, int64_t id, int64_t lease, const char *json, const char *text,
                 const char *html)
{
    char sid[EWQ_NUM_MAX], slease[EWQ_NUM_MAX];
    const char *p[] = {ewq_i64(sid, id), ewq_i64(slease, lease), json, text, html};
    PGresult *r = ewq_query_prepared(db, EWQ_STMT_COMPLETE, complete_sql, 5, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    int stored = ewq_col_i64(r, 0, 0) == 1;
    PQclear(r);
    return stored ? EWQ_OK : already_done(db, p);
}

/* A failed attempt: back to the queue after a delay that doubles with each
 * attempt, or dead once attempts reach max_attempts. */
static const char fail_sql[] =
    "UPDATE ewdiag.jobs SET\n"
    "       state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,\n"
    "       finished_at = CASE WHEN attempts >= max_attempts THEN now() END,\n"
    "       not_before = now() + make_interval(secs => $4::double precision\n"
    "                                               * power(2, attempts - 1)),\n"
    "       error = $3::text, worker = NULL, lease_until = NULL\n"
    " WHERE id = $1::bigint AND lease = $2::bigint AND state = 'running'\n"
    "RETURNING state";

int ewq_fail_job(ewq_db *db, int64_t id, int64_t lease, const char *error, int retry_delay_s,
                 bool *dead)
{
    char sid[EWQ_NUM_MAX], slease[EWQ_NUM_MAX], delay[EWQ_NUM_MAX];
    const char *p[] = {ewq_i64(sid, id), ewq_i64(slease, lease), error,
                       ewq_i64(delay, retry_delay_s)};
    PGresult *r = ewq_query_prepared(db, EWQ_STMT_FAIL, fail_sql, 4, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    int rows = PQntuples(r);
    *dead = rows > 0 && strcmp(ewq_col_str(r, 0, 0), "dead") == 0;
    PQclear(r);
    return rows > 0 ? EWQ_OK : EWQ_ENOTFOUND;
}

int ewq_release(ewq_db *db, int64_t id, int64_t lease)
{
    char sid[EWQ_NUM_MAX], slease[EWQ_NUM_MAX];
    const char *p[] = {ewq_i64(sid, id), ewq_i64(slease, lease)};
    return ewq_exec(db,
                    "UPDATE ewdiag.jobs SET state = 'queued', attempts = greatest(attempts - 1, 0),"
                    " worker = NULL, lease_until = NULL"
                    " WHERE id = $1::bigint AND lease = $2::bigint AND state = 'running'",
                    2, p);
}

/* "{1,2,3}": the leases held, as a bigint[] parameter. */
static char *lease_array(const int64_t *leases, size_t n)
{
    char *s = malloc(n * EWQ_NUM_MAX + 3);
    if (!s)
        return NULL;
    size_t k = 0;
    s[k++] = '{';
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, EWQ_NUM_MAX + 1, "%s%lld", i ? "," : "",
                              (long long)leases[i]);
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

int ewq_heartbeat(ewq_db *db, const char *worker, int lease_s, const int64_t *leases, size_t n,
                  bool *kept)
{
    char secs[EWQ_NUM_MAX];
    char *arr = lease_array(leases, n);
    if (!arr)
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    const char *p[] = {worker, ewq_i64(secs, lease_s), arr};
    PGresult *r = ewq_query_prepared(db, EWQ_STMT_HEARTBEAT,
                                     "UPDATE ewdiag.jobs SET heartbeat_at = now(),"
                                     " lease_until = now()"
                                     " + make_interval(secs => $2::double precision)"
                                     " WHERE worker = $1::text AND state = 'running'"
                                     " AND lease = ANY ($3::bigint[]) RETURNING lease",
                                     3, p, PGRES_TUPLES_OK);
    free(arr);
    if (!r)
        return EWQ_EDB;
    for (size_t i = 0; i < n; i++) {
        kept[i] = false;
        for (int row = 0; row < PQntuples(r) && !kept[i]; row++)
            kept[i] = ewq_col_i64(r, row, 0) == leases[i];
    }
    PQclear(r);
    return EWQ_OK;
}

int ewq_disown(ewq_db *db, const char *worker, const int64_t *leases, size_t n)
{
    char *arr = lease_array(leases, n);
    if (!arr)
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    const char *p[] = {worker, arr};
    int rc = ewq_exec(db,
                      "UPDATE ewdiag.jobs SET state = 'queued',"
                      " attempts = greatest(attempts - 1, 0), worker = NULL, lease_until = NULL"
                      " WHERE worker = $1::text AND state = 'running'"
                      " AND NOT (lease = ANY ($2::bigint[]))",
                      2, p);
    free(arr);
    return rc;
}

/* Leases not renewed in time: their workers died, froze or lost the
 * network. The attempt counts. Worker rows unseen for a week go too. */
static const char reap_sql[] =
    "WITH x AS (\n"
    "  UPDATE ewdiag.jobs SET\n"
    "         state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,\n"
    "         finished_at = CASE WHEN attempts >= max_attempts THEN now() END,\n"
    "         error = 'lease expired: worker ' || coalesce(worker, '?')\n"
    "                 || ' stopped renewing it (killed, stopped or cut off)',\n"
    "         worker = NULL, lease_until = NULL\n"
    "   WHERE id IN (SELECT id FROM ewdiag.jobs\n"
    "                 WHERE state = 'running' AND lease_until < now()\n"
    "                 FOR UPDATE SKIP LOCKED)\n"
    "  RETURNING state),\n"
    "w AS (DELETE FROM ewdiag.workers WHERE seen_at < now() - interval '7 days')\n"
    "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'dead')\n"
    "  FROM x";

int ewq_reap(ewq_db *db, int *requeued, int *dead)
{
    PGresult *r = ewq_query(db, reap_sql, 0, NULL, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    *requeued = (int)ewq_col_i64(r, 0, 0);
    *dead = (int)ewq_col_i64(r, 0, 1);
    PQclear(r);
    return EWQ_OK;
}

int ewq_worker_seen(ewq_db *db, const ewq_worker_row *w)
{
    char pid[EWQ_NUM_MAX], slots[EWQ_NUM_MAX], running[EWQ_NUM_MAX], done[EWQ_NUM_MAX],
        failed[EWQ_NUM_MAX];
    const char *p[] = {w->name,
                       w->host,
                       ewq_i64(pid, w->pid),
                       ewq_i64(slots, w->slots),
                       ewq_i64(running, w->running),
                       ewq_i64(done, w->done),
                       ewq_i64(failed, w->failed),
                       w->stopping ? "true" : "false"};
    return ewq_exec(db,
                    "INSERT INTO ewdiag.workers"
                    " (name, host, pid, slots, running, done, failed, stopping)"
                    " VALUES ($1::text, $2::text, $3::integer, $4::integer, $5::integer,"
                    " $6::bigint, $7::bigint, $8::boolean)"
                    " ON CONFLICT (name) DO UPDATE SET running = EXCLUDED.running,"
                    " done = EXCLUDED.done, failed = EXCLUDED.failed,"
                    " stopping = EXCLUDED.stopping, seen_at = now()",
                    8, p);
}
