"""客户资料变更申请 in a real browser (headless Chromium through Playwright): a rep changes a
customer's phone with a reason, the page says the change waits for approval and the phone is
unchanged; the data administrator approves it on 审批, and the customer shows the new phone."""

from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")

OLD, NEW = "13911112222", "13955556666"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reps_phone_change_is_approved_by_the_data_administrator(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    customer = make_customer(org.rep_a, name="星河机械", phone=OLD)
    detail = f"{live_server.url}/customers/{customer.pk}/"

    # the rep changes the phone, says why, and saves
    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{detail}edit/")
    page.get_by_label("电话").fill(NEW)
    page.get_by_label("变更原因").fill("客户更换了手机号码")
    shoot(page, "change-form")
    page.get_by_role("button", name="保存").click()

    # the customer page says the change waits; the phone is still the old one
    expect(page.locator("body")).to_contain_text("已提交变更申请")
    expect(page.locator(".pending-banner")).to_contain_text("变更申请审批中：电话")
    expect(page.locator("body")).to_contain_text(OLD)
    shoot(page, "change-pending")

    # the data administrator finds it on 审批, sees what changes, and approves it
    sign_in(page, live_server.url, "data")
    page.goto(f"{live_server.url}/approvals/")
    item = page.locator(".approval-item", has_text="星河机械")
    expect(item).to_contain_text(f"{OLD} → {NEW}")
    expect(item).to_contain_text("客户更换了手机号码")
    shoot(page, "change-inbox")
    item.get_by_label("审批意见").fill("已电话核实")
    item.get_by_role("button", name="批准").click()
    expect(page.locator("body")).to_contain_text("已批准")

    # the customer now shows the new phone, and the banner is gone
    page.goto(detail)
    expect(page.locator("body")).to_contain_text(NEW)
    expect(page.locator(".pending-banner")).to_have_count(0)
    shoot(page, "change-approved")
