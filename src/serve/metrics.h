/* metrics.h - what ewdiag serve counts, shown by GET /metrics in the
 * Prometheus text format. Every count is a lock-free atomic: any thread
 * may add to it. */
#ifndef EWDIAG_SERVE_METRICS_H
#define EWDIAG_SERVE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The routes counted apart (the label "route"). */
typedef enum {
    ROUTE_ANALYZE,
    ROUTE_PAGE,
    ROUTE_HEALTHZ,
    ROUTE_METRICS,
    ROUTE_OTHER,
    ROUTE_COUNT
} route_id;

/* How an analysis ended (the label "result"). */
typedef enum { RESULT_OK, RESULT_ABORTED, RESULT_FAILED, RESULT_COUNT } result_id;

void metrics_init(unsigned slots);
void metrics_request(route_id route, unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                     double seconds);
void metrics_connection(int delta);
void metrics_analysis(result_id result, double seconds, size_t inputs, size_t findings);
/* Uploads of a route refused because every worker for them was busy. */
void metrics_busy(route_id route);

/* The text of /metrics (running: analyses now); the caller frees it. NULL
 * when out of memory. */
char *metrics_text(unsigned running, size_t *len);

#endif
