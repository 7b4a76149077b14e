"""One refresh at a time across processes, through a row in the database.

A lock row whose heartbeat is older than `STALE_AFTER` belongs to a process that died (killed,
machine rebooted); the next refresh takes it over instead of waiting forever.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from tracker.errors import TrackerError
from tracker.storage.db import transaction
from tracker.storage.tables import RefreshLock, utcnow

LOCK_NAME = "refresh"
STALE_AFTER = dt.timedelta(minutes=10)


class RefreshLocked(TrackerError):
    """Another refresh holds the lock and is alive."""


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_here(owner: str) -> bool:
    """True when the owner is a process of this machine that no longer exists (killed, crashed)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass
class Lock:
    engine: Engine
    owner: str
    name: str = LOCK_NAME

    def heartbeat(self) -> None:
        """Tell other processes this refresh is still alive."""
        with transaction(self.engine) as s:
            s.execute(update(RefreshLock).where(RefreshLock.name == self.name, RefreshLock.owner == self.owner).values(heartbeat_at=utcnow()))

    def release(self) -> None:
        with transaction(self.engine) as s:
            s.execute(delete(RefreshLock).where(RefreshLock.name == self.name, RefreshLock.owner == self.owner))


def acquire(engine: Engine, owner: str | None = None, now: dt.datetime | None = None) -> Lock:
    """Take the refresh lock, taking over a stale one; raise `RefreshLocked` when it is held."""
    owner = owner or owner_id()
    now = now or utcnow()
    try:
        with transaction(engine) as s:
            s.add(RefreshLock(name=LOCK_NAME, owner=owner, acquired_at=now, heartbeat_at=now))
        return Lock(engine, owner)
    except IntegrityError:
        pass
    with transaction(engine) as s:
        taken = s.execute(
            update(RefreshLock)
            .where(RefreshLock.name == LOCK_NAME, RefreshLock.heartbeat_at < now - STALE_AFTER)
            .values(owner=owner, acquired_at=now, heartbeat_at=now)
        ).rowcount
        if taken:
            return Lock(engine, owner)
        holder = s.get(RefreshLock, LOCK_NAME)
        if holder is not None and _dead_here(holder.owner):
            taken = s.execute(
                update(RefreshLock).where(RefreshLock.name == LOCK_NAME, RefreshLock.owner == holder.owner)
                .values(owner=owner, acquired_at=now, heartbeat_at=now)
            ).rowcount
            if taken:
                return Lock(engine, owner)
    if holder is None:  # released between our two attempts
        return acquire(engine, owner, now)
    raise RefreshLocked(
        f"another refresh is running ({holder.owner}, since {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC); "
        f"it is taken over automatically if its heartbeat stops for {int(STALE_AFTER.total_seconds() // 60)} minutes"
    )


def running_since(engine: Engine, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the refresh that holds the lock started, or None when none runs (a stale lock is none)."""
    now = now or utcnow()
    with transaction(engine) as s:
        holder = s.scalars(select(RefreshLock).where(RefreshLock.name == LOCK_NAME)).first()
        if holder is None or holder.heartbeat_at < now - STALE_AFTER or _dead_here(holder.owner):
            return None
        return holder.acquired_at
