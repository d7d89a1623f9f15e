"""What the binding's tests share: the CLI to compare with, the fixture
inputs, and a report's objects turned back into the JSON layout.

The tests run from the project root with the package of the build tree on
PYTHONPATH and the CLI in $EWDIAG_CLI (tests/meson.build sets both).
"""
import dataclasses
import datetime
import glob
import json
import os
import subprocess

import ewdiag

CLI = os.environ.get("EWDIAG_CLI", "build/src/cli/ewdiag")
RULES = os.environ.get("EWDIAG_RULES", "rules")
EXAMPLE = "fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz"
CAPTURE = "fixtures/captures/selfsigned-rsa/diagnostic_log_vcsc_2026-11-22_08_49_36.tar.gz"

# Attributes of the binding that the JSON report does not carry.
NOT_IN_JSON = {"event_times", "request_times", "times"}


def fixture_inputs():
    """Every input the schema test runs (tests/validate-report.py), bare
    captures and a directory too."""
    inputs = set(glob.glob("fixtures/bad/*"))
    for ext in ("tar.gz", "zip", "tar", "pcap", "pcapng"):
        inputs.update(glob.glob(f"fixtures/**/*.{ext}", recursive=True))
    inputs.update(p for p in glob.glob("tests/bad/*")
                  if os.path.isfile(p) and not p.endswith((".py", ".md")))
    inputs.add("fixtures/renamed-dir/case-4711")
    return sorted(inputs)


def cli(*args, stdin=None):
    """Runs the CLI: (exit status, stdout, stderr)."""
    p = subprocess.run([CLI, "-q", "-r", RULES, *args], stdin=stdin or subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def cli_json(*args, stdin=None):
    status, out, err = cli("-f", "json", *args, stdin=stdin)
    return json.loads(out), status, err


def json_time(t):
    """As the JSON report writes a time: UTC, milliseconds (cut, not rounded)."""
    assert t.tzinfo is not None and t.utcoffset() == datetime.timedelta(0), t
    return (f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
            f"{t.second:02d}.{t.microsecond // 1000:03d}Z")


def jsonish(v):
    """A value of the binding in the JSON report's layout."""
    if isinstance(v, ewdiag.Severity):
        return str(v)
    if isinstance(v, datetime.datetime):
        return json_time(v)
    if dataclasses.is_dataclass(v):
        return {f.name: jsonish(getattr(v, f.name)) for f in dataclasses.fields(v)
                if f.name not in NOT_IN_JSON}
    if isinstance(v, tuple) and hasattr(v, "_asdict"):
        return {k: jsonish(x) for k, x in v._asdict().items()}
    if isinstance(v, tuple):
        return [jsonish(x) for x in v]
    assert v is None or isinstance(v, (str, int)), repr(v)
    return v


def report_dict(r):
    """The whole report as the JSON report holds it."""
    return {
        "ewdiag": {"version": ewdiag.version(), "format": 1},
        "max_severity": jsonish(r.max_severity),
        "inputs": jsonish(r.inputs),
        "findings": jsonish(r.findings),
        "tls_servers": jsonish(r.tls_servers),
        "warnings": jsonish(r.warnings),
    }


def analyze(analyzer, source, **kw):
    """A report, also of an input that failed (the one of the error)."""
    try:
        return analyzer.analyze(source, **kw)
    except ewdiag.Error as e:
        assert e.report is not None
        return e.report
