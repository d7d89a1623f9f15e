#!/usr/bin/env python3
"""No leak: 1,000 analyses, every value of each report read, leave the
resident memory where it was after the first 100."""
import gc
import os
import unittest

import ewdiag
from helpers import CAPTURE, EXAMPLE, report_dict

ANALYSES = 1000
WARM_UP = 100
# bytes over 900 analyses: a leak of one report per analysis (tens of KB)
# is tens of MiB; a malloc arena of the inflate thread may add a few MiB
# once when the machine is loaded (4 MiB in one step was seen at load 9).
MAX_GROWTH = 8 * 1024 * 1024


def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmRSS in /proc/self/status")


@unittest.skipIf(os.environ.get("EWDIAG_SANITIZED"), "memory is not measured under sanitizers")
class Memory(unittest.TestCase):
    def test_rss_flat_over_a_thousand_analyses(self):
        a = ewdiag.Analyzer()
        sizes = []
        for i in range(ANALYSES):
            if i % 2:
                with open(CAPTURE, "rb") as f:
                    r = a.analyze(f)
            else:
                r = a.analyze(EXAMPLE)
            report_dict(r)
            r.to_json()
            try:
                a.analyze("fixtures/bad/not-an-archive.bin")
            except ewdiag.FormatError:
                pass
            if i + 1 in (WARM_UP, ANALYSES) or (i + 1) % 100 == 0:
                gc.collect()
                sizes.append(rss())
        growth = sizes[-1] - sizes[0]
        print(f"\nRSS after {WARM_UP} analyses {sizes[0] / 2**20:.1f} MiB, after {ANALYSES} "
              f"{sizes[-1] / 2**20:.1f} MiB ({growth / 1024:+.0f} KiB); every 100: "
              + " ".join(f"{s / 2**20:.1f}" for s in sizes))
        self.assertLess(growth, MAX_GROWTH)


if __name__ == "__main__":
    unittest.main()
