"""Helpers shared by the benchmark scripts: timing and a uniform line per figure."""

from __future__ import annotations

import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextmanager
def timed(store: dict, key: str):
    start = time.perf_counter()
    yield
    store[key] = time.perf_counter() - start


def figure(name: str, value: str, goal: str = "", ok: bool | None = None) -> bool:
    verdict = "" if ok is None else ("  [meets goal]" if ok else "  [MISSES goal]")
    print(f"{name:<58} {value:>16}   {('goal: ' + goal) if goal else ''}{verdict}", flush=True)
    return ok is not False


def machine() -> str:
    return f"{platform.machine()} · {platform.python_implementation()} {platform.python_version()} · {platform.system()}"
