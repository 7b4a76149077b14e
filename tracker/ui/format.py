"""Number formatting for the dashboard: unknown values show as a dash, never as 0."""

from __future__ import annotations

import datetime as dt
import re

from tracker.formatting import DASH, percent

pct = percent

STATUS_BADGE = {
    "intact": ":green-badge[intact]",
    "at_risk": ":orange-badge[at risk]",
    "falsified": ":red-badge[falsified]",
    "unknown": ":gray-badge[unknown]",
}
OUTCOME_TEXT = {
    "played_out": "played out",
    "falsified": "falsified",
    "expired": "expired",
    "abandoned": "abandoned",
}
LABEL_TEXT = {
    "bearish": "bearish",
    "somewhat_bearish": "somewhat bearish",
    "neutral": "neutral",
    "somewhat_bullish": "somewhat bullish",
    "bullish": "bullish",
}


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def money(x: float | None, currency: str = "USD") -> str:
    if x is None or x != x:  # None or NaN
        return DASH
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{x:,.2f}" if symbol else f"{x:,.2f} {currency}"


def words(code: str | None) -> str:
    """A stored code as words: `at_risk` → `at risk`, `played_out` → `played out`; None → `—`."""
    if not code:
        return DASH
    return code.replace("_", " ")


def transition(before: str | None, after: str | None) -> str:
    """A status change as words: (None, `at_risk`) → `new → at risk`."""
    return f"{words(before) if before else 'new'} → {words(after)}"


def day(d: dt.date | dt.datetime | None) -> str:
    if d is None:
        return DASH
    if isinstance(d, dt.datetime):
        return d.strftime("%Y-%m-%d %H:%M UTC")
    return d.isoformat()


def link_target(url: str | None) -> str | None:
    """A URL safe inside markdown link parentheses (already http/https-only from ingestion)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Text shown as written inside markdown: every character markdown would act on is escaped."""
    return _MARKDOWN.sub(r"\\\1", text)
