#!/usr/bin/env python3
"""ewdiag serve's asynchronous uploads (issue 13) for real: a throwaway
PostgreSQL cluster (tests/queue/pgtest.py), the service on a free loopback
port with --db and a token, and a real `ewdiag worker`.

    python3 tests/serve/async-test.py EWDIAG [--mb 128] [--no-memory-check]

Checks: without --db the routes answer 404 saying how to configure one; a
database without the schema stops the service at start; the token; uploads
as the body, as multipart with two files and chunked from a pipe, each
answered 202 with its jobs (and Location for one), the state while queued
(202), the reports once the worker ran byte for byte those of `ewdiag -f
json|jsonl|text|html` on the same file, with the command's exit status and
in every format the same headers as POST /v1/analyze's answer (and the
job's state); a result stored without HTML (an older worker): 404 saying
so; a bundle
the worker cannot analyze dead (422, its error); the limits (413, 400 past
--max-inputs, a multipart body cut short: nothing stored); clients that
leave mid-upload (a socket closed, curl killed, a multipart cut in its second
file) leave no job and no large object; the database stopped: a clear 503
at once, the service alive, and uploads again once it is back; metrics and
the log line; an upload in flight at SIGTERM finished and answered; the
server's peak memory after a --mb MB upload streamed into the database.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "queue"))
import pgtest  # noqa: E402
import serverlib as S  # noqa: E402

FIX = os.path.join(S.ROOT, "fixtures")
BODY = os.path.join(FIX, "example", "diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz")
PARTS = [os.path.join(FIX, "cluster", "diagnostic_log_vcsc_2022-07-11_17_40_00.tar.gz"),
         os.path.join(FIX, "cluster", "diagnostic_log_vcsd_2022-07-11_17_40_00.tar.gz")]
PIPED = os.path.join(FIX, "clean", "diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz")
POISON = os.path.join(S.ROOT, "tests", "bad", "not-an-archive.bin")
TOKEN = "s3cret-token"
WAIT_S = 90
SLACK_KIB = 16 * 1024  # what a large upload may add to a small one's peak
MB = 1000000


class Api:
    """curl against the service with the token."""

    def __init__(self, srv):
        self.srv = srv

    def __call__(self, *args, path, data=None, token=TOKEN):
        auth = ["-H", "Authorization: Bearer " + token] if token else []
        return S.curl(*(auth + list(args)), self.srv.url(path), data=data)


def metric(srv, name):
    """A metric's value, asked with the token."""
    st, _, body = S.curl("-H", "Authorization: Bearer " + TOKEN, srv.url("/metrics"))
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def counts(c):
    """Jobs and large objects in the database."""
    return c.psql("SELECT (SELECT count(*) FROM ewdiag.jobs),"
                  " (SELECT count(*) FROM pg_largeobject_metadata)")[0]


def in_transaction(c):
    return int(c.value("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                       " 'ewdiag serve' AND xact_start IS NOT NULL"))


def wait_for(cond, timeout=30, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return False


def jobs_of(got):
    st, h, body = got
    try:
        return [j["id"] for j in json.loads(body)["jobs"]] if st == 202 else []
    except (ValueError, KeyError):
        return []


def without_db(ew):
    srv = S.Server(ew)
    try:
        for method, path in (("POST", "/v1/bundles"), ("GET", "/v1/bundles/1")):
            st, _, body = S.curl("-X", method, srv.url(path))
            S.check("no --db: %s %s is 404 saying how to configure one" % (method, path),
                    st == 404 and b"--db" in body and b"ewdiag queue init" in body, (st, body))
        st, _, body = S.curl("--data-binary", "@" + BODY, srv.url("/v1/analyze?name=x.tar.gz"))
        S.check("no --db: /v1/analyze as before", st == 200, st)
    finally:
        srv.stop("no --db: stops on SIGTERM, exit 0")


def no_schema(ew, c):
    p = subprocess.run([ew, "serve", "--listen", "127.0.0.1:0", "--db", c.conninfo],
                       capture_output=True, text=True, timeout=60)
    S.check("--db on a database without the schema: exit 2, says to run queue init",
            p.returncode == 2 and "ewdiag queue init" in p.stderr, (p.returncode, p.stderr))


def auth(api, c):
    before = counts(c)
    st, h, _ = api("--data-binary", "@" + BODY, path="/v1/bundles?name=x.tar.gz", token=None)
    S.check("no token: POST 401", st == 401 and "www-authenticate" in h, st)
    st, _, _ = api("--data-binary", "@" + BODY, path="/v1/bundles", token="wrong")
    S.check("wrong token: POST 401", st == 401, st)
    st, _, _ = api(path="/v1/bundles/1", token=None)
    S.check("no token: GET 401", st == 401, st)
    S.check("no token: nothing stored", counts(c) == before, (before, counts(c)))


def uploads(api, c):
    """Before any worker runs: the jobs wait, queued."""
    name = os.path.basename(BODY)
    got = api("--data-binary", "@" + BODY, "-H", "Content-Type: application/gzip",
              path="/v1/bundles?case=C1&name=" + name)
    st, h, body = got
    ids = jobs_of(got)
    S.check("body: 202 with one job, its name and status_url, Location", len(ids) == 1 and
            json.loads(body)["jobs"][0] == {"id": ids[0], "name": name,
                                            "status_url": "/v1/bundles/%d" % ids[0]} and
            h.get("location") == "/v1/bundles/%d" % ids[0], (st, h, body))
    st, h, body = api(path="/v1/bundles/%d" % ids[0])
    state = json.loads(body) if st == 202 else {}
    S.check("while no worker runs: 202, state queued, attempts 0, its case and times",
            state.get("state") == "queued" and state.get("attempts") == 0 and
            state.get("case") == "C1" and state.get("name") == name and
            state.get("submitted_at", "").endswith("Z") and state.get("finished_at") is None and
            h.get("ewdiag-job-state") == "queued" and h.get("retry-after"), (st, h, body))
    got = api("-F", "bundle=@" + PARTS[0], "-F", "bundle=@" + PARTS[1], path="/v1/bundles")
    pids = jobs_of(got)
    S.check("multipart, two files: 202 with two jobs in order, no Location", len(pids) == 2 and
            [j["name"] for j in json.loads(got[2])["jobs"]] ==
            [os.path.basename(p) for p in PARTS] and "location" not in got[1], got)
    data = open(PIPED, "rb").read()
    got = api("-T", "-", "-X", "POST", path="/v1/bundles?name=" + os.path.basename(PIPED),
              data=data)
    cids = jobs_of(got)
    S.check("chunked from a pipe: 202, one job", len(cids) == 1, got)
    got = api("--data-binary", "@" + POISON, path="/v1/bundles?name=not-an-archive.bin")
    dead = jobs_of(got)
    S.check("a file that is no bundle: queued too", len(dead) == 1, got)
    return {ids[0]: (BODY, name), pids[0]: (PARTS[0], os.path.basename(PARTS[0])),
            pids[1]: (PARTS[1], os.path.basename(PARTS[1])),
            cids[0]: (PIPED, os.path.basename(PIPED))} if ids and len(pids) == 2 and cids \
        else {}, dead[0] if dead else 0


def refusals(api, srv, c):
    before = counts(c)
    st, _, body = api("--data-binary", "@" + BODY, path="/v1/bundles?case=%FF")
    S.check("a case that is not UTF-8: 400", st == 400 and b"case" in body, (st, body))
    st, _, body = api("--data-binary", "@" + BODY, path="/v1/bundles?name=" + "n" * 256)
    S.check("a name over 255 bytes: 400", st == 400, (st, body))
    bad = multipart([(b"\xff\xfe.tar.gz", b"x")])
    st, _, body = api("--data-binary", "@-", "-H", "Content-Type: multipart/form-data; "
                      "boundary=" + BOUNDARY, path="/v1/bundles", data=bad)
    S.check("a file name that is not UTF-8: 400", st == 400 and b"UTF-8" in body, (st, body))
    args = []
    for _ in range(5):
        args += ["-F", "bundle=@" + BODY]
    st, _, body = api(*args, path="/v1/bundles")
    S.check("5 files past --max-inputs 4: 400, nothing stored", st == 400 and
            b"--max-inputs" in body and counts(c) == before, (st, body))
    r = S.Raw(srv.port, "POST", "/v1/bundles", ["Authorization: Bearer " + TOKEN,
                                               "Content-Length: 99999999999"])
    st, _, body = r.response()
    r.close()
    S.check("Content-Length past --max-upload: 413 at once", st == 413, (st, body))
    cut = multipart([("a.tar.gz", open(BODY, "rb").read()), ("b.tar.gz", b"x" * 1000)])
    cut = cut[:-len(b"--\r\n") - 20]
    st, _, body = api("--data-binary", "@-", "-H", "Content-Type: multipart/form-data; "
                      "boundary=" + BOUNDARY, path="/v1/bundles", data=cut)
    S.check("multipart cut before its closing boundary (first file whole): 400, nothing stored",
            st == 400 and counts(c) == before, (st, body, before, counts(c)))
    for path, want in (("/v1/bundles/0", 404), ("/v1/bundles/abc", 404),
                       ("/v1/bundles/99999", 404), ("/v1/bundles/1?format=pdf", 400),
                       ("/v1/bundles/1?format=xml", 400)):
        st, _, body = api(path=path)
        S.check("GET %s: %d" % (path, want), st == want, (st, body))
    st, h, _ = api("-X", "DELETE", path="/v1/bundles/1")
    S.check("DELETE /v1/bundles/1: 405, Allow: GET, HEAD", st == 405 and
            h.get("allow") == "GET, HEAD", (st, h))
    st, h, _ = api(path="/v1/bundles")
    S.check("GET /v1/bundles: 405, Allow: POST", st == 405 and h.get("allow") == "POST", (st, h))


BOUNDARY = "ewdiagtestboundary7d3a"


def multipart(files):
    out = b""
    for name, data in files:
        name = name if isinstance(name, bytes) else name.encode()
        out += (b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; "
                b"name=\"bundle\"; filename=\"" + name + b"\"\r\n"
                b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


def gone_clients(api, srv, c):
    """Clients that leave mid-upload: the transaction rolls back."""
    before = counts(c)
    blob = os.urandom(4 << 20)
    r = S.Raw(srv.port, "POST", "/v1/bundles?name=gone.tar.gz",
              ["Authorization: Bearer " + TOKEN, "Content-Length: %d" % (64 << 20)])
    r.send(blob)
    began = wait_for(lambda: in_transaction(c) > 0, 20)
    r.close()
    S.check("socket closed mid-upload: its transaction was open",
            began, in_transaction(c))
    S.check("socket closed mid-upload: rolled back, no job, no large object",
            wait_for(lambda: in_transaction(c) == 0 and counts(c) == before, 30),
            (before, counts(c)))
    body = multipart([("first.tar.gz", open(BODY, "rb").read()), ("second.tar.gz", blob)])
    r = S.Raw(srv.port, "POST", "/v1/bundles", [
        "Authorization: Bearer " + TOKEN, "Content-Length: %d" % (len(body) + (8 << 20)),
        "Content-Type: multipart/form-data; boundary=" + BOUNDARY])
    r.send(body[:len(body) - 1000])
    began = wait_for(lambda: in_transaction(c) > 0, 20)
    time.sleep(0.5)
    r.close()
    S.check("multipart left in its second file (the first one queued in the transaction): "
            "nothing stored", began and wait_for(lambda: in_transaction(c) == 0 and
                                                 counts(c) == before, 30), (before, counts(c)))
    p = subprocess.Popen(["curl", "-sS", "-T", "-", "-X", "POST", "-H",
                          "Authorization: Bearer " + TOKEN,
                          srv.url("/v1/bundles?name=killed.tar.gz")],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(blob)
    p.stdin.flush()
    began = wait_for(lambda: in_transaction(c) > 0, 20)
    p.kill()
    p.wait()
    S.check("curl killed mid-upload (chunked): nothing stored", began and
            wait_for(lambda: in_transaction(c) == 0 and counts(c) == before, 30),
            (before, counts(c)))
    st, _, body = api(path="/healthz")
    S.check("healthy after the clients that left", st == 200, (st, body))


def poll(api, jid, fmt="json", timeout=WAIT_S):
    end = time.time() + timeout
    while True:
        got = api(path="/v1/bundles/%d?format=%s" % (jid, fmt))
        if got[0] != 202 or time.time() > end:
            return got
        time.sleep(0.3)


FORMATS = ("json", "jsonl", "text", "html")
CTYPES = {"json": "application/json", "jsonl": "application/x-ndjson",
          "text": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}
# What differs from one response to the next, whatever the format.
VARYING = {"date", "content-length", "content-type"}


def header_names(h):
    return sorted(set(h) - VARYING)


def reports(ew, api, c, jobs, dead):
    """Each job's report in every format, as the command writes it, each
    response with the same headers (as POST /v1/analyze's, plus the job's
    state)."""
    for jid, (path, name) in sorted(jobs.items()):
        names = {}
        for fmt in FORMATS:
            st, h, body = poll(api, jid, fmt)
            want, rc = S.cli_report(ew, [path], fmt, names=[name])
            why = "status %s, %d bytes vs %d; exit %s vs %s" % (
                st, len(body), len(want), h.get("ewdiag-exit-status"), rc)
            S.check("job %d (%s), -f %s: the report == ewdiag -f %s, byte for byte" %
                    (jid, name, fmt, fmt), st == 200 and body == want and
                    h.get("ewdiag-exit-status") == str(rc) and
                    h.get("ewdiag-job-state") == "done" and
                    h.get("content-type") == CTYPES[fmt], why)
            names[fmt] = header_names(h)
            st, ph, _ = api("--data-binary", "@" + path,
                            path="/v1/analyze?format=%s&name=%s" % (fmt, name))
            S.check("job %d, -f %s: the headers of POST /v1/analyze's answer, and the job's "
                    "state" % (jid, fmt), st == 200 and
                    names[fmt] == sorted(header_names(ph) + ["ewdiag-job-state"]) and
                    ph.get("ewdiag-exit-status") == h.get("ewdiag-exit-status"),
                    (names[fmt], header_names(ph)))
        S.check("job %d: the same headers in every format" % jid,
                all(names[f] == names["json"] for f in FORMATS), names)
    html_old(api, c, min(jobs))
    st, h, body = poll(api, dead)
    state = json.loads(body) if st == 422 else {}
    S.check("a file that is no bundle: 422, dead after its 3 attempts, with its error",
            state.get("state") == "dead" and state.get("attempts") == 3 and
            "not-an-archive.bin" in (state.get("error") or "") and
            h.get("ewdiag-job-state") == "dead", (st, body))
    S.check("large objects unlinked once analyzed (a dead job keeps its own)", wait_for(
        lambda: c.psql("SELECT count(*) FILTER (WHERE blob IS NOT NULL AND state = 'done'),"
                       " count(*) FILTER (WHERE blob IS NOT NULL AND state = 'dead'),"
                       " (SELECT count(*) FROM pg_largeobject_metadata) FROM ewdiag.jobs")
        == [["0", "1", "1"]], 10))


def html_old(api, c, jid):
    """A result stored by a worker that kept no HTML: 404 saying so; its
    other formats still there."""
    c.psql("DELETE FROM ewdiag.renderings WHERE job_id = %d AND format = 'html'" % jid)
    st, h, body = api(path="/v1/bundles/%d?format=html" % jid)
    S.check("no HTML stored (an older worker): 404 saying so and what to do", st == 404 and
            (b"job %d was analyzed by an older worker: no HTML stored" % jid) in body and
            b"--again" in body and h.get("ewdiag-job-state") == "done", (st, body))
    st, _, _ = api(path="/v1/bundles/%d?format=text" % jid)
    S.check("no HTML stored: the text report still served", st == 200, st)


def database_down(ew, api, srv, c):
    c.stop()
    st, h, body = api("--data-binary", "@" + BODY, path="/v1/bundles?name=x.tar.gz")
    S.check("database stopped: POST 503, says the database, Retry-After",
            st == 503 and b"database" in body and h.get("retry-after"), (st, body))
    t0 = time.time()
    st, h, body = api("--data-binary", "@" + BODY, path="/v1/bundles?name=x.tar.gz")
    S.check("database stopped: the next POST 503 at once (%.2fs)" % (time.time() - t0),
            st == 503 and b"database" in body and time.time() - t0 < 2, (st, body))
    st, h, body = api(path="/v1/bundles/1")
    S.check("database stopped: GET 503 with the reason", st == 503 and b"database" in body,
            (st, body))
    st, _, body = api(path="/healthz")
    S.check("database stopped: the service is alive (/healthz ok)", st == 200, st)
    st, _, body = api("--data-binary", "@" + BODY, path="/v1/analyze?name=x.tar.gz")
    S.check("database stopped: /v1/analyze still answers", st == 200, st)
    S.check("database stopped: ewdiag_database_up 0", metric(srv, "ewdiag_database_up") == 0)
    c.start()
    got = [None]

    def again():
        got[0] = api("--data-binary", "@" + BODY, path="/v1/bundles?case=BACK&name=back.tar.gz")
        return got[0][0] == 202

    S.check("database back: uploads taken again (reconnected with backoff)",
            wait_for(again, 30, 0.5), got[0])
    ids = jobs_of(got[0])
    if ids:
        st, _, body = poll(api, ids[0])
        want, _ = S.cli_report(ew, [BODY], "json", names=["back.tar.gz"])
        S.check("database back: that upload analyzed, its report == the command's",
                st == 200 and body == want, st)


def metrics_and_log(srv):
    m = lambda name: metric(srv, name)  # noqa: E731
    S.check("metrics: POST /v1/bundles 202 counted",
            m('ewdiag_http_requests_total{route="/v1/bundles",code="202"}') >= 5)
    S.check("metrics: GET /v1/bundles/{id} 200, 202, 422 counted",
            m('ewdiag_http_requests_total{route="/v1/bundles/{id}",code="200"}') >= 12 and
            m('ewdiag_http_requests_total{route="/v1/bundles/{id}",code="202"}') >= 1 and
            m('ewdiag_http_requests_total{route="/v1/bundles/{id}",code="422"}') >= 1)
    S.check("metrics: jobs queued, uploads ok, aborted and failed",
            m("ewdiag_bundle_jobs_total") >= 6 and
            m('ewdiag_bundle_uploads_total{result="ok"}') >= 5 and
            m('ewdiag_bundle_uploads_total{result="aborted"}') >= 3 and
            m('ewdiag_bundle_uploads_total{result="failed"}') >= 1)
    S.check("metrics: database up again, connects and errors counted",
            m("ewdiag_database_up") == 1 and
            m('ewdiag_database_connects_total{result="failed"}') >= 1 and
            m("ewdiag_database_errors_total") >= 1)


def check_log(log):
    S.check("log: POST /v1/bundles 202 with its jobs",
            re.search(r'"POST /v1/bundles" 202 in=\d+ out=\d+ [\d.]+s jobs=\d+\n', log),
            log[-2000:])
    S.check("log: two jobs of a multipart upload", re.search(r" jobs=\d+,\d+\n", log))
    S.check("log: GET with the job's state", re.search(
        r'"GET /v1/bundles/\d+" 200 in=0 out=\d+ [\d.]+s state=done\n', log))
    S.check("log: the clients that left", log.count("client gone before the end of the upload: "
                                                    "nothing stored") >= 3)


def sigterm_in_flight(ew, c):
    srv = S.Server(ew, "--db", c.conninfo)
    data = open(BODY, "rb").read()
    r = S.Raw(srv.port, "POST", "/v1/bundles?case=TERM&name=term.tar.gz",
              ["Content-Length: %d" % len(data)])
    r.send(data[:1000])
    wait_for(lambda: in_transaction(c) > 0, 20)
    srv.p.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    r.send(data[1000:])
    st, _, body = r.response()
    r.close()
    S.check("SIGTERM with an upload in flight: it is finished and answered 202",
            st == 202 and jobs_of((st, {}, body)), (st, body))
    S.check("SIGTERM: that job is in the database",
            c.value("SELECT count(*) FROM ewdiag.jobs WHERE case_id = 'TERM'") == "1")
    srv.stop("SIGTERM with an upload in flight: exit 0")


def memory(ew, c, mb, check_memory):
    srv = S.Server(ew, "--db", c.conninfo, "--max-analyses", "2")
    try:
        api = Api(srv)
        api("--data-binary", "@" + BODY, path="/v1/bundles?case=MEM&name=small", token=None)
        small = srv.rss_kib()
        p = subprocess.Popen(["curl", "-sS", "-T", "-", "-X", "POST",
                              srv.url("/v1/bundles?case=MEM&name=big")],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        chunk = os.urandom(1 << 20)
        for _ in range(mb):
            p.stdin.write(chunk)
        p.stdin.close()
        out = p.stdout.read()
        p.wait()
        big = srv.rss_kib()
        ids = jobs_of((202, {}, out))
        size = c.value("SELECT sum(length(data)) FROM pg_largeobject WHERE loid = "
                       "(SELECT blob FROM ewdiag.jobs WHERE id = %d)" % ids[0]) if ids else "0"
        S.check("a %d MiB upload streamed into the database, all of it" % mb,
                int(size or 0) == mb << 20, (out, size))
        print("peak RSS: %d KiB after a small async upload, %d KiB after a %d MiB one"
              % (small, big, mb), flush=True)
        if check_memory:
            S.check("memory flat: %d MiB upload peaks at %d MiB, small at %d MiB" %
                    (mb, big // 1024, small // 1024), big <= small + SLACK_KIB)
        c.psql("DELETE FROM ewdiag.jobs WHERE case_id = 'MEM'")
    finally:
        srv.stop("memory: stops on SIGTERM, exit 0")


def main():
    pgtest.require_postgres()
    ew = os.path.abspath(sys.argv[1])
    mb = int(sys.argv[sys.argv.index("--mb") + 1]) if "--mb" in sys.argv else 128
    without_db(ew)
    tok = tempfile.NamedTemporaryFile("w", prefix="ewdiag-token-", delete=False)
    tok.write(TOKEN + "\n")
    tok.close()
    worker = None
    try:
        with pgtest.Cluster() as c:
            no_schema(ew, c)
            env = dict(os.environ, PGHOST=c.tmp, PGUSER=c.user, PGDATABASE="postgres")
            subprocess.run([ew, "queue", "init"], env=env, check=True, capture_output=True)
            memory(ew, c, mb, "--no-memory-check" not in sys.argv)
            srv = S.Server(ew, "--db", c.conninfo, "--token-file", tok.name, "--max-inputs", "4")
            api = Api(srv)
            try:
                auth(api, c)
                jobs, dead = uploads(api, c)
                refusals(api, srv, c)
                gone_clients(api, srv, c)
                worker = subprocess.Popen([ew, "worker", "--db", c.conninfo, "--jobs", "2",
                                           "--retry-delay", "0", "--lease", "6"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                reports(ew, api, c, jobs, dead)
                database_down(ew, api, srv, c)
                metrics_and_log(srv)
            finally:
                log = srv.stop()
            check_log(log)
            sigterm_in_flight(ew, c)
    finally:
        if worker:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
        os.unlink(tok.name)
    S.finish()


if __name__ == "__main__":
    main()
