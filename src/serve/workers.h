/* workers.h - the threads of ewdiag serve that do the slow work: a fixed
 * number, each with a context of its own for its whole life (an analyzer,
 * by the library's thread rule; a database connection, by libpq's), each
 * running one piece of work at a time. The analyses have no queue: when
 * every worker is busy, the caller says so (503), so that nothing waits
 * unbounded. A pool may be given a bounded queue for short work (database
 * lookups). */
#ifndef EWDIAG_SERVE_WORKERS_H
#define EWDIAG_SERVE_WORKERS_H

#include <ewdiag.h>

#include "../cli/options.h"

typedef struct workers workers;

/* What a worker runs, with its context (an ewdiag_analyzer * for the
 * analysis pool). */
typedef void (*work_fn)(void *ctx, void *arg);
/* A worker's context, made at start (i: the worker's number); NULL after
 * saying why on stderr. */
typedef void *(*ctx_new_fn)(void *arg, unsigned i);
typedef void (*ctx_free_fn)(void *ctx);

/* n workers with analyzers configured from o; NULL after saying why on
 * stderr (a bad option or rule file, no thread). */
workers *workers_start(const analysis_opts *o, unsigned n);
/* n workers with contexts from make (freed with unmake), and a queue of up
 * to `queued` pieces of work waiting for one (0: none). */
workers *workers_start_with(unsigned n, unsigned queued, ctx_new_fn make, ctx_free_fn unmake,
                            void *arg);
/* Hands fn(arg) to an idle worker, or to the queue: 0, or -1 when every
 * worker is busy and the queue full (or the pool is stopping). */
int workers_submit(workers *w, work_fn fn, void *arg);
/* Workers running work now; the size of the pool. */
unsigned workers_busy(workers *w);
unsigned workers_size(const workers *w);
/* Refuses new work from now on (workers_submit() fails). */
void workers_close(workers *w);
/* Waits for the running and queued work, stops the threads, frees
 * everything. NULL is accepted. */
void workers_stop(workers *w);

#endif
