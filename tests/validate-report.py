#!/usr/bin/env python3
"""Validates ewdiag's JSON and JSONL output against docs/report.schema.json.

    python3 tests/validate-report.py build/src/cli/ewdiag    (from the project root)

Runs the binary with -f json and -f jsonl on every fixture input (one by one,
then all in one run), validates every document and every line, and checks
semantic invariants. Prints one line per check, then "N passed, M failed".
Needs the jsonschema module (Debian: python3-jsonschema).
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema

SCHEMA = "docs/report.schema.json"
LINE_SCHEMA = {"$ref": "report.schema.json#/$defs/finding"}
SEVERITIES = ["info", "notice", "warning", "error", "critical"]
passed = failed = 0


def check(name, problems):
    """One check: problems is a list of strings, empty when it passed."""
    global passed, failed
    if problems:
        failed += 1
        print(f"FAIL {name}: " + "; ".join(problems[:5]))
    else:
        passed += 1
        print(f"ok   {name}")


def validators(schema):
    """Validators for a document and for a JSONL line (which refers into the schema)."""
    V = jsonschema.Draft202012Validator
    V.check_schema(schema)
    try:  # jsonschema >= 4.18
        from referencing import Registry, Resource
        reg = Registry().with_resource("report.schema.json", Resource.from_contents(schema))
        return V(schema, registry=reg), V(LINE_SCHEMA, registry=reg)
    except ImportError:  # older jsonschema, as in Debian 12
        resolver = jsonschema.RefResolver("", LINE_SCHEMA, store={"report.schema.json": schema})
        return V(schema), V(LINE_SCHEMA, resolver=resolver)


def schema_errors(validator, instance, where=""):
    return [f"{where}{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)]


def run(binary, fmt, inputs):
    p = subprocess.run([binary, "-q", "-f", fmt, *inputs], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout


def expected_status(doc):
    """src/cli/outcome.c: 2 when no input was analyzed, else 1 if a finding is
    warning or above, else 3 if an input was not read whole, else 0."""
    if all(i["status"] == "failed" for i in doc["inputs"]):
        return 2
    worst = max((SEVERITIES.index(f["severity"]) for f in doc["findings"]), default=-1)
    if worst >= SEVERITIES.index("warning"):
        return 1
    return 3 if any(i["status"] != "analyzed" for i in doc["inputs"]) else 0


def invariants(doc):
    problems = []
    names = {i["name"] for i in doc["inputs"]}
    for n, f in enumerate(doc["findings"]):
        at = f"findings/{n} ({f['rule']} {f['server']})"
        first, last = f["first_seen"], f["last_seen"]
        if (first is None) != (last is None):
            problems.append(f"{at}: first_seen {first} but last_seen {last}")
        elif first is not None and first > last:
            problems.append(f"{at}: first_seen {first} > last_seen {last}")
        if f["forecast"] is None and f["count"] < 1:
            problems.append(f"{at}: count {f['count']} < 1")
        if f["forecast"] is not None and (f["count"] != 0 or f["evidence"] or f["tls"]["capture"] != "matched"):
            problems.append(f"{at}: a forecast has no line and is checked on a handshake")
        if f["forecast"] is not None and f["rule"] == "ts-origin-verify-forecast" and not f["forecast"]["fails"]:
            problems.append(f"{at}: a refusal forecast without what would fail")
        if f["forecast"] is not None and f["forecast"]["enforcement"] == "enforced" and f["forecast"]["fails"]:
            problems.append(f"{at}: a refusal forecast on a node that enforces the check")
        if len(f["evidence"]) > f["count"]:
            problems.append(f"{at}: {len(f['evidence'])} evidence lines > count {f['count']}")
        if sum(v["count"] for v in f["variants"]) > f["count"]:
            problems.append(f"{at}: variant counts add up to more than count")
        if f["input"] not in names:
            problems.append(f"{at}: input {f['input']!r} is not an input of the document")
    for key in ("warnings", "tls_servers"):
        for n, x in enumerate(doc[key]):
            if x["input"] not in names:
                problems.append(f"{key}/{n}: input {x['input']!r} is not an input of the document")
    for n, s in enumerate(doc["tls_servers"]):
        hidden = sum(s["hidden"].values())
        if s["certificate_hidden"] != hidden or s["handshakes"] != s["certificate_messages"] + hidden:
            problems.append(f"tls_servers/{n}: handshakes != certificate messages + hidden")
        if sum(c["seen"] for c in s["chains"]) != s["certificate_messages"]:
            problems.append(f"tls_servers/{n}: chains seen != certificate messages")
    sevs = [SEVERITIES.index(f["severity"]) for f in doc["findings"] if f["severity"] in SEVERITIES]
    want = SEVERITIES[max(sevs)] if sevs else None
    if doc["max_severity"] != want:
        problems.append(f"max_severity {doc['max_severity']!r}, highest finding severity {want!r}")
    return problems


def check_inputs(binary, doc_v, line_v, label, inputs):
    status, out = run(binary, "json", inputs)
    try:
        doc = json.loads(out)
    except ValueError as e:
        check(f"json  {label}: parses", [str(e)])
        return
    check(f"json  {label}: valid against the schema", schema_errors(doc_v, doc))
    if doc_v.is_valid(doc):
        check(f"json  {label}: invariants", invariants(doc))
        want = expected_status(doc)
        check(f"json  {label}: exit status {status}",
              [] if status == want else [f"expected {want} from the report"])
    lstatus, lout = run(binary, "jsonl", inputs)
    lines, problems = [], []
    for n, text in enumerate(lout.splitlines(), 1):
        try:
            lines.append(json.loads(text))
        except ValueError as e:
            problems.append(f"line {n}: {e}")
            continue
        problems += schema_errors(line_v, lines[-1], f"line {n}: ")
    check(f"jsonl {label}: {len(lines)} lines valid against $defs/finding", problems)
    check(f"jsonl {label}: lines equal the json findings",
          [] if lines == doc.get("findings") else ["they differ"])
    check(f"jsonl {label}: exit status {lstatus} as with json",
          [] if lstatus == status else [f"json gave {status}"])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    with open(SCHEMA) as f:
        doc_v, line_v = validators(json.load(f))
    inputs = set(glob.glob("fixtures/bad/*"))
    for ext in ("tar.gz", "zip", "tar"):
        inputs.update(glob.glob(f"fixtures/**/*.{ext}", recursive=True))
    # The corpus of bad inputs (tests/bad/make-bad.py): every file but the
    # script, its README and the rule folders.
    inputs.update(p for p in glob.glob("tests/bad/*")
                  if os.path.isfile(p) and not p.endswith((".py", ".md")))
    inputs = sorted(inputs)
    check("fixture inputs found", [] if inputs else ["none under fixtures/"])
    for path in inputs:
        check_inputs(binary, doc_v, line_v, path, [path])
    check_inputs(binary, doc_v, line_v, f"all {len(inputs)} inputs in one run", inputs)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
