/* child.c - the analysis process. It runs on a copy of the worker's
 * analyzer (fork), owns nothing of the worker (its database connection,
 * its signals), dies with the worker, and always leaves with _exit(): the
 * worker's atexit handlers and libpq connection are not its to close. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
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

#include "blob.h"
#include "fetch.h"

#define CHILD_EXIT_OK 0
#define CHILD_EXIT_PIPE 3 /* could not send the result */
#define READ_CHUNK 65536
#define COMM_MAX 16       /* a Linux process name, NUL included */

/* What the child sends first; the three texts follow. Same binary on both
 * ends of the pipe, so the layout is shared as is. */
typedef struct frame {
    int32_t ok;
    int32_t max_severity;
    uint64_t findings;
    double analysis_s;
    uint64_t json_len, text_len, why_len;
} frame;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Terminal and service-manager signals are the worker's to handle: it
 * drains its jobs, so its analyses must go on. It goes, they go. */
static int child_setup(int64_t job_id, pid_t parent, const int *fds, int nfds)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&ign.sa_mask);
    sigemptyset(&dfl.sa_mask);
    for (int i = 0; i < nfds; i++)
        if (fds[i] >= 0 && close(fds[i]) != 0)
            return -1;
    if (sigaction(SIGINT, &ign, NULL) != 0 || sigaction(SIGTERM, &ign, NULL) != 0 ||
        sigaction(SIGHUP, &ign, NULL) != 0 || sigaction(SIGPIPE, &dfl, NULL) != 0 ||
        sigaction(SIGCHLD, &dfl, NULL) != 0 || setpgid(0, 0) != 0)
        return -1;
#ifdef __linux__
    char name[COMM_MAX];
    snprintf(name, sizeof name, "ewjob %lld", (long long)job_id); /* ps shows the job */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_NAME, name) != 0)
        return -1;
#endif
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

static void child_main(int wfd, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo)
{
    frame h = {.max_severity = -1};
    char why[EWQ_WHY_MAX] = "";
    char *json = NULL, *text = NULL;
    size_t jlen = 0, tlen = 0;
    double t0 = now_s();
    ewdiag_report *r = ewdiag_report_new();
    if (!r)
        snprintf(why, sizeof why, "out of memory");
    else if (analyze(a, r, job, conninfo, why, sizeof why)) {
        json = ewdiag_report_serialize(r, EWDIAG_FORMAT_JSON, EWDIAG_WRITE_COMPACT, &jlen);
        text = ewdiag_report_serialize(r, EWDIAG_FORMAT_TEXT, 0, &tlen);
        h.ok = json && text;
        if (!h.ok)
            snprintf(why, sizeof why, "out of memory writing the report");
        h.findings = ewdiag_report_finding_count(r);
        h.max_severity = ewdiag_report_max_severity(r);
    }
    h.analysis_s = now_s() - t0;
    h.json_len = h.ok ? jlen : 0;
    h.text_len = h.ok ? tlen : 0;
    h.why_len = h.ok ? 0 : strlen(why);
    int rc = write_all(wfd, &h, sizeof h);
    if (rc == 0 && h.ok)
        rc = write_all(wfd, json, jlen) == 0 && write_all(wfd, text, tlen) == 0 ? 0 : -1;
    if (rc == 0 && !h.ok)
        rc = write_all(wfd, why, h.why_len);
    _exit(rc == 0 ? CHILD_EXIT_OK : CHILD_EXIT_PIPE);
}

int ewq_child_start(ewq_child *c, ewdiag_analyzer *a, const ewq_claim *job, const char *conninfo,
                    const int *fds, int nfds, char why[EWQ_WHY_MAX])
{
    int p[2];
    memset(c, 0, sizeof *c);
    c->fd = -1;
    if (pipe2(p, O_CLOEXEC) != 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        if (child_setup(job->id, parent, fds, nfds) != 0)
            _exit(CHILD_EXIT_PIPE);
        child_main(p[1], a, job, conninfo);
    }
    close(p[1]);
    if (pid < 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot start the analysis process: %s", strerror(errno));
        close(p[0]);
        return -1;
    }
    if (fcntl(p[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(why, EWQ_WHY_MAX, "cannot set up the pipe: %s", strerror(errno));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(p[0]);
        return -1;
    }
    c->pid = pid;
    c->fd = p[0];
    return 0;
}

static int grow(ewq_child *c)
{
    size_t want = c->cap ? c->cap * 2 : READ_CHUNK;
    if (want > 2 * EWQ_MAX_REPORT + sizeof(frame) + EWQ_WHY_MAX)
        return -1;
    char *b = realloc(c->buf, want + 2); /* + a NUL after each text */
    if (!b)
        return -1;
    c->buf = b;
    c->cap = want;
    return 0;
}

int ewq_child_pump(ewq_child *c)
{
    while (c->fd >= 0) {
        if (c->len == c->cap && grow(c) != 0) {
            c->too_big = true; /* or no memory for it: it will not be stored */
            ewq_child_kill(c);
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
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    return 1;
}

void ewq_child_kill(ewq_child *c)
{
    if (c->pid > 0)
        kill(c->pid, SIGKILL);
}

/* The report and its text from a complete frame; false if it is not one. */
static bool parse_frame(ewq_child *c, ewq_outcome *out)
{
    frame h;
    if (!c->buf || c->len < sizeof h)
        return false;
    memcpy(&h, c->buf, sizeof h);
    if (h.json_len > EWQ_MAX_REPORT || h.text_len > EWQ_MAX_REPORT ||
        h.why_len >= EWQ_WHY_MAX ||
        c->len != sizeof h + h.json_len + h.text_len + h.why_len)
        return false;
    char *p = c->buf + sizeof h;
    out->ok = h.ok != 0;
    out->findings = h.findings;
    out->max_severity = h.max_severity;
    out->analysis_s = h.analysis_s;
    if (out->ok) {
        /* The texts end in "\n" or are whole JSON: terminate each in place. */
        memmove(p + h.json_len + 1, p + h.json_len, h.text_len);
        p[h.json_len] = '\0';
        p[h.json_len + 1 + h.text_len] = '\0';
        out->json = p;
        out->text = p + h.json_len + 1;
    } else {
        snprintf(out->why, sizeof out->why, "%.*s", (int)h.why_len, p);
    }
    return true;
}

void ewq_child_finish(ewq_child *c, const char *killed_for, ewq_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->max_severity = -1;
    int status = 0;
    pid_t got;
    while ((got = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    c->pid = 0;
    if (killed_for) {
        snprintf(out->why, sizeof out->why, "%s", killed_for);
    } else if (c->too_big) {
        snprintf(out->why, sizeof out->why,
                 "the report is larger than %zu MiB (or no memory to hold it)",
                 EWQ_MAX_REPORT >> 20);
    } else if (got > 0 && WIFSIGNALED(status)) {
        snprintf(out->why, sizeof out->why, "the analysis crashed (signal %d, %s)",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else if (!parse_frame(c, out)) {
        snprintf(out->why, sizeof out->why, "the analysis ended without a result (exit status %d)",
                 got > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        out->ok = false;
    }
}

void ewq_child_clear(ewq_child *c)
{
    if (c->fd >= 0)
        close(c->fd);
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}
