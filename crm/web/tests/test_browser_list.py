"""A manager's customer list in a real browser (headless Chromium through Playwright): sort by
a column, apply a saved view, tick a customer and hand it to another rep through the bulk bar,
see the new owner on the list, and save a view of a filter chosen in place."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from crm.customers import listviews
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD

from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


def names_in_order(tab) -> list[str]:
    return [t.strip() for t in tab.locator("#results td.col-name a").all_inner_texts()]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sort_apply_a_saved_view_and_transfer_a_selection(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    now = timezone.now()
    for name, hours, grade in (("早联系", 48, "H"), ("刚联系", 1, "H"), ("没级别", 24, "")):
        data = {"category": "intention", "grade": grade} if grade else {}
        c = make_customer(org.rep_a, name=name, **data)
        Customer.objects.filter(pk=c.pk).update(last_contact_at=now - dt.timedelta(hours=hours))
    listviews.view_save(actor=org.manager, name="H级客户", params={"grade": "H"}, columns=[])

    # the manager signs in and opens the list
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("[data-count]")).to_contain_text("共 3 位客户")

    # sort by 最近跟进: the latest first, then the other way
    page.locator("th a.sort-link", has_text="最近跟进").click()
    expect(page).to_have_url(re.compile(r"sort=-last_contact"))
    assert names_in_order(page) == ["刚联系", "没级别", "早联系"]
    page.locator("th a.sort-link", has_text="最近跟进").click()
    expect(page).to_have_url(re.compile(r"sort=last_contact"))
    expect(page.locator("#results td.col-name a").first).to_have_text("早联系")

    # apply the saved view from the 视图 menu
    page.locator("summary", has_text="视图").click()
    page.get_by_role("link", name="H级客户").click()
    expect(page.locator("#results")).not_to_contain_text("没级别")
    expect(page.locator("[data-count]")).to_contain_text("共 2 位客户")

    # tick 刚联系 and hand it to 李小红
    page.get_by_role("checkbox", name="选择 刚联系").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("1")
    page.locator("#id_operation").select_option("transfer")
    page.locator("#id_bulk_owner").select_option(str(org.rep_b.pk))
    page.get_by_role("button", name=re.compile("对所选客户执行")).click()

    expect(page.locator("body")).to_contain_text("已转移 1 位")
    row = page.locator("#results tr", has_text="刚联系")
    expect(row).to_contain_text("李小红")
    assert Customer.objects.get(name="刚联系").owner == org.rep_b

    # a filter chosen in place (htmx) is what a view saved afterwards keeps
    page.goto(f"{live_server.url}/customers/")
    page.locator("#id_category").select_option("intention")
    expect(page).to_have_url(re.compile(r"category=intention"))
    page.locator("summary", has_text="视图").click()
    page.locator("#id_view_name").fill("意向客户")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("body")).to_contain_text("已保存视图“意向客户”")
    assert listviews.own_views(actor=org.manager).get(name="意向客户").params == {
        "category": "intention"
    }
