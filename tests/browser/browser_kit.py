"""Steps shared by the browser tests: open a page as a user, wait for Streamlit to finish the
script run, check for exceptions, take screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.access.sessions import COOKIE_NAME
from dashboard.core.settings import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "tests" / "artifacts" / "screenshots"
PASSWORD = "Browser-test-2026"
# username → (role, departments); the department user belongs to the tax bureau only.
USERS = {"office1": ("office", ()), "tax1": ("department", ("tax",)), "admin1": ("admin", ())}
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
CJK = re.compile(r"[\u4e00-\u9fff]")


def settle(page: Page, timeout_ms: int = 30_000) -> None:
    """Wait until the script run that the last action started (if any) has finished and no
    element is stale (Streamlit marks elements of the previous run data-stale while rerunning)."""
    try:
        page.wait_for_selector(f'{APP}:not([data-test-script-state="notRunning"])', timeout=800)
    except PlaywrightTimeout:
        pass  # the run was quicker than the poll, or none started
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout_ms)


def sign_in(page: Page, username: str) -> None:
    """Fill in the local sign-in form (用户名 / 密码 / 登录) and wait for the page behind it."""
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name=re.compile("退出登录")).wait_for()
    settle(page)


def open_as(page: Page, base_url: str, username: str, page_title: str | None = None, **params: str) -> None:
    """Open the dashboard in a new session, sign in as `username`, then go to the page titled
    `page_title` through the sidebar menu (the sign-in screen lands on the viewer's first page).
    The browser's session cookie is removed first: a reload would otherwise resume the last
    sign-in of this browser (README "Sessions")."""
    page.context.clear_cookies(name=COOKIE_NAME)
    query = f"?{urlencode(params)}" if params else ""
    page.goto(f"{base_url}/{query}")
    page.get_by_label("用户名", exact=True).wait_for()
    sign_in(page, username)
    if page_title is not None:
        go_to(page, page_title)


def go_to(page: Page, page_title: str, attempts: int = 3) -> None:
    """Switch page through the sidebar menu (same session) and wait for its run to finish. The
    menu is re-rendered by every run, so the link is looked up afresh while waiting, and a click
    that landed while the previous run was still redrawing the menu is repeated."""
    link = nav_link(page, page_title)
    for attempt in range(attempts):
        link.click()
        try:
            expect(link).to_have_attribute("aria-current", "page", timeout=15_000)
            break
        except AssertionError:
            if attempt == attempts - 1:
                raise
    settle(page)


def exceptions(page: Page) -> list[str]:
    """The texts of the exception elements on the page (empty when the run raised nothing)."""
    return [e.inner_text() for e in page.locator(EXCEPTION).all()]


def heading_texts(page: Page) -> list[str]:
    return [h.inner_text().strip() for h in page.locator('[data-testid="stMain"] h1').all()]


def shot(page: Page, name: str) -> Path:
    """A screenshot of the whole page under tests/artifacts/screenshots/: the window is made as
    tall as the main area's content first (Streamlit scrolls inside it, not the document)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return main ? main.scrollHeight : document.body.scrollHeight;
    }""")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 9000)})
    try:
        page.wait_for_timeout(400)  # let charts re-layout to the new size before the picture
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


def nav_link(page: Page, title: str):
    """The sidebar menu entry of a page, by its exact Chinese title."""
    # the link's text also holds the icon's ligature name (e.g. "dashboard"): match the label element
    return page.locator('[data-testid="stSidebarNavLink"]').filter(has=page.get_by_text(title, exact=True))


def query_params(page: Page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(page.url).query))


def _combobox(page: Page, label: str, container=None):
    return (container or page).get_by_role("combobox", name=label, exact=True)


def _open_options(page: Page, label: str, container=None):
    """Open a select box's list of options and return the option locator."""
    box = _combobox(page, label, container)
    box.scroll_into_view_if_needed()
    box.locator("xpath=following-sibling::button").click()  # the box's own "Open" button
    options = page.get_by_role("option")
    options.first.wait_for()
    return options


def choose(page: Page, label: str, option: str, container=None) -> None:
    """Pick `option` in the select box labelled `label` and wait for the rerun."""
    _open_options(page, label, container).filter(has_text=option).and_(
        page.get_by_role("option", name=option, exact=True)
    ).click()
    settle(page)


def select_options(page: Page, label: str) -> list[str]:
    """The options a select box offers (opens and closes it)."""
    texts = [t.strip() for t in _open_options(page, label).all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def set_date(page: Page, label: str, day, container=None) -> None:
    """Type a date into a date input (its year, month and day fields, month before day so that
    the day is valid in the month)."""
    scope = container or page
    for part, value in (("year", f"{day.year:04d}"), ("month", f"{day.month:02d}"), ("day", f"{day.day:02d}")):
        field = scope.get_by_role("spinbutton", name=f"{part}, {label}")
        field.click()
        page.keyboard.type(value)
    for part, value in (("year", day.year), ("month", day.month), ("day", day.day)):
        field = scope.get_by_role("spinbutton", name=f"{part}, {label}")
        assert int(field.get_attribute("aria-valuenow")) == value, (part, field.get_attribute("aria-valuenow"))


def metric_value(page: Page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def table_grid(page: Page, key: str):
    """The data grid of a list drawn by dashboard.app.ui.table(key=…)."""
    return page.locator(f'.st-key-table_{key} [data-testid="stDataFrame"]')


ROW_HEIGHT = 35  # px, Streamlit's data grid rows and header


def click_grid_row(page: Page, grid, row: int) -> None:
    """Select a row of a selectable data grid by clicking its row marker (the grid is a canvas),
    and wait for the rerun the selection starts."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    settle(page)


_GRID_IN_VIEW = """(grid) => {
    const table = grid.querySelector('table[role="grid"]');
    const scroller = grid.querySelector('.dvn-scroller');
    if (!table || !scroller) return null;  // not drawn yet
    const rows = {};
    for (const tr of table.querySelectorAll('tr[aria-rowindex]')) {
        const cells = {};
        for (const cell of tr.querySelectorAll('[aria-colindex]')) {
            cells[cell.getAttribute('aria-colindex')] = cell.textContent;
        }
        rows[tr.getAttribute('aria-rowindex')] = cells;
    }
    return {
        rows, n_rows: +table.getAttribute('aria-rowcount'), n_cols: +table.getAttribute('aria-colcount'),
        top: scroller.scrollTop, height: scroller.clientHeight, full_height: scroller.scrollHeight,
        left: scroller.scrollLeft, width: scroller.clientWidth, full_width: scroller.scrollWidth,
    };
}"""


def _settled_view(page: Page, grid, before: dict | None) -> dict:
    """The grid's cells in view once it has redrawn them after a scroll: the table holds the rows
    from the first to the last one the scroll position shows (ROW_HEIGHT each, under the header),
    and, when the scroll moved sideways, other columns than `before` (the view before it)."""
    first = last = 0
    shown: set[int] = set()
    for _ in range(100):
        view = grid.evaluate(_GRID_IN_VIEW)
        if view is None:
            page.wait_for_timeout(100)
            continue
        shown = {int(r) for r in view["rows"]}
        first = min(view["n_rows"], 2 + int(view["top"] // ROW_HEIGHT))
        last = min(view["n_rows"], 1 + int((view["top"] + view["height"]) // ROW_HEIGHT) - 1)
        moved_sideways = before is not None and before["left"] != view["left"]
        columns_redrawn = not moved_sideways or set(view["rows"]["1"]) != set(before["rows"]["1"])
        if {first, last} <= shown and columns_redrawn:
            return view
        page.wait_for_timeout(100)
    raise AssertionError(f"the grid did not redraw rows {first}–{last} (in view: {sorted(shown)})")


def grid_rows(page: Page, grid) -> list[list[str]]:
    """What a data grid shows, header first, cell texts as the grid gives them to screen readers
    (numbers without separators, dates and texts as shown). The cells are drawn on a canvas; the
    grid keeps a table of the rows and columns in view for screen readers, so the grid is scrolled
    from top to bottom and left to right until every row and column was read. A selectable grid's
    row-marker column (no header) is left out. (Streamlit's own "Download as CSV" is switched
    off: .streamlit/config.toml client.disableDataExport.)"""
    grid.scroll_into_view_if_needed()
    scroll = """(g, [top, left]) => {
        const s = g.querySelector('.dvn-scroller');
        if (s) { s.scrollTop = top; s.scrollLeft = left; }
    }"""
    seen: dict[int, dict[int, str]] = {}
    top, view = 0, None
    while True:
        left = 0
        while True:
            grid.evaluate(scroll, [top, left])
            view = _settled_view(page, grid, view)
            for r, cells in view["rows"].items():
                seen.setdefault(int(r), {}).update({int(c): t for c, t in cells.items()})
            if view["left"] + view["width"] >= view["full_width"]:
                break
            left += max(view["width"] // 2, 1)
        if view["top"] + view["height"] >= view["full_height"]:
            break
        top += max(view["height"] // 2, 1)
    assert sorted(seen) == list(range(1, view["n_rows"] + 1)), "some rows of the grid were never in view"
    columns = list(range(1, view["n_cols"] + 1))
    if seen[1].get(1, "") == "":  # the row markers of a selectable grid
        columns = columns[1:]
    return [[seen[r].get(c, "") for c in columns] for r in sorted(seen)]


def download_bytes(page: Page, button) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and content."""
    with page.expect_download() as download:
        button.click()
    with open(download.value.path(), "rb") as f:
        return download.value.suggested_filename, f.read()


def caption_count(page: Page, container) -> int:
    """N of the "共 N 条" caption of a list."""
    text = container.get_by_text(re.compile(r"^共 [\d,]+ 条")).first.inner_text()
    return int(re.search(r"共 ([\d,]+) 条", text).group(1).replace(",", ""))


def as_of(page: Page):
    """The as-of date the page shows (the month in the URL, as its last day; today's Beijing date
    for the view 截至今日, month=today)."""
    from dashboard.app import ui
    from dashboard.core.formatting import parse_month_param

    month = query_params(page).get("month")
    return ui.today() if month == ui.TODAY else parse_month_param(month)
