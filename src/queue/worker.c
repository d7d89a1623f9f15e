/* worker.c - one thread, one database connection, one event loop: child
 * processes analyze, the loop claims jobs, renews their leases, enforces
 * time limits and stores what the children send. Nothing here blocks for
 * long: the connection has timeouts (db.c), and while it is down the
 * children go on and their results wait, to be stored after reconnecting
 * if the leases are still ours. */
#include "worker.h"

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

#include "child.h"
#include "db_int.h"
#include "queue_int.h"

#define IDLE_POLL_S 2.0        /* look for due jobs this often without a NOTIFY */
#define BACKOFF_MIN_S 0.1      /* reconnect: first wait, doubled up to the max */
#define BACKOFF_MAX_S 10.0
#define CLAIM_ERROR_PAUSE_S 1.0
#define STATEMENT_TIMEOUT "60s"
#define HOST_MAX 200
#define NAME_MAX_ 256

typedef enum slot_phase { SLOT_FREE, SLOT_RUNNING, SLOT_STORING } slot_phase;

typedef struct slot {
    slot_phase phase;
    ewq_claim job;
    ewq_child child;
    ewq_outcome out;
    double claimed_at, deadline;
    bool drop;          /* lease lost or giving up: do not store */
    char killed_for[128];
} slot;

typedef struct stats {
    long long done, failed, dead, lost;
    long long measured;
    double db_s, overhead_s, analysis_s;
} stats;

typedef struct worker {
    const worker_opts *o;
    char host[HOST_MAX], name[NAME_MAX_];
    ewq_db *db;
    ewdiag_analyzer *a;
    slot *slots;
    int stops; /* SIGTERM/SIGINT received */
    bool want_claim;
    double next_beat, next_claim, next_reconnect, backoff, lost_since;
    stats st;
    bool gave_up;
} worker;

/* The signal handler's way into the loop (the one static the loop needs). */
static int sig_pipe[2] = {-1, -1};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void say(const worker *w, bool always, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(const worker *w, bool always, const char *fmt, ...)
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

static int busy_slots(const worker *w)
{
    int n = 0;
    for (int i = 0; i < w->o->jobs; i++)
        n += w->slots[i].phase != SLOT_FREE;
    return n;
}

/* ---- the connection ---------------------------------------------------- */

static void db_down(worker *w)
{
    if (w->lost_since > 0)
        return;
    say(w, true, "%s; reconnecting", ewq_db_error(w->db));
    w->lost_since = now_s();
    w->backoff = BACKOFF_MIN_S;
    w->next_reconnect = w->lost_since;
}

/* After a failed statement: a lost connection is retried, anything else
 * is said. */
static void db_trouble(worker *w, const char *what)
{
    if (ewq_db_lost(w->db))
        db_down(w);
    else
        say(w, true, "%s: %s", what, ewq_db_error(w->db));
}

/* The leases this worker holds, for the heartbeat and for disowning. */
static size_t held_leases(const worker *w, int64_t *leases, int *which)
{
    size_t n = 0;
    for (int i = 0; i < w->o->jobs; i++)
        if (w->slots[i].phase != SLOT_FREE) {
            leases[n] = w->slots[i].job.lease;
            which[n++] = i;
        }
    return n;
}

/* A fresh connection: session settings, LISTEN, and the claims whose
 * answers were lost with the old one given back. */
static int db_setup(worker *w)
{
    int64_t leases[EWQ_MAX_SLOTS];
    int which[EWQ_MAX_SLOTS];
    size_t n = held_leases(w, leases, which);
    if (ewq_exec(w->db, "SET statement_timeout = '" STATEMENT_TIMEOUT "'", 0, NULL) != EWQ_OK ||
        ewq_exec(w->db, "LISTEN " EWQ_CHANNEL, 0, NULL) != EWQ_OK ||
        ewq_schema_check(w->db) != EWQ_OK || ewq_disown(w->db, w->name, leases, n) != EWQ_OK)
        return -1;
    return 0;
}

static void try_reconnect(worker *w)
{
    double t = now_s();
    if (t < w->next_reconnect)
        return;
    if (ewq_db_connect(w->db) == EWQ_OK && db_setup(w) == 0) {
        say(w, true, "database connection back after %.1f s", t - w->lost_since);
        w->lost_since = 0;
        w->want_claim = true;
        w->next_beat = t;
        return;
    }
    /* Jitter keeps a fleet of workers from reconnecting in step. */
    w->backoff = w->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : w->backoff * 2;
    w->next_reconnect = t + w->backoff * (0.5 + (double)rand() / RAND_MAX / 2);
}

/* ---- jobs -------------------------------------------------------------- */

static void start_job(worker *w, slot *s)
{
    char why[EWQ_WHY_MAX];
    if (ewq_child_run(&s->child, w->a, &s->job, w->o->db, why) != 0) {
        /* Not the bundle's fault: a later try may work (or another worker). */
        say(w, true, "job %lld: %s", (long long)s->job.id, why);
        if (ewq_release(w->db, s->job.id, s->job.lease) != EWQ_OK)
            db_trouble(w, "giving a job back");
        ewq_claim_clear(&s->job);
        s->phase = SLOT_FREE;
        w->next_claim = now_s() + CLAIM_ERROR_PAUSE_S;
        w->want_claim = false;
        return;
    }
    s->phase = SLOT_RUNNING;
    s->deadline = now_s() + w->o->time_limit_s;
    say(w, false, "job %lld: started (attempt %d of %d): %s", (long long)s->job.id,
        s->job.attempts, s->job.max_attempts, s->job.location);
}

static void claim_jobs(worker *w)
{
    for (int i = 0; i < w->o->jobs && w->want_claim; i++) {
        slot *s = &w->slots[i];
        if (s->phase != SLOT_FREE)
            continue;
        double t = now_s();
        int rc = ewq_claim_next(w->db, w->name, w->o->lease_s, &s->job);
        w->st.db_s += now_s() - t;
        if (rc == EWQ_ENOTFOUND) {
            w->want_claim = false;
            w->next_claim = now_s() + IDLE_POLL_S;
            return;
        }
        if (rc != EWQ_OK) {
            db_trouble(w, "claiming a job");
            w->want_claim = false;
            w->next_claim = now_s() + CLAIM_ERROR_PAUSE_S;
            return;
        }
        memset(&s->out, 0, sizeof s->out);
        s->drop = false;
        s->killed_for[0] = '\0';
        s->claimed_at = t;
        start_job(w, s);
    }
}

/* The job is over; the slot's analysis process stays for the next. */
static void free_slot(slot *s)
{
    ewq_child_next(&s->child);
    ewq_claim_clear(&s->job);
    memset(&s->out, 0, sizeof s->out);
    s->phase = SLOT_FREE;
}

static void child_ended(worker *w, slot *s)
{
    ewq_child_finish(&s->child, s->killed_for[0] ? s->killed_for : NULL, &s->out);
    if (s->drop) {
        say(w, true, "job %lld: lease lost (taken over after this worker stalled); its "
                     "analysis is dropped",
            (long long)s->job.id);
        w->st.lost++;
        free_slot(s);
        w->want_claim = true;
        return;
    }
    s->phase = SLOT_STORING;
}

static void stored(worker *w, slot *s)
{
    w->st.done++;
    w->st.measured++;
    w->st.analysis_s += s->out.analysis_s;
    w->st.overhead_s += now_s() - s->claimed_at - s->out.analysis_s;
    say(w, false, "job %lld: done in %.2f s, %llu finding%s: %s", (long long)s->job.id,
        now_s() - s->claimed_at, (unsigned long long)s->out.findings,
        s->out.findings == 1 ? "" : "s", s->job.location);
}

static void failed(worker *w, slot *s, const char *why)
{
    bool dead = false;
    int rc = ewq_fail_job(w->db, s->job.id, s->job.lease, why, w->o->retry_delay_s, &dead);
    if (rc == EWQ_EDB && ewq_db_lost(w->db)) {
        db_down(w);
        return; /* stays SLOT_STORING: tried again after reconnecting */
    }
    if (rc == EWQ_OK && dead) {
        w->st.dead++;
        say(w, true, "job %lld: dead after %d attempts: %s", (long long)s->job.id,
            s->job.attempts, why);
    } else if (rc == EWQ_OK) {
        w->st.failed++;
        say(w, true, "job %lld: attempt %d of %d failed: %s", (long long)s->job.id,
            s->job.attempts, s->job.max_attempts, why);
    } else if (rc == EWQ_ENOTFOUND) {
        w->st.lost++;
        say(w, true, "job %lld: lease lost before its failure was recorded", (long long)s->job.id);
    } else {
        db_trouble(w, "recording a failure");
    }
    free_slot(s);
    w->want_claim = true;
}

static void store(worker *w, slot *s)
{
    if (!s->out.ok) {
        char why[EWQ_WHY_MAX];
        snprintf(why, sizeof why, "%s", s->out.why);
        failed(w, s, why);
        return;
    }
    double t = now_s();
    int rc = ewq_complete(w->db, s->job.id, s->job.lease, s->out.json, s->out.text);
    w->st.db_s += now_s() - t;
    if (rc == EWQ_EDB && ewq_db_lost(w->db)) {
        db_down(w);
        return;
    }
    if (rc == EWQ_OK) {
        stored(w, s);
    } else if (rc == EWQ_ENOTFOUND) {
        w->st.lost++;
        say(w, true, "job %lld: lease lost (taken over after this worker stalled); its result "
                     "is dropped",
            (long long)s->job.id);
    } else {
        /* The database refused this report: the job's failure, not the worker's. */
        char why[EWQ_WHY_MAX];
        snprintf(why, sizeof why, "cannot store the report: %s", ewq_db_error(w->db));
        failed(w, s, why);
        return;
    }
    free_slot(s);
    w->want_claim = true;
}

static void store_all(worker *w)
{
    for (int i = 0; i < w->o->jobs && w->lost_since == 0; i++)
        if (w->slots[i].phase == SLOT_STORING)
            store(w, &w->slots[i]);
}

/* ---- heartbeat --------------------------------------------------------- */

static void lease_lost(worker *w, slot *s)
{
    if (s->phase == SLOT_RUNNING) {
        s->drop = true;
        ewq_child_kill(&s->child);
        return;
    }
    say(w, true, "job %lld: lease lost before its result was stored; dropped",
        (long long)s->job.id);
    w->st.lost++;
    free_slot(s);
    w->want_claim = true;
}

static void beat(worker *w)
{
    int64_t leases[EWQ_MAX_SLOTS];
    int which[EWQ_MAX_SLOTS];
    bool kept[EWQ_MAX_SLOTS];
    size_t n = held_leases(w, leases, which);
    double t = now_s();
    w->next_beat = t + (w->o->lease_s / 3.0 < 1.0 ? 1.0 : w->o->lease_s / 3.0);
    if (n > 0 && ewq_heartbeat(w->db, w->name, w->o->lease_s, leases, n, kept) != EWQ_OK) {
        db_trouble(w, "renewing leases");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (!kept[i])
            lease_lost(w, &w->slots[which[i]]);
    int requeued = 0, dead = 0;
    ewq_worker_row row = {w->name, w->host, (long)getpid(), w->o->jobs, busy_slots(w),
                          w->st.done, w->st.failed + w->st.dead, w->stops > 0};
    if (ewq_reap(w->db, &requeued, &dead) != EWQ_OK || ewq_worker_seen(w->db, &row) != EWQ_OK) {
        db_trouble(w, "checking leases");
        return;
    }
    w->st.db_s += now_s() - t;
    if (requeued || dead)
        say(w, true, "expired leases of stopped workers: %d job%s queued again, %d dead",
            requeued, requeued == 1 ? "" : "s", dead);
    if (requeued)
        w->want_claim = true;
}

static void enforce_time_limits(worker *w)
{
    double t = now_s();
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        if (s->phase == SLOT_RUNNING && !s->killed_for[0] && t >= s->deadline) {
            snprintf(s->killed_for, sizeof s->killed_for,
                     "the analysis exceeded the time limit of %d s", w->o->time_limit_s);
            ewq_child_kill(&s->child);
        }
    }
}

/* ---- the loop ---------------------------------------------------------- */

static double next_wakeup(const worker *w)
{
    double t = now_s(), at = t + IDLE_POLL_S;
    if (w->lost_since > 0 && w->next_reconnect < at)
        at = w->next_reconnect;
    if (w->lost_since == 0 && w->next_beat < at)
        at = w->next_beat;
    if (w->lost_since == 0 && !w->stops && busy_slots(w) < w->o->jobs && w->next_claim < at)
        at = w->next_claim;
    for (int i = 0; i < w->o->jobs; i++)
        if (w->slots[i].phase == SLOT_RUNNING && w->slots[i].deadline < at)
            at = w->slots[i].deadline;
    return at > t ? at - t : 0;
}

static void read_signals(worker *w)
{
    unsigned char b[64];
    ssize_t n;
    while ((n = read(sig_pipe[0], b, sizeof b)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            w->stops++;
            say(w, true, w->stops == 1 ? "%s: finishing the jobs in hand, then stopping"
                                       : "%s again: giving the jobs in hand back and stopping",
                strsignal(b[i]));
        }
}

static void read_notifies(worker *w)
{
    if (PQconsumeInput(w->db->conn) == 0) {
        ewq_fail_result(w->db, NULL);
        db_trouble(w, "listening");
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
        if (w->slots[i].phase == SLOT_RUNNING) {
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
            child_ended(w, &w->slots[owner[k]]);
    }
}

/* Stopping, and the database stayed away longer than a lease: the jobs
 * are someone else's by now. */
static void give_up(worker *w)
{
    if (now_s() - w->lost_since < w->o->lease_s)
        return;
    for (int i = 0; i < w->o->jobs; i++)
        if (w->slots[i].phase == SLOT_STORING) {
            say(w, true, "job %lld: result not stored (database unreachable); it returns to "
                         "the queue when its lease ends",
                (long long)w->slots[i].job.id);
            free_slot(&w->slots[i]);
            w->gave_up = true;
        }
}

/* A second signal: the children killed, their jobs given back uncounted. */
static void give_back_all(worker *w)
{
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        if (s->phase == SLOT_FREE)
            continue;
        if (w->lost_since == 0 && ewq_release(w->db, s->job.id, s->job.lease) != EWQ_OK)
            db_trouble(w, "giving a job back");
        say(w, true, "job %lld: given back to the queue", (long long)s->job.id);
        ewq_child_clear(&s->child);
        free_slot(s);
    }
}

static void step(worker *w)
{
    if (w->lost_since > 0)
        try_reconnect(w);
    if (w->lost_since == 0)
        store_all(w);
    if (w->lost_since == 0 && now_s() >= w->next_beat)
        beat(w);
    if (w->lost_since == 0 && !w->stops && now_s() >= w->next_claim)
        w->want_claim = true;
    if (w->lost_since == 0 && !w->stops && w->want_claim)
        claim_jobs(w);
    if (w->lost_since > 0 && w->stops)
        give_up(w);
    enforce_time_limits(w);
}

static int loop(worker *w)
{
    w->next_beat = now_s();
    w->want_claim = true;
    while (!(w->stops && busy_slots(w) == 0)) {
        if (w->stops >= 2) {
            give_back_all(w);
            break;
        }
        step(w);
        if (!(w->stops && busy_slots(w) == 0))
            wait_events(w);
    }
    ewq_worker_row row = {w->name, w->host, (long)getpid(), w->o->jobs, 0,
                          w->st.done, w->st.failed + w->st.dead, true};
    if (w->lost_since == 0 && ewq_worker_seen(w->db, &row) != EWQ_OK)
        db_trouble(w, "signing off");
    return w->gave_up ? EXIT_FINDINGS : EXIT_CLEAN;
}

static void summary(const worker *w)
{
    const stats *st = &w->st;
    double n = st->measured ? (double)st->measured : 1.0;
    say(w, true,
        "stopped: %lld done, %lld failed attempt%s, %lld dead, %lld lost; per job: analysis "
        "%.1f ms, queue overhead %.2f ms (database %.2f ms)",
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
        say(&w, false, "%s: %d job%s at once, lease %d s, time limit %d s", w.name, o->jobs,
            o->jobs == 1 ? "" : "s", o->lease_s, o->time_limit_s);
        status = loop(&w);
        summary(&w);
    }
    for (int i = 0; w.slots && i < o->jobs; i++) {
        ewq_child_clear(&w.slots[i].child);
        ewq_claim_clear(&w.slots[i].job);
    }
    free(w.slots);
    ewq_db_free(w.db);
    ewdiag_analyzer_free(w.a);
    curl_global_cleanup();
    for (int i = 0; i < 2; i++)
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
    return status;
}
