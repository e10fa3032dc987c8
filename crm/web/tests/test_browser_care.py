"""满意度抽查 in a real browser (headless Chromium through Playwright): the service department
draws last month's sample, calls the customer and fills the survey with low scores, which opens
整改 for the customer's rep; the rep reports it done, the service department verifies and
closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.care.models import CareAction
from crm.care.tests.factories import retained
from crm.governance.models import AuditEvent

from .browser import menu, shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")
RATED = (
    "对销售顾问服务态度的满意度",
    "对产品及交付的满意度",
    "对交易过程（价格说明、手续办理）的满意度",
    "总体满意度",
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_low_score_by_phone_opens_an_action_that_is_closed(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    retained(org.rep_a, last_month, name="李先生")

    # the service department draws last month's sample
    sign_in(page, live_server.url, "service")
    menu(page, "服务", "满意度抽查")
    page.get_by_label("月份").fill(f"{last_month:%Y-%m}")
    page.get_by_label("抽查户数").fill("1")
    shoot(page, "care-surveys")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("body")).to_contain_text("已抽取")
    expect(page.locator("[data-calls]")).to_contain_text("李先生")
    shoot(page, "care-round")

    # calls the customer and fills the survey with low scores
    page.get_by_role("link", name="李先生").click()
    for label in RATED:
        page.locator(f'[data-question="{label}"]').get_by_label("2 不满意").check()
    page.get_by_label("回访备注").fill("交车比约定晚了一周")
    shoot(page, "care-call")
    page.get_by_role("button", name="保存回访结果").click()
    expect(page.locator("body")).to_contain_text("已发起整改")
    action = CareAction.objects.get()
    assert action.responsible == org.rep_a

    # the rep reports what was done
    sign_in(page, live_server.url, "rep_a")
    menu(page, "服务", "满意度抽查")
    page.get_by_role("link", name="整改事项").first.click()
    page.get_by_role("link", name=action.number).click()
    page.get_by_label("整改结果").fill("已上门致歉并赠送保养一次")
    shoot(page, "care-action")
    page.get_by_role("button", name="整改完成").click()
    expect(page.locator("[data-state]")).to_contain_text("已整改，待核实")

    # the service department verifies and closes it
    sign_in(page, live_server.url, "service")
    page.goto(f"{live_server.url}/care/actions/{action.pk}/")
    page.get_by_label("核实意见").fill("客户电话确认满意")
    page.get_by_role("button", name="核实通过，关闭").click()
    expect(page.locator("[data-state]")).to_contain_text("已关闭")
    assert list(
        AuditEvent.objects.filter(object_type="care.careaction")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["care_action.opened", "care_action.done", "care_action.closed"]
