"""The finance wording the headline scorer reads (data only; the rules are in sentiment.py).

Weights are on VADER's −4…4 scale so the two lexicons mix. Headlines say most of what they mean
with a direction and a quantity ("profit jumps", "cuts guidance", "losses narrow", "costs rise",
"up 5%"), so the core of this file is two lists: words that move a quantity up or down, and
quantities that are good or bad to have more of. Words whose sign does not depend on a quantity
("beats", "downgrade", "outage", "bankruptcy") are in INTRINSIC. Loughran and McDonald's finance
word lists informed which everyday words carry no sentiment in finance text (NOT_SENTIMENT:
"shares", "interest", "credit", "security" are positive in VADER's general lexicon).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _forms(weight: float, *words: str) -> dict[str, float]:
    return dict.fromkeys(words, weight)


# Direction words: sign = up (+) or down (−), magnitude = how strongly the headline says it.
DIRECTION: dict[str, float] = {
    # up
    **_forms(1.3, "rise", "rises", "rose", "rising", "risen", "climb", "climbs", "climbed", "climbing",
             "gain", "gains", "gained", "increase", "increases", "increased", "grow", "grows", "grew", "growing",
             "higher", "up", "expand", "expands", "expanded", "expanding", "widen", "widens", "widened", "wider", "widest",
             "improve", "improves", "improved", "improving", "raise", "raises", "raised", "raising", "lift", "lifts", "lifted",
             "boost", "boosts", "boosted", "hike", "hikes", "hiked", "add", "adds", "added", "top", "tops", "topped",
             "accelerate", "accelerates", "accelerated", "accelerating", "reaccelerating", "reaccelerate", "rebound", "rebounds",
             "rebounded", "recover", "recovers", "recovered", "recovering", "recovery", "mount", "mounts", "mounting", "swell",
             "swells", "swelled", "ramp", "ramps", "upbeat", "strengthen", "strengthens",
             "high", "highest", "stronger", "strongest", "pick", "picks", "return", "returns", "resume", "resumes"),
    **_forms(2.0, "jump", "jumps", "jumped", "surge", "surges", "surged", "surging", "soar", "soars", "soared", "soaring",
             "rally", "rallies", "rallied", "double", "doubles", "doubled", "skyrocket", "skyrockets", "spike", "spikes",
             "spiked", "blowout", "outpaces", "outpace"),
    # down
    **_forms(-1.3, "fall", "falls", "fell", "falling", "fallen", "drop", "drops", "dropped", "dropping", "decline",
             "declines", "declined", "declining", "lower", "lowers", "lowered", "lowering", "down", "cut", "cuts", "cutting",
             "trim", "trims", "trimmed", "reduce", "reduces", "reduced", "shrink", "shrinks", "shrank", "narrow", "narrows",
             "narrowed", "narrower", "slip", "slips", "slipped", "dip", "dips", "dipped", "slide", "slides", "slid", "ease",
             "eases", "eased", "easing", "slow", "slows", "slowed", "slowing", "slower", "slowest", "decelerate",
             "decelerates", "decelerated", "decelerating", "weaken", "weakens", "weakened", "weaker", "cool", "cools",
             "cooled", "cooling", "soften", "softens", "softer", "low", "lowest", "stall", "stalls", "stalled",
             "withdraw", "withdraws", "withdrew", "pull", "pulls", "pulled", "suspend", "suspends", "suspended", "lose",
             "loses", "lost", "shed", "sheds", "erode", "erodes", "halve", "halves", "halved", "close", "closes", "shut", "shuts"),
    **_forms(-2.0, "plunge", "plunges", "plunged", "plunging", "tumble", "tumbles", "tumbled", "slump", "slumps",
             "slumped", "sink", "sinks", "sank", "crash", "crashes", "crashed", "collapse", "collapses", "collapsed",
             "plummet", "plummets", "plummeted", "slash", "slashes", "slashed", "tank", "tanks", "tanked", "crater",
             "craters", "nosedive", "nosedives", "evaporate"),
}

# Quantities: +1 good to have more of (revenue, guidance, shares), −1 bad (losses, costs, debt).
GOOD_QUANTITY = _words(
    "revenue revenues sales profit profits earnings eps income guidance outlook forecast forecasts target targets "
    "dividend dividends buyback buybacks margin margins orders order bookings backlog demand growth shares stock stocks "
    "subscribers users customers deliveries volume volumes traffic share cash flow production output shipments rating "
    "billings retention bookings value price prices valuation payout capacity spending volume comparable comps "
    "same-store market arr income ratings estimates jobs workforce staff headcount stores"
)
BAD_QUANTITY = _words(
    "loss losses costs cost expenses expense debt deficit charges charge churn inventory inventories layoffs "
    "delinquencies writedown writedowns impairment impairments outflows burn defects risk risks concerns "
    "pressure headwinds tariffs provisions unemployment claims fines"
)
# "The stock trades lower" vs "costs fall": a direction word reads the nearest quantity within this many words.
QUANTITY_WINDOW = 3

# Words whose sign holds on their own (finance reading wins over VADER's general one).
INTRINSIC: dict[str, float] = {
    **_forms(2.2, "beat", "beats", "beating", "outperform", "outperforms", "outperformed", "upgrade", "upgrades",
             "upgraded", "bullish", "profitable", "profitability", "win", "wins", "won", "winning", "lands", "landed",
             "secures", "secured", "approval", "approved", "clears", "cleared"),
    **_forms(1.4, "strong", "robust", "solid", "upside", "optimism", "optimistic", "momentum", "tailwind", "tailwinds",
             "reassuring", "reassures", "best", "breakthrough", "positive", "exceeds", "exceeded", "exceed", "ahead",
             "favorable", "favourable", "resilient", "resilience", "turnaround", "progress", "meets", "meet", "met"),
    **_forms(1.0, "record", "buyback", "buybacks"),
    # routine corporate news leans a little positive, inside the neutral band on its own
    **_forms(0.3, "dividend", "contract", "partnership", "deal", "order", "orders", "launches", "launch", "unveils",
             "opens", "completes", "expansion", "signs", "selected", "adopts", "split", "buys", "invest", "invests",
             "investment", "build", "builds", "integration", "partners", "approve", "approves", "reiterates", "reaffirms",
             "maintains", "keeps", "steady"),
    **_forms(-0.3, "sells", "sold", "sale"),
    **_forms(-2.2, "miss", "misses", "missed", "downgrade", "downgrades", "downgraded", "bearish", "warning", "warns",
             "warned", "warn", "outage", "outages", "breach", "breaches", "hack", "hacked", "bankruptcy", "bankrupt",
             "default", "defaults", "fraud", "lawsuit", "lawsuits", "sued", "sues", "liquidate", "liquidation", "probe",
             "investigation", "fined", "fine", "penalty", "scandal", "recall", "recalls", "recalled", "layoff", "layoffs",
             "writedown", "impairment", "unprofitable", "junk", "disappoint", "disappoints", "disappointed", "disappointing",
             "fails", "fail", "failed", "failure", "halted", "halts", "halt", "delay", "delays", "delayed", "glut",
             "shortage", "shortfall", "antitrust", "charged", "restate", "restates", "underperform", "underperforms"),
    **_forms(-1.4, "weak", "soft", "sluggish", "loss", "losses", "concerns", "concern", "worries", "worry", "fears",
             "feared", "pressure", "headwind", "headwinds", "challenging", "uncertainty", "volatile", "disruption",
             "exposes", "stolen", "faulty", "defect", "defects", "curbs", "ban", "bans", "banned", "tariff", "tariffs",
             "worst", "negative", "dispute", "squeeze", "squeezes", "departs", "resigns", "steps", "ousted", "slowdown",
             "restructuring", "downturn", "charge", "charges", "debt", "costs", "inflation", "pessimistic", "caution",
             "cautions", "cautious", "risk", "risks", "problems", "problem", "questions", "rejected", "rejects"),
}

# Multi-word cues (lower case, space separated) matched before single words; weights as above.
PHRASES: dict[str, float] = {
    "price target": 0.0, "target price": 0.0, "all-time high": 2.4, "record high": 2.4, "52-week high": 1.8,
    "record low": -2.4, "52-week low": -2.0, "all-time low": -2.4, "in line": 0.0, "in line with": 0.0,
    "better than expected": 1.8, "better than feared": 1.8, "better-than-expected": 1.8, "worse than expected": -1.8,
    "worse-than-expected": -1.8, "less than feared": 1.6, "than feared": 0.0, "short of": -1.8, "falls short": -2.0,
    "fell short": -2.0, "above expectations": 1.8, "above estimates": 1.8, "below expectations": -1.8,
    "below estimates": -1.8, "above forecasts": 1.8, "below forecasts": -1.8, "ahead of consensus": 1.4,
    "chapter 11": -3.0, "steps down": -1.4, "step down": -1.4, "lay off": -2.0, "cash burn": -1.2, "burns less": 1.6,
    "market value": 0.0, "market share": 0.0, "free cash flow": 0.0, "cash flow positive": 1.8,
    "first-ever dividend": 2.0, "investment grade": 1.8, "main goal": 0.0, "primary endpoint": 0.0,
    "pre-arranged": 0.0, "stock split": 0.6, "profit warning": -2.6, "sets aside": -1.0, "takes charge": -1.8,
    "takes a charge": -1.8, "pays down": 1.4, "comes under pressure": -1.8, "under pressure": -1.4, "well above": 2.0,
    "well below": -2.0, "signs of progress": 1.4, "little changed": 0.0, "no change": 0.0, "ahead of schedule": 1.6,
    "behind schedule": -1.6, "on track": 1.2, "turns positive": 1.6, "turn positive": 1.6, "swings to profit": 2.4,
    "swings to a loss": -2.4, "swings to loss": -2.4, "first quarterly profit": 2.0, "first annual profit": 2.0,
    "returns to growth": 1.8, "return to growth": 1.8, "returns to revenue growth": 1.8, "stop falling": 1.2,
    "stops falling": 1.2, "takes down": -1.2, "ahead of earnings": 0.0, "ahead of results": 0.0, "trade down": 0.0, "market close": 0.0,
    "meet with": 0.0, "strategic options": 0.8, "strategic alternatives": 0.8, "holds steady": 0.6, "meets with": 0.0, "price increase": 0.0, "price increases": 0.0,
}

# Words that flip the next cue within NEGATION_WINDOW words ("fails to beat", "no longer expects a loss").
NEGATORS = _words(
    "not no never without nor cannot fails failed fail unable avoids avoided avoid averts averted lacks lack "
    "neither won't don't doesn't didn't isn't aren't wasn't weren't can't couldn't wouldn't shouldn't hasn't "
    "haven't hadn't stops"
)
NEGATION_WINDOW = 4
NEGATION_FACTOR = -0.8

# Hedges damp a headline (a report, a rumour, a possibility is not the event).
HEDGES = _words(
    "may might could reportedly considers considering consider weighs weighing explores exploring mulls possible "
    "potential potentially rumour rumor rumored rumoured sources hints talks seen"
)
HEDGE_PHRASES = ("said to", "report says", "people familiar", "sources say", "analysts say", "analyst says", "in talks")
HEDGE_FACTOR = 0.6

# Intensifiers scale the next cue.
BOOSTERS: dict[str, float] = {
    "sharply": 1.4, "steeply": 1.4, "significantly": 1.3, "strongly": 1.3, "much": 1.2, "well": 1.2, "blowout": 1.3,
    "record": 1.3, "massive": 1.4, "huge": 1.3, "biggest": 1.3, "largest": 1.3, "slightly": 0.5, "modestly": 0.6,
    "marginally": 0.5, "somewhat": 0.6, "little": 0.5, "edge": 0.6, "edges": 0.6, "tick": 0.6, "ticks": 0.6,
    "merely": 0.4, "again": 1.2, "further": 1.2, "unexpectedly": 1.3,
}

# Clause words: a cue after "but"/"however" weighs more than one before it; one after "despite" less;
# one in a reason clause ("… after a downgrade", "… as costs rise") a little less than the main clause.
CONTRAST = frozenset({"but", "however", "yet", "though", "although"})
CONCESSIVE = frozenset({"despite", "even"})
REASON = frozenset({"after", "as", "on", "amid"})

# VADER's general lexicon reads these as sentiment; in finance wording they are plain nouns and verbs.
NOT_SENTIMENT = _words(
    "share shares interest credit trust security care well like united fund capital free top fine no demand "
    "growth profit gain value asset assets worth matter reach reaches legal party please sure clear power "
    "support supports help helps save intelligence innovative smart joke kill killer dead super beauty dream "
    "freedom welcome fun wealth rich great agreement agree promise advantage opportunity stable straight "
    "justice honest loyalty celebrate love pretty prize positive negative approval approved cut cuts charges loss "
    "weak strong miss warn warns risk pressure crash debt lower lowers lowered easing ease eases cool"
)
VADER_FACTOR = 0.6

# Clause boundaries and the small words after which a direction word stops looking for its quantity.
BOUNDARIES = frozenset({",", ";", ":", ".", "!", "?", "as", "on", "after", "amid", "despite", "but", "while", "because", "since", "and", "to", "with", "from"})
