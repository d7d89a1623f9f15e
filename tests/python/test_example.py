#!/usr/bin/env python3
"""examples/failing-servers.py on a folder of cases: its CSV rows are the
findings of severity warning or above that the CLI reports."""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

from helpers import CAPTURE, EXAMPLE, RULES, cli

CASES = {
    "4711-example": EXAMPLE,
    "4712-cluster": "fixtures/cluster",
    "4713-capture": os.path.dirname(CAPTURE),
    "4714-clean": "fixtures/clean",
    "4715-continue": "fixtures/continue",
    "4716-broken": "fixtures/bad/not-an-archive.bin",
}
SEVERE = {"warning", "error", "critical"}


class Example(unittest.TestCase):
    def test_failing_servers_csv(self):
        with tempfile.TemporaryDirectory() as cases:
            for case, target in CASES.items():
                os.symlink(os.path.abspath(target), os.path.join(cases, case))
            p = subprocess.run([sys.executable, "examples/failing-servers.py", "--rules", RULES,
                                "--jobs", "3", cases], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, r"^4716-broken: .*binary data: neither an archive")
        got = [(r["case"], r["node"], r["server"], r["address"], r["rule"], r["severity"],
                int(r["events"]), int(r["requests"])) for r in csv.DictReader(io.StringIO(p.stdout))]
        want = []
        for case, target in CASES.items():
            _, out, _ = cli("-f", "json", target)
            want += [(case, f["node"], f["server"], f["address"], f["rule"], f["severity"],
                      f["count"], f["requests"])
                     for f in json.loads(out)["findings"] if f["severity"] in SEVERE]
        self.assertEqual(got, want)
        self.assertGreaterEqual(len(got), 5)
        self.assertNotIn("4714-clean", {row[0] for row in got})
        self.assertIn(("4711-example", "vcsc", "cucm.steven.lab", "10.48.36.215",
                       "ts-origin-cert-untrusted", "error", 12, 3), got)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        capture = [r for r in rows if r["case"] == "4713-capture"]
        self.assertTrue(capture and all(r["certificate"] for r in capture), capture)
        self.assertEqual({r["trusted"] for r in capture}, {"no"})


if __name__ == "__main__":
    unittest.main()
