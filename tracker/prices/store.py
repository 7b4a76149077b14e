"""Reading and writing daily closes.

Writes are upserts keyed by (ticker, date), so Yahoo's corrections replace stored values, and
only real numbers are written: a failed or partial fetch can add or correct closes but never
blank or delete one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, String, cast, func, select
from sqlalchemy.orm import Session

from tracker.storage.db import upsert
from tracker.storage.tables import Instrument, Price, utcnow


def upsert_closes(session: Session, closes: pd.DataFrame, source: str) -> int:
    """Insert or update closes (long form: date, ticker, close[, currency]); returns rows written."""
    if closes.empty:
        return 0
    frame = closes.dropna(subset=["close"])
    frame = frame[frame["close"] > 0]
    if frame.empty:
        return 0
    now = utcnow()
    dates = pd.to_datetime(frame["date"]).dt.date
    currencies = frame["currency"] if "currency" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    rows = [
        {"ticker": t, "date": d, "close": float(c), "currency": (cur if isinstance(cur, str) else None), "source": source, "fetched_at": now}
        for t, d, c, cur in zip(frame["ticker"], dates, frame["close"], currencies, strict=True)
    ]
    upsert(
        session,
        Price,
        rows,
        ["ticker", "date"],
        set_=lambda new: {
            "close": new.close,
            "currency": func.coalesce(new.currency, Price.currency),  # a source without currency keeps the known one
            "source": new.source,
            "fetched_at": new.fetched_at,
        },
    )
    return len(rows)



def _raw_rows(conn: Any, query: Any) -> list[tuple]:
    """Rows straight from the driver's cursor: millions of closes without a Python object each."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    # dates as ISO text: what SQLite stores, and what PostgreSQL casts to a date by itself
    values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in compiled.construct_params().items()}
    args = tuple(values[k] for k in compiled.positiontup) if compiled.positiontup is not None else values
    result = conn.exec_driver_sql(str(compiled), args)
    try:
        return result.cursor.fetchall()  # skip per-row Row objects and type processing
    finally:
        result.close()


def load_closes(source: Engine | Session, tickers: Iterable[str], start: dt.date | None = None) -> pd.DataFrame:
    """Wide frame of closes (date index × ticker columns) for just these tickers and dates.

    Dates are read as ISO text and parsed by pandas in one vectorised step, and rows come from
    the driver's cursor directly: for millions of rows that is several times faster.
    """
    names = sorted(set(tickers))
    if not names:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"))
    query = select(cast(Price.date, String), Price.ticker, Price.close).where(Price.ticker.in_(names))
    if start is not None:
        query = query.where(Price.date >= start)
    if isinstance(source, Session):
        rows = _raw_rows(source.connection(), query)
    else:
        with source.connect() as conn:
            rows = _raw_rows(conn, query)
    if not rows:
        return pd.DataFrame(columns=names, index=pd.DatetimeIndex([], name="date"), dtype=float)
    long = pd.DataFrame.from_records(rows, columns=["date", "ticker", "close"])
    long["date"] = pd.to_datetime(long["date"].str.slice(0, 10), format="%Y-%m-%d")
    wide = long.pivot(index="date", columns="ticker", values="close")
    wide.index.name = "date"
    wide.columns.name = None
    return wide.sort_index().reindex(columns=names).astype(float)


def last_price_dates(source: Engine | Session, tickers: Iterable[str]) -> dict[str, dt.date]:
    """The last stored close date per ticker (tickers without prices are absent)."""
    names = sorted(set(tickers))
    if not names:
        return {}
    query = select(Price.ticker, func.max(Price.date)).where(Price.ticker.in_(names)).group_by(Price.ticker)
    if isinstance(source, Session):
        rows = source.execute(query).all()
    else:
        with source.connect() as conn:
            rows = conn.execute(query).all()
    return {t: d for t, d in rows}


def price_sources(source: Engine | Session, tickers: Iterable[str]) -> set[str]:
    """Which sources the stored closes of these tickers came from (e.g. {"demo"}), read from
    the one-row-per-ticker fetch state rather than from millions of closes."""
    names = sorted(set(tickers))
    if not names:
        return set()
    query = select(Instrument.source).where(Instrument.ticker.in_(names), Instrument.source.is_not(None)).distinct()
    if isinstance(source, Session):
        return set(source.scalars(query).all())
    with source.connect() as conn:
        return set(conn.scalars(query).all())


def fetch_states(source: Engine | Session, tickers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The fetch state of these tickers: last error, failures in a row, last success."""
    names = sorted(set(tickers))
    if not names:
        return {}
    query = select(Instrument.ticker, Instrument.last_error, Instrument.consecutive_failures, Instrument.last_success_at).where(
        Instrument.ticker.in_(names)
    )
    if isinstance(source, Session):
        rows = source.execute(query).all()
    else:
        with source.connect() as conn:
            rows = conn.execute(query).all()
    return {t: {"last_error": err, "failures": n, "last_success": ok} for t, err, n, ok in rows}
