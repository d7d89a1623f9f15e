#!/usr/bin/env python3
"""Exactly once under faults (issue 13).

    python3 tests/queue/fault-test.py EWDIAG

200 jobs on a throwaway PostgreSQL cluster (pgtest.py): fixture bundles by
path (under many cases), by URL (fast, and slow: sent in pieces over 3 s),
and uploaded into the database; plus three poison jobs: one whose analysis
crashes (the test sends its child SIGSEGV, as a bug would: the library has
no input known to crash it), one that hangs (a FIFO nobody writes) and one
that never ends (a server sending a byte a second). Three workers with two
analyses each and a 4 s lease, then, while they work:

  1. a worker holding jobs is killed with SIGKILL (and replaced);
  2. another is stopped with SIGSTOP past its lease, then resumed;
  3. the PostgreSQL server is restarted.

At the end: every job is done or dead, none queued or running; every done
job has exactly one row in results, and its findings are the CLI's on the
same bundle; no job was stored twice (the workers' own logs agree); the
jobs of the killed and the stopped worker were finished by others; the
three poison jobs are dead after their 3 attempts with the reason, and no
worker died of them; every worker still running stops cleanly on SIGTERM.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgtest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EWDIAG = sys.argv[1]
FIX = os.path.join(ROOT, "fixtures")
BUNDLES = ["example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz",
           "cluster/diagnostic_log_vcsc_2022-07-11_17_40_00.tar.gz",
           "cluster/diagnostic_log_vcsd_2022-07-11_17_40_00.tar.gz",
           "clean/diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz",
           "continue/diagnostic_log_vcse_2023-03-01_10_00_00.tar.gz",
           "nested/two-nodes.zip", "plain/vcsc-plain.tar", "repacked/vcsc-repacked.zip",
           "ats/ats-diags.tar.gz", "renamed/case-4711.tar.gz"]
PATH_CASES = 15        # x 10 bundles by path
FAST_URLS = 26
SLOW_URLS = 16
UPLOADS = 5            # 150 + 26 + 16 + 5 + 3 poison = 200
LEASE_S = 4
TIME_LIMIT_S = 8
SLOW_PAUSE_S = 0.15    # x 20 pieces: 3 s a slow URL
GOOD_ATTEMPTS = 5      # a good job may lose a lease twice and meet the restart
DEADLINE_S = 180

t = pgtest.Checks()


def sql_count(c, where):
    return int(c.value("SELECT count(*) FROM ewdiag.jobs WHERE " + where))


def submit(env, args, stdin=None):
    p = subprocess.run([EWDIAG, "queue", "submit"] + args, input=stdin, capture_output=True,
                       text=True, env=env, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("submit %s: %s" % (args, p.stderr))
    return [int(x) for x in re.findall(r"^job (\d+):", p.stdout, re.M)]


class Workers:
    """The workers, each logging to a file of its own."""

    def __init__(self, env, tmp):
        self.env, self.tmp, self.procs = env, tmp, []

    def start(self):
        log = open(os.path.join(self.tmp, "worker-%d.log" % len(self.procs)), "w")
        p = subprocess.Popen([EWDIAG, "worker", "--jobs", "2", "--lease", str(LEASE_S),
                              "--time-limit", str(TIME_LIMIT_S), "--retry-delay", "0"],
                             env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        p.log = log.name
        self.procs.append(p)
        return p

    def logs(self):
        return [open(p.log).read() for p in self.procs]


def name_of(p):
    return "%s:%d" % (os.uname().nodename, p.pid)


def wait_for(cond, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


def held(c, p):
    """The slow jobs p started in the last 1.5 s: far from done (3 s)."""
    return [int(r[0]) for r in c.psql(
        "SELECT id FROM ewdiag.jobs WHERE state = 'running' AND worker = '%s'"
        " AND location LIKE '%%/slow/%%' AND case_id <> 'POISON'"
        " AND started_at > now() - interval '1500 ms'" % name_of(p))]


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def crasher(job_id, workers, stop):
    """SIGSEGV to every analysis of job_id: ps names them 'ewjob ID'."""
    want = "ewjob %d" % job_id
    while not stop.is_set():
        for w in list(workers.procs):
            for pid in children(w.pid):
                try:
                    with open("/proc/%d/comm" % pid) as f:
                        if f.read().strip() == want:
                            os.kill(pid, signal.SIGSEGV)
                except OSError:
                    pass
        time.sleep(0.02)


def submit_jobs(c, env, http, tmp):
    """The 200 jobs; slow URLs spread among the others. Returns {job: local file}."""
    local = {}
    files = [os.path.join(FIX, b) for b in BUNDLES]
    slow = 0
    for k in range(PATH_CASES):
        if slow < SLOW_URLS:
            for n in range(2):
                b = files[(slow + n) % 3]
                for j in submit(env, ["--case", "S%d" % (slow + n), "--attempts",
                                      str(GOOD_ATTEMPTS), http.url("slow", os.path.basename(b))]):
                    local[j] = b
            slow += 2
        for j, b in zip(submit(env, ["--case", "P%d" % k, "--attempts", str(GOOD_ATTEMPTS)] +
                               files), files):
            local[j] = b
    for k in range(FAST_URLS):
        b = files[k % len(files)]
        for j in submit(env, ["--case", "U%d" % k, "--attempts", str(GOOD_ATTEMPTS),
                              http.url("files", os.path.basename(b))]):
            local[j] = b
    for k in range(UPLOADS):
        for j in submit(env, ["--case", "UP", "--upload", "--attempts", str(GOOD_ATTEMPTS),
                              files[k]]):
            local[j] = files[k]
    fifo = os.path.join(tmp, "hang.tar.gz")
    os.mkfifo(fifo)
    poison = {"crash": submit(env, ["--case", "POISON", http.url("slow", "crash.tar.gz")])[0],
              "hang": submit(env, ["--case", "POISON", fifo])[0],
              "limit": submit(env, ["--case", "POISON",
                                    http.url("trickle", os.path.basename(files[0]))])[0]}
    return local, poison


def fault_kill(c, workers):
    w1 = workers.procs[0]
    jobs = wait_for(lambda: held(c, w1), 30)
    os.kill(w1.pid, signal.SIGKILL)
    w1.wait()
    t.check("1. SIGKILL: the worker had jobs mid-analysis", bool(jobs), jobs)
    workers.start()
    return jobs or []


def fault_stop(c, workers):
    w2 = workers.procs[1]
    jobs = wait_for(lambda: held(c, w2), 30)
    os.kill(w2.pid, signal.SIGSTOP)
    t.check("2. SIGSTOP: the worker held jobs", bool(jobs), jobs)
    taken = wait_for(lambda: all(
        c.value("SELECT coalesce(worker, '') FROM ewdiag.jobs WHERE id = %d" % j) != name_of(w2)
        for j in jobs), LEASE_S * 4)
    t.check("2. SIGSTOP: its jobs taken back after the lease", bool(taken))
    time.sleep(1)
    os.kill(w2.pid, signal.SIGCONT)
    return jobs or []


def fault_restart(c):
    left = sql_count(c, "state IN ('queued', 'running')")
    c.restart()
    t.check("3. server restarted mid-run (%d jobs left)" % left, left > 0, left)


def check_end(c, local, poison, killed, stopped, workers):
    t.check("nothing queued or running", sql_count(c, "state IN ('queued', 'running')") == 0,
            c.psql("SELECT id, state, worker FROM ewdiag.jobs"
                   " WHERE state IN ('queued', 'running')"))
    t.check("200 jobs", sql_count(c, "true") == 200)
    done = [int(r[0]) for r in c.psql("SELECT id FROM ewdiag.jobs WHERE state = 'done'")]
    t.check("every good job done", sorted(done) == sorted(local),
            sorted(set(local) - set(done)))
    rows = c.psql("SELECT j.id, count(r.job_id) FROM ewdiag.jobs j LEFT JOIN ewdiag.results r"
                  " ON r.job_id = j.id GROUP BY j.id, j.state"
                  " HAVING count(r.job_id) <> (j.state = 'done')::integer")
    t.check("exactly one result per done job, none for the others", rows == [], rows)
    logs = "".join(workers.logs())
    stored = [int(j) for j in re.findall(r"job (\d+): done in", logs)]
    twice = sorted({j for j in stored if stored.count(j) > 1})
    # The killed worker may have died between its commit and its log line.
    unsaid = c.psql("SELECT id, worker FROM ewdiag.jobs WHERE state = 'done' AND id NOT IN (%s)"
                    % ",".join(map(str, stored or [0])))
    t.check("the workers stored each job once (their logs say)", twice == [] and all(
        w == name_of(workers.procs[0]) for _, w in unsaid), (twice, unsaid))
    for name, job in (("killed", killed), ("stopped", stopped)):
        got = c.psql("SELECT state, attempts FROM ewdiag.jobs WHERE id IN (%s)" %
                     ",".join(map(str, job or [0])))
        t.check("the %s worker's jobs finished by others" % name, got and all(
            s == "done" and int(a) >= 2 for s, a in got), got)
    t.check("the stopped worker dropped what it no longer held",
            "lease lost" in workers.logs()[1], workers.logs()[1][-2000:])
    t.check("workers reconnected after the restart", "database connection back" in logs)


def check_findings(c, env, local):
    cli = {}
    for b in set(local.values()):
        p = subprocess.run([EWDIAG, "-f", "json", b], capture_output=True, text=True)
        cli[b] = pgtest.findings_key(json.loads(p.stdout))
    bad = []
    for jid, body in c.psql("SELECT job_id, body FROM ewdiag.renderings WHERE format = 'json'"):
        if pgtest.findings_key(json.loads(body)) != cli[local[int(jid)]]:
            bad.append(jid)
    t.check("every result's findings == the CLI's on the same bundle", bad == [], bad)


def check_poison(c, poison, workers):
    # Under AddressSanitizer a SIGSEGV is reported and becomes exit status 1.
    for kind, whys in (("crash", ("crashed (signal 11", "ended without a result (exit status 1)")),
                       ("hang", ("time limit",)), ("limit", ("time limit",))):
        row = c.psql("SELECT state, attempts, error FROM ewdiag.jobs WHERE id = %d"
                     % poison[kind])
        t.check("poison %s: dead after 3 attempts, with why" % kind, row and
                row[0][:2] == ["dead", "3"] and any(w in row[0][2] for w in whys), row)
    alive = [p for p in workers.procs if p.poll() is None]
    t.check("no worker died of the poison", len(alive) == len(workers.procs) - 1,
            [p.returncode for p in workers.procs])
    for p in alive:
        p.send_signal(signal.SIGTERM)
    codes = [p.wait(timeout=60) for p in alive]
    t.check("every worker stops on SIGTERM with 0", codes == [0] * len(alive), codes)


def main():
    pgtest.require_postgres()
    tmp = tempfile.mkdtemp(prefix="ewdiag-fault-test-")
    www = os.path.join(tmp, "www")
    os.mkdir(www)
    for b in BUNDLES:
        shutil.copy(os.path.join(FIX, b), www)
    shutil.copy(os.path.join(FIX, BUNDLES[0]), os.path.join(www, "crash.tar.gz"))
    http = pgtest.HttpServer(www, slow_pause=SLOW_PAUSE_S)
    stop = threading.Event()
    start = time.time()
    try:
        with pgtest.Cluster() as c:
            env = dict(os.environ, PGHOST=c.tmp, PGUSER=c.user, PGDATABASE="postgres")
            env.pop("PGSERVICE", None)
            subprocess.run([EWDIAG, "queue", "init"], env=env, check=True, capture_output=True)
            local, poison = submit_jobs(c, env, http, tmp)
            workers = Workers(env, tmp)
            threading.Thread(target=crasher, args=(poison["crash"], workers, stop),
                             daemon=True).start()
            for _ in range(3):
                workers.start()
            killed = fault_kill(c, workers)
            stopped = fault_stop(c, workers)
            fault_restart(c)
            idle = wait_for(lambda: sql_count(c, "state IN ('queued', 'running')") == 0,
                            DEADLINE_S, 0.5)
            t.check("all jobs ended within %d s" % DEADLINE_S, bool(idle))
            check_end(c, local, poison, killed, stopped, workers)
            check_findings(c, env, local)
            check_poison(c, poison, workers)
            for p in workers.procs:
                if p.poll() is None:
                    p.kill()
    finally:
        stop.set()
        http.close()
        print("(%.0f s)" % (time.time() - start))
        if t.failed:
            for f in sorted(os.listdir(tmp)):
                if f.endswith(".log"):
                    print("---", f)
                    print(open(os.path.join(tmp, f)).read()[-3000:])
        shutil.rmtree(tmp, ignore_errors=True)
    t.exit()


if __name__ == "__main__":
    main()
