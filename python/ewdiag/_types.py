"""What a report holds, as plain immutable values.

Each class mirrors an object of docs/report.md, with the same attribute
names as the JSON keys: a value the JSON writes as null is None here, a time
is an aware datetime in UTC, a list is a tuple. The values are read from the
library's getters (see _core.py); nothing here computes anything.
"""
from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple

from ._ewdiag import ffi, lib


class Severity(enum.IntEnum):
    """A finding's severity; compares in order, str() is its name ("error")."""

    INFO = lib.EWDIAG_SEV_INFO
    NOTICE = lib.EWDIAG_SEV_NOTICE
    WARNING = lib.EWDIAG_SEV_WARNING
    ERROR = lib.EWDIAG_SEV_ERROR
    CRITICAL = lib.EWDIAG_SEV_CRITICAL

    def __str__(self) -> str:
        name: str = ffi.string(lib.ewdiag_severity_name(self)).decode()
        return name


@dataclass(frozen=True)
class Node:
    """An Expressway node named by the input's files.

    version is the software version of its xstat dump ("X14.2.1") and
    verify_origin_server the xconf's EdgeConfigServer VerifyOriginServer
    ("On", "Off"); None when unknown.
    """

    name: str
    version: Optional[str]
    verify_origin_server: Optional[str]


@dataclass(frozen=True)
class TrustStore:
    """A trust store file read (ca_<host>_<ts>.pem): its node, its path in
    the input, and how many CA certificates it holds."""

    node: str
    path: str
    certificates: int


@dataclass(frozen=True)
class Entry:
    """A file inside an input.

    role is "log", "ats-log", "xconf", "xstat", "capture", "trusted-ca",
    "server-cert", "archive", "directory" or "other"; status "scanned",
    "skipped" or "failed", with the reason for the last two.
    """

    path: str
    role: str
    size: int
    status: str
    reason: Optional[str]
    lines: int


@dataclass(frozen=True)
class Origin:
    """An origin server of the traffic server (where its requests went, or a
    Unified CM, IM and Presence or Unity Connection server xconf names) and
    what X14.2's check, applied offline to its last full handshake in the
    capture, says of it. sources holds "request" and/or "xconf"; state is
    "checked", "no-capture", "no-handshake" (no capture of it) or
    "no-certificate"; enforcement is its node's ("enforced", "before-x14.2",
    "verify-off", "continue-only", "unknown"). The checked fields are None
    when it was not checked."""

    node: str
    name: Optional[str]
    address: Optional[str]
    port: Optional[int]
    type: Optional[str]
    sources: Tuple[str, ...]
    requests: int
    first_seen: Optional[datetime.datetime]
    last_seen: Optional[datetime.datetime]
    enforcement: str
    state: str
    checked_at: Optional[datetime.datetime]
    trust: Optional[str]
    trust_error: Optional[str]
    name_check: Optional[str]
    expiry: Optional[str]
    not_after: Optional[datetime.datetime]


@dataclass(frozen=True)
class Input:
    """What was given to Analyzer.analyze(): status is "analyzed",
    "partial" or "failed" (then error says why); bytes is the decompressed
    bytes read; captures the capture files read."""

    name: str
    status: str
    error: Optional[str]
    bytes: int
    nodes: Tuple[Node, ...]
    captures: int
    trust_stores: Tuple[TrustStore, ...]
    origins: Tuple[Origin, ...]
    entries: Tuple[Entry, ...]


class Timeline(NamedTuple):
    """When things happened, in time order: marks of (time, how many), each
    covering `resolution` from its time. Not in the JSON report."""

    resolution: datetime.timedelta
    marks: Tuple[Tuple[Optional[datetime.datetime], int], ...]


@dataclass(frozen=True)
class Variant:
    """A distinct (error, depth) pair among a finding's events, with its count."""

    error: Optional[str]
    depth: Optional[int]
    count: int


class Mra(NamedTuple):
    """An MRA URL's first path segment, decoded: the address the client
    was sent to is `host`."""

    domain: str
    protocol: str
    host: str
    port: str


@dataclass(frozen=True)
class Url:
    """A client request URL that failed, and its MRA target (None when its
    path has no MRA segment)."""

    url: str
    mra: Optional[Mra]


@dataclass(frozen=True)
class Alert:
    """The TLS alert that ended a handshake: code (48), name
    ("unknown_ca", "" when unnamed), and by "client" or "server"."""

    code: int
    name: str
    by: str


@dataclass(frozen=True)
class Tls:
    """What the capture shows of the handshake that failed.

    capture is "matched", "no-handshake" or "no-capture"; the other
    attributes are None unless it is "matched". certificate says what the
    handshake showed of it: "certificate", "encrypted" (TLS 1.3),
    "resumed", "cut" or "unseen".
    """

    capture: str
    time: Optional[datetime.datetime]
    port: Optional[int]
    version: Optional[str]
    cipher: Optional[str]
    sni: Optional[str]
    alert: Optional[Alert]
    certificate: Optional[str]


@dataclass(frozen=True)
class Cert:
    """A certificate's fields (names in RFC 2253 form, fingerprints in hex)."""

    subject: str
    issuer: str
    subject_cn: str
    issuer_cn: str
    san_dns: Tuple[str, ...]
    san_ip: Tuple[str, ...]
    serial: str
    not_before: Optional[datetime.datetime]
    not_after: Optional[datetime.datetime]
    self_signed: bool
    is_ca: bool
    key_type: str
    key_bits: int
    curve: Optional[str]
    signature_algorithm: str
    sha256: str
    ski: Optional[str]
    aki: Optional[str]


@dataclass(frozen=True)
class Certificate:
    """The chain a finding's server presented (leaf first) and the name
    check: name_match is "dns-san", "cn", "ip-san-only" or "absent"."""

    from_earlier_handshake: bool
    name_checked: Optional[str]
    name_match: Optional[str]
    chain: Tuple[Cert, ...]
    error: Optional[str]


@dataclass(frozen=True)
class Trust:
    """The bundle's trust store's verdict on that chain, as of the handshake."""

    store: str
    trusted: bool
    error: Optional[str]
    error_depth: Optional[int]
    missing_issuer: Optional[str]


class Forecast(NamedTuple):
    """What a forecast finding (stated from the capture, not from log
    lines) says: its section ("before-upgrade", "before-verification",
    "before-expiry"), its node's enforcement, what would fail ("untrusted",
    "name"), and for an expiry forecast "expiring" or "expired" with the
    certificate's end and the whole days left (negative when expired)."""

    section: str
    enforcement: str
    fails: Tuple[str, ...]
    expiry: Optional[str]
    not_after: Optional[datetime.datetime]
    days_left: Optional[int]


@dataclass(frozen=True)
class Finding:
    """The events of one rule on one node for one server.

    enforced is True when the traffic server refused (Action=Terminate),
    False when it only logged, None when the line does not say. count is
    the events, requests the failed requests; tls, certificate and trust
    are what the input's capture says of it. event_times and request_times
    are not in the JSON report.
    """

    rule: str
    title: str
    severity: Severity
    category: str
    input: str
    node: str
    server: str
    address: str
    target: str
    enforced: Optional[bool]
    count: int
    requests: int
    first_seen: Optional[datetime.datetime]
    last_seen: Optional[datetime.datetime]
    error: Optional[str]
    depth: Optional[int]
    variants: Tuple[Variant, ...]
    ports: Tuple[int, ...]
    urls: Tuple[Url, ...]
    description: str
    condition: Optional[str]
    tls: Tls
    certificate: Optional[Certificate]
    trust: Optional[Trust]
    explanations: Tuple[str, ...]
    evidence: Tuple[str, ...]
    related: Tuple[str, ...]
    actions: Tuple[str, ...]
    workaround: Optional[str]
    defects: Tuple[str, ...]
    forecast: Optional[Forecast]
    event_times: Timeline
    request_times: Timeline


@dataclass(frozen=True)
class Chain:
    """A distinct chain a TLS server presented: how often and when, whether
    it was cut (max-chain, max-der), why a certificate could not be read."""

    seen: int
    first_seen: Optional[datetime.datetime]
    last_seen: Optional[datetime.datetime]
    cut: bool
    error: Optional[str]
    certificates: Tuple[Cert, ...]


@dataclass(frozen=True)
class Hidden:
    """Handshakes whose certificate could not be read, by cause."""

    tls13: int
    resumed: int
    cut: int
    unseen: int


@dataclass(frozen=True)
class TlsServer:
    """An address and port that an input's captures show TLS handshakes
    with. times is not in the JSON report."""

    input: str
    address: str
    port: int
    handshakes: int
    certificate_messages: int
    certificate_hidden: int
    hidden: Hidden
    alerts: int
    snis: Tuple[str, ...]
    chains: Tuple[Chain, ...]
    times: Timeline


@dataclass(frozen=True)
class ReportWarning:
    """Something the analysis could not do fully: code is stable
    ("truncated", "limit-bytes", ...), message is for people."""

    input: str
    entry: Optional[str]
    code: str
    message: str
    count: int
