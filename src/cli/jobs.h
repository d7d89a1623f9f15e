/* jobs.h - inputs analyzed by a pool of threads, one analyzer per thread
 * (the library's rule); the reports come back in input order. */
#ifndef EWDIAG_CLI_JOBS_H
#define EWDIAG_CLI_JOBS_H

#include <stdbool.h>

#include <ewdiag.h>

/* A configured analyzer for a worker, or NULL. */
typedef ewdiag_analyzer *(*make_analyzer_fn)(void *ctx);

typedef struct job_result {
    ewdiag_report *report; /* the input's report; the caller frees it */
    int rc;                /* ewdiag_analyze_path()'s */
    char *error;           /* its message when rc != EWDIAG_OK; the caller frees it */
} job_result;

/* Analyzes inputs[0..n) with `jobs` threads into results[0..n). Shows
 * "k of n inputs" on stderr when progress is set and it takes a while.
 * 0, or -1 when no thread could be started. */
int run_jobs(make_analyzer_fn make, void *ctx, char **inputs, int n, int jobs, bool progress,
             job_result *results);

#endif
