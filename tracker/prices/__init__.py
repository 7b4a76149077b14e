"""Daily closes: sources (yahoo, csv, demo) behind one interface, their registry, and the prices store.

A leaf: nothing here knows what a thesis is (an import-linter contract keeps it so). Theses
say which symbols they need (`Thesis.required_tickers`); the refresh's prices stage asks for them.
"""
