"""客户共享 in a real browser: the owner shares a customer from its page (laptop width), the
colleague opens it on a phone and is told it is read-only, with no edit buttons; nothing widens
the phone page. ``CRM_SCREENSHOTS=<dir>`` keeps a picture of each."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD
from crm.web.tests.test_browser import page, sync_api  # noqa: F401 - the shared browser fixture

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _sign_in(page, url: str, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    sync_api.expect(page).to_have_url(re.compile(r"/today/$"))


def _picture(page, name: str) -> None:  # noqa: F811
    folder = os.environ.get("CRM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_owner_shares_and_the_colleague_reads_on_a_phone(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    wang = make_customer(org.rep_a, name="王先生")

    page.set_viewport_size(LAPTOP)
    _sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/{wang.pk}/")
    panel = page.locator("#shares")
    panel.get_by_text("共享给同事").click()
    panel.get_by_label("共享给").select_option(label="赵大勇（销售二部）")
    panel.get_by_role("button", name="共享", exact=True).click()
    expect(page.locator("#shares")).to_contain_text("赵大勇")
    expect(page.locator("#shares")).to_contain_text("只读")
    _picture(page, "share-owner-1366")

    page.set_viewport_size(PHONE)
    _sign_in(page, live_server.url, "rep_c")
    page.goto(f"{live_server.url}/customers/?shared=1")
    expect(page.locator("#results")).to_contain_text("王先生")
    page.goto(f"{live_server.url}/customers/{wang.pk}/")
    expect(page.locator("#my-share")).to_contain_text("只读")
    expect(page.get_by_role("link", name="编辑", exact=True)).to_have_count(0)
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
    _picture(page, "share-colleague-390")
