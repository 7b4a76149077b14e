"""Thesis Tracker: hold investment theses to account with prices, news and falsification checks."""

__version__ = "0.1.0"
