/* tasks.c - the life of a worker's jobs: claimed, handed to the slot's
 * process, finished, stored (or recorded as failed), or lost with their
 * lease. A slot's process takes its next job as soon as it has sent a
 * report, and the report is stored while it works: storing is not on the
 * analyses' path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker_int.h"

#define CLAIM_ERROR_PAUSE_S 1.0
#define IDLE_POLL_S 2.0 /* look for due jobs this often without a NOTIFY */
#define WARNED_MAX 48   /* ", N warnings" of a job's line */

static void task_clear(task *t)
{
    ewq_claim_clear(&t->job);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

int wk_busy(const worker *w)
{
    int n = 0;
    for (int i = 0; i < w->o->jobs; i++)
        n += w->slots[i].run.on + w->slots[i].done.on;
    return n;
}

bool wk_can_claim(const worker *w)
{
    for (int i = 0; i < w->o->jobs; i++)
        if (!w->slots[i].run.on)
            return true;
    return false;
}

size_t wk_leases(worker *w, int64_t *leases, task **tasks)
{
    size_t n = 0;
    for (int i = 0; i < w->o->jobs; i++) {
        task *both[] = {&w->slots[i].run, &w->slots[i].done};
        for (int k = 0; k < 2; k++)
            if (both[k]->on) {
                leases[n] = both[k]->job.lease;
                tasks[n++] = both[k];
            }
    }
    return n;
}

/* ---- claiming ------------------------------------------------------------ */

static void start(worker *w, slot *s)
{
    char why[EWQ_WHY_MAX];
    task *t = &s->run;
    if (ewq_child_run(&s->child, w->a, &t->job, w->o->db, why) != 0) {
        /* Not the bundle's fault: a later try may work (or another worker). */
        wk_say(w, true, "job %lld: %s", (long long)t->job.id, why);
        if (ewq_release(w->db, t->job.id, t->job.lease) != EWQ_OK)
            wk_db_trouble(w, "giving a job back");
        task_clear(t);
        w->next_claim = wk_now() + CLAIM_ERROR_PAUSE_S;
        w->want_claim = false;
        return;
    }
    t->deadline = wk_now() + w->o->time_limit_s;
    wk_say(w, false, "job %lld: started (attempt %d of %d): %s", (long long)t->job.id,
           t->job.attempts, t->job.max_attempts, t->job.location);
}

void wk_claim(worker *w)
{
    for (int i = 0; i < w->o->jobs && w->want_claim; i++) {
        slot *s = &w->slots[i];
        if (s->run.on)
            continue;
        double t = wk_now();
        int rc = ewq_claim_next(w->db, w->name, w->o->lease_s, &s->run.job);
        w->st.db_s += wk_now() - t;
        if (rc != EWQ_OK) {
            if (rc != EWQ_ENOTFOUND)
                wk_db_trouble(w, "claiming a job");
            w->want_claim = false;
            w->next_claim = wk_now() + (rc == EWQ_ENOTFOUND ? IDLE_POLL_S : CLAIM_ERROR_PAUSE_S);
            return;
        }
        s->run.on = true;
        s->run.claimed_at = t;
        start(w, s);
    }
}

/* ---- finishing ----------------------------------------------------------- */

/* The run task's report moves out of the process's buffer into done. */
static void promote(slot *s)
{
    s->done = s->run;
    s->done.buf = ewq_child_take(&s->child); /* the outcome points into it */
    memset(&s->run, 0, sizeof s->run);
    ewq_child_next(&s->child);
}

static void lost(worker *w, const task *t, const char *what)
{
    wk_say(w, true, "job %lld: lease lost (taken over after this worker stalled); %s is dropped",
           (long long)t->job.id, what);
    w->st.lost++;
}

void wk_child_ended(worker *w, slot *s)
{
    task *t = &s->run;
    ewq_child_finish(&s->child, t->killed_for[0] ? t->killed_for : NULL, &t->out);
    t->finished = true;
    if (t->drop) {
        lost(w, t, "its analysis");
        task_clear(t);
        ewq_child_next(&s->child);
    } else if (!s->done.on) {
        promote(s);
    } /* else it waits in the process's buffer for the report before it */
    w->want_claim = true;
}

/* The done task is settled: the next report, if waiting, takes its place. */
static void settle(worker *w, slot *s)
{
    task_clear(&s->done);
    if (s->run.on && s->run.finished)
        promote(s);
    w->want_claim = true;
}

static void stored(worker *w, const task *t)
{
    double took = wk_now() - t->claimed_at;
    w->st.done++;
    w->st.measured++;
    w->st.analysis_s += t->out.analysis_s;
    w->st.overhead_s += took - t->out.analysis_s;
    /* What went unread is in the stored report's warnings (queue results). */
    char warned[WARNED_MAX] = "";
    if (t->out.warnings)
        snprintf(warned, sizeof warned, ", %lu warning%s", (unsigned long)t->out.warnings,
                 t->out.warnings == 1 ? "" : "s");
    wk_say(w, false, "job %lld: done in %.2f s, %llu finding%s%s%s: %s", (long long)t->job.id,
           took, (unsigned long long)t->out.findings, t->out.findings == 1 ? "" : "s", warned,
           t->out.incomplete ? ", partial (part of it went unread)" : "", t->job.location);
}

/* Records a failed attempt; false when the database went away first. */
static bool failed(worker *w, const task *t, const char *why)
{
    bool dead = false;
    int rc = ewq_fail_job(w->db, t->job.id, t->job.lease, why, w->o->retry_delay_s, &dead);
    if (rc == EWQ_EDB && ewq_db_lost(w->db)) {
        wk_db_trouble(w, "recording a failure");
        return false; /* tried again after reconnecting */
    }
    if (rc == EWQ_OK && dead) {
        w->st.dead++;
        wk_say(w, true, "job %lld: dead after %d attempts: %s", (long long)t->job.id,
               t->job.attempts, why);
    } else if (rc == EWQ_OK) {
        w->st.failed++;
        wk_say(w, true, "job %lld: attempt %d of %d failed: %s", (long long)t->job.id,
               t->job.attempts, t->job.max_attempts, why);
    } else if (rc == EWQ_ENOTFOUND) {
        lost(w, t, "its failure");
    } else {
        wk_db_trouble(w, "recording a failure");
    }
    return true;
}

/* Stores the done task's report; false when the database went away first. */
static bool store(worker *w, const task *t)
{
    char why[EWQ_WHY_MAX];
    if (!t->out.ok) {
        snprintf(why, sizeof why, "%s", t->out.why);
        return failed(w, t, why);
    }
    double t0 = wk_now();
    int rc = ewq_complete(w->db, t->job.id, t->job.lease, t->out.json, t->out.text,
                          t->out.html);
    w->st.db_s += wk_now() - t0;
    if (rc == EWQ_EDB && ewq_db_lost(w->db)) {
        wk_db_trouble(w, "storing a report");
        return false;
    }
    if (rc == EWQ_OK) {
        stored(w, t);
        return true;
    }
    if (rc == EWQ_ENOTFOUND) {
        lost(w, t, "its result");
        return true;
    }
    /* The database refused this report: the job's failure, not the worker's. */
    snprintf(why, sizeof why, "cannot store the report: %s", ewq_db_error(w->db));
    return failed(w, t, why);
}

void wk_store_all(worker *w)
{
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        while (s->done.on && w->lost_since == 0 && store(w, &s->done))
            settle(w, s);
    }
}

/* ---- leases, limits, stopping -------------------------------------------- */

static slot *slot_of(worker *w, const task *t)
{
    for (int i = 0; i < w->o->jobs; i++)
        if (t == &w->slots[i].run || t == &w->slots[i].done)
            return &w->slots[i];
    return NULL;
}

void wk_lease_lost(worker *w, task *t)
{
    slot *s = slot_of(w, t);
    if (!s)
        return;
    if (t == &s->run && !t->finished) {
        t->drop = true; /* said when its process is gone */
        ewq_child_kill(&s->child);
        return;
    }
    lost(w, t, "its result");
    if (t == &s->run) {
        task_clear(t);
        ewq_child_next(&s->child);
        w->want_claim = true;
    } else {
        settle(w, s);
    }
}

void wk_time_limits(worker *w)
{
    double now = wk_now();
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        task *t = &s->run;
        if (t->on && !t->finished && !t->killed_for[0] && now >= t->deadline) {
            snprintf(t->killed_for, sizeof t->killed_for,
                     "the analysis exceeded the time limit of %d s", w->o->time_limit_s);
            ewq_child_kill(&s->child);
        }
    }
}

double wk_next_deadline(const worker *w, double until)
{
    for (int i = 0; i < w->o->jobs; i++) {
        const task *t = &w->slots[i].run;
        if (t->on && !t->finished && !t->killed_for[0] && t->deadline < until)
            until = t->deadline;
    }
    return until;
}

void wk_give_up(worker *w)
{
    if (wk_now() - w->lost_since < w->o->lease_s)
        return;
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        task *both[] = {&s->done, &s->run};
        for (int k = 0; k < 2; k++)
            if (both[k]->on && (k == 0 || both[k]->finished)) {
                wk_say(w, true, "job %lld: result not stored (database unreachable); it "
                                "returns to the queue when its lease ends",
                       (long long)both[k]->job.id);
                task_clear(both[k]);
                if (k == 1)
                    ewq_child_next(&s->child); /* its report was in there */
                w->gave_up = true;
            }
    }
}

void wk_give_back(worker *w)
{
    for (int i = 0; i < w->o->jobs; i++) {
        slot *s = &w->slots[i];
        ewq_child_clear(&s->child); /* kills an analysis under way */
        task *both[] = {&s->run, &s->done};
        for (int k = 0; k < 2; k++) {
            if (!both[k]->on)
                continue;
            if (w->lost_since == 0 &&
                ewq_release(w->db, both[k]->job.id, both[k]->job.lease) != EWQ_OK)
                wk_db_trouble(w, "giving a job back");
            wk_say(w, true, "job %lld: given back to the queue", (long long)both[k]->job.id);
            task_clear(both[k]);
        }
    }
}

void wk_slots_free(worker *w)
{
    for (int i = 0; w->slots && i < w->o->jobs; i++) {
        ewq_child_clear(&w->slots[i].child);
        task_clear(&w->slots[i].run);
        task_clear(&w->slots[i].done);
    }
}
