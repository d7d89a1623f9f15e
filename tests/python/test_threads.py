#!/usr/bin/env python3
"""Threads: 4 threads x 20 analyses (paths and streams) give the serial reports; the GIL is
released while the library works, so threads analyze in parallel."""
import os
import tempfile
import threading
import time
import unittest

import ewdiag
from helpers import CAPTURE, EXAMPLE, report_dict

INPUTS = [
    EXAMPLE,
    CAPTURE,
    "fixtures/cluster/diagnostic_log_vcsd_2022-07-11_17_40_00.tar.gz",
    "fixtures/nested/two-nodes.zip",
    "fixtures/captures/inventory.pcapng",
    "fixtures/captures/tls13/diagnostic_log_vcsc_2026-11-22_08_50_02.tar.gz",
    "fixtures/renamed-dir/case-4711",
    "tests/bad/tls-cert-garbage-der.tar.gz",
]
THREADS = 4
EACH = 20
WARNING = (b"2022-07-11T18:55:26.016+02:00 vcsc traffic_server[18242]: [ET_NET 0] WARNING: Core "
           b"server certificate verification failed for (cucm.steven.lab). Action=Terminate "
           b"Error=self signed certificate server=cucm.steven.lab(10.48.36.215) depth=0\n")


def run_threads(work, n):
    """Runs work(i) on n threads at once; their results in order."""
    results = [None] * n
    errors = []

    def run(i):
        try:
            results[i] = work(i)
        except BaseException as e:  # noqa: B036 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


class Threads(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        a = ewdiag.Analyzer()
        cls.serial = {path: (report_dict(r := a.analyze(path)), r.to_json()) for path in INPUTS}

    def check(self, path, report):
        want_dict, want_json = self.serial[path]
        self.assertEqual(report.to_json(), want_json, path)
        self.assertEqual(report_dict(report), want_dict, path)

    def test_four_threads_twenty_analyses_each(self):
        def work(t):
            a = ewdiag.Analyzer()
            done = []
            for i in range(EACH):
                path = INPUTS[(t * EACH + i) % len(INPUTS)]
                if i % 2 and os.path.isfile(path):
                    # A stream: the library's threads call into Python at once.
                    with open(path, "rb") as f:
                        done.append((path, a.analyze(f)))
                else:
                    done.append((path, a.analyze(path)))
            return done

        results = run_threads(work, THREADS)
        self.assertEqual(sum(map(len, results)), THREADS * EACH)
        for done in results:
            for path, report in done:
                self.check(path, report)

    def test_one_analyzer_shared_by_threads(self):
        """Allowed, and safe: its analyses then take turns."""
        a = ewdiag.Analyzer()
        results = run_threads(lambda t: [(p, a.analyze(p)) for p in INPUTS], THREADS)
        for done in results:
            for path, report in done:
                self.check(path, report)

    def test_reports_read_from_threads(self):
        r = ewdiag.Analyzer().analyze(CAPTURE)
        texts = run_threads(lambda t: [r.to_json() for _ in range(EACH)], THREADS)
        self.assertEqual({x for done in texts for x in done}, {self.serial[CAPTURE][1]})


class Parallel(unittest.TestCase):
    """The GIL is released during the analysis."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.big = os.path.join(cls.dir.name, "loggingsnapshot_vcsc_2022-07-11_16_55_44.txt")
        with open(cls.big, "wb") as f:
            f.write(WARNING * 400_000)  # 95 MB, a few tenths of a second

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_other_threads_run_during_an_analysis(self):
        a = ewdiag.Analyzer(threads=1)
        result = []
        worker = threading.Thread(target=lambda: result.append(a.analyze(self.big)))
        start = last = time.perf_counter()
        gap = 0.0
        worker.start()
        while worker.is_alive():
            now = time.perf_counter()
            gap, last = max(gap, now - last), now
        took = time.perf_counter() - start
        self.assertEqual(result[0].findings[0].count, 400_000)
        self.assertGreater(took, 0.1, "the analysis was too quick to tell")
        # Holding the GIL, the analysis would stop this loop for all its length
        # (a loaded machine may stop it for a while too, not for all of it).
        self.assertLess(gap, took * 0.8, f"this thread stood still {gap:.3f} s of {took:.3f} s")

    @unittest.skipIf(os.environ.get("EWDIAG_SANITIZED"), "not measured under sanitizers")
    def test_speed_up(self):
        """Measured, said, not judged: the machine may be shared."""
        n = 8
        a = ewdiag.Analyzer(threads=1)
        start = time.perf_counter()
        for _ in range(n):
            a.analyze(self.big)
        serial = time.perf_counter() - start
        start = time.perf_counter()
        run_threads(lambda t: [ewdiag.Analyzer(threads=1).analyze(self.big)
                               for _ in range(n // 2)], 2)
        parallel = time.perf_counter() - start
        print(f"\n{n} analyses of {os.path.getsize(self.big) / 1e6:.0f} MB: {serial:.2f} s on one "
              f"thread, {parallel:.2f} s on two ({serial / parallel:.2f}x, {os.cpu_count()} cores)")


if __name__ == "__main__":
    unittest.main()
