"""One real browser run (headless Chromium through Playwright): sign in, create 张三丰, find him
by typing ``zsf`` in the live search box, open him, and see the create and view in his history."""

from __future__ import annotations

import os
import re

import pytest
from django.db import connections

from crm.customers.tests.factories import make_customer

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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
def page():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
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
@pytest.mark.django_db(transaction=True)
def test_sign_in_create_find_by_pinyin_and_see_history(live_server, org, page):
    expect = sync_api.expect
    make_customer(org.rep_a, name="李四光")  # someone the search must filter out

    # sign in
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("rep_a")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.locator("#results")).to_contain_text("李四光")

    # create 张三丰 with a phone
    page.get_by_role("link", name="新建客户").click()
    page.get_by_label("名称", exact=True).fill("张三丰")
    page.get_by_label("电话", exact=True).fill("139 1234 5678")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("张三丰")
    expect(page.locator(".detail-main")).to_contain_text("13912345678")

    # find him by pinyin initials in the live search box (htmx swaps only the rows)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="客户").click()
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
