#!/usr/bin/env python3
"""File objects analyzed as streams (ewdiag_analyze_read): sockets, pipes,
HTTP responses, objects with read() only; the library's own reading thread
(threads=2) calling back into Python; errors of the file object."""
import functools
import http.server
import io
import os
import socket
import subprocess
import threading
import unittest
import urllib.request

import ewdiag
from helpers import CAPTURE, EXAMPLE, report_dict


class ReadOnly:
    """A file object with read() only, and short reads."""

    def __init__(self, data, chunk=1000):
        self.data, self.pos, self.chunk, self.calls = data, 0, chunk, 0
        self.threads = set()

    def read(self, n):
        self.calls += 1
        self.threads.add(threading.get_ident())
        n = min(n, self.chunk)
        b = self.data[self.pos:self.pos + n]
        self.pos += len(b)
        return b


class Failing(io.RawIOBase):
    """Gives `good` bytes of data, then raises `error`."""

    def __init__(self, data, good, error):
        self.data, self.good, self.error, self.pos = data, good, error, 0

    def readable(self):
        return True

    def readinto(self, b):
        if self.pos >= self.good:
            raise self.error
        n = min(len(b), self.good - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Streams(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.want = {}
        for path in (EXAMPLE, CAPTURE):
            cls.want[path] = report_dict(ewdiag.Analyzer().analyze(path))

    def same(self, report, path):
        self.assertEqual(report_dict(report), self.want[path])

    def test_open_file_named_by_its_path(self):
        with open(EXAMPLE, "rb") as f:
            r = ewdiag.Analyzer().analyze(f)
            self.assertFalse(f.closed)
        self.assertEqual(r.inputs[0].name, EXAMPLE)
        self.same(r, EXAMPLE)

    def test_bytesio_is_named_dash_or_as_told(self):
        data = read(EXAMPLE)
        self.assertEqual(ewdiag.Analyzer().analyze(io.BytesIO(data)).inputs[0].name, "-")
        r = ewdiag.Analyzer().analyze(io.BytesIO(data), name=EXAMPLE)
        self.same(r, EXAMPLE)

    def test_socket_with_and_without_the_reading_thread(self):
        """threads=2: the library pulls from a thread of its own, while the
        caller's thread waits in C with the GIL released."""
        data = read(CAPTURE)
        for threads in (1, 2):
            with self.subTest(threads=threads):
                a, b = socket.socketpair()

                def send():
                    with b:
                        for i in range(0, len(data), 4096):
                            b.sendall(data[i:i + 4096])

                sender = threading.Thread(target=send)
                sender.start()
                with a, a.makefile("rb") as f:
                    r = ewdiag.Analyzer(threads=threads).analyze(f, name=CAPTURE)
                sender.join()
                self.same(r, CAPTURE)

    def test_pipe(self):
        p = subprocess.Popen(["cat", EXAMPLE], stdout=subprocess.PIPE)
        with p.stdout:
            r = ewdiag.Analyzer().analyze(p.stdout, name=EXAMPLE)
        p.wait()
        self.same(r, EXAMPLE)

    def test_http_response_body(self):
        handler = functools.partial(Quiet, directory=".")
        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            t = threading.Thread(target=server.serve_forever)
            t.start()
            try:
                url = f"http://127.0.0.1:{server.server_address[1]}/{CAPTURE}"
                with urllib.request.urlopen(url) as response:
                    r = ewdiag.Analyzer().analyze(response, name=CAPTURE)
            finally:
                server.shutdown()
                t.join()
        self.same(r, CAPTURE)

    def test_read_only_object_short_reads(self):
        for threads in (1, 2):
            with self.subTest(threads=threads):
                f = ReadOnly(read(EXAMPLE))
                r = ewdiag.Analyzer(threads=threads).analyze(f, name=EXAMPLE)
                self.same(r, EXAMPLE)
                self.assertGreater(f.calls, len(f.data) // 1000)
                # A gzip stream is inflated on the library's own thread,
                # which then calls back into Python.
                on_others = f.threads - {threading.get_ident()}
                self.assertEqual(bool(on_others), threads == 2, f.threads)

    def test_an_error_of_the_file_object_is_raised_after_the_analysis(self):
        data = read(EXAMPLE)
        for threads in (1, 2):
            with self.subTest(threads=threads):
                err = ConnectionResetError("the peer went away")
                with self.assertRaises(ConnectionResetError) as cm:
                    ewdiag.Analyzer(threads=threads).analyze(Failing(data, 5000, err))
                self.assertIs(cm.exception, err)

    def test_a_read_that_gives_too_much_is_refused(self):
        class Greedy:
            def read(self, n):
                return b"x" * (n + 1)

        with self.assertRaises(ValueError) as cm:
            ewdiag.Analyzer(threads=1).analyze(Greedy())
        self.assertIn("gave", str(cm.exception))

    def test_text_files_are_refused(self):
        with open(EXAMPLE, encoding="latin-1") as f, self.assertRaises(TypeError) as cm:
            ewdiag.Analyzer().analyze(f)
        self.assertIn("binary file object", str(cm.exception))
        with self.assertRaises(TypeError):
            ewdiag.Analyzer().analyze(io.StringIO("text"))

    def test_not_a_source(self):
        for bad in (42, None, [EXAMPLE]):
            with self.subTest(bad=bad), self.assertRaises(TypeError):
                ewdiag.Analyzer().analyze(bad)
        with self.assertRaises(TypeError):
            ewdiag.Analyzer().analyze(EXAMPLE, name="other")

    def test_path_like_and_bytes_paths(self):
        import pathlib
        self.same(ewdiag.Analyzer().analyze(pathlib.Path(EXAMPLE)), EXAMPLE)
        self.same(ewdiag.Analyzer().analyze(os.fsencode(EXAMPLE)), EXAMPLE)


if __name__ == "__main__":
    unittest.main()
