/* stream.c - an upload's bytes from the HTTP thread to the worker through
 * a bounded ring; the HTTP side pauses its connection instead of waiting. */
#include "stream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Why the producer's connection is paused. */
typedef enum { STALL_NONE, STALL_FULL, STALL_INPUT, STALL_DONE } stall_reason;

struct stream {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *ring;
    size_t cap, head, len;
    stream_stall_fn stall;
    void *ctx;
    stall_reason stalled;
    char *name;   /* the current input's */
    bool pending; /* opened, not yet taken by the worker */
    bool active;  /* in flight: not both closed and drained */
    bool closed;  /* the producer ended it */
    bool drained; /* the worker is done with it: its bytes are dropped */
    bool finished, done, aborted;
};

stream *stream_new(size_t cap, stream_stall_fn stall, void *ctx)
{
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (!(s->ring = malloc(cap)) || pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->ring);
        free(s);
        return NULL;
    }
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s->ring);
        free(s);
        return NULL;
    }
    s->cap = cap;
    s->stall = stall;
    s->ctx = ctx;
    return s;
}

void stream_free(stream *s)
{
    if (!s)
        return;
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->ring);
    free(s->name);
    free(s);
}

/* Locked. */
static void pause_for(stream *s, stall_reason why)
{
    if (s->aborted || s->stalled != STALL_NONE)
        return;
    s->stalled = why;
    s->stall(s->ctx, true);
}

/* Locked: resumes the producer if it waits for one of these reasons. */
static void resume_if(stream *s, stall_reason a, stall_reason b)
{
    if (s->aborted || s->stalled == STALL_NONE || (s->stalled != a && s->stalled != b))
        return;
    s->stalled = STALL_NONE;
    s->stall(s->ctx, false);
}

int stream_open(stream *s, const char *name)
{
    int rc = 1;
    pthread_mutex_lock(&s->mu);
    if (s->aborted) {
        s->drained = true; /* whatever comes is dropped */
    } else if (s->active) {
        pause_for(s, STALL_INPUT);
        rc = 0;
    } else {
        char *copy = strdup(name);
        if (!copy) {
            rc = -1;
        } else {
            free(s->name);
            s->name = copy;
            s->active = s->pending = true;
            s->closed = s->drained = false;
            s->head = s->len = 0;
            pthread_cond_broadcast(&s->cv);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

size_t stream_write(stream *s, const void *data, size_t n)
{
    pthread_mutex_lock(&s->mu);
    if (s->aborted || s->drained) {
        pthread_mutex_unlock(&s->mu);
        return n;
    }
    size_t take = s->cap - s->len < n ? s->cap - s->len : n;
    size_t tail = (s->head + s->len) % s->cap;
    size_t first = s->cap - tail < take ? s->cap - tail : take;
    memcpy(s->ring + tail, data, first);
    memcpy(s->ring, (const char *)data + first, take - first);
    s->len += take;
    if (take)
        pthread_cond_broadcast(&s->cv);
    if (take < n)
        pause_for(s, STALL_FULL);
    pthread_mutex_unlock(&s->mu);
    return take;
}

void stream_close(stream *s)
{
    pthread_mutex_lock(&s->mu);
    s->closed = true;
    if (s->drained)
        s->active = false;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int stream_finish(stream *s)
{
    pthread_mutex_lock(&s->mu);
    s->finished = true;
    pthread_cond_broadcast(&s->cv);
    int rc = s->done;
    if (!rc)
        pause_for(s, STALL_DONE);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void stream_abort(stream *s)
{
    pthread_mutex_lock(&s->mu);
    if (!s->aborted && s->stalled != STALL_NONE) /* a paused connection must go on to end */
        s->stall(s->ctx, false);
    s->stalled = STALL_NONE;
    s->aborted = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

bool stream_aborted(stream *s)
{
    pthread_mutex_lock(&s->mu);
    bool a = s->aborted;
    pthread_mutex_unlock(&s->mu);
    return a;
}

int stream_next(stream *s, const char **name)
{
    pthread_mutex_lock(&s->mu);
    while (!s->pending && !s->finished && !s->aborted)
        pthread_cond_wait(&s->cv, &s->mu);
    int rc = s->aborted ? -1 : s->pending ? 1 : 0;
    if (rc == 1) {
        s->pending = false;
        *name = s->name;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

long stream_read(void *ctx, void *buf, size_t cap)
{
    stream *s = ctx;
    pthread_mutex_lock(&s->mu);
    while (s->len == 0 && !s->closed && !s->aborted)
        pthread_cond_wait(&s->cv, &s->mu);
    long rc = -1;
    if (!s->aborted) {
        size_t n = cap < s->len ? cap : s->len;
        size_t first = s->cap - s->head < n ? s->cap - s->head : n;
        memcpy(buf, s->ring + s->head, first);
        memcpy((char *)buf + first, s->ring, n - first);
        s->head = (s->head + n) % s->cap;
        s->len -= n;
        rc = (long)n;
        /* Resumed once half the ring is free: not for every read. */
        if (s->len <= s->cap / 2)
            resume_if(s, STALL_FULL, STALL_FULL);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void stream_drain(stream *s)
{
    pthread_mutex_lock(&s->mu);
    s->drained = true;
    s->head = s->len = 0;
    if (s->closed)
        s->active = false;
    resume_if(s, STALL_FULL, STALL_INPUT);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void stream_done(stream *s)
{
    pthread_mutex_lock(&s->mu);
    s->done = true;
    if (!s->aborted && s->stalled != STALL_NONE) {
        s->stalled = STALL_NONE;
        s->stall(s->ctx, false);
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}
