"""ewdiag: analyze Cisco Expressway diagnostic bundles from Python.

A binding of libewdiag (include/ewdiag.h): the same analysis as the
`ewdiag` command, its report as Python objects.

    import ewdiag

    analyzer = ewdiag.Analyzer()                   # the installed rules
    report = analyzer.analyze("diagnostic_log_vcsc.tar.gz")
    for f in report.findings:
        print(f.node, f.severity, f.server, f.address, f.rule, f.count)
    print(report.to_json())                        # what `ewdiag -f json` writes

analyze() also takes a binary file object (a socket, an HTTP response
body), read as a stream. Analyses release the GIL: threads with an
analyzer each run in parallel. See docs/python.md.
"""
from ._core import (
    Analyzer, Error, FormatError, InputError, InvalidArgument, LimitError, OutOfMemory, Report,
    default_rules_dir, version,
)
from ._types import (
    Alert, Cert, Certificate, Chain, Entry, Finding, Forecast, Hidden, Input, Mra, Node, Origin,
    ReportWarning,
    Severity, Timeline, Tls, TlsServer, Trust, TrustStore, Url, Variant,
)

__version__ = version()

__all__ = [
    "Alert", "Analyzer", "Cert", "Certificate", "Chain", "Entry", "Error", "Finding",
    "Forecast", "FormatError", "Hidden", "Input", "InputError", "InvalidArgument", "LimitError", "Mra", "Node",
    "Origin", "OutOfMemory", "Report", "ReportWarning", "Severity", "Timeline", "Tls", "TlsServer", "Trust",
    "TrustStore", "Url", "Variant", "default_rules_dir", "version",
]
