"""In a real browser: a rep enters a customer's bank details (stored encrypted, ADR 0009) and
finds the customer again by a fragment of the phone number in the live search box."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connection

from crm.customers.models import Customer
from crm.testing import PASSWORD

from .test_browser import page  # noqa: F401 (the fixture)

sync_api = pytest.importorskip("playwright.sync_api")


def _shot(page, name: str) -> None:  # noqa: F811
    """Screenshots at both widths when CRM_SHOTS names a folder (for looking, not asserting)."""
    folder = os.environ.get("CRM_SHOTS")
    if not folder:
        return
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bank_details_are_entered_and_a_phone_fragment_finds_the_customer(
    live_server,
    org,
    page,  # noqa: F811
):
    expect = sync_api.expect
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("rep_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/today/$"))

    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_label("名称", exact=True).fill("钱七")
    page.get_by_label("电话", exact=True).fill("139 8765 4321")
    page.get_by_label("开户银行").fill("招商银行杭州分行")
    page.get_by_label("银行账号").fill("6225 8801 2345 6789")
    _shot(page, "form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("钱七")
    # bank details are secret (密级): the rep who typed them sees them masked from now on
    expect(page.locator(".detail-main")).to_contain_text("6225********6789")
    expect(page.locator(".detail-main")).not_to_contain_text("6225880123456789")
    expect(page.locator(".detail-main")).not_to_contain_text("招商银行杭州分行")
    _shot(page, "detail")

    customer = Customer.objects.get(name="钱七")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT phone, bank_account FROM customers_customer WHERE id = %s", [customer.pk]
        )
        phone, account = cur.fetchone()
    assert "98765" not in phone
    assert "6789" not in account

    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="客户", exact=True
    ).click()
    page.get_by_role("searchbox").press_sequentially("6543", delay=50)
    expect(page).to_have_url(re.compile(r"/customers/\?q=6543$"))
    expect(page.locator("#results")).to_contain_text("钱七")
