#!/usr/bin/env python3
"""Drives the bash completion of ewdiag for real: an interactive bash on a
pseudo-terminal, with bash-completion loaded, types command lines and TAB
(complete) or M-* (insert every completion), and reads back the line that
readline made.

    completion-test.py EWDIAG COMPLETION_SCRIPT    (from the project root)

The script is not sourced: bash-completion finds it by the command's name
in a completions folder (BASH_COMPLETION_USER_DIR), as it finds the
installed one. `ewdiag` in that shell is a function that prints the words
it was given (and runs the real program for --help, which the completion
reads), so that pressing Enter shows the completed line.
Prints one line per check, then "N passed, M failed".
"""
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import sys
import tempfile
import termios
import time

BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
TAB, INSERT_ALL = "\t", "\x1b*"
passed = failed = 0


def check(name, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: got {got!r}, expected {want!r}")


class Shell:
    """An interactive bash on a pseudo-terminal."""

    def __init__(self, env, cwd):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))
        self.buf = ""

    def send(self, text):
        os.write(self.fd, text.encode())

    def expect(self, pattern, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError(f"no {pattern!r} in {self.buf[-500:]!r}")
            try:
                self.buf += os.read(self.fd, 65536).decode(errors="replace")
            except OSError as e:
                raise TimeoutError(f"bash ended: {e}") from e

    def run(self, command):
        """Runs a shell command and waits for it to be done: its output."""
        self.send(command + "; echo __DONE__\n")
        return self.expect(r"(.*)\n__DONE__\r?\n").group(1)

    def complete(self, typed, keys):
        """Types `typed`, then keys, then Enter: the words ewdiag got."""
        self.send(typed + keys)
        time.sleep(0.3)  # the completion runs ewdiag --help: let it finish
        self.send("\n")
        return self.expect(r"WORDS<(.*?)>\r?\n").group(1)

    def close(self):
        self.send("exit\n")
        os.waitpid(self.pid, 0)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ewdiag, script = (os.path.abspath(p) for p in sys.argv[1:])
    root = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "completions"))
        shutil.copy(script, os.path.join(tmp, "completions", "ewdiag"))
        with open(os.path.join(tmp, "inputrc"), "w") as f:
            f.write("set bell-style none\nset enable-bracketed-paste off\n")
        # A rule directory of our own, read at completion time.
        own = os.path.join(tmp, "own-rules")
        os.mkdir(own)
        with open("rules/ts-origin-sni-mismatch.json") as f:
            rule = f.read().replace('"ts-origin-sni-mismatch"', '"my-sni-check"', 1)
        with open(os.path.join(own, "mine.json"), "w") as f:
            f.write(rule)
        env = {
            "PATH": os.path.dirname(ewdiag) + ":/usr/bin:/bin",
            "HOME": tmp,
            "TERM": "dumb",
            "INPUTRC": os.path.join(tmp, "inputrc"),
            "PS1": "$ ",
            "BASH_COMPLETION_USER_DIR": tmp,
            "EWDIAG_RULES": os.path.join(root, "rules"),
            "LC_ALL": "C",
        }
        sh = Shell(env, root)
        try:
            sh.run(f". {BASH_COMPLETION}")
            check("not loaded before the first completion",
                  "_ewdiag" in sh.run("complete -p ewdiag 2>&1"), False)
            sh.run('ewdiag() { if (($# <= 2)) && [[ ${!#} == --help ]]; then command ewdiag "$@"; '
                   'else printf "WORDS<%s>\\n" "$*"; fi; }')
            tests(sh, own)
            check("bash-completion loaded it from the completions folder by name",
                  "complete -F _ewdiag ewdiag" in sh.run("complete -p ewdiag"), True)
        finally:
            sh.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def tests(sh, own):
    rules = os.path.abspath("rules")
    long_options = ("--color= --entries --evidence= --format= --help --jobs= --output= --quiet "
                    "--rules= --set= --version")
    check("an option", sh.complete("ewdiag --form", TAB), "--format=")
    check("every option", sh.complete("ewdiag --", INSERT_ALL), long_options)
    check("formats after --format=", sh.complete("ewdiag --format=", INSERT_ALL),
          "--format=json jsonl text")
    check("formats after -f", sh.complete("ewdiag -f ", INSERT_ALL), "-f json jsonl text")
    check("a format", sh.complete("ewdiag -f jsonl -o out.json --format=te", TAB),
          "-f jsonl -o out.json --format=text")
    check("colours", sh.complete("ewdiag --color ", INSERT_ALL), "--color always auto never")
    check("--set keys", sh.complete("ewdiag --set max-fl", INSERT_ALL),
          "--set max-flow-bytes= max-flows=")
    check("a --set key", sh.complete("ewdiag --set=attach", TAB), "--set=attach-window=")
    check("a --set key, then its value", sh.complete("ewdiag --set attach", TAB + "9"),
          "--set attach-window=9")
    check("rule ids", sh.complete("ewdiag --rules ts-origin-", INSERT_ALL),
          "--rules ts-origin-cert-expiring ts-origin-cert-untrusted ts-origin-plugin-refused "
          "ts-origin-sni-mismatch ts-origin-verify-forecast")
    check("a rule id completes to its rule file", sh.complete("ewdiag -r ts-origin-sni", TAB),
          f"-r {rules}/ts-origin-sni-mismatch.json")
    sh.run(f"export EWDIAG_RULES={own}")
    check("rule ids are read from the rule directory when completing",
          sh.complete("ewdiag -r my-", TAB), f"-r {own}/mine.json")
    sh.run(f"export EWDIAG_RULES={rules}")
    check("inputs are files", sh.complete("ewdiag -q fixtures/exa", TAB + "diag" + TAB),
          "-q fixtures/example/diagnostic_log_vcsc_2022-07-11_16_55_44.tar.gz")
    check("an output file", sh.complete("ewdiag -o fixtures/clea", TAB), "-o fixtures/clean/")
    check("-r takes rule folders and files", sh.complete("ewdiag -r tests/bad/rules/bad-r", TAB),
          "-r tests/bad/rules/bad-regex/")
    check("no values for a number", sh.complete("ewdiag --jobs ", INSERT_ALL + "2"), "--jobs 2")


if __name__ == "__main__":
    sys.exit(main())
