"""A manager turns on two-step verification in a real browser (headless Chromium): the QR code
and the key on the settings page, the first code, the recovery codes; then signs in again with
password and code. Screenshots of both pages at desktop and phone widths go to
CRM_SCREENSHOT_DIR when it is set."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from crm.testing import PASSWORD

from .browser import shoot, sign_out
from .test_browser import page  # noqa: F401 (the fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_enrols_and_signs_in_with_a_code(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))

    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="启用两步验证").click()
    expect(page.locator(".qr svg")).to_be_visible()
    shoot(page, "2fa-enrol")
    key = page.locator("#secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.get_by_label("验证码").fill(totp.now())
    page.get_by_role("button", name="启用两步验证").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shoot(page, "2fa-recovery-codes")

    sign_out(page)
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/login/code/$"))
    shoot(page, "2fa-sign-in")
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证并登录").click()
    expect(page.locator(".field-error")).to_contain_text("验证码不正确")
    # the code of the enrolment is used up; the app's next one (30 s on) is accepted already
    page.get_by_label("验证码").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="验证并登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    page.goto(f"{live_server.url}/settings/")
    expect(page.locator("#two-factor")).to_contain_text("已启用")
    shoot(page, "2fa-settings")
