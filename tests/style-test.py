#!/usr/bin/env python3
"""style-test.py SOURCE_ROOT BUILD_ROOT: what docs/architecture.md promises
of the code, checked.

- no C file of src/ over 700 lines, no function over 80 lines;
- no two source files of the library that depend on each other in a circle
  (from `nm` of the objects: each undefined symbol of a file tied to the
  file that defines it; the stages' link check in src/lib/meson.build keeps
  the stages themselves in order).
"""
import collections, glob, os, re, subprocess, sys

MAX_FILE, MAX_FUNC = 700, 80


def functions(path):
    """(name, first line, body lines) of each function: a line opening with
    '{' at column 0 after a signature, to the '}' at column 0."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, start = [], None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            j = i - 1
            while j > 0 and not re.match(r"^[A-Za-z_]", lines[j]):
                j -= 1
            start = (j, i)
        elif line.startswith("}") and start is not None:
            out.append((lines[start[0]].strip()[:60], start[0] + 1, i - start[1] - 1))
            start = None
    return out


def sizes(root):
    bad = []
    for path in sorted(glob.glob(os.path.join(root, "src", "**", "*.[ch]"), recursive=True)):
        rel = os.path.relpath(path, root)
        n = sum(1 for _ in open(path, encoding="utf-8"))
        if n > MAX_FILE:
            bad.append(f"{rel}: {n} lines (at most {MAX_FILE})")
        if path.endswith(".c"):
            bad += [f"{rel}:{at}: {name}: {body} lines (at most {MAX_FUNC})"
                    for name, at, body in functions(path) if body > MAX_FUNC]
    return bad


def nm(obj, *flags):
    out = subprocess.run(["nm", *flags, obj], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines() if line.split()]


def cycles(build):
    objs = glob.glob(os.path.join(build, "src", "lib", "libew_*.a.p", "*.o"))
    if not objs:
        return ["no object of the library under " + build]
    defined, used = {}, collections.defaultdict(set)
    for o in objs:
        f = os.path.basename(o)[:-2]
        for p in nm(o, "--defined-only"):
            if len(p) == 3 and p[1] in "TDBR":
                defined.setdefault(p[2], f)
        used[f] = {p[-1] for p in nm(o, "--undefined-only")}
    edges = {f: {defined[s] for s in used[f] if defined.get(s, f) != f} for f in used}
    index, low, on, stack, groups = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return ["files in a circle: " + ", ".join(g) for g in groups]


def main():
    root, build = sys.argv[1], sys.argv[2]
    bad = sizes(root) + cycles(build)
    for b in bad:
        print("FAIL " + b)
    print(f"{len(bad)} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
