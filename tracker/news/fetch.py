"""Fetching feed bytes over HTTP with hard limits, and reading local feed files.

feedparser has no timeout and may open URLs itself, so it never sees a URL here: this module
fetches with httpx (connect/read timeouts, an overall deadline, a size cap, bounded redirects,
conditional GET) and hands feedparser the bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tracker.news.feeds import FeedSpec

MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
DEADLINE_SECONDS = 30.0
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

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=MAX_REDIRECTS)


def user_agent(url: str, sec_user_agent: str) -> str:
    """SEC EDGAR wants a company and e-mail; Yahoo answers 429 to non-browser agents."""
    host = urlsplit(url).netloc.lower()
    if host.endswith("sec.gov"):
        return sec_user_agent
    if "yahoo." in host:
        return BROWSER_UA
    return DEFAULT_UA


def fetch(spec: FeedSpec, client: httpx.Client, *, etag: str | None, last_modified: str | None, sec_user_agent: str) -> Fetched:
    """Fetch one feed; never raises for network or HTTP problems (they become `error`)."""
    if spec.is_file:
        assert spec.path is not None
        try:
            size = spec.path.stat().st_size
            if size > MAX_BYTES:
                return Fetched(None, error=f"file larger than {MAX_BYTES // 1_000_000} MB")
            return Fetched(200, body=spec.path.read_bytes(), headers={"content-location": spec.url, "content-type": "application/xml"})
        except OSError as exc:
            return Fetched(None, error=f"cannot read {spec.path}: {exc.strerror or exc}")
    headers = {"User-Agent": user_agent(spec.url, sec_user_agent), "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    try:
        with client.stream("GET", spec.url, headers=headers) as response:
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
                if time.monotonic() - started > DEADLINE_SECONDS:
                    return Fetched(response.status_code, error=f"took longer than {DEADLINE_SECONDS:.0f}s")
                chunks.append(chunk)
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
    except httpx.HTTPError as exc:
        return Fetched(None, error=f"{type(exc).__name__}: {exc}")
