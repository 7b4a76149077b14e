"""The dashboard's entry script: page setup and navigation over `tracker/ui/views/`.

`tracker dashboard` and `tracker demo` run this file with `streamlit run`; the repository's
top-level `app.py` calls `main()` so `streamlit run app.py` keeps working. Page files are located
from this file, not from the working folder, so the pages are found in any install.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).resolve().parent / "views"


def main() -> None:
    st.set_page_config(page_title="Thesis Tracker", page_icon=":material/query_stats:", layout="wide")
    navigation = st.navigation(
        [
            st.Page(VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page(VIEWS / "thesis.py", title="Thesis", icon=":material/description:", url_path="thesis"),
            st.Page(VIEWS / "track_record.py", title="Track record", icon=":material/emoji_events:", url_path="track-record"),
            st.Page(VIEWS / "news.py", title="News", icon=":material/newspaper:", url_path="news"),
            st.Page(VIEWS / "health.py", title="Data health", icon=":material/monitor_heart:", url_path="health"),
        ]
    )
    navigation.run()


if __name__ == "__main__":  # `streamlit run tracker/ui/app.py` runs this file as __main__
    main()
