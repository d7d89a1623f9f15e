/* bundles.h - asynchronous uploads: POST /v1/bundles streams each uploaded
 * file into the store on PostgreSQL (src/queue/db.h: a large object and a
 * job, all the files of an upload in one transaction) for `ewdiag worker`
 * to analyze, and answers 202 with the jobs; GET /v1/bundles/ID gives a
 * job's state and, once done, its report. The database work runs on
 * worker threads with a connection each, never on the HTTP threads.
 * Without --db (or without libpq at build time) the routes answer 404
 * saying how to have them. */
#ifndef EWDIAG_SERVE_BUNDLES_H
#define EWDIAG_SERVE_BUNDLES_H

#include "http.h"

/* Whether this build has the asynchronous uploads (libpq). */
extern const bool bundles_built;

/* With --db: the database's workers (and a first look at the database: a
 * schema of another version is an error, a database down only a warning).
 * 0, or -1 after saying why on stderr. Nothing without --db. */
int bundles_start(server *srv);
/* Waits for the database work in hand, frees. */
void bundles_stop(server *srv);

/* POST /v1/bundles: its headers are in (the body follows as an upload). */
enum MHD_Result bundles_post(request *rq);
/* Any other request under /v1/bundles: GET /v1/bundles/ID, or 404, 405. */
enum MHD_Result bundles_route(request *rq, const char *url, const char *method);
/* The later calls of a GET /v1/bundles/ID (rq->lk): the answer once the
 * lookup is done (the connection is paused until then). */
enum MHD_Result bundles_step(request *rq);
/* The request of a lookup is over. */
void bundles_end(request *rq);
/* Whether lookups are not over (a stop waits for them). */
bool bundles_pending(server *srv);
/* A second signal: the lookups still waiting for the database get 503. */
void bundles_abort_all(server *srv);
/* The store's part of /metrics. */
void bundles_gauges(server *srv, metrics_gauges *g);

#endif
