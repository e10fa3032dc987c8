"""老带新 in a real browser: a new customer whose link was completed after the first visit cannot
sign until the paperwork is done; the manager records the three confirmations on the customer's
page, and the deal then goes through."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.customers.tests.factories import make_customer
from crm.referrals import services
from crm.testing import PASSWORD
from crm.web.tests.test_browser import page, sync_api  # noqa: F401 - the shared browser fixture


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_completes_a_pending_link_and_the_customer_can_then_sign(
    live_server,
    org,
    page,  # noqa: F811
):
    expect = sync_api.expect
    old = make_customer(org.rep_b, name="老业主", category="retained")
    new = make_customer(
        org.rep_a,
        name="朋友介绍客户",
        category="intention",
        grade="H",
    )
    services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # the deal is refused while the link waits for its confirmations
    today = timezone.localdate().isoformat()
    page.goto(f"{live_server.url}/customers/{new.pk}/transition/")
    page.locator("label.chip", has_text="成交").click()
    page.locator("input[name=deal_on]").fill(today)
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator("body")).to_contain_text("老带新关联手续未补齐")

    # the manager records the three confirmations on the customer's page
    page.goto(f"{live_server.url}/customers/{new.pk}/")
    panel = page.locator("#referral")
    expect(panel).to_contain_text("待补齐手续")
    for party in ("老客户", "新客户", "销售经理"):
        panel.get_by_role("button", name=f"记录{party}确认").click()
        expect(page.locator("#flash")).to_contain_text(f"已记录{party}确认")
    expect(panel).to_contain_text("已确认")
    expect(panel).to_contain_text("陈经理")

    # and the customer signs
    page.goto(f"{live_server.url}/customers/{new.pk}/transition/")
    page.locator("label.chip", has_text="成交").click()
    page.locator("input[name=deal_on]").fill(today)
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator("h1")).to_contain_text("保有客户")
