"""Entrypoint of the dashboard (`streamlit run dashboard/app/main.py`): the router and picture frame.

Every run: who is viewing (sign-in, which keeps the page a link asked for), the pages that viewer
may open (st.navigation), the frame
(freshness badge, as-of month, district filter; dashboard.app.ui.frame), then the chosen page.
"""

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
if str(PROJECT_DIR) not in sys.path:  # `streamlit run` puts dashboard/app/, not the project, on the path
    sys.path.insert(0, str(PROJECT_DIR))

import streamlit as st  # noqa: E402

from dashboard.app import ui  # noqa: E402

st.set_page_config(layout="wide", page_title="城市信用监测驾驶舱", page_icon=":material/monitoring:")

ui.start_warming()  # views of each new snapshot are computed before the first visitor asks
ui.keep_requested_page()
viewer = ui.current_viewer()
page, spec = ui.navigation(viewer)
if ui.param("present") == "1" and spec.key != "present" and viewer.can_open("present"):
    ui.goto("present")  # ?present=1 on any page opens presentation mode (演示模式) for the month
ui.frame(viewer, spec)
page.run()
