"""News: feed fetching, parsing, sanitising, de-duplication, sentiment and links."""
