/* analyze.c - "ewdiag [OPTION]... INPUT...": the inputs analyzed, the
 * report written, the exit status. A thin layer over the public API. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ewdiag.h>

#include "commands.h"
#include "jobs.h"
#include "options.h"
#include "outcome.h"

#define PROGRESS_DELAY_S 1.0 /* show progress only for inputs slower than this */
#define MAX_JOBS 256
#define MIB (1024.0 * 1024.0)

static const char usage_text[] =
    "Usage: ewdiag [OPTION]... INPUT...\n"
    "       ewdiag serve [OPTION]...   (uploads over HTTP: ewdiag serve --help)\n"
    "Find why Cisco Expressway-C's traffic server refused the certificates of\n"
    "Unified CM, IM&P or Unity Connection servers (MRA failures after X14.2),\n"
    "and say per server what failed, how often, when, and how to fix it.\n"
    "\n"
    "INPUT is a diagnostic bundle (.tar.gz, .tgz, .tar, .zip; bundles inside\n"
    "bundles are opened too), a log file (loggingsnapshot_*.txt, ATS diags.log,\n"
    "plain or gzipped), a directory (walked), or - for standard input.\n"
    "Each input is analyzed on its own; give the bundles of every node of a\n"
    "cluster together to get a summary per server across nodes.\n"
    "\n"
    "Options:\n"
    "  -f, --format=FORMAT   text, json, jsonl (one finding per line) or html\n"
    "                        (one self-contained page, with a timeline per server);\n"
    "                        default: text on a terminal, json otherwise\n"
    "  -o, --output=FILE     write the report to FILE instead of standard output\n"
    "  -r, --rules=PATH      rule directory or file (default: the installed rules)\n"
    "  -e, --evidence=N      raw log lines kept per finding (default 5)\n"
    "      --entries         text: list every file of every input\n"
    "      --color=WHEN      auto, always or never (default auto)\n"
    "      --set=KEY=VALUE   set a limit or window (repeatable): max-line,\n"
    "                        max-depth, max-entries, max-bytes, max-ratio,\n"
    "                        attach-window, match-limit, depth-limit,\n"
    "                        capture-window, max-handshakes, max-flows,\n"
    "                        max-flow-bytes, max-handshake, max-chain, max-der,\n"
    "                        max-findings, max-evidence-bytes, max-nodes,\n"
    "                        max-tls-servers, max-chain-bytes\n"
    "                        (see the README)\n"
    "  -j, --jobs=N          analyze N inputs at once (default: the number of\n"
    "                        cores); the report keeps the inputs' order\n"
    "  -q, --quiet           no progress and no warnings on standard error\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "Standard error gets a line per input that could not be analyzed and, unless\n"
    "-q, per warning (a part that went unread, a limit hit, damage), whatever the\n"
    "format: 'ewdiag: INPUT: ENTRY: WHAT', with '(N times)' when it repeats.\n"
    "\n"
    "Exit status: 0 read whole, no finding of severity warning or above;\n"
    "1 findings of severity warning or above (even when part went unread);\n"
    "2 usage error, or no input could be analyzed; 3 no such finding, but part\n"
    "of an input, or an input, went unread (the warnings say which).\n"
    "\n"
    "Examples:\n"
    "  ewdiag diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz\n"
    "  ewdiag -f json node1.tar.gz node2.tar.gz > report.json\n"
    "  ewdiag -f html -o report.html node1.tar.gz node2.tar.gz\n"
    "  ssh admin@vcsc cat bundle.tar.gz | ewdiag -\n"
    "  ewdiag -f jsonl cases/ | jq -r 'select(.severity==\"error\") | .server'\n";

typedef struct cli {
    ewdiag_format format;
    bool format_set;
    const char *output;
    analysis_opts an;
    bool entries;
    int color; /* -1 auto, 0 never, 1 always */
    bool quiet;
    int jobs;
} cli;

typedef struct progress {
    bool enabled;
    bool shown;
    struct timespec start;
} progress;

static double elapsed_s(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void on_progress(void *ctx, const char *input, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (!p->enabled || elapsed_s(&p->start) < PROGRESS_DELAY_S)
        return;
    p->shown = true;
    if (total)
        fprintf(stderr, "\r\033[K%s: %3.0f%% (%.0f of %.0f MiB)", input,
                100.0 * (double)done / (double)total, (double)done / MIB, (double)total / MIB);
    else
        fprintf(stderr, "\r\033[K%s: %.0f MiB read", input, (double)done / MIB);
}

static void progress_end(progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
}

static ewdiag_analyzer *make_worker_analyzer(void *ctx)
{
    const cli *c = ctx;
    return configure(&c->an, false);
}

/* What the person at the shell learns of one input as soon as it is
 * analyzed: the error that stopped it, always; its warnings unless -q. */
static void tell(const ewdiag_report *one, int rc, const char *error, bool quiet)
{
    int said = rc != EWDIAG_OK ? put_error_line(stderr, error ? error : "out of memory") : 0;
    if (said == 0 && !quiet && one)
        said = put_warnings(stderr, one);
    (void)said; /* standard error failing leaves nobody to tell */
}

/* Each input into a report of its own, told, then added to r: what is said
 * per input does not depend on --jobs. -1 when out of memory. */
static int analyze_all(ewdiag_analyzer *a, ewdiag_report *r, char **inputs, int n, bool quiet,
                       size_t *analyzed)
{
    progress p = {.enabled = !quiet && isatty(STDERR_FILENO)};
    ewdiag_analyzer_set_progress(a, on_progress, &p);
    for (int i = 0; i < n; i++) {
        ewdiag_report *one = ewdiag_report_new();
        if (!one) {
            fputs("ewdiag: out of memory\n", stderr);
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &p.start);
        int rc = ewdiag_analyze_path(a, one, inputs[i]);
        progress_end(&p);
        tell(one, rc, ewdiag_error(a), quiet);
        *analyzed += rc == EWDIAG_OK;
        int app = rc == EWDIAG_ENOMEM ? rc : ewdiag_report_append(r, one);
        ewdiag_report_free(one);
        if (app != EWDIAG_OK) {
            if (rc != EWDIAG_ENOMEM) /* else tell() said it */
                fputs("ewdiag: out of memory\n", stderr);
            return -1;
        }
    }
    return 0;
}

/* The same with several workers: told and merged in input order. */
static int analyze_parallel(const cli *c, ewdiag_report *r, char **inputs, int n,
                            size_t *analyzed)
{
    job_result *res = calloc((size_t)n, sizeof *res);
    if (!res || run_jobs(make_worker_analyzer, (void *)c, inputs, n, c->jobs,
                         !c->quiet && isatty(STDERR_FILENO), res) != 0) {
        free(res);
        fputs("ewdiag: cannot start the analysis threads\n", stderr);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        tell(res[i].report, res[i].rc, res[i].error, c->quiet);
        *analyzed += res[i].rc == EWDIAG_OK;
        if (res[i].rc == EWDIAG_ENOMEM || !res[i].report ||
            ewdiag_report_append(r, res[i].report) != EWDIAG_OK)
            rc = -1;
        ewdiag_report_free(res[i].report);
        free(res[i].error);
    }
    free(res);
    return rc;
}

static int write_report(const ewdiag_report *r, const cli *c)
{
    FILE *out = stdout;
    if (c->output && !(out = fopen(c->output, "w"))) {
        fprintf(stderr, "ewdiag: %s: %s\n", c->output, strerror(errno));
        return -1;
    }
    unsigned flags = c->entries ? EWDIAG_WRITE_ENTRIES : 0;
    bool tty = !c->output && isatty(STDOUT_FILENO);
    if (c->color == 1 || (c->color == -1 && tty && getenv("NO_COLOR") == NULL))
        flags |= EWDIAG_WRITE_COLOR;
    int rc = ewdiag_report_write(r, out, c->format, flags);
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0)
        rc = EWDIAG_EIO;
    if (rc != EWDIAG_OK) {
        fprintf(stderr, "ewdiag: %s: cannot write the report: %s\n",
                c->output ? c->output : "standard output", strerror(errno));
        return -1;
    }
    return 0;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (int)n;
}

/* Reads the options into c; -1 after a usage error, 1 after --help or
 * --version, 0 to go on. */
static int parse_args(int argc, char **argv, cli *c)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"entries", no_argument, NULL, 'E'},      {"color", required_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},        {"jobs", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        ANALYSIS_LONGOPTS,                        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "f:o:j:qhV" ANALYSIS_SHORTOPTS, longopts, NULL)) != -1) {
        int taken = analysis_opt(&c->an, opt, optarg, NULL);
        if (taken < 0)
            return -1;
        if (taken)
            continue;
        switch (opt) {
        case 'f':
            if (parse_format(optarg, &c->format) != 0)
                return usage_error(NULL, "unknown format '%s' (text, json, jsonl or html)", optarg), -1;
            c->format_set = true;
            break;
        case 'o': c->output = optarg; break;
        case 'E': c->entries = true; break;
        case 'C':
            if (strcmp(optarg, "auto") == 0)
                c->color = -1;
            else if (strcmp(optarg, "always") == 0)
                c->color = 1;
            else if (strcmp(optarg, "never") == 0)
                c->color = 0;
            else
                return usage_error(NULL, "--color is auto, always or never, not '%s'", optarg), -1;
            break;
        case 'j': {
            char *end;
            long j = strtol(optarg, &end, 10);
            if (*end || end == optarg || j < 1 || j > MAX_JOBS)
                return usage_error(NULL, "--jobs wants a number from 1 to %d, not '%s'", MAX_JOBS, optarg), -1;
            c->jobs = (int)j;
            break;
        }
        case 'q': c->quiet = true; break;
        case 'h': fputs(usage_text, stdout); return 1;
        case 'V': printf("ewdiag %s\n", ewdiag_version()); return 1;
        default: return usage_error(NULL, "%s", "invalid option"), -1;
        }
    }
    if (optind >= argc)
        return usage_error(NULL, "%s", "no input given"), -1;
    return 0;
}

int cmd_analyze(int argc, char **argv)
{
    cli c = {.format = EWDIAG_FORMAT_TEXT, .color = -1, .jobs = default_jobs()};
    int parsed = parse_args(argc, argv, &c);
    if (parsed != 0)
        return parsed > 0 ? EXIT_CLEAN : EXIT_TROUBLE;
    if (!c.format_set)
        c.format = !c.output && isatty(STDOUT_FILENO) ? EWDIAG_FORMAT_TEXT : EWDIAG_FORMAT_JSON;
    c.an.rules = rules_path(c.an.rules);
    /* --jobs bounds the threads: with fewer inputs than jobs each analysis
     * may inflate beside its scanning; with more, each runs on one. */
    int n = argc - optind;
    c.an.threads = c.jobs >= 2 * (n < c.jobs ? n : c.jobs) ? "2" : "1";
    /* Set up once here: a wrong option or rule file is said once. */
    ewdiag_analyzer *a = configure(&c.an, true);
    if (!a)
        return EXIT_TROUBLE;
    int status = EXIT_TROUBLE;
    ewdiag_report *r = ewdiag_report_new();
    if (!r) {
        fputs("ewdiag: out of memory\n", stderr);
        ewdiag_analyzer_free(a);
        return EXIT_TROUBLE;
    }
    size_t analyzed = 0;
    int rc = c.jobs > 1 && n > 1 ? analyze_parallel(&c, r, argv + optind, n, &analyzed)
                                 : analyze_all(a, r, argv + optind, n, c.quiet, &analyzed);
    if (rc == 0 && write_report(r, &c) == 0)
        status = report_exit_status(r, analyzed);
    ewdiag_report_free(r);
    ewdiag_analyzer_free(a);
    return status;
}
