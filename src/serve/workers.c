/* workers.c - a fixed pool of threads, one context each (an analyzer, a
 * database connection), with an optional bounded queue. */
#include "workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct worker {
    struct workers *pool;
    pthread_t thread;
    void *ctx;
    work_fn fn; /* the work handed to it; NULL when idle */
    void *arg;
} worker;

typedef struct pending {
    work_fn fn;
    void *arg;
} pending;

struct workers {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    worker *w;
    unsigned n, started, busy;
    ctx_free_fn unmake;
    pending *queue; /* a ring of qcap; qlen waiting from qhead */
    unsigned qcap, qhead, qlen;
    bool closed, stopping;
};

/* Locked: the next queued work for an idle worker, if any. */
static bool take_queued(workers *p, worker *me)
{
    if (!p->qlen)
        return false;
    me->fn = p->queue[p->qhead].fn;
    me->arg = p->queue[p->qhead].arg;
    p->qhead = (p->qhead + 1) % p->qcap;
    p->qlen--;
    return true;
}

static void *run(void *arg)
{
    worker *me = arg;
    workers *p = me->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!me->fn && !take_queued(p, me) && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!me->fn)
            break;
        work_fn fn = me->fn;
        void *a = me->arg;
        pthread_mutex_unlock(&p->mu);
        fn(me->ctx, a);
        pthread_mutex_lock(&p->mu);
        me->fn = NULL;
        p->busy--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void free_pool(workers *p)
{
    for (unsigned i = 0; p->w && i < p->n; i++)
        if (p->w[i].ctx)
            p->unmake(p->w[i].ctx);
    free(p->w);
    free(p->queue);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static workers *pool_new(unsigned n, unsigned queued, ctx_free_fn unmake)
{
    workers *p = calloc(1, sizeof *p);
    if (!p || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    p->n = n;
    p->unmake = unmake;
    p->qcap = queued;
    if (!(p->w = calloc(n, sizeof *p->w)) || (queued && !(p->queue = calloc(queued,
                                                                            sizeof *p->queue)))) {
        free_pool(p);
        return NULL;
    }
    return p;
}

workers *workers_start_with(unsigned n, unsigned queued, ctx_new_fn make, ctx_free_fn unmake,
                            void *arg)
{
    workers *p = pool_new(n, queued, unmake);
    if (!p) {
        fputs("ewdiag serve: out of memory\n", stderr);
        return NULL;
    }
    /* Every context first: a wrong option or rule file is said once. */
    for (unsigned i = 0; i < n; i++) {
        p->w[i].pool = p;
        if (!(p->w[i].ctx = make(arg, i))) {
            free_pool(p);
            return NULL;
        }
    }
    for (; p->started < n; p->started++) {
        if (pthread_create(&p->w[p->started].thread, NULL, run, &p->w[p->started]) != 0) {
            fputs("ewdiag serve: cannot start the worker threads\n", stderr);
            workers_stop(p);
            return NULL;
        }
    }
    return p;
}

static void *make_analyzer(void *arg, unsigned i)
{
    ewdiag_analyzer *a = configure(arg, i == 0);
    if (!a && i > 0)
        fputs("ewdiag serve: cannot set up an analyzer: out of memory\n", stderr);
    return a;
}

static void free_analyzer(void *ctx)
{
    ewdiag_analyzer_free(ctx);
}

workers *workers_start(const analysis_opts *o, unsigned n)
{
    /* configure() only reads the options. */
    return workers_start_with(n, 0, make_analyzer, free_analyzer, (void *)o);
}

int workers_submit(workers *p, work_fn fn, void *arg)
{
    int rc = -1;
    pthread_mutex_lock(&p->mu);
    for (unsigned i = 0; !p->closed && i < p->started && rc != 0; i++) {
        if (p->w[i].fn)
            continue;
        p->w[i].fn = fn;
        p->w[i].arg = arg;
        rc = 0;
    }
    if (rc != 0 && !p->closed && p->qlen < p->qcap) {
        p->queue[(p->qhead + p->qlen) % p->qcap] = (pending){fn, arg};
        p->qlen++;
        rc = 0;
    }
    if (rc == 0) {
        p->busy++; /* running or queued: the work is in hand */
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

unsigned workers_busy(workers *p)
{
    pthread_mutex_lock(&p->mu);
    unsigned b = p->busy;
    pthread_mutex_unlock(&p->mu);
    return b;
}

unsigned workers_size(const workers *p)
{
    return p->n;
}

void workers_close(workers *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_mutex_unlock(&p->mu);
}

void workers_stop(workers *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    while (p->busy)
        pthread_cond_wait(&p->cv, &p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; i++)
        pthread_join(p->w[i].thread, NULL);
    free_pool(p);
}
