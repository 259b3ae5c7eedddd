"""The monthly cycle in a real browser: a department submits its monthly feedback and the office
confirms it (N0); presentation mode advances through every view by keyboard and by click, each
view screenshotted (tests/artifacts/screenshots/present_<n>_<view>.png)."""

import pytest
from browser_kit import SCREENSHOTS, choose, exceptions, go_to, open_as, settle, shot, sign_in

from dashboard.app import presentation

pytestmark = pytest.mark.browser


def test_department_submits_and_office_confirms(page, app_server, screenshots):
    open_as(page, app_server.url, "tax1", "月度反馈")
    page.get_by_text("市税务局 ·").first.wait_for()
    page.get_by_label("下一步工作", exact=True).fill("浏览器测试：下月完成剩余约谈")
    page.get_by_role("button", name="提交市信用办").click()
    settle(page)
    page.get_by_text("已提交市信用办。").wait_for()
    assert exceptions(page) == []
    shot(page, "feedback_submitted")

    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名", exact=True).wait_for()
    sign_in(page, "office1")
    go_to(page, "月度反馈")
    page.get_by_text("反馈情况").wait_for()
    shot(page, "feedback_board")
    choose(page, "责任单位", "市税务局")
    page.get_by_text("浏览器测试：下月完成剩余约谈").wait_for()
    page.get_by_role("button", name="确认").click()
    settle(page)
    page.get_by_text("已确认。").wait_for()
    page.get_by_text("市信用办已确认本月反馈。").wait_for()
    assert exceptions(page) == []
    shot(page, "feedback_confirmed")


def test_presentation_mode_advances_through_every_view(page, app_server, screenshots):
    open_as(page, app_server.url, "office1", "演示模式")
    total = len(presentation.VIEWS)
    for number, (key, title) in enumerate(presentation.VIEWS, start=1):
        page.get_by_text(f"{number} / {total}　{title}").wait_for()
        page.locator(f".st-key-present_{key}").wait_for()
        assert exceptions(page) == []
        assert not page.locator('[data-testid="stSidebar"]').is_visible()  # full screen: no sidebar
        page.wait_for_timeout(600)  # let the charts draw before the picture
        page.screenshot(path=str(shot_path(number, key)))
        if number % 2:
            page.keyboard.press("ArrowRight")
        else:
            page.get_by_role("button", name=presentation.NEXT_LABEL).click()
        settle(page)
    # past the last view it starts again at the cover; ← goes back to the last view
    page.get_by_text(f"1 / {total}　封面").wait_for()
    page.keyboard.press("ArrowLeft")
    settle(page)
    page.get_by_text(f"{total} / {total}　{presentation.VIEWS[-1][1]}").wait_for()

    # an office screen: with rotate=2 the views advance by themselves (the browser's session
    # resumes: no sign-in)
    page.goto(f"{app_server.url}/present?rotate=2&view=1")
    page.get_by_text(f"1 / {total}　封面").wait_for()
    page.get_by_text(f"2 / {total}　{presentation.VIEWS[1][1]}").wait_for(timeout=60_000)
    page.get_by_text(f"3 / {total}　{presentation.VIEWS[2][1]}").wait_for(timeout=60_000)


def shot_path(number: int, key: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"present_{number}_{key}.png"
