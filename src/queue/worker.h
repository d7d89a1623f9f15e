/* worker.h - `ewdiag worker`: takes jobs, analyzes each in a child
 * process, stores the results; survives the database going away. */
#ifndef EWDIAG_QUEUE_WORKER_H
#define EWDIAG_QUEUE_WORKER_H

#include <stdbool.h>

#include "../cli/options.h"

#define EWQ_DEFAULT_LEASE_S 60        /* a job whose worker stops renewing it returns after */
#define EWQ_DEFAULT_TIME_LIMIT_S 1800 /* an analysis running longer is killed */
#define EWQ_DEFAULT_RETRY_DELAY_S 30  /* before a failed job is tried again (doubling) */
#define EWQ_MAX_SLOTS 256

typedef struct worker_opts {
    const char *db; /* NULL: libpq's environment */
    int jobs;       /* analyses at once */
    int lease_s;
    int time_limit_s;
    int retry_delay_s;
    bool quiet;
    analysis_opts an;
} worker_opts;

/* Runs until SIGTERM or SIGINT (the jobs in hand are finished and stored;
 * a second signal gives them back at once). The exit status. */
int ewq_worker_run(const worker_opts *o);

#endif
