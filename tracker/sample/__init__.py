"""The bundled offline sample the demo reads: news feeds written for the worked example
(invented articles and filings, not real reporting). The demo's synthetic prices are generated
by `tracker.prices.demo`.

The files live inside the package so an installed wheel has them too. A thesis names them as
`{sample}/feeds/<file>`, which resolves here wherever the thesis file and the package are.
"""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
FEEDS_DIR = SAMPLE_DIR / "feeds"
SAMPLE_PLACEHOLDER = "{sample}"

__all__ = ["FEEDS_DIR", "SAMPLE_DIR", "SAMPLE_PLACEHOLDER"]
