/* cmd_queue.c - "ewdiag queue init|submit|status|results": the command
 * line over the store module (db.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../cli/commands.h"
#include "../cli/options.h"
#include "../cli/outcome.h"
#include "db.h"
#include "fetch.h"
#include "queue_int.h"

#define CMD "queue"
#define ETAG_MAX 256

static const char usage_text[] =
    "Usage: ewdiag queue COMMAND [OPTION]...\n"
    "A work queue of bundles and their reports in PostgreSQL: every bundle\n"
    "analyzed once, by as many 'ewdiag worker's as there are, on any machine.\n"
    "\n"
    "Commands:\n"
    "  init       create the schema 'ewdiag', or upgrade it (safe to run again,\n"
    "             and from several machines at once)\n"
    "  submit [--case ID] [--again] [--attempts N] [--upload] LOCATION...\n"
    "             a job per bundle. LOCATION is a path every worker can read\n"
    "             (made absolute here) or an http(s):// URL (pre-signed links\n"
    "             too); - reads locations from standard input, one a line. The\n"
    "             same case, location and size (or ETag) are not queued twice\n"
    "             unless --again. --upload stores the named files' bytes in the\n"
    "             database instead, for workers that cannot read them\n"
    "  status [--format text|json]\n"
    "             jobs per state, the oldest queued, the latest dead jobs and\n"
    "             the workers seen in the last 10 minutes\n"
    "  results [--case ID] [--job ID] [--format text|json|jsonl|html] [-o DIR]\n"
    "             the stored reports, as 'ewdiag -f FORMAT' writes them (json\n"
    "             and jsonl: one document for all; text: one report per input;\n"
    "             html: one page per job, of the one job selected, or with\n"
    "             -o DIR each job's page in DIR/job-ID.html)\n"
    "\n"
    "Options:\n"
    "  -d, --db=URL        the database: postgresql://... or a libpq connection\n"
    "                      string; default: libpq's environment (PGHOST,\n"
    "                      PGDATABASE, PGUSER, PGSERVICE, ...)\n"
    "  -c, --case=ID       the support case the bundles belong to\n"
    "      --again         submit: queue it even if it was submitted before\n"
    "      --attempts=N    submit: failures before a job is dead (default 3)\n"
    "      --upload        submit: store the files' bytes in the database\n"
    "      --job=ID        results: that job's report only\n"
    "  -f, --format=FMT    status: text or json; results: text, json, jsonl or\n"
    "                      html (default: text on a terminal, json otherwise)\n"
    "  -o, --output=DIR    results -f html: a page per job in DIR (made if\n"
    "                      missing), named job-ID.html; their paths on stdout\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 done (results: read whole, no finding of severity warning\n"
    "or above); 1 results: such findings; 2 usage error, database error, a\n"
    "location that could not be submitted, no result, or with html several\n"
    "results and no -o, or a job an older worker stored without HTML; 3\n"
    "results: no such finding, but part of an input went unread (the\n"
    "warnings, on standard error, say what).\n"
    "\n"
    "Quick start (see also 'ewdiag worker --help'):\n"
    "  export PGHOST=db.example.com PGDATABASE=ewdiag\n"
    "  ewdiag queue init\n"
    "  ewdiag queue submit --case 694211 /cases/694211/*.tar.gz\n"
    "  ewdiag worker &\n"
    "  ewdiag queue results --case 694211 -f text\n"
    "  ewdiag queue results --case 694211 -f html -o reports/\n";

typedef struct qopts {
    const char *db, *case_id, *output;
    bool again, upload, format_set;
    int attempts;
    int64_t job;
    ewdiag_format format;
} qopts;

enum { OPT_AGAIN = 0x200, OPT_ATTEMPTS, OPT_UPLOAD, OPT_JOB };

static int parse_int(const char *s, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || *end || n < lo || n > hi)
        return -1;
    *v = n;
    return 0;
}

static int take_opt(qopts *q, int opt, const char *sub, const char *at)
{
    long long v;
    switch (opt) {
    case 'd': q->db = optarg; return 0;
    case 'c': q->case_id = optarg; return 0;
    case 'o': q->output = optarg; return 0;
    case OPT_AGAIN: q->again = true; return 0;
    case OPT_UPLOAD: q->upload = true; return 0;
    case OPT_ATTEMPTS:
        if (parse_int(optarg, 1, EWQ_MAX_ATTEMPTS, &v) != 0)
            return usage_error(CMD, "--attempts wants a number from 1 to %d, not '%s'",
                               EWQ_MAX_ATTEMPTS, optarg), -1;
        q->attempts = (int)v;
        return 0;
    case OPT_JOB:
        if (parse_int(optarg, 1, INT64_MAX, &v) != 0)
            return usage_error(CMD, "--job wants a job number, not '%s'", optarg), -1;
        q->job = v;
        return 0;
    case 'f':
        q->format_set = true;
        if (parse_format(optarg, &q->format) != 0 ||
            (strcmp(sub, "status") == 0 && q->format != EWDIAG_FORMAT_JSON &&
             q->format != EWDIAG_FORMAT_TEXT))
            return usage_error(CMD, "unknown format '%s'", optarg), -1;
        return 0;
    case 'h': fputs(usage_text, stdout); return 1;
    case ':': return usage_error(CMD, "%s: option '%s' wants a value", sub, at), -1;
    default: return usage_error(CMD, "%s: unrecognized option '%s'", sub, at), -1;
    }
}

/* -1 usage error, 1 help shown, 0 go on (optind at the operands). */
static int parse_args(int argc, char **argv, qopts *q)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"case", required_argument, NULL, 'c'},
        {"again", no_argument, NULL, OPT_AGAIN},
        {"attempts", required_argument, NULL, OPT_ATTEMPTS},
        {"upload", no_argument, NULL, OPT_UPLOAD},
        {"job", required_argument, NULL, OPT_JOB},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    opterr = 0; /* said below, with the command's name */
    while ((opt = getopt_long(argc, argv, ":d:c:f:o:h", longopts, NULL)) != -1) {
        int rc = take_opt(q, opt, argv[0], argv[optind - 1]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* A connection to a database with the current schema; NULL after saying why. */
static ewq_db *open_db(const qopts *q, bool need_schema)
{
    ewq_db *db = ewq_db_new(q->db, "ewdiag queue");
    if (!db || ewq_db_connect(db) != EWQ_OK || (need_schema && ewq_schema_check(db) != EWQ_OK)) {
        fprintf(stderr, "ewdiag queue: %s\n", ewq_db_error(db));
        ewq_db_free(db);
        return NULL;
    }
    return db;
}

static int cmd_init(const qopts *q)
{
    ewq_db *db = open_db(q, false);
    if (!db)
        return EXIT_TROUBLE;
    int from = 0;
    int rc = ewq_schema_init(db, &from);
    if (rc != EWQ_OK)
        fprintf(stderr, "ewdiag queue: %s\n", ewq_db_error(db));
    else if (from == EWQ_SCHEMA_VERSION)
        printf("schema ewdiag is at version %d: nothing to do\n", from);
    else if (from == 0)
        printf("schema ewdiag created, version %d\n", EWQ_SCHEMA_VERSION);
    else
        printf("schema ewdiag upgraded from version %d to %d\n", from, EWQ_SCHEMA_VERSION);
    ewq_db_free(db);
    return rc == EWQ_OK ? EXIT_CLEAN : EXIT_TROUBLE;
}

typedef struct file_in {
    int fd;
    int err; /* errno of a failed read */
} file_in;

static long file_read(void *ctx, void *buf, size_t cap)
{
    file_in *in = ctx;
    ssize_t n;
    while ((n = read(in->fd, buf, cap)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        in->err = errno;
    return (long)n;
}

static void said_job(int64_t id, const char *loc, bool existed)
{
    printf("job %lld: %s%s\n", (long long)id, loc,
           existed ? " (submitted before; --again queues it again)" : "");
}

/* --upload: the file's bytes into the database. 0, -1 for this file, -2
 * when the database failed (stop). */
static int upload_one(ewq_db *db, const qopts *q, const char *path)
{
    file_in in = {open(path, O_RDONLY | O_CLOEXEC), 0};
    if (in.fd < 0) {
        fprintf(stderr, "ewdiag queue: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int64_t id;
    int rc = ewq_submit_blob(db, q->case_id, path, file_read, &in, q->attempts, &id);
    close(in.fd);
    if (rc == EWQ_EINPUT) {
        fprintf(stderr, "ewdiag queue: %s: %s\n", path, strerror(in.err));
        return -1;
    }
    if (rc != EWQ_OK) {
        fprintf(stderr, "ewdiag queue: %s: %s\n", path, ewq_db_error(db));
        return -2;
    }
    said_job(id, path, false);
    return 0;
}

/* What identifies the bundle: for a path, its absolute form and size; for
 * a URL, the server's size and ETag. */
static int identify(const char *loc, ewq_location *l, char *path, char *etag)
{
    char err[EWQ_FETCH_ERR_MAX];
    if (ewq_is_url(loc)) {
        if (ewq_fetch_probe(loc, &l->size, etag, ETAG_MAX, err) != 0) {
            fprintf(stderr, "ewdiag queue: %s: %s\n", loc, err);
            return -1;
        }
        l->location = loc;
        l->etag = etag;
        return 0;
    }
    struct stat st;
    if (!realpath(loc, path) || stat(path, &st) != 0) {
        fprintf(stderr, "ewdiag queue: %s: %s\n", loc, strerror(errno));
        return -1;
    }
    l->location = path;
    l->size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    return 0;
}

static int submit_one(ewq_db *db, const qopts *q, const char *loc)
{
    if (q->upload)
        return upload_one(db, q, loc);
    char path[PATH_MAX], etag[ETAG_MAX] = "";
    ewq_location l = {.case_id = q->case_id, .size = -1, .again = q->again,
                      .max_attempts = q->attempts};
    if (identify(loc, &l, path, etag) != 0)
        return -1;
    int64_t id;
    bool existed;
    if (ewq_submit_location(db, &l, &id, &existed) != EWQ_OK) {
        fprintf(stderr, "ewdiag queue: %s: %s\n", loc, ewq_db_error(db));
        return -2;
    }
    said_job(id, l.location, existed);
    return 0;
}

/* Locations from standard input, one a line. */
static int submit_stdin(ewq_db *db, const qopts *q, int *bad)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc != -2 && (n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        rc = submit_one(db, q, line);
        *bad += rc != 0;
    }
    free(line);
    return rc;
}

static int cmd_submit(const qopts *q, int n, char **locs)
{
    if (n == 0)
        return usage_error(CMD, "submit: no location given");
    ewq_db *db = open_db(q, true);
    if (!db)
        return EXIT_TROUBLE;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("ewdiag queue: libcurl cannot start\n", stderr);
        ewq_db_free(db);
        return EXIT_TROUBLE;
    }
    int bad = 0, rc = 0;
    for (int i = 0; i < n && rc != -2; i++) {
        if (strcmp(locs[i], "-") == 0) {
            rc = submit_stdin(db, q, &bad);
            continue;
        }
        rc = submit_one(db, q, locs[i]);
        bad += rc != 0;
    }
    curl_global_cleanup();
    ewq_db_free(db);
    return bad ? EXIT_TROUBLE : EXIT_CLEAN;
}

static int cmd_status(const qopts *q)
{
    ewq_db *db = open_db(q, true);
    if (!db)
        return EXIT_TROUBLE;
    json_t *st = ewq_status_json(db);
    int status = EXIT_CLEAN;
    if (!st) {
        const char *why = ewq_db_error(db);
        fprintf(stderr, "ewdiag queue: %s\n", *why ? why : "out of memory");
        status = EXIT_TROUBLE;
    } else if (q->format == EWDIAG_FORMAT_JSON) {
        if (json_dumpf(st, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2)) != 0 ||
            fputc('\n', stdout) == EOF)
            status = EXIT_TROUBLE;
    } else {
        ewq_status_print(stdout, st);
    }
    json_decref(st);
    ewq_db_free(db);
    if (fflush(stdout) != 0)
        status = EXIT_TROUBLE;
    return status;
}

static int cmd_results(const qopts *q)
{
    ewq_db *db = open_db(q, true);
    if (!db)
        return EXIT_TROUBLE;
    ewq_filter f = {.job_id = q->job, .case_id = q->case_id};
    size_t count = 0;
    int sev = -1;
    bool incomplete = false;
    int rc = q->format == EWDIAG_FORMAT_HTML
                 ? ewq_results_write_html(db, &f, q->output, stdout, stderr, &count, &sev,
                                          &incomplete)
                 : ewq_results_write(db, &f, q->format, stdout, stderr, &count, &sev,
                                     &incomplete);
    int status = exit_status_of(sev, incomplete, count);
    if (rc != EWQ_OK) {
        fprintf(stderr, "ewdiag queue: %s\n", ewq_db_error(db));
        status = EXIT_TROUBLE;
    } else if (count == 0) {
        fputs("ewdiag queue: no stored result matches\n", stderr);
        status = EXIT_TROUBLE;
    }
    ewq_db_free(db);
    return status;
}

int cmd_queue(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(CMD, "no command given (init, submit, status, results)");
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_CLEAN;
    }
    qopts q = {.format = EWDIAG_FORMAT_TEXT};
    int parsed = parse_args(argc - 1, argv + 1, &q);
    if (parsed != 0)
        return parsed > 0 ? EXIT_CLEAN : EXIT_TROUBLE;
    if (!q.format_set && strcmp(sub, "results") == 0)
        q.format = isatty(STDOUT_FILENO) ? EWDIAG_FORMAT_TEXT : EWDIAG_FORMAT_JSON;
    int nops = argc - 1 - optind;
    char **ops = argv + 1 + optind;
    if (q.output && (strcmp(sub, "results") != 0 || q.format != EWDIAG_FORMAT_HTML))
        return usage_error(CMD, "%s: -o DIR is for 'results --format html' (a page per job)",
                           sub);
    if (strcmp(sub, "submit") == 0)
        return cmd_submit(&q, nops, ops);
    if (nops > 0)
        return usage_error(CMD, "%s: unexpected argument '%s'", sub, ops[0]);
    if (strcmp(sub, "init") == 0)
        return cmd_init(&q);
    if (strcmp(sub, "status") == 0)
        return cmd_status(&q);
    if (strcmp(sub, "results") == 0)
        return cmd_results(&q);
    return usage_error(CMD, "unknown command '%s' (init, submit, status, results)", sub);
}
