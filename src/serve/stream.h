/* stream.h - the bytes of an upload, from the HTTP server's thread to the
 * analysis on a worker thread, through a bounded ring: one input after the
 * other (the files of a multipart upload), each read to its end by
 * ewdiag_analyze_read(). The HTTP side never blocks: when the ring is full,
 * or the worker is still on the previous input or the report, it asks its
 * connection to pause (the stall callback, true) and the worker resumes it
 * (false) once it can take more. The worker side blocks. */
#ifndef EWDIAG_SERVE_STREAM_H
#define EWDIAG_SERVE_STREAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct stream stream;

/* Pause (true) or resume (false) the producer's connection; called with
 * the stream's lock held, never after stream_abort(). */
typedef void (*stream_stall_fn)(void *ctx, bool stall);

/* A stream with a ring of cap bytes; NULL when out of memory. */
stream *stream_new(size_t cap, stream_stall_fn stall, void *ctx);
void stream_free(stream *s);

/* ---- the HTTP side: never blocks ------------------------------------- */

/* Starts an input named name (copied). 1 when started; 0 when the worker
 * is not done with the previous one (the connection is paused until it
 * is); -1 out of memory. */
int stream_open(stream *s, const char *name);
/* Takes what fits of data[0..n): the bytes taken (< n: the connection is
 * paused until there is room). Bytes of an input the worker stopped
 * reading are taken and dropped. */
size_t stream_write(stream *s, const void *data, size_t n);
/* The current input ends. */
void stream_close(stream *s);
/* No more inputs. 1 when the worker is done (its results are there); 0
 * when not yet (the connection is paused until it is). */
int stream_finish(stream *s);
/* The upload is over before its end (client gone, bad upload, shutting
 * down): the worker's reads fail from now on, and nobody is paused or
 * resumed any more. */
void stream_abort(stream *s);

/* ---- the worker side: blocks ------------------------------------------ */

/* Waits for the next input: 1 with its name (valid until the next call),
 * 0 when there are no more, -1 when aborted. */
int stream_next(stream *s, const char **name);
/* An ewdiag_read_fn over the current input (ctx is the stream). */
long stream_read(void *ctx, void *buf, size_t cap);
/* The worker is done with the current input (what is left of it is
 * dropped). */
void stream_drain(stream *s);
/* The worker is done with everything: its results may be read. */
void stream_done(stream *s);
/* Whether stream_abort() was called. */
bool stream_aborted(stream *s);

#endif
