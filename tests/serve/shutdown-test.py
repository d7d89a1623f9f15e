#!/usr/bin/env python3
"""SIGTERM lets the running analyses finish: no new connection is taken,
the upload in flight still gets its report, then the server exits 0. A
second signal stops the running analyses at once.

    python3 tests/serve/shutdown-test.py EWDIAG
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib as S  # noqa: E402

EXAMPLE = os.path.join(S.ROOT, "fixtures", "example", "diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz")


def held_upload(srv):
    data = open(EXAMPLE, "rb").read()
    r = S.Raw(srv.port, "POST", "/v1/analyze?name=" + os.path.basename(EXAMPLE),
              ["Content-Length: %d" % len(data)])
    r.send(data[:2000])
    time.sleep(0.3)
    return r, data


def main():
    ew = os.path.abspath(sys.argv[1])
    want, _ = S.cli_report(ew, [EXAMPLE])

    srv = S.Server(ew)
    r, data = held_upload(srv)
    srv.p.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    st, h, _ = S.curl(srv.url("/healthz"), timeout=5)
    S.check("after SIGTERM: no new connection", st == 0, (st, h))
    S.check("after SIGTERM: still running while an upload is in flight", srv.p.poll() is None)
    r.send(data[2000:])
    st, h, body = r.response()
    S.check("the upload in flight gets its report", st == 200 and body == want, (st, len(body)))
    r.close()
    try:
        rc = srv.p.wait(20)
    except Exception:  # noqa: BLE001
        rc = None
    S.check("then the server exits 0 on its own", rc == 0, rc)
    log = srv.stop("and says so")
    S.check("the log says it finished the running analyses", "finish first" in log and "stopped" in log,
            log[-600:])

    srv = S.Server(ew)
    r, data = held_upload(srv)
    srv.p.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    t0 = time.time()
    srv.p.send_signal(signal.SIGTERM)
    try:
        rc = srv.p.wait(20)
    except Exception:  # noqa: BLE001
        rc = None
    S.check("a second SIGTERM stops the running analysis: exit 0 at once (%.1f s)" % (time.time() - t0),
            rc == 0 and time.time() - t0 < 10, rc)
    st, _, _ = r.response(5)
    S.check("the stopped upload gets 503 or a closed connection", st in (0, 503), st)
    r.close()
    srv.stop("and says so")

    srv = S.Server(ew)
    srv.p.send_signal(signal.SIGINT)
    try:
        rc = srv.p.wait(20)
    except Exception:  # noqa: BLE001
        rc = None
    S.check("SIGINT with nothing running: exit 0", rc == 0, rc)
    srv.stop("and says so")
    S.finish()


if __name__ == "__main__":
    main()
