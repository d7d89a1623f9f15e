/* metrics.h - what ewdiag serve counts, shown by GET /metrics in the
 * Prometheus text format. Every count is a lock-free atomic: any thread
 * may add to it. */
#ifndef EWDIAG_SERVE_METRICS_H
#define EWDIAG_SERVE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The routes counted apart (the label "route"). */
typedef enum {
    ROUTE_ANALYZE,
    ROUTE_BUNDLES, /* POST /v1/bundles */
    ROUTE_BUNDLE,  /* GET /v1/bundles/ID */
    ROUTE_PAGE,
    ROUTE_HEALTHZ,
    ROUTE_METRICS,
    ROUTE_OTHER,
    ROUTE_COUNT
} route_id;

/* How an analysis ended (the label "result"). */
typedef enum { RESULT_OK, RESULT_ABORTED, RESULT_FAILED, RESULT_COUNT } result_id;

/* slots: --max-analyses; db: the store is configured (its metrics shown). */
void metrics_init(unsigned slots, bool db);
void metrics_request(route_id route, unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                     double seconds);
void metrics_connection(int delta);
void metrics_analysis(result_id result, double seconds, size_t inputs, size_t findings);
/* Uploads of a route refused because every worker for them was busy. */
void metrics_busy(route_id route);
/* An upload into the store ended (ok: committed), with its jobs. */
void metrics_store(result_id result, size_t jobs);
/* A connection to the database made, or failed; an operation that failed
 * because of the database (connection lost, refused). */
void metrics_db_connect(bool ok);
void metrics_db_error(void);

/* What /metrics shows that is not counted here. */
typedef struct metrics_gauges {
    unsigned analyses;      /* running now */
    unsigned stores, store_slots; /* uploads into the store now, and at most */
    bool db_up;             /* the last attempt to reach the database worked */
} metrics_gauges;

/* The text of /metrics; the caller frees it. NULL when out of memory. */
char *metrics_text(const metrics_gauges *g, size_t *len);

#endif
