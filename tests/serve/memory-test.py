#!/usr/bin/env python3
"""An upload streams into its analysis: the server's peak memory after a
large upload (a gzipped log of --mb MB, made here and piped into curl, so
that it never exists whole anywhere) stays what it was after a small one.
Its WARNING lines are found at the start and the end: all of it was read.

    python3 tests/serve/memory-test.py EWDIAG [--mb 256] [--no-memory-check]

--no-memory-check: sanitizer builds (their shadow memory counts).
"""
import gzip
import os
import random
import subprocess
import sys
import json
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib as S  # noqa: E402

SLACK_KIB = 16 * 1024  # what the large upload may add to the small one's peak
WARNING = ("2026-11-22T09:50:%02d.100+01:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: "
           "Core server certificate verification failed for (cucm.steven.lab). Action=Terminate "
           "Error=self signed certificate server=cucm.steven.lab(10.48.36.215) depth=0\n")
NAME = "loggingsnapshot_vcsc_2026-11-22_08_50_00.txt.gz"


def lines(mb, seed=12):
    """About mb MB of ordinary log lines, a WARNING first and last."""
    rnd = random.Random(seed)
    words = ["registration", "call", "SIP/2.0", "200 OK", "INVITE", "tvcs", "xcp", "httpd", "b2bua",
             "Detail=", "Src-ip=10.1.%d.%d" % (rnd.randrange(255), rnd.randrange(255)), "Txn-id"]
    yield WARNING % 0
    total, block = 0, []
    while total < mb * 1000000:
        s = "2026-11-22T09:50:%02d.%03d+01:00 vcsc tvcs: UTCTime=\"x\" %s id=%d\n" % (
            rnd.randrange(1, 59), rnd.randrange(1000), " ".join(rnd.choice(words) for _ in range(12)),
            rnd.randrange(10 ** 9))
        block.append(s)
        total += len(s)
        if len(block) == 2000:
            yield "".join(block)
            block = []
    yield "".join(block)
    yield WARNING % 59


def upload(srv, mb):
    p = subprocess.Popen(["curl", "-sS", "--data-binary", "@-", "-H", "Transfer-Encoding: chunked",
                          srv.url("/v1/analyze?name=" + NAME)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = {}

    def read():
        out["body"] = p.stdout.read()

    t = threading.Thread(target=read)
    t.start()
    with gzip.GzipFile(fileobj=p.stdin, mode="wb", compresslevel=1, mtime=0) as g:
        for chunk in lines(mb):
            g.write(chunk.encode())
    p.stdin.close()
    t.join()
    p.wait()
    return json.loads(out["body"] or b"{}")


def main():
    ew = os.path.abspath(sys.argv[1])
    mb = int(sys.argv[sys.argv.index("--mb") + 1]) if "--mb" in sys.argv else 256
    memory = "--no-memory-check" not in sys.argv
    srv = S.Server(ew, "--max-analyses", "2")
    try:
        small = upload(srv, 1)
        rss_small = srv.rss_kib()
        big = upload(srv, mb)
        rss_big = srv.rss_kib()
        for name, d in (("1 MB", small), ("%d MB" % mb, big)):
            f = d.get("findings") or [{}]
            S.check("the %s upload: both WARNINGs found (count 2), all of it read" % name,
                    f[0].get("count") == 2 and d["inputs"][0]["bytes"] > mb * 1000000 * (name != "1 MB"),
                    (f[0].get("count"), d.get("inputs", [{}])[0].get("bytes")))
        print("peak RSS: %d KiB after a 1 MB upload, %d KiB after a %d MB one" % (rss_small, rss_big, mb))
        if memory:
            S.check("memory flat: %d MB upload peaks at %d MiB, 1 MB at %d MiB (slack %d MiB)"
                    % (mb, rss_big // 1024, rss_small // 1024, SLACK_KIB // 1024),
                    rss_big <= rss_small + SLACK_KIB)
    finally:
        srv.stop()
    S.finish()


if __name__ == "__main__":
    main()
