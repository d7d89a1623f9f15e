/* child.h - one analysis in a process of its own, forked from the worker
 * with its analyzer ready: a bundle that crashes or hangs the analysis
 * takes that process down, never the worker. The child sends the report
 * back through a pipe and exits. */
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

typedef struct ewq_child {
    pid_t pid; /* 0: none */
    int fd;    /* the pipe's read end; -1 once at its end */
    char *buf; /* what the child sent */
    size_t len, cap;
    bool too_big;
} ewq_child;

/* What an analysis gave. */
typedef struct ewq_outcome {
    bool ok;            /* analyzed: json and text hold the report */
    const char *json;   /* the library's compact JSON (points into the child's buffer) */
    const char *text;   /* its text rendering */
    uint64_t findings;  /* how many, and the highest severity (-1 none) */
    int max_severity;
    double analysis_s;  /* time in ewdiag_analyze_*() and the serializers */
    char why[EWQ_WHY_MAX]; /* when !ok: why */
} ewq_outcome;

/* Forks the analysis of `job` with analyzer a (a copy of it, the child's
 * own). conninfo is for reading an upload's large object. fds[0..nfds) are
 * closed in the child (the worker's own). 0, or -1 with why set. */
int ewq_child_start(ewq_child *c, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo,
                    const int *fds, int nfds, char why[EWQ_WHY_MAX]);

/* Reads what the child sent so far, without blocking: 1 at the end of the
 * pipe (the child exited or closed it), 0 otherwise. */
int ewq_child_pump(ewq_child *c);

/* SIGKILL (a hung or late analysis, a lost lease). */
void ewq_child_kill(ewq_child *c);

/* Once the pipe ended: reaps the child and says what it gave. `killed_for`
 * names why it was killed (NULL: it was not). The outcome's strings live
 * until ewq_child_clear(). */
void ewq_child_finish(ewq_child *c, const char *killed_for, ewq_outcome *out);
void ewq_child_clear(ewq_child *c);

#endif
