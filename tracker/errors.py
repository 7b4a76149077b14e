"""Error types shared across the package.

Each carries a message a user can act on; the CLI prints them without a traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base class of every error the tracker raises on purpose."""


class SettingsError(TrackerError):
    """A setting (environment variable or config file) has a value the tracker cannot use."""


class NotYetAvailable(TrackerError):
    """A command of the contract whose implementation has not landed yet."""


class SourceError(TrackerError):
    """A data source (price provider, feed) failed; recorded, retried next run."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message
