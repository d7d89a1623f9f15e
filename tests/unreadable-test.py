#!/usr/bin/env python3
"""Files the user cannot read (issue 9): a directory holding a bundle and a
folder without read permission beside a log that can be read is analyzed,
each unreadable part named on standard error, exit 3; an unreadable file
given alone is not analyzed (exit 2); beside a readable one, exit 3.

Permissions do not stop root. Run as root (as in CI), the command runs as
the user nobody (65534) instead, so that they do; when that cannot be done
(no CAP_SETUID, or the build not reachable by nobody), or when chmod 000
does not stop this user, the test is skipped (exit 77) and says why.

    python3 tests/unreadable-test.py EWDIAG
"""
import os
import shutil
import subprocess
import sys
import tempfile

EWDIAG = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLEAN = os.path.join(ROOT, "fixtures", "clean", "diagnostic_log_vcsf_2022-07-11_16_55_44.tar.gz")
RULES = os.path.join(ROOT, "rules")
NOBODY = 65534
SKIP = 77
EXIT_TROUBLE, EXIT_PARTIAL = 2, 3
failures = []


def check(name, ok, detail=""):
    print("%s %s" % ("ok" if ok else "FAIL", name))
    if not ok:
        print("    %s" % (detail,))
        failures.append(name)


def skip(why):
    print("SKIP: %s" % why)
    sys.exit(SKIP)


def run(*args):
    extra = {}
    if os.geteuid() == 0:
        extra = dict(user=NOBODY, group=NOBODY, extra_groups=[])
    env = dict(os.environ, EWDIAG_RULES=RULES)
    return subprocess.run([EWDIAG, "-f", "jsonl"] + list(args), capture_output=True, text=True,
                          env=env, **extra)


def layout(tmp):
    """tmp/case: ok/ (a readable log), locked.tar.gz and sub/ (mode 000)."""
    case = os.path.join(tmp, "case")
    os.makedirs(os.path.join(case, "ok"))
    os.makedirs(os.path.join(case, "sub"))
    shutil.copy(CLEAN, os.path.join(case, "ok"))
    shutil.copy(CLEAN, os.path.join(case, "locked.tar.gz"))
    shutil.copy(CLEAN, os.path.join(case, "sub"))
    for d in (tmp, case, os.path.join(case, "ok")):
        os.chmod(d, 0o755)
    os.chmod(os.path.join(case, "ok", os.path.basename(CLEAN)), 0o644)
    os.chmod(os.path.join(case, "locked.tar.gz"), 0)
    os.chmod(os.path.join(case, "sub"), 0)
    return case


def main():
    tmp = tempfile.mkdtemp(prefix="ewdiag-unreadable-")
    try:
        case = layout(tmp)
        locked = os.path.join(case, "locked.tar.gz")
        try:
            probe = run(os.path.join(case, "ok"))
        except (PermissionError, OSError) as e:
            skip("cannot run ewdiag as the user nobody: %s" % e)
        if probe.returncode != 0:
            skip("ewdiag as %s cannot analyze a readable file (the build is not reachable by "
                 "that user?): exit %d, %s" % ("nobody" if os.geteuid() == 0 else "this user",
                                               probe.returncode, probe.stderr.strip()))
        if run(locked).returncode == 0:
            skip("mode 000 does not stop this user from reading (CAP_DAC_OVERRIDE?)")

        p = run(case)
        check("a directory with unreadable parts: exit 3", p.returncode == EXIT_PARTIAL,
              (p.returncode, p.stderr))
        want = ["ewdiag: %s: locked.tar.gz: cannot open: Permission denied" % case,
                "ewdiag: %s: sub: cannot read directory: Permission denied" % case]
        check("each unreadable part named, with why", p.stderr.splitlines() == want, p.stderr)

        p = run(locked)
        check("an unreadable file alone: exit 2", p.returncode == EXIT_TROUBLE, p.returncode)
        check("... named once, with why",
              p.stderr == "ewdiag: %s: cannot open: Permission denied\n" % locked, p.stderr)

        p = run(locked, os.path.join(case, "ok"))
        check("an unreadable file beside a readable one: exit 3",
              p.returncode == EXIT_PARTIAL, (p.returncode, p.stderr))
    finally:
        for d, dirs, _ in os.walk(tmp):  # top down: opened before it is walked
            for sub in dirs:
                os.chmod(os.path.join(d, sub), 0o755)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
