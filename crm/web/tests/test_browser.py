"""Real browser runs (headless Chromium through Playwright): sign in, create 张三丰, find him by
typing ``zsf`` in the live search box and see his history; and a rep's morning: an overdue
customer on the Today page, a call recorded in place, the customer off the overdue list."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connections

from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD

from .browser import sign_out

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page(monkeypatch):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
    # Only for these tests: set at import, it switched Django's check off for the whole run.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN")
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        # The test body ran inside Playwright's greenlet, which has its own context and so its
        # own database connection; close it, or PostgreSQL cannot drop the test database.
        connections.close_all()
        context.close()
        browser.close()


@pytest.mark.browser
# Transactional (the browser talks to a live server in another thread), and each starts from the
# data the migrations seed (roles, grades, defeat reasons): a transactional test empties every
# table when it ends, so the one after it in the same process would find none.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_in_create_find_by_pinyin_and_see_history(live_server, org, page):
    expect = sync_api.expect
    make_customer(org.rep_a, name="李四光")  # someone the search must filter out

    # sign in
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("rep_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/today/$"))
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="客户", exact=True
    ).click()
    expect(page.locator("#results")).to_contain_text("李四光")

    # create 张三丰 with a phone
    page.get_by_role("link", name="新建客户").click()
    page.get_by_label("名称", exact=True).fill("张三丰")
    page.get_by_label("电话", exact=True).fill("139 1234 5678")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("张三丰")
    expect(page.locator(".detail-main")).to_contain_text("13912345678")

    # find him by pinyin initials in the live search box (htmx swaps only the rows)
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="客户", exact=True
    ).click()
    expect(page.locator("#results")).to_contain_text("李四光")
    page.get_by_role("searchbox").press_sequentially("zsf", delay=50)
    expect(page.locator("#results")).not_to_contain_text("李四光")
    expect(page.locator("#results")).to_contain_text("张三丰")
    expect(page).to_have_url(re.compile(r"/customers/\?q=zsf$"))

    # open him: the history shows the creation and this very view
    page.locator("#results").get_by_role("link", name="张三丰").click()
    history = page.locator("#history")
    expect(history.locator(".event-created")).to_contain_text("创建")
    expect(history.locator(".event-viewed").first).to_contain_text("查看")
    expect(history.locator(".event-viewed").first).to_contain_text("王小明")


@pytest.mark.browser
# Transactional (the browser talks to a live server in another thread), and each starts from the
# data the migrations seed (roles, grades, defeat reasons): a transactional test empties every
# table when it ends, so the one after it in the same process would find none.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rep_records_a_call_and_the_customer_leaves_the_overdue_list(live_server, org, page):
    from .conftest import make_due

    expect = sync_api.expect
    make_due(org.rep_a, "逾期王先生", overdue_days=3)
    make_due(org.rep_a, "逾期李女士", overdue_days=1)

    # sign in: the rep lands on the Today page and sees the overdue customer
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("rep_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/today/$"))
    overdue = page.locator("#overdue")
    expect(overdue).to_contain_text("逾期王先生")
    expect(overdue).to_contain_text("逾期 3 天")
    expect(page.locator("#nav-today .nav-badge")).to_have_text("2")

    # one click opens the form in place, with a phone call chosen
    row = overdue.locator(".due-item", has_text="逾期王先生")
    row.get_by_role("link", name="记录跟进").click()
    form = row.locator("form.followup-form")
    expect(form.get_by_label("电话")).to_be_checked()
    expect(form.get_by_label("地点")).to_be_hidden()  # a call has no place

    # saving without content is refused in Chinese, in place
    form.get_by_role("button", name="保存跟进").click()
    expect(row.locator(".field-error")).to_contain_text("请填写内容")

    # record the call: the customer leaves the overdue list, the counts follow, no reload
    page.evaluate("window.notReloaded = true")
    row.locator("form.followup-form").get_by_label("内容").fill("电话沟通，客户周六来店试驾")
    row.locator("form.followup-form").get_by_label("客户反馈").fill("对价格满意")
    row.locator("form.followup-form").get_by_role("button", name="保存跟进").click()
    expect(overdue).not_to_contain_text("逾期王先生")
    expect(overdue).to_contain_text("逾期李女士")
    expect(page.locator("#today-counts .stat").first).to_contain_text("1")
    expect(page.locator("#nav-today .nav-badge")).to_have_text("1")
    expect(page.locator("#flash")).to_contain_text("已记录 逾期王先生 的电话跟进")
    assert page.evaluate("window.notReloaded") is True

    # the customer's timeline has the call
    page.get_by_role("link", name="逾期李女士").click()
    page.go_back()
    page.goto(f"{live_server.url}/customers/")
    page.locator("#results").get_by_role("link", name="逾期王先生").click()
    expect(page.locator("#timeline")).to_contain_text("电话沟通，客户周六来店试驾")
    expect(page.locator("#timeline")).to_contain_text("对价格满意")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reps_name_in_a_chart_tooltip_is_text_not_markup(live_server, org, page):
    """A rep named like an HTML element shows by that name in the manager's report chart; the
    tooltip does not turn it into an element (before, only the CSP stopped the script)."""
    expect = sync_api.expect
    org.rep_a.full_name = '<img src=x id=injected onerror="document.title=1">'
    org.rep_a.save(update_fields=["full_name"])
    make_customer(org.rep_a, name="甲客户")  # a row for the rep in today's report

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/reports/daily/")
    chart = page.locator("[data-chart=daily-chart]")
    expect(chart.locator("svg")).to_be_visible()

    # hover over the first rep's bars until the tooltip shows
    box = chart.bounding_box()
    assert box is not None
    tooltip = chart.locator("div").filter(has_text="新增客户").last
    for step in range(1, 12):
        page.mouse.move(box["x"] + box["width"] * step / 24, box["y"] + box["height"] / 2)
        if tooltip.is_visible():
            break
    expect(tooltip).to_contain_text("<img src=x")
    assert page.locator("#injected").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deal_date_is_checked_and_a_reps_defeat_waits_for_the_manager(live_server, org, page):
    """The rules a dealer expects: a deal date not before the customer was registered nor in the
    future; a rep's defeat is a 战败申请 the manager approves, with a note that becomes the
    manager's comment."""
    expect = sync_api.expect
    c = make_customer(org.rep_a, name="试驾客户", category="intention", grade="A")

    def sign_in(username: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

    # a rep records the deal on a day before the customer was registered: refused, in Chinese
    sign_in("rep_a")
    page.goto(f"{live_server.url}/customers/{c.pk}/transition/")
    page.locator("label.chip", has_text="成交").click()
    page.locator("input[name=deal_on]").fill("2020-01-01")
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator("#field-deal_on .field-error")).to_contain_text(
        "成交日期不能早于客户登记日期"
    )

    # the defeat instead: filed as a request, the customer stays an intention customer
    page.locator("label.chip", has_text="战败").click()
    page.get_by_label("战败原因").select_option(label="价格")
    page.get_by_label("竞品品牌").fill("本田")
    page.get_by_label("竞品车型/型号").fill("雅阁")
    page.get_by_label("采取过的挽回措施").fill("申请了额外优惠，安排二次试驾")
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator("#flash")).to_contain_text("战败申请已提交，等待经理审批")
    expect(page.locator("#pending-defeat")).to_contain_text("战败申请待审批")
    expect(page.locator("h1")).to_contain_text("意向客户")

    # the manager approves it on 审批, with a note
    sign_out(page)
    sign_in("manager")
    page.goto(f"{live_server.url}/approvals/")
    item = page.locator(".approval-item", has_text="战败申请：试驾客户")
    item.get_by_label("审批意见").fill("同意，价格差距过大")
    item.get_by_role("button", name="批准").click()
    expect(page.locator("#flash")).to_contain_text("已批准")

    # the customer is defeated, with the analysis and the manager's note
    page.goto(f"{live_server.url}/customers/{c.pk}/")
    expect(page.locator("h1")).to_contain_text("战败客户")
    defeat = page.locator("#defeat")
    expect(defeat).to_contain_text("本田")
    expect(defeat).to_contain_text("同意，价格差距过大")
