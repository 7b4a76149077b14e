"""Rules that span several fields of a thesis, each reported at the field it concerns.

Pydantic checks each field on its own; these run after, on the typed model, and return
`(path, message)` pairs so the loader can attach a file position to each (`(path, message,
AT_KEY)` when the problem is the key that names the path, not its value). They are pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tracker.formatting import short_percent
from tracker.thesis.model import Position, Thesis

Path = tuple[str | int, ...]
Finding = tuple[Path, str] | tuple[Path, str, str]

WEIGHT_TOLERANCE = 0.005
# Sums like 60.5% + 40% are 1.0050000000000001 in binary floating point; they are within ±0.5%.
_FLOAT_SLACK = 1e-9
_FEED_SCHEMES = ("http://", "https://", "file://")
REBALANCE_HINT = "to change weights after the opening, add a `rebalances:` entry with its date instead of editing the weights"
# A finding may end with AT_KEY: it is about the key that names its path (a ticker under weights),
# not the value written after it.
AT_KEY = "key"


def position_findings(thesis: Thesis) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[str, int] = {}
    for i, p in enumerate(thesis.positions):
        at: Path = ("positions", i)
        if p.ticker in seen:
            found.append((at + ("ticker",), f"duplicate ticker {p.ticker}, also positions[{seen[p.ticker]}]"))
        seen.setdefault(p.ticker, i)
        if (bad := _weight_problem(p.weight)) is not None:
            found.append((at + ("weight",), bad))
        if p.target is not None and p.upside is not None:
            found.append((at + ("upside",), "give either target or upside, not both"))
        if p.target is not None and p.target <= 0:
            found.append((at + ("target",), f"target must be a positive price, got {p.target:g}"))
        if p.upside is not None and p.upside <= -1:
            found.append((at + ("upside",), f"upside must be above -100%, got {short_percent(p.upside)}"))
        if p.entry_price is not None and p.entry_price <= 0:
            found.append((at + ("entry_price",), f"entry_price must be a positive price, got {p.entry_price:g}"))
        if p.horizon is None and p.until is None:
            found.append((at, "needs a horizon (like 540d) or an until date"))
        if p.horizon is not None and p.until is not None:
            found.append((at + ("until",), "give either horizon or until, not both"))
        if p.horizon is not None and p.horizon.amount <= 0:
            found.append((at + ("horizon",), f"horizon must be positive, got {p.horizon}"))
        elif p.horizon is not None:
            try:
                p.horizon.after(thesis.opened_on(p))
            except (OverflowError, ValueError):
                found.append((at + ("horizon",), f"horizon {p.horizon} ends after the year {dt.MAXYEAR}"))
        if p.until is not None and p.until <= thesis.opened_on(p):
            whose = "this position's opened" if p.opened is not None else "opened"
            found.append((at + ("until",), f"until {p.until} is not after {whose} {thesis.opened_on(p)}"))
    found += _opening_weight_findings(thesis)
    return found


def _weight_problem(weight: float) -> str | None:
    """What is wrong with one weight on its own, or None."""
    if weight <= 0:
        return f"weight must be positive, got {short_percent(weight)}"
    if weight > 1:
        return (
            f"weight reads as {short_percent(weight)}, more than the whole portfolio; "
            f"if you mean {weight:g} percent, write {weight:g}% or {weight / 100:g}"
        )
    return None


def _opening_weight_findings(thesis: Thesis) -> list[Finding]:
    """The weights held at the opening sum to 100%; positions bought later weigh below 100% together."""
    if not all(0 < p.weight <= 1 for p in thesis.positions):
        return []  # each bad weight is reported on its own
    found: list[Finding] = []
    # A position opened before the thesis is reported on its own, and counted in neither sum.
    at_opening = [i for i, p in enumerate(thesis.positions) if thesis.opened_on(p) == thesis.opened]
    total = sum(thesis.positions[i].weight for i in at_opening)
    if at_opening and abs(total - 1.0) > WEIGHT_TOLERANCE + _FLOAT_SLACK:
        later = len(at_opening) < len(thesis.positions)
        held = "weights of the positions held at the opening" if later else "weights"
        hint = " (a position bought later takes its weight from the others on its day)" if later else ""
        if thesis.has_events:
            hint += f"; {REBALANCE_HINT}"
        found.append((("positions", at_opening[-1], "weight"), f"{held} sum to {short_percent(total)}, expected 100%{hint}"))
    bought: dict[dt.date, list[int]] = {}
    for i, p in enumerate(thesis.positions):
        if thesis.opened_on(p) > thesis.opened:
            bought.setdefault(thesis.opened_on(p), []).append(i)
    for day, which in sorted(bought.items()):
        total = sum(thesis.positions[i].weight for i in which)
        if total < 1.0 - _FLOAT_SLACK:
            continue
        if len(which) == 1:
            message = (
                f"a position bought after the thesis's opening takes its weight from the positions held on its day, "
                f"so it weighs below 100%, got {short_percent(total)}"
            )
        else:
            message = (
                f"the positions bought on {day} weigh {short_percent(total)} together; they take their weight from the "
                f"positions held that day, so together they weigh below 100%"
            )
        found.append((("positions", which[-1], "weight"), message))
    return found


def _listed(words: list[str]) -> str:
    """[a] → `a`, [a, b] → `a and b`, [a, b, c] → `a, b and c`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _sold_on(thesis: Thesis, position: Position) -> dt.date | None:
    """A position's own `closed`, when it is after its opening (an earlier one is reported, then ignored)."""
    closed = position.closed
    return closed if closed is not None and closed > thesis.opened_on(position) else None


def _dates_in_order(thesis: Thesis, position: Position) -> bool:
    """Whether a position is bought within the thesis's life and sold after it is bought."""
    end = thesis.closed.date if thesis.closed is not None else None
    opened = position.opened
    if opened is not None and (opened < thesis.opened or end is not None and opened >= end):
        return False
    return position.closed is None or position.closed > thesis.opened_on(position)


def _held_after_sales(thesis: Thesis, day: dt.date) -> list[int]:
    """Positions still held on `day` once its sales are done, before its purchases."""
    return [
        i
        for i, p in enumerate(thesis.positions)
        if thesis.opened_on(p) < day and ((sold := _sold_on(thesis, p)) is None or sold > day)
    ]


def _held_on(thesis: Thesis, day: dt.date) -> list[int]:
    """Positions held on `day` once its sales and purchases are done: the ones a rebalance that day weighs."""
    return [
        i
        for i, p in enumerate(thesis.positions)
        if thesis.opened_on(p) <= day and ((sold := _sold_on(thesis, p)) is None or sold > day)
    ]


def lifecycle_findings(thesis: Thesis) -> list[Finding]:
    """Purchases after the opening, sales, rebalances and the close, each in order with the others.

    On one day, sales come first, then purchases, then the rebalance: a position bought on a
    rebalance's day is weighed by it, one sold that day is not.
    """
    found: list[Finding] = []
    end = thesis.closed.date if thesis.closed is not None else None
    if end is not None and end <= thesis.opened:
        found.append(
            (("closed", "date"), f"{end} is not after opened {thesis.opened}; a thesis closes after the day it opens")
        )
    sales: dict[dt.date, list[int]] = {}
    for i, p in enumerate(thesis.positions):
        at: Path = ("positions", i)
        start = thesis.opened_on(p)
        if p.opened is not None and p.opened < thesis.opened:
            found.append(
                (
                    at + ("opened",),
                    f"opened {p.opened} is before the thesis's opened {thesis.opened}; "
                    "a position is bought on or after the day its thesis opens",
                )
            )
        elif p.opened is not None and end is not None and p.opened >= end:
            found.append(
                (
                    at + ("opened",),
                    f"opened {p.opened} is not before the thesis's close on {end}; "
                    "a closed thesis buys nothing on or after its closing day",
                )
            )
        if p.closed is not None:
            if p.closed <= start:
                whose = f"its opened {start}" if p.opened is not None else f"the thesis's opened {start}"
                found.append(
                    (at + ("closed",), f"closed {p.closed} is not after {whose}; a position is sold after the day it is bought")
                )
            elif end is not None and p.closed > end:
                found.append(
                    (
                        at + ("closed",),
                        f"closed {p.closed} is after the thesis's close on {end}; "
                        "the close sells every position still held, so a position is sold on or before it",
                    )
                )
            elif end is None or p.closed < end:
                sales.setdefault(p.closed, []).append(i)
        if p.exit_price is not None:
            if p.closed is None:
                message = (
                    "exit_price needs the day the position was sold; add `closed:` with that date"
                    if end is None
                    else "exit_price needs this position's own closed date, even when it was sold at the thesis's "
                    f"close; add `closed: {end}` to it"
                )
                found.append((at + ("exit_price",), message))
            if p.exit_price <= 0:
                found.append((at + ("exit_price",), f"exit_price must be a positive price, got {p.exit_price:g}"))
    for day, sold in sorted(sales.items()):
        if not _held_after_sales(thesis, day):
            ticker = thesis.positions[sold[-1]].ticker
            found.append(
                (
                    ("positions", sold[-1], "closed"),
                    f"selling {ticker} on {day} leaves no position held (sales come before purchases on a day); "
                    "a thesis holds at least one position until it is closed: to end it, add a top-level "
                    "`closed:` with date, outcome and note",
                )
            )
    found += _rebalance_findings(thesis, end)
    return found


def _rebalance_findings(thesis: Thesis, end: dt.date | None) -> list[Finding]:
    found: list[Finding] = []
    dates: dict[dt.date, int] = {}
    for j, r in enumerate(thesis.rebalances):
        at: Path = ("rebalances", j)
        if r.date in dates:
            found.append(
                (
                    at + ("date",),
                    f"another rebalance has the same date, rebalances[{dates[r.date]}]; "
                    "keep one rebalance per day with every weight of that day",
                )
            )
        dates.setdefault(r.date, j)
        in_life = False
        if r.date <= thesis.opened:
            found.append(
                (
                    at + ("date",),
                    f"rebalance on {r.date} is not after the thesis's opened {thesis.opened}; "
                    "the weights at the opening are the positions' own weights",
                )
            )
        elif end is not None and r.date >= end:
            found.append(
                (
                    at + ("date",),
                    f"rebalance on {r.date} is not before the thesis's close on {end}; "
                    "a closed thesis holds nothing to rebalance",
                )
            )
        else:
            in_life = True
        for ticker, weight in r.weights.items():
            if weight == 0:
                found.append(
                    (at + ("weights", ticker), f"weight must be positive, got 0%; to sell {ticker}, give the position a `closed:` date")
                )
            elif (bad := _weight_problem(weight)) is not None:
                found.append((at + ("weights", ticker), bad))
        if in_life:
            found += _rebalance_names(thesis, j)
        if r.weights and all(0 < w <= 1 for w in r.weights.values()):
            total = sum(r.weights.values())
            if abs(total - 1.0) > WEIGHT_TOLERANCE + _FLOAT_SLACK:
                last = list(r.weights)[-1]
                found.append((at + ("weights", last), f"weights sum to {short_percent(total)}, expected 100%"))
    return found


def _rebalance_names(thesis: Thesis, j: int) -> list[Finding]:
    """A rebalance names exactly the positions held on its day, after that day's sales and purchases."""
    r = thesis.rebalances[j]
    at: Path = ("rebalances", j, "weights")
    found: list[Finding] = []
    # A position whose own dates are wrong is reported at them; what a rebalance says of it waits for the fix.
    unsure = {p.ticker for p in thesis.positions if not _dates_in_order(thesis, p)}
    for ticker in r.weights:
        if ticker in unsure:
            continue
        p = thesis.position(ticker)
        sold = _sold_on(thesis, p) if p is not None else None
        if p is None:
            found.append(
                (
                    at + (ticker,),
                    f"{ticker} is no position of this thesis; to buy it on {r.date}, "
                    f"add it under positions: with `opened: {r.date}`",
                    AT_KEY,
                )
            )
        elif sold == r.date:
            found.append(
                (at + (ticker,), f"{ticker} is sold on {r.date}, and sales come before the rebalance of that day; leave it out", AT_KEY)
            )
        elif sold is not None and sold < r.date:
            found.append((at + (ticker,), f"{ticker} was sold on {sold}, before this rebalance; leave it out", AT_KEY))
        elif thesis.opened_on(p) > r.date:
            found.append(
                (
                    at + (ticker,),
                    f"{ticker} is bought on {thesis.opened_on(p)}, after this rebalance; "
                    "leave it out, or change its opened to the day it was bought",
                    AT_KEY,
                )
            )
    missing = [
        p.ticker for p in (thesis.positions[i] for i in _held_on(thesis, r.date)) if p.ticker not in r.weights and p.ticker not in unsure
    ]
    if missing:
        found.append(
            (
                at,
                f"misses {_listed(missing)}, held on {r.date}; a rebalance gives the weight of every position "
                "held that day, those bought that day included",
            )
        )
    return found


def assumption_findings(thesis: Thesis) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[str, int] = {}
    observed: dict[tuple[str, dt.date], str] = {}
    for i, a in enumerate(thesis.assumptions):
        if a.id in seen:
            found.append((("assumptions", i, "id"), f"duplicate assumption id {a.id!r}, also assumptions[{seen[a.id]}]"))
        seen.setdefault(a.id, i)
        # metric(name) reads the latest observation across the thesis: two values on one day are ambiguous.
        for j, o in enumerate(a.observations):
            where = f"assumptions[{i}].observations[{j}]"
            first = observed.setdefault((o.metric, o.date), where)
            if first != where:
                found.append(
                    (("assumptions", i, "observations", j, "date"), f"{o.metric} already has a value on {o.date}, at {first}")
                )
        reviewed: dict[dt.date, int] = {}
        for j, r in enumerate(a.reviews):
            if r.date in reviewed:
                found.append(
                    (
                        ("assumptions", i, "reviews", j, "date"),
                        f"another review of this assumption has the same date, reviews[{reviewed[r.date]}]; the latest review counts, so keep one per day",
                    )
                )
            reviewed.setdefault(r.date, j)
    return found


def feed_findings(thesis: Thesis) -> list[Finding]:
    """Feeds are http(s) URLs, file:// URLs or local paths; other schemes would be read as odd paths."""
    found: list[Finding] = []
    for i, feed in enumerate(thesis.feeds):
        if "://" in feed and not feed.lower().startswith(_FEED_SCHEMES):
            scheme = feed.split("://", 1)[0]
            found.append((("feeds", i), f"{scheme}:// feeds are not supported; use http://, https://, file:// or a path"))
    return found


def attention_findings(thesis: Thesis) -> list[Finding]:
    """Catalysts name a ticker of the thesis and an assumption it has; the review cadence is positive."""
    found: list[Finding] = []
    tickers = [*thesis.tickers, *([thesis.benchmark] if thesis.benchmark else [])]
    ids = [a.id for a in thesis.assumptions]
    for i, c in enumerate(thesis.catalysts):
        at: Path = ("catalysts", i)
        if c.ticker is not None and c.ticker not in tickers:
            found.append((at + ("ticker",), f"{c.ticker} is not a position or the benchmark of this thesis; use one of {_listed(tickers)}"))
        if c.assumption is not None and c.assumption not in ids:
            known = f"; its assumptions are {_listed(ids)}" if ids else "; this thesis lists no assumptions"
            found.append((at + ("assumption",), f"no assumption has the id {c.assumption!r}{known}"))
    every = thesis.review_every
    if every is not None and every.amount <= 0:
        found.append((("review_every",), f"review_every must be positive, like 90d or 3m, got {every}"))
    elif every is not None:
        try:
            every.after(thesis.opened)
        except (OverflowError, ValueError):
            found.append((("review_every",), f"review_every {every} reaches past the year {dt.MAXYEAR}"))
    return found


RULES: list[Callable[[Thesis], list[Finding]]] = [position_findings, lifecycle_findings, assumption_findings, attention_findings, feed_findings]


def findings(thesis: Thesis) -> list[Finding]:
    """Every cross-field problem of a thesis, in file order of the rules."""
    return [f for rule in RULES for f in rule(thesis)]
