/* cmd_worker.c - "ewdiag worker [OPTION]...": its options, then the loop
 * of worker.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../cli/commands.h"
#include "../cli/options.h"
#include "worker.h"

#define CMD "worker"
#define MAX_SECONDS (7 * 24 * 3600)

static const char usage_text[] =
    "Usage: ewdiag worker [OPTION]...\n"
    "Take jobs from the queue in PostgreSQL (see 'ewdiag queue --help'), analyze\n"
    "each bundle in a process of its own, and store its report; run as many\n"
    "workers as you like, on any machine that reaches the database and the\n"
    "bundles. Runs until SIGTERM or SIGINT: the jobs in hand are finished and\n"
    "stored first (a second signal gives them back to the queue at once).\n"
    "\n"
    "A job holds a lease, renewed while it runs: a job whose worker died, froze\n"
    "or lost the network returns to the queue when its lease ends. A job that\n"
    "failed (unreadable, crashed, over the time limit) is tried again later,\n"
    "and dead after its attempts (3 unless submitted with --attempts). A lost\n"
    "database connection is retried with backoff; running analyses go on.\n"
    "\n"
    "Options:\n"
    "  -d, --db=URL          the database: postgresql://... or a libpq connection\n"
    "                        string; default: libpq's environment (PGHOST, ...)\n"
    "  -j, --jobs=N          analyses at once (default: the number of cores)\n"
    "      --lease=SECONDS   a job's lease, renewed every third of it (60)\n"
    "      --time-limit=SECONDS\n"
    "                        an analysis running longer is killed (1800)\n"
    "      --retry-delay=SECONDS\n"
    "                        wait before trying a failed job again, doubled at\n"
    "                        each attempt (30)\n"
    "  -r, --rules=PATH      rule directory or file (default: the installed rules)\n"
    "  -e, --evidence=N      raw log lines kept per finding (default 5)\n"
    "      --set=KEY=VALUE   set a limit (repeatable), as for ewdiag\n"
    "  -q, --quiet           say only what went wrong (not each job)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 stopped after storing every job in hand; 1 stopped, some\n"
    "results not stored (the database stayed away; those jobs return to the\n"
    "queue); 2 usage error, bad rules, or a database without the schema.\n"
    "\n"
    "Example:\n"
    "  ewdiag worker --db postgresql://ewdiag@db.example.com/ewdiag --jobs 4\n";

enum { OPT_LEASE = 0x200, OPT_TIME_LIMIT, OPT_RETRY_DELAY };

static int number(const char *opt, const char *arg, int lo, int hi, const char *what, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi)
        return usage_error(CMD, "--%s wants %s from %d to %d, not '%s'", opt, what, lo, hi, arg),
               -1;
    *out = (int)v;
    return 0;
}

static int seconds(const char *opt, const char *arg, int lo, int *out)
{
    return number(opt, arg, lo, MAX_SECONDS, "seconds", out);
}

static int take_opt(worker_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case 'd': o->db = arg; return 0;
    case 'q': o->quiet = true; return 0;
    case 'j': return number("jobs", arg, 1, EWQ_MAX_SLOTS, "a number", &o->jobs);
    case OPT_LEASE: return seconds("lease", arg, 3, &o->lease_s);
    case OPT_TIME_LIMIT: return seconds("time-limit", arg, 1, &o->time_limit_s);
    case OPT_RETRY_DELAY: return seconds("retry-delay", arg, 0, &o->retry_delay_s);
    case 'h': fputs(usage_text, stdout); return 1;
    case ':': return usage_error(CMD, "option '%s' wants a value", arg), -1;
    default: return usage_error(CMD, "unrecognized option '%s'", arg), -1;
    }
}

static int parse_args(int argc, char **argv, worker_opts *o)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"jobs", required_argument, NULL, 'j'},
        {"lease", required_argument, NULL, OPT_LEASE},
        {"time-limit", required_argument, NULL, OPT_TIME_LIMIT},
        {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        ANALYSIS_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    opterr = 0; /* said below, with the command's name */
    while ((opt = getopt_long(argc, argv, ":d:j:qh" ANALYSIS_SHORTOPTS, longopts, NULL)) != -1) {
        int taken = analysis_opt(&o->an, opt, optarg, CMD);
        if (taken < 0)
            return -1;
        if (taken)
            continue;
        int rc = take_opt(o, opt, opt == '?' || opt == ':' ? argv[optind - 1] : optarg);
        if (rc != 0)
            return rc;
    }
    if (optind < argc)
        return usage_error(CMD, "unexpected argument '%s'", argv[optind]), -1;
    return 0;
}

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > EWQ_MAX_SLOTS ? EWQ_MAX_SLOTS : (int)n;
}

int cmd_worker(int argc, char **argv)
{
    worker_opts o = {.lease_s = EWQ_DEFAULT_LEASE_S,
                     .time_limit_s = EWQ_DEFAULT_TIME_LIMIT_S,
                     .retry_delay_s = EWQ_DEFAULT_RETRY_DELAY_S};
    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? EXIT_CLEAN : EXIT_TROUBLE;
    if (o.jobs == 0)
        o.jobs = cores();
    o.an.rules = rules_path(o.an.rules);
    /* As the CLI does: an analysis inflates on a second thread only when
     * the cores outnumber the analyses at once twice over. */
    o.an.threads = 2 * o.jobs <= cores() ? "2" : "1";
    return ewq_worker_run(&o);
}
