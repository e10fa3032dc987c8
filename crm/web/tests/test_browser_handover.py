"""The hand-over and the verification in a real browser (headless Chromium through Playwright):
the manager starts a departure, the leaver is signed out, the director signs the printable
record; the data administrator opens a round, a rep confirms a record, the progress shows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from crm.customers.tests.factories import make_customer

from .browser import SHOTS, menu, shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_departure_is_started_signed_and_printed(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    for i in range(4):
        make_customer(org.rep_a, name=f"星河机械{i}")

    sign_in(page, live_server.url, "manager")
    menu(page, "数据", "交接")
    page.get_by_role("link", name="发起交接").click()
    page.get_by_label("交出人").select_option(str(org.rep_a.pk))
    page.get_by_label("离职").check()
    page.get_by_label("李小红（rep_b）").check()
    page.get_by_label("交接原因").fill("个人原因离职")
    shoot(page, "handover-start")
    page.get_by_role("button", name="提交总监签字").click()
    expect(page.locator("body")).to_contain_text("已发起交接，等待总监签字")

    sign_in(page, live_server.url, "director")
    menu(page, "数据", "交接")
    page.get_by_role("link", name="JJ").first.click()
    expect(page.locator(".handover-record")).to_contain_text("星河机械3")
    shoot(page, "handover-record")
    page.get_by_role("button", name="签字确认并移交").click()
    expect(page.locator("body")).to_contain_text("交接单已签字，客户已移交")
    expect(page.locator(".handover-signatures")).to_contain_text("吴总监")
    if SHOTS:
        page.emulate_media(media="print")
        page.screenshot(path=str(Path(SHOTS) / "handover-print.png"), full_page=True)
        page.emulate_media(media="screen")

    # the leaver cannot sign in any more
    sign_in(page, live_server.url, "rep_a", signed_in=False)
    expect(page.locator("body")).to_contain_text("用户名")
    assert "/login/" in page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_round_is_opened_confirmed_and_its_progress_read(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    make_customer(org.rep_a, name="核查客户甲")
    make_customer(org.rep_b, name="核查客户乙")

    sign_in(page, live_server.url, "data")
    menu(page, "数据", "数据核查")
    page.get_by_label("名称").fill("四季度数据核查")
    page.get_by_label("截止日期").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
    shoot(page, "verification-list")
    page.get_by_role("button", name="发起").click()
    expect(page.locator("body")).to_contain_text("已发起核查，2 个客户")

    sign_in(page, live_server.url, "rep_a")
    page.get_by_role("link", name="待核查").first.click()
    expect(page.locator("body")).to_contain_text("核查客户甲")
    shoot(page, "verification-mine")
    page.get_by_role("button", name="确认无误").click()
    expect(page.locator("body")).to_contain_text("已确认")

    sign_in(page, live_server.url, "data")
    menu(page, "数据", "数据核查")
    page.get_by_role("link", name="四季度数据核查").click()
    expect(page.locator(".verification-totals")).to_contain_text("1")
    shoot(page, "verification-round")
