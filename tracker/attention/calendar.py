"""Upcoming catalysts as an iCalendar file, for the investor's own calendar."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from icalendar import Calendar, Event

from tracker.thesis.model import Thesis

PRODUCT = "-//Thesis Tracker//catalysts//EN"


def catalysts_ics(theses: Iterable[Thesis], today: dt.date, stamp: dt.datetime) -> bytes:
    """All-day events for every catalyst from today on; the uid is stable so a re-import updates, not duplicates."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Thesis catalysts")
    for thesis in theses:
        if thesis.closed is not None:
            continue
        for c in thesis.catalysts:
            if c.date < today:
                continue
            event = Event()
            key = f"{thesis.id}|{c.date}|{c.event}".encode()
            event.add("uid", f"{hashlib.sha256(key).hexdigest()[:24]}@thesis-tracker")
            event.add("dtstamp", stamp)
            event.add("dtstart", c.date)
            event.add("dtend", c.date + dt.timedelta(days=1))
            event.add("summary", f"{c.event} ({thesis.title})")
            lines = [f"Thesis: {thesis.title}"]
            if c.ticker:
                lines.append(f"Ticker: {c.ticker}")
            if c.assumption:
                lines.append(f"Assumption: {c.assumption}")
            event.add("description", "\n".join(lines))
            cal.add_component(event)
    return bytes(cal.to_ical())
