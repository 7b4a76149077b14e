"""The bundled sample and the dashboard entry live inside the package, so an installed wheel has them.

Thesis files name sample feeds as `{sample}/feeds/<file>`, which resolves to the package wherever
the thesis file is; the dashboard's entry script and page files are located from the package,
not from the working folder.
"""

from __future__ import annotations

import dataclasses
import shutil
import tomllib
from pathlib import Path

import tracker
from tracker.launch import APP, demo_settings
from tracker.news.feeds import feeds_for
from tracker.sample import FEEDS_DIR, SAMPLE_DIR
from tracker.settings import load_settings
from tracker.thesis import load_theses, parse_thesis_text
from tracker.ui.app import VIEWS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(tracker.__file__).resolve().parent
EXAMPLE = ROOT / "theses" / "ai-inference-cost-squeeze.yaml"
SETTINGS = dataclasses.replace(load_settings({}), default_feeds=())
THESIS = "title: F\nopened: 2026-06-11\npositions:\n  - {{ticker: NET, weight: 100%, horizon: 1y}}\nfeeds:\n{feeds}\n"


def specs(feeds: list[str], base: Path) -> list:
    thesis = parse_thesis_text(THESIS.format(feeds="\n".join(f'  - "{f}"' for f in feeds)), "f.yaml", "f")
    return feeds_for([thesis], {"f": base / "f.yaml"}, SETTINGS)


def test_sample_feeds_are_inside_the_package():
    assert SAMPLE_DIR.parent == PACKAGE
    assert sorted(p.name for p in FEEDS_DIR.iterdir() if p.is_file()) == ["ai-infrastructure.rss.xml", "company-filings.atom.xml"]


def test_sample_placeholder_resolves_from_any_folder_and_is_flagged_sample(tmp_path):
    (spec,) = specs(["{sample}/feeds/ai-infrastructure.rss.xml"], tmp_path)
    assert spec.path == FEEDS_DIR / "ai-infrastructure.rss.xml"
    assert spec.sample


def test_other_paths_and_urls_are_left_alone(tmp_path):
    copy = tmp_path / "feeds" / "news.xml"
    copy.parent.mkdir()
    shutil.copy(FEEDS_DIR / "ai-infrastructure.rss.xml", copy)
    local, url = specs(["feeds/news.xml", "https://example.com/rss?q={sample}"], tmp_path)
    assert local.path == copy and not local.sample
    assert url.url == "https://example.com/rss?q={sample}" and url.path is None


def test_worked_example_reads_live_feeds_and_only_the_demo_reads_the_bundled_ones(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    loaded = load_theses(tmp_path)
    assert not loaded.invalid
    live = feeds_for(loaded.theses, loaded.paths, dataclasses.replace(SETTINGS, default_feeds=("yahoo", "sec", "google")))
    assert live and not any(s.is_file or s.sample for s in live)  # invented articles never meet real prices
    demo = feeds_for(loaded.theses, loaded.paths, demo_settings(SETTINGS))
    assert sorted(s.path for s in demo) == sorted(FEEDS_DIR.glob("*.xml")) and all(s.sample for s in demo)


def test_dashboard_entry_and_pages_are_inside_the_package():
    assert APP == PACKAGE / "ui" / "app.py" and APP.is_file()
    assert VIEWS == PACKAGE / "ui" / "views"
    assert {"overview.py", "thesis.py", "news.py", "health.py"} <= {p.name for p in VIEWS.glob("*.py")}
    for view in VIEWS.glob("*.py"):
        assert '"tracker/ui/' not in view.read_text(encoding="utf-8"), f"{view.name} names a page by a working-folder path"


def test_package_data_ships_every_sample_file():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    shipped = {f for package, patterns in package_data.items() for pattern in patterns
               for f in PACKAGE.joinpath(*package.split(".")[1:]).glob(pattern)}
    data = {f for f in SAMPLE_DIR.rglob("*") if f.is_file() and f.suffix not in (".py", ".pyc")}
    assert data and data <= shipped, sorted(str(f.relative_to(PACKAGE)) for f in data - shipped)
