"""知识库 in a real browser: a manager writes an answer, a rep finds it by a two-character word
as they type and reads it (counted)."""

from __future__ import annotations

import pytest

from crm.knowledge.models import Article

from .browser import menu, shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_finds_the_managers_answer(live_server, org, page):  # noqa: F811
    expect = sync_api.expect

    sign_in(page, live_server.url, "manager")
    menu(page, "服务", "知识库")
    page.get_by_role("link", name="新建条目").click()
    page.get_by_label("客户问题").fill("定金可以退吗？")
    page.get_by_label("解答").fill("签订合同前定金可全额退还；签订后按合同约定处理。")
    page.get_by_label("标签（逗号或空格分隔）").fill("定金，退款")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-answer]")).to_contain_text("全额退还")

    sign_in(page, live_server.url, "rep_a")
    menu(page, "服务", "知识库")
    page.get_by_label("搜索").fill("退还")
    expect(page.locator("[data-articles]")).to_contain_text("定金可以退吗？")
    shoot(page, "knowledge-list")
    page.get_by_role("link", name="定金可以退吗？").click()
    expect(page.locator("[data-answer]")).to_contain_text("签订后按合同约定处理")
    shoot(page, "knowledge-detail")
    assert Article.objects.get().views == 2  # the manager's look after saving, the rep's
