#!/usr/bin/env python3
"""32 uploads at once, every report checked against the command's; then
32 at once against 2 analysis slots: each gets its report or 503 with
Retry-After, never anything else, and never more than 2 analyses run
(no backlog builds up).

    python3 tests/serve/concurrency-test.py EWDIAG
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib as S  # noqa: E402

N = 32


def main():
    ew = os.path.abspath(sys.argv[1])
    files = [f for f in S.fixtures() if f.endswith(".tar.gz") and "/bad/" not in f]
    want = {f: S.cli_report(ew, [f]) for f in files}
    srv = S.Server(ew, "--max-analyses", str(N))
    try:
        jobs = [files[i % len(files)] for i in range(N)]

        def upload(f, i):
            if i % 2:
                return S.curl("-F", "bundle=@" + f, srv.url("/v1/analyze"))
            return S.curl("--data-binary", "@" + f, srv.url("/v1/analyze?name=" + os.path.basename(f)))

        t0 = time.time()
        res = S.in_threads([lambda f=f, i=i: upload(f, i) for i, f in enumerate(jobs)])
        bad = [(jobs[i], r[0] if isinstance(r, tuple) else r) for i, r in enumerate(res)
               if not isinstance(r, tuple) or r[0] != 200 or r[2] != want[jobs[i]][0]]
        S.check("%d concurrent uploads (%d bundles, body and multipart): every report is the "
                "command's (%.1f s)" % (N, len(files), time.time() - t0), not bad, bad[:3])
        S.check("/metrics counts them", S.metric(srv, 'ewdiag_analyses_total{result="ok"}') == N)
    finally:
        srv.stop()

    srv = S.Server(ew, "--max-analyses", "2")
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], S.metric(srv, "ewdiag_analyses_running"))
            time.sleep(0.02)

    try:
        w = threading.Thread(target=watch)
        w.start()
        f = os.path.join(S.ROOT, "fixtures", "captures", "small-records",
                         "diagnostic_log_vcsc_2026-11-22_08_50_10.tar.gz")
        res = S.in_threads([lambda: S.curl("--data-binary", "@" + f,
                                           srv.url("/v1/analyze?name=" + os.path.basename(f)))] * N)
        stop.set()
        w.join()
        ok = sum(1 for r in res if r[0] == 200 and r[2] == want[f][0])
        busy = sum(1 for r in res if r[0] == 503 and r[1].get("retry-after", "").isdigit())
        S.check("%d at once on 2 slots: %d reports, %d times 503 with Retry-After, nothing else"
                % (N, ok, busy), ok + busy == N and ok >= 2, [r[0] for r in res])
        S.check("never more than 2 analyses running (peak %d)" % peak[0], peak[0] <= 2)
        S.check("refusals counted", S.metric(srv, "ewdiag_analyses_refused_total") == busy)
    finally:
        srv.stop()
    S.finish()


if __name__ == "__main__":
    main()
