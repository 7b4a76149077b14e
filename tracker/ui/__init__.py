"""The Streamlit dashboard: cached queries, formatting, charts and the page views."""
