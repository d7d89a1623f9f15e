#!/usr/bin/env python3
"""Every HTML report validates: 'ewdiag -f html' on every fixture and every
bad input (one by one, then all at once) passes 'tidy -e' with neither an
error nor a warning, and names nothing to fetch (no src, no link, no
url(), no @import: the only addresses are the links to defects).

    python3 tests/html/validate-test.py EWDIAG
"""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "serve"))
import serverlib as S  # noqa: E402

FETCHES = re.compile(rb"""\ssrc\s*=|^<link\b|^<base\b|\sxlink:href|^<iframe|^<object|^<embed""", re.I)
CSS_FETCHES = re.compile(rb"url\(|@import", re.I)


def one(ew, name, files):
    p = subprocess.run([ew, "-q", "-f", "html"] + files, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    html = p.stdout
    if not S.check("%s: a page was written" % name, html.startswith(b"<!DOCTYPE html>") and
                   html.rstrip().endswith(b"</html>"), html[:100]):
        return
    t = subprocess.run(["tidy", "-e", "-q", "--show-warnings", "yes"], input=html,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    S.check("%s: tidy -e: no error, no warning" % name, t.returncode == 0,
            t.stderr.decode(errors="replace")[:1500])
    body = html.split(b'<script type="application/json"')[0]  # the data island holds input text
    tags = re.findall(rb"<[a-zA-Z][^>]*>", body)  # text is escaped: only real tags start with <
    found = [t for t in tags if FETCHES.search(t)]
    found += CSS_FETCHES.findall(b"".join(re.findall(rb"<style>(.*?)</style>", body, re.S)))
    S.check("%s: nothing to fetch" % name, not found, found[:5])
    links = re.findall(rb'href="([^"#][^"]*)"', body)
    S.check("%s: the only addresses are defect links" % name,
            all(l.startswith(b"https://bst.cloudapps.cisco.com/bugsearch/bug/CSC") for l in links),
            links[:5])


def main():
    ew = os.path.abspath(sys.argv[1])
    bad = sorted(f for f in glob.glob(os.path.join(S.ROOT, "tests", "bad", "*"))
                 if os.path.isfile(f) and not f.endswith((".md", ".py")))
    files = S.fixtures() + bad
    for f in files:
        one(ew, os.path.relpath(f, S.ROOT), [f])
    one(ew, "all %d inputs at once" % len(files), files)
    S.finish()


if __name__ == "__main__":
    main()
