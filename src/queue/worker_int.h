/* worker_int.h - inside `ewdiag worker`: its state, shared by the loop
 * (worker.c) and the life of its jobs (tasks.c). */
#ifndef EWDIAG_QUEUE_WORKER_INT_H
#define EWDIAG_QUEUE_WORKER_INT_H

#include <stdbool.h>

#include "child.h"
#include "db.h"
#include "queue_int.h"
#include "worker.h"

#define HOST_MAX 200
#define WORKER_NAME_MAX 256
#define KILLED_FOR_MAX 128

/* A job of a slot: the one its process has (run), or the one before,
 * finished, its report waiting to be stored (done): a slot's process
 * starts its next job while the report of the last one is stored. */
typedef struct task {
    bool on;
    bool finished;      /* run: the process is through with it */
    bool drop;          /* lease lost: nothing of it is stored */
    ewq_claim job;
    ewq_outcome out;
    char *buf;          /* done: the report's bytes, which out points into */
    double claimed_at, deadline;
    char killed_for[KILLED_FOR_MAX];
} task;

typedef struct slot {
    ewq_child child;
    task run, done;
} slot;

typedef struct stats {
    long long done, failed, dead, lost;
    long long measured;
    double db_s, overhead_s, analysis_s;
} stats;

typedef struct worker {
    const worker_opts *o;
    char host[HOST_MAX], name[WORKER_NAME_MAX];
    ewq_db *db;
    ewdiag_analyzer *a;
    slot *slots;
    int stops; /* SIGTERM/SIGINT received */
    bool want_claim, gave_up;
    double next_beat, next_claim, next_reconnect, backoff, lost_since;
    stats st;
} worker;

/* worker.c */
double wk_now(void);
void wk_say(const worker *w, bool always, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After a failed statement: a lost connection is retried, anything else
 * is said (what: what was being done). */
void wk_db_trouble(worker *w, const char *what);

/* tasks.c */
/* Jobs and reports in hand. */
int wk_busy(const worker *w);
/* The leases held, and their tasks; n at most 2 per slot. */
size_t wk_leases(worker *w, int64_t *leases, task **tasks);
/* Claims jobs for the slots whose process is free, and hands them over. */
void wk_claim(worker *w);
/* A slot's process is through with its job (report whole, or it ended). */
void wk_child_ended(worker *w, slot *s);
/* Stores the reports waiting, in slot order, until the database fails. */
void wk_store_all(worker *w);
/* The heartbeat found this lease taken over. */
void wk_lease_lost(worker *w, task *t);
/* Whether a slot's process is free for a job. */
bool wk_can_claim(const worker *w);
/* Kills the analyses past the time limit. */
void wk_time_limits(worker *w);
/* The earliest time limit ahead, or `until`. */
double wk_next_deadline(const worker *w, double until);
/* Stopping with the database gone longer than a lease: drop the reports. */
void wk_give_up(worker *w);
/* A second signal: kill the analyses, give every job back uncounted. */
void wk_give_back(worker *w);
void wk_slots_free(worker *w);

#endif
