"""The frame's filters in a real browser: 统计月份 chosen on one page survives a click on a sidebar
link (Streamlit's menu opens a page without query parameters; the frame puts the month back), and a
department lands on its home (本单位工作台), screenshotted."""

import pytest
from browser_kit import choose, exceptions, go_to, heading_texts, open_as, query_params, select_options, shot

pytestmark = pytest.mark.browser


def test_month_survives_a_sidebar_link(page, app_server, screenshots):
    open_as(page, app_server.url, "office1", "监测指标")
    offered = select_options(page, "统计月份")
    older = offered[2]  # two months before the latest complete month
    choose(page, "统计月份", older)
    month = query_params(page)["month"]
    assert month != "today"

    go_to(page, "信用预警")  # a sidebar link: no query parameters in its URL
    assert query_params(page)["month"] == month
    assert heading_texts(page)[0] == f"信用预警 · {older}"
    assert page.get_by_role("combobox", name="统计月份", exact=True).input_value() == older
    go_to(page, "责任单位")
    assert query_params(page)["month"] == month
    assert exceptions(page) == []
    shot(page, "month_after_sidebar_link")


def test_a_department_lands_on_its_home(page, app_server, screenshots):
    open_as(page, app_server.url, "tax1")
    assert heading_texts(page)[0] == "本单位工作台"
    assert query_params(page)["month"] == "today"
    page.get_by_text("超期未处置（").first.wait_for()
    assert exceptions(page) == []
    shot(page, "department_home")
