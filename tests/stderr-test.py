#!/usr/bin/env python3
"""What ewdiag says on standard error, and its exit status, beyond the golden
cases (issue 9): the same lines whatever the format (text, json, jsonl,
html, and with -o FILE), whatever --jobs, and from standard input; -q keeps
only the inputs that could not be read; every line starts with "ewdiag: "
and carries no control byte, whatever the names in the input hold.

    python3 tests/stderr-test.py EWDIAG
"""
import os
import subprocess
import sys
import tempfile

EWDIAG = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD = os.path.join("tests", "bad")
MIXED = [os.path.join(BAD, "partial-truncated.tar.gz"),
         os.path.join(BAD, "partial-capture-record.tar.gz"),
         os.path.join(BAD, "pcap-caplen-over-snaplen.pcap"),
         os.path.join(BAD, "no-such-file.tar.gz")]
CLEAN = os.path.join("fixtures", "clean", "diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz")
EXIT_PARTIAL = 3
failures = []


def check(name, ok, detail=""):
    print("%s %s" % ("ok" if ok else "FAIL", name))
    if not ok:
        print("    %s" % (detail,))
        failures.append(name)


def run(*args, stdin=None):
    p = subprocess.run([EWDIAG] + list(args), cwd=ROOT, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def same_across_formats():
    rc, _, want = run("-f", "jsonl", *MIXED)
    check("mixed inputs: exit 3 (partial, one missing, no finding)", rc == EXIT_PARTIAL, rc)
    check("mixed inputs: a line per warning and for the missing input",
          want.count(b"\n") == 4 and b"(2 times)" in want, want)
    for fmt in ("text", "json", "html"):
        got = run("-f", fmt, *MIXED)
        check("-f %s: the same lines and status as -f jsonl" % fmt,
              got[2] == want and got[0] == rc, got[2])
    with tempfile.TemporaryDirectory() as tmp:
        got = run("-f", "json", "-o", os.path.join(tmp, "r.json"), *MIXED)
        check("-o FILE: the same lines", got[2] == want and got[0] == rc, got[2])
    for jobs in ("1", "4"):
        got = run("-f", "jsonl", "-j", jobs, *MIXED)
        check("--jobs %s: the same lines, in input order" % jobs, got[2] == want, got[2])


def quiet():
    rc, _, err = run("-q", "-f", "json", *MIXED)
    check("-q: only the input that could not be read",
          err == b"ewdiag: tests/bad/no-such-file.tar.gz: No such file or directory\n", err)
    check("-q: the exit status is unchanged", rc == EXIT_PARTIAL, rc)


def standard_input():
    data = open(os.path.join(ROOT, BAD, "partial-truncated.tar.gz"), "rb").read()
    rc, _, err = run("-f", "jsonl", "-", stdin=data)
    check("standard input: exit 3", rc == EXIT_PARTIAL, rc)
    check("standard input: the line names '-' and the entry",
          err.startswith(b"ewdiag: -: diagnostic_log_vcsf_") and b"truncated" in err, err)
    rc, _, err = run("-f", "jsonl", "-", stdin=open(os.path.join(ROOT, CLEAN), "rb").read())
    check("standard input, read whole: exit 0, nothing said", rc == 0 and err == b"", (rc, err))


def is_utf8(b):
    try:
        b.decode("utf-8", "strict")
        return True
    except UnicodeDecodeError:
        return False


def terminal_safe():
    names = ["partial-control-bytes.tar.gz", "traversal.tar.gz", "hostile-markup.tar.gz",
             "loggingsnapshot_nonutf8_2026-11-22_08_50_00.txt"]
    rc, _, err = run("-f", "jsonl", *[os.path.join(BAD, n) for n in names])
    lines = err.split(b"\n")[:-1]
    check("control bytes: some lines said", len(lines) >= 1, err)
    check("every line starts with 'ewdiag: '", all(l.startswith(b"ewdiag: ") for l in lines), err)
    bad = [l for l in lines if any(b < 0x20 or b == 0x7f for b in l) or b"\xc2\x9b" in l]
    check("no control byte (C0, DEL, C1) reaches the terminal", not bad, bad)
    check("bytes that are not UTF-8 shown as U+FFFD: the lines are UTF-8",
          all(is_utf8(l) for l in lines) and "\ufffd" in err.decode(), err)


def main():
    same_across_formats()
    quiet()
    standard_input()
    terminal_safe()
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
