/* metrics.c - counters and histograms for /metrics, as atomics. */
#include "metrics.h"

#include <ewdiag.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define US_PER_S 1e6

/* Status codes counted apart; the last slot is every other code. */
static const unsigned codes[] = {200, 202, 400, 401, 404, 405, 413, 422, 500, 503, 0};
#define NCODES (sizeof codes / sizeof codes[0])
static const char *const route_names[ROUTE_COUNT] = {
    "/v1/analyze", "/v1/bundles", "/v1/bundles/{id}", "/", "/healthz", "/metrics", "other"};
static const char *const result_names[RESULT_COUNT] = {"ok", "aborted", "failed"};
/* Upper bounds of the duration buckets, seconds. */
static const double bounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

typedef struct histogram {
    atomic_ullong bucket[NBOUNDS]; /* not cumulative: one bucket per observation */
    atomic_ullong count;
    atomic_ullong sum_us;
} histogram;

static struct {
    atomic_ullong requests[ROUTE_COUNT][NCODES];
    atomic_ullong bytes_in, bytes_out;
    atomic_ullong analyses[RESULT_COUNT];
    atomic_ullong inputs, findings, busy;
    atomic_ullong stores[RESULT_COUNT], store_jobs, store_busy;
    atomic_ullong db_connects[2], db_errors; /* [0] failed, [1] ok */
    atomic_llong connections;
    histogram request_seconds, analysis_seconds;
    unsigned slots;
    bool db;
    time_t started;
} m;

void metrics_init(unsigned slots, bool db)
{
    m.slots = slots;
    m.db = db;
    m.started = time(NULL);
}

static void observe(histogram *h, double s)
{
    size_t i = 0;
    while (i < NBOUNDS && s > bounds[i])
        i++;
    if (i < NBOUNDS)
        atomic_fetch_add(&h->bucket[i], 1);
    atomic_fetch_add(&h->count, 1);
    atomic_fetch_add(&h->sum_us, (unsigned long long)(s * US_PER_S));
}

void metrics_request(route_id route, unsigned status, uint64_t bytes_in, uint64_t bytes_out,
                     double seconds)
{
    size_t c = 0;
    while (c + 1 < NCODES && codes[c] != status)
        c++;
    atomic_fetch_add(&m.requests[route][c], 1);
    atomic_fetch_add(&m.bytes_in, bytes_in);
    atomic_fetch_add(&m.bytes_out, bytes_out);
    observe(&m.request_seconds, seconds);
}

void metrics_connection(int delta)
{
    atomic_fetch_add(&m.connections, delta);
}

void metrics_analysis(result_id result, double seconds, size_t inputs, size_t findings)
{
    atomic_fetch_add(&m.analyses[result], 1);
    atomic_fetch_add(&m.inputs, inputs);
    atomic_fetch_add(&m.findings, findings);
    observe(&m.analysis_seconds, seconds);
}

void metrics_busy(route_id route)
{
    atomic_fetch_add(route == ROUTE_ANALYZE ? &m.busy : &m.store_busy, 1);
}

void metrics_store(result_id result, size_t jobs)
{
    atomic_fetch_add(&m.stores[result], 1);
    atomic_fetch_add(&m.store_jobs, jobs);
}

void metrics_db_connect(bool ok)
{
    atomic_fetch_add(&m.db_connects[ok], 1);
}

void metrics_db_error(void)
{
    atomic_fetch_add(&m.db_errors, 1);
}

static void put_histogram(FILE *f, const char *name, const char *help, histogram *h)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    unsigned long long cum = 0;
    for (size_t i = 0; i < NBOUNDS; i++) {
        cum += atomic_load(&h->bucket[i]);
        fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], cum);
    }
    unsigned long long n = atomic_load(&h->count);
    fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, n, name,
            (double)atomic_load(&h->sum_us) / US_PER_S, name, n);
}

static void put_counter(FILE *f, const char *name, const char *help, unsigned long long v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name, v);
}

static void put_requests(FILE *f)
{
    fputs("# HELP ewdiag_http_requests_total HTTP requests answered, by route and status code.\n"
          "# TYPE ewdiag_http_requests_total counter\n", f);
    for (int r = 0; r < ROUTE_COUNT; r++) {
        for (size_t c = 0; c < NCODES; c++) {
            unsigned long long v = atomic_load(&m.requests[r][c]);
            if (!v)
                continue;
            if (codes[c])
                fprintf(f, "ewdiag_http_requests_total{route=\"%s\",code=\"%u\"} %llu\n",
                        route_names[r], codes[c], v);
            else
                fprintf(f, "ewdiag_http_requests_total{route=\"%s\",code=\"other\"} %llu\n",
                        route_names[r], v);
        }
    }
}

static void put_gauge(FILE *f, const char *name, const char *help, unsigned long long v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %llu\n", name, help, name, name, v);
}

/* The store's: uploads into it, the jobs they queued, the database. */
static void put_store(FILE *f, const metrics_gauges *g)
{
    put_gauge(f, "ewdiag_bundle_uploads_running", "Uploads streaming into the database now.",
              g->stores);
    put_gauge(f, "ewdiag_bundle_uploads_max", "Uploads into the database at once (--max-async).",
              g->store_slots);
    fputs("# HELP ewdiag_bundle_uploads_total Uploads into the database ended, by result (ok: "
          "committed).\n# TYPE ewdiag_bundle_uploads_total counter\n", f);
    for (int r = 0; r < RESULT_COUNT; r++)
        fprintf(f, "ewdiag_bundle_uploads_total{result=\"%s\"} %llu\n", result_names[r],
                (unsigned long long)atomic_load(&m.stores[r]));
    put_counter(f, "ewdiag_bundle_uploads_refused_total",
                "Uploads refused (503) with every --max-async slot busy.",
                atomic_load(&m.store_busy));
    put_counter(f, "ewdiag_bundle_jobs_total", "Jobs queued by uploads.", atomic_load(&m.store_jobs));
    put_gauge(f, "ewdiag_database_up", "1 when the last attempt to reach the database worked.",
              g->db_up);
    fputs("# HELP ewdiag_database_connects_total Connections to the database made, by result.\n"
          "# TYPE ewdiag_database_connects_total counter\n", f);
    fprintf(f, "ewdiag_database_connects_total{result=\"ok\"} %llu\n"
               "ewdiag_database_connects_total{result=\"failed\"} %llu\n",
            (unsigned long long)atomic_load(&m.db_connects[1]),
            (unsigned long long)atomic_load(&m.db_connects[0]));
    put_counter(f, "ewdiag_database_errors_total",
                "Requests that failed because of the database (unreachable, connection lost).",
                atomic_load(&m.db_errors));
}

char *metrics_text(const metrics_gauges *g, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    fprintf(f, "# HELP ewdiag_build_info The ewdiag library serving.\n# TYPE ewdiag_build_info "
               "gauge\newdiag_build_info{version=\"%s\"} 1\n", ewdiag_version());
    fprintf(f, "# HELP process_start_time_seconds When the server started, Unix time.\n"
               "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %lld\n",
            (long long)m.started);
    put_requests(f);
    put_counter(f, "ewdiag_http_request_bytes_total", "Bytes of request bodies received.",
                atomic_load(&m.bytes_in));
    put_counter(f, "ewdiag_http_response_bytes_total", "Bytes of response bodies sent.",
                atomic_load(&m.bytes_out));
    fprintf(f, "# HELP ewdiag_http_connections Connections open now.\n# TYPE "
               "ewdiag_http_connections gauge\newdiag_http_connections %lld\n",
            (long long)atomic_load(&m.connections));
    put_histogram(f, "ewdiag_http_request_duration_seconds", "Time from request to response sent.",
                  &m.request_seconds);
    fprintf(f, "# HELP ewdiag_analyses_running Analyses running now.\n# TYPE "
               "ewdiag_analyses_running gauge\newdiag_analyses_running %u\n", g->analyses);
    fprintf(f, "# HELP ewdiag_analyses_max Analyses that may run at once (--max-analyses).\n"
               "# TYPE ewdiag_analyses_max gauge\newdiag_analyses_max %u\n", m.slots);
    fputs("# HELP ewdiag_analyses_total Analyses ended, by result.\n"
          "# TYPE ewdiag_analyses_total counter\n", f);
    for (int r = 0; r < RESULT_COUNT; r++)
        fprintf(f, "ewdiag_analyses_total{result=\"%s\"} %llu\n", result_names[r],
                (unsigned long long)atomic_load(&m.analyses[r]));
    put_counter(f, "ewdiag_analyses_refused_total", "Uploads refused (503) with every slot busy.",
                atomic_load(&m.busy));
    put_counter(f, "ewdiag_inputs_total", "Inputs (uploaded files) analyzed.", atomic_load(&m.inputs));
    put_counter(f, "ewdiag_findings_total", "Findings reported.", atomic_load(&m.findings));
    put_histogram(f, "ewdiag_analysis_duration_seconds", "Time an analysis took, upload included.",
                  &m.analysis_seconds);
    if (m.db)
        put_store(f, g);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
