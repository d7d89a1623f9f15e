/* status.c - what the queue holds: one job (for the service), and the
 * counts, the oldest queued job, the latest dead ones and the workers seen
 * lately (`ewdiag queue status`). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "queue_int.h"

#define WORKERS_LATELY "10 minutes"
#define DEAD_SHOWN "10"
/* A time as the report writes times: UTC, milliseconds. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const char *const states[] = {"queued", "running", "done", "dead"};
#define NSTATES (sizeof states / sizeof *states)

int ewq_job_get(ewq_db *db, int64_t id, ewq_job *job)
{
    char sid[EWQ_NUM_MAX];
    const char *p[] = {ewq_i64(sid, id)};
    memset(job, 0, sizeof *job);
    PGresult *r = ewq_query(db,
                            "SELECT id, state, attempts, max_attempts, case_id, location, worker,"
                            " error, extract(epoch FROM submitted_at),"
                            " extract(epoch FROM started_at), extract(epoch FROM finished_at)"
                            " FROM ewdiag.jobs WHERE id = $1::bigint",
                            1, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ewq_fail(db, EWQ_ENOTFOUND, "no job %lld", (long long)id);
    }
    job->id = ewq_col_i64(r, 0, 0);
    snprintf(job->state, sizeof job->state, "%s", ewq_col_str(r, 0, 1));
    job->attempts = (int)ewq_col_i64(r, 0, 2);
    job->max_attempts = (int)ewq_col_i64(r, 0, 3);
    job->case_id = ewq_col_dup(r, 0, 4);
    job->location = ewq_col_dup(r, 0, 5);
    job->worker = ewq_col_dup(r, 0, 6);
    job->error = ewq_col_dup(r, 0, 7);
    job->submitted_at = ewq_col_usec(r, 0, 8);
    job->started_at = ewq_col_usec(r, 0, 9);
    job->finished_at = ewq_col_usec(r, 0, 10);
    PQclear(r);
    if (!job->case_id || !job->location || !job->worker || !job->error) {
        ewq_job_clear(job);
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    }
    return EWQ_OK;
}

void ewq_job_clear(ewq_job *job)
{
    free(job->case_id);
    free(job->location);
    free(job->worker);
    free(job->error);
    memset(job, 0, sizeof *job);
}

/* {"queued": n, ...}, the oldest queued job and the leases past due. */
static json_t *counts(ewq_db *db)
{
    PGresult *r = ewq_query(db,
                            "SELECT count(*) FILTER (WHERE state = 'queued'),"
                            " count(*) FILTER (WHERE state = 'running'),"
                            " count(*) FILTER (WHERE state = 'done'),"
                            " count(*) FILTER (WHERE state = 'dead'),"
                            " " UTC("min(submitted_at) FILTER (WHERE state = 'queued')") ","
                            " count(*) FILTER (WHERE state = 'running' AND lease_until < now())"
                            " FROM ewdiag.jobs",
                            0, NULL, PGRES_TUPLES_OK);
    if (!r)
        return NULL;
    json_t *j = json_object();
    for (size_t i = 0; j && i < NSTATES; i++)
        if (json_object_set_new(j, states[i], json_integer(ewq_col_i64(r, 0, (int)i))) != 0)
            j = (json_decref(j), NULL);
    if (j && (json_object_set_new(j, "oldest_queued",
                                  PQgetisnull(r, 0, 4) ? json_null()
                                                       : json_string(ewq_col_str(r, 0, 4))) != 0 ||
              json_object_set_new(j, "expired_leases", json_integer(ewq_col_i64(r, 0, 5))) != 0))
        j = (json_decref(j), NULL);
    PQclear(r);
    return j;
}

/* Rows of a query as an array of objects keyed by `keys` (a NULL column is
 * null; a key of integers or booleans says so by its first letter: '#' or
 * '?'). */
static json_t *rows(ewq_db *db, const char *sql, const char *const *keys, int nkeys)
{
    PGresult *r = ewq_query(db, sql, 0, NULL, PGRES_TUPLES_OK);
    if (!r)
        return NULL;
    json_t *arr = json_array();
    for (int row = 0; arr && row < PQntuples(r); row++) {
        json_t *o = json_object();
        for (int k = 0; o && k < nkeys; k++) {
            const char *key = keys[k] + (keys[k][0] == '#' || keys[k][0] == '?');
            json_t *v = PQgetisnull(r, row, k)  ? json_null()
                        : keys[k][0] == '#' ? json_integer(ewq_col_i64(r, row, k))
                        : keys[k][0] == '?' ? json_boolean(*ewq_col_str(r, row, k) == 't')
                                            : json_string(ewq_col_str(r, row, k));
            if (json_object_set_new(o, key, v) != 0)
                o = (json_decref(o), NULL);
        }
        if (!o || json_array_append_new(arr, o) != 0)
            arr = (json_decref(arr), NULL);
    }
    PQclear(r);
    return arr;
}

static const char workers_sql[] =
    "SELECT name, host, pid, slots, running, done, failed, stopping, " UTC("seen_at") ","
    " extract(epoch FROM now() - seen_at)::bigint"
    " FROM ewdiag.workers WHERE seen_at > now() - interval '" WORKERS_LATELY "'"
    " ORDER BY name";
static const char *const worker_keys[] = {"name",   "host",    "#pid",      "#jobs", "#running",
                                          "#done",  "#failed", "?stopping", "seen",  "#seen_ago"};

static const char dead_sql[] =
    "SELECT id, case_id, location, attempts, error, " UTC("finished_at")
    " FROM ewdiag.jobs WHERE state = 'dead' ORDER BY finished_at DESC, id DESC"
    " LIMIT " DEAD_SHOWN;
static const char *const dead_keys[] = {"#id", "case", "location", "#attempts", "error",
                                        "finished"};

json_t *ewq_status_json(ewq_db *db)
{
    db->err[0] = '\0'; /* an empty error after NULL: out of memory */
    json_t *j = counts(db);
    if (!j)
        return NULL;
    /* json_object_set_new() takes the value even when it fails. */
    if (json_object_set_new(j, "workers", rows(db, workers_sql, worker_keys, 10)) != 0 ||
        json_object_set_new(j, "latest_dead", rows(db, dead_sql, dead_keys, 6)) != 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static long long geti(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *gets(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_workers(FILE *out, const json_t *workers)
{
    size_t i;
    json_t *w;
    fprintf(out, "workers seen in the last " WORKERS_LATELY ": %zu\n", json_array_size(workers));
    json_array_foreach(workers, i, w)
    {
        if (json_is_true(json_object_get(w, "stopping")))
            fprintf(out, "  %s  stopping, %lld running", gets(w, "name"), geti(w, "running"));
        else
            fprintf(out, "  %s  %lld of %lld running", gets(w, "name"), geti(w, "running"),
                    geti(w, "jobs"));
        fprintf(out, ", %lld done, %lld failed, seen %lld s ago\n", geti(w, "done"),
                geti(w, "failed"), geti(w, "seen_ago"));
    }
}

void ewq_status_print(FILE *out, const json_t *st)
{
    for (size_t i = 0; i < NSTATES; i++) {
        fprintf(out, "%-8s %lld", states[i], geti(st, states[i]));
        if (i == 0 && json_is_string(json_object_get(st, "oldest_queued")))
            fprintf(out, " (oldest submitted %s)", gets(st, "oldest_queued"));
        if (i == 1 && geti(st, "expired_leases") > 0)
            fprintf(out, " (%lld with an expired lease, back to the queue at a worker's next "
                         "check)",
                    geti(st, "expired_leases"));
        fputc('\n', out);
    }
    print_workers(out, json_object_get(st, "workers"));
    const json_t *dead = json_object_get(st, "latest_dead");
    size_t i;
    json_t *d;
    if (json_array_size(dead) > 0)
        fputs("latest dead jobs:\n", out);
    json_array_foreach(dead, i, d)
    {
        fprintf(out, "  %lld  %s\n       %s\n", geti(d, "id"), gets(d, "location"),
                gets(d, "error"));
    }
}
