/* source.c - input bytes, gunzipped on a thread of its own when they are
 * gzip: the thread reads and inflates into a small ring of blocks while the
 * caller scans the previous ones, so the two cores each take one half. */
#include "input/source.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef EW_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define EW_GZIP_MAGIC0 0x1f
#define EW_GZIP_MAGIC1 0x8b
#define EW_GZIP_MAGIC_LEN 2
#define EW_SOURCE_IN (256u * 1024u)    /* compressed bytes read at once */
#define EW_SOURCE_OUT (1024u * 1024u)  /* inflated bytes per block */
#define EW_SOURCE_BLOCKS 4             /* blocks between the two threads */
#ifndef EW_HAVE_ISAL
/* windowBits for inflateInit2: 15-bit window, gzip wrapper. */
#define EW_ZLIB_GZIP_WINDOW (15 + 16)
#endif

/* ---- the inflater: igzip or zlib behind one small interface ---------- */

typedef struct ew_inflater {
#ifdef EW_HAVE_ISAL
    struct inflate_state st;
#else
    z_stream zs;
#endif
} ew_inflater;

const char *ew_source_inflater(void)
{
#ifdef EW_HAVE_ISAL
    return "igzip";
#else
    return "zlib";
#endif
}

static int ew_inf_init(ew_inflater *f)
{
    memset(f, 0, sizeof *f);
#ifdef EW_HAVE_ISAL
    isal_inflate_init(&f->st);
    f->st.crc_flag = ISAL_GZIP; /* parse the header, verify the trailer */
    return 0;
#else
    return inflateInit2(&f->zs, EW_ZLIB_GZIP_WINDOW) == Z_OK ? 0 : -1;
#endif
}

/* For the next gzip member of a concatenated stream. */
static int ew_inf_reset(ew_inflater *f)
{
#ifdef EW_HAVE_ISAL
    isal_inflate_reset(&f->st);
    f->st.crc_flag = ISAL_GZIP;
    return 0;
#else
    return inflateReset(&f->zs) == Z_OK ? 0 : -1;
#endif
}

static void ew_inf_free(ew_inflater *f)
{
#ifndef EW_HAVE_ISAL
    inflateEnd(&f->zs);
#else
    EW_UNUSED(f);
#endif
}

/* Inflates what it can of in[0..n) into out[0..cap). *member_end when the
 * gzip member (trailer included) is complete. 0, or -1 with *why. */
static int ew_inf_run(ew_inflater *f, const uint8_t *in, size_t n, size_t *used, uint8_t *out,
                      size_t cap, size_t *made, bool *member_end, const char **why)
{
#ifdef EW_HAVE_ISAL
    f->st.next_in = (uint8_t *)in;
    f->st.avail_in = (uint32_t)n;
    f->st.next_out = out;
    f->st.avail_out = (uint32_t)cap;
    int rc = isal_inflate(&f->st);
    *used = n - f->st.avail_in;
    *made = cap - f->st.avail_out;
    *member_end = f->st.block_state == ISAL_BLOCK_FINISH;
    if (rc < 0) {
        *why = rc == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch" : "invalid deflate data";
        return -1;
    }
    return 0;
#else
    f->zs.next_in = (Bytef *)in;
    f->zs.avail_in = (uInt)n;
    f->zs.next_out = out;
    f->zs.avail_out = (uInt)cap;
    int rc = inflate(&f->zs, Z_NO_FLUSH);
    *used = n - f->zs.avail_in;
    *made = cap - f->zs.avail_out;
    *member_end = rc == Z_STREAM_END;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        *why = f->zs.msg ? f->zs.msg : "invalid deflate data";
        return -1;
    }
    return 0;
#endif
}

/* ---- the source ------------------------------------------------------ */

typedef struct ew_block {
    uint8_t *p;
    size_t len;
} ew_block;

struct ew_source {
    ew_origin origin;
    bool gzip;
    /* read side (the inflating thread once started) */
    uint8_t *in;
    size_t in_off, in_len;       /* unconsumed bytes: in[in_off .. in_off+in_len) */
    bool eof;
    _Atomic uint64_t consumed;   /* bytes read from fd */
    ew_inflater inf;
    bool inf_ready;
    bool in_member;              /* inside a gzip member */
    /* the ring, under mu */
    pthread_t thread;
    bool threaded;
    pthread_mutex_t mu;
    pthread_cond_t can_fill, can_take;
    ew_block blocks[EW_SOURCE_BLOCKS];
    size_t head, count;          /* next block to take; blocks filled */
    bool holding;                /* the caller holds blocks[head] */
    bool done, failed, stop;
    char err[EW_SOURCE_ERR_MAX];
};

bool ew_fd_is_gzip(int fd)
{
    unsigned char m[EW_GZIP_MAGIC_LEN];
    return pread(fd, m, sizeof m, 0) == (ssize_t)sizeof m && m[0] == EW_GZIP_MAGIC0 &&
           m[1] == EW_GZIP_MAGIC1;
}

/* Reads more of fd behind the unconsumed bytes. 0, or -1 with err set. */
static int ew_fill(ew_source *s)
{
    if (s->eof)
        return 0;
    if (s->in_off) {
        memmove(s->in, s->in + s->in_off, s->in_len);
        s->in_off = 0;
    }
    if (s->in_len == EW_SOURCE_IN)
        return 0;
    for (;;) {
        const ew_origin *o = &s->origin;
        size_t room = EW_SOURCE_IN - s->in_len;
        ssize_t n = o->fn ? o->fn(o->ctx, s->in + s->in_len, room) : read(o->fd, s->in + s->in_len, room);
        if (n < 0 && !o->fn && errno == EINTR)
            continue;
        if (n < 0 || (size_t)n > room) {
            if (o->fn)
                snprintf(s->err, sizeof s->err, "the input's reader failed after %llu bytes",
                         (unsigned long long)atomic_load(&s->consumed));
            else
                snprintf(s->err, sizeof s->err, "read error after %llu bytes: %s",
                         (unsigned long long)atomic_load(&s->consumed), strerror(errno));
            return -1;
        }
        s->eof = n == 0;
        s->in_len += (size_t)n;
        atomic_fetch_add(&s->consumed, (uint64_t)n);
        return 0;
    }
}

static bool ew_at_magic(const ew_source *s)
{
    return s->in_len >= EW_GZIP_MAGIC_LEN && s->in[s->in_off] == EW_GZIP_MAGIC0 &&
           s->in[s->in_off + 1] == EW_GZIP_MAGIC1;
}

/* Fills one block. Returns 1 when the stream ended (cleanly or not: err
 * says which), 0 when more may follow, -1 on a fatal error (err set). */
static int ew_inflate_block(ew_source *s, ew_block *b)
{
    b->len = 0;
    while (b->len < EW_SOURCE_OUT) {
        if (s->in_len < EW_GZIP_MAGIC_LEN && !s->eof && ew_fill(s) != 0)
            return -1;
        if (!s->in_member) {
            /* Between members: another one, or the end (padding ignored). */
            if (!ew_at_magic(s))
                return 1;
            if (ew_inf_reset(&s->inf) != 0) {
                snprintf(s->err, sizeof s->err, "cannot restart the gzip decoder");
                return -1;
            }
            s->in_member = true;
        }
        if (s->in_len == 0 && s->eof) {
            snprintf(s->err, sizeof s->err, "gzip stream truncated after %llu compressed bytes",
                     (unsigned long long)atomic_load(&s->consumed));
            return -1;
        }
        size_t used, made;
        bool end;
        const char *why = NULL;
        if (ew_inf_run(&s->inf, s->in + s->in_off, s->in_len, &used, b->p + b->len,
                       EW_SOURCE_OUT - b->len, &made, &end, &why) != 0) {
            snprintf(s->err, sizeof s->err, "gzip data corrupt after %llu compressed bytes: %s",
                     (unsigned long long)(atomic_load(&s->consumed) - s->in_len + used), why);
            return -1;
        }
        s->in_off += used;
        s->in_len -= used;
        b->len += made;
        if (end) {
            s->in_member = false;
        } else if (used == 0 && made == 0) {
            /* Stuck on a partial header or block: more input, or the cut. */
            if (s->eof) {
                snprintf(s->err, sizeof s->err, "gzip stream truncated after %llu compressed bytes",
                         (unsigned long long)atomic_load(&s->consumed));
                return -1;
            }
            if (ew_fill(s) != 0)
                return -1;
        }
    }
    return 0;
}

static void *ew_producer(void *arg)
{
    ew_source *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->count == EW_SOURCE_BLOCKS && !s->stop)
            pthread_cond_wait(&s->can_fill, &s->mu);
        bool stop = s->stop;
        ew_block *b = &s->blocks[(s->head + s->count) % EW_SOURCE_BLOCKS];
        pthread_mutex_unlock(&s->mu);
        if (stop)
            return NULL;
        /* The block is the producer's until published: no lock needed. */
        int rc = ew_inflate_block(s, b);
        pthread_mutex_lock(&s->mu);
        if (b->len)
            s->count++;
        if (rc != 0) {
            s->done = true;
            s->failed = *s->err != '\0';
        }
        pthread_cond_signal(&s->can_take);
        pthread_mutex_unlock(&s->mu);
        if (rc != 0)
            return NULL;
    }
}

static void ew_source_free(ew_source *s)
{
    for (size_t i = 0; i < EW_SOURCE_BLOCKS; i++)
        free(s->blocks[i].p);
    if (s->inf_ready)
        ew_inf_free(&s->inf);
    free(s->in);
    free(s);
}

/* The gzip side of opening: the blocks, the decoder, the thread. */
static int ew_source_gzip(ew_source *s, bool threaded, ew_err *err)
{
    for (size_t i = 0; i < EW_SOURCE_BLOCKS; i++)
        if (!(s->blocks[i].p = ew_malloc(EW_SOURCE_OUT)))
            return ew_err_set(err, EWDIAG_ENOMEM, "out of memory");
    /* The decoders fail only when out of memory (zlib's state). */
    if (ew_inf_init(&s->inf) != 0)
        return ew_err_set(err, EWDIAG_ENOMEM, "cannot start the gzip decoder: out of memory");
    s->inf_ready = true;
    if (!threaded)
        return 0;
    if (pthread_mutex_init(&s->mu, NULL) != 0 || pthread_cond_init(&s->can_fill, NULL) != 0 ||
        pthread_cond_init(&s->can_take, NULL) != 0 ||
        pthread_create(&s->thread, NULL, ew_producer, s) != 0)
        return ew_err_set(err, EWDIAG_ENOMEM, "cannot start the inflating thread");
    s->threaded = true;
    return 0;
}

int ew_source_open(ew_source **out, const ew_origin *o, bool threaded, ew_err *err)
{
    *out = NULL;
    ew_source *s = ew_calloc(1, sizeof *s);
    if (!s || !(s->in = ew_malloc(EW_SOURCE_IN))) {
        free(s);
        return ew_err_set(err, EWDIAG_ENOMEM, "out of memory");
    }
    s->origin = *o;
    int rc = 0;
    /* Two bytes decide; a short first read of a pipe is read again. */
    while (rc == 0 && s->in_len < EW_GZIP_MAGIC_LEN && !s->eof)
        if (ew_fill(s) != 0)
            rc = ew_err_set(err, EWDIAG_EIO, "%s", s->err);
    s->gzip = rc == 0 && ew_at_magic(s);
    if (s->gzip)
        rc = ew_source_gzip(s, threaded, err);
    if (rc != 0) {
        ew_source_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static long ew_passthrough(ew_source *s, const void **buf)
{
    if (s->in_len == 0) {
        s->in_off = 0;
        if (ew_fill(s) != 0) {
            s->failed = true;
            return -1;
        }
    }
    size_t n = s->in_len;
    *buf = s->in + s->in_off;
    s->in_off += n;
    s->in_len = 0;
    return (long)n;
}

/* Without the thread: one block inflated here, on demand. */
static long ew_inflate_here(ew_source *s, const void **buf)
{
    if (s->done)
        return s->failed ? -1 : 0;
    ew_block *b = &s->blocks[0];
    int rc = ew_inflate_block(s, b);
    if (rc != 0) {
        s->done = true;
        s->failed = *s->err != '\0';
    }
    if (b->len) {
        *buf = b->p;
        return (long)b->len;
    }
    return s->failed ? -1 : 0;
}

long ew_source_read(ew_source *s, const void **buf)
{
    if (!s->gzip)
        return ew_passthrough(s, buf);
    if (!s->threaded)
        return ew_inflate_here(s, buf);
    pthread_mutex_lock(&s->mu);
    if (s->holding) {
        s->head = (s->head + 1) % EW_SOURCE_BLOCKS;
        s->count--;
        s->holding = false;
        pthread_cond_signal(&s->can_fill);
    }
    while (s->count == 0 && !s->done)
        pthread_cond_wait(&s->can_take, &s->mu);
    long n = 0;
    if (s->count > 0) {
        *buf = s->blocks[s->head].p;
        n = (long)s->blocks[s->head].len;
        s->holding = true;
    } else if (s->failed) {
        n = -1;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

const char *ew_source_error(const ew_source *s)
{
    return s->err;
}

uint64_t ew_source_consumed(const ew_source *s)
{
    return atomic_load(&((ew_source *)s)->consumed);
}

void ew_source_close(ew_source *s)
{
    if (!s)
        return;
    if (s->threaded) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_signal(&s->can_fill);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->can_fill);
        pthread_cond_destroy(&s->can_take);
    }
    ew_source_free(s);
}
