/* dbpool.c - a connection per worker thread, and the database's health
 * shared by all: a failed attempt to reach it holds the others off until
 * its backoff has passed, then one thread tries again. */
#include "dbpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"

#define APP_NAME "ewdiag serve" /* in pg_stat_activity */
#define BACKOFF_MIN_S 0.1
#define BACKOFF_MAX_S 10.0
#define JITTER 0.25 /* +- this share of the backoff */
#define NS_PER_S 1e9

struct dbhealth {
    pthread_mutex_t mu;
    char *conninfo; /* NULL: libpq's environment */
    bool down;      /* the last attempt failed */
    double backoff; /* seconds before the next attempt, while down */
    struct timespec retry_at;
    char why[DB_MSG_MAX];
    unsigned seed;
};

struct dbconn {
    dbhealth *h;
    ewq_db *db;
    bool ready; /* connected, schema checked */
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / NS_PER_S;
}

static struct timespec at(double s)
{
    return (struct timespec){(time_t)s, (long)((s - (double)(time_t)s) * NS_PER_S)};
}

static double seconds_of(const struct timespec *t)
{
    return (double)t->tv_sec + (double)t->tv_nsec / NS_PER_S;
}

dbhealth *dbhealth_new(const char *conninfo)
{
    dbhealth *h = calloc(1, sizeof *h);
    if (!h || pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h);
        return NULL;
    }
    if (conninfo && *conninfo && !(h->conninfo = strdup(conninfo))) {
        dbhealth_free(h);
        return NULL;
    }
    h->seed = (unsigned)time(NULL);
    return h;
}

void dbhealth_free(dbhealth *h)
{
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    free(h->conninfo);
    free(h);
}

void dbhealth_failed(dbhealth *h, const char *why)
{
    pthread_mutex_lock(&h->mu);
    h->backoff = !h->down ? BACKOFF_MIN_S
                 : h->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : h->backoff * 2;
    h->down = true;
    double jitter = 1 + JITTER * (2.0 * rand_r(&h->seed) / RAND_MAX - 1);
    h->retry_at = at(now_s() + h->backoff * jitter);
    snprintf(h->why, sizeof h->why, "%s", why);
    pthread_mutex_unlock(&h->mu);
}

static void health_ok(dbhealth *h)
{
    pthread_mutex_lock(&h->mu);
    h->down = false;
    h->backoff = 0;
    h->why[0] = '\0';
    pthread_mutex_unlock(&h->mu);
}

bool dbhealth_down(dbhealth *h, unsigned *retry_s, char *msg, size_t cap)
{
    pthread_mutex_lock(&h->mu);
    double left = seconds_of(&h->retry_at) - now_s();
    bool down = h->down && left > 0;
    if (down) {
        *retry_s = left < 1 ? 1 : (unsigned)(left + 1);
        snprintf(msg, cap, "%s", h->why);
    }
    pthread_mutex_unlock(&h->mu);
    return down;
}

bool dbhealth_up(dbhealth *h)
{
    pthread_mutex_lock(&h->mu);
    bool up = !h->down;
    pthread_mutex_unlock(&h->mu);
    return up;
}

/* Whether this thread may try now: not while another's backoff runs. A
 * thread that tries while the database is down holds the others off for
 * the backoff (the attempt may take the connect timeout). *probe: the
 * database was down, so even a connection that looks alive is made again. */
static bool may_try(dbhealth *h, bool *probe, char *msg, size_t cap)
{
    pthread_mutex_lock(&h->mu);
    double now = now_s();
    bool ok = !h->down || seconds_of(&h->retry_at) <= now;
    *probe = h->down;
    if (!ok)
        snprintf(msg, cap, "%s", h->why);
    else if (h->down)
        h->retry_at = at(now + h->backoff);
    pthread_mutex_unlock(&h->mu);
    return ok;
}

ewq_db *dbconn_get(dbconn *c, char *msg, size_t cap)
{
    bool probe;
    if (!may_try(c->h, &probe, msg, cap))
        return NULL;
    if (c->ready && !probe && !ewq_db_lost(c->db))
        return c->db;
    c->ready = false;
    int rc = ewq_db_connect(c->db);
    metrics_db_connect(rc == EWQ_OK);
    if (rc == EWQ_OK)
        rc = ewq_schema_check(c->db);
    if (rc != EWQ_OK) {
        snprintf(msg, cap, "%s", ewq_db_error(c->db));
        dbhealth_failed(c->h, msg);
        metrics_db_error();
        return NULL;
    }
    health_ok(c->h);
    c->ready = true;
    return c->db;
}

bool dbconn_lost(dbconn *c)
{
    if (!ewq_db_lost(c->db))
        return false;
    c->ready = false;
    metrics_db_error();
    return true;
}

static void *conn_new(void *arg, unsigned i)
{
    (void)i;
    dbhealth *h = arg;
    dbconn *c = calloc(1, sizeof *c);
    if (!c || !(c->db = ewq_db_new(h->conninfo, APP_NAME))) {
        free(c);
        fputs("ewdiag serve: out of memory\n", stderr);
        return NULL;
    }
    c->h = h;
    return c;
}

static void conn_free(void *ctx)
{
    dbconn *c = ctx;
    ewq_db_free(c->db);
    free(c);
}

workers *dbpool_start(dbhealth *h, unsigned n, unsigned queued)
{
    return workers_start_with(n, queued, conn_new, conn_free, h);
}
