/* workers.h - the analysis threads of ewdiag serve: a fixed number, each
 * with its own analyzer for its whole life (the library's thread rule),
 * each running one upload's analysis at a time. No queue: when all are
 * busy, the caller says so (503), so that nothing waits unbounded. */
#ifndef EWDIAG_SERVE_WORKERS_H
#define EWDIAG_SERVE_WORKERS_H

#include <ewdiag.h>

#include "../cli/options.h"

typedef struct workers workers;

/* What a worker runs, with its analyzer. */
typedef void (*work_fn)(ewdiag_analyzer *a, void *arg);

/* n workers with analyzers configured from o; NULL after saying why on
 * stderr (a bad option or rule file, no thread). */
workers *workers_start(const analysis_opts *o, unsigned n);
/* Hands fn(arg) to an idle worker: 0, or -1 when every worker is busy
 * (or the pool is stopping). */
int workers_submit(workers *w, work_fn fn, void *arg);
/* Workers running an analysis now; the size of the pool. */
unsigned workers_busy(workers *w);
unsigned workers_size(const workers *w);
/* Refuses new work from now on (workers_submit() fails). */
void workers_close(workers *w);
/* Waits for the running work, stops the threads, frees everything. */
void workers_stop(workers *w);

#endif
