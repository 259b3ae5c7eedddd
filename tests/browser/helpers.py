"""Steps shared by the browser tests: open a page as a user, wait for Streamlit to finish the
script run, check for exceptions, take screenshots."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page, TimeoutError as PlaywrightTimeout

from dashboard.settings import PROJECT_DIR

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


def open_as(page: Page, base_url: str, username: str, path: str = "", **params: str) -> None:
    """Open a page of the dashboard in a new session and sign in as `username`."""
    query = f"?{urlencode(params)}" if params else ""
    page.goto(f"{base_url}/{path}{query}")
    page.get_by_label("用户名", exact=True).wait_for()
    sign_in(page, username)


def exceptions(page: Page) -> list[str]:
    """The texts of the exception elements on the page (empty when the run raised nothing)."""
    return [e.inner_text() for e in page.locator(EXCEPTION).all()]


def heading_texts(page: Page) -> list[str]:
    return [h.inner_text().strip() for h in page.locator('[data-testid="stMain"] h1').all()]


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot under tests/artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def nav_link(page: Page, title: str):
    return page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title)


def query_params(page: Page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(page.url).query))
