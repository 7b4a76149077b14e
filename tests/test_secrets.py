"""No secret given in settings appears in any output, log, table or page.

A token and a password are seeded in TRACKER_WEBHOOK_URL (a refusing port on 127.0.0.1, so every
delivery fails and is recorded) and, on PostgreSQL, a password in TRACKER_DB_URL. Then the refresh,
`tracker refresh`, `tracker status` (text and JSON) and the Data health page (with "Refresh now")
run, and every output, captured log and text column of every table is searched for them.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from tests.support.seed import seed
from tracker import cli, launch
from tracker.pipeline.refresh import format_result, run_refresh
from tracker.redact import redact_text, redact_url, redacted_key
from tracker.settings import load_settings
from tracker.storage.db import DatabaseError, create_db_engine, open_database

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TOKEN = "tok5ecr3tQ7x"
PASSWORD = "pw5ecr3tZ9k"
PATH_TOKEN = "Zb5ecr3tQ7xK9mN2pL4vW8"  # a secret in a URL's path, as Slack and Discord webhooks carry one
FEED_TOKEN = "fd5ecr3tK2q"
SECRETS = (TOKEN, PASSWORD, PATH_TOKEN, FEED_TOKEN)

runner = CliRunner()


def refusing_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_clean(where: str, text: str, secrets: tuple[str, ...] = SECRETS) -> None:
    for secret in secrets:
        assert secret not in text, f"{where} shows a secret: …{text[max(0, text.find(secret) - 80) : text.find(secret) + 40]}…"


def cli_output(argv: list[str]) -> tuple[int, str]:
    result = runner.invoke(cli.app, argv)
    return result.exit_code, result.output  # stdout and stderr, interleaved as a terminal shows them


def database_text(url: str, skip: tuple[str, ...] = ()) -> str:
    """Every text and JSON value of every row of every table (but `skip`), as one string."""
    engine = create_db_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in skip:
                continue
            for row in conn.execute(select(table)):
                parts.extend(json.dumps(v, default=str) if isinstance(v, (dict, list)) else str(v) for v in row if v is not None)
    engine.dispose()
    assert parts, "the database is empty: the refresh did not run"
    return "\n".join(parts)


def page_text(at: AppTest) -> str:
    """Everything an AppTest run put on the page: every element's message, tables included."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        if type(node).__name__ == "Dataframe":
            parts.append(node.value.to_csv())  # type: ignore[attr-defined]
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(parts)


def test_redact_url_hides_credentials_and_keeps_the_address():
    assert redact_url(f"https://bot:{PASSWORD}@hooks.example.com/x/y?token={TOKEN}&channel=ops") == (
        "https://***@hooks.example.com/x/y?token=***&channel=ops"
    )
    assert redact_url(f"https://h.example.com/f?api_key={TOKEN}&sig=1&signature=2&access_token=3&q=a#top") == (
        "https://h.example.com/f?api_key=***&sig=***&signature=***&access_token=***&q=a#top"
    )
    assert redact_url(f"postgresql://u:{PASSWORD}@db:5432/t?password={PASSWORD}") == "postgresql://***@db:5432/t?password=***"
    assert redact_url("sqlite:///data/tracker.db") == "sqlite:///data/tracker.db"
    assert redact_url(f"postgresql://u:{PASSWORD}@host:notaport/db") == "postgresql://***@host:notaport/db"  # malformed, still hidden
    # in a message, a value runs to the next space: a trailing colon goes with it, the secret never stays
    assert redact_text(f"ConnectError for http://127.0.0.1:9/h?secret={TOKEN}: refused") == "ConnectError for http://127.0.0.1:9/h?secret=*** refused"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.slack.com/services/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wX",
         "https://hooks.slack.com/services/T024BE7LD/B01234ABCDE/***"),
        ("https://discord.com/api/webhooks/123456789012345678/a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ-ab_cd",
         "https://discord.com/api/webhooks/123456789012345678/***"),
        ("https://chat.example.com/hooks/xq7mz3kd9pb8w1yt5re4ns2ha6", "https://chat.example.com/hooks/***"),
        ("https://maker.example.com/trigger/alert/with/key/abcDEF", "https://maker.example.com/trigger/alert/with/key/***"),
        (f"https://u:{PASSWORD}@hooks.example.com/services/{PATH_TOKEN}?token={TOKEN}", "https://***@hooks.example.com/services/***?token=***"),
        # ordinary paths stay as written: words, slugs, short ids, dates, file paths
        ("https://feeds.finance.yahoo.com/rss/2.0/headline?s=NET&region=US&lang=en-US",
         "https://feeds.finance.yahoo.com/rss/2.0/headline?s=NET&region=US&lang=en-US"),
        ("https://example.com/feeds/ai-infrastructure.rss.xml", "https://example.com/feeds/ai-infrastructure.rss.xml"),
        ("https://example.com/news/2026-11-25/123456789/item", "https://example.com/news/2026-11-25/123456789/item"),
        ("file:///tmp/pytest-of-root/pytest-3/test_refreshwithaverylongname0/feed.xml",
         "file:///tmp/pytest-of-root/pytest-3/test_refreshwithaverylongname0/feed.xml"),
        ("https://example.com/f/550e8400-e29b-41d4-a716-446655440000", "https://example.com/f/550e8400-e29b-41d4-a716-446655440000"),
    ],
)
def test_redact_url_hides_a_token_in_the_path(url, expected):
    assert redact_url(url) == expected
    assert redact_text(f"POST {url} refused") == f"POST {expected} refused"


def test_redacted_key_tells_apart_urls_that_differ_only_in_their_secret():
    a, b = (f"https://hooks.example.com/services/{t}" for t in (PATH_TOKEN, PATH_TOKEN[::-1]))
    assert redacted_key(a) != redacted_key(b)
    assert redacted_key(a).startswith("https://hooks.example.com/services/***#") and PATH_TOKEN not in redacted_key(a)
    assert redacted_key(redacted_key(a)) == redacted_key(a)
    assert redacted_key("https://example.com/feed.xml") == "https://example.com/feed.xml"


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_streamlit_caches):
    """Each test reads the database it seeded, never a page cached by the one before."""


@pytest.mark.timeout(240)
def test_no_secret_in_any_output_log_table_or_page(tmp_path, monkeypatch, caplog, capsys, db_url):
    if db_url.startswith("postgresql"):  # the test server trusts local users: a password is accepted and ignored
        db_url = db_url.replace("://tracker@", f"://tracker:{PASSWORD}@", 1)
        assert PASSWORD in db_url
    webhook = f"http://hook:{PASSWORD}@127.0.0.1:{refusing_port()}/alerts?token={TOKEN}&channel=ops"
    env = seed(tmp_path, db_url=db_url, refresh=False)
    env["TRACKER_WEBHOOK_URL"] = webhook
    env["TRACKER_REFRESH_COOLDOWN"] = "0"  # "Refresh now" right after the CLI's refresh
    known = tmp_path / "theses" / "known.yaml"  # a feed whose URL carries a token in its path and its query
    token_feed = f"http://127.0.0.1:{refusing_port()}/feeds/{PATH_TOKEN}/rss.xml?api_key={FEED_TOKEN}"
    known.write_text(known.read_text(encoding="utf-8").replace('feeds: ["feeds/news.rss.xml"]', f'feeds: ["feeds/news.rss.xml", "{token_feed}"]'),
                     encoding="utf-8")
    assert token_feed in known.read_text(encoding="utf-8")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    caplog.set_level(logging.DEBUG)

    result = run_refresh(load_settings(), trigger="test")
    assert any(f.kind == "webhook" for f in result.failures), "no webhook delivery failed: the test proves nothing"
    assert any(f.kind == "feed" and "/feeds/***/rss.xml" in f.source for f in result.failures), "the token feed did not fail"
    assert_clean("format_result", "\n".join(format_result(result)))
    assert_clean("the failures of the result", "\n".join(str(f) for f in result.failures))

    code, out = cli_output(["refresh"])
    assert code != 1, out
    assert "webhook" in out
    assert_clean("tracker refresh", out)
    code, out = cli_output(["status", "--json"])
    assert code == 0, out
    report = json.loads(out)
    assert any(f["kind"] == "webhook" for f in report["last_refresh"]["failures"])
    assert_clean("tracker status --json", out)
    code, out = cli_output(["status"])
    assert code == 0, out
    assert_clean("tracker status", out)

    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("tracker/ui/views/health.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button[0].click().run()  # "Refresh now": its report lines are on the page too
    assert not at.exception, [e.value for e in at.exception]
    shown = page_text(at)
    assert "webhook" in shown
    assert_clean("the Data health page", shown)

    captured = capsys.readouterr()
    assert_clean("stdout and stderr", captured.out + captured.err)
    assert_clean("the captured log", caplog.text + "\n".join(str(r.args) for r in caplog.records))
    # a feed URL's tokens are in the thesis file, whose text the version journal keeps as written;
    # the settings' secrets are nowhere, the feed's nowhere else
    assert_clean("the database", database_text(db_url), (TOKEN, PASSWORD))
    assert_clean("the database but the thesis journal", database_text(db_url, skip=("thesis_versions",)))
    with open_database(db_url).connect() as conn:
        feeds = [r[0] for r in conn.execute(text("SELECT url FROM feeds"))]
    assert any("/feeds/***/rss.xml?api_key=***#" in f for f in feeds), feeds


def test_a_malformed_database_url_is_never_echoed_with_its_password(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_THESES_DIR", str(tmp_path))
    for url in (f"postgresql://u:{PASSWORD}@host:notaport/db", f"u:{PASSWORD}@host/db", f"postgresql://u:{PASSWORD}@[::1/db"):
        with pytest.raises(DatabaseError) as caught:
            open_database(url)
        assert_clean(f"the error for {url!r}", str(caught.value))
        monkeypatch.setenv("TRACKER_DB_URL", url)
        code, out = cli_output(["status"])
        assert code == 1, out
        assert out.startswith("error: TRACKER_DB_URL") and out.count("\n") == 1, out
        assert_clean("tracker status", out)


def test_an_unreachable_database_error_hides_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_THESES_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DB_URL", f"postgresql://u:{PASSWORD}@127.0.0.1:{refusing_port()}/db")
    code, out = cli_output(["status", "--json"])
    assert code == 1, out
    assert out.startswith("error: cannot open database postgresql+psycopg://u:***@127.0.0.1:") and out.count("\n") == 1, out
    assert_clean("tracker status", out)


def test_a_corrupt_database_file_gives_one_error_line_and_exit_1(monkeypatch, tmp_path):
    bad = tmp_path / "tracker.db"
    bad.write_bytes(os.urandom(64 * 1024))
    monkeypatch.setenv("TRACKER_THESES_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{bad}")
    for argv in (["status"], ["status", "--json"]):
        code, out = cli_output(argv)
        assert code == 1, out
        assert "Traceback" not in out
        assert out.startswith("error: cannot open database sqlite:///") and out.count("\n") == 1, out
        assert "file is not a database" in out


def test_the_dashboard_hides_error_details_from_viewers(monkeypatch):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    calls: list[list[str]] = []
    monkeypatch.setattr(launch.subprocess, "call", lambda cmd, env=None: calls.append(cmd) or 0)
    assert launch.run_streamlit(None, port=8599) == 0
    cmd = calls[0]
    assert cmd[cmd.index("--client.showErrorDetails") + 1] == "none"  # installs outside the checkout too
