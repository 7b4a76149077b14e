"""In a real browser, at 1400 and 1000 px wide: every chart and every heading lies inside its
column and none overlaps another, and no headline metric is cut short.

Runs `streamlit run` on the demo database (the same server as the smoke test) in headless Chromium
and measures the bounding boxes the browser laid out.
"""

from __future__ import annotations

import pytest

from tests.test_browser_smoke import CHROMIUM, demo_server  # noqa: F401  (the fixture that starts the server)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1400, 1000)
PAGES = ["thesis?id=ai-inference-cost-squeeze", "thesis?id=cloud-routing-toll", "thesis?id=datacentre-power", "", "news", "track-record"]

# Each chart's drawing (canvas or svg: its title is drawn inside it), each heading and each metric,
# with the box of the column it sits in (or of the page's main block).
MEASURE = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height}; };
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const holder = (el) => el.closest('[data-testid="stColumn"]') || main;
  const items = [];
  for (const chart of main.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const drawing = chart.querySelector('canvas, svg.marks');
    if (!drawing) { items.push({kind: 'chart', name: 'not drawn', missing: true}); continue; }
    items.push({kind: 'chart', name: chart.getAttribute('aria-label') || 'chart', box: box(drawing), column: box(holder(chart))});
  }
  for (const h of main.querySelectorAll('[data-testid="stHeading"]')) {
    const text = h.innerText.trim();
    if (!text) continue;
    const inner = h.querySelector('h1, h2, h3, h4') || h;
    items.push({kind: 'heading', name: text.slice(0, 60), box: box(inner), column: box(holder(h)),
                clipped: inner.scrollWidth > inner.clientWidth + 1});
  }
  const metrics = [];
  for (const m of main.querySelectorAll('[data-testid="stMetric"]')) {
    const cut = [...m.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *, [data-testid="stMetricValue"]')]
      .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.trim()).filter(t => t);
    metrics.push({text: m.innerText.replace(/\\s+/g, ' ').trim(), cut});
  }
  return {items, metrics};
}"""


def inside(inner: dict, outer: dict, slack: float = 1.5) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack)


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return dx > slack and dy > slack


def problems(measured: dict) -> list[str]:
    items = measured["items"]
    found = [f"{i['kind']} {i['name']!r} is not drawn" for i in items if i.get("missing")]
    placed = [i for i in items if not i.get("missing")]
    for i in placed:
        if i["box"]["w"] < 50 or i["box"]["h"] < 20:
            found.append(f"{i['kind']} {i['name']!r} is too small: {i['box']}")
        if not inside(i["box"], i["column"]):
            found.append(f"{i['kind']} {i['name']!r} spills out of its column: {i['box']} not in {i['column']}")
        if i.get("clipped"):
            found.append(f"heading {i['name']!r} is cut short")
    for n, a in enumerate(placed):
        for b in placed[n + 1:]:
            if overlap(a["box"], b["box"]):
                found.append(f"{a['kind']} {a['name']!r} overlaps {b['kind']} {b['name']!r}")
    found += [f"metric cut short: {m['text']!r} ({m['cut']})" for m in measured["metrics"] if m["cut"]]
    return found


def settle(page, polls: int = 4) -> None:
    """Wait until the script has finished and the page stops growing (elements arrive as it runs)."""
    seen, steady = -1, 0
    for _ in range(120):
        count = page.evaluate("() => document.querySelectorAll('[data-testid=\"stElementContainer\"]').length")
        running = page.evaluate("() => !!document.querySelector('[data-testid=\"stStatusWidget\"]')")
        steady = steady + 1 if count == seen and not running else 0
        if steady >= polls:
            return
        seen = count
        page.wait_for_timeout(500)
    raise AssertionError("the page never finished rendering")


def test_charts_headings_and_metrics_fit_their_columns(demo_server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        failures: dict[str, list[str]] = {}
        counted = 0
        for width in WIDTHS:
            # tall enough that every chart of a page is laid out (and drawn) without scrolling
            page = browser.new_page(viewport={"width": width, "height": 9000})
            for path in PAGES:
                page.goto(f"{demo_server}/{path}", wait_until="networkidle")
                page.wait_for_function("() => document.body.innerText.includes('Sample data')", timeout=60_000)
                settle(page)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')].every(c => c.querySelector('canvas, svg.marks'))",
                    timeout=30_000)
                page.wait_for_timeout(1000)  # vega resizes once to its container
                measured = page.evaluate(MEASURE)
                counted += sum(1 for i in measured["items"] if i["kind"] == "chart")
                if path.startswith("thesis"):
                    assert sum(1 for i in measured["items"] if i["kind"] == "chart") >= 3, (width, path)
                    assert len(measured["metrics"]) == 6, (width, path)
                found = problems(measured)
                if found:
                    failures[f"{width}px /{path}"] = found
            page.close()
        browser.close()
    assert counted > 0
    assert failures == {}
