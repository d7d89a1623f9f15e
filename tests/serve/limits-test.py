#!/usr/bin/env python3
"""ewdiag serve's limits and refusals, each with its status code and
message: 413 (--max-upload), 503 with Retry-After (--max-analyses), 401
(--token-file; Bearer and Basic), 400 for malformed multipart and bad
parameters, 404 and 405, a slow client dropped (--timeout), a client killed
mid-upload (its analysis stopped, the server fine), and HTTPS (--cert,
--key).

    python3 tests/serve/limits-test.py EWDIAG
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib as S  # noqa: E402

EXAMPLE = os.path.join(S.ROOT, "fixtures", "example", "diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz")
BOUNDARY = "b0undary"
MP = "multipart/form-data; boundary=" + BOUNDARY


def part(name, filename=None, data=b"x", headers=None):
    disp = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename is not None else "")
    hs = headers if headers is not None else ["Content-Disposition: " + disp]
    return ("--%s\r\n%s\r\n\r\n" % (BOUNDARY, "\r\n".join(hs))).encode() + data + b"\r\n"


def closing():
    return ("--%s--\r\n" % BOUNDARY).encode()


def expect(name, got, status, text=None):
    st, h, body = got
    ok = st == status and (text is None or text.encode() in body)
    S.check(name, ok, "status %s: %r %s" % (st, body[:300], h.get("curl-error", "")))
    return ok


def post_raw(srv, body, ctype=MP, query=""):
    return S.curl("--data-binary", "@-", "-H", "Content-Type: " + ctype, srv.url("/v1/analyze" + query),
                  data=body)


def malformed(srv):
    ex = open(EXAMPLE, "rb").read()
    cases = [
        ("no boundary parameter", b"", "multipart/form-data", "without a valid boundary"),
        ("a boundary of 71 characters", b"", "multipart/form-data; boundary=" + "a" * 71,
         "without a valid boundary"),
        ("no boundary line in the body", b"just some bytes\r\n", MP, "holds no multipart boundary"),
        ("cut before the closing boundary", part("bundle", "a.tar.gz", ex[:3000])[:-2], MP,
         "ends inside a part"),
        ("a part without Content-Disposition",
         part("bundle", headers=["Content-Type: application/gzip"]) + closing(), MP,
         "no Content-Disposition"),
        ("a part that is not form-data",
         part("x", headers=['Content-Disposition: attachment; filename="a"']) + closing(), MP,
         "not form-data"),
        ("a header line without a colon", part("x", headers=["Garbage"]) + closing(), MP,
         "header line is malformed"),
        ("part headers of 9000 bytes", part("x", headers=["X-Long: " + "a" * 9000]) + closing(), MP,
         "longer than 8192"),
        ("bytes after a boundary", ("--%s garbage\r\n" % BOUNDARY).encode(), MP,
         "followed by something else"),
        ("no file, only a field", part("note", None, b"hello") + closing(), MP, "no file in the upload"),
        ("a file name of 300 bytes", part("bundle", "n" * 300, b"x") + closing(), MP, "longer than 255"),
        ("an unknown format field", part("format", None, b"xml") + part("bundle", "a.log") + closing(),
         MP, "format is not"),
        ("a NUL in part headers", part("x", headers=["X: a\x00b"]) + closing(), MP, "control character"),
    ]
    for name, body, ctype, text in cases:
        expect("400 for malformed multipart: " + name, post_raw(srv, body, ctype), 400, text)
    many = b"".join(part("bundle", "f%d.log" % i, b"line\n") for i in range(5)) + closing()
    expect("400 for more files than --max-inputs", post_raw(srv, many), 400, "more than 4 files")
    expect("400 for an unknown format", S.curl("--data-binary", "@" + EXAMPLE,
                                                srv.url("/v1/analyze?format=xml")), 400, "unknown format")
    expect("400 for a name of 300 bytes", S.curl("--data-binary", "@" + EXAMPLE,
                                                  srv.url("/v1/analyze?name=" + "n" * 300)), 400,
           "longer than 255")
    expect("404 for an unknown path", S.curl(srv.url("/nope")), 404, "no such path")
    got = S.curl(srv.url("/v1/analyze"))
    expect("405 for GET /v1/analyze", got, 405)
    S.check("405 says Allow: POST", got[1].get("allow") == "POST", got[1])
    expect("405 for DELETE /", S.curl("-X", "DELETE", srv.url("/")), 405)
    expect("still answers after all that", S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze")),
           200)


def too_large(srv):
    big = tempfile.NamedTemporaryFile(suffix=".tar.gz", delete=False)
    big.write(os.urandom(200 * 1024))
    big.close()
    try:
        expect("413 for a body over --max-upload (Content-Length)",
               S.curl("--data-binary", "@" + big.name, srv.url("/v1/analyze")), 413, "--max-upload")
        expect("413 for multipart over --max-upload", S.curl("-F", "bundle=@" + big.name,
                                                             srv.url("/v1/analyze")), 413)
        got = S.curl("--data-binary", "@-", "-H", "Transfer-Encoding: chunked", srv.url("/v1/analyze"),
                     data=open(big.name, "rb").read())
        S.check("a chunked body over --max-upload is cut: connection closed", got[0] in (0, 413), got[:2])
    finally:
        os.unlink(big.name)
    expect("a body under --max-upload still works",
           S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze")), 200)


def busy(ew):
    srv = S.Server(ew, "--max-analyses", "1")
    try:
        size = os.path.getsize(EXAMPLE)
        held = S.Raw(srv.port, "POST", "/v1/analyze?name=held.tar.gz",
                     ["Content-Length: %d" % size])
        data = open(EXAMPLE, "rb").read()
        held.send(data[:1000])
        time.sleep(0.3)
        got = S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze"))
        expect("503 while the only analysis slot is taken", got, 503, "--max-analyses")
        S.check("503 says Retry-After", got[1].get("retry-after", "").isdigit(), got[1])
        S.check("/metrics: one analysis running, one refused",
                S.metric(srv, "ewdiag_analyses_running") == 1 and
                S.metric(srv, "ewdiag_analyses_refused_total") == 1)
        held.send(data[1000:])
        st, h, body = held.response()
        S.check("the held upload then ends with its report", st == 200 and b'"findings"' in body, st)
        held.close()
        expect("the slot is free again", S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze")),
               200)
    finally:
        srv.stop("server with --max-analyses 1 stops, exit 0")


def token(ew):
    tok = tempfile.NamedTemporaryFile("w", suffix=".token", delete=False)
    tok.write("s3cret-token\n")
    tok.close()
    srv = S.Server(ew, "--token-file", tok.name)
    try:
        got = S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze"))
        expect("401 without the token", got, 401, "token")
        S.check("401 asks for Basic and Bearer", "Basic" in got[1].get("www-authenticate", ""), got[1])
        expect("401 with a wrong token", S.curl("-H", "Authorization: Bearer nope", "--data-binary",
                                                 "@" + EXAMPLE, srv.url("/v1/analyze")), 401)
        expect("200 with the Bearer token", S.curl("-H", "Authorization: Bearer s3cret-token",
                                                    "--data-binary", "@" + EXAMPLE,
                                                    srv.url("/v1/analyze")), 200, '"findings"')
        expect("200 with Basic (the token as password)", S.curl("-u", "me:s3cret-token", "-F",
                                                                 "bundle=@" + EXAMPLE,
                                                                 srv.url("/v1/analyze")), 200)
        expect("the upload page asks for the token too", S.curl(srv.url("/")), 401)
        expect("/metrics asks for the token", S.curl(srv.url("/metrics")), 401)
        expect("/healthz does not", S.curl(srv.url("/healthz")), 200, "ok")
    finally:
        srv.stop("server with --token-file stops, exit 0")
        os.unlink(tok.name)


def slow_clients(ew):
    srv = S.Server(ew, "--timeout", "2")
    try:
        r = S.Raw(srv.port, "POST", "/v1/analyze", ["Content-Length: 100000"])
        r.send(b"\x1f")
        t0 = time.time()
        closed = r.closed_by_server(10)
        S.check("a client that stops sending is dropped after --timeout", closed and time.time() - t0 < 8,
                time.time() - t0)
        r.close()
        import socket
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\n")  # headers never end
        s.settimeout(10)
        try:
            closed = s.recv(100) == b"" or True
        except socket.timeout:
            closed = False
        except ConnectionError:
            closed = True
        S.check("a client whose headers never end is dropped", closed)
        s.close()
        # one byte every 3 s: never 2 s idle... is it? 3 > 2: dropped after the first gap
        r = S.Raw(srv.port, "POST", "/v1/analyze", ["Content-Length: 1000"])
        alive = True
        for _ in range(3):
            try:
                r.send(b"x")
            except OSError:
                alive = False
                break
            if r.closed_by_server(3):
                alive = False
                break
        S.check("a client that sends one byte every 3 s is dropped", not alive)
        r.close()
        expect("the server still answers", S.curl("--data-binary", "@" + EXAMPLE, srv.url("/v1/analyze")),
               200)
    finally:
        log = srv.stop("server with --timeout 2 stops, exit 0")
    S.check("the dropped uploads are logged as timed out", "timed out" in log, log[-800:])


def killed_client(ew):
    srv = S.Server(ew)
    try:
        size = 50 * 1024 * 1024
        r = S.Raw(srv.port, "POST", "/v1/analyze?name=vanishing.log", ["Content-Length: %d" % size])
        line = b"2026-11-22T09:50:00.050+01:00 vcsc tvcs: some ordinary line of a log\n"
        r.send(line * 20000)
        time.sleep(0.5)
        running = S.metric(srv, "ewdiag_analyses_running")
        r.s.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_LINGER,
                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
        r.close()  # a reset, mid-upload
        deadline = time.time() + 10
        while time.time() < deadline and S.metric(srv, "ewdiag_analyses_running") > 0:
            time.sleep(0.1)
        S.check("a client killed mid-upload: its analysis stops", running == 1 and
                S.metric(srv, "ewdiag_analyses_running") == 0 and
                S.metric(srv, 'ewdiag_analyses_total{result="aborted"}') == 1,
                (running, S.metric(srv, "ewdiag_analyses_running")))
        # curl killed mid-upload, from a pipe
        p = subprocess.Popen(["curl", "-sS", "--data-binary", "@-", "-H", "Transfer-Encoding: chunked",
                              srv.url("/v1/analyze")], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        p.stdin.write(line * 20000)
        p.stdin.flush()
        time.sleep(0.5)
        p.kill()
        p.wait()
        expect("the server still answers after that", S.curl("--data-binary", "@" + EXAMPLE,
                                                             srv.url("/v1/analyze")), 200)
    finally:
        log = srv.stop()
    S.check("the vanished client is logged", "client gone" in log, log[-800:])


def tls(ew):
    d = tempfile.mkdtemp(prefix="ewdiag-tls-")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not S.check("a test certificate (openssl req)", p.returncode == 0, p.stderr):
        return
    srv = S.Server(ew, "--cert", cert, "--key", key)
    try:
        S.check("HTTPS when given --cert and --key", srv.scheme == "https", srv.base)
        want, rc = S.cli_report(ew, [EXAMPLE])
        st, h, body = S.curl("--cacert", cert, "--data-binary", "@" + EXAMPLE,
                             srv.url("/v1/analyze?name=" + os.path.basename(EXAMPLE)))
        S.check("an upload over HTTPS: the command's report", st == 200 and body == want, (st, len(body)))
    finally:
        srv.stop("HTTPS server stops, exit 0")
        for f in (cert, key):
            os.unlink(f)
        os.rmdir(d)


def main():
    ew = os.path.abspath(sys.argv[1])
    srv = S.Server(ew, "--max-upload", "64K", "--max-inputs", "4")
    try:
        malformed(srv)
        too_large(srv)
    finally:
        log = srv.stop()
    S.check("the closed oversize upload is logged as 413", "413" in log and "--max-upload" in log)
    busy(ew)
    token(ew)
    slow_clients(ew)
    killed_client(ew)
    tls(ew)
    S.finish()


if __name__ == "__main__":
    main()
