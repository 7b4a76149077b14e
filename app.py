"""Thesis Tracker dashboard: `streamlit run app.py` (or `make run`).

The dashboard itself lives in the package (`tracker/ui/app.py`) so it also works when the
project is installed as a wheel; this file only runs it.
"""

from tracker.ui.app import main

main()
