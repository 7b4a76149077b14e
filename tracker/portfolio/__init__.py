"""Portfolio maths, pure: single-series figures (`maths`), and one calculator of thesis figures
(`calculator`) composed of position figures, the portfolio and benchmark paths and the target
figures. No I/O: inputs are thesis models and wide frames of daily closes (date × ticker)."""
