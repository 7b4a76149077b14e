"""The thesis lifecycle in the file: positions bought later and sold, rebalances, the close.

One valid file shows what loads; each rule has a case with its full located message. The plain
loader is used (no condition language), so only the thesis package's own rules speak here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.thesis import ThesisFileError, loader, parse_thesis_text

LIFE = """title: T
opened: 2026-06-11
benchmark: QQQ
positions:
  - ticker: NET
    weight: 60%
    target: 330
    horizon: 540d
  - ticker: DDOG
    weight: 40%
    upside: 25%
    horizon: 18m
    closed: 2026-10-15
    exit_price: 151.2
  - ticker: MDB
    weight: 20%
    horizon: 1y
    opened: 2026-09-01
  - ticker: SNOW
    weight: 10%
    until: 2027-06-30
    opened: 2026-11-02
    closed: 2027-01-15
rebalances:
  - date: 2026-12-01
    weights: {NET: 50%, MDB: 30%, SNOW: 20%}
    note: trim the winner
closed:
  date: 2027-03-01
  outcome: played_out
  note: the routing layer took share as expected
"""
# Line numbers above, for reading the expectations below:
#  5 - ticker NET  6 weight  7 target  8 horizon  9 - ticker DDOG  10 weight  11 upside  12 horizon
# 13 closed  14 exit_price  15 - ticker MDB  16 weight  17 horizon  18 opened  19 - ticker SNOW
# 20 weight  21 until  22 opened  23 closed  24 rebalances  25 - date  26 weights  27 note
# 28 closed  29 date  30 outcome  31 note

# NET and DDOG only, no lifecycle fields: a thesis that is still open.
PLAIN = "".join(LIFE.splitlines(keepends=True)[:12])
OPEN = LIFE.split("closed:\n  date")[0]  # LIFE without the thesis's close


@pytest.fixture(params=[p.__name__ for p in loader._PARSERS])
def parser(request, monkeypatch):
    chosen = next(p for p in loader._PARSERS if p.__name__ == request.param)
    monkeypatch.setattr(loader, "_PARSERS", [chosen])
    return chosen


def problems(text: str) -> list[str]:
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x")
    return [str(i) for i in info.value.issues]


def test_a_lifecycle_thesis_loads(parser):
    t = parse_thesis_text(LIFE, "x.yaml")
    net, ddog, mdb, snow = t.positions
    assert (ddog.closed, ddog.exit_price) == (dt.date(2026, 10, 15), 151.2)
    assert (snow.closed, snow.exit_price) == (dt.date(2027, 1, 15), None)
    assert [t.opened_on(p) for p in t.positions] == [
        dt.date(2026, 6, 11), dt.date(2026, 6, 11), dt.date(2026, 9, 1), dt.date(2026, 11, 2)
    ]
    assert [t.closed_on(p) for p in t.positions] == [
        dt.date(2027, 3, 1), dt.date(2026, 10, 15), dt.date(2027, 3, 1), dt.date(2027, 1, 15)
    ]
    # The horizon counts from the position's own opening: MDB's year runs from 2026-09-01.
    assert [t.horizon_date(p) for p in t.positions] == [
        dt.date(2027, 12, 3), dt.date(2027, 12, 11), dt.date(2027, 9, 1), dt.date(2027, 6, 30)
    ]
    (r,) = t.rebalances
    assert (r.date, r.weights, r.note) == (dt.date(2026, 12, 1), {"NET": 0.5, "MDB": 0.3, "SNOW": 0.2}, "trim the winner")
    assert t.closed is not None and (t.closed.date, t.closed.outcome) == (dt.date(2027, 3, 1), "played_out")
    assert t.closed.note == "the routing layer took share as expected"
    assert t.is_closed and t.has_events


def test_a_thesis_without_lifecycle_fields_has_no_events():
    t = parse_thesis_text(PLAIN, "x.yaml")
    assert not t.is_closed and not t.has_events and t.rebalances == []
    assert [t.closed_on(p) for p in t.positions] == [None, None]


@pytest.mark.parametrize(
    "change",
    [
        ("    opened: 2026-09-01\n", "    opened: 2026-06-11\n"),  # opened on the thesis's day: held at the opening
        ("  - date: 2026-12-01\n", "  - date: 2026-11-02\n"),  # a position bought on a rebalance's day is weighed by it
        ("    closed: 2027-01-15\n", "    closed: 2027-03-01\n"),  # sold on the thesis's closing day
        ("    closed: 2026-10-15\n    exit_price: 151.2\n", ""),  # sold at the thesis's close
        ("  note: the routing layer took share as expected\n", ""),  # the post-mortem note is optional
        ("  outcome: played_out", "  outcome: abandoned"),
        ("{NET: 50%, MDB: 30%, SNOW: 20%}", "{NET: 50%, MDB: 30%, SNOW: 20.4%}"),  # within ±0.5%
    ],
)
def test_accepted_lifecycle_variants(change):
    text = LIFE.replace(*change)
    if change[0].startswith("    opened: 2026-09-01"):
        text = text.replace("weight: 60%", "weight: 40%")
    if "closed: 2026-10-15" in change[0]:
        text = text.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "{NET: 40%, DDOG: 10%, MDB: 30%, SNOW: 20%}")
    parse_thesis_text(text, "x.yaml", "x")


ASML = "  - {ticker: ASML, weight: 5%, horizon: 1y, opened: 2027-03-01}\nrebalances:\n"

CASES = [
    # --- a position's own dates
    ("position opened before the thesis", LIFE.replace("opened: 2026-09-01", "opened: 2026-05-01"),
     ["x.yaml:18:13: positions[2].opened: opened 2026-05-01 is before the thesis's opened 2026-06-11; a position is bought on or after the day its thesis opens"]),
    ("position opened on the thesis's closing day", LIFE.replace("rebalances:\n", ASML),
     ["x.yaml:24:53: positions[4].opened: opened 2027-03-01 is not before the thesis's close on 2027-03-01; a closed thesis buys nothing on or after its closing day"]),
    ("position closed before the thesis opened", LIFE.replace("closed: 2026-10-15", "closed: 2026-06-01"),
     ["x.yaml:13:13: positions[1].closed: closed 2026-06-01 is not after the thesis's opened 2026-06-11; a position is sold after the day it is bought"]),
    ("position closed before its own opening", LIFE.replace("closed: 2027-01-15", "closed: 2026-10-20"),
     ["x.yaml:23:13: positions[3].closed: closed 2026-10-20 is not after its opened 2026-11-02; a position is sold after the day it is bought"]),
    ("position closed on the day it opened", LIFE.replace("closed: 2027-01-15", "closed: 2026-11-02"),
     ["x.yaml:23:13: positions[3].closed: closed 2026-11-02 is not after its opened 2026-11-02; a position is sold after the day it is bought"]),
    ("position closed after the thesis", LIFE.replace("closed: 2027-01-15", "closed: 2027-04-01"),
     ["x.yaml:23:13: positions[3].closed: closed 2027-04-01 is after the thesis's close on 2027-03-01; the close sells every position still held, so a position is sold on or before it"]),
    ("exit price without closed", OPEN.replace("    target: 330\n", "    exit_price: 400\n"),
     ["x.yaml:7:17: positions[0].exit_price: exit_price needs the day the position was sold; add `closed:` with that date"]),
    ("exit price without closed in a closed thesis", LIFE.replace("    target: 330\n", "    exit_price: 400\n"),
     ["x.yaml:7:17: positions[0].exit_price: exit_price needs this position's own closed date, even when it was sold at the thesis's close; add `closed: 2027-03-01` to it"]),
    ("exit price not positive", LIFE.replace("exit_price: 151.2", "exit_price: 0"),
     ["x.yaml:14:17: positions[1].exit_price: exit_price must be a positive price, got 0"]),
    ("sale of the last position held", PLAIN.replace("weight: 60%", "weight: 100%").replace("  - ticker: DDOG\n    weight: 40%\n    upside: 25%\n    horizon: 18m\n", "")
     + "    closed: 2026-10-01\n",
     ["x.yaml:9:13: positions[0].closed: selling NET on 2026-10-01 leaves no position held (sales come before purchases on a day); a thesis holds at least one position until it is closed: to end it, add a top-level `closed:` with date, outcome and note"]),
    ("until before the position's own opening", LIFE.replace("until: 2027-06-30", "until: 2026-10-01"),
     ["x.yaml:21:12: positions[3].until: until 2026-10-01 is not after this position's opened 2026-11-02"]),
    ("horizon counted from the position's own opening", LIFE.replace("horizon: 1y", "horizon: 95681m"),
     ["x.yaml:17:14: positions[2].horizon: 95681m is longer than 100 years"]),
    # --- weights when positions are bought
    ("opening weights with later positions", LIFE.replace("weight: 60%", "weight: 70%"),
     ["x.yaml:10:13: positions[1].weight: weights of the positions held at the opening sum to 110%, expected 100% "
      "(a position bought later takes its weight from the others on its day); to change weights after the opening, "
      "add a `rebalances:` entry with its date instead of editing the weights"]),
    ("opening weights in a thesis with events", PLAIN.replace("weight: 40%", "weight: 45%") + "    closed: 2026-10-15\n",
     ["x.yaml:10:13: positions[1].weight: weights sum to 105%, expected 100%; to change weights after the opening, "
      "add a `rebalances:` entry with its date instead of editing the weights"]),
    ("later position of 100%", LIFE.replace("weight: 20%", "weight: 100%"),
     ["x.yaml:16:13: positions[2].weight: a position bought after the thesis's opening takes its weight from the positions held on its day, so it weighs below 100%, got 100%"]),
    ("later positions of one day over 100%", LIFE.replace("weight: 20%", "weight: 90%").replace("opened: 2026-11-02", "opened: 2026-09-01"),
     ["x.yaml:20:13: positions[3].weight: the positions bought on 2026-09-01 weigh 100% together; they take their weight from the positions held that day, so together they weigh below 100%"]),
    # --- the close
    ("unknown outcome", LIFE.replace("outcome: played_out", "outcome: won"),
     ["x.yaml:30:12: closed.outcome: expected one of 'played_out', 'falsified', 'expired' or 'abandoned', got 'won'"]),
    ("missing outcome", LIFE.replace("  outcome: played_out\n", ""),
     ["x.yaml:29:3: closed.outcome: required field 'outcome' is missing"]),
    ("close before the opening", PLAIN + "closed:\n  date: 2026-06-01\n  outcome: abandoned\n",
     ["x.yaml:14:9: closed.date: 2026-06-01 is not after opened 2026-06-11; a thesis closes after the day it opens"]),
    ("close written as a date", OPEN + "closed: 2027-03-01\n",
     ["x.yaml:28:9: closed: expected date, outcome and note under closed:, like {date: 2027-03-01, outcome: played_out, note: ...}, got '2027-03-01'"]),
    ("unknown key under closed", LIFE.replace("  note: the routing", "  post_mortem: the routing"),
     ["x.yaml:31:3: closed.post_mortem: unknown key 'post_mortem'; allowed here: date, note, outcome"]),
    ("outcome outside closed", LIFE.replace("closed:\n  date: 2027-03-01\n  outcome: played_out\n", "outcome: played_out\nclosed:\n  date: 2027-03-01\n"),
     ["x.yaml:28:1: outcome: unknown key 'outcome' here; outcome belongs in the thesis's closing (under closed:): check its indentation",
      "x.yaml:30:3: closed.outcome: required field 'outcome' is missing"]),
    # --- rebalances: their dates
    ("rebalance on the opening day", LIFE.replace("  - date: 2026-12-01", "  - date: 2026-06-11"),
     ["x.yaml:25:11: rebalances[0].date: rebalance on 2026-06-11 is not after the thesis's opened 2026-06-11; the weights at the opening are the positions' own weights"]),
    ("rebalance before the opening", LIFE.replace("  - date: 2026-12-01", "  - date: 2026-01-05"),
     ["x.yaml:25:11: rebalances[0].date: rebalance on 2026-01-05 is not after the thesis's opened 2026-06-11; the weights at the opening are the positions' own weights"]),
    ("rebalance on the closing day", LIFE.replace("  - date: 2026-12-01", "  - date: 2027-03-01"),
     ["x.yaml:25:11: rebalances[0].date: rebalance on 2027-03-01 is not before the thesis's close on 2027-03-01; a closed thesis holds nothing to rebalance"]),
    ("two rebalances on one day", LIFE.replace("    note: trim the winner\n", "    note: trim the winner\n  - {date: 2026-12-01, weights: {NET: 50%, MDB: 30%, SNOW: 20%}}\n"),
     ["x.yaml:28:12: rebalances[1].date: another rebalance has the same date, rebalances[0]; keep one rebalance per day with every weight of that day"]),
    # --- rebalances: which positions they name
    ("rebalance misses a position", LIFE.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "{NET: 70%, MDB: 30%}"),
     ["x.yaml:26:14: rebalances[0].weights: misses SNOW, held on 2026-12-01; a rebalance gives the weight of every position held that day, those bought that day included"]),
    ("rebalance misses a position bought that day", LIFE.replace("  - date: 2026-12-01", "  - date: 2026-11-02").replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "{NET: 70%, MDB: 30%}"),
     ["x.yaml:26:14: rebalances[0].weights: misses SNOW, held on 2026-11-02; a rebalance gives the weight of every position held that day, those bought that day included"]),
    ("rebalance names a position sold before", LIFE.replace("SNOW: 20%}", "SNOW: 10%, DDOG: 10%}"),
     ["x.yaml:26:46: rebalances[0].weights.DDOG: DDOG was sold on 2026-10-15, before this rebalance; leave it out"]),
    ("rebalance names a position sold that day", LIFE.replace("  - date: 2026-12-01", "  - date: 2027-01-15"),
     ["x.yaml:26:35: rebalances[0].weights.SNOW: SNOW is sold on 2027-01-15, and sales come before the rebalance of that day; leave it out"]),
    ("rebalance names a position not yet bought", LIFE.replace("  - date: 2026-12-01", "  - date: 2026-10-20"),
     ["x.yaml:26:35: rebalances[0].weights.SNOW: SNOW is bought on 2026-11-02, after this rebalance; leave it out, or change its opened to the day it was bought"]),
    ("rebalance names no position", LIFE.replace("SNOW: 20%}", "SNOW: 10%, NVDA: 10%}"),
     ["x.yaml:26:46: rebalances[0].weights.NVDA: NVDA is no position of this thesis; to buy it on 2026-12-01, add it under positions: with `opened: 2026-12-01`"]),
    # --- rebalances: their weights
    ("rebalance weights over 100%", LIFE.replace("NET: 50%", "NET: 55%"),
     ["x.yaml:26:41: rebalances[0].weights.SNOW: weights sum to 105%, expected 100%"]),
    ("rebalance weights just outside the tolerance", LIFE.replace("SNOW: 20%", "SNOW: 19.49%"),
     ["x.yaml:26:41: rebalances[0].weights.SNOW: weights sum to 99.49%, expected 100%"]),
    ("rebalance weight of zero", LIFE.replace("SNOW: 20%", "SNOW: 0%"),
     ["x.yaml:26:41: rebalances[0].weights.SNOW: weight must be positive, got 0%; to sell SNOW, give the position a `closed:` date"]),
    ("rebalance weight as a plain percentage", LIFE.replace("SNOW: 20%", "SNOW: 20"),
     ["x.yaml:26:41: rebalances[0].weights.SNOW: weight reads as 2000%, more than the whole portfolio; if you mean 20 percent, write 20% or 0.2"]),
    ("rebalance weights as a list", LIFE.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "[NET, MDB, SNOW]"),
     ["x.yaml:26:14: rebalances[0].weights: expected a weight per ticker, like {NET: 15%, DDOG: 25%}, got a list"]),
    ("rebalance with a lower-case ticker", LIFE.replace("{NET: 50%", "{net: 50%"),
     ["x.yaml:26:15: rebalances[0].weights.net: 'net': write ticker symbols in capitals, NET"]),
    ("unknown key in a rebalance", LIFE.replace("    note: trim", "    notes: trim"),
     ["x.yaml:27:5: rebalances[0].notes: unknown key 'notes'; did you mean 'note'?"]),
    ("rebalance without weights", LIFE.replace("    weights: {NET: 50%, MDB: 30%, SNOW: 20%}\n", ""),
     ["x.yaml:25:5: rebalances[0].weights: required field 'weights' is missing"]),
    ("rebalance with no weights", LIFE.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "{}"),
     ["x.yaml:26:14: rebalances[0].weights: misses NET, MDB and SNOW, held on 2026-12-01; a rebalance gives the weight of every position held that day, those bought that day included"]),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_lifecycle_rules(name, text, expected, parser):
    assert problems(text) == expected
