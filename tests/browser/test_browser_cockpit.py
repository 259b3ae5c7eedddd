"""总览 in a real browser at 1920×1080, as a leader: the summary strip, the three worst indicators and
the other tiles are on the first screen, the charts speak Chinese with only the download button in
their toolbar, a warning-type bar drills to 信用预警 for the office, and leadership's drill into
监测指标 stops with the reason."""

from __future__ import annotations

import dataclasses

import pytest
from browser_kit import PASSWORD, exceptions, go_to, metric_value, open_as, settle, shot

from dashboard.access import users
from dashboard.core.scope import AGGREGATES_ONLY
from dashboard.store import opstore

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def leader(app_server):
    """A leadership account on the test server."""
    engine = opstore.get_engine(app_server.settings)
    cheap = dataclasses.replace(app_server.settings.access, bcrypt_rounds=4)
    if users.get_user(engine, "leader1") is None:
        users.add_user(
            engine,
            "leader1",
            "leader",
            "test",
            display_name="leader1",
            password=PASSWORD,
            must_change_password=False,
            access=cheap,
        )
    opstore.dispose_all()
    return "leader1"


def test_the_leaders_cockpit_fits_one_screen_and_speaks_chinese(page, app_server, leader, screenshots):
    page.set_viewport_size(SCREEN)
    open_as(page, app_server.url, leader)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    settle(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(screenshots / "cockpit_leader_1920.png"))
    assert exceptions(page) == []
    assert metric_value(page, "全国排名").startswith("第")
    for label in ("未达标指标", "临界指标", "达标指标"):
        assert metric_value(page, label).endswith("项")
    assert metric_value(page, "预警中").endswith("条") and metric_value(page, "超期未处置").endswith("条")
    # the strip and the three worst indicators are on the first screen, without scrolling
    cards = page.locator('[class*="st-key-status-tile-"][class*="-worst-"]')
    assert 1 <= cards.count() <= 3
    for element in [page.locator('[class*="st-key-status-tile-"][class*="-overdue"]'), cards.last]:
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN["height"], box
    # the charts' toolbar: only the download button, in Chinese (no zoom, pan or 'Fullscreen')
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    buttons = chart.locator(".modebar-btn")
    buttons.first.wait_for(state="attached")
    assert [buttons.nth(i).get_attribute("data-title") for i in range(buttons.count())] == ["下载图片（PNG）"]
    # leadership sees no warning list: the bars do not lead to one
    assert page.get_by_text(AGGREGATES_ONLY, exact=True).count() >= 1
    shot(page, "cockpit_leader_full")


def test_the_leaders_drill_stops_at_the_indicator_with_the_reason(page, app_server, leader):
    open_as(page, app_server.url, leader)
    go_to(page, "监测指标")
    assert exceptions(page) == []
    reason = page.get_by_text(AGGREGATES_ONLY, exact=True)
    reason.scroll_into_view_if_needed()
    assert reason.is_visible()
    assert page.locator('[class*="st-key-table_detail_"]').count() == 0


def test_a_warning_type_bar_opens_the_warnings_of_that_type(page, app_server):
    page.set_viewport_size(SCREEN)
    open_as(page, app_server.url, "office1")
    chart = page.locator('[data-testid="stPlotlyChart"]').last  # 本月新增预警 by type
    chart.scroll_into_view_if_needed()
    bars = chart.locator("g.trace.bars g.point path")
    bars.first.wait_for(state="attached")
    widest = max(range(bars.count()), key=lambda i: (bars.nth(i).bounding_box() or {"width": 0})["width"])
    box = bars.nth(widest).bounding_box()
    assert box is not None and box["width"] > 0, "no warning was first seen this month on the test data"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/warnings?**")
    settle(page)
    assert "type=W" in page.url
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().startswith("信用预警")
