"""Daily closes: sources (yahoo, csv, demo) behind one interface, and the prices store.

This package knows nothing of theses except `tickers_for`, which lists what they need.
"""
