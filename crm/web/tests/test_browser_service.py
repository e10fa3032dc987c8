"""A customer complaint in a real browser (headless Chromium through Playwright), from the public
form to closure: the customer files it without signing in and gets a tracking number; the
service department accepts it, asks the customer's sales manager to help, resolves it and closes
it with the customer's confirmation; the printed 客户投诉处理表 shows every step; the customer
sees it resolved with the number and their phone."""

from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer
from crm.service.models import Complaint

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_complaint_from_the_public_form_to_closure(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    make_customer(org.rep_a, name="星河机械", phone="13911112222")

    # the customer files a complaint (the form must stay open a few seconds: the guard's timer)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complain/")
    page.get_by_label("您的姓名").fill("王总")
    page.get_by_label("联系电话").fill("13911112222")
    page.get_by_label("投诉类别").select_option("product")
    page.get_by_label("产品").fill("A3 机床")
    page.get_by_label("投诉内容").fill("主轴异响，<b>停机</b>两天")
    shoot(page, "service-public-form")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="提交投诉").click()
    number = page.locator("[data-number]").inner_text()
    complaint = Complaint.objects.get()
    assert number == complaint.number
    assert complaint.customer is not None

    # the service department works it
    sign_in(page, live_server.url, "service")
    page.get_by_role("link", name="客户投诉").first.click()
    page.get_by_role("link", name=number).click()
    expect(page.locator("[data-description]")).to_contain_text("<b>停机</b>")  # shown as typed
    page.locator("[data-form=accept]").get_by_role("button", name="提交").click()
    expect(page.locator("[data-handler]")).to_contain_text("冯客服")
    page.locator("[data-op=start]").click()
    page.locator("summary", has_text="请其他部门协助").click()
    page.locator("[data-form=collaborator] select").select_option(label="陈经理（销售一部）")
    page.locator("[data-form=collaborator]").get_by_label("协助事项").fill("核实安装记录")
    page.locator("[data-form=collaborator]").get_by_role("button", name="提交").click()
    expect(page.locator("[data-steps]")).to_contain_text("核实安装记录")
    page.locator("[data-form=resolve]").get_by_label("处理结果").fill("更换主轴轴承")
    page.locator("[data-form=resolve]").get_by_label("责任部门").select_option(label="销售一部")
    page.locator("[data-form=resolve]").get_by_role("button", name="提交").click()
    page.locator("[data-form=close]").get_by_label("客户满意度（1–5）").fill("5")
    page.locator("[data-form=close]").get_by_label("客户意见").fill("满意")
    shoot(page, "service-complaint")
    page.locator("[data-form=close]").get_by_role("button", name="提交").click()
    expect(page.locator("[data-state]")).to_have_text("已结案")

    # the printed form carries every step
    page.get_by_role("link", name="打印投诉处理表").click()
    expect(page.locator(".print-form")).to_contain_text("更换主轴轴承")
    expect(page.locator(".print-form")).to_contain_text("核实安装记录")
    shoot(page, "service-print")

    # the customer follows it with the number and the phone
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/complain/track/")
    page.get_by_label("投诉编号").fill(number)
    page.get_by_label("联系电话").fill("13911112222")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-found]")).to_contain_text("已结案")
    expect(page.locator("[data-found]")).to_contain_text("更换主轴轴承")
    complaint.refresh_from_db()
    assert (complaint.state, complaint.satisfaction) == ("closed", 5)

    # the general manager reads the month's statistics
    sign_in(page, live_server.url, "gm")
    page.goto(f"{live_server.url}/service/complaints/")
    shoot(page, "service-list")
    page.get_by_role("link", name="统计月报").click()
    expect(page.locator("[data-total]")).to_have_text("1")
    expect(page.locator("[data-chart=trend-chart] svg")).to_have_count(1)  # drawn (CSP-safe)
    shoot(page, "service-report")
    page.get_by_role("link", name="时限与日历").click()
    expect(page.locator("body")).to_contain_text("国庆节")
    shoot(page, "service-sla")
