"""调查表 in a real browser (headless Chromium through Playwright): the manager builds a small
purchase questionnaire with a ranked question (购房动机, first to third reason) and publishes it,
the rep fills it from an owner's customer page, and the analysis page draws the chart."""

from __future__ import annotations

import pytest

from crm.customers.tests.factories import make_customer
from crm.questionnaires import installer, services
from crm.questionnaires.models import Questionnaire

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_builds_a_form_a_rep_fills_it_the_analysis_charts_it(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    owner = make_customer(org.rep_a, name="李业主", category="retained")

    # the manager builds the form
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/forms/")
    page.get_by_label("表单名称").fill("购房问卷")
    page.get_by_label("保有客户").check()
    page.get_by_role("button", name="新建并设计题目").click()
    add = page.locator("#add-question")
    add.get_by_label("题型").select_option("ranked")
    add.get_by_label("题目").fill("购房动机")
    add.get_by_label("选项（每行一个，按顺序）").fill("改善居住环境\n成家\n子女教育\n投资")
    add.get_by_label("排序题最多填几项").fill("3")
    add.get_by_role("button", name="添加题目").click()
    expect(page.locator(".builder-question")).to_contain_text("购房动机")
    shoot(page, "forms-builder")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("body")).to_contain_text("第 1 版已发布")

    # the rep fills it on the owner's page
    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/{owner.pk}/")
    expect(page.locator(".customer-forms")).to_contain_text("购房问卷")
    page.locator(".customer-forms").get_by_role("link", name="填写").click()
    page.get_by_label("购房动机 第一").select_option("子女教育")
    page.get_by_label("购房动机 第二").select_option("投资")
    shoot(page, "forms-fill")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已保存“购房问卷”")

    # the manager reads the analysis: the ranked chart is drawn
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/forms/")
    page.get_by_role("link", name="分析").first.click()
    card = page.locator(".question-stats", has_text="购房动机")
    expect(card.locator(".report-chart svg")).to_have_count(1)
    expect(card.locator("table")).to_contain_text("子女教育")
    page.wait_for_timeout(1000)  # the chart's animation, for the screenshot
    shoot(page, "forms-analysis")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_installed_templates_are_filled_and_analysed(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    owners = [make_customer(org.rep_a, name=f"业主{n}", category="retained") for n in range(12)]
    fleet = make_customer(org.rep_a, name="顺达物流有限公司", kind="organization")
    installer.install(actor=org.manager, industry="realestate", demo_responses=True)
    installer.install(actor=org.manager, industry="truck")
    deal = Questionnaire.objects.get(name="成交客户信息登记表")
    version = services.published(deal)
    assert version is not None
    motive = version.questions.get(label="本次的购房动机")
    age = version.questions.get(label="年龄")

    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/forms/{deal.pk}/analysis/?rows=q{motive.pk}&columns=q{age.pk}")
    expect(page.locator(".crosstab table")).to_contain_text("合计")
    expect(page.locator(".question-stats")).to_have_count(version.questions.count())
    page.wait_for_timeout(1000)
    shoot(page, "forms-template-analysis")
    page.get_by_role("link", name="答卷").first.click()
    expect(page.locator("body")).to_contain_text(owners[0].name)
    shoot(page, "forms-template-responses")

    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/{fleet.pk}/")
    expect(page.locator(".customer-forms")).to_contain_text("卡车销售大客户信息备案表")
    shoot(page, "forms-customer")
    truck = Questionnaire.objects.get(name="卡车销售大客户信息备案表")
    page.goto(f"{live_server.url}/forms/{truck.pk}/customers/{fleet.pk}/")
    page.get_by_label("客户名称").fill("顺达物流")
    page.get_by_label("拜访计划 1").first.fill("3月5日")
    shoot(page, "forms-truck-fill")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已保存")
