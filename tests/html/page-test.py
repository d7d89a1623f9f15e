#!/usr/bin/env python3
"""The upload page of ewdiag serve in headless Chromium: with JavaScript
off, choosing files and pressing Analyze shows the HTML report of them;
with it on, dropping files on the page does. Either report is the
command's (its JSON data island equals 'ewdiag -f json' on the same
files). The page loads nothing but itself, its script and style sheet,
under its Content-Security-Policy.

    python3 tests/html/page-test.py EWDIAG OUTDIR
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "serve"))
import cdp  # noqa: E402
import serverlib as S  # noqa: E402

REPORT = r"""(() => ({title: document.title,
  findings: document.querySelectorAll('article.finding').length,
  json: (document.getElementById('ewdiag-report') || {}).textContent || ''}))()"""


def report_is(name, b, want):
    try:
        got = b.evaluate(REPORT)
        same = json.loads(got["json"]) == want
    except Exception as e:  # noqa: BLE001
        got, same = {"error": str(e)}, False
    S.check(name, same and got["title"].startswith("ewdiag report") and
            got["findings"] == len(want["findings"]), {k: v for k, v in got.items() if k != "json"})


def center(b, selector):
    doc = b.call("DOM.getDocument")["root"]["nodeId"]
    node = b.call("DOM.querySelector", {"nodeId": doc, "selector": selector})["nodeId"]
    q = b.call("DOM.getBoxModel", {"nodeId": node})["model"]["content"]
    return node, (q[0] + q[4]) / 2, (q[1] + q[5]) / 2


def click(b, selector):
    _, x, y = center(b, selector)
    for t in ("mousePressed", "mouseReleased"):
        b.call("Input.dispatchMouseEvent", {"type": t, "x": x, "y": y, "button": "left", "clickCount": 1})


def main():
    ew = os.path.abspath(sys.argv[1])
    outdir = os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    files = sorted(glob.glob(os.path.join(S.ROOT, "fixtures", "cluster", "*.tar.gz")))
    want = json.loads(S.cli_report(ew, files)[0])
    srv = S.Server(ew)
    b = cdp.Browser(isolate=False)
    try:
        b.open_page()
        b.call("DOM.enable")
        b.navigate(srv.url("/"))
        reqs = sorted(set(b.requests()))
        S.check("the page loads itself, its script and style sheet, nothing else",
                reqs == sorted([srv.url("/"), srv.url("/static/upload.css"), srv.url("/static/upload.js")]),
                reqs)
        S.check("no script error, no CSP refusal on the page", not b.problems(), b.problems())
        S.check("its script ran (the drop hint shows)",
                b.evaluate("!document.getElementById('drop-hint').hidden") is True)
        b.screenshot(os.path.join(outdir, "upload-page.png"))

        # with JavaScript: files dropped on the page
        _, x, y = center(b, "#drop")
        data = {"items": [], "files": files, "dragOperationsMask": 1}
        for t in ("dragEnter", "dragOver", "drop"):
            b.call("Input.dispatchDragEvent", {"type": t, "x": x, "y": y, "data": data})
        b.wait_event("Page.loadEventFired")
        report_is("files dropped on the page: their HTML report shows", b, want)
        b.screenshot(os.path.join(outdir, "upload-page-report.png"))

        # without JavaScript: the form alone
        b.call("Emulation.setScriptExecutionDisabled", {"value": True})
        b.navigate(srv.url("/"))
        node, _, _ = center(b, "#files")
        b.call("DOM.setFileInputFiles", {"files": files, "nodeId": node})
        click(b, "#go")
        b.wait_event("Page.loadEventFired")
        report_is("without JavaScript, the form's Analyze shows the HTML report", b, want)
    finally:
        b.close()
        log = srv.stop()
    S.check("the server logged both uploads", log.count('"POST /v1/analyze" 200') == 2, log[-800:])
    S.finish()


if __name__ == "__main__":
    main()
