/* source.c - input bytes, gunzipped with zlib when they are gzip. */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define EW_GZIP_MAGIC0 0x1f
#define EW_GZIP_MAGIC1 0x8b
/* windowBits for inflateInit2: 15-bit window, gzip header expected. */
#define EW_ZLIB_GZIP_WINDOW (15 + 16)

bool ew_fd_is_gzip(int fd)
{
    unsigned char m[2];
    return pread(fd, m, sizeof m, 0) == (ssize_t)sizeof m && m[0] == EW_GZIP_MAGIC0 &&
           m[1] == EW_GZIP_MAGIC1;
}

static int ew_fill(ew_source *s)
{
    if (s->eof || s->in_len == s->cap)
        return 0;
    /* Keep unconsumed bytes at the front. */
    if (s->in_len && s->zs_ready && s->zs.next_in != s->in)
        memmove(s->in, s->zs.next_in, s->in_len);
    for (;;) {
        ssize_t n = read(s->fd, s->in + s->in_len, s->cap - s->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(s->err, sizeof s->err, "read error after %llu bytes: %s",
                     (unsigned long long)s->in_total, strerror(errno));
            return -1;
        }
        if (n == 0)
            s->eof = true;
        s->in_len += (size_t)n;
        s->in_total += (uint64_t)n;
        if (s->zs_ready)
            s->zs.next_in = s->in;
        return 0;
    }
}

int ew_source_open(ew_source *s, int fd, size_t block)
{
    memset(s, 0, sizeof *s);
    s->fd = fd;
    s->cap = block;
    s->in = malloc(block);
    s->out = malloc(block);
    if (!s->in || !s->out) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return -1;
    }
    /* Two bytes decide; a short first read of a pipe is read again. */
    while (s->in_len < 2 && !s->eof)
        if (ew_fill(s) != 0)
            return -1;
    s->gzip = s->in_len >= 2 && s->in[0] == EW_GZIP_MAGIC0 && s->in[1] == EW_GZIP_MAGIC1;
    if (!s->gzip)
        return 0;
    if (inflateInit2(&s->zs, EW_ZLIB_GZIP_WINDOW) != Z_OK) {
        snprintf(s->err, sizeof s->err, "cannot start the gzip decoder");
        return -1;
    }
    s->zs_ready = true;
    s->zs.next_in = s->in;
    s->zs.avail_in = (uInt)s->in_len;
    return 0;
}

static long ew_passthrough(ew_source *s, const void **buf)
{
    if (s->in_len == 0 && ew_fill(s) != 0)
        return -1;
    size_t n = s->in_len;
    *buf = s->in;
    s->in_len = 0;
    s->out_total += n;
    return (long)n;
}

/* After a member ends: another member may follow (concatenated gzip). */
static int ew_next_member(ew_source *s)
{
    if (s->in_len == 0 && ew_fill(s) != 0)
        return -1;
    s->zs.avail_in = (uInt)s->in_len;
    if (s->in_len == 0 || s->zs.next_in[0] != EW_GZIP_MAGIC0) {
        /* Nothing, or padding after the last member: the end. */
        s->ended = true;
        return 0;
    }
    return inflateReset(&s->zs) == Z_OK ? 0 : -1;
}

static long ew_inflate(ew_source *s, const void **buf)
{
    s->zs.next_out = s->out;
    s->zs.avail_out = (uInt)s->cap;
    while (s->zs.avail_out > 0 && !s->ended) {
        if (s->in_len == 0) {
            if (s->eof)
                break;
            if (ew_fill(s) != 0)
                return -1;
            s->zs.avail_in = (uInt)s->in_len;
            continue;
        }
        int rc = inflate(&s->zs, Z_NO_FLUSH);
        s->in_len = s->zs.avail_in;
        if (rc == Z_STREAM_END) {
            if (ew_next_member(s) != 0) {
                snprintf(s->err, sizeof s->err, "gzip stream broken after %llu compressed bytes",
                         (unsigned long long)(s->in_total - s->in_len));
                return -1;
            }
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(s->err, sizeof s->err, "gzip data corrupt after %llu compressed bytes: %s",
                     (unsigned long long)(s->in_total - s->in_len),
                     s->zs.msg ? s->zs.msg : "inflate error");
            return -1;
        }
    }
    size_t n = s->cap - s->zs.avail_out;
    if (n == 0 && !s->ended && s->eof) {
        snprintf(s->err, sizeof s->err, "gzip stream truncated after %llu compressed bytes",
                 (unsigned long long)s->in_total);
        return -1;
    }
    *buf = s->out;
    s->out_total += n;
    return (long)n;
}

long ew_source_read(ew_source *s, const void **buf)
{
    return s->gzip ? ew_inflate(s, buf) : ew_passthrough(s, buf);
}

void ew_source_close(ew_source *s)
{
    if (s->zs_ready)
        inflateEnd(&s->zs);
    free(s->in);
    free(s->out);
    memset(s, 0, sizeof *s);
}
