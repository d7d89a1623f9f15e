#!/usr/bin/env python3
"""A 100 MB log line with no newline, then a real WARNING line: read from
standard input and from a gzipped file, each within bounded memory.

    python3 tests/long-line-test.py EWDIAG [--no-memory-check]

The line is made here, in a temporary folder, and streamed: nothing of it is
in the repository. For each way in, checks that ewdiag exits 1 (the WARNING
is an error finding), finds that WARNING, counts one line-too-long warning,
and, measured by /usr/bin/time -v (Debian package `time`), that its peak
resident set stays under 64 MiB. --no-memory-check skips the last check
(sanitizer builds, whose shadow memory is counted too).
"""
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

LINE_MB = 100
MAX_RSS_KB = 64 * 1024
CHUNK = b"x" * (1 << 20)
HEAD = b"2026-11-22T09:50:00.050+01:00 vcsc tvcs: "
WARNING = (b"2026-11-22T09:50:00.100+01:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: "
           b"Core server certificate verification failed for (cucm.steven.lab). "
           b"Action=Terminate Error=self signed certificate "
           b"server=cucm.steven.lab(10.48.36.215) depth=0\n")
TIME = "/usr/bin/time"

failed = 0


def check(name, ok, detail=""):
    global failed
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""))
    failed += not ok


def write_input(w):
    """The long line, no newline, then the WARNING line."""
    w.write(HEAD)
    for _ in range(LINE_MB):
        w.write(CHUNK)
    w.write(b"\n" + WARNING)


def run(binary, args, tmp, feed=None):
    """Runs ewdiag under /usr/bin/time -v; feed writes its standard input."""
    timing = os.path.join(tmp, "time.txt")
    outp, errp = os.path.join(tmp, "out.json"), os.path.join(tmp, "err.txt")
    cmd = [TIME, "-v", "-o", timing, binary, "-q", "-f", "json"] + args
    with open(outp, "wb") as out, open(errp, "wb") as err:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                             stdout=out, stderr=err)
        if feed:
            try:
                feed(p.stdin)
            except BrokenPipeError:
                pass  # ewdiag stopped reading: its status says why
            finally:
                try:
                    p.stdin.close()
                except BrokenPipeError:
                    pass
        p.wait()
    with open(outp, "rb") as f:
        out = f.read()
    with open(errp, "rb") as f:
        err = f.read()
    rss = None
    with open(timing) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
        if m:
            rss = int(m.group(1))
    return p.returncode, out, err, rss


def verify(label, status, out, err, rss, memory_check):
    check("%s: exit status 1" % label, status == 1, "got %d; stderr: %s" % (status, err[-500:]))
    try:
        doc = json.loads(out)
    except ValueError as e:
        check("%s: JSON report" % label, False, str(e))
        return
    found = [f for f in doc["findings"]
             if f["rule"] == "ts-origin-cert-untrusted" and f["server"] == "cucm.steven.lab"]
    check("%s: the WARNING after the long line is found" % label,
          len(found) == 1 and found[0]["count"] == 1, json.dumps(doc["findings"])[:300])
    cut = [w for w in doc["warnings"] if w["code"] == "line-too-long"]
    check("%s: one line-too-long warning, counted once" % label,
          len(cut) == 1 and cut[0]["count"] == 1, json.dumps(doc["warnings"]))
    # The cut line's tail went unread: the input is partial (issue 9).
    check("%s: input partial" % label, doc["inputs"][0]["status"] == "partial",
          doc["inputs"][0]["status"])
    check("%s: %d MB read" % (label, LINE_MB), doc["inputs"][0]["bytes"] > LINE_MB << 20,
          str(doc["inputs"][0]["bytes"]))
    if rss is None:
        check("%s: peak memory measured" % label, False, "no 'Maximum resident set size' from %s" % TIME)
    elif memory_check:
        check("%s: peak memory %d KiB < %d KiB" % (label, rss, MAX_RSS_KB), rss < MAX_RSS_KB)
    else:
        print("ok   %s: peak memory %d KiB (not checked: sanitizer build)" % (label, rss))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    binary = args[0]
    memory_check = "--no-memory-check" not in sys.argv
    if not os.access(TIME, os.X_OK):
        sys.exit("%s not found: install the Debian package 'time' (scripts/setup does)" % TIME)
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Standard input, streamed through a pipe.
        status, out, err, rss = run(binary, ["-"], tmp, feed=write_input)
        verify("stdin", status, out, err, rss, memory_check)
        # 2. A gzipped log file named as a loggingsnapshot.
        gz = os.path.join(tmp, "loggingsnapshot_vcsc_2026-11-22_08_50_00.txt.gz")
        with gzip.open(gz, "wb", compresslevel=1) as g:
            write_input(g)
        status, out, err, rss = run(binary, [gz], tmp)
        verify("gzip file", status, out, err, rss, memory_check)
    print("%s" % ("all passed" if not failed else "%d failed" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
