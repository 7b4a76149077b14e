"""Thesis Tracker dashboard: `streamlit run app.py` (or `make run`)."""

import streamlit as st

st.set_page_config(page_title="Thesis Tracker", page_icon=":material/query_stats:", layout="wide")

navigation = st.navigation(
    [
        st.Page("tracker/ui/views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("tracker/ui/views/thesis.py", title="Thesis", icon=":material/description:", url_path="thesis"),
        st.Page("tracker/ui/views/news.py", title="News", icon=":material/newspaper:", url_path="news"),
        st.Page("tracker/ui/views/health.py", title="Data health", icon=":material/monitor_heart:", url_path="health"),
    ]
)
navigation.run()
