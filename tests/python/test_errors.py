#!/usr/bin/env python3
"""Errors: ewdiag.Error subclasses carrying the library's message, the same
message the CLI prints."""
import os
import unittest

import ewdiag
from helpers import EXAMPLE, cli


def cli_error(*args):
    """The CLI's first line on stderr, without "ewdiag: "."""
    _, _, err = cli(*args)
    first = err.splitlines()[0]
    assert first.startswith("ewdiag: "), err
    return first[len("ewdiag: "):]


class Errors(unittest.TestCase):
    def test_rule_files_that_do_not_load(self):
        names = sorted(set(os.listdir("tests/bad/rules")) - {"backtracking"})
        self.assertGreaterEqual(len(names), 4)
        for name in names:
            rules = os.path.join("tests/bad/rules", name)
            with self.subTest(rules=rules):
                with self.assertRaises(ewdiag.FormatError) as cm:
                    ewdiag.Analyzer(rules=rules)
                e = cm.exception
                self.assertEqual(e.code, -4)
                self.assertIsInstance(e, ValueError)
                self.assertEqual(str(e), cli_error("-r", rules, EXAMPLE))
                self.assertIn(rules, str(e))

    def test_a_rule_that_backtracks_loads_and_is_stopped(self):
        r = ewdiag.Analyzer(rules="tests/bad/rules/backtracking").analyze(
            "tests/bad/loggingsnapshot_backtrack_2026-11-22_08_50_00.txt")
        self.assertEqual([w.code for w in r.warnings], ["match-limit"])

    def test_rules_that_cannot_be_read(self):
        with self.assertRaises(ewdiag.InputError) as cm:
            ewdiag.Analyzer(rules="/nonexistent/rules")
        self.assertIsInstance(cm.exception, OSError)
        self.assertEqual(cm.exception.code, -3)
        self.assertEqual(str(cm.exception), "/nonexistent/rules: cannot open rules: "
                                             "No such file or directory")

    def test_options(self):
        with self.assertRaises(ewdiag.InvalidArgument) as cm:
            ewdiag.Analyzer(no_such_limit=1)
        self.assertEqual(str(cm.exception), "unknown option 'no-such-limit'")
        self.assertIsInstance(cm.exception, ValueError)
        self.assertEqual(cm.exception.code, -1)
        with self.assertRaises(ewdiag.InvalidArgument) as cm:
            ewdiag.Analyzer(max_line="abc")
        self.assertEqual(str(cm.exception), cli_error("--set", "max-line=abc", EXAMPLE))
        with self.assertRaises(ewdiag.InvalidArgument):
            ewdiag.Analyzer(max_line=1)  # below the least (64)

    def test_options_are_applied(self):
        r = ewdiag.Analyzer(evidence=1).analyze(EXAMPLE)
        self.assertEqual([len(f.evidence) for f in r.findings], [1, 1])
        r = ewdiag.Analyzer(max_line=64).analyze(EXAMPLE)
        self.assertIn("line-too-long", [w.code for w in r.warnings])

    def test_inputs_that_cannot_be_analyzed(self):
        for path, cls in (("/nonexistent/bundle.tar.gz", ewdiag.InputError),
                          ("fixtures/bad/not-an-archive.bin", ewdiag.FormatError),
                          ("fixtures/bad/empty.tar.gz", ewdiag.FormatError)):
            with self.subTest(path=path):
                with self.assertRaises(cls) as cm:
                    ewdiag.Analyzer().analyze(path)
                e = cm.exception
                self.assertEqual(str(e), cli_error(path))
                self.assertEqual(e.report.inputs[0].status, "failed")
                self.assertEqual(e.report.inputs[0].error, str(e))
                self.assertEqual(e.report.findings, ())

    def test_a_partial_input_is_a_report(self):
        r = ewdiag.Analyzer().analyze("fixtures/bad/truncated.tar.gz")
        self.assertEqual(r.inputs[0].status, "partial")
        self.assertEqual([w.code for w in r.warnings], ["read-error"])
        self.assertIn("truncated", r.warnings[0].message)

    def test_every_error_is_an_ewdiag_error(self):
        for cls in (ewdiag.InvalidArgument, ewdiag.OutOfMemory, ewdiag.InputError,
                    ewdiag.FormatError, ewdiag.LimitError):
            self.assertTrue(issubclass(cls, ewdiag.Error))

    def test_unknown_format(self):
        r = ewdiag.Analyzer().analyze(EXAMPLE)
        with self.assertRaises(ewdiag.InvalidArgument):
            r.serialize("xml")


if __name__ == "__main__":
    unittest.main()
