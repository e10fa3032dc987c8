"""What the browser tests share besides the Chromium fixture (``test_browser.page``): signing in
through the login form, and screenshots at a laptop's and a phone's width for a review
(``CRM_SCREENSHOTS=/some/dir``; nothing is saved without it)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from crm.testing import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")

SHOTS = os.environ.get("CRM_SCREENSHOTS", "")
WIDTHS = ((1366, 900), (390, 844))


def shoot(tab: Any, name: str) -> None:
    """``name-1366.png`` and ``name-390.png`` of the whole page, when screenshots are asked for."""
    if not SHOTS:
        return
    for width, height in WIDTHS:
        tab.set_viewport_size({"width": width, "height": height})
        tab.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    tab.set_viewport_size({"width": 1366, "height": 900})


def sign_in(tab: Any, url: str, username: str, *, signed_in: bool = True) -> None:
    """Sign out, then in as ``username`` through the form; ``signed_in``: wait until the login
    page is left (False for a sign-in that is meant to be refused)."""
    tab.context.clear_cookies()
    tab.goto(f"{url}/login/")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    if signed_in:
        sync_api.expect(tab).not_to_have_url(re.compile(r"/login/"))


def menu(tab: Any, group: str, link: str) -> None:
    """Open the bar's menu ``group`` (销售, 数据, 设置 …) and follow its ``link``."""
    nav = tab.get_by_role("navigation", name="主导航")
    nav.locator("summary:not(.nav-user)", has_text=group).click()
    nav.get_by_role("link", name=link, exact=True).click()


def sign_out(tab: Any) -> None:
    """Sign out through the user menu at the end of the bar."""
    tab.locator("summary.nav-user").click()
    tab.get_by_role("button", name="退出").click()
