#!/usr/bin/env python3
"""Writes the corpus of bad inputs of tests/bad/ (see README.md here).

Standard library only. Deterministic: fixed times, fixed member mtimes,
gzip mtime 0, noise from random.Random(4321). Every file is small (under
100 KB); the 100 MB line is made at test time by tests/long-line-test.

Inputs it reads: fixtures/example/*.tar.gz (a real bundle to break) and
fixtures/captures/certs/*.pem (real certificates for the handshakes).
The captures are written by hand, record by record, so that each one is
broken in exactly one way.

Usage: python3 tests/bad/make-bad.py [OUTDIR]   (default: this folder)
"""

import base64
import gzip
import io
import json
import os
import random
import struct
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
RNG = random.Random(4321)
EXAMPLE = os.path.join(ROOT, "fixtures", "example", "diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz")
CERTS = os.path.join(ROOT, "fixtures", "captures", "certs")

# Every case happens at the same time, on the same node, toward the same
# server: the log line and the capture must meet in the report.
STAMP = "2026-11-22_08_50_00"
EPOCH = 1795337400  # 2026-11-22T08:50:00Z
assert EPOCH % 86400 == 8 * 3600 + 50 * 60
NODE = "vcsc"
CLIENT_IP, SERVER_IP = "10.48.36.46", "10.48.36.215"
SERVER_NAME = "cucm.steven.lab"
SERVER_PORT = 8443
MAX_FILE = 100 * 1024

written = []


def out(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    assert len(data) < MAX_FILE, "%s: %d bytes, over the corpus's 100 KB" % (name, len(data))
    written.append((name, len(data)))


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


def tar(members, compress=True):
    """members: [(name, bytes)] -> a tar (gzipped), fixed metadata."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = EPOCH
            ti.mode = 0o644
            ti.uname = ti.gname = "root"
            t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    return gz(raw) if compress else raw


def example_members():
    """The example bundle's files, in archive order."""
    with tarfile.open(EXAMPLE, "r:gz") as t:
        return [(m.name, t.extractfile(m).read()) for m in t.getmembers() if m.isfile()]


# --------------------------------------------------------------------------
# Logs


def log_time(sec, msec):
    """Seconds after EPOCH -> the loggingsnapshot prefix time (+01:00)."""
    t = EPOCH + sec + 3600
    d = "2026-11-22T%02d:%02d:%02d" % (t // 3600 % 24, t // 60 % 60, t % 60)
    return "%s.%03d+01:00" % (d, msec)


def warning_lines(sec=0, msec=100, server=SERVER_NAME, address=SERVER_IP, pid=18242):
    p = "%s %s traffic_server[%d]: [ET_NET 0] " % (log_time(sec, msec), NODE, pid)
    return [
        p + "WARNING: Core server certificate verification failed for (%s). Action=Terminate "
        "Error=self signed certificate server=%s(%s) depth=0" % (server, server, address),
        p + "ERROR: SSL connection failed for '%s': error:1416F086:SSL routines:"
        "tls_process_server_certificate:certificate verify failed" % server,
    ]


def noise_lines(n, sec=0):
    lines = []
    for i in range(n):
        lines.append('%s %s tvcs: UTCTime="2026-11-22 08:50:%02d,%03d" Module="network.sip" '
                     'Level="INFO": Action="Sent" Local-ip="%s" Dst-ip="%s" Dst-port="5061" '
                     'Detail="Sending Response Code=200, Method=OPTIONS"'
                     % (log_time(sec, i % 1000), NODE, sec, i % 1000, CLIENT_IP, SERVER_IP))
    return lines


def text(lines):
    return ("\n".join(lines) + "\n").encode()


def bundle_dir():
    return "diagnostic_log_%s_%s/" % (NODE, STAMP)


def log_name(node=NODE):
    return "loggingsnapshot_%s_%s.txt" % (node, STAMP)


def pcap_name():
    return "eth0_diagnostic_logging_tcpdump00_%s_%s.pcap" % (NODE, STAMP)


# --------------------------------------------------------------------------
# TLS and TCP, by hand


def pem_der(name):
    body = open(os.path.join(CERTS, name), "rb").read().decode()
    b64 = "".join(l for l in body.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(b64)


def u8(n):
    return struct.pack("!B", n)


def u16(n):
    return struct.pack("!H", n)


def u24(n):
    return struct.pack("!I", n)[1:]


def handshake(htype, body, length=None):
    return u8(htype) + u24(len(body) if length is None else length) + body


def record(ctype, body, length=None):
    return u8(ctype) + b"\x03\x03" + u16(len(body) if length is None else length) + body


def client_hello():
    host = SERVER_NAME.encode()
    sni = u16(len(host) + 3) + u8(0) + u16(len(host)) + host
    ext = u16(0) + u16(len(sni)) + sni
    body = (b"\x03\x03" + bytes(RNG.getrandbits(8) for _ in range(32)) + u8(0) +
            u16(4) + u16(0xc030) + u16(0xc02f) + u8(1) + u8(0) + u16(len(ext)) + ext)
    return handshake(1, body)


def server_hello():
    body = (b"\x03\x03" + bytes(RNG.getrandbits(8) for _ in range(32)) + u8(0) +
            u16(0xc030) + u8(0))
    return handshake(2, body)


def certificate(ders, list_len=None, cert_lens=None):
    items = b""
    for i, d in enumerate(ders):
        n = len(d) if cert_lens is None else cert_lens[i]
        items += u24(n) + d
    return handshake(11, u24(len(items) if list_len is None else list_len) + items)


def server_hello_done():
    return handshake(14, b"")


def alert(code=48):
    return record(21, u8(2) + u8(code))


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Conn:
    """One TCP connection, client -> server, as Ethernet frames."""

    def __init__(self, cport, t_us):
        self.cport = cport
        self.t = t_us
        self.seq = {0: 1000000, 1: 2000000}  # 0 client, 1 server
        self.frames = []  # (t_us, frame bytes)

    def send(self, side, payload=b"", flags=0x18, dt_us=200):
        src, dst = (CLIENT_IP, SERVER_IP) if side == 0 else (SERVER_IP, CLIENT_IP)
        sp, dp = (self.cport, SERVER_PORT) if side == 0 else (SERVER_PORT, self.cport)
        ack = self.seq[1 - side] if flags & 0x10 else 0
        tcp = struct.pack("!HHIIBBHHH", sp, dp, self.seq[side], ack, 5 << 4, flags, 64240, 0, 0)
        pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        c = checksum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6,
                         0, ip4(src), ip4(dst))
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        eth = b"\x00\x50\x56\x9a\x1b\x07" + b"\x00\x50\x56\x9a\x2c\x15" + b"\x08\x00"
        if side == 1:
            eth = eth[6:12] + eth[0:6] + eth[12:]
        self.t += dt_us
        self.frames.append((self.t, eth + ip + tcp + payload))
        self.seq[side] = (self.seq[side] + len(payload) + (1 if flags & 0x03 else 0)) & 0xffffffff

    def open(self):
        self.send(0, flags=0x02)
        self.seq[0] = self.seq[0]
        self.send(1, flags=0x12)
        self.send(0, flags=0x10)

    def close(self):
        self.send(0, flags=0x11)
        self.send(1, flags=0x11)
        self.send(0, flags=0x10)


def handshake_conn(cport, t_us, server_flight, client_alert=True):
    """A connection: ClientHello, the server's flight (bytes, one segment),
    the client's alert, and both FINs."""
    c = Conn(cport, t_us)
    c.open()
    c.send(0, record(22, client_hello()))
    c.send(1, server_flight)
    if client_alert:
        c.send(0, alert(48))
    c.close()
    return c.frames


def good_flight(der):
    return record(22, server_hello() + certificate([der]) + server_hello_done())


def pcap(frames, snaplen=262144, magic=0xa1b2c3d4, records=None):
    """frames: [(t_us, bytes)]; records, when given, overrides each record
    header: a function (i, t_us, frame) -> (header bytes, data bytes)."""
    b = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, 1)
    for i, (t, f) in enumerate(frames):
        if records:
            h, d = records(i, t, f)
        else:
            h, d = struct.pack("<IIII", t // 1000000, t % 1000000, len(f), len(f)), f
        b += h + d
    return b


def pcapng_block(btype, body):
    pad = (-len(body)) % 4
    n = 12 + len(body) + pad
    return struct.pack("<II", btype, n) + body + b"\0" * pad + struct.pack("<I", n)


def pcapng(frames, extra_after=None):
    """extra_after: {index: block bytes} written after that packet."""
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = pcapng_block(1, struct.pack("<HHI", 1, 0, 262144))
    b = shb + idb
    for i, (t, f) in enumerate(frames):
        body = struct.pack("<IIIII", 0, t >> 32, t & 0xffffffff, len(f), len(f)) + f
        b += pcapng_block(6, body)
        if extra_after and i in extra_after:
            b += extra_after[i]
    return b


def capture_bundle(capture, capture_name=None, log_lines=None):
    """A bundle with the log that names the server, its trust store and the
    capture."""
    lines = noise_lines(3) + (log_lines if log_lines is not None else warning_lines()) + noise_lines(2, 1)
    d = bundle_dir()
    return tar([
        (d + "ca_%s_%s.pem" % (NODE, STAMP), open(os.path.join(CERTS, "store-root.pem"), "rb").read()),
        (d + (capture_name or pcap_name()), capture),
        (d + log_name(), text(lines)),
    ])


# --------------------------------------------------------------------------
# Partial reads without a finding (issue 9): each input below is analyzed,
# holds no failure, and loses a part in one way. ewdiag must say that part
# on standard error and exit 3, not 0 ("read whole, nothing found").

CLEAN = os.path.join(ROOT, "fixtures", "clean", "diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz")
NEST_LEVELS = 6  # two more than max-depth (4)
ZIP_IMPLODED = 6  # a zip method libarchive does not read


def clean_members():
    """The clean bundle's files (a log without failures, the dumps)."""
    with tarfile.open(CLEAN, "r:gz") as t:
        return [(m.name, t.extractfile(m).read()) for m in t.getmembers() if m.isfile()]


def broken_tar_header(raw, after):
    """The tar raw with the checksum of the header after the member named
    `after` broken."""
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as t:
        offs = [(m.offset, m.name) for m in t.getmembers()]
    i = [k for k, (_, n) in enumerate(offs) if after in n][0]
    hdr = offs[i + 1][0]
    bad = bytearray(raw)
    bad[hdr + 148: hdr + 156] = b"0000000\0"
    bad[hdr + 10] ^= 0x20
    return bytes(bad)


def zip_of(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, (2022, 7, 11, 16, 55, 44))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return bytearray(buf.getvalue())


def zip_headers(zb, sig, name_at, name_len_at, part):
    """Offsets of the headers with signature sig whose name holds part."""
    i = zb.find(sig)
    while i >= 0:
        n = struct.unpack("<H", zb[i + name_len_at: i + name_len_at + 2])[0]
        if part in zb[i + name_at: i + name_at + n]:
            yield i
        i = zb.find(sig, i + 4)


def zip_damaged(members, part):
    """Deflate data of the member whose name holds part, 16 bytes of its
    middle flipped: its inflating fails (and, read as a stream, the same)."""
    zb = zip_of(members)
    for i in zip_headers(zb, b"PK\x03\x04", 30, 26, part):
        name_len, extra_len = struct.unpack("<HH", zb[i + 26: i + 30])
        csize = struct.unpack("<I", zb[i + 18: i + 22])[0]
        mid = i + 30 + name_len + extra_len + csize // 2
        for k in range(mid, mid + 16):
            zb[k] ^= 0x5a
    return bytes(zb)


def zip_method(members, part, method):
    """The member whose name holds part marked as compressed with `method`
    (in its local and central headers): a part ewdiag cannot read."""
    zb = zip_of(members)
    for i in zip_headers(zb, b"PK\x03\x04", 30, 26, part):
        zb[i + 8: i + 10] = struct.pack("<H", method)
    for i in zip_headers(zb, b"PK\x01\x02", 46, 28, part):
        zb[i + 10: i + 12] = struct.pack("<H", method)
    return bytes(zb)


def nested(members, levels):
    """An archive holding an archive ... `levels` deep, the members inside."""
    inner = tar(members)
    for i in range(levels):
        inner = tar([("level%d.tar.gz" % (levels - 1 - i), inner)])
    return inner


def partial_cases(frames):
    """frames: a capture's records, two good handshakes."""
    cm = clean_members()
    clean = open(CLEAN, "rb").read()
    out("partial-truncated.tar.gz", clean[: len(clean) * 6 // 10])
    out("partial-tar-header.tar.gz", gz(broken_tar_header(gzip.decompress(clean), "loggingsnapshot_")))
    out("partial-zip-entry.zip", zip_damaged(cm, b"xconf_dump_"))
    out("partial-zip-unsupported.zip", zip_method(cm, b"xconf_dump_", ZIP_IMPLODED))

    # Captures cut in a bundle whose log has no failure.
    p = pcap(frames)
    out("partial-capture-record.tar.gz", capture_bundle(p[:-700], log_lines=[]))
    ng = pcapng(frames)[:-300]  # inside the last Enhanced Packet Block
    out("partial-pcapng-block.pcapng", ng)
    out("partial-pcapng-block.tar.gz",
        capture_bundle(ng, pcap_name()[: -len(".pcap")] + ".pcapng", log_lines=[]))

    # A trust store whose certificate is cut inside its base64.
    d = bundle_dir()
    store = open(os.path.join(CERTS, "store-root.pem"), "rb").read()
    out("partial-trust-store.tar.gz", tar([
        (d + "ca_%s_%s.pem" % (NODE, STAMP), store[:200] + b"\n-----END CERTIFICATE-----\n"),
        (d + log_name(), text(noise_lines(5))),
    ]))

    # The real bundle nested deeper than max-depth beside a log of its own.
    out("partial-deep-nesting.tar.gz", tar([
        (d + log_name(), text(noise_lines(5))),
        ("nested.tar.gz", nested(cm, NEST_LEVELS - 1)),
    ]))

    # A line longer than max-line (3 MB, no newline) in a log with no failure.
    long_line = b"2026-11-22T09:50:00.050+01:00 vcsc tvcs: " + b"x" * (3 * 1024 * 1024)
    out(log_name("cutline") + ".gz", gz(text(noise_lines(2)) + long_line + b"\n" + text(noise_lines(2))))

    # A truncated bundle whose log's folder name holds ESC, BEL, a C1
    # control (U+009B, CSI) and a byte that is not UTF-8: the line on
    # standard error shows them as '?' and U+FFFD, never raw.
    ctl = tar([("diag\x1b[2J\x07\x9b\udcff/" + log_name(), text(noise_lines(400)))])
    out("partial-control-bytes.tar.gz", ctl[: len(ctl) * 6 // 10])


# --------------------------------------------------------------------------
# The cases


def main():
    leaf = pem_der("cucm-selfsigned.pem")
    t0 = EPOCH * 1000000 + 90000  # 10 ms before the WARNING at .100

    # A good handshake first, so every capture also has something readable,
    # then the broken one. Ports tell them apart.
    def good(cport=50990, t=t0 - 30000):
        return handshake_conn(cport, t, good_flight(leaf))

    # Archive level ------------------------------------------------------
    out("empty.tar.gz", b"")
    noise = bytes(RNG.getrandbits(8) for _ in range(3000))
    out("not-an-archive.tar.gz", b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + noise)

    ex = open(EXAMPLE, "rb").read()
    out("truncated.tar.gz", ex[: len(ex) * 6 // 10])

    raw = gzip.decompress(ex)
    # The header of the member after the log: its checksum no longer adds
    # up. The log before it and the dumps after it are still there.
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as t:
        offs = [(m.offset, m.name) for m in t.getmembers()]
    log = [i for i, (_, n) in enumerate(offs) if "loggingsnapshot_" in n][0]
    hdr = offs[log + 1][0]
    bad = bytearray(raw)
    bad[hdr + 148: hdr + 156] = b"0000000\0"
    bad[hdr + 10] ^= 0x20
    out("corrupt-header.tar.gz", gz(bytes(bad)))

    # A zip of the example's files whose central directory is broken: its
    # second file header has a bad signature and an offset past the end.
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in example_members():
            zi = zipfile.ZipInfo(name, (2022, 7, 11, 16, 55, 44))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    zb = bytearray(zbuf.getvalue())
    eocd = zb.rfind(b"PK\x05\x06")
    cd_off = struct.unpack("<I", zb[eocd + 16: eocd + 20])[0]
    second = zb.find(b"PK\x01\x02", cd_off + 4)
    zb[second: second + 4] = b"PK\x09\x09"
    out("bad-central-dir.zip", bytes(zb))

    # Entries whose names climb out of the bundle, start at /, or carry
    # terminal control bytes: never written anywhere, listed as they are.
    d = bundle_dir()
    out("traversal.tar.gz", tar([
        ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
        ("/etc/shadow", b"root:*:19000:0:99999:7:::\n"),
        (d + "../../../tmp/x\x1b[2J\x07.txt", b"hello\n"),
        (d + "../../" + log_name(), text(noise_lines(2) + warning_lines())),
    ]))

    # Captures ---------------------------------------------------------
    cases = {}

    # 1. Not a capture at all: the magic number is wrong.
    p = pcap(good(), magic=0xdeadbeef)
    cases["pcap-bad-magic"] = (p, None)

    # 2. The last record is cut: its header promises more than follows.
    frames = good() + handshake_conn(51000, t0, good_flight(leaf))
    p = pcap(frames)
    cases["pcap-truncated-record"] = (p[:-700], None)

    # 3. Records whose caplen is larger than the file's snaplen (200), their
    # bytes all there: libpcap keeps 200 of each, so the server's flight of
    # both connections loses its tail.
    frames = good() + handshake_conn(51000, t0, good_flight(leaf))
    cases["pcap-caplen-over-snaplen"] = (pcap(frames, snaplen=200), None)

    # 3b. A record whose caplen is larger than the snaplen and than any sane
    # length (2^31 - 1), its data not there: the server's flight of the
    # second connection. libpcap cannot go past it.
    flight = 4  # the server's flight: SYN, SYN-ACK, ACK, ClientHello, then it

    def lie_caplen(i, t, f):
        n = len(f)
        cap = 0x7fffffff if i == len(good()) + flight else n
        return struct.pack("<IIII", t // 1000000, t % 1000000, cap, n), f
    cases["pcap-caplen-huge"] = (pcap(frames, snaplen=1500, records=lie_caplen), None)

    # 4. pcapng with a block of an unknown type between two packets (legal:
    # readers skip it) and a good handshake around it.
    frames = good() + handshake_conn(51000, t0, good_flight(leaf))
    unknown = pcapng_block(0x0000BAD0, b"not a block ewdiag or libpcap knows" + b"\0")
    cases["pcapng-unknown-block"] = (pcapng(frames, {len(good()) + 4: unknown}), "pcapng")

    # 5. A TLS record whose length goes past the segment, and the
    # connection ends there: the certificate inside it is cut.
    fl = good_flight(leaf)
    declared = len(fl) - 5
    cut = fl[: 5 + 600]  # header + the first 600 of its bytes
    frames = good() + handshake_conn(51000, t0, cut[:3] + u16(declared) + cut[5:])
    cases["tls-record-past-segment"] = (pcap(frames), None)

    # 6. A handshake message whose length lies: the Certificate message
    # says 3 bytes more than it holds, and swallows the start of the next.
    cert = certificate([leaf])
    body = cert[4:]
    lie = handshake(11, body, length=len(body) + 3)
    fl = record(22, server_hello() + lie) + record(22, server_hello_done())
    frames = good() + handshake_conn(51000, t0, fl)
    cases["tls-handshake-length-lie"] = (pcap(frames), None)

    # 7. A certificate whose DER is garbage, well framed.
    garbage = b"\x30\x82" + u16(len(leaf) - 4) + bytes(RNG.getrandbits(8) for _ in range(len(leaf) - 4))
    frames = good() + handshake_conn(51000, t0, good_flight(garbage))
    cases["tls-cert-garbage-der"] = (pcap(frames), None)

    # 8. A certificate list that says it is longer than its record.
    cl = certificate([leaf], list_len=len(leaf) + 3 + 500)
    fl = record(22, server_hello() + cl + server_hello_done())
    frames = good() + handshake_conn(51000, t0, fl)
    cases["tls-cert-list-past-record"] = (pcap(frames), None)

    for name, (data, kind) in sorted(cases.items()):
        ext = ".pcapng" if kind == "pcapng" else ".pcap"
        cname = pcap_name()[: -len(".pcap")] + ext
        out(name + ext, data)
        out(name + ".tar.gz", capture_bundle(data, cname))

    # Logs ---------------------------------------------------------------
    # Bytes that are not UTF-8 (Latin-1, a lone continuation byte, a cut
    # sequence, an overlong NUL) in the event line and around it.
    w = warning_lines(server="cucm-\xe9t\xe9.steven.lab")
    lines = [l.encode("latin-1") for l in noise_lines(2)]
    lines.append(w[0].encode("latin-1").replace(b"Error=self", b"Error=\x80\xc3 \xc0\x80self"))
    lines.append(w[1].encode("latin-1"))
    lines.append(b"\xff\xfe\xfd garbage \xed\xa0\x80 surrogate")
    out(log_name("nonutf8"), b"\n".join(lines) + b"\n")

    # A 3 MB line without a newline before a real WARNING line: it is cut
    # at max-line and counted, the WARNING after it is still found.
    long_line = b"2026-11-22T09:50:00.050+01:00 vcsc tvcs: " + b"x" * (3 * 1024 * 1024)
    out(log_name("longline") + ".gz", gz(long_line + b"\n" + text(warning_lines())))

    # Rules --------------------------------------------------------------
    rule = {
        "id": "test-backtracking",
        "kind": "finding",
        "title": "A pattern that backtracks catastrophically",
        "severity": "warning",
        "category": "test",
        "program": "tvcs",
        "literal": "aaaa",
        "pattern": "(?<target>(a+)+)$",
        "description": "Matches lines of a's; on a long line of a's ending in b it backtracks "
                       "exponentially, and the match limit must stop it.",
        "actions": ["None: this rule only tests the match limit."],
        "group_by": ["node", "target"],
        "examples": ["2026-11-22T09:50:00.000+01:00 vcsc tvcs: aaaa"],
        "counter_examples": ["2026-11-22T09:50:00.000+01:00 vcsc tvcs: bbbb"],
    }
    good_rule = json.dumps(rule, indent=2) + "\n"
    out("rules/backtracking/backtracking.json", good_rule.encode())
    out("rules/invalid-json/invalid.json", good_rule.replace('"kind": "finding",', '"kind": "finding"').encode())
    missing = dict(rule)
    del missing["pattern"]
    out("rules/missing-field/missing.json", (json.dumps(missing, indent=2) + "\n").encode())
    bad_re = dict(rule, pattern="(?<target>a+(b|c)$")
    out("rules/bad-regex/bad-regex.json", (json.dumps(bad_re, indent=2) + "\n").encode())
    # The same backtracking pattern with a counter-example that makes it
    # hit the match limit: the loader says so, and refuses the rule.
    counter = dict(rule, counter_examples=["2026-11-22T09:50:00.000+01:00 vcsc tvcs: " + "a" * 40 + "b"])
    out("rules/backtracking-counter/backtracking-counter.json",
        (json.dumps(counter, indent=2) + "\n").encode())
    lines = [log_time(0, 1) + " vcsc tvcs: aaaa",
             log_time(0, 2) + " vcsc tvcs: " + "a" * 5000 + "b",
             log_time(0, 3) + " vcsc tvcs: aaaaaaaa"]
    out(log_name("backtrack"), text(lines))

    # Markup and script in every text a log or a bundle can carry (the
    # logged target, the error, the server name and address, the host, an
    # entry's name, an escape sequence, the end of a script element): the
    # HTML report must show all of it as text (tests/html/browser-test.py).
    tsp = "traffic_server[18242]: [ET_NET 0] WARNING: "
    hostile = [
        log_time(0, 100) + " vcsc " + tsp + "Core server certificate verification failed for "
        "(<script>window.pwned=1</script>). Action=Terminate Error=<img src=x "
        "onerror=\"window.pwned=2\"> & </pre></details><h1 id=pwned>x</h1> \x1b[31mred\x1b[0m "
        "server=<svg/onload=window.pwned=3>\"'&(10.48.36.215 <b>bold</b>) depth=0",
        log_time(0, 200) + " <svg/onload=window.pwned=4> " + tsp + "SNI (</script><script>"
        "window.pwned=5</script><!--) not in certificate. Action=Terminate "
        "server=x\"><iframe/src=javascript:window.pwned=6>(10.48.36.216)",
    ]
    out("hostile-markup.tar.gz", tar([
        (bundle_dir() + log_name(), text(noise_lines(2) + hostile)),
        (bundle_dir() + "<img src=x onerror=window.pwned=7>.txt", b"x\n"),
    ]))

    partial_cases(good() + handshake_conn(51000, t0, good_flight(leaf)))

    for name, n in written:
        print("%7d  %s" % (n, name))


if __name__ == "__main__":
    main()
