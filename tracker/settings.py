"""Settings from environment variables, optionally from a TOML file.

Precedence: environment variable, then the file named by `TRACKER_CONFIG` (or `tracker.toml` in
the working folder when it exists), then the default. Keys in the file are the variable names
without the `TRACKER_` prefix, in lower case (`db_url = "sqlite:///data/tracker.db"`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import SettingsError

DEFAULT_DB_URL = "sqlite:///data/tracker.db"
DEMO_DB_URL = "sqlite:///data/demo.db"
# Weekdays 18:30 New York time: after the 16:00 close, once Yahoo's daily bars have settled.
DEFAULT_CRON = "30 18 * * mon-fri"
DEFAULT_TIMEZONE = "America/New_York"
DEFAULT_SEC_USER_AGENT = "ThesisTracker admin@example.com"

_KEYS = {
    "db_url": DEFAULT_DB_URL,
    "theses_dir": "theses",
    "price_source": "yahoo",
    "refresh_cron": DEFAULT_CRON,
    "refresh_timezone": DEFAULT_TIMEZONE,
    "webhook_url": "",
    "data_dir": "data",
    "default_feeds": "yahoo,sec,google",
    "sec_user_agent": DEFAULT_SEC_USER_AGENT,
    "sample_feeds": "",
    "allow_private_feeds": "",
    "local_feed_dirs": "",
    "yahoo_deadline": "120",
    "prices_budget": "900",
    "news_budget": "600",
    "checks_budget": "300",
    "refresh_cooldown": "60",
}


@dataclass(frozen=True)
class Settings:
    db_url: str
    theses_dir: Path
    price_source: str
    refresh_cron: str
    refresh_timezone: str
    webhook_url: str | None
    data_dir: Path
    default_feeds: tuple[str, ...]
    sec_user_agent: str
    # Read the bundled sample feeds (`tracker/sample/feeds`) for every thesis: the demo database's
    # setting only, so invented articles never meet real prices.
    sample_feeds: bool = False
    # feeds on loopback, private, link-local and other non-public addresses (off: refused)
    allow_private_feeds: bool = False
    # when set, local feed files must lie under one of these folders (the bundled sample always may)
    local_feed_dirs: tuple[Path, ...] = ()
    yahoo_deadline: float = 120.0  # seconds, one Yahoo download (a batch of tickers), wall clock
    prices_budget: float = 900.0  # seconds the prices stage may start new batches for
    news_budget: float = 600.0  # seconds the news stage may start new feeds for
    checks_budget: float = 300.0  # seconds the checks stage may start checking new theses for
    refresh_cooldown: float = 60.0  # seconds after a refresh started before "Refresh now" runs another

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def _file_values(env: dict[str, str]) -> dict[str, str]:
    named = env.get("TRACKER_CONFIG")
    path = Path(named) if named else Path("tracker.toml")
    if not path.exists():
        if named:
            raise SettingsError(f"TRACKER_CONFIG points to {path}, which does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from None
    unknown = set(data) - set(_KEYS)
    if unknown:
        raise SettingsError(f"{path}: unknown settings {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    return {k: str(v) for k, v in data.items()}


def _seconds(values: dict[str, str], key: str, *, zero: bool = False) -> float:
    raw = values[key].strip()
    try:
        out = float(raw)
    except ValueError:
        out = -1.0
    if not ((out >= 0 if zero else out > 0) and out < 1e7):
        raise SettingsError(f"TRACKER_{key.upper()}={raw!r}: use a number of seconds{', 0 or more' if zero else ', greater than 0'}")
    return out


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings now (not at import), so tests and the CLI can change the environment."""
    env = dict(os.environ if env is None else env)
    values = dict(_KEYS)
    values.update(_file_values(env))
    for key in _KEYS:
        if f"TRACKER_{key.upper()}" in env:
            values[key] = env[f"TRACKER_{key.upper()}"]
    source = values["price_source"].strip()
    if not (source in ("yahoo", "demo") or source.startswith("csv:")):
        raise SettingsError(f"TRACKER_PRICE_SOURCE={source!r}: use yahoo, demo or csv:PATH")
    feeds = tuple(f.strip() for f in values["default_feeds"].split(",") if f.strip() and f.strip() != "none")
    bad = set(feeds) - {"yahoo", "sec", "google"}
    if bad:
        raise SettingsError(f"TRACKER_DEFAULT_FEEDS: unknown feed kinds {sorted(bad)}; use yahoo,sec,google or none")
    return Settings(
        db_url=values["db_url"].strip(),
        theses_dir=Path(values["theses_dir"]),
        price_source=source,
        refresh_cron=values["refresh_cron"].strip(),
        refresh_timezone=values["refresh_timezone"].strip(),
        webhook_url=values["webhook_url"].strip() or None,
        data_dir=Path(values["data_dir"]),
        default_feeds=feeds,
        sec_user_agent=values["sec_user_agent"].strip(),
        sample_feeds=values["sample_feeds"].strip().lower() in ("1", "true", "yes"),
        allow_private_feeds=values["allow_private_feeds"].strip().lower() in ("1", "true", "yes"),
        local_feed_dirs=tuple(Path(d.strip()).expanduser().resolve() for d in values["local_feed_dirs"].split(os.pathsep) if d.strip()),
        yahoo_deadline=_seconds(values, "yahoo_deadline"),
        prices_budget=_seconds(values, "prices_budget"),
        news_budget=_seconds(values, "news_budget"),
        checks_budget=_seconds(values, "checks_budget"),
        refresh_cooldown=_seconds(values, "refresh_cooldown", zero=True),
    )
