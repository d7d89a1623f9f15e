#!/usr/bin/env python3
"""ewdiag queue and ewdiag worker against a real PostgreSQL (issue 13).

    python3 tests/queue/queue-test.py EWDIAG QUEUE_CLIENT

Starts a throwaway cluster (pgtest.py) and an HTTP server, and checks:
the messages without a database or a schema; `queue init` run by four
processes at once (one creates, the others find it current); submission
of paths, URLs, standard input and uploads, and that the same bundle is not
queued twice unless --again; a worker analyzing them all; the stored
reports through `queue results` byte for byte equal to `ewdiag -f json` and
`-f jsonl` on the same inputs (text: each input's report; html: one job's
page, or with -o DIR a file per job, each equal to `ewdiag -f html` on its
input; several jobs without -o refused; a result stored without HTML, as
by an older worker: said, with the command that has it analyzed again); bundles read
in part: their warnings on standard error and the exit status (3 without
a finding) as the command gives them, and the worker's line says it; a
bundle that cannot be read dead after its attempts; `queue status` as text and JSON;
the `ewdiag.findings` view and every SQL query of docs/queue.md; the C
interface of src/queue/db.h (queue-client: uploads, a failing reader, job
state, a result); large objects unlinked once analyzed; SIGTERM finishing
the job in hand.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgtest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EWDIAG, CLIENT = sys.argv[1], sys.argv[2]
FIX = os.path.join(ROOT, "fixtures")
BUNDLES = ["example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz",
           "cluster/diagnostic_log_vcsc_2022-07-11_17_40_00.tar.gz",
           "cluster/diagnostic_log_vcsd_2022-07-11_17_40_00.tar.gz",
           "clean/diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz",
           "continue/diagnostic_log_vcse_2023-03-01_10_00_00.tar.gz",
           "nested/two-nodes.zip", "plain/vcsc-plain.tar", "repacked/vcsc-repacked.zip",
           "ats/ats-diags.tar.gz", "captures/ecdsa-selfsigned"]
# Read in part: without a finding, then with one (issue 9).
PARTIAL = [os.path.join(ROOT, "tests", "bad", b) for b in
           ("partial-truncated.tar.gz", "truncated.tar.gz")]
WAIT_S = 90

t = pgtest.Checks()


def run(env, *args, stdin=None):
    return subprocess.run([EWDIAG] + list(args), input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def cli_json(paths):
    p = subprocess.run([EWDIAG, "-f", "json"] + paths, capture_output=True, text=True,
                       timeout=120)
    return p.stdout, p.returncode


def wait_idle(c, timeout=WAIT_S):
    end = time.time() + timeout
    while time.time() < end:
        if c.value("SELECT count(*) FROM ewdiag.jobs WHERE state IN ('queued', 'running')") == "0":
            return True
        time.sleep(0.3)
    return False


def start_worker(env, *extra):
    return subprocess.Popen([EWDIAG, "worker", "--jobs", "2", "--lease", "6",
                             "--retry-delay", "0", "--time-limit", "60"] + list(extra),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def stop_worker(w):
    w.send_signal(signal.SIGTERM)
    err = w.communicate(timeout=60)[1]
    return w.returncode, err


def no_database():
    p = run(dict(os.environ), "queue", "status", "--db", "host=/nonexistent-ewdiag dbname=x")
    t.check("no database: exit 2", p.returncode == 2, p.returncode)
    t.check("no database: said in one line", p.stderr.count("\n") == 1 and
            "cannot connect to the database" in p.stderr, p.stderr)
    for args, said in ((["queue", "frobnicate"], "unknown command 'frobnicate'"),
                       (["queue"], "no command given"),
                       (["queue", "submit"], "no location given"),
                       (["queue", "status", "-f", "jsonl"], "unknown format 'jsonl'"),
                       (["queue", "results", "--job", "x"], "--job wants a job number"),
                       (["queue", "submit", "--attempts", "0", "x"], "--attempts wants"),
                       (["worker", "--jobs", "0"], "--jobs wants a number from 1"),
                       (["worker", "--lease", "1"], "--lease wants seconds from 3"),
                       (["worker", "extra"], "unexpected argument 'extra'"),
                       (["worker", "--set", "nonsense=1"], "nonsense")):
        p = run(dict(os.environ), *args)
        t.check("usage: %s" % " ".join(args), p.returncode == 2 and said in p.stderr, p.stderr)
    for cmd in (["queue", "--help"], ["worker", "--help"]):
        p = run(dict(os.environ), *cmd)
        t.check("%s: usage on stdout" % " ".join(cmd), p.returncode == 0 and
                p.stdout.startswith("Usage: ewdiag " + cmd[0]), p.stdout[:80])


def init_concurrently(c, env):
    p = run(env, "queue", "status")
    t.check("no schema: exit 2 and what to do", p.returncode == 2 and
            "ewdiag queue init" in p.stderr, p.stderr)
    procs = [subprocess.Popen([EWDIAG, "queue", "init"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    t.check("4 concurrent inits: all exit 0", all(o[2] == 0 for o in outs), outs)
    t.check("4 concurrent inits: one created", sum("created" in o[0] for o in outs) == 1, outs)
    t.check("4 concurrent inits: nothing on stderr", all(o[1] == "" for o in outs), outs)
    t.check("one schema version recorded",
            c.psql("SELECT version FROM ewdiag.schema_version") == [["1"]])


def job_ids(out):
    return [int(m) for m in re.findall(r"^job (\d+):", out, re.M)]


def submit_all(c, env, http, tmp):
    paths = [os.path.join(FIX, b) for b in BUNDLES]
    p = run(env, "queue", "submit", "--case", "A", *paths)
    ids = job_ids(p.stdout)
    t.check("submit paths: a job each", p.returncode == 0 and len(ids) == len(paths), p.stderr)
    p2 = run(env, "queue", "submit", "--case", "A", *paths)
    t.check("submit again: same jobs, none new", job_ids(p2.stdout) == ids and
            p2.stdout.count("submitted before") == len(paths), p2.stdout)
    p3 = run(env, "queue", "submit", "--case", "B", paths[0])
    t.check("another case: a new job", job_ids(p3.stdout)[0] not in ids, p3.stdout)
    p4 = run(env, "queue", "submit", "--case", "A", "--again", paths[0])
    t.check("--again: a new job", job_ids(p4.stdout)[0] not in ids, p4.stdout)
    rel = os.path.relpath(paths[0])
    p5 = run(env, "queue", "submit", "--case", "A", rel, "/nonexistent/bundle.tar.gz")
    t.check("relative path: made absolute, same job", job_ids(p5.stdout) == ids[:1], p5.stdout)
    t.check("missing path: named, exit 2", p5.returncode == 2 and
            "/nonexistent/bundle.tar.gz: No such file or directory" in p5.stderr, p5.stderr)
    urls = "\n".join(http.url("files", os.path.basename(b)) for b in paths[:3]) + "\n\n"
    p6 = run(env, "queue", "submit", "--case", "U", "-", stdin=urls)
    t.check("URLs from standard input", p6.returncode == 0 and len(job_ids(p6.stdout)) == 3,
            p6.stderr)
    p7 = run(env, "queue", "submit", "--case", "U", http.url("files", os.path.basename(paths[0])))
    t.check("same URL, same ETag: not again", "submitted before" in p7.stdout, p7.stdout)
    p8 = run(env, "queue", "submit", "--case", "U", http.url("missing", "x.tar.gz"))
    t.check("URL that answers 404: not queued, said", p8.returncode == 2 and
            "HTTP 404" in p8.stderr, p8.stderr)
    bad = os.path.join(tmp, "not-a-bundle.bin")
    shutil.copy(os.path.join(FIX, "bad", "not-an-archive.bin"), bad)
    p9 = run(env, "queue", "submit", "--case", "BAD", "--attempts", "2", bad)
    t.check("unreadable bundle queued", p9.returncode == 0, p9.stderr)
    p10 = run(env, "queue", "submit", "--case", "UP", "--upload", paths[1])
    t.check("upload: a job", p10.returncode == 0 and len(job_ids(p10.stdout)) == 1, p10.stderr)
    p11 = run(env, "queue", "submit", "--case", "PART", *PARTIAL)
    t.check("partial bundles: a job each", p11.returncode == 0, p11.stderr)
    return paths


def check_partial(c, env, worker_err):
    """Bundles read in part, one with a finding: their warnings on standard
    error as the command says them, exit status 1; the one without a
    finding alone: exit status 3, as the command's."""
    t.check("worker: a bundle read in part said partial", re.search(
        r"done in .*, 1 warning, partial \(part of it went unread\): .*partial-truncated",
        worker_err), worker_err)
    for fmt in ("json", "jsonl", "text"):
        want = subprocess.run([EWDIAG, "-f", fmt] + PARTIAL, capture_output=True, text=True)
        p = run(env, "queue", "results", "--case", "PART", "-f", fmt)
        t.check("results -f %s of partial bundles: ewdiag's warnings on stderr" % fmt,
                p.stderr == want.stderr and p.stderr.count("\n") == 2, (p.stderr, want.stderr))
        t.check("results -f %s: ewdiag's exit status (1)" % fmt,
                p.returncode == want.returncode == 1, (p.returncode, want.returncode))
    jid = c.value("SELECT id FROM ewdiag.jobs WHERE case_id = 'PART' AND location = '%s'"
                  % PARTIAL[0])
    one = subprocess.run([EWDIAG, "-f", "json", PARTIAL[0]], capture_output=True, text=True)
    p = run(env, "queue", "results", "--job", jid, "-f", "json")
    t.check("results of a partial bundle without finding: exit 3, as ewdiag",
            p.returncode == one.returncode == 3, (p.returncode, one.returncode, p.stderr))


def check_results(c, env, paths):
    paths = paths + paths[:1]  # case A's jobs: each path, then the first --again
    want, status = cli_json(paths)
    p = run(env, "queue", "results", "--case", "A", "-f", "json")
    t.check("results json == ewdiag -f json, byte for byte", p.stdout == want,
            "differ (%d vs %d bytes)" % (len(p.stdout), len(want)))
    t.check("results exit status == ewdiag's", p.returncode == status, (p.returncode, status))
    wl = subprocess.run([EWDIAG, "-f", "jsonl"] + paths, capture_output=True, text=True)
    p = run(env, "queue", "results", "--case", "A", "-f", "jsonl")
    t.check("results jsonl == ewdiag -f jsonl", p.stdout == wl.stdout and p.stderr == wl.stderr,
            p.stderr)
    texts = [subprocess.run([EWDIAG, "-f", "text", x], capture_output=True, text=True).stdout
             for x in paths]
    p = run(env, "queue", "results", "--case", "A", "-f", "text")
    t.check("results text: each input's report, in order", p.stdout == "\n".join(texts))
    one = json.loads(want)["inputs"][0]["name"]
    jid = c.value("SELECT min(id) FROM ewdiag.jobs WHERE case_id = 'A'")
    p = run(env, "queue", "results", "--job", jid, "-f", "json")
    t.check("results --job: that input", p.returncode in (0, 1) and
            json.loads(p.stdout)["inputs"][0]["name"] == one, p.stderr)
    p = run(env, "queue", "results", "--case", "nobody", "-f", "json")
    t.check("results of nothing: exit 2, said", p.returncode == 2 and "no stored result" in
            p.stderr, p.stderr)


def check_html(c, env, paths, tmp):
    """results -f html: one job's page is ewdiag -f html's, byte for byte;
    several jobs: refused without -o (saying how to pick), one file per
    job with -o DIR; a job stored without HTML (by an older worker): said,
    with the command that has it analyzed again, which works."""
    jid = c.value("SELECT min(id) FROM ewdiag.jobs WHERE case_id = 'A'")
    loc = c.value("SELECT location FROM ewdiag.jobs WHERE id = %s" % jid)
    want = subprocess.run([EWDIAG, "-f", "html", loc], capture_output=True, text=True)
    p = run(env, "queue", "results", "--job", jid, "-f", "html")
    t.check("results --job -f html == ewdiag -f html, byte for byte",
            p.stdout == want.stdout and want.stdout.startswith("<!DOCTYPE html>"),
            "differ (%d vs %d bytes)" % (len(p.stdout), len(want.stdout)))
    t.check("results --job -f html: ewdiag's exit status", p.returncode == want.returncode,
            (p.returncode, want.returncode, p.stderr))
    p = run(env, "queue", "results", "--case", "B", "-f", "html")
    t.check("results --case with one job -f html: its page", p.returncode in (0, 1) and
            p.stdout.startswith("<!DOCTYPE html>") and p.stdout.count("<!DOCTYPE html>") == 1,
            p.stderr)
    p = run(env, "queue", "results", "--case", "A", "-f", "html")
    t.check("results -f html of several jobs: refused, nothing written, how to pick",
            p.returncode == 2 and p.stdout == "" and "--job ID" in p.stderr and
            "-o DIR" in p.stderr and re.search(r"\d+ results match \(jobs \d+, \d+", p.stderr),
            p.stderr)
    p = run(env, "queue", "results", "--case", "A", "-f", "json", "-o", tmp)
    t.check("-o with another format: usage error", p.returncode == 2 and
            "-o DIR is for 'results --format html'" in p.stderr, p.stderr)
    out = os.path.join(tmp, "html-A")
    jobs = c.psql("SELECT r.job_id, j.location FROM ewdiag.results r JOIN ewdiag.jobs j"
                  " ON j.id = r.job_id WHERE j.case_id = 'A' ORDER BY r.job_id")
    p = run(env, "queue", "results", "--case", "A", "-f", "html", "-o", out)
    status = cli_json([x for _, x in jobs])[1]
    t.check("results -f html -o DIR: exit status as ewdiag's on them all",
            p.returncode == status, (p.returncode, status, p.stderr))
    files = [os.path.join(out, "job-%s.html" % j) for j, _ in jobs]
    t.check("results -f html -o DIR: a file per job, their paths on stdout",
            sorted(os.listdir(out)) == sorted(os.path.basename(f) for f in files) and
            p.stdout.splitlines() == files, (os.listdir(out), p.stdout))
    bad = [f for f, (_, x) in zip(files, jobs) if open(f).read() != subprocess.run(
        [EWDIAG, "-f", "html", x], capture_output=True, text=True).stdout]
    t.check("results -f html -o DIR: each page == ewdiag -f html of its input", not bad, bad)
    check_html_old(c, env, tmp)


def check_html_old(c, env, tmp):
    """A result stored before workers kept HTML."""
    jid = c.value("SELECT min(id) FROM ewdiag.jobs WHERE case_id = 'B'")
    c.psql("DELETE FROM ewdiag.renderings WHERE job_id = %s AND format = 'html'" % jid)
    p = run(env, "queue", "results", "--job", jid, "-f", "html")
    said = "job %s was analyzed by an older worker: no HTML stored" % jid
    m = re.search(r"run '(ewdiag queue submit --again [^']*)'", p.stderr)
    t.check("no HTML stored: exit 2, said with what to run", p.returncode == 2 and
            p.stdout == "" and said in p.stderr and m and "--case B" in m.group(1), p.stderr)
    p = run(env, "queue", "results", "--case", "B", "-f", "html", "-o", os.path.join(tmp, "B"))
    t.check("no HTML stored, -o DIR: said for that job, exit 2", p.returncode == 2 and
            said in p.stderr and "1 of 1 jobs have no HTML stored" in p.stderr, p.stderr)
    p = run(env, "queue", "results", "--job", jid, "-f", "text")
    t.check("no HTML stored: its other formats still there", p.returncode in (0, 1) and
            p.stdout, p.stderr)
    p = run(env, *m.group(1).split()[1:]) if m else None
    t.check("the command said queues it again", p and p.returncode == 0 and
            len(job_ids(p.stdout)) == 1, p and p.stderr)
    w = start_worker(env)
    idle = wait_idle(c)
    stop_worker(w)
    new = c.value("SELECT max(id) FROM ewdiag.jobs WHERE case_id = 'B'")
    p = run(env, "queue", "results", "--job", new, "-f", "html")
    t.check("analyzed again: its HTML stored", idle and new != jid and
            p.stdout.startswith("<!DOCTYPE html>"), p.stderr)


def check_urls_and_uploads(c, env, http, paths):
    rows = c.psql("SELECT r.input, r.job_id FROM ewdiag.results r JOIN ewdiag.jobs j"
                  " ON j.id = r.job_id WHERE j.case_id IN ('U', 'UP') ORDER BY r.job_id")
    t.check("URL and upload results stored", len(rows) == 4, rows)
    for name, jid in rows:
        local = next(x for x in paths if os.path.basename(x) == os.path.basename(name))
        want = pgtest.findings_key(json.loads(cli_json([local])[0]))
        got = json.loads(run(env, "queue", "results", "--job", jid, "-f", "json").stdout)
        t.check("findings of %s == the CLI's on the file" % name,
                pgtest.findings_key(got) == want and got["inputs"][0]["name"] == name)
    t.check("large objects unlinked once analyzed",
            c.value("SELECT count(*) FROM pg_largeobject_metadata") == "0")


def check_dead_and_status(c, env):
    row = c.psql("SELECT state, attempts, error FROM ewdiag.jobs WHERE case_id = 'BAD'")
    t.check("unreadable bundle: dead after its 2 attempts", row and row[0][0] == "dead" and
            row[0][1] == "2" and "not-a-bundle.bin" in row[0][2], row)
    p = run(env, "queue", "status", "--format", "json")
    st = json.loads(p.stdout)
    done = int(c.value("SELECT count(*) FROM ewdiag.jobs WHERE state = 'done'"))
    t.check("status json: counts", st["done"] == done and st["dead"] == 1 and
            st["queued"] == 0 and st["running"] == 0, st)
    t.check("status json: the worker seen", len(st["workers"]) >= 1 and
            st["workers"][0]["pid"] > 0, st["workers"])
    t.check("status json: the dead job and its error", st["latest_dead"] and
            "not-a-bundle.bin" in st["latest_dead"][0]["error"], st["latest_dead"])
    p = run(env, "queue", "status")
    t.check("status text", p.returncode == 0 and re.search(r"^done +%d$" % done, p.stdout, re.M)
            and "latest dead jobs" in p.stdout, p.stdout)


def check_view_and_docs(c):
    n = int(c.value("SELECT sum(jsonb_array_length(report -> 'findings')) FROM ewdiag.results"))
    t.check("findings view: a row per finding",
            int(c.value("SELECT count(*) FROM ewdiag.findings")) == n)
    row = c.psql("SELECT case_id, node, rule, severity, server, count, first_seen IS NOT NULL,"
                 " 'CSCwc69661' = ANY (defects), software FROM ewdiag.findings"
                 " WHERE case_id = 'A' AND rule = 'ts-origin-cert-untrusted' ORDER BY job_id"
                 " LIMIT 1")
    t.check("findings view: columns", row and
            row[0][:3] == ["A", "vcsc", "ts-origin-cert-untrusted"]
            and row[0][6:] == ["t", "t", "X14.2.1"], row)
    doc = open(os.path.join(ROOT, "docs", "queue.md")).read()
    queries = re.findall(r"```sql\n(.*?)```", doc, re.S)
    t.check("docs/queue.md has its example queries", len(queries) >= 3, len(queries))
    for q in queries:
        try:
            c.psql(q)
            t.check("docs query runs: %s" % q.splitlines()[0][:60], True)
        except RuntimeError as e:
            t.check("docs query runs: %s" % q.splitlines()[0][:60], False, e)


def check_client(c, env, paths):
    conn = c.conninfo
    p = subprocess.run([CLIENT, conn, "upload", "SVC", paths[0]], capture_output=True, text=True)
    t.check("db.h: upload", p.returncode == 0 and p.stdout.strip().isdigit(), p.stderr)
    jid = p.stdout.strip()
    p = subprocess.run([CLIENT, conn, "result", jid, "json"], capture_output=True, text=True)
    t.check("db.h: no result before a worker ran: not found", p.returncode == 3, p.stderr)
    p = subprocess.run([CLIENT, conn, "job", jid], capture_output=True, text=True)
    t.check("db.h: job state queued", p.stdout.startswith("queued 0"), p.stdout)
    count = ("SELECT (SELECT count(*) FROM ewdiag.jobs),"
             " (SELECT count(*) FROM pg_largeobject_metadata)")
    before = c.psql(count)
    p = subprocess.run([CLIENT, conn, "upload-broken", "SVC"], capture_output=True, text=True)
    t.check("db.h: a failing reader: EWQ_EINPUT, nothing stored", p.returncode == 4 and
            c.psql(count) == before, (p.stderr, before, c.psql(count)))
    p = subprocess.run([CLIENT, conn, "upload-abort", "SVC"], capture_output=True, text=True)
    t.check("db.h: ewq_upload_abort(): nothing stored", p.returncode == 0 and
            c.psql(count) == before, (p.stderr, before, c.psql(count)))
    p = subprocess.run([CLIENT, conn, "upload-push", "SVC", paths[2]], capture_output=True,
                       text=True)
    t.check("db.h: ewq_upload_*() in 1000-byte pieces", p.returncode == 0 and
            p.stdout.strip().isdigit(), p.stderr)
    pushed = p.stdout.strip()
    p = subprocess.run([CLIENT, conn, "job", "999999"], capture_output=True, text=True)
    t.check("db.h: no such job: not found", p.returncode == 3, p.returncode)
    return jid, pushed


def check_client_result(c, jid, pushed, paths):
    p = subprocess.run([CLIENT, c.conninfo, "job", jid], capture_output=True, text=True)
    t.check("db.h: job done", p.stdout.startswith("done 1"), p.stdout)
    p = subprocess.run([CLIENT, c.conninfo, "result", jid, "json"], capture_output=True,
                       text=True)
    want = subprocess.run([EWDIAG, "-f", "json", paths[0]], capture_output=True, text=True)
    t.check("db.h: result json == ewdiag -f json", p.returncode == 0 and p.stdout == want.stdout)
    p = subprocess.run([CLIENT, c.conninfo, "result", pushed, "json"], capture_output=True,
                       text=True)
    want = subprocess.run([EWDIAG, "-f", "json", paths[2]], capture_output=True, text=True)
    t.check("db.h: the pushed upload's result == ewdiag -f json", p.returncode == 0 and
            p.stdout == want.stdout)
    p = subprocess.run([CLIENT, c.conninfo, "result", pushed, "html"], capture_output=True,
                       text=True)
    want = subprocess.run([EWDIAG, "-f", "html", paths[2]], capture_output=True, text=True)
    t.check("db.h: its html == ewdiag -f html", p.returncode == 0 and p.stdout == want.stdout)


def check_drain(c, env, http, tmp):
    """SIGTERM with a slow job in hand: it is finished and stored."""
    slow = http.url("slow", os.path.basename(BUNDLES[0]))
    run(env, "queue", "submit", "--case", "DRAIN", slow)
    w = start_worker(env)
    end = time.time() + 30
    while time.time() < end and c.value(
            "SELECT state FROM ewdiag.jobs WHERE case_id = 'DRAIN'") != "running":
        time.sleep(0.1)
    rc, err = stop_worker(w)
    t.check("SIGTERM: exit 0 after the job in hand", rc == 0, err)
    t.check("SIGTERM: that job stored", c.value(
        "SELECT state FROM ewdiag.jobs WHERE case_id = 'DRAIN'") == "done", err)


def check_worker_without_schema(c):
    c.psql("CREATE DATABASE empty")
    env = dict(os.environ)
    p = subprocess.run([EWDIAG, "worker", "--db", c.conninfo.replace("dbname=postgres",
                                                                     "dbname=empty")],
                       capture_output=True, text=True, env=env, timeout=60)
    t.check("worker on a database without the schema: exit 2, said", p.returncode == 2 and
            "ewdiag queue init" in p.stderr, p.stderr)


def main():
    pgtest.require_postgres()
    tmp = tempfile.mkdtemp(prefix="ewdiag-queue-test-")
    http = pgtest.HttpServer(os.path.dirname(os.path.join(FIX, BUNDLES[0])))
    # The HTTP server serves the fixtures' folders flattened into one.
    serve = os.path.join(tmp, "www")
    os.mkdir(serve)
    for b in BUNDLES:
        src = os.path.join(FIX, b)
        if os.path.isfile(src):
            shutil.copy(src, serve)
    http.folder = serve
    try:
        no_database()
        with pgtest.Cluster() as c:
            env = dict(os.environ, PGHOST=c.tmp, PGUSER=c.user, PGDATABASE="postgres")
            env.pop("PGSERVICE", None)
            init_concurrently(c, env)
            paths = submit_all(c, env, http, tmp)
            jid, pushed = check_client(c, env, paths)
            w = start_worker(env)
            idle = wait_idle(c)
            rc, err = stop_worker(w)
            t.check("the worker emptied the queue", idle, err)
            t.check("worker: exit 0 on SIGTERM", rc == 0, err)
            t.check("worker: said each job", "done in" in err and "dead after 2 attempts" in err,
                    err)
            check_results(c, env, paths)
            check_partial(c, env, err)
            check_html(c, env, paths, tmp)
            check_urls_and_uploads(c, env, http, paths)
            check_client_result(c, jid, pushed, paths)
            check_dead_and_status(c, env)
            check_view_and_docs(c)
            check_drain(c, env, http, tmp)
            check_worker_without_schema(c)
    finally:
        http.close()
        shutil.rmtree(tmp, ignore_errors=True)
    t.exit()


if __name__ == "__main__":
    main()
