"""A local HTTP file server for catalog tests: a folder on 127.0.0.1, with what a hostile or slow
server does on top.

* every GET is recorded (``requests``: path → count);
* ``redirect(path, location)`` answers ``path`` with a 302 to ``location``;
* ``answer(path, status, reason, body)`` answers with any status line and body (to check that
  neither ever reaches a status message);
* ``hold(path, lines)`` sends the first ``lines`` lines of the file (with the whole file's
  Content-Length) and then waits until ``release()``: an import that is slow to download, so a
  test can kill it midway. Later requests for the path get the whole file at once.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOLD_TIMEOUT_S = 300


class FileServer:
    def __init__(self, root: Path, host: str = "127.0.0.1") -> None:
        self.root = root
        self.requests: Counter[str] = Counter()
        self._redirects: dict[str, str] = {}
        self._answers: dict[str, tuple[int, str, bytes]] = {}
        self._holds: dict[str, int] = {}
        self._released = threading.Event()
        self.held = threading.Event()  # set once a held response has sent its first lines
        self._httpd = ThreadingHTTPServer((host, 0), self._handler())
        self._httpd.daemon_threads = True
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, name="file-server", daemon=True).start()

    def redirect(self, path: str, location: str) -> None:
        self._redirects[path] = location

    def answer(self, path: str, status: int, reason: str, body: bytes) -> None:
        self._answers[path] = (status, reason, body)

    def hold(self, path: str, lines: int) -> None:
        self._holds[path] = lines
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                server.requests[path] += 1
                if path in server._redirects:
                    self.send_response(302)
                    self.send_header("Location", server._redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path in server._answers:
                    status, reason, body = server._answers[path]
                    self.send_response(status, reason)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                file = server.root / path.lstrip("/")
                if ".." in Path(path).parts or not file.is_file():
                    self.send_error(404)
                    return
                data = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                held = server._holds.pop(path, None)
                try:
                    if held is not None:
                        head = b"".join(data.splitlines(keepends=True)[:held])
                        self.wfile.write(head)
                        self.wfile.flush()
                        server.held.set()
                        server._released.wait(HOLD_TIMEOUT_S)
                        data = data[len(head):]
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was killed mid-download

        return Handler
