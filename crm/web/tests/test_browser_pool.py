"""The public pool in a real browser (headless Chromium through Playwright): a rep opens 公海,
sees a returned customer with the phone masked, claims it, and finds it in their own list with
the whole number."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.customers.tests.factories import make_customer
from crm.pool import services
from crm.testing import PASSWORD

from .browser import shoot
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_claims_from_the_pool_and_sees_it_in_their_list(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    pool = services.pool_create(
        actor=org.gm,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
            "hidden_fields": ["company"],
        },
    )
    services.rule_add(actor=org.gm, pool_id=pool.pk, data={"kind": "no_followup", "days": 10})
    make_customer(org.rep_a, name="星河机械", phone="13911112222", company="星河集团")
    services.pool_return_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=11))

    # rep_b signs in and opens 公海: the customer, its phone masked, its company hidden
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("rep_b")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="公海").first.click()
    row = page.locator("table.pool-list tr", has_text="星河机械")
    expect(row).to_contain_text("139****2222")
    expect(page.locator("body")).not_to_contain_text("13911112222")
    expect(page.locator("body")).not_to_contain_text("星河集团")
    shoot(page, "pool-list")

    # claims it
    page.get_by_role("checkbox", name="选择 星河机械").check()
    page.get_by_role("button", name="领取所选客户").click()
    expect(page.locator("body")).to_contain_text("已领取 1 位客户")
    expect(page.locator("body")).to_contain_text("公海中暂时没有客户")

    # and finds it in their list, the whole record theirs
    page.goto(f"{live_server.url}/customers/?mine=1")
    page.get_by_role("link", name="星河机械").first.click()
    expect(page.locator("body")).to_contain_text("13911112222")
    expect(page.locator("body")).to_contain_text("星河集团")
