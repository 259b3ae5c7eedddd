"""Chinese everywhere, in a real browser: `/cockpit` (every page key is a path), an unknown path told
in Chinese on the viewer's home page instead of Streamlit's English "Page not found" dialog, and the
toolbar, search bar and column menu of a table in Chinese (no "Download as CSV")."""

import re

import pytest
from browser_kit import exceptions, go_to, heading_texts, settle, shot, sign_in, table_grid
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# the visible text of an element without its Material icons (drawn from ligature names like "sort")
TEXT_WITHOUT_ICONS = """(el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stIcon"]').forEach((e) => e.remove());
    return copy.textContent;
}"""


def _path(page) -> str:
    from urllib.parse import urlparse

    return urlparse(page.url).path


def _open(page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("用户名", exact=True).wait_for()
    assert page.get_by_text("Page not found").count() == 0
    sign_in(page, username)


def test_cockpit_is_a_working_path(page, app_server, screenshots):
    _open(page, f"{app_server.url}/cockpit", "office1")
    assert any(h.startswith("城市信用监测总览") for h in heading_texts(page)), heading_texts(page)
    assert _path(page) == "/cockpit"
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("页面不存在").count() == 0
    assert exceptions(page) == []


def test_an_unknown_path_is_told_in_chinese_and_lands_on_home(page, app_server, screenshots):
    _open(page, f"{app_server.url}/nonexistent", "office1")
    page.get_by_text("页面不存在").first.wait_for()
    assert (
        "页面不存在：您打开的链接“/nonexistent”没有对应的页面，已为您打开首页“总览”。"
        in page.locator('[data-testid="stAlert"]').all_inner_texts()
    )
    assert any(h.startswith("城市信用监测总览") for h in heading_texts(page)), heading_texts(page)
    assert _path(page) == "/cockpit"
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("You have requested page").count() == 0
    assert exceptions(page) == []
    shot(page, "chinese_404_office")


def test_an_unknown_path_takes_a_department_to_its_own_home(page, app_server, screenshots):
    _open(page, f"{app_server.url}/nonexistent", "tax1")
    alert = page.get_by_text("页面不存在")
    alert.first.wait_for()
    assert "已为您打开首页" in alert.first.inner_text()
    assert _path(page) != "/cockpit"  # a department opens no 总览
    assert page.get_by_text("Page not found").count() == 0
    assert exceptions(page) == []
    shot(page, "chinese_404_department")


def test_table_toolbar_search_and_column_menu_are_chinese(office_tab, screenshots):
    tab = office_tab
    go_to(tab, "数据质量")
    grid = table_grid(tab, "rows_per_entity")
    grid.scroll_into_view_if_needed()
    grid.hover()
    toolbar = grid.locator('[data-testid="stElementToolbar"] button')
    toolbar.first.wait_for()
    assert [b.get_attribute("aria-label") for b in toolbar.all()] == ["显示/隐藏列", "查找", "全屏"]

    toolbar.nth(1).hover()
    tooltip = tab.locator('[data-testid="stTooltipContent"]').filter(has_text="查找")
    tooltip.first.wait_for()

    # the column menu: its button shows at the right end of a header cell under the pointer (the
    # last column's is at the grid's right edge)
    box = grid.bounding_box()
    x, y = box["x"] + box["width"] - 14, box["y"] + 17
    menu = tab.locator('[data-testid="stDataFrameColumnMenu"]')
    for _ in range(5):
        tab.mouse.move(x - 40, y)
        tab.mouse.move(x, y)
        tab.wait_for_timeout(300)  # the button is drawn once the pointer rests on the header
        tab.mouse.click(x, y)
        try:
            menu.wait_for(timeout=3000)
            break
        except PlaywrightTimeout:  # the click came before the button was drawn: again
            continue
    menu.wait_for()
    menu.get_by_role("menuitem").filter(has_text="统计").hover()
    statistics = tab.locator('[data-testid="stDataFrameStatisticsContent"]')
    statistics.wait_for()
    shot(tab, "chinese_column_menu")
    for part in (menu, statistics):
        text = part.evaluate(TEXT_WITHOUT_ICONS)
        assert "升序排列" in text or "有值" in text, text
        assert not LATIN_WORD.search(text), text
    tab.keyboard.press("Escape")
    settle(tab)

    grid.hover()
    toolbar.nth(1).click()
    search = grid.locator(".gdg-search-bar")
    search.wait_for()
    assert "输入关键字查找" in search.inner_text()
    tab.keyboard.type("行政")
    tab.wait_for_function(
        "(g) => /^共 \\d+ 处$/.test(g.querySelector('[data-testid=\"search-result-area\"]')?.textContent || '')",
        arg=grid.element_handle(),
    )
    shot(tab, "chinese_table_search")
    tab.keyboard.press("Escape")
    settle(tab)
    assert exceptions(tab) == []
