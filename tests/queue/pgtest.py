"""What the queue tests and the benchmark share: a throwaway PostgreSQL
cluster in a temporary folder, an HTTP server for URL locations, and small
helpers.

The cluster is made with Debian's initdb and pg_ctl (package postgresql),
listens on a unix socket in its own folder only (no TCP port to collide
with), and runs as the unprivileged user `postgres` when the test runs as
root (initdb and the server refuse root). fsync is off: it is thrown away.
The HTTP server serves a folder from a thread of the test; `/slow/NAME`
sends NAME in small pieces with pauses, `/trickle/NAME` sends its first
bytes and then a byte a second forever (a server that never finishes), and
`/missing` answers 404.
"""
import glob
import http.server
import os
import pwd
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

PG_USER = "postgres"


def pg_bindir():
    try:
        d = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                           check=True).stdout.strip()
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no initdb: install the Debian package postgresql")
    return os.path.dirname(found[-1])


SKIP = 77  # meson's exit status for a skipped test


def require_postgres():
    """Exits with SKIP, saying why, when the PostgreSQL server is not installed."""
    try:
        pg_bindir()
    except RuntimeError as e:
        print("skipped: %s" % e, flush=True)
        sys.exit(SKIP)
    # meson stops a test past its timeout with SIGTERM: the clusters and
    # folders are still removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


class Cluster:
    """A PostgreSQL cluster of our own, started in a fresh folder."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.root = os.geteuid() == 0
        self.tmp = tempfile.mkdtemp(prefix="ewdiag-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.log = os.path.join(self.tmp, "server.log")
        if self.root:
            pw = pwd.getpwnam(PG_USER)
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            self.user = PG_USER
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.conninfo = "host=%s port=5432 user=%s dbname=postgres" % (self.tmp, self.user)
        self._run(["initdb", "-D", self.data, "-U", self.user, "--auth=trust", "--no-sync",
                   "-E", "UTF8", "--locale=C"])
        self.start()

    def _run(self, argv, check=True):
        cmd = [os.path.join(self.bindir, argv[0])] + argv[1:]
        if self.root:
            cmd = ["runuser", "-u", PG_USER, "--"] + cmd
        return subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, check=check)

    def start(self):
        opts = ("-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
                % self.tmp)
        self._run(["pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60",
                   "start"])

    def stop(self, mode="fast"):
        self._run(["pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"],
                  check=False)

    def restart(self):
        self._run(["pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "restart"])

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def psql(self, sql, check=True):
        """Runs sql; rows as lists of strings (tab-separated output)."""
        p = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-d", self.conninfo, "-c", sql],
                           capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError("psql: %s: %s" % (sql, p.stderr.strip()))
        return [line.split("\t") for line in p.stdout.splitlines() if line]

    def value(self, sql):
        rows = self.psql(sql)
        return rows[0][0] if rows else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.destroy()


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send_file(self, name, pace):
        path = os.path.join(self.server.folder, name)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", '"%x-%x"' % (len(data), hash(data) & 0xffffffff))
        self.end_headers()
        pace(data)

    def _slow(self, data):
        step = max(1, len(data) // 20)
        for i in range(0, len(data), step):
            self.wfile.write(data[i:i + step])
            self.wfile.flush()
            time.sleep(self.server.slow_pause)

    def _trickle(self, data):
        self.wfile.write(data[:64])
        for i in range(64, len(data)):
            self.wfile.flush()
            time.sleep(1.0)
            self.wfile.write(data[i:i + 1])
        time.sleep(3600)

    def do_GET(self):
        try:
            if self.path.startswith("/slow/"):
                self._send_file(self.path[6:], self._slow)
            elif self.path.startswith("/trickle/"):
                self._send_file(self.path[9:], self._trickle)
            elif self.path.startswith("/files/"):
                self._send_file(self.path[7:], lambda d: self.wfile.write(d))
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass


class HttpServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """Serves folder on 127.0.0.1, a free port; url(kind, name)."""
    daemon_threads = True

    def __init__(self, folder, slow_pause=0.1):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self.slow_pause = slow_pause
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self, kind, name):
        return "http://127.0.0.1:%d/%s/%s" % (self.server_address[1], kind, name)

    def close(self):
        self.shutdown()
        self.server_close()


class Checks:
    """ok/FAIL lines and a count of failures."""

    def __init__(self):
        self.failed = 0

    def check(self, name, ok, detail=""):
        print("%s %s%s" % ("ok  " if ok else "FAIL", name,
                           (": " + str(detail)) if detail and not ok else ""), flush=True)
        self.failed += not ok
        return ok

    def exit(self):
        print("%d failed" % self.failed if self.failed else "all passed", flush=True)
        sys.exit(1 if self.failed else 0)


def findings_key(report):
    """A report's findings, comparable across inputs of other names."""
    out = []
    for f in report["findings"]:
        f = dict(f)
        f.pop("input", None)
        out.append(f)
    return out
