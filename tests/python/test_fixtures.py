#!/usr/bin/env python3
"""The binding's report equals the CLI's JSON on every fixture: every
value, read through the getters, against the library's own serializer run
by the command."""
import io
import unittest

import ewdiag
from helpers import (CAPTURE, EXAMPLE, analyze, cli, cli_json, fixture_inputs, jsonish,
                     report_dict)


class Fixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.analyzer = ewdiag.Analyzer()
        cls.inputs = fixture_inputs()

    def test_every_fixture_by_path(self):
        self.assertGreater(len(self.inputs), 40)
        for path in self.inputs:
            with self.subTest(path=path):
                want, status, err = cli_json(path)
                try:
                    r = self.analyzer.analyze(path)
                    self.assertNotEqual(status, 2, "the CLI analyzed nothing, the binding did")
                except ewdiag.Error as e:
                    # The CLI says the library's message, the binding raises it.
                    self.assertEqual(status, 2)
                    self.assertIn(f"ewdiag: {e}\n", err)
                    r = e.report
                self.assertEqual(report_dict(r), want)
                _, text, _ = cli("-f", "json", path)
                self.assertEqual(r.to_json(), text)

    def test_every_file_as_a_stream_as_the_cli_reads_stdin(self):
        for path in self.inputs:
            if path.endswith("case-4711") and "renamed-dir" in path:
                continue  # a directory is no stream
            with self.subTest(path=path):
                with open(path, "rb") as f:
                    want, _, _ = cli_json("-", stdin=f)
                with open(path, "rb") as f:
                    r = analyze(self.analyzer, io.BytesIO(f.read()))
                self.assertEqual(report_dict(r), want)

    def test_formats_as_the_cli_writes_them(self):
        r = self.analyzer.analyze(EXAMPLE)
        for fmt in ("text", "json", "jsonl"):
            with self.subTest(format=fmt):
                _, out, _ = cli("-f", fmt, "--color", "never", EXAMPLE)
                self.assertEqual(r.serialize(fmt), out)
                buf = io.StringIO()
                r.write(buf, format=fmt)
                self.assertEqual(buf.getvalue(), out)
                raw = io.BytesIO()
                r.write(raw, format=fmt)
                self.assertEqual(raw.getvalue(), out.encode())
        _, out, _ = cli("-f", "text", "--color", "always", "--entries", EXAMPLE)
        self.assertEqual(r.serialize("text", color=True, entries=True), out)
        self.assertEqual(str(r), r.serialize("text"))
        self.assertNotIn("\n ", r.to_json(compact=True))

    def test_values_of_the_example(self):
        """Pinned values, so that the comparisons above cannot pass on empty reports."""
        r = self.analyzer.analyze(EXAMPLE)
        self.assertEqual(r.max_severity, ewdiag.Severity.ERROR)
        self.assertEqual([(f.rule, f.server, f.address, f.count, f.requests) for f in r.findings], [
            ("ts-origin-sni-mismatch", "10.48.36.215", "10.48.36.215", 8, 2),
            ("ts-origin-cert-untrusted", "cucm.steven.lab", "10.48.36.215", 12, 3),
        ])
        f = r.findings[1]
        self.assertEqual(jsonish(f.first_seen), "2022-07-11T16:55:26.016Z")
        self.assertEqual(f.first_seen.utcoffset().total_seconds(), 0)
        self.assertIs(f.enforced, True)
        self.assertEqual((f.error, f.depth), ("self signed certificate", 0))
        self.assertEqual(f.urls[0].mra, ewdiag.Mra("steven.lab", "https", "cucm.steven.lab", "6972"))
        self.assertEqual(f.tls.capture, "no-capture")
        self.assertIsNone(f.certificate)
        self.assertIn("CSCwc69661", f.defects)
        self.assertEqual(sum(n for _, n in f.event_times.marks), f.count)
        self.assertEqual(sum(n for _, n in f.request_times.marks), f.requests)
        self.assertEqual(r.inputs[0].nodes, (ewdiag.Node("vcsc", "X14.2.1", "On"),))

    def test_values_of_a_capture(self):
        r = self.analyzer.analyze(CAPTURE)
        f = r.findings[0]
        self.assertEqual(f.tls.capture, "matched")
        self.assertEqual(f.tls.alert, ewdiag.Alert(48, "unknown_ca", "client"))
        leaf = f.certificate.chain[0]
        self.assertEqual(leaf.subject, "CN=cucm.steven.lab,OU=TAC,O=Cisco,L=Diegem,"
                                       "ST=Flemish-Brabant,C=BE")
        self.assertTrue(leaf.self_signed)
        self.assertLess(leaf.not_before, leaf.not_after)
        self.assertEqual(f.trust.trusted, False)
        self.assertEqual(f.trust.error, "self-signed certificate")
        server = r.tls_servers[0]
        self.assertEqual(server.input, CAPTURE)
        self.assertEqual(sum(n for _, n in server.times.marks), server.handshakes)
        self.assertEqual(server.chains[0].certificates[0], leaf)


if __name__ == "__main__":
    unittest.main()
