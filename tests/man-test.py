#!/usr/bin/env python3
"""Checks the built manual pages.

    man-test.py EWDIAG PAGE...    (from the project root)

Every PAGE (roff, as scdoc wrote it) must pass `groff -ww -z` silently and
`mandoc -T lint -W warning` with nothing but the paragraph macros scdoc
writes around headers and lists (harmless: every formatter skips them).
A page named ewdiag.1 must show every option that `EWDIAG --help` prints,
and every --set key it lists; a page ewdiag-CMD.1 the same of
`EWDIAG CMD --help`. The rule of ewdiag-rules(5)'s EXAMPLE must load and
find what it says, and libewdiag(3)'s EXAMPLE must build and run.
Prints one line per check, then "N passed, M failed".
"""
import os
import re
import subprocess
import sys
import tempfile

passed = failed = 0
SCDOC_NOISE = re.compile(r"WARNING: skipping paragraph macro: (PP|P) (empty|after SH|after SS)")
EXAMPLE = "fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz"


def check(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print(f"FAIL {name}: " + "; ".join(problems[:8]))
    else:
        passed += 1
        print(f"ok   {name}")


def run(*args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def rendered(page):
    """The page as plain text, very wide, so that no option is broken."""
    p = run("mandoc", "-T", "ascii", "-O", "width=1000", page)
    return re.sub(r".\x08", "", p.stdout)


def lint(page):
    problems = []
    g = run("groff", "-ww", "-z", "-man", page)
    if g.returncode or g.stderr.strip():
        problems.append("groff: " + (g.stderr.strip() or f"exit {g.returncode}"))
    m = run("mandoc", "-T", "lint", "-W", "warning", page)
    problems += [line for line in (m.stdout + m.stderr).splitlines()
                 if line.strip() and not SCDOC_NOISE.search(line)]
    return problems


def help_options(text):
    """Short and long options of a --help text, and the --set keys it lists."""
    opts = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?=[\s,=\[]|$)",
                          "\n".join(line for line in text.splitlines()
                                    if line.startswith("  "))))
    keys = set()
    m = re.search(r"--set=KEY=VALUE\s+[^:]*:(.*?)(?:\(|\n\s{2}-|\n\n)", text, re.S)
    if m:
        keys = set(re.findall(r"[a-z]+(?:-[a-z]+)+", m.group(1)))
    return opts, keys


def check_options(ewdiag, page, name, text):
    cmd = [] if name == "ewdiag" else [name[len("ewdiag-"):]]
    h = run(ewdiag, *cmd, "--help")
    label = " ".join(["ewdiag", *cmd, "--help"])
    if h.returncode != 0 or not h.stdout.startswith(f"Usage: {' '.join(['ewdiag', *cmd])}"):
        check(f"{page}: {label} works", [f"exit {h.returncode}: {h.stdout[:80]!r}"])
        return
    opts, keys = help_options(h.stdout)
    joined = re.sub(r"-\n\s+", "-", text)  # a word broken after a hyphen, whole again

    def shown(word):
        return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", joined)

    check(f"{page}: {len(opts)} options of {label} ({', '.join(sorted(opts))})",
          [f"{o} missing" for o in sorted(opts) if not shown(o)] +
          ([] if len(opts) > 2 else ["too few options found in --help"]))
    if keys:
        check(f"{page}: the {len(keys)} --set keys of {label}",
              [f"{k} missing" for k in sorted(keys) if not shown(k)])


def literal_after(text, heading, opening):
    """The indented literal block of a section, from its line `opening`."""
    section = text.split(f"\n{heading}\n", 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == opening)
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for line in lines[start:]:
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            break
        block.append(line[indent:])
    return "\n".join(block).strip() + "\n"


def check_rules_example(ewdiag, page, text):
    with tempfile.TemporaryDirectory() as d:
        rule = os.path.join(d, "example.json")
        with open(rule, "w") as f:
            f.write(literal_after(text, "EXAMPLE", "{"))
        p = run(ewdiag, "-q", "-f", "jsonl", "-r", rule, EXAMPLE)
        check(f"{page}: the EXAMPLE rule loads and finds the SNI mismatch",
              [] if p.returncode == 1 and '"rule":"ts-origin-sni-mismatch"' in p.stdout
              else [f"exit {p.returncode}: {p.stderr.strip()[:200]}"])


def check_library_example(page, text, build):
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "example.c"), os.path.join(d, "example")
        with open(src, "w") as f:
            f.write(literal_after(text, "EXAMPLE", "#include <stdio.h>"))
        libdir = os.path.join(build, "src", "lib")
        cflags = os.environ.get("EWDIAG_EXAMPLE_CFLAGS", "").split()  # the build's sanitizers
        c = run("cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *cflags, "-Iinclude", src,
                f"-L{libdir}",
                f"-Wl,-rpath,{os.path.abspath(libdir)}", "-lewdiag", "-o", exe)
        if c.returncode:
            check(f"{page}: the EXAMPLE builds", [c.stderr.strip()[:300]])
            return
        p = run(exe, EXAMPLE)
        check(f"{page}: the EXAMPLE builds and prints the findings",
              [] if p.returncode == 0 and "vcsc ts-origin-cert-untrusted cucm.steven.lab 12\n"
              in p.stdout else [f"exit {p.returncode}: {p.stdout!r} {p.stderr!r}"])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ewdiag, pages = sys.argv[1], sys.argv[2:]
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(ewdiag))))
    for page in pages:
        base = os.path.basename(page)
        name, section = base.rsplit(".", 1)
        check(f"{base}: lint", lint(page))
        text = rendered(page)
        check(f"{base}: NAME is {name}({section})",
              [] if re.search(rf"^NAME\n\s+{re.escape(name)} - ", text, re.M)
              and text.startswith(f"{name}({section})") else ["no such title or NAME"])
        if section == "1" and (name == "ewdiag" or name.startswith("ewdiag-")):
            check_options(ewdiag, base, name, text)
        if base == "ewdiag-rules.5":
            check_rules_example(ewdiag, base, text)
        if base == "libewdiag.3":
            check_library_example(base, text, build)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
