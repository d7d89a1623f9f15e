"""The analyzer, the report and the errors, over the C library.

Every call into libewdiag goes through cffi, which releases the GIL for the
duration of the call: analyses on different threads run in parallel. A file
object is read through ewdiag_analyze_read(); with the option threads=2 the
library may call the read callback from a thread of its own, where cffi
takes the GIL for it.
"""
from __future__ import annotations

import datetime
import io
import os
import threading
from functools import cached_property
from typing import IO, Any, Callable, Literal, Optional, Tuple, TypeVar, Union

from ._ewdiag import ffi, lib
from ._types import (
    Alert, Cert, Certificate, Chain, Entry, Finding, Forecast, Hidden, Input, Mra, Node, Origin,
    ReportWarning, Severity, Timeline, Tls, TlsServer, Trust, TrustStore, Url,
    Variant,
)

Source = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]", IO[bytes]]
Format = Literal["text", "json", "jsonl"]

_FORMATS = {
    "text": lib.EWDIAG_FORMAT_TEXT,
    "json": lib.EWDIAG_FORMAT_JSON,
    "jsonl": lib.EWDIAG_FORMAT_JSONL,
}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


# ---- errors -------------------------------------------------------------

class Error(Exception):
    """An error of the library: `code` is its EWDIAG_E* code (negative),
    str() its message, which names the input, the entry and the place.
    When an analysis failed, `report` holds the failed input (else None)."""

    def __init__(self, code: int, message: str, report: Optional[Report] = None):
        super().__init__(message)
        self.code = code
        self.report = report


class InvalidArgument(Error, ValueError):
    """An unknown option, a value out of range, or no rule loaded."""


class OutOfMemory(Error, MemoryError):
    """The library ran out of memory."""


class InputError(Error, OSError):
    """An input or rule file that cannot be opened or read."""


class FormatError(Error, ValueError):
    """An input with nothing readable in it, or a malformed rule file."""


class LimitError(Error):
    """A resource limit stopped the work."""


_ERRORS = {
    lib.EWDIAG_EINVAL: InvalidArgument,
    lib.EWDIAG_ENOMEM: OutOfMemory,
    lib.EWDIAG_EIO: InputError,
    lib.EWDIAG_EFORMAT: FormatError,
    lib.EWDIAG_ELIMIT: LimitError,
}


def _error(code: int, analyzer: Any, report: Optional[Report] = None) -> Error:
    message = _str(lib.ewdiag_error(analyzer)) or _str(lib.ewdiag_strerror(code))
    return _ERRORS.get(code, Error)(code, message, report)


# ---- values from the getters -----------------------------------------------

def _str(p: Any) -> str:
    """A string of the library; bytes of the logs that are not UTF-8
    become U+FFFD, as in the JSON report."""
    text: str = ffi.string(p).decode("utf-8", "replace")
    return text


def _opt(p: Any) -> Optional[str]:
    """A string the library gives as "" when unknown: None then."""
    return _str(p) or None


def _time(us: int) -> Optional[datetime.datetime]:
    """Microseconds since the epoch, 0 when unknown, as an aware datetime."""
    if not us:
        return None
    try:
        return _EPOCH + datetime.timedelta(microseconds=us)
    except OverflowError:  # beyond what datetime holds (years 1 to 9999)
        return datetime.datetime.max.replace(tzinfo=datetime.timezone.utc) if us > 0 \
            else datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def _depth(d: int) -> Optional[int]:
    return d if d >= 0 else None


T = TypeVar("T")


def _each(count: Callable[..., int], get: Callable[..., Any], obj: Any,
          conv: Callable[[Any], T]) -> Tuple[T, ...]:
    """The items of a counted list of the library: get(obj, i) for each i."""
    return tuple(conv(get(obj, i)) for i in range(count(obj)))


def _timeline(t: Any) -> Timeline:
    return Timeline(
        datetime.timedelta(microseconds=lib.ewdiag_timeline_resolution(t)),
        tuple((_time(lib.ewdiag_timeline_time(t, i)), int(lib.ewdiag_timeline_weight(t, i)))
              for i in range(lib.ewdiag_timeline_count(t))))


def _cert(c: Any) -> Cert:
    return Cert(
        subject=_str(lib.ewdiag_cert_subject(c)),
        issuer=_str(lib.ewdiag_cert_issuer(c)),
        subject_cn=_str(lib.ewdiag_cert_subject_cn(c)),
        issuer_cn=_str(lib.ewdiag_cert_issuer_cn(c)),
        san_dns=_each(lib.ewdiag_cert_san_dns_count, lib.ewdiag_cert_san_dns, c, _str),
        san_ip=_each(lib.ewdiag_cert_san_ip_count, lib.ewdiag_cert_san_ip, c, _str),
        serial=_str(lib.ewdiag_cert_serial(c)),
        not_before=_time(lib.ewdiag_cert_not_before(c)),
        not_after=_time(lib.ewdiag_cert_not_after(c)),
        self_signed=bool(lib.ewdiag_cert_self_signed(c)),
        is_ca=bool(lib.ewdiag_cert_is_ca(c)),
        key_type=_str(lib.ewdiag_cert_key_type(c)),
        key_bits=lib.ewdiag_cert_key_bits(c),
        curve=_opt(lib.ewdiag_cert_curve(c)),
        signature_algorithm=_str(lib.ewdiag_cert_signature_algorithm(c)),
        sha256=_str(lib.ewdiag_cert_sha256(c)),
        ski=_opt(lib.ewdiag_cert_ski(c)),
        aki=_opt(lib.ewdiag_cert_aki(c)),
    )


def _certs(chain: Any) -> Tuple[Cert, ...]:
    return _each(lib.ewdiag_chain_length, lib.ewdiag_chain_cert, chain, _cert)


def _chain(c: Any) -> Chain:
    return Chain(
        seen=lib.ewdiag_chain_seen(c),
        first_seen=_time(lib.ewdiag_chain_first_seen(c)),
        last_seen=_time(lib.ewdiag_chain_last_seen(c)),
        cut=bool(lib.ewdiag_chain_cut(c)),
        error=_opt(lib.ewdiag_chain_error(c)),
        certificates=_certs(c),
    )


def _mra(target: str) -> Optional[Mra]:
    """ewdiag_finding_url_target()'s "domain/protocol/host/port"."""
    if not target:
        return None
    parts = target.split("/", 3)
    return Mra(*parts, *[""] * (4 - len(parts)))


def _tls(f: Any) -> Tls:
    capture = _str(lib.ewdiag_finding_capture(f))
    if capture != "matched":
        return Tls(capture, None, None, None, None, None, None, None)
    code = lib.ewdiag_finding_tls_alert(f)
    alert = None
    if code >= 0:
        alert = Alert(code, _str(lib.ewdiag_finding_tls_alert_name(f)),
                      "client" if lib.ewdiag_finding_tls_alert_by_client(f) else "server")
    return Tls(
        capture=capture,
        time=_time(lib.ewdiag_finding_tls_time(f)),
        port=lib.ewdiag_finding_tls_port(f),
        version=_opt(lib.ewdiag_finding_tls_version(f)),
        cipher=_opt(lib.ewdiag_finding_tls_cipher(f)),
        sni=_opt(lib.ewdiag_finding_tls_sni(f)),
        alert=alert,
        certificate=_opt(lib.ewdiag_finding_tls_certificate(f)),
    )


def _certificate(f: Any) -> Optional[Certificate]:
    chain = lib.ewdiag_finding_chain(f)
    if chain == ffi.NULL:
        return None
    return Certificate(
        from_earlier_handshake=bool(lib.ewdiag_finding_chain_earlier(f)),
        name_checked=_opt(lib.ewdiag_finding_name_checked(f)),
        name_match=_opt(lib.ewdiag_finding_name_match(f)),
        chain=_certs(chain),
        error=_opt(lib.ewdiag_chain_error(chain)),
    )


def _trust(f: Any) -> Optional[Trust]:
    trusted = lib.ewdiag_finding_trusted(f)
    if trusted < 0:
        return None
    return Trust(
        store=_str(lib.ewdiag_finding_trust_store(f)),
        trusted=bool(trusted),
        error=_opt(lib.ewdiag_finding_trust_error(f)),
        error_depth=_depth(lib.ewdiag_finding_trust_error_depth(f)),
        missing_issuer=_opt(lib.ewdiag_finding_missing_issuer(f)),
    )


def _forecast(f: Any) -> Optional[Forecast]:
    section = _str(lib.ewdiag_finding_forecast_section(f))
    if not section:
        return None
    fails = tuple(name for name, fn in (("untrusted", lib.ewdiag_finding_forecast_fails_trust),
                                        ("name", lib.ewdiag_finding_forecast_fails_name)) if fn(f))
    expiry = _opt(lib.ewdiag_finding_expiry(f))
    return Forecast(
        section=section,
        enforcement=_str(lib.ewdiag_finding_forecast_enforcement(f)),
        fails=fails,
        expiry=expiry,
        not_after=_time(lib.ewdiag_finding_not_after(f)) if expiry else None,
        days_left=int(lib.ewdiag_finding_days_left(f)) if expiry else None,
    )


def _origin(o: Any) -> Origin:
    sources = tuple(name for name, fn in (("request", lib.ewdiag_origin_from_request),
                                          ("xconf", lib.ewdiag_origin_from_xconf)) if fn(o))
    return Origin(
        node=_str(lib.ewdiag_origin_node(o)),
        name=_opt(lib.ewdiag_origin_name(o)),
        address=_opt(lib.ewdiag_origin_address(o)),
        port=lib.ewdiag_origin_port(o) or None,
        type=_opt(lib.ewdiag_origin_type(o)),
        sources=sources,
        requests=lib.ewdiag_origin_requests(o),
        first_seen=_time(lib.ewdiag_origin_first_seen(o)),
        last_seen=_time(lib.ewdiag_origin_last_seen(o)),
        enforcement=_str(lib.ewdiag_origin_enforcement(o)),
        state=_str(lib.ewdiag_origin_state(o)),
        checked_at=_time(lib.ewdiag_origin_checked_at(o)),
        trust=_opt(lib.ewdiag_origin_trust(o)),
        trust_error=_opt(lib.ewdiag_origin_trust_error(o)),
        name_check=_opt(lib.ewdiag_origin_name_check(o)),
        expiry=_opt(lib.ewdiag_origin_expiry(o)),
        not_after=_time(lib.ewdiag_origin_not_after(o)),
    )


def _finding(f: Any) -> Finding:
    enforced = lib.ewdiag_finding_enforced(f)
    return Finding(
        rule=_str(lib.ewdiag_finding_rule(f)),
        title=_str(lib.ewdiag_finding_title(f)),
        severity=Severity(lib.ewdiag_finding_severity(f)),
        category=_str(lib.ewdiag_finding_category(f)),
        input=_str(lib.ewdiag_finding_input(f)),
        node=_str(lib.ewdiag_finding_node(f)),
        server=_str(lib.ewdiag_finding_server(f)),
        address=_str(lib.ewdiag_finding_address(f)),
        target=_str(lib.ewdiag_finding_target(f)),
        enforced=None if enforced < 0 else bool(enforced),
        count=lib.ewdiag_finding_count(f),
        requests=lib.ewdiag_finding_requests(f),
        first_seen=_time(lib.ewdiag_finding_first_seen(f)),
        last_seen=_time(lib.ewdiag_finding_last_seen(f)),
        error=_opt(lib.ewdiag_finding_error(f)),
        depth=_depth(lib.ewdiag_finding_depth(f)),
        variants=tuple(
            Variant(_opt(lib.ewdiag_finding_variant_error(f, i)),
                    _depth(lib.ewdiag_finding_variant_depth(f, i)),
                    lib.ewdiag_finding_variant_events(f, i))
            for i in range(lib.ewdiag_finding_variant_count(f))),
        ports=_each(lib.ewdiag_finding_port_count, lib.ewdiag_finding_port, f, int),
        urls=tuple(
            Url(_str(lib.ewdiag_finding_url(f, i)), _mra(_str(lib.ewdiag_finding_url_target(f, i))))
            for i in range(lib.ewdiag_finding_url_count(f))),
        description=_str(lib.ewdiag_finding_description(f)),
        condition=_opt(lib.ewdiag_finding_condition(f)),
        tls=_tls(f),
        certificate=_certificate(f),
        trust=_trust(f),
        explanations=_each(lib.ewdiag_finding_explanation_count, lib.ewdiag_finding_explanation, f, _str),
        evidence=_each(lib.ewdiag_finding_evidence_count, lib.ewdiag_finding_evidence, f, _str),
        related=_each(lib.ewdiag_finding_related_count, lib.ewdiag_finding_related, f, _str),
        actions=_each(lib.ewdiag_finding_action_count, lib.ewdiag_finding_action, f, _str),
        workaround=_opt(lib.ewdiag_finding_workaround(f)),
        defects=_each(lib.ewdiag_finding_defect_count, lib.ewdiag_finding_defect, f, _str),
        forecast=_forecast(f),
        event_times=_timeline(lib.ewdiag_finding_event_times(f)),
        request_times=_timeline(lib.ewdiag_finding_request_times(f)),
    )


def _input(p: Any) -> Input:
    def node(i: int) -> Node:
        return Node(_str(lib.ewdiag_input_node(p, i)), _opt(lib.ewdiag_input_node_version(p, i)),
                    _opt(lib.ewdiag_input_node_verify_origin(p, i)))

    def store(i: int) -> TrustStore:
        return TrustStore(_str(lib.ewdiag_input_trust_store_node(p, i)),
                          _str(lib.ewdiag_input_trust_store_path(p, i)),
                          lib.ewdiag_input_trust_store_certificates(p, i))

    def entry(e: Any) -> Entry:
        return Entry(_str(lib.ewdiag_entry_path(e)), _str(lib.ewdiag_entry_role(e)),
                     lib.ewdiag_entry_size(e), _str(lib.ewdiag_entry_status(e)),
                     _opt(lib.ewdiag_entry_reason(e)), lib.ewdiag_entry_lines(e))

    return Input(
        name=_str(lib.ewdiag_input_name(p)),
        status=_str(lib.ewdiag_input_status_name(lib.ewdiag_input_status_get(p))),
        error=_opt(lib.ewdiag_input_error(p)),
        bytes=lib.ewdiag_input_bytes(p),
        nodes=tuple(node(i) for i in range(lib.ewdiag_input_node_count(p))),
        captures=lib.ewdiag_input_capture_count(p),
        trust_stores=tuple(store(i) for i in range(lib.ewdiag_input_trust_store_count(p))),
        origins=_each(lib.ewdiag_input_origin_count, lib.ewdiag_input_origin, p, _origin),
        entries=_each(lib.ewdiag_input_entry_count, lib.ewdiag_input_entry, p, entry),
    )


def _tls_server(name: str, s: Any) -> TlsServer:
    def by(seen: int) -> int:
        return int(lib.ewdiag_tls_server_handshakes_by(s, seen))

    hidden = Hidden(by(lib.EWDIAG_CERT_ENCRYPTED), by(lib.EWDIAG_CERT_RESUMED),
                    by(lib.EWDIAG_CERT_CUT), by(lib.EWDIAG_CERT_UNSEEN))
    return TlsServer(
        input=name,
        address=_str(lib.ewdiag_tls_server_address(s)),
        port=lib.ewdiag_tls_server_port(s),
        handshakes=lib.ewdiag_tls_server_handshakes(s),
        certificate_messages=by(lib.EWDIAG_CERT_PRESENT),
        certificate_hidden=hidden.tls13 + hidden.resumed + hidden.cut + hidden.unseen,
        hidden=hidden,
        alerts=lib.ewdiag_tls_server_alerts(s),
        snis=_each(lib.ewdiag_tls_server_sni_count, lib.ewdiag_tls_server_sni, s, _str),
        chains=_each(lib.ewdiag_tls_server_chain_count, lib.ewdiag_tls_server_chain, s, _chain),
        times=_timeline(lib.ewdiag_tls_server_times(s)),
    )


def _warning(w: Any) -> ReportWarning:
    return ReportWarning(_str(lib.ewdiag_warning_input(w)), _opt(lib.ewdiag_warning_entry(w)),
                         _str(lib.ewdiag_warning_code(w)), _str(lib.ewdiag_warning_message(w)),
                         lib.ewdiag_warning_count(w))


# ---- the report --------------------------------------------------------------

class Report:
    """The result of an analysis: its inputs, findings, TLS servers and
    warnings, read from the library on first use. A report is not changed
    once made, and may be read from any number of threads."""

    def __init__(self, ptr: Any):
        self._ptr = ptr

    def _items(self, count: Callable[[Any], int], get: Callable[[Any, int], Any]) -> Tuple[Any, ...]:
        return tuple(get(self._ptr, i) for i in range(count(self._ptr)))

    @property
    def max_severity(self) -> Optional[Severity]:
        """The highest severity among the findings; None when there is none."""
        s = lib.ewdiag_report_max_severity(self._ptr)
        return Severity(s) if s >= 0 else None

    @cached_property
    def inputs(self) -> Tuple[Input, ...]:
        """The inputs analyzed, each with its nodes, trust stores and entries."""
        return tuple(map(_input, self._items(lib.ewdiag_report_input_count, lib.ewdiag_report_input)))

    @cached_property
    def findings(self) -> Tuple[Finding, ...]:
        """The findings, grouped by input, sorted as in the JSON report."""
        return tuple(map(_finding, self._items(lib.ewdiag_report_finding_count,
                                               lib.ewdiag_report_finding)))

    @cached_property
    def warnings(self) -> Tuple[ReportWarning, ...]:
        """What the analysis could not do fully, in the order it happened."""
        return tuple(map(_warning, self._items(lib.ewdiag_report_warning_count,
                                               lib.ewdiag_report_warning)))

    @cached_property
    def tls_servers(self) -> Tuple[TlsServer, ...]:
        """Every TLS server the inputs' captures show, input by input."""
        servers: list[TlsServer] = []
        for p in self._items(lib.ewdiag_report_input_count, lib.ewdiag_report_input):
            name = _str(lib.ewdiag_input_name(p))
            servers += (_tls_server(name, lib.ewdiag_input_tls_server(p, i))
                        for i in range(lib.ewdiag_input_tls_server_count(p)))
        return tuple(servers)

    def serialize(self, format: Format = "json", *, color: bool = False, entries: bool = False,
                  compact: bool = False) -> str:
        """The report as the library writes it: "text" (for people; color
        adds ANSI colours, entries lists every file), "json" (compact: no
        indentation) or "jsonl" (one finding a line)."""
        if format not in _FORMATS:
            raise InvalidArgument(lib.EWDIAG_EINVAL,
                                  f"unknown format {format!r} (text, json or jsonl)")
        flags = ((lib.EWDIAG_WRITE_COLOR if color else 0) |
                 (lib.EWDIAG_WRITE_ENTRIES if entries else 0) |
                 (lib.EWDIAG_WRITE_COMPACT if compact else 0))
        size = ffi.new("size_t *")
        p = lib.ewdiag_report_serialize(self._ptr, _FORMATS[format], flags, size)
        if p == ffi.NULL:
            raise OutOfMemory(lib.EWDIAG_ENOMEM, "out of memory writing the report")
        try:
            text: str = ffi.unpack(p, size[0]).decode("utf-8", "replace")
            return text
        finally:
            lib.free(p)

    def to_json(self, *, compact: bool = False) -> str:
        """The JSON report (docs/report.md), as `ewdiag -f json` writes it."""
        return self.serialize("json", compact=compact)

    def write(self, file: Union[IO[str], IO[bytes]], format: Format = "text", **flags: bool) -> None:
        """Writes the report to a text or binary file object, in a format
        and with the flags of serialize()."""
        text = self.serialize(format, **flags)
        if isinstance(file, io.TextIOBase):
            file.write(text)
        else:
            file.write(text.encode("utf-8"))  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.serialize("text")


# ---- the analyzer --------------------------------------------------------------

class _Stream:
    """A binary file object as an ewdiag_read_fn. The first exception it
    raises ends the input (-1) and is raised again after the analysis."""

    def __init__(self, file: Any):
        self.file = file
        self.readinto = getattr(file, "readinto1", None) or getattr(file, "readinto", None)
        self.error: Optional[BaseException] = None

    def read(self, buf: Any, cap: int) -> int:
        try:
            if self.readinto is not None:
                n = self.readinto(ffi.buffer(buf, cap))
            else:
                data = self.file.read(cap)
                if not isinstance(data, (bytes, bytearray, memoryview)):
                    raise TypeError(f"analyze() needs a binary file object, and read() gave "
                                    f"{type(data).__name__}")
                n = len(data)
                if n > cap:
                    raise ValueError(f"read({cap}) gave {n} bytes")
                ffi.memmove(buf, data, n)
            if n is None:
                raise BlockingIOError("the file object is non-blocking and has no data now")
            return int(n)
        except BaseException as e:  # noqa: B036 - KeyboardInterrupt too stops the reading
            self.error = e
            return -1


@ffi.def_extern()  # type: ignore[misc]
def _ewdiag_read(ctx: Any, buf: Any, cap: int) -> int:
    stream: _Stream = ffi.from_handle(ctx)
    return stream.read(buf, cap)


class Analyzer:
    """Analyzes inputs with a set of rules and options.

    rules is a rule directory or file; None takes $EWDIAG_RULES, else the
    installed rules (default_rules_dir()). options are the library's
    (ewdiag_analyzer_set_option(), the README's limits), with "_" for "-":
    Analyzer(evidence=10, max_line=65536, capture_window=5, threads=1).
    Raises InvalidArgument for an unknown option or a bad value, and
    InputError or FormatError for rules that cannot be read or are wrong.

    An analyzer may be shared between threads, but its analyses then run
    one at a time: give each thread its own to analyze in parallel.
    """

    def __init__(self, rules: Union[str, "os.PathLike[str]", None] = None,
                 **options: Union[int, str]):
        ptr = lib.ewdiag_analyzer_new()
        if ptr == ffi.NULL:
            raise OutOfMemory(lib.EWDIAG_ENOMEM, "out of memory")
        self._ptr = ffi.gc(ptr, lib.ewdiag_analyzer_free)
        self._lock = threading.Lock()
        for key, value in options.items():
            rc = lib.ewdiag_analyzer_set_option(self._ptr, key.replace("_", "-").encode(),
                                                str(value).encode())
            if rc != lib.EWDIAG_OK:
                raise _error(rc, self._ptr)
        if rules is None:
            rules = os.environ.get("EWDIAG_RULES") or None
        rc = lib.ewdiag_analyzer_load_rules(
            self._ptr, ffi.NULL if rules is None else os.fsencode(rules))
        if rc != lib.EWDIAG_OK:
            raise _error(rc, self._ptr)

    @property
    def rule_count(self) -> int:
        """How many rules are loaded."""
        return int(lib.ewdiag_analyzer_rule_count(self._ptr))

    def analyze(self, source: Source, *, name: Optional[str] = None) -> Report:
        """Analyzes one input and returns its report.

        source is a path (a bundle, a log file, a capture or a directory,
        walked), "-" for standard input, or a binary file object (an open
        file, a socket's makefile("rb"), an HTTP response, io.BytesIO),
        read as a stream to its end and not closed. name is what the report
        calls the input (default: the path, or the file object's name, or
        "-").

        Raises InputError (nothing could be read) or FormatError (nothing
        readable in it) when nothing of the input could be analyzed, with
        the library's message and the report of that failure in .report;
        an input read only in part gives a report whose inputs and warnings
        say what went wrong. An exception raised by the file object stops
        the reading and is raised again once the library has returned.
        """
        ptr = lib.ewdiag_report_new()
        if ptr == ffi.NULL:
            raise OutOfMemory(lib.EWDIAG_ENOMEM, "out of memory")
        report = Report(ffi.gc(ptr, lib.ewdiag_report_free))
        with self._lock:
            if isinstance(source, (str, bytes, os.PathLike)):
                if name is not None:
                    raise TypeError("name= is for file objects: a path names its input")
                rc = lib.ewdiag_analyze_path(self._ptr, report._ptr, os.fsencode(source))
            else:
                if not callable(getattr(source, "read", None)):
                    raise TypeError(f"analyze() takes a path or a binary file object, "
                                    f"not {type(source).__name__}")
                if name is None and isinstance(getattr(source, "name", None), str):
                    name = source.name
                stream = _Stream(source)
                handle = ffi.new_handle(stream)
                rc = lib.ewdiag_analyze_read(self._ptr, report._ptr, lib._ewdiag_read, handle,
                                             ffi.NULL if name is None else name.encode())
                if stream.error is not None:
                    raise stream.error
            if rc != lib.EWDIAG_OK:
                raise _error(rc, self._ptr, report)
        return report


def default_rules_dir() -> str:
    """Where the installed rule files are."""
    return _str(lib.ewdiag_default_rules_dir())


def version() -> str:
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _str(lib.ewdiag_version())
