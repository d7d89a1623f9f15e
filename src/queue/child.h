/* child.h - analyses in processes of their own, forked from the worker
 * with its analyzer ready: a bundle that crashes or hangs an analysis
 * takes that process down, never the worker. A process stays for the next
 * job of its slot (a fork per job costs more than a small bundle's
 * analysis) and is replaced after a crash, a kill, or EWQ_CHILD_JOBS jobs
 * (fresh memory). Jobs go in through one pipe, reports come back through
 * another. */
#ifndef EWDIAG_QUEUE_CHILD_H
#define EWDIAG_QUEUE_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ewdiag.h>

#include "queue_int.h"

#define EWQ_MAX_REPORT ((size_t)512 << 20) /* a report larger than this is refused */
#define EWQ_WHY_MAX 1024
#define EWQ_CHILD_JOBS 100 /* jobs before a process is replaced */

typedef struct ewq_child {
    pid_t pid;   /* 0: none */
    int job_fd;  /* jobs to it; -1 none */
    int fd;      /* reports from it (non-blocking); -1 none */
    unsigned jobs;
    char *buf;   /* the report coming back */
    size_t len, cap;
    bool busy;   /* a job handed over, its report not whole yet */
    bool too_big, whole;
} ewq_child;

/* What an analysis gave. */
typedef struct ewq_outcome {
    bool ok;               /* analyzed: json, text and html hold the report */
    const char *json;      /* the library's compact JSON (in the child's buffer) */
    const char *text;      /* its text rendering */
    const char *html;      /* its HTML page */
    uint64_t findings;     /* how many, and the highest severity (-1 none) */
    int max_severity;
    bool incomplete;       /* an input went unread in part (exit status 3) */
    uint32_t warnings;     /* the report's warnings */
    double analysis_s;     /* time in ewdiag_analyze_*() and the serializers */
    char why[EWQ_WHY_MAX]; /* when !ok: why */
} ewq_outcome;

void ewq_child_init(ewq_child *c);

/* Gives job to the slot's process, starting one (a fork of this process,
 * with analyzer a) when there is none or it is due for replacement.
 * conninfo is for reading an upload's large object. 0, or -1 with why. */
int ewq_child_run(ewq_child *c, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo,
                  char why[EWQ_WHY_MAX]);

/* Reads what came back so far, without blocking: 1 when the report is
 * whole or the process ended, 0 otherwise. */
int ewq_child_pump(ewq_child *c);

/* SIGKILL (a hung or late analysis, a lost lease). */
void ewq_child_kill(ewq_child *c);

/* After pump() said 1: what the job gave. A process that ended (crashed,
 * killed: `killed_for` says why, NULL if not by us) is reaped. The
 * outcome's strings live until ewq_child_next(). */
void ewq_child_finish(ewq_child *c, const char *killed_for, ewq_outcome *out);
/* Ready for the slot's next job. */
void ewq_child_next(ewq_child *c);
/* The report's buffer, which the outcome of ewq_child_finish() points
 * into, taken over by the caller (free() it); the process's next report
 * goes to a buffer of its own. */
char *ewq_child_take(ewq_child *c);

/* Ends the process (an idle one leaves when its job pipe closes; a busy
 * one is killed), reaps it and frees. */
void ewq_child_clear(ewq_child *c);

#endif
