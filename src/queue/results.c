/* results.c - stored reports out, in the CLI's formats. Each result keeps
 * the library's own serializations (renderings: its compact JSON, whose
 * key order JSONB does not keep, its text, and its HTML page; a worker
 * older than the HTML stored none). One document for many
 * results is put together the way the library writes one for many inputs
 * (the same sections, each input's part in order, jansson with the same
 * flags), one stored report at a time (single-row mode), so memory does
 * not grow with the number of results. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cli/outcome.h"
#include "db_int.h"

#define JSON_LEVEL_INDENT 2
#define JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_INDENT(JSON_LEVEL_INDENT))
#define ELEMENT_INDENT "    " /* an element of a top-level array */

static const char *const sections[] = {"inputs", "findings", "tls_servers", "warnings"};
#define NSECTIONS (sizeof sections / sizeof *sections)

static const char *const severities[] = {"info", "notice", "warning", "error", "critical"};

typedef int (*row_fn)(void *ctx, int64_t job, const char *body);
typedef int (*tuple_fn)(void *ctx, const PGresult *r);

/* The results a filter selects: $1 the job (or NULL), $2 the case (or
 * NULL), and $3 a format where a query takes one. */
#define FILTER_WHERE                                                            \
    " WHERE ($1::bigint IS NULL OR r.job_id = $1::bigint)\n"                     \
    "   AND ($2::text IS NULL OR j.case_id = $2::text)"
#define FILTERED_RESULTS                                                        \
    "  FROM ewdiag.results r JOIN ewdiag.jobs j ON j.id = r.job_id\n" FILTER_WHERE

typedef struct filter_params {
    char job[EWQ_NUM_MAX];
    const char *v[3];
} filter_params;

static const char **filter_params_of(filter_params *fp, const ewq_filter *f, const char *format)
{
    fp->v[0] = f->job_id > 0 ? ewq_i64(fp->job, f->job_id) : NULL;
    fp->v[1] = f->case_id;
    fp->v[2] = format;
    return fp->v;
}

static const char select_sql[] =
    "SELECT r.job_id, g.body FROM ewdiag.results r\n"
    "  JOIN ewdiag.jobs j ON j.id = r.job_id\n"
    "  JOIN ewdiag.renderings g ON g.job_id = r.job_id AND g.format = $3::text\n"
    FILTER_WHERE "\n"
    " ORDER BY r.job_id";

/* Calls fn on each row of the query, one row in memory at a time. Stops
 * calling after fn fails, but reads the query to its end. */
static int each_row(ewq_db *db, const char *sql, int n, const char *const *p, tuple_fn fn,
                    void *ctx)
{
    if (!db->conn || !PQsendQueryParams(db->conn, sql, n, NULL, p, NULL, NULL, 0) ||
        !PQsetSingleRowMode(db->conn)) {
        ewq_fail_result(db, NULL);
        return EWQ_EDB;
    }
    int rc = EWQ_OK;
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && rc == EWQ_OK)
            rc = fn(ctx, r);
        else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == EWQ_OK) {
            ewq_fail_result(db, r);
            rc = EWQ_EDB;
        }
        PQclear(r);
    }
    return rc;
}

typedef struct rendering_pass {
    row_fn fn;
    void *ctx;
} rendering_pass;

static int rendering_row(void *ctx, const PGresult *r)
{
    const rendering_pass *rp = ctx;
    return rp->fn(rp->ctx, ewq_col_i64(r, 0, 0), PQgetvalue(r, 0, 1));
}

/* Calls fn on each rendering the filter selects, in job order. */
static int each_rendering(ewq_db *db, const ewq_filter *f, const char *format, row_fn fn,
                          void *ctx)
{
    filter_params fp;
    const char **p = filter_params_of(&fp, f, format);
    rendering_pass rp = {fn, ctx};
    return each_row(db, select_sql, 3, p, rendering_row, &rp);
}

/* The warnings of the results the filter selects, in job order and each
 * report's order, but the error of an input that failed (as the CLI). */
static const char warnings_sql[] =
    "SELECT x.w ->> 'input', x.w ->> 'entry', x.w ->> 'message', (x.w ->> 'count')::bigint\n"
    "  FROM ewdiag.results r JOIN ewdiag.jobs j ON j.id = r.job_id\n"
    " CROSS JOIN LATERAL jsonb_array_elements(r.report -> 'warnings')\n"
    "       WITH ORDINALITY AS x(w, n)\n"
    FILTER_WHERE "\n"
    "   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r.report -> 'inputs') AS i\n"
    "                    WHERE i ->> 'status' = 'failed' AND i ->> 'name' = x.w ->> 'input'\n"
    "                      AND i ->> 'error' = x.w ->> 'message')\n"
    " ORDER BY r.job_id, x.n";

static int warning_row(void *ctx, const PGresult *r)
{
    FILE *warn = ctx;
    int64_t count = ewq_col_i64(r, 0, 3);
    int said = put_warning_line(warn, ewq_col_str(r, 0, 0), ewq_col_str(r, 0, 1),
                                ewq_col_str(r, 0, 2), count > 0 ? (uint64_t)count : 1);
    (void)said; /* standard error failing is no reason to fail the listing */
    return EWQ_OK;
}

static int write_warnings(ewq_db *db, const ewq_filter *f, FILE *warn)
{
    filter_params fp;
    const char **p = filter_params_of(&fp, f, NULL);
    return each_row(db, warnings_sql, 2, p, warning_row, warn);
}

/* How many results, their highest severity, whether an input of theirs
 * went unread in part, and the layout version and ewdiag version of the
 * first. */
typedef struct summary {
    size_t count;
    int max_severity;
    bool incomplete;
    char version[32];
    int format;
} summary;

static int summarize(ewq_db *db, const ewq_filter *f, summary *s)
{
    filter_params fp;
    const char **p = filter_params_of(&fp, f, NULL);
    PGresult *r = ewq_query(
        db,
        "SELECT count(*), max(array_position(ARRAY['info', 'notice', 'warning', 'error',"
        " 'critical'], r.report ->> 'max_severity')) - 1,\n"
        " (array_agg(r.report -> 'ewdiag' ->> 'version' ORDER BY r.job_id))[1],\n"
        " (array_agg((r.report -> 'ewdiag' ->> 'format')::integer ORDER BY r.job_id))[1],\n"
        " coalesce(bool_or(EXISTS (SELECT 1 FROM jsonb_array_elements(r.report -> 'inputs')"
        " AS i WHERE i ->> 'status' <> 'analyzed')), false)\n"
        FILTERED_RESULTS,
        2, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    s->count = (size_t)ewq_col_i64(r, 0, 0);
    s->max_severity = PQgetisnull(r, 0, 1) ? -1 : (int)ewq_col_i64(r, 0, 1);
    snprintf(s->version, sizeof s->version, "%s",
             PQgetisnull(r, 0, 2) ? ewdiag_version() : ewq_col_str(r, 0, 2));
    s->format = PQgetisnull(r, 0, 3) ? 1 : (int)ewq_col_i64(r, 0, 3);
    s->incomplete = strcmp(ewq_col_str(r, 0, 4), "t") == 0;
    PQclear(r);
    return EWQ_OK;
}

/* ---- json ---------------------------------------------------------------- */

typedef struct section_pass {
    ewq_db *db;
    FILE *out;
    const char *name;
    bool first;
} section_pass;

static json_t *load_report(ewq_db *db, int64_t job, const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body, 0, &e);
    if (!j || !json_is_object(j))
        ewq_fail(db, EWQ_EDB, "the stored report of job %lld is not JSON: %s", (long long)job,
                 j ? "not an object" : e.text);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* An element of a top-level array, as jansson indents it there. */
static int put_element(FILE *out, const json_t *el, bool first)
{
    char *s = json_dumps(el, JSON_FLAGS | JSON_ENCODE_ANY);
    if (!s)
        return EWQ_ENOMEM;
    fputs(first ? "\n" ELEMENT_INDENT : ",\n" ELEMENT_INDENT, out);
    for (const char *p = s; *p; p++) {
        fputc(*p, out);
        if (*p == '\n') /* strings hold no raw newline: this is layout */
            fputs(ELEMENT_INDENT, out);
    }
    free(s);
    return ferror(out) ? EWQ_EINVAL : EWQ_OK;
}

static int section_row(void *ctx, int64_t job, const char *body)
{
    section_pass *sp = ctx;
    json_t *root = load_report(sp->db, job, body);
    if (!root)
        return EWQ_EDB;
    json_t *arr = json_object_get(root, sp->name);
    size_t i;
    json_t *el;
    int rc = EWQ_OK;
    json_array_foreach(arr, i, el)
    {
        if (rc == EWQ_OK)
            rc = put_element(sp->out, el, sp->first);
        sp->first = false;
    }
    json_decref(root);
    if (rc == EWQ_ENOMEM)
        ewq_fail(sp->db, rc, "out of memory");
    else if (rc != EWQ_OK)
        ewq_fail(sp->db, rc, "cannot write the report");
    return rc;
}

static int write_json(ewq_db *db, const ewq_filter *f, const summary *s, FILE *out)
{
    json_t *v = json_string(s->version);
    char *version = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (!version)
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    fprintf(out, "{\n  \"ewdiag\": {\n    \"version\": %s,\n    \"format\": %d\n  },\n", version,
            s->format);
    free(version);
    if (s->max_severity >= 0 && s->max_severity < (int)(sizeof severities / sizeof *severities))
        fprintf(out, "  \"max_severity\": \"%s\",\n", severities[s->max_severity]);
    else
        fputs("  \"max_severity\": null,\n", out);
    for (size_t k = 0; k < NSECTIONS; k++) {
        section_pass sp = {db, out, sections[k], true};
        fprintf(out, "  \"%s\": [", sections[k]);
        int rc = s->count ? each_rendering(db, f, "json", section_row, &sp) : EWQ_OK;
        if (rc != EWQ_OK)
            return rc;
        fputs(sp.first ? "]" : "\n  ]", out);
        fputs(k + 1 < NSECTIONS ? ",\n" : "\n}\n", out);
    }
    return EWQ_OK;
}

/* ---- jsonl and text ------------------------------------------------------ */

typedef struct lines_pass {
    ewq_db *db;
    FILE *out;
    size_t n;
} lines_pass;

static int jsonl_row(void *ctx, int64_t job, const char *body)
{
    lines_pass *lp = ctx;
    json_t *root = load_report(lp->db, job, body);
    if (!root)
        return EWQ_EDB;
    size_t i;
    json_t *f;
    int rc = EWQ_OK;
    json_array_foreach(json_object_get(root, "findings"), i, f)
    {
        if (rc == EWQ_OK && (json_dumpf(f, lp->out, JSON_PRESERVE_ORDER | JSON_COMPACT) != 0 ||
                             fputc('\n', lp->out) == EOF))
            rc = ewq_fail(lp->db, EWQ_EINVAL, "cannot write the report");
    }
    json_decref(root);
    return rc;
}

static int text_row(void *ctx, int64_t job, const char *body)
{
    lines_pass *lp = ctx;
    (void)job;
    if ((lp->n++ > 0 && fputc('\n', lp->out) == EOF) || fputs(body, lp->out) == EOF)
        return ewq_fail(lp->db, EWQ_EINVAL, "cannot write the report");
    return EWQ_OK;
}

/* ---- html ---------------------------------------------------------------- */

/* Each result's page, or NULL when an older worker stored none. */
static const char html_sql[] =
    "SELECT r.job_id, coalesce(j.case_id, ''), j.location, g.body FROM ewdiag.results r\n"
    "  JOIN ewdiag.jobs j ON j.id = r.job_id\n"
    "  LEFT JOIN ewdiag.renderings g ON g.job_id = r.job_id AND g.format = 'html'\n"
    FILTER_WHERE "\n"
    " ORDER BY r.job_id";

typedef struct html_pass {
    ewq_db *db;
    const char *dir; /* NULL: the one page to out */
    FILE *out, *warn;
    size_t old;      /* results without a page */
    char why[EWQ_ERR_MAX];
} html_pass;

/* What to say of a job an older worker analyzed. */
static void say_old(html_pass *hp, const PGresult *r)
{
    const char *case_id = ewq_col_str(r, 0, 1);
    snprintf(hp->why, sizeof hp->why,
             "job %lld was analyzed by an older worker: no HTML stored; run 'ewdiag queue "
             "submit --again%s%s %s' (with --upload for a file uploaded) and a worker of "
             "this version will store it",
             (long long)ewq_col_i64(r, 0, 0), *case_id ? " --case " : "", case_id,
             ewq_col_str(r, 0, 2));
    hp->old++;
    if (hp->dir && hp->warn)
        fprintf(hp->warn, "ewdiag queue: %s\n", hp->why);
}

static int html_file(html_pass *hp, int64_t job, const char *body)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/job-%lld.html", hp->dir, (long long)job) >=
        (int)sizeof path)
        return ewq_fail(hp->db, EWQ_EINVAL, "%s: path too long", hp->dir);
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(body, f) != EOF;
    int err = errno;
    if (f && fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok)
        return ewq_fail(hp->db, EWQ_EINVAL, "cannot write %s: %s", path, strerror(err));
    return fprintf(hp->out, "%s\n", path) < 0 ? ewq_fail(hp->db, EWQ_EINVAL, "cannot write")
                                              : EWQ_OK;
}

static int html_row(void *ctx, const PGresult *r)
{
    html_pass *hp = ctx;
    if (PQgetisnull(r, 0, 3)) {
        say_old(hp, r);
        return hp->dir ? EWQ_OK : ewq_fail(hp->db, EWQ_EOLD, "%s", hp->why);
    }
    if (hp->dir)
        return html_file(hp, ewq_col_i64(r, 0, 0), PQgetvalue(r, 0, 3));
    if (fputs(PQgetvalue(r, 0, 3), hp->out) == EOF)
        return ewq_fail(hp->db, EWQ_EINVAL, "cannot write the report");
    return EWQ_OK;
}

/* Several results and no folder: which they are, and how to pick. */
static int html_too_many(ewq_db *db, const ewq_filter *f, size_t count)
{
    filter_params fp;
    const char **p = filter_params_of(&fp, f, NULL);
    PGresult *r = ewq_query(
        db,
        "SELECT array_to_string((array_agg(r.job_id ORDER BY r.job_id))[1:5], ', ')\n"
        FILTERED_RESULTS,
        2, p, PGRES_TUPLES_OK);
    if (!r)
        return EWQ_EDB;
    ewq_fail(db, EWQ_EINVAL,
             "%zu results match (jobs %s%s), and an HTML report is one page per job: pick "
             "one with --job ID, or write one file per job with -o DIR",
             count, ewq_col_str(r, 0, 0), count > 5 ? ", ..." : "");
    PQclear(r);
    return EWQ_EINVAL;
}

static int write_html(ewq_db *db, const ewq_filter *f, const summary *s, const char *dir,
                      FILE *out, FILE *warn)
{
    if (!s->count)
        return EWQ_OK;
    if (!dir && s->count > 1)
        return html_too_many(db, f, s->count);
    if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ewq_fail(db, EWQ_EINVAL, "cannot make %s: %s", dir, strerror(errno));
    filter_params fp;
    const char **p = filter_params_of(&fp, f, NULL);
    html_pass hp = {.db = db, .dir = dir, .out = out, .warn = warn};
    int rc = each_row(db, html_sql, 2, p, html_row, &hp);
    if (rc == EWQ_OK && hp.old && dir)
        rc = ewq_fail(db, EWQ_EOLD, "%zu of %zu jobs have no HTML stored (said above); the "
                      "other pages are written", hp.old, s->count);
    return rc;
}

/* ---- out ----------------------------------------------------------------- */

static int results_write(ewq_db *db, const ewq_filter *filter, ewdiag_format format,
                         const char *dir, FILE *out, FILE *warn, size_t *count, int *max_severity,
                         bool *incomplete)
{
    ewq_filter all = {0};
    const ewq_filter *f = filter ? filter : &all;
    summary s;
    int rc = summarize(db, f, &s);
    if (rc != EWQ_OK)
        return rc;
    if (count)
        *count = s.count;
    if (max_severity)
        *max_severity = s.max_severity;
    if (incomplete)
        *incomplete = s.incomplete;
    lines_pass lp = {db, out, 0};
    switch (format) {
    case EWDIAG_FORMAT_JSON: rc = write_json(db, f, &s, out); break;
    case EWDIAG_FORMAT_JSONL: rc = each_rendering(db, f, "json", jsonl_row, &lp); break;
    case EWDIAG_FORMAT_TEXT: rc = each_rendering(db, f, "text", text_row, &lp); break;
    case EWDIAG_FORMAT_HTML: rc = write_html(db, f, &s, dir, out, warn); break;
    default: return ewq_fail(db, EWQ_EINVAL, "no such format");
    }
    if (rc == EWQ_OK && fflush(out) != 0)
        rc = ewq_fail(db, EWQ_EINVAL, "cannot write the report");
    if ((rc == EWQ_OK || (rc == EWQ_EOLD && dir)) && warn && s.count) {
        int wrc = write_warnings(db, f, warn);
        rc = wrc != EWQ_OK ? wrc : rc;
    }
    return rc;
}

int ewq_results_write(ewq_db *db, const ewq_filter *filter, ewdiag_format format, FILE *out,
                      FILE *warn, size_t *count, int *max_severity, bool *incomplete)
{
    return results_write(db, filter, format, NULL, out, warn, count, max_severity, incomplete);
}

int ewq_results_write_html(ewq_db *db, const ewq_filter *filter, const char *dir, FILE *out,
                           FILE *warn, size_t *count, int *max_severity, bool *incomplete)
{
    return results_write(db, filter, EWDIAG_FORMAT_HTML, dir, out, warn, count, max_severity,
                         incomplete);
}

int ewq_result_get(ewq_db *db, int64_t id, ewdiag_format format, char **body, size_t *len)
{
    size_t n = 0, count = 0;
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem)
        return ewq_fail(db, EWQ_ENOMEM, "out of memory");
    ewq_filter f = {.job_id = id};
    int rc = ewq_results_write(db, &f, format, mem, NULL, &count, NULL, NULL);
    if (fclose(mem) != 0 && rc == EWQ_OK)
        rc = ewq_fail(db, EWQ_ENOMEM, "out of memory");
    if (rc == EWQ_OK && count == 0)
        rc = ewq_fail(db, EWQ_ENOTFOUND, "job %lld has no result", (long long)id);
    if (rc != EWQ_OK) {
        free(buf);
        return rc;
    }
    *body = buf;
    if (len)
        *len = n;
    return EWQ_OK;
}
