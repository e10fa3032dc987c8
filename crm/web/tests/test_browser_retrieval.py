"""客户数据调用申请 in a real browser (headless Chromium through Playwright): a rep filters the
customer list and asks to export it, the department director and then the general manager approve
it in their approvals inbox, the rep downloads the watermarked file once."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from crm.customers.tests.factories import make_customer
from crm.retrieval.models import DataRequest

from .browser import menu, shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_exports_the_filtered_list_after_two_approvals(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    make_customer(org.rep_a, name="星河机械", phone="13911112222")
    make_customer(org.rep_a, name="星河贸易", phone="13911113333")
    make_customer(org.rep_a, name="晨光商店")

    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/?q=星河")
    expect(page.locator("#results")).to_contain_text("星河贸易")
    page.get_by_role("button", name="申请导出").click()
    expect(page.locator("[data-count]")).to_contain_text("共 2 条客户")
    page.get_by_label("调用用途").fill("展会邀请函寄送")
    page.get_by_label("接收方（单位、人员）").fill("会务公司 张经理")
    shoot(page, "retrieval-new")
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator("body")).to_contain_text("等待部门总监和总经理审批")

    for who in ("director", "gm"):
        sign_in(page, live_server.url, who)
        page.get_by_role("link", name="审批").first.click()
        expect(page.locator("#to-decide")).to_contain_text("客户数据调用申请")
        if who == "director":
            shoot(page, "retrieval-approval")
        page.locator("#to-decide").get_by_role("button", name="批准").click()
        expect(page.locator("body")).to_contain_text("已")

    sign_in(page, live_server.url, "rep_a")
    menu(page, "数据", "数据调用")
    page.get_by_role("link", name="DY").first.click()
    shoot(page, "retrieval-detail")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出文件（仅一次）").click()
    saved = download.value
    assert saved.suggested_filename.endswith(".xlsx")
    with open(saved.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert "星河机械" in values
    assert "晨光商店" not in values
    number = DataRequest.objects.get().number
    assert any(str(v).startswith(f"{number}/王小明/") for v in values)

    page.reload()
    expect(page.locator("body")).to_contain_text("已导出")
    expect(page.get_by_role("button", name="导出文件（仅一次）")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_exports_the_filtered_order_list_at_once(live_server, org, page):  # noqa: F811
    from crm.orders.tests.factories import make_order, make_product

    expect = sync_api.expect
    product = make_product(org)
    make_order(org.rep_a, make_customer(org.rep_a, name="星河机械"), product)
    make_order(org.rep_a, make_customer(org.rep_a, name="晨光商店"), product)

    # the order list, filtered, and its export: a few rows need nobody's signature
    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/orders/")
    page.get_by_placeholder("订单编号、客户或款号").fill("星河")
    expect(page.locator("#order-rows")).not_to_contain_text("晨光商店")
    page.get_by_role("button", name="导出", exact=True).click()
    expect(page.locator("[data-count]")).to_contain_text("共 1 条")
    expect(page.locator("body")).to_contain_text("无需审批")
    page.get_by_label("用途").fill("月底对账")
    page.get_by_label("接收方（单位、人员）").fill("财务部")
    page.get_by_label("CSV (.csv)").check()
    shoot(page, "list-export-new")
    page.get_by_role("button", name="登记并导出").click()
    expect(page.locator("body")).to_contain_text("可以导出（仅一次）")
    shoot(page, "list-export-detail")

    with page.expect_download() as download:
        page.get_by_role("button", name="导出文件（仅一次）").click()
    saved = download.value
    assert saved.suggested_filename.endswith(".csv")
    with open(saved.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    number = DataRequest.objects.get().number
    assert f"订单导出 {number}" in text
    assert "星河机械" in text
    assert "晨光商店" not in text
