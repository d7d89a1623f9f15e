#!/usr/bin/env python3
"""Check rules/*.json with PCRE2 itself (pcre2grep, pcre2test), outside ewdiag.

Usage: check-rules.py [-v] [rule.json ...]   (default: every *.json beside this script)
Checks: fields required by docs/rules.md, literal in every example, every
example matches and no counter-example does (interpreter with ewdiag's
validation limits, and JIT), group names used by group_by/attach_by/explain,
and capture boundaries (no blanks at the ends, no '(' or ' server=' inside).
-v prints the named captures of every example.
"""
import glob, json, os, re, subprocess, sys

NEED = {"finding": ["severity", "category", "description", "actions", "group_by"],
        "evidence": ["attach_by"], "transaction": []}
LIMITS = r"\=match_limit=100000,depth_limit=1000"

def esc(s):  # pcre2test subject line: hex-escape all but letters, digits, inner blanks
    return "".join(c if c.isascii() and (c.isalnum() or c == " ") else "\\x{%x}" % ord(c) for c in s)

def pcre2test(pattern, subjects, jit):
    delim = next(d for d in "/!%#@~;,|" if d not in pattern)
    lines = [esc(s).replace(" ", r"\x{20}", 1) + ("" if jit else LIMITS) for s in subjects]
    src = "%s%s%s%s\n" % (delim, pattern, delim, "jit" if jit else "") + "\n".join(lines) + "\n"
    out = subprocess.run(["pcre2test", "-q"], input=src, capture_output=True, text=True).stdout
    results, cur = [], None
    for ln in out.splitlines()[1:]:
        if ln in lines:
            cur = {}
            results.append(cur)
        elif ln.startswith("No match"):
            results[-1] = None
        elif cur is not None and re.match(r"^ *\d+:( |$)", ln):
            n, v = re.match(r"^ *(\d+): ?(.*)$", ln).groups()
            cur[int(n)] = v
        elif ln.strip():
            sys.exit("pcre2test: " + ln)
    assert len(results) == len(subjects), out
    return results

def check(path, verbose):
    errs, r = [], json.load(open(path, encoding="utf-8"))
    kind = r.get("kind", "finding")
    for k in ["id", "title", "program", "literal", "pattern", "examples"] + NEED[kind]:
        if not r.get(k):
            errs.append("missing " + k)
    pat, ex, cx = r["pattern"], r["examples"], r.get("counter_examples", [])
    names = re.findall(r"\(\?<([A-Za-z_]\w*)>", pat)
    used = [f for f in r.get("group_by", []) if f not in ("node", "enforced")]
    used += [r["attach_by"]] if "attach_by" in r else []
    used += [e["field"] for e in r.get("explain", []) if "field" in e]
    errs += ["'%s' is not a group of the pattern" % f for f in used if f not in names]
    for e in r.get("explain", []):
        if "field" in e and not isinstance(e.get("value"), str):
            errs.append("explain value must be a string: %r" % e)
        if e.get("op") in ("gt", "lt") and not re.fullmatch(r"-?\d+", e.get("value", "")):
            errs.append("explain %s needs an integer: %r" % (e["op"], e))
    errs += ["example %d lacks the literal" % i for i, s in enumerate(ex) if r["literal"] not in s]
    one = [s for s in ex if "\n" not in s]  # pcre2grep works on single lines
    for lines, want in ((one, len(one)), ([s for s in cx if "\n" not in s], 0)):
        if lines:
            got = subprocess.run(["pcre2grep", "-c", "-e", pat], input="\n".join(lines) + "\n",
                                 capture_output=True, text=True).stdout.strip()
            if got != str(want):
                errs.append("pcre2grep -c: %s lines matched, expected %d" % (got, want))
    for jit in (False, True):
        tag = "jit" if jit else "interpreter"
        for i, m in enumerate(pcre2test(pat, ex, jit)):
            if m is None:
                errs.append("%s: example %d does not match" % (tag, i))
                continue
            caps = {n: m.get(j + 1, "<unset>") for j, n in enumerate(names)}
            for n, v in caps.items():
                if v != "<unset>" and (v != v.strip() or (n in ("server", "address", "target") and "(" in v)
                                       or " server=" in v):
                    errs.append("example %d: bad boundary %s=%r" % (i, n, v))
            if verbose and not jit:
                print("  ex%d %s" % (i, " ".join("%s=%r" % kv for kv in caps.items() if kv[1] != "<unset>")))
        errs += ["%s: counter_example %d matches" % (tag, i)
                 for i, m in enumerate(pcre2test(pat, cx, jit)) if m is not None] if cx else []
    print("%-34s %s (%d examples, %d counter examples)" % (os.path.basename(path), "FAIL" if errs else "ok",
                                                           len(ex), len(cx)))
    for e in errs:
        print("  - " + e)
    return not errs

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "-v"]
    files = args or sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*.json")))
    # The explanation catalog is checked by ewdiag itself when it loads.
    files = [f for f in files if "explanations" not in json.load(open(f, encoding="utf-8"))]
    sys.exit(0 if all([check(f, "-v" in sys.argv) for f in files]) else 1)
