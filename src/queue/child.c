/* child.c - the analysis processes. Each runs on a copy of the worker's
 * analyzer (fork), keeps nothing of the worker (its database connection,
 * its pipes, its signals), dies with the worker, and always leaves with
 * _exit(): the worker's atexit handlers and libpq connection are not its
 * to close. */
#include "child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "../cli/outcome.h"
#include "blob.h"
#include "fetch.h"

#define CHILD_EXIT_OK 0
#define CHILD_EXIT_SETUP 3 /* could not cut itself off from the worker */
#define CHILD_EXIT_PIPE 4  /* could not read its job or send its report */
#define READ_CHUNK 65536
#define BUF_KEEP (1 << 20)  /* a larger report buffer is freed after its job */
#define COMM_MAX 16         /* a Linux process name, NUL included */
#define FD_SCAN_MAX 4096    /* descriptors closed when /proc cannot list them */
#define LOCATION_MAX (1 << 20)
#define EXIT_WAIT_MS 1000   /* an idle process told to leave: then SIGKILL */

/* What the child sends back first; the texts follow. Same binary on both
 * ends of the pipe, so the layout is shared as is. */
typedef struct frame {
    int32_t ok;
    int32_t max_severity;
    int32_t incomplete; /* an input went unread in part */
    uint32_t warnings;
    uint64_t findings;
    double analysis_s;
    uint64_t json_len, text_len, html_len, why_len;
} frame;

/* A job, followed by its location. */
typedef struct job_msg {
    int64_t id;
    uint32_t blob;
    uint32_t location_len;
} job_msg;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads or writes all n bytes, through EINTR and short counts; -1 on an
 * error or an early end of file. */
static int io_all(int fd, void *p, size_t n, bool writing)
{
    char *s = p;
    while (n > 0) {
        ssize_t k = writing ? write(fd, s, n) : read(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
    return io_all(fd, (void *)p, n, true);
}

static int read_all(int fd, void *p, size_t n)
{
    return io_all(fd, p, n, false);
}

/* ---- in the child -------------------------------------------------------- */

/* Every descriptor but the standard ones and its two pipes: another
 * process's job pipe held open here would never let that one end. */
static void close_others(int keep1, int keep2)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        for (int fd = 3; fd < FD_SCAN_MAX; fd++)
            if (fd != keep1 && fd != keep2)
                close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (fd > 2 && fd != keep1 && fd != keep2 && fd != dirfd(d))
            close(fd);
    }
    closedir(d);
}

static void set_name(int64_t job_id)
{
#ifdef __linux__
    char name[2 * COMM_MAX]; /* the kernel keeps COMM_MAX - 1 of it */
    if (job_id > 0)
        snprintf(name, sizeof name, "ewjob %lld", (long long)job_id); /* ps shows the job */
    else
        snprintf(name, sizeof name, "ewjob -");
    if (prctl(PR_SET_NAME, name) != 0) {
        /* a name is a convenience */
    }
#else
    (void)job_id;
#endif
}

/* Terminal and service-manager signals are the worker's to handle: it
 * drains its jobs, so its analyses must go on. It goes, they go. */
static int child_setup(int in, int out, pid_t parent)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&ign.sa_mask);
    sigemptyset(&dfl.sa_mask);
    close_others(in, out);
    if (sigaction(SIGINT, &ign, NULL) != 0 || sigaction(SIGTERM, &ign, NULL) != 0 ||
        sigaction(SIGHUP, &ign, NULL) != 0 || sigaction(SIGPIPE, &dfl, NULL) != 0 ||
        sigaction(SIGCHLD, &dfl, NULL) != 0 || setpgid(0, 0) != 0)
        return -1;
#ifdef __linux__
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return -1;
#endif
    set_name(0);
    return getppid() == parent ? 0 : -1; /* the worker died before prctl */
}

/* Analyzes the location, the upload or the URL of job into r. */
static bool analyze(ewdiag_analyzer *a, ewdiag_report *r, const ewq_claim *job,
                    const char *conninfo, char *why, size_t cap)
{
    int rc;
    char err[EWQ_FETCH_ERR_MAX] = "";
    if (job->blob) {
        ewq_blob *b = ewq_blob_open(conninfo, job->blob, why, cap);
        if (!b)
            return false;
        rc = ewdiag_analyze_read(a, r, ewq_blob_read, b, job->location);
        snprintf(err, sizeof err, "%s", ewq_blob_error(b));
        ewq_blob_free(b);
    } else if (ewq_is_url(job->location)) {
        ewq_fetch *f = ewq_fetch_open(job->location, err);
        if (!f) {
            snprintf(why, cap, "%s: %s", job->location, err);
            return false;
        }
        rc = ewdiag_analyze_read(a, r, ewq_fetch_read, f, job->location);
        snprintf(err, sizeof err, "%s", ewq_fetch_error(f));
        ewq_fetch_free(f);
    } else {
        rc = ewdiag_analyze_path(a, r, job->location);
    }
    /* A transfer cut short is retried, not stored as a partial report. */
    if (*err)
        snprintf(why, cap, "%s: %s", job->location, err);
    else if (rc != EWDIAG_OK)
        snprintf(why, cap, "%s", ewdiag_error(a));
    return !*err && rc == EWDIAG_OK;
}

/* One job: analyze, send the frame. */
static int run_job(int out, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo)
{
    frame h = {.max_severity = -1};
    char why[EWQ_WHY_MAX] = "";
    char *json = NULL, *text = NULL, *html = NULL;
    size_t jlen = 0, tlen = 0, hlen = 0;
    double t0 = now_s();
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        snprintf(why, sizeof why, "out of memory");
    else if (analyze(a, r, job, conninfo, why, sizeof why)) {
        json = ewdiag_report_serialize(r, EWDIAG_FORMAT_JSON, EWDIAG_WRITE_COMPACT, &jlen);
        text = ewdiag_report_serialize(r, EWDIAG_FORMAT_TEXT, 0, &tlen);
        html = ewdiag_report_serialize(r, EWDIAG_FORMAT_HTML, 0, &hlen);
        h.ok = json && text && html;
        if (!h.ok)
            snprintf(why, sizeof why, "out of memory writing the report");
        h.findings = ewdiag_report_finding_count(r);
        h.max_severity = ewdiag_report_max_severity(r);
        h.incomplete = report_incomplete(r);
        size_t nw = ewdiag_report_warning_count(r);
        h.warnings = nw > UINT32_MAX ? UINT32_MAX : (uint32_t)nw;
    }
    h.analysis_s = now_s() - t0;
    h.json_len = h.ok ? jlen : 0;
    h.text_len = h.ok ? tlen : 0;
    h.html_len = h.ok ? hlen : 0;
    h.why_len = h.ok ? 0 : strlen(why);
    int rc = write_all(out, &h, sizeof h);
    if (rc == 0 && h.ok)
        rc = write_all(out, json, jlen) == 0 && write_all(out, text, tlen) == 0 &&
                     write_all(out, html, hlen) == 0
                 ? 0
                 : -1;
    if (rc == 0 && !h.ok)
        rc = write_all(out, why, h.why_len);
    free(json);
    free(text);
    free(html);
    ewdiag_report_free(r);
    return rc;
}

static void child_loop(int in, int out, ewdiag_analyzer *a, const char *conninfo)
{
    job_msg m;
    while (read_all(in, &m, sizeof m) == 0) {
        char *loc = m.location_len <= LOCATION_MAX ? malloc(m.location_len + 1) : NULL;
        if (!loc || read_all(in, loc, m.location_len) != 0)
            _exit(CHILD_EXIT_PIPE);
        loc[m.location_len] = '\0';
        ewq_claim job = {.id = m.id, .blob = m.blob, .location = loc};
        set_name(m.id);
        if (run_job(out, a, &job, conninfo) != 0)
            _exit(CHILD_EXIT_PIPE);
        set_name(0);
        free(loc);
    }
    _exit(CHILD_EXIT_OK); /* the worker closed the job pipe */
}

/* ---- in the worker ------------------------------------------------------- */

void ewq_child_init(ewq_child *c)
{
    memset(c, 0, sizeof *c);
    c->job_fd = c->fd = -1;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int spawn(ewq_child *c, ewdiag_analyzer *a, const char *conninfo, char *why)
{
    int jp[2], rp[2];
    if (pipe2(jp, O_CLOEXEC) != 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(rp, O_CLOEXEC) != 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot make a pipe: %s", strerror(errno));
        close(jp[0]);
        close(jp[1]);
        return -1;
    }
    pid_t parent = getpid();
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        if (child_setup(jp[0], rp[1], parent) != 0)
            _exit(CHILD_EXIT_SETUP);
        child_loop(jp[0], rp[1], a, conninfo);
    }
    close(jp[0]);
    close(rp[1]);
    if (pid < 0 || fcntl(rp[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot start an analysis process: %s", strerror(errno));
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        close(jp[1]);
        close(rp[0]);
        return -1;
    }
    c->pid = pid;
    c->job_fd = jp[1];
    c->fd = rp[0];
    c->jobs = 0;
    return 0;
}

static int send_job(ewq_child *c, const ewq_claim *job)
{
    size_t n = strlen(job->location);
    job_msg m = {.id = job->id, .blob = job->blob, .location_len = (uint32_t)n};
    if (n > LOCATION_MAX)
        return -1;
    return write_all(c->job_fd, &m, sizeof m) == 0 && write_all(c->job_fd, job->location, n) == 0
               ? 0
               : -1;
}

int ewq_child_run(ewq_child *c, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo,
                  char why[EWQ_WHY_MAX])
{
    if (c->pid && c->jobs >= EWQ_CHILD_JOBS)
        ewq_child_clear(c); /* fresh memory */
    ewq_child_next(c);
    for (int tries = 0; tries < 2; tries++) {
        if (!c->pid && spawn(c, a, conninfo, why) != 0)
            return -1;
        if (send_job(c, job) == 0) {
            c->jobs++;
            c->busy = true;
            return 0;
        }
        ewq_child_clear(c); /* it died while idle: another one */
    }
    snprintf(why, EWQ_WHY_MAX, "cannot hand the job to an analysis process");
    return -1;
}

static int grow(ewq_child *c)
{
    size_t want = c->cap ? c->cap * 2 : READ_CHUNK;
    if (want > 3 * EWQ_MAX_REPORT + sizeof(frame) + EWQ_WHY_MAX)
        return -1;
    char *b = realloc(c->buf, want + 3); /* + a NUL after each text */
    if (!b)
        return -1;
    c->buf = b;
    c->cap = want;
    return 0;
}

/* Whether the buffer holds the whole frame (and not more). */
static bool frame_whole(const ewq_child *c, bool *bad)
{
    frame h;
    if (c->len < sizeof h)
        return false;
    memcpy(&h, c->buf, sizeof h);
    if (h.json_len > EWQ_MAX_REPORT || h.text_len > EWQ_MAX_REPORT ||
        h.html_len > EWQ_MAX_REPORT || h.why_len >= EWQ_WHY_MAX) {
        *bad = true;
        return false;
    }
    size_t total = sizeof h + h.json_len + h.text_len + h.html_len + h.why_len;
    *bad = c->len > total;
    return c->len == total;
}

int ewq_child_pump(ewq_child *c)
{
    bool bad = false;
    while (c->fd >= 0 && !c->whole) {
        if (c->len == c->cap && grow(c) != 0) {
            c->too_big = true; /* or no memory for it: it will not be stored */
            break;
        }
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            break;
        c->len += (size_t)n;
        c->whole = frame_whole(c, &bad);
        c->busy = !c->whole;
        if (bad) {
            c->too_big = true;
            break;
        }
    }
    if (!c->whole) { /* ended, or refused: the process goes */
        ewq_child_kill(c);
        close_fd(&c->fd);
    }
    return 1;
}

void ewq_child_kill(ewq_child *c)
{
    if (c->pid > 0)
        kill(c->pid, SIGKILL);
}

/* The report, its text and its HTML from the whole frame. */
static void parse_frame(ewq_child *c, ewq_outcome *out)
{
    frame h;
    memcpy(&h, c->buf, sizeof h);
    char *p = c->buf + sizeof h;
    out->ok = h.ok != 0;
    out->findings = h.findings;
    out->max_severity = h.max_severity;
    out->incomplete = h.incomplete != 0;
    out->warnings = h.warnings;
    out->analysis_s = h.analysis_s;
    if (out->ok) {
        /* Terminate each text in place (the buffer has room for three
         * NULs): the last first, each moved up by the NULs before it. */
        memmove(p + h.json_len + h.text_len + 2, p + h.json_len + h.text_len, h.html_len);
        memmove(p + h.json_len + 1, p + h.json_len, h.text_len);
        p[h.json_len] = '\0';
        p[h.json_len + 1 + h.text_len] = '\0';
        p[h.json_len + h.text_len + 2 + h.html_len] = '\0';
        out->json = p;
        out->text = p + h.json_len + 1;
        out->html = p + h.json_len + h.text_len + 2;
    } else {
        snprintf(out->why, sizeof out->why, "%.*s", (int)h.why_len, p);
    }
}

static int reap(ewq_child *c)
{
    int status = 0;
    pid_t got;
    while ((got = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    c->pid = 0;
    close_fd(&c->job_fd);
    close_fd(&c->fd);
    return got > 0 ? status : -1;
}

void ewq_child_finish(ewq_child *c, const char *killed_for, ewq_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->max_severity = -1;
    c->busy = false;
    if (c->whole) {
        parse_frame(c, out);
        if (killed_for) /* it finished as it was killed: the report stands */
            reap(c);
        return;
    }
    int status = c->pid ? reap(c) : -1;
    if (killed_for)
        snprintf(out->why, sizeof out->why, "%s", killed_for);
    else if (c->too_big)
        snprintf(out->why, sizeof out->why,
                 "the report is larger than %zu MiB (or no memory to hold it)",
                 EWQ_MAX_REPORT >> 20);
    else if (status != -1 && WIFSIGNALED(status))
        snprintf(out->why, sizeof out->why, "the analysis crashed (signal %d, %s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out->why, sizeof out->why, "the analysis ended without a result (exit status %d)",
                 status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

void ewq_child_next(ewq_child *c)
{
    c->len = 0;
    c->whole = c->too_big = false;
    if (c->cap > BUF_KEEP) {
        free(c->buf);
        c->buf = NULL;
        c->cap = 0;
    }
}

char *ewq_child_take(ewq_child *c)
{
    char *b = c->buf;
    c->buf = NULL;
    c->len = c->cap = 0;
    c->whole = c->too_big = false;
    return b;
}

/* An idle process leaves when its job pipe closes; one that does not
 * within EXIT_WAIT_MS is killed. */
static void wait_exit(ewq_child *c)
{
    for (int ms = 0; ms < EXIT_WAIT_MS; ms += 10) {
        pid_t got = waitpid(c->pid, NULL, WNOHANG);
        if (got == c->pid || (got < 0 && errno != EINTR)) {
            c->pid = 0;
            return;
        }
        poll(NULL, 0, 10);
    }
    kill(c->pid, SIGKILL);
    reap(c);
}

void ewq_child_clear(ewq_child *c)
{
    close_fd(&c->job_fd);
    if (c->pid > 0) {
        if (c->busy)
            kill(c->pid, SIGKILL); /* mid-job */
        wait_exit(c);
    }
    close_fd(&c->fd);
    c->pid = 0;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
    c->whole = c->too_big = c->busy = false;
}
