/* serve.c - "ewdiag serve": the options, start, and a stop that lets the
 * running analyses finish (SIGTERM or SIGINT; a second one stops them). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/commands.h"
#include "bundles.h"
#include "http.h"
#include "upload.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_MAX_UPLOAD (UINT64_C(4) << 30)
#define DEFAULT_MAX_INPUTS 64
#define DEFAULT_MAX_CONNECTIONS 256
#define DEFAULT_TIMEOUT_S 30
#define MAX_COUNT 1024         /* any count option */
#define MAX_SECRET_FILE 4096   /* the token file */
#define MAX_PEM_FILE (1u << 20)
#define POLL_MS 100
#define FORCE_GRACE_MS 1000 /* after a second signal, before closing what is left */
#define NS_PER_MS 1000000L

#ifdef EWDIAG_HAVE_QUEUE
#define USAGE_ASYNC_ROUTES                                                                  \
    "  POST /v1/bundles[?case=ID][&name=NAME]   (with --db)\n"                             \
    "       the body, or each file of a multipart/form-data body, stored in the\n"     \
    "       database as a job for 'ewdiag worker': 202 with the jobs\n"                \
    "  GET  /v1/bundles/ID[?format=json|jsonl|text|html]\n"                               \
    "       202 with the job's state while queued or running, 422 when dead, 200 with\n"   \
    "       its report when done\n"
#define USAGE_ASYNC_OPTIONS                                                                 \
    "      --db=URL              take asynchronous uploads into this database (a\n"        \
    "                            postgresql:// URL or libpq connection string; '' for\n"   \
    "                            libpq's PG* environment); without it /v1/bundles\n"       \
    "                            answers 404. Run 'ewdiag queue init' first\n"             \
    "      --max-async=N         uploads into the database at once (default: twice\n"      \
    "                            the cores); when all run, 503 with Retry-After\n"
#else
#define USAGE_ASYNC_ROUTES                                                                  \
    "  POST /v1/bundles  404: this build has no PostgreSQL support (libpq, libcurl),\n"    \
    "                    so no asynchronous uploads\n"
#define USAGE_ASYNC_OPTIONS ""
#endif

static const char usage_text[] =
    "Usage: ewdiag serve [OPTION]...\n"
    "Analyze uploaded diagnostic bundles over HTTP: the report comes back as\n"
    "'ewdiag -f FORMAT' would write it for the same files.\n"
    "\n"
    "  POST /v1/analyze[?format=json|jsonl|text|html][&name=NAME]\n"
    "       the body is one bundle (named NAME, default '-'), or multipart/form-data\n"
    "       with one file per bundle (named by their file names): one report\n"
    USAGE_ASYNC_ROUTES
    "  GET  /            an upload page (drop bundles on it; the HTML report shows)\n"
    "  GET  /healthz     'ok', 503 while stopping\n"
    "  GET  /metrics     Prometheus text: requests, bytes, analyses, durations\n"
    "\n"
    "Options:\n"
    "  -l, --listen=ADDR:PORT    where to listen (default " DEFAULT_LISTEN "; port 0: any\n"
    "                            free port, said on standard error)\n"
    "      --max-upload=SIZE     largest request body, e.g. 512M, 8G (default 4G): 413\n"
    "      --max-analyses=N      analyses at once (default: twice the cores); when all\n"
    "                            run, an upload gets 503 with Retry-After\n"
    "      --max-inputs=N        files in one upload (default 64)\n"
    "      --max-connections=N   connections at once (default 256)\n"
    "      --timeout=SECONDS     a connection idle this long is closed (default 30)\n"
    "      --threads=N           HTTP threads (default: the cores)\n"
    "      --token-file=FILE     ask for the token in FILE: 'Authorization: Bearer TOKEN'\n"
    "                            (or Basic with it as the password); 401 without it\n"
    "      --cert=FILE --key=FILE  serve HTTPS with this PEM certificate and key\n"
    USAGE_ASYNC_OPTIONS
    "  -r, --rules=PATH          rule directory or file (default: the installed rules)\n"
    "  -e, --evidence=N          raw log lines kept per finding (default 5)\n"
    "      --set=KEY=VALUE       an analysis limit, as for ewdiag (repeatable)\n"
    "  -h, --help                show this help\n"
    "\n"
    "One line per request goes to standard error. SIGTERM or SIGINT: no new upload\n"
    "is taken, the running analyses finish, then the server stops; a second one\n"
    "stops them at once.\n"
    "\n"
    "Examples:\n"
    "  ewdiag serve --listen 0.0.0.0:8080 --token-file /etc/ewdiag/token\n"
    "  curl --data-binary @bundle.tar.gz -H 'Content-Type: application/gzip' \\\n"
    "       'http://127.0.0.1:8080/v1/analyze?name=bundle.tar.gz'\n"
    "  curl -F bundle=@node1.tar.gz -F bundle=@node2.tar.gz \\\n"
    "       'http://127.0.0.1:8080/v1/analyze?format=html' > report.html\n"
#ifdef EWDIAG_HAVE_QUEUE
    "  ewdiag serve --db postgresql://ewdiag@db.example.com/ewdiag --token-file TOKEN\n"
    "  curl -H \"Authorization: Bearer $(cat TOKEN)\" -T bundle.tar.gz \\\n"
    "       'http://127.0.0.1:8080/v1/bundles?case=694211&name=bundle.tar.gz'\n"
    "  curl -H \"Authorization: Bearer $(cat TOKEN)\" 127.0.0.1:8080/v1/bundles/42\n"
#endif
    ;

enum {
    OPT_MAX_UPLOAD = 0x200,
    OPT_MAX_ANALYSES,
    OPT_MAX_INPUTS,
    OPT_MAX_CONNECTIONS,
    OPT_TIMEOUT,
    OPT_THREADS,
    OPT_TOKEN_FILE,
    OPT_CERT,
    OPT_KEY,
    OPT_DB,
    OPT_MAX_ASYNC
};

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_COUNT ? MAX_COUNT : (unsigned)n;
}

/* "123", "64K", "512M", "8G" (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (errno || end == s || *end || *s == '-' || v == 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int parse_count(const char *s, unsigned min, unsigned *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < (long)min || v > MAX_COUNT)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* The whole of a small file, NUL-ended; NULL after saying why. */
static char *read_small(const char *path, size_t max, const char *what)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(max + 1) : NULL;
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool err = !f || !buf || ferror(f);
    if (f && fclose(f) != 0)
        err = true;
    if (err || n > max) {
        fprintf(stderr, "ewdiag serve: %s %s: %s\n", what, path,
                err ? (errno ? strerror(errno) : "cannot be read") : "too large");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static char *read_token(const char *path)
{
    char *t = read_small(path, MAX_SECRET_FILE, "token file");
    if (!t)
        return NULL;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
        t[--n] = '\0';
    if (!n || strpbrk(t, "\r\n")) {
        fprintf(stderr, "ewdiag serve: token file %s: %s\n", path,
                n ? "the token is more than one line" : "empty");
        free(t);
        return NULL;
    }
    return t;
}

typedef struct serve_args {
    serve_config cfg;
    const char *token_file, *cert_file, *key_file;
} serve_args;

/* A serve option of getopt's `opt`: 1 taken, 0 not one, -1 wrong (said). */
static int serve_opt(serve_args *a, int opt, const char *arg)
{
    serve_config *c = &a->cfg;
    int bad = 0;
    switch (opt) {
    case 'l': c->listen = arg; break;
    case OPT_MAX_UPLOAD: bad = parse_size(arg, &c->max_upload); break;
    case OPT_MAX_ANALYSES: bad = parse_count(arg, 1, &c->max_analyses); break;
    case OPT_MAX_INPUTS: bad = parse_count(arg, 1, &c->max_inputs); break;
    case OPT_MAX_CONNECTIONS: bad = parse_count(arg, 1, &c->max_connections); break;
    case OPT_TIMEOUT: bad = parse_count(arg, 1, &c->timeout_s); break;
    case OPT_THREADS: bad = parse_count(arg, 1, &c->threads); break;
    case OPT_TOKEN_FILE: a->token_file = arg; break;
    case OPT_CERT: a->cert_file = arg; break;
    case OPT_KEY: a->key_file = arg; break;
    case OPT_DB: c->db = arg; break;
    case OPT_MAX_ASYNC: bad = parse_count(arg, 1, &c->max_async); break;
    default: return 0;
    }
    if (bad)
        return usage_error("serve", "'%s' is not a valid value here (a size like 512M, or a "
                                    "number from 1 to %d)", arg, MAX_COUNT), -1;
    return 1;
}

/* -1 after a usage error, 1 after --help, 0 to go on. */
static int parse_args(int argc, char **argv, serve_args *a)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"max-upload", required_argument, NULL, OPT_MAX_UPLOAD},
        {"max-analyses", required_argument, NULL, OPT_MAX_ANALYSES},
        {"max-inputs", required_argument, NULL, OPT_MAX_INPUTS},
        {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},
        {"db", required_argument, NULL, OPT_DB},
        {"max-async", required_argument, NULL, OPT_MAX_ASYNC},
        {"help", no_argument, NULL, 'h'},
        ANALYSIS_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "l:h" ANALYSIS_SHORTOPTS, longopts, NULL)) != -1) {
        int taken = analysis_opt(&a->cfg.an, opt, optarg, "serve");
        if (!taken)
            taken = serve_opt(a, opt, optarg);
        if (taken < 0)
            return -1;
        if (taken)
            continue;
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        return usage_error("serve", "%s", "invalid option"), -1;
    }
    if (optind < argc)
        return usage_error("serve", "unexpected argument '%s'", argv[optind]), -1;
    if (!a->cert_file != !a->key_file)
        return usage_error("serve", "%s", "--cert and --key go together"), -1;
    if (a->cfg.db && !bundles_built)
        return usage_error("serve", "%s", "--db: this ewdiag was built without PostgreSQL "
                                          "(libpq and libcurl)"), -1;
    return 0;
}

/* The token, certificate and key files. 0, or -1 after saying why. */
static int load_files(serve_args *a)
{
    serve_config *c = &a->cfg;
    if (a->token_file && !(c->token = read_token(a->token_file)))
        return -1;
    if (a->cert_file && (!(c->cert_pem = read_small(a->cert_file, MAX_PEM_FILE, "certificate")) ||
                         !(c->key_pem = read_small(a->key_file, MAX_PEM_FILE, "key"))))
        return -1;
    return 0;
}

static void free_files(serve_config *c)
{
    if (c->token)
        memset(c->token, 0, strlen(c->token));
    if (c->key_pem)
        memset(c->key_pem, 0, strlen(c->key_pem));
    free(c->token);
    free(c->cert_pem);
    free(c->key_pem);
}

/* Waits up to POLL_MS for a signal of set: it, or 0. */
static int wait_signal(const sigset_t *set)
{
    struct timespec t = {0, POLL_MS * NS_PER_MS};
    int sig = sigtimedwait(set, NULL, &t);
    return sig > 0 ? sig : 0;
}

static bool uploads_left(server *srv)
{
    pthread_mutex_lock(&srv->mu);
    bool left = srv->uploads != NULL;
    pthread_mutex_unlock(&srv->mu);
    return left;
}

/* After the first signal: nothing new, the running uploads finish; a
 * second signal stops them, and after FORCE_GRACE_MS the connections left
 * are closed (none is paused then: stopping an upload resumes it). */
static void drain(server *srv, const sigset_t *set, int sig)
{
    atomic_store(&srv->draining, true);
    MHD_socket ls = MHD_quiesce_daemon(srv->daemon);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    fprintf(stderr, "ewdiag serve: %s: no new connection; %u analyses running finish first "
                    "(signal again to stop them)\n", strsignal(sig), workers_busy(srv->workers));
    long forced_ms = -1;
    while (uploads_left(srv) || bundles_pending(srv)) {
        if (forced_ms < 0 && wait_signal(set)) {
            forced_ms = 0;
            fputs("ewdiag serve: stopping the running analyses\n", stderr);
        }
        if (forced_ms < 0)
            continue;
        uploads_abort_all(srv);
        bundles_abort_all(srv);
        if (forced_ms > FORCE_GRACE_MS)
            break;
        struct timespec t = {0, POLL_MS * NS_PER_MS};
        nanosleep(&t, NULL);
        forced_ms += POLL_MS;
    }
}

static void say_listening(const server *srv)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    const serve_config *c = srv->cfg;
    const char *colon = strrchr(c->listen, ':');
    fprintf(stderr, "ewdiag serve: listening on %s://%.*s:%u/ (%u analyses at once, uploads up "
                    "to %llu MiB%s)\n",
            c->cert_pem ? "https" : "http", colon ? (int)(colon - c->listen) : 0, c->listen,
            di ? di->port : 0, c->max_analyses,
            (unsigned long long)(c->max_upload >> 20), c->token ? ", token asked" : "");
}

static int run(serve_config *cfg)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    /* Before any thread starts: every thread inherits the mask, and only
     * this one takes the signals (sigwait). */
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        fputs("ewdiag serve: cannot set up the signals\n", stderr);
        return EXIT_TROUBLE;
    }
    server srv = {.cfg = cfg};
    if (pthread_mutex_init(&srv.mu, NULL) != 0)
        return EXIT_TROUBLE;
    metrics_init(cfg->max_analyses, cfg->db != NULL);
    int status = EXIT_TROUBLE;
    if ((srv.workers = workers_start(&cfg->an, cfg->max_analyses)) && bundles_start(&srv) == 0 &&
        (srv.daemon = http_start(&srv))) {
        say_listening(&srv);
        int sig;
        while ((sig = sigwaitinfo(&set, NULL)) <= 0)
            continue; /* EINTR */
        drain(&srv, &set, sig);
        MHD_stop_daemon(srv.daemon);
        fputs("ewdiag serve: stopped\n", stderr);
        status = EXIT_CLEAN;
    }
    bundles_stop(&srv);
    workers_stop(srv.workers);
    pthread_mutex_destroy(&srv.mu);
    return status;
}

int cmd_serve(int argc, char **argv)
{
    unsigned n = cores();
    serve_args a = {.cfg = {.listen = DEFAULT_LISTEN,
                            .max_upload = DEFAULT_MAX_UPLOAD,
                            .max_analyses = 2 * n,
                            .max_async = 2 * n,
                            .max_inputs = DEFAULT_MAX_INPUTS,
                            .max_connections = DEFAULT_MAX_CONNECTIONS,
                            .timeout_s = DEFAULT_TIMEOUT_S,
                            .threads = n}};
    int parsed = parse_args(argc, argv, &a);
    if (parsed != 0)
        return parsed > 0 ? EXIT_CLEAN : EXIT_TROUBLE;
    a.cfg.an.rules = rules_path(a.cfg.an.rules);
    a.cfg.an.threads = "2"; /* inflate beside the scanning, as the command does for one input */
    a.cfg.cores = n;
    a.cfg.adapt_threads = true;
    for (int i = 0; i < a.cfg.an.nsets; i++)
        if (strncmp(a.cfg.an.sets[i], "threads=", strlen("threads=")) == 0)
            a.cfg.adapt_threads = false;
    int status = load_files(&a) == 0 ? run(&a.cfg) : EXIT_TROUBLE;
    free_files(&a.cfg);
    return status;
}
