"""Portfolio maths: pure functions over a wide frame of daily closes (date × ticker)."""
