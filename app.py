"""Thesis Tracker dashboard: `streamlit run app.py` (or `make run`)."""

import streamlit as st

st.set_page_config(page_title="Thesis Tracker", page_icon="📈", layout="wide")

navigation = st.navigation(
    [
        st.Page("tracker/ui/views/overview.py", title="Overview", icon="🏠", default=True),
        st.Page("tracker/ui/views/thesis.py", title="Thesis", icon="📄", url_path="thesis"),
        st.Page("tracker/ui/views/news.py", title="News", icon="📰", url_path="news"),
        st.Page("tracker/ui/views/health.py", title="Data health", icon="🩺", url_path="health"),
    ]
)
navigation.run()
