/* fetch.h - http(s) locations through libcurl: the body pulled chunk by
 * chunk into the analysis (never written to disk, a bounded buffer), and
 * what a submitter needs to know of a URL before queueing it. */
#ifndef EWDIAG_QUEUE_FETCH_H
#define EWDIAG_QUEUE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EWQ_FETCH_ERR_MAX 512

/* Whether a location is an http:// or https:// URL. */
bool ewq_is_url(const char *location);

typedef struct ewq_fetch ewq_fetch;

/* Starts fetching url (redirects followed, http and https only); NULL if
 * out of memory or libcurl refuses (err says why). */
ewq_fetch *ewq_fetch_open(const char *url, char err[EWQ_FETCH_ERR_MAX]);
/* An ewdiag_read_fn: the next bytes of the body, 0 at its end, -1 when the
 * transfer failed (ewq_fetch_error() says why). */
long ewq_fetch_read(void *ctx, void *buf, size_t cap);
/* Why the transfer failed ("HTTP 404", "Timeout was reached", ...); "" if
 * it did not (yet). */
const char *ewq_fetch_error(const ewq_fetch *f);
void ewq_fetch_free(ewq_fetch *f);

/* Asks the server for the body's size (-1 when it does not say) and ETag
 * ("" when none) without reading it: a GET ended at its first byte (a
 * pre-signed URL allows GET only). 0, or -1 with err set. */
int ewq_fetch_probe(const char *url, int64_t *size, char *etag, size_t etag_cap,
                    char err[EWQ_FETCH_ERR_MAX]);

#endif
