/* workers.c - a fixed pool of analysis threads, one analyzer each. */
#include "workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct worker {
    struct workers *pool;
    pthread_t thread;
    ewdiag_analyzer *a;
    work_fn fn; /* the work handed to it; NULL when idle */
    void *arg;
} worker;

struct workers {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    worker *w;
    unsigned n, started, busy;
    bool closed, stopping;
};

static void *run(void *arg)
{
    worker *me = arg;
    workers *p = me->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!me->fn && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!me->fn)
            break;
        work_fn fn = me->fn;
        void *a = me->arg;
        pthread_mutex_unlock(&p->mu);
        fn(me->a, a);
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
    for (unsigned i = 0; i < p->n; i++)
        ewdiag_analyzer_free(p->w[i].a);
    free(p->w);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Every analyzer first: a wrong option or rule file is said once. */
static int make_analyzers(workers *p, const analysis_opts *o)
{
    for (unsigned i = 0; i < p->n; i++) {
        p->w[i].pool = p;
        if (!(p->w[i].a = configure(o, i == 0))) {
            if (i > 0)
                fputs("ewdiag serve: cannot set up an analyzer: out of memory\n", stderr);
            return -1;
        }
    }
    return 0;
}

workers *workers_start(const analysis_opts *o, unsigned n)
{
    workers *p = calloc(1, sizeof *p);
    if (!p || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        fputs("ewdiag serve: out of memory\n", stderr);
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
    p->n = n;
    if (!(p->w = calloc(n, sizeof *p->w)) || make_analyzers(p, o) != 0) {
        free_pool(p);
        return NULL;
    }
    for (; p->started < n; p->started++) {
        if (pthread_create(&p->w[p->started].thread, NULL, run, &p->w[p->started]) != 0) {
            fputs("ewdiag serve: cannot start the analysis threads\n", stderr);
            workers_stop(p);
            return NULL;
        }
    }
    return p;
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
        p->busy++;
        rc = 0;
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
