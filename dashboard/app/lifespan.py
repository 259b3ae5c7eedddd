"""The lifespan of the server's st.App (dashboard/app/main.py): what a server process does when it
starts, before it answers its first request — start the warm-up of the live snapshot's views
(dashboard.app.ui.start_warming), so that the first visitor after a restart finds them computed or
being computed instead of starting the work.

dashboard.app.ui is imported here, once Streamlit's runtime is running, not when `streamlit run`
imports main.py to find the st.App: its cached functions then meet the runtime's cache storage
(imported earlier, Streamlit logs "No runtime found" for each). The import itself, the longest part
of a first script run, is done before the server answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any


@contextlib.asynccontextmanager
async def warm_at_start(_app: Any) -> AsyncIterator[None]:
    """st.App(lifespan=…): start warming with the server process."""
    from dashboard.app import ui  # noqa: PLC0415 — after the runtime has started (module doc)

    ui.start_warming()
    yield
