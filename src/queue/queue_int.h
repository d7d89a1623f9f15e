/* queue_int.h - what the files of src/queue share beyond db.h: the job
 * state changes a worker makes (lease.c), and the worker's own record. */
#ifndef EWDIAG_QUEUE_INT_H
#define EWDIAG_QUEUE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "db.h"

#define EWQ_CHANNEL "ewdiag_jobs" /* LISTEN/NOTIFY channel: "a job was queued" */

/* Wakes the workers listening (delivered when the transaction commits). */
int ewq_notify(ewq_db *db);

/* A job claimed by a worker. */
typedef struct ewq_claim {
    int64_t id;
    int64_t lease; /* the claim's token: every later change requires it */
    int attempts;  /* this one included */
    int max_attempts;
    char *location;
    unsigned blob; /* large object of an upload; 0: read the location */
} ewq_claim;

/* Claims the oldest queued job that is due, for lease_s seconds: EWQ_OK,
 * or EWQ_ENOTFOUND when there is none. */
int ewq_claim_next(ewq_db *db, const char *worker, int lease_s, ewq_claim *c);
void ewq_claim_clear(ewq_claim *c);

/* Stores the report (the library's compact JSON, its text and its HTML) and marks
 * the job done, if the lease is still ours: EWQ_OK (also when a commit of
 * ours landed before the connection broke), EWQ_ENOTFOUND when the lease
 * was lost (the result is then not stored). */
int ewq_complete(ewq_db *db, int64_t id, int64_t lease, const char *json, const char *text,
                 const char *html);

/* Records a failed attempt: queued again after retry_delay_s x 2^(attempt
 * - 1), or dead (*dead) at max_attempts. EWQ_ENOTFOUND: lease lost. */
int ewq_fail_job(ewq_db *db, int64_t id, int64_t lease, const char *error, int retry_delay_s,
                 bool *dead);

/* Gives a job back to the queue without counting the attempt. */
int ewq_release(ewq_db *db, int64_t id, int64_t lease);

/* Renews the leases held; kept[i] tells whether leases[i] is still ours. */
int ewq_heartbeat(ewq_db *db, const char *worker, int lease_s, const int64_t *leases, size_t n,
                  bool *kept);

/* Gives back the jobs claimed under this worker's name but not among
 * `leases` (a claim whose answer was lost with the connection). */
int ewq_disown(ewq_db *db, const char *worker, const int64_t *leases, size_t n);

/* Expired leases: back to the queue, or dead when out of attempts. */
int ewq_reap(ewq_db *db, int *requeued, int *dead);

/* A worker as `queue status` lists it. */
typedef struct ewq_worker_row {
    const char *name, *host;
    long pid;
    int slots, running;
    int64_t done, failed;
    bool stopping;
} ewq_worker_row;

int ewq_worker_seen(ewq_db *db, const ewq_worker_row *w);

/* `queue status` as JSON: the counts per state, "oldest_queued",
 * "expired_leases", "workers" seen lately and the "latest_dead" jobs;
 * NULL on error (ewq_db_error(); "" when out of memory). */
json_t *ewq_status_json(ewq_db *db);
/* The same for people. */
void ewq_status_print(FILE *out, const json_t *status);

#endif
