"""Entrypoint of the dashboard (`streamlit run dashboard/app/main.py`): the router and picture frame,
and the server's st.App (Streamlit's own routes plus those of dashboard.app.session_routes).

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

if __name__ != "__main__":
    # Imported, not run: `streamlit run` finds this st.App in the file and serves the script with
    # the session cookie's routes beside Streamlit's own (README "Sessions"). Every script run
    # below executes as __main__ (AppTest's too).
    from dashboard.app import lifespan, session_routes  # noqa: E402

    # the warm-up starts with the server, before the first visitor (dashboard.app.lifespan)
    app = st.App(__file__, routes=session_routes.routes(), lifespan=lifespan.warm_at_start)
else:
    from dashboard.app import ui  # noqa: E402

    st.set_page_config(layout="wide", page_title="城市信用监测驾驶舱", page_icon=":material/monitoring:")

    ui.start_warming()  # views of each new snapshot are computed before the first visitor asks
    ui.keep_requested_page()
    viewer = ui.current_viewer()
    page, spec = ui.navigation(viewer)
    if ui.param("present") == "1" and spec.key != "present" and viewer.can_open("present"):
        ui.goto("present")  # ?present=1 on any page opens presentation mode (演示模式) for the month
    with ui.page_work(spec):  # a query past the statement time limit: a Chinese message, not a traceback
        ui.frame(viewer, spec)
        page.run()
