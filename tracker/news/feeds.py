"""Which feeds a refresh reads: each thesis's `feeds:` plus default feeds per ticker.

In a `feeds:` entry, `{ticker}` expands once per position and a leading `{sample}` is the folder
of the bundled sample (`tracker/sample`), so `{sample}/feeds/ai-infrastructure.rss.xml` names a sample
feed from any thesis folder. Articles from files under the sample's feeds are flagged as sample.

With `sample_feeds` (the demo database's setting, `tracker.launch.demo_settings`) every thesis
reads all the bundled sample feeds; no shipped thesis names one, so a live database reads them
only when a thesis file asks for one by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from tracker.redact import redacted_key
from tracker.sample import FEEDS_DIR, SAMPLE_DIR, SAMPLE_PLACEHOLDER
from tracker.settings import Settings
from tracker.thesis.model import Thesis

DEFAULT_FEEDS = {
    "yahoo": "https://feeds.finance.yahoo.com/rss/2.0/headline?s={ticker}&region=US&lang=en-US",
    "sec": "https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK={ticker}&type=&dateb=&owner=include&count=40&output=atom",
    "google": "https://news.google.com/rss/search?q={query}&hl=en-US&gl=US&ceid=US:en",
}


@dataclass(frozen=True)
class FeedSpec:
    """One feed to read: an http(s) URL or a local file (stored as a file:// URL)."""

    url: str
    path: Path | None = None
    sample: bool = False

    @property
    def is_file(self) -> bool:
        return self.path is not None

    @property
    def key(self) -> str:
        """How the feed is stored and shown: its URL with any token hidden (`tracker.redact.redacted_key`).

        The full URL comes from the thesis file at every refresh and is used only to fetch.
        """
        return redacted_key(self.url)


def _expand(entry: str, thesis: Thesis) -> list[str]:
    if entry.startswith(SAMPLE_PLACEHOLDER):
        entry = str(SAMPLE_DIR) + entry[len(SAMPLE_PLACEHOLDER) :]
    if "{ticker}" not in entry:
        return [entry]
    return [entry.replace("{ticker}", quote_plus(t)) for t in thesis.tickers]


def _spec(entry: str, base: Path | None) -> FeedSpec:
    if entry.startswith(("http://", "https://")):
        return FeedSpec(entry)
    if entry.startswith("file://"):
        path = Path(entry[len("file://") :])
    else:
        path = Path(entry)
        if not path.is_absolute() and base is not None:
            path = base / path
    path = path.resolve()
    sample = FEEDS_DIR in path.parents
    return FeedSpec(path.as_uri(), path=path, sample=sample)


def sample_feeds() -> list[FeedSpec]:
    """The bundled sample feeds, in name order."""
    return [_spec(str(path), None) for path in sorted(FEEDS_DIR.glob("*.xml"))]


def feeds_for(theses: Sequence[Thesis], thesis_paths: Mapping[str, Path], settings: Settings) -> list[FeedSpec]:
    """Every feed the theses need, each once, in a stable order.

    With `settings.sample_feeds` every thesis also reads the bundled sample feeds.
    """
    specs: dict[str, FeedSpec] = {}
    for thesis in theses:
        base = thesis_paths[thesis.id].parent if thesis.id in thesis_paths else None
        for entry in thesis.feeds:
            for expanded in _expand(entry, thesis):
                spec = _spec(expanded, base)
                specs.setdefault(spec.url, spec)
        if settings.sample_feeds:
            for spec in sample_feeds():
                specs.setdefault(spec.url, spec)
        for kind in settings.default_feeds:
            for pos in thesis.positions:
                query = quote_plus(f'"{pos.name}" stock' if pos.name else f"{pos.ticker} stock")
                url = DEFAULT_FEEDS[kind].format(ticker=quote_plus(pos.ticker), query=query)
                specs.setdefault(url, FeedSpec(url))
    return list(specs.values())
