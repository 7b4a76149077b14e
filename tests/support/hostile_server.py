"""A raw-socket server on 127.0.0.1 that answers HTTP requests too slowly or never.

Modes:
- `slow_headers`: sends the status line, then one header line every `interval` seconds, for ever;
- `silent`: reads the request and never answers;
- `slow_body`: sends complete headers without a length, then one body byte every `interval`.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class HostileServer:
    def __init__(self, mode: str, interval: float = 0.2) -> None:
        self.mode, self.interval = mode, interval
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}{path}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            conn.settimeout(1.0)
            with contextlib.suppress(TimeoutError):
                conn.recv(65536)
            if self.mode == "slow_headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                n = 0
                while not self._stop.wait(self.interval):
                    n += 1
                    conn.sendall(b"X-Slow-%d: %d\r\n" % (n, n))
            elif self.mode == "silent":
                self._stop.wait()
            elif self.mode == "slow_body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss>")
                while not self._stop.wait(self.interval):
                    conn.sendall(b" ")

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
