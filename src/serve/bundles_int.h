/* bundles_int.h - inside the asynchronous uploads: what the uploads into
 * the store (bundles.c) and the lookups of jobs (lookup.c) share. */
#ifndef EWDIAG_SERVE_BUNDLES_INT_H
#define EWDIAG_SERVE_BUNDLES_INT_H

#include <pthread.h>

#include "bundles.h"
#include "dbpool.h"

#define BUNDLES_PATH "/v1/bundles"
#define DB_RETRIES 2 /* an operation that can be repeated, on a connection found lost */

struct lookup;

struct bundles {
    dbhealth *health;
    workers *stores;  /* uploads into the store: --max-async, no queue */
    workers *lookups; /* GET /v1/bundles/ID: --threads, a queue per connection */
    pthread_mutex_t mu;
    dlink *pending; /* lookups whose request is not over */
};

/* The checks before any database work, on the HTTP thread: 404 when no
 * database is configured (saying how to configure one), then the token,
 * then 503 at once while the database is known unreachable. *refused when
 * an answer is queued (the result is that of queuing it). */
enum MHD_Result bundles_check(request *rq, bool *refused);

#endif
