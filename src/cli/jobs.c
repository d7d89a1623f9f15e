/* jobs.c - the worker pool behind --jobs. */
#include "jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS_DELAY_S 1     /* say nothing for batches quicker than this */
#define PROGRESS_TICK_MS 200   /* how often the main thread looks */
#define NS_PER_MS 1000000L
#define NS_PER_S 1000000000L

typedef struct pool {
    make_analyzer_fn make;
    void *ctx;
    char **inputs;
    int n;
    job_result *results;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int next; /* next input to take */
    int done; /* inputs finished */
} pool;

static char *dup_or_null(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

static void *worker(void *arg)
{
    pool *p = arg;
    ewdiag_analyzer *a = p->make(p->ctx);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int i = p->next < p->n ? p->next++ : -1;
        pthread_mutex_unlock(&p->mu);
        if (i < 0)
            break;
        job_result res = {ewdiag_report_new(), EWDIAG_ENOMEM, NULL};
        if (a && res.report)
            res.rc = ewdiag_analyze_path(a, res.report, p->inputs[i]);
        if (res.rc != EWDIAG_OK)
            res.error = dup_or_null(a ? ewdiag_error(a) : "cannot set up an analyzer");
        pthread_mutex_lock(&p->mu);
        p->results[i] = res;
        p->done++;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    ewdiag_analyzer_free(a);
    return NULL;
}

static void deadline_in(struct timespec *t, long ms)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_nsec += ms * NS_PER_MS;
    t->tv_sec += t->tv_nsec / NS_PER_S;
    t->tv_nsec %= NS_PER_S;
}

int run_jobs(make_analyzer_fn make, void *ctx, char **inputs, int n, int jobs, bool progress,
             job_result *results)
{
    pool p = {.make = make, .ctx = ctx, .inputs = inputs, .n = n, .results = results};
    if (pthread_mutex_init(&p.mu, NULL) != 0 || pthread_cond_init(&p.cv, NULL) != 0)
        return -1;
    if (jobs > n)
        jobs = n;
    pthread_t *threads = calloc((size_t)jobs, sizeof *threads);
    int started = 0;
    while (threads && started < jobs && pthread_create(&threads[started], NULL, worker, &p) == 0)
        started++;
    if (started == 0) {
        free(threads);
        return -1;
    }
    time_t begin = time(NULL);
    bool shown = false;
    pthread_mutex_lock(&p.mu);
    while (p.done < n) {
        struct timespec t;
        deadline_in(&t, PROGRESS_TICK_MS);
        pthread_cond_timedwait(&p.cv, &p.mu, &t);
        if (progress && time(NULL) - begin >= PROGRESS_DELAY_S) {
            fprintf(stderr, "\r\033[Kewdiag: %d of %d inputs analyzed", p.done, n);
            shown = true;
        }
    }
    pthread_mutex_unlock(&p.mu);
    if (shown)
        fputs("\r\033[K", stderr);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    return 0;
}
