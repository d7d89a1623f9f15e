/* worker.c - one thread, one database connection, one event loop: the
 * slots' processes analyze; the loop claims jobs, renews their leases,
 * enforces time limits and stores the reports (tasks.c). Nothing here
 * blocks for long: the connection has timeouts (db.c), and while it is
 * down the analyses go on and their reports wait, to be stored after
 * reconnecting if the leases are still ours. */
#include "worker_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db_int.h"

#define IDLE_POLL_S 2.0        /* look for due jobs this often without a NOTIFY */
#define BACKOFF_MIN_S 0.1      /* reconnect: first wait, doubled up to the max */
#define BACKOFF_MAX_S 10.0
#define STATEMENT_TIMEOUT "60s"

/* The signal handler's way into the loop (the one static the loop needs). */
static int sig_pipe[2] = {-1, -1};

double wk_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void wk_say(const worker *w, bool always, const char *fmt, ...)
{
    if (w->o->quiet && !always)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("ewdiag worker: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (write(sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a signal is already waiting */
    }
    errno = saved;
}

static int install_signals(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa = {.sa_handler = on_signal}, ign = {.sa_handler = SIG_IGN};
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGPIPE, &ign, NULL) != 0)
        return -1;
    return 0;
}

/* ---- the connection ---------------------------------------------------- */

static void db_down(worker *w)
{
    if (w->lost_since > 0)
        return;
    wk_say(w, true, "%s; reconnecting", ewq_db_error(w->db));
    w->lost_since = wk_now();
    w->backoff = BACKOFF_MIN_S;
    w->next_reconnect = w->lost_since;
}

void wk_db_trouble(worker *w, const char *what)
{
    if (ewq_db_lost(w->db))
        db_down(w);
    else
        wk_say(w, true, "%s: %s", what, ewq_db_error(w->db));
}

/* A fresh connection: session settings, LISTEN, and the claims whose
 * answers were lost with the old one given back. */
static int db_setup(worker *w)
{
    int64_t leases[2 * EWQ_MAX_SLOTS];
    task *tasks[2 * EWQ_MAX_SLOTS];
    size_t n = wk_leases(w, leases, tasks);
    if (ewq_exec(w->db, "SET statement_timeout = '" STATEMENT_TIMEOUT "'", 0, NULL) != EWQ_OK ||
        ewq_exec(w->db, "LISTEN " EWQ_CHANNEL, 0, NULL) != EWQ_OK ||
        ewq_schema_check(w->db) != EWQ_OK || ewq_disown(w->db, w->name, leases, n) != EWQ_OK)
        return -1;
    return 0;
}

static void try_reconnect(worker *w)
{
    double t = wk_now();
    if (t < w->next_reconnect)
        return;
    if (ewq_db_connect(w->db) == EWQ_OK && db_setup(w) == 0) {
        wk_say(w, true, "database connection back after %.1f s", t - w->lost_since);
        w->lost_since = 0;
        w->want_claim = true;
        w->next_beat = t;
        return;
    }
    /* Jitter keeps a fleet of workers from reconnecting in step. */
    w->backoff = w->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : w->backoff * 2;
    w->next_reconnect = t + w->backoff * (0.5 + (double)rand() / RAND_MAX / 2);
}

/* ---- heartbeat --------------------------------------------------------- */

static void beat(worker *w)
{
    int64_t leases[2 * EWQ_MAX_SLOTS];
    task *tasks[2 * EWQ_MAX_SLOTS];
    bool kept[2 * EWQ_MAX_SLOTS];
    size_t n = wk_leases(w, leases, tasks);
    double t = wk_now();
    w->next_beat = t + (w->o->lease_s / 3.0 < 1.0 ? 1.0 : w->o->lease_s / 3.0);
    if (n > 0 && ewq_heartbeat(w->db, w->name, w->o->lease_s, leases, n, kept) != EWQ_OK) {
        wk_db_trouble(w, "renewing leases");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!kept[i])
            wk_lease_lost(w, tasks[i]);
    int requeued = 0, dead = 0;
    ewq_worker_row row = {w->name, w->host, (long)getpid(), w->o->jobs, wk_busy(w),
                          w->st.done, w->st.failed + w->st.dead, w->stops > 0};
    if (ewq_reap(w->db, &requeued, &dead) != EWQ_OK || ewq_worker_seen(w->db, &row) != EWQ_OK) {
        wk_db_trouble(w, "checking leases");
        return;
    }
    w->st.db_s += wk_now() - t;
    if (requeued || dead)
        wk_say(w, true, "expired leases of stopped workers: %d job%s queued again, %d dead",
            requeued, requeued == 1 ? "" : "s", dead);
    if (requeued)
        w->want_claim = true;
}

/* ---- the loop ---------------------------------------------------------- */

static double next_wakeup(const worker *w)
{
    double t = wk_now(), at = t + IDLE_POLL_S;
    if (w->lost_since > 0 && w->next_reconnect < at)
        at = w->next_reconnect;
    if (w->lost_since == 0 && w->next_beat < at)
        at = w->next_beat;
    if (w->lost_since == 0 && !w->stops && wk_can_claim(w))
        at = w->want_claim ? t : w->next_claim < at ? w->next_claim : at;
    at = wk_next_deadline(w, at);
    return at > t ? at - t : 0;
}

static void read_signals(worker *w)
{
    unsigned char b[64];
    ssize_t n;
    while ((n = read(sig_pipe[0], b, sizeof b)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            w->stops++;
            wk_say(w, true, w->stops == 1 ? "%s: finishing the jobs in hand, then stopping"
                                       : "%s again: giving the jobs in hand back and stopping",
                strsignal(b[i]));
        }
}

static void read_notifies(worker *w)
{
    if (PQconsumeInput(w->db->conn) == 0) {
        ewq_fail_result(w->db, NULL);
        wk_db_trouble(w, "listening");
        return;
    }
    PGnotify *n;
    while ((n = PQnotifies(w->db->conn)) != NULL) {
        w->want_claim = true;
        PQfreemem(n);
    }
}

static void wait_events(worker *w)
{
    struct pollfd fds[EWQ_MAX_SLOTS + 2];
    int owner[EWQ_MAX_SLOTS + 2];
    nfds_t n = 0;
    fds[n] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
    owner[n++] = -1;
    if (w->lost_since == 0) {
        fds[n] = (struct pollfd){.fd = PQsocket(w->db->conn), .events = POLLIN};
        owner[n++] = -2;
    }
    for (int i = 0; i < w->o->jobs; i++)
        if (w->slots[i].run.on && !w->slots[i].run.finished) {
            fds[n] = (struct pollfd){.fd = w->slots[i].child.fd, .events = POLLIN};
            owner[n++] = i;
        }
    int ms = (int)(next_wakeup(w) * 1000) + 1;
    if (poll(fds, n, ms) <= 0)
        return; /* timeout, or EINTR: the loop looks at everything anyway */
    for (nfds_t k = 0; k < n; k++) {
        if (!fds[k].revents)
            continue;
        if (owner[k] == -1)
            read_signals(w);
        else if (owner[k] == -2 && w->lost_since == 0)
            read_notifies(w);
        else if (owner[k] >= 0 && ewq_child_pump(&w->slots[owner[k]].child))
            wk_child_ended(w, &w->slots[owner[k]]);
    }
}

static void step(worker *w)
{
    if (w->lost_since > 0)
        try_reconnect(w);
    if (w->lost_since == 0 && wk_now() >= w->next_beat)
        beat(w);
    if (w->lost_since == 0 && !w->stops && wk_now() >= w->next_claim)
        w->want_claim = true;
    if (w->lost_since == 0 && !w->stops && w->want_claim)
        wk_claim(w);
    if (w->lost_since == 0)
        wk_store_all(w); /* the reports of the jobs before, while the new ones run */
    if (w->lost_since > 0 && w->stops)
        wk_give_up(w);
    wk_time_limits(w);
}

static int loop(worker *w)
{
    w->next_beat = wk_now();
    w->want_claim = true;
    while (!(w->stops && wk_busy(w) == 0)) {
        if (w->stops >= 2) {
            wk_give_back(w);
            break;
        }
        step(w);
        if (!(w->stops && wk_busy(w) == 0))
            wait_events(w);
    }
    ewq_worker_row row = {w->name, w->host, (long)getpid(), w->o->jobs, 0,
                          w->st.done, w->st.failed + w->st.dead, true};
    if (w->lost_since == 0 && ewq_worker_seen(w->db, &row) != EWQ_OK)
        wk_db_trouble(w, "signing off");
    return w->gave_up ? EXIT_FINDINGS : EXIT_CLEAN;
}

static void summary(const worker *w)
{
    const stats *st = &w->st;
    double n = st->measured ? (double)st->measured : 1.0;
    wk_say(w, true,
        "stopped: %lld done, %lld failed attempt%s, %lld dead, %lld lost; per job: analysis "
        "%.1f ms, added by the queue %.2f ms (database %.2f ms)",
        st->done, st->failed, st->failed == 1 ? "" : "s", st->dead, st->lost,
        st->analysis_s * 1e3 / n, st->overhead_s * 1e3 / n, st->db_s * 1e3 / n);
}

/* The first connection: a database that is not up yet is waited for; one
 * without the schema is an error. */
static int first_connect(worker *w)
{
    if (ewq_db_connect(w->db) == EWQ_OK && db_setup(w) == 0)
        return 0;
    if (!ewq_db_lost(w->db)) {
        fprintf(stderr, "ewdiag worker: %s\n", ewq_db_error(w->db));
        return -1;
    }
    db_down(w);
    return 0;
}

static int worker_init(worker *w, const worker_opts *o)
{
    w->o = o;
    if (gethostname(w->host, sizeof w->host) != 0)
        snprintf(w->host, sizeof w->host, "localhost");
    w->host[sizeof w->host - 1] = '\0';
    snprintf(w->name, sizeof w->name, "%s:%ld", w->host, (long)getpid());
    srand((unsigned)getpid() ^ (unsigned)time(NULL));
    if (!(w->slots = calloc((size_t)o->jobs, sizeof *w->slots)) ||
        !(w->db = ewq_db_new(o->db, "ewdiag worker"))) {
        fputs("ewdiag worker: out of memory\n", stderr);
        return -1;
    }
    for (int i = 0; i < o->jobs; i++)
        ewq_child_init(&w->slots[i].child);
    if (install_signals() != 0) {
        fprintf(stderr, "ewdiag worker: cannot set up signals: %s\n", strerror(errno));
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("ewdiag worker: libcurl cannot start\n", stderr);
        return -1;
    }
    return 0;
}

int ewq_worker_run(const worker_opts *o)
{
    worker w = {0};
    int status = EXIT_TROUBLE;
    /* Rules are loaded once, here: each child gets a copy with fork(). */
    if (worker_init(&w, o) == 0 && (w.a = configure(&o->an, true)) != NULL &&
        first_connect(&w) == 0) {
        wk_say(&w, false, "%s: %d job%s at once, lease %d s, time limit %d s", w.name, o->jobs,
            o->jobs == 1 ? "" : "s", o->lease_s, o->time_limit_s);
        status = loop(&w);
        summary(&w);
    }
    wk_slots_free(&w);
    free(w.slots);
    ewq_db_free(w.db);
    ewdiag_analyzer_free(w.a);
    curl_global_cleanup();
    for (int i = 0; i < 2; i++)
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
    return status;
}
