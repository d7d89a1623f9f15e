"""What the ewdiag serve tests share: the real server on a free loopback port
(port 0, read back from its first line), curl, the CLI's report of the same
files, and one line per check ("ok NAME" / "FAIL NAME: why", then
"N passed, M failed").

Every server is stopped with SIGTERM at the end and must exit 0 with no
sanitizer report: the stop path is tested by every test.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.environ.get("EWDIAG_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTUP_S = 30
STOP_S = 60

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + str(detail)[:2000]) if detail else ""), flush=True)
    return ok


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


class Server:
    """ewdiag serve on 127.0.0.1, a port of its own choosing."""

    def __init__(self, ewdiag, *args, env=None):
        self.log_path = tempfile.mktemp(prefix="ewdiag-serve-", suffix=".log")
        self.log = open(self.log_path, "wb")
        e = dict(os.environ)
        e.update(env or {})
        self.p = subprocess.Popen([ewdiag, "serve", "--listen", "127.0.0.1:0"] + list(args),
                                  stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=e)
        self.port = None
        deadline = time.time() + STARTUP_S
        while time.time() < deadline and self.p.poll() is None:
            m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)/", self.text())
            if m:
                self.scheme, self.port = m.group(1), int(m.group(2))
                break
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError("the server did not start: " + self.text())
        self.base = "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def url(self, path):
        return self.base + path

    def stop(self, name="server stops on SIGTERM, exit 0"):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        log = self.text()
        bad = [l for l in log.splitlines() if "ERROR: AddressSanitizer" in l or "runtime error" in l
               or "LeakSanitizer" in l or "Fatal error in GNU libmicrohttpd" in l]
        check(name, rc == 0 and not bad, "exit %s; %s" % (rc, "\n".join(bad[:5]) or log[-1500:]))
        self.log.close()
        os.unlink(self.log_path)
        return log

    def rss_kib(self):
        """Peak resident memory of the server so far (VmHWM)."""
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def curl(*args, data=None, timeout=120):
    """curl ARGS: (HTTP status, headers dict (lower-case names), body bytes).
    Status 0 when curl itself failed (connection closed, ...)."""
    hdr = tempfile.mktemp(prefix="curl-h-")
    try:
        p = subprocess.run(["curl", "-sS", "--max-time", str(timeout), "-D", hdr, "-o", "-"] +
                           list(args), input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout + 30)
        headers, status = {}, 0
        if os.path.exists(hdr):
            for line in open(hdr, "rb").read().decode(errors="replace").splitlines():
                m = re.match(r"HTTP/[\d.]+ (\d+)", line)
                if m:
                    status, headers = int(m.group(1)), {}
                elif ":" in line:
                    k, v = line.split(":", 1)
                    k = k.strip().lower()
                    headers[k] = headers[k] + ", " + v.strip() if k in headers else v.strip()
        if p.returncode != 0:
            headers["curl-error"] = p.stderr.decode(errors="replace").strip()
            if p.returncode in (52, 55, 56, 18) and status in (0, 100):
                status = 0
        return status, headers, p.stdout
    finally:
        if os.path.exists(hdr):
            os.unlink(hdr)


def cli_report(ewdiag, files, fmt="json", names=None):
    """What 'ewdiag -f FMT NAME...' writes for these files under these names
    (copied into a folder under their upload names: the inputs are named so)."""
    d = tempfile.mkdtemp(prefix="ewdiag-cli-")
    try:
        args = []
        for i, f in enumerate(files):
            name = names[i] if names else os.path.basename(f)
            shutil.copyfile(f, os.path.join(d, name))
            args.append(name)
        p = subprocess.run([ewdiag, "-q", "-f", fmt] + args, cwd=d, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        return p.stdout, p.returncode
    finally:
        shutil.rmtree(d, ignore_errors=True)


def fixtures():
    """Every input fixture that is a file: bundles, plain logs, captures."""
    out = []
    for dirpath, _, names in os.walk(os.path.join(ROOT, "fixtures")):
        for n in sorted(names):
            if re.search(r"\.(tar\.gz|tgz|tar|zip|pcap|pcapng|txt|log|gz)$", n):
                out.append(os.path.join(dirpath, n))
    return sorted(out)


def in_threads(fns):
    """Runs every function at once; their results in order."""
    res = [None] * len(fns)

    def run(i):
        try:
            res[i] = fns[i]()
        except Exception as e:  # noqa: BLE001 - reported as a result
            res[i] = e

    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return res


class Raw:
    """An HTTP/1.1 request written by hand over a socket, as slowly as a test
    wants: for uploads held open, slow clients and clients that vanish."""

    def __init__(self, port, method, path, headers=(), host="127.0.0.1"):
        import socket
        self.s = socket.create_connection((host, port), timeout=30)
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (host, port)] + list(headers)
        self.s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def send(self, data):
        self.s.sendall(data)

    def response(self, timeout=60):
        """(status, headers, body) once the server has answered (0 when it
        closed the connection without an answer)."""
        import socket
        self.s.settimeout(timeout)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = self.s.recv(65536)
                if not chunk:
                    return 0, {}, buf
                buf += chunk
            head, body = buf.split(b"\r\n\r\n", 1)
            lines = head.decode(errors="replace").split("\r\n")
            status = int(lines[0].split()[1])
            headers = {}
            for l in lines[1:]:
                k, v = l.split(":", 1)
                headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "-1"))
            while n < 0 or len(body) < n:
                chunk = self.s.recv(65536)
                if not chunk:
                    break
                body += chunk
            return status, headers, body
        except (ConnectionError, socket.timeout, OSError):
            return 0, {}, buf

    def closed_by_server(self, timeout):
        """Whether the server closes the connection within timeout seconds."""
        import socket
        self.s.settimeout(timeout)
        try:
            while True:
                if not self.s.recv(65536):
                    return True
        except ConnectionError:
            return True
        except (socket.timeout, OSError):
            return False

    def close(self):
        self.s.close()


def metric(srv, name):
    """The value of a metric line of GET /metrics (name with its labels)."""
    st, _, body = curl(srv.url("/metrics"))
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0
