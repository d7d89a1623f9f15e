#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium loads each report
from disk with the network off, and the rendered DOM must hold every
finding (its rule, server, address, node, severity) of the command's JSON
report of the same inputs, a timeline with one row per server whose marks
add up to the findings' events and failed requests and the captures'
handshakes, the JSON report itself, no request but the file, no script
error, no Content-Security-Policy refusal, and nothing of the hostile
bundle's markup run or rendered as markup. Read again with JavaScript off,
the findings are all there. The Origins section holds, per input and
node, every origin of the JSON report with its check's outcome (the
forecast fixture: trusted, untrusted, misnamed, expiring, expired, not
checked), with JavaScript and without; an origin and a node named with
markup (a log written at test time) are shown as text. A full-page
screenshot of each is kept in OUTDIR (a build artifact).

    python3 tests/html/browser-test.py EWDIAG OUTDIR
"""
import datetime
import glob
import importlib.util
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "serve"))
import cdp  # noqa: E402
import serverlib as S  # noqa: E402

FACTS = r"""(() => {
  const q = (s, e) => Array.from((e || document).querySelectorAll(s));
  const sum = (g, s) => q(s, g).reduce((n, m) => n + Number(m.dataset.weight), 0);
  return {
    js: document.documentElement.classList.contains('js'),
    pwned: typeof window.pwned !== 'undefined',
    injected: q('#pwned, iframe, img, object, embed, [onload], [onerror], a[href^="javascript"]').length,
    scripts: q('script').length,
    title: document.title,
    findings: q('article.finding').map(a => ({rule: a.dataset.rule, server: a.dataset.server,
      address: a.dataset.address, node: a.dataset.node, severity: a.dataset.severity,
      row: Number(a.dataset.row), shown: a.getClientRects().length > 0,
      text: a.querySelector('h3').textContent})),
    rows: q('svg.timeline g.row').map(g => ({server: g.dataset.server, address: g.dataset.address,
      events: Number(g.dataset.events), ev: sum(g, '.m.ev'), rq: sum(g, '.m.rq'), hs: sum(g, '.m.hs'),
      marks: q('.m', g).length})),
    evidence: q('details.evidence pre, details.related pre').map(p => p.textContent).join('\n'),
    entries: q('td.path').map(t => t.textContent),
    json: document.getElementById('ewdiag-report').textContent,
    filter: !document.getElementById('filter').hidden,
  };
})()"""

ORIGINS = r"""(() => {
  const q = (s, e) => Array.from((e || document).querySelectorAll(s));
  const sec = document.getElementById('origins');
  let input = null;
  const tables = [];
  q('h3, table.origins', sec).forEach(e => {
    if (e.tagName === 'H3') { input = e.textContent; return; }
    tables.push({input: input, node: e.dataset.node, caption: e.querySelector('caption').textContent,
      rows: q('tbody tr', e).map(r => ({name: r.dataset.name, address: r.dataset.address,
        port: Number(r.dataset.port), state: r.dataset.state, shown: r.getClientRects().length > 0,
        cells: q('td', r).map(c => c.textContent)}))});
  });
  return {shown: !!sec && sec.getClientRects().length > 0,
          nav: q('nav a[href="#origins"]').length, text: sec ? sec.textContent : '', tables: tables};
})()"""

FILTER = r"""(() => {
  const t = document.getElementById('filter-text');
  t.value = %s;
  t.dispatchEvent(new Event('input'));
  return Array.from(document.querySelectorAll('article.finding')).filter(a => !a.hidden).length;
})()"""


HOSTILE_ORIGIN = "<img src=x onerror=window.pwned=9>"
HOSTILE_NODE = "<svg/onload=window.pwned=10>"


def hostile_origin_log(outdir):
    """A log whose traffic server sent a request to an MRA target whose host
    is markup, on a node whose name is markup (fixtures/make-fixtures.py
    writes the lines)."""
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", os.path.join(S.ROOT, "fixtures", "make-fixtures.py"))
    mf = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, sys.argv[:1]
    try:
        spec.loader.exec_module(mf)
    finally:
        sys.argv = argv
    log = mf.Log(HOSTILE_NODE, 60)
    ts = mf.TrafficServer(log, "steven.lab", "10.48.36.46")
    t0 = datetime.datetime(2026, 11, 22, 9, 50, 0, tzinfo=datetime.timezone.utc)
    ts.request(t0, 4242, 700, HOSTILE_ORIGIN, "10.1.2.3", 8443, "/cucm-uds/x", 40700, "ok")
    path = os.path.join(outdir, "loggingsnapshot_vcsc_2026-11-22_08_50_00.txt")
    with open(path, "wb") as f:
        f.write(log.render())
    return path


def reports(ew, outdir):
    """name -> (html path, the command's JSON) for each report looked at."""
    fx = os.path.join(S.ROOT, "fixtures")
    sets = {
        "cluster-and-captures": sorted(glob.glob(os.path.join(fx, "cluster", "*.tar.gz"))) +
        sorted(glob.glob(os.path.join(fx, "captures", "*", "*.tar.gz"))) +
        [os.path.join(fx, "captures", "inventory.pcap")],
        "forecast": sorted(glob.glob(os.path.join(fx, "forecast", "*", "*.tar.gz"))),
        "hostile-markup": [os.path.join(S.ROOT, "tests", "bad", "hostile-markup.tar.gz")],
        "hostile-origin": [hostile_origin_log(outdir)],
        "clean-and-failed": [os.path.join(fx, "clean", "diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz"),
                             os.path.join(fx, "bad", "empty.tar.gz")],
    }
    out = {}
    for name, files in sets.items():
        path = os.path.join(outdir, name + ".html")
        subprocess.run([ew, "-q", "-f", "html", "-o", path] + files, stderr=subprocess.DEVNULL)
        js = subprocess.run([ew, "-q", "-f", "json"] + files, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL).stdout
        out[name] = (path, json.loads(js))
    return out


def check_findings(name, facts, want):
    got = [(f["rule"], f["server"], f["address"], f["node"], f["severity"]) for f in facts["findings"]]
    # The findings of log lines in the report's order, then the forecasts by section.
    sections = [None, "before-upgrade", "before-verification", "before-expiry"]
    key = lambda f: sections.index(f["forecast"]["section"] if f["forecast"] else None)
    exp = [(f["rule"], f["server"], f["address"], f["node"], f["severity"])
           for f in sorted(want["findings"], key=key)]
    S.check("%s: every finding rendered, in order (%d)" % (name, len(exp)), got == exp,
            "got %s, want %s" % (got[:3], exp[:3]))
    S.check("%s: every finding visible" % name, all(f["shown"] for f in facts["findings"]))
    rows = {}
    for f in want["findings"]:
        r = rows.setdefault((f["server"], f["address"] or ""), {"events": 0, "requests": 0, "hs": 0})
        r["events"] += f["count"]
        r["requests"] += f["requests"]
    for s in want["tls_servers"]:
        for (server, addr), r in rows.items():
            if addr and s["address"] == addr:
                r["hs"] += s["handshakes"]
    got_rows = {(r["server"], r["address"]): r for r in facts["rows"]}
    S.check("%s: the timeline has one row per server (%d)" % (name, len(rows)),
            len(facts["rows"]) == len(rows) and set(got_rows) == set(rows),
            "%s vs %s" % (sorted(got_rows), sorted(rows)))
    bad = []
    for key, r in rows.items():
        g = got_rows.get(key)
        if not g or (g["ev"], g["rq"], g["hs"]) != (r["events"], r["requests"], r["hs"]):
            bad.append((key, g and (g["ev"], g["rq"], g["hs"]), (r["events"], r["requests"], r["hs"])))
    S.check("%s: one mark per event, failed request and handshake (their weights add up)" % name,
            not bad, bad[:3])
    rows_of = {}
    for f in facts["findings"]:
        rows_of.setdefault(f["row"], set()).add((f["server"], f["address"]))
    S.check("%s: each finding points at its server's row" % name,
            all(len(v) == 1 and list(v)[0] in got_rows and
                (facts["rows"][k]["server"], facts["rows"][k]["address"]) == list(v)[0]
                for k, v in rows_of.items()))


ENFORCEMENT = {"enforced": "enforces the check", "before-x14.2": "software before X14.2",
               "verify-off": "VerifyOriginServer Off", "continue-only": "Action=Continue",
               "unknown": "enforcement unknown"}


def origin_outcome(o):
    """The check's outcome the row must say, as phrases it must hold."""
    if o["state"] != "checked":
        return {"no-capture": ["not checked: no capture in this input"],
                "no-handshake": ["not checked: no capture of it"],
                "no-certificate": ["not checked: no handshake showed its certificate"]}[o["state"]]
    out = ["checked (handshake of " + o["checked_at"] + ")"]
    if o["trust"] == "untrusted":
        out.append("untrusted (%s)" % o["trust_error"] if o["trust_error"] else "untrusted")
    else:
        out.append("trusted" if o["trust"] else "trust not checked")
    if o["name_check"] in ("absent", "ip-san-only"):
        out.append("name not in the certificate")
    elif o["name_check"]:
        out.append({"dns-san": "name in a DNS SAN", "cn": "name is the CN"}[o["name_check"]])
    if o["expiry"] in ("expiring", "expired"):
        out.append(o["expiry"] + " " + o["not_after"])
    elif o["expiry"] == "none":
        out.append("valid until " + o["not_after"])
    return out


def check_origins(name, got, want):
    """The Origins section: per input and node a table whose rows are the
    input's origins of the JSON report, in order, each saying its name,
    address:port, what named it, its requests and how the check came out."""
    S.check("%s: the Origins section is shown and in the menu" % name, got["shown"] and got["nav"] == 1)
    exp_inputs = [i for i in want["inputs"] if i["origins"]]
    S.check("%s: one table per input and node with origins" % name,
            [(t["input"], t["node"]) for t in got["tables"]] ==
            [(i["name"], n) for i in exp_inputs for n in sorted({o["node"] for o in i["origins"]},
                                                                 key=[o["node"] for o in i["origins"]].index)],
            [(t["input"], t["node"]) for t in got["tables"]][:5])
    if not exp_inputs:
        S.check("%s: no origin, said so" % name, "No origin server" in got["text"])
        return
    bad = []
    for i in exp_inputs:
        rows = [(t, r) for t in got["tables"] if t["input"] == i["name"] for r in t["rows"]]
        if len(rows) != len(i["origins"]):
            bad.append((i["name"], "rows", len(rows), len(i["origins"])))
            continue
        for (t, r), o in zip(rows, i["origins"]):
            addr = (o["address"] or "") + (":%d" % o["port"] if o["port"] else "")
            src = (["request (MRA target)" if o["name"] else "request (no MRA target)"]
                   if "request" in o["sources"] else []) + \
                  (["xconf" + (" (%s)" % o["type"] if o["type"] else "")] if "xconf" in o["sources"] else [])
            want_row = (o["node"], o["name"] or "", o["address"] or "", o["port"] or 0, o["state"],
                        o["name"] or "unknown", addr or "unknown", ", ".join(src), str(o["requests"]))
            got_row = (t["node"], r["name"], r["address"], r["port"], r["state"]) + tuple(r["cells"][:4])
            if want_row != got_row or not r["shown"]:
                bad.append((got_row, want_row))
            missing = [p for p in origin_outcome(o) if p not in r["cells"][4]]
            if missing or (o["state"] == "checked") != r["cells"][4].startswith("checked"):
                bad.append((o["name"], o["port"], r["cells"][4], missing))
            if ENFORCEMENT[o["enforcement"]] not in t["caption"] or o["node"] not in t["caption"]:
                bad.append((t["caption"], o["enforcement"]))
    S.check("%s: every origin's row says its name, address:port, source, requests and check (%d)"
            % (name, sum(len(i["origins"]) for i in exp_inputs)), not bad, bad[:3])


def check_page(b, name, path, want, outdir):
    url = "file://" + path
    b.navigate(url)
    facts = b.evaluate(FACTS)
    reqs = [u for u in b.requests() if u != url and not u.startswith("data:")]
    S.check("%s: no request but the file itself" % name, not reqs, reqs[:5])
    S.check("%s: no script error, no CSP refusal" % name, not b.problems(), b.problems()[:5])
    S.check("%s: the script ran (its CSP hash matches)" % name, facts["js"] and
            (facts["filter"] or not want["findings"]))
    S.check("%s: the embedded JSON is the command's report" % name, json.loads(facts["json"]) == want)
    check_findings(name, facts, want)
    check_origins(name, b.evaluate(ORIGINS), want)
    S.check("%s: no markup from the input rendered or run" % name,
            not facts["pwned"] and facts["injected"] == 0 and facts["scripts"] == 2,
            (facts["pwned"], facts["injected"], facts["scripts"]))
    if want["findings"]:
        f0 = want["findings"][0]
        n = b.evaluate(FILTER % json.dumps(f0["rule"]))
        S.check("%s: the filter keeps the findings of one rule" % name,
                n == sum(1 for f in want["findings"] if f["rule"] == f0["rule"]), n)
        b.evaluate(FILTER % json.dumps(""))
    b.screenshot(os.path.join(outdir, name + ".png"))
    S.check("%s: screenshot kept" % name, os.path.getsize(os.path.join(outdir, name + ".png")) > 1000)
    return facts


def check_forecast_origins(got, want):
    """The forecast fixture covers what the section must tell apart."""
    cells = [r["cells"][4] for t in got["tables"] for r in t["rows"]]
    S.check("forecast: its origins are listed, three nodes",
            len(got["tables"]) == 3 and len(cells) == sum(len(i["origins"]) for i in want["inputs"]))
    for text in ("untrusted (self-signed certificate)", "name not in the certificate", "expiring",
                 "expired", "not checked: no capture of it"):
        S.check("forecast: an origin's check says %s" % text, any(text in c for c in cells))
    caps = " ".join(t["caption"] for t in got["tables"])
    for e in ("enforced", "before-x14.2", "verify-off"):
        S.check("forecast: a node's caption says %s" % ENFORCEMENT[e], ENFORCEMENT[e] in caps)


def check_hostile_origin(got, want):
    """An origin's name and its node's, markup in the log: shown as text."""
    o = want["inputs"][0]["origins"]
    S.check("hostile-origin: the origin is in the JSON report",
            len(o) == 1 and o[0]["name"] == HOSTILE_ORIGIN and o[0]["node"] == HOSTILE_NODE, o)
    rows = [r for t in got["tables"] for r in t["rows"]]
    S.check("hostile-origin: its name shown as text, in its row and its attribute",
            len(rows) == 1 and rows[0]["cells"][0] == HOSTILE_ORIGIN and
            rows[0]["name"] == HOSTILE_ORIGIN, rows)
    S.check("hostile-origin: its node's name shown as text",
            [t["node"] for t in got["tables"]] == [HOSTILE_NODE] and
            HOSTILE_NODE in got["tables"][0]["caption"], [t["caption"] for t in got["tables"]])


def check_hostile(facts, want):
    ev = facts["evidence"]
    for text in ("<script>window.pwned=1</script>", "<img src=x onerror=\"window.pwned=2\">",
                 "</pre></details><h1 id=pwned>x</h1>", "\u241b[31mred",
                 "</script><script>window.pwned=5</script><!--"):
        S.check("hostile-markup: shown as text: %s" % text, text in ev)
    servers = [f["text"] for f in facts["findings"]]
    S.check("hostile-markup: the server names shown as text",
            any("<svg/onload=window.pwned=3>" in s for s in servers) and
            any("<iframe/src=javascript:window.pwned=6>" in s for s in servers), servers)
    S.check("hostile-markup: an entry's name shown as text",
            any("<img src=x onerror=window.pwned=7>.txt" in e for e in facts["entries"]), facts["entries"])


def main():
    ew = os.path.abspath(sys.argv[1])
    outdir = os.path.abspath(sys.argv[2])
    os.makedirs(outdir, exist_ok=True)
    reps = reports(ew, outdir)
    b = cdp.Browser()
    try:
        print("network: %s" % ("off (a network namespace of its own)" if b.offline
                               else "not isolated (no network namespace here): only the switches"))
        b.open_page()
        for name, (path, want) in reps.items():
            facts = check_page(b, name, path, want, outdir)
            if name == "hostile-markup":
                check_hostile(facts, want)
            if name == "forecast":
                check_forecast_origins(b.evaluate(ORIGINS), want)
            if name == "hostile-origin":
                check_hostile_origin(b.evaluate(ORIGINS), want)
        b.call("Emulation.setScriptExecutionDisabled", {"value": True})
        for name, (path, want) in reps.items():
            b.navigate("file://" + path)
            facts = b.evaluate(FACTS)
            check_findings(name + " without JavaScript", facts, want)
            check_origins(name + " without JavaScript", b.evaluate(ORIGINS), want)
            S.check("%s without JavaScript: plain page, filter hidden" % name,
                    not facts["js"] and not facts["filter"])
    finally:
        b.close()
    S.finish()


if __name__ == "__main__":
    main()
