"""What needs the investor today and how good the theses have been (pure): catalysts and the
market's reaction to them, the review cadence, the reasons a thesis needs attention, the calendar
export of upcoming catalysts, and the track record of closed theses."""
