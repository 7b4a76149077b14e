"""Fetching feed bytes over HTTP with hard limits, and reading local feed files.

feedparser has no timeout and may open URLs itself, so it never sees a URL here: this module
fetches with httpx (connect/read timeouts, a hard wall-clock deadline per request, a size cap,
bounded redirects, conditional GET) and hands feedparser the bytes. Local feed files are read
only when they are regular files, never more than the byte limit, and (when an allow-list of
folders is set) only from those folders.

Feeds are named by thesis files, so a feed URL could point the refresh at the machine itself or
its private network (a cloud metadata service, an admin page on 127.0.0.1). Unless private feeds
are allowed, the client connects only to public addresses: `PublicOnlyBackend` resolves each
host, refuses when any address it resolves to is not public, and connects to the address it
checked (never resolving twice, so DNS rebinding cannot swap in a private address). Every
connection goes through it, so each redirect hop is checked too.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import stat
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from tracker.news.feeds import FeedSpec

MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEADLINE_SECONDS = 30.0  # one request, connect to last byte, redirects included
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
DEFAULT_UA = "ThesisTracker/0.1 (feed reader)"


@dataclass
class Fetched:
    """What came back: a body (200), nothing new (304), or an error to record."""

    status: int | None
    body: bytes | None = None
    headers: dict[str, str] | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    skipped: bool = False  # not started: the stage's time budget was spent

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Deadline:
    """A hard wall-clock limit on one HTTP request, from connect to last byte.

    httpx's timeouts are per operation: the read timeout restarts with every byte, so a server
    that trickles its response headers one line every few seconds holds a request for ever, and a
    deadline checked between body chunks never runs before the headers are complete. Here a
    watchdog (a `threading.Timer`) fires at the deadline and shuts down the request's socket; the
    read blocked in the requesting thread then returns at once and the request fails as over its
    deadline. The socket is captured through httpcore's `trace` extension when the TCP connection
    is made (redirect hops keep the extension, so each hop's socket is captured too), and every
    request asks for `Connection: close` so it always runs on a connection of its own: the
    watchdog stops only this request, never a connection or client shared with other feeds.
    Shutting the socket down, rather than abandoning a worker thread, leaves no thread or
    connection behind. A socket made after the deadline passed is shut down as soon as it appears.

    Use: `with Deadline(s) as d: client.get(url, headers=d.headers, extensions=d.extensions)`,
    then `d.expired` says whether the watchdog cut the request (a close-delimited body cut short
    looks complete to httpx, so callers check `expired` after reading). Name resolution is bounded
    by the resolver, not by this watchdog.
    """

    headers = {"Connection": "close"}

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    @property
    def extensions(self) -> dict[str, Any]:
        return {"trace": self._trace}

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._timer.cancel()

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        self._shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def read_local(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a local feed file: regular files only, at most `limit` bytes, never blocking.

    The file is checked with `os.stat` before it is opened (opening a FIFO is what blocks), opened
    non-blocking in case it was swapped for something else in between, checked again, and read
    up to `limit + 1` bytes: `st_size` is 0 for devices and pipes, so it is never trusted.
    Raises OSError (with a readable `strerror`) for anything else.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(0, "not a regular file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(0, f"file larger than {limit // 1_000_000} MB")
    return data


class NotPublic(httpcore.ConnectError):
    """A feed host resolves to a loopback, private, link-local or otherwise non-public address."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: the IPv4 address is the last 32 bits
# IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) forms and the local-use NAT64
# prefix (operator-chosen layout): never public destinations
_NEVER_PUBLIC_V6 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet. An IPv6 address that carries an IPv4 one
    (mapped, 6to4, Teredo, NAT64) is judged by the IPv4 address it leads to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in net for net in _NEVER_PUBLIC_V6):
            return False
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(str(inner))
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, all of them public; raises `NotPublic` otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    private = [a for a in addresses if not is_public(a)]
    if private or not addresses:
        raise NotPublic(f"refused: {host} is not a public address ({', '.join(private) or 'none'}); TRACKER_ALLOW_PRIVATE_FEEDS allows it")
    return addresses


class PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to checked public addresses (see the module doc)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in public_addresses(host, port):
            try:  # TLS still verifies the certificate against the URL's host name, not the address
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


def make_client(*, allow_private: bool = False) -> httpx.Client:
    """The feed client: time limits, bounded redirects, and public addresses only unless allowed."""
    transport = httpx.HTTPTransport()
    if not allow_private:
        transport._pool._network_backend = PublicOnlyBackend()  # httpx has no public hook for it
    return httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=MAX_REDIRECTS, transport=transport)


def outside(path: Path, folders: Sequence[Path]) -> bool:
    """Whether a local feed file lies outside every allowed folder (an empty list allows all)."""
    return bool(folders) and not any(path == f or f in path.parents for f in folders)


def user_agent(url: str, sec_user_agent: str) -> str:
    """SEC EDGAR wants a company and e-mail; Yahoo answers 429 to non-browser agents."""
    host = urlsplit(url).netloc.lower()
    if host.endswith("sec.gov"):
        return sec_user_agent
    if "yahoo." in host:
        return BROWSER_UA
    return DEFAULT_UA


def fetch(
    spec: FeedSpec,
    client: httpx.Client,
    *,
    etag: str | None,
    last_modified: str | None,
    sec_user_agent: str,
    deadline: float | None = None,
    local_dirs: Sequence[Path] = (),
) -> Fetched:
    """Fetch one feed; never raises for network or HTTP problems (they become `error`).

    `deadline` (default `DEADLINE_SECONDS`) is the hard wall-clock limit of the request,
    enforced by a `Deadline` watchdog. `local_dirs`: when not empty, a local feed file is read
    only from under one of these folders (the bundled sample feeds always may be read).
    """
    if spec.is_file:
        assert spec.path is not None
        if not spec.sample and outside(spec.path, local_dirs):
            return Fetched(None, error=f"refused: {spec.path} is outside the folders TRACKER_LOCAL_FEED_DIRS allows")
        try:
            body = read_local(spec.path)
        except OSError as exc:
            return Fetched(None, error=f"cannot read {spec.path}: {exc.strerror or exc}")
        return Fetched(200, body=body, headers={"content-location": spec.url, "content-type": "application/xml"})
    limit = DEADLINE_SECONDS if deadline is None else deadline
    with Deadline(limit) as watchdog:
        got = _fetch_http(spec, client, etag=etag, last_modified=last_modified, sec_user_agent=sec_user_agent, limit=limit, watchdog=watchdog)
    if watchdog.expired and got.status is None:  # the watchdog's cut surfaces as a network error
        return Fetched(None, error=f"took longer than {limit:g}s (deadline)")
    return got


def _fetch_http(
    spec: FeedSpec, client: httpx.Client, *, etag: str | None, last_modified: str | None, sec_user_agent: str, limit: float, watchdog: Deadline
) -> Fetched:
    headers = {"User-Agent": user_agent(spec.url, sec_user_agent), "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    headers |= watchdog.headers
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    try:
        with client.stream("GET", spec.url, headers=headers, extensions=watchdog.extensions) as response:
            if response.status_code == 304:
                return Fetched(304, etag=etag, last_modified=last_modified)
            if response.status_code >= 400:
                return Fetched(response.status_code, error=f"HTTP {response.status_code} {response.reason_phrase}".strip())
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                return Fetched(response.status_code, error=f"body of {int(declared)} bytes exceeds the {MAX_BYTES} byte limit")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    return Fetched(response.status_code, error=f"body exceeds the {MAX_BYTES} byte limit")
                if watchdog.expired or time.monotonic() - started > limit:
                    return Fetched(None, error=f"took longer than {limit:g}s (deadline)")
                chunks.append(chunk)
            if watchdog.expired:  # a close-delimited body cut by the watchdog looks complete
                return Fetched(None, error=f"took longer than {limit:g}s (deadline)")
            return Fetched(
                response.status_code,
                body=b"".join(chunks),
                headers={k.lower(): v for k, v in response.headers.items() if k.lower() in ("content-type", "content-location", "content-language")}
                | {"content-location": str(response.url)},
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except httpx.TooManyRedirects:
        return Fetched(None, error=f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as exc:
        return Fetched(None, error=f"timed out ({type(exc).__name__})")
    except httpx.ConnectError as exc:
        if isinstance(exc.__cause__, NotPublic):
            return Fetched(None, error=str(exc))
        return Fetched(None, error=f"ConnectError: {exc}")
    except httpx.HTTPError as exc:
        return Fetched(None, error=f"{type(exc).__name__}: {exc}")
