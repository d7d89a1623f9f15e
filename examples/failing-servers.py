#!/usr/bin/env python3
"""The servers that fail, as CSV, for every support case of a folder.

    failing-servers.py [--rules DIR] [--jobs N] CASES > failing.csv

Each entry of CASES is a case: a bundle, or a folder with the bundles of
every node of a cluster (analyzed as one input). One row per finding of
severity warning or above: the case, node, server, address and ports, the
rule, how often and when, OpenSSL's error, and what the capture shows of
the certificate (its subject, and whether the bundle's trust store trusts
it). Cases that cannot be analyzed are named on standard error; the exit
status is then 1.

Cases are analyzed on N threads (default: the number of cores), each with
an analyzer of its own: the library releases the GIL while it works.
"""
import argparse
import concurrent.futures
import csv
import os
import sys
import threading
from typing import Dict, Iterator, List, Optional, Tuple, Union

import ewdiag

Row = Dict[str, Union[str, int]]

FIELDS = ["case", "node", "server", "address", "ports", "rule", "severity", "events",
          "requests", "first_seen", "last_seen", "error", "certificate", "trusted"]


def rows(case: str, report: ewdiag.Report) -> Iterator[Row]:
    for f in report.findings:
        if f.severity < ewdiag.Severity.WARNING:
            continue
        leaf = f.certificate.chain[0] if f.certificate and f.certificate.chain else None
        yield {
            "case": case,
            "node": f.node,
            "server": f.server,
            "address": f.address,
            "ports": " ".join(map(str, f.ports)),
            "rule": f.rule,
            "severity": str(f.severity),
            "events": f.count,
            "requests": f.requests,
            "first_seen": f.first_seen.isoformat() if f.first_seen else "",
            "last_seen": f.last_seen.isoformat() if f.last_seen else "",
            "error": f.error or "",
            "certificate": leaf.subject if leaf else "",
            "trusted": "" if f.trust is None else "yes" if f.trust.trusted else "no",
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", help="a folder with one bundle or folder per case")
    parser.add_argument("--rules", help="rule directory (default: the installed rules)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="cases at once")
    args = parser.parse_args()

    ewdiag.Analyzer(rules=args.rules)  # wrong rules: said once, before any case
    local = threading.local()

    def analyze(case: str) -> Tuple[List[Row], Optional[ewdiag.Error]]:
        if not hasattr(local, "analyzer"):
            local.analyzer = ewdiag.Analyzer(rules=args.rules)
        try:
            return list(rows(case, local.analyzer.analyze(os.path.join(args.cases, case)))), None
        except ewdiag.Error as e:
            return [], e

    out = csv.DictWriter(sys.stdout, FIELDS)
    out.writeheader()
    status = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        cases = sorted(os.listdir(args.cases))
        for case, (found, error) in zip(cases, pool.map(analyze, cases)):
            if error:
                print(f"{case}: {error}", file=sys.stderr)
                status = 1
            out.writerows(found)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ewdiag.Error as e:
        sys.exit(f"failing-servers: {e}")
