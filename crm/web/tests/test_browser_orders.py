"""An order's way through 与顾客有关的过程控制程序 in a real browser (headless Chromium through
Playwright): the rep registers it from the customer's page (客户订购登记表) and submits it with
the 合同评审表's requirements; PMC, 品质部, 研发部, 生产部 and 采购部 each approve their part from
their review queue; the general manager signs it; the order is confirmed and the customer is a
retained customer."""

from __future__ import annotations

import pytest

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.orders.models import Order
from crm.orders.tests.factories import make_product, make_reviewers

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_order_is_reviewed_signed_and_makes_the_customer_retained(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    reviewers = make_reviewers(org)
    product = make_product(org, name="多参数监护仪", device_class="II")
    buyer = make_customer(
        org.rep_a, name="宁波仁济医院", kind="organization", category="intention", grade="A"
    )

    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/{buyer.pk}/")
    page.locator("[data-new-order]").click()
    expect(page.locator("h1")).to_contain_text("客户订购登记表")
    page.locator("#id_lines-0-product").select_option(str(product.pk))
    page.locator("#id_lines-0-quantity").fill("2")
    page.locator("#id_lines-0-colour").fill("白色")
    page.get_by_label("期望交付日期").fill("2099-06-30")
    shoot(page, "order-new")
    page.get_by_role("button", name="保存订单").click()
    expect(page.locator("body")).to_contain_text("已登记订单")
    page.locator("[data-submit-review]").click()
    page.get_by_label("质量要求").fill("符合 GB 9706.1，出厂检验合格")
    page.get_by_label("交付要求").fill("合同签订后 30 天内交付")
    page.get_by_label("保修要求").fill("整机保修一年")
    shoot(page, "order-submit")
    page.get_by_role("button", name="提交合同评审").click()
    expect(page.locator("body")).to_contain_text("已提交合同评审")
    order = Order.objects.get()

    for area, user in reviewers.by_area().items():
        sign_in(page, live_server.url, user.username)
        expect(page.locator("h1")).to_contain_text("待我评审")  # their home page
        page.get_by_role("link", name=order.number).click()
        form = page.locator(f'[data-review="{area}"]')
        form.get_by_role("textbox").fill("同意")
        if area == "quality":
            shoot(page, "order-review")
        form.get_by_role("button", name="同意", exact=True).click()
        expect(page.locator("body")).to_contain_text("已提交评审意见")

    sign_in(page, live_server.url, "gm")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator("#review")).to_contain_text("待总经理签署")
    shoot(page, "order-sign")
    page.locator("[data-sign]").click()
    expect(page.locator("body")).to_contain_text("已签署，订单已确认")
    expect(page.locator("h1")).to_contain_text("已确认")

    order.refresh_from_db()
    assert order.state == "confirmed"
    assert Customer.objects.get(pk=buyer.pk).category == "retained"
    page.goto(f"{live_server.url}/customers/{buyer.pk}/")
    expect(page.locator("body")).to_contain_text("保有客户")
    expect(page.locator(".customer-orders")).to_contain_text(order.number)
