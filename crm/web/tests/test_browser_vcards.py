"""名片导入 and the 国际客户 fieldset in a real browser (headless Chromium through Playwright): a
rep uploads an iPhone export, reads the outcome of each card, imports, and opens the foreign
customer's edit form, where the folded international fields are open since they are filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm.customers.models import Customer

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")
CARDS = Path(__file__).resolve().parents[2] / "vcards" / "tests" / "files"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_imports_an_iphone_export_and_edits_the_foreign_customer(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    sign_in(page, live_server.url, "rep_a")
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="导入手机名片").click()
    page.get_by_label("名片文件（.vcf）").set_input_files(
        [str(CARDS / "iphone-3.0.vcf"), str(CARDS / "android-2.1.vcf")]
    )
    page.get_by_role("button", name="预览").click()
    result = page.locator("#vcard-result")
    expect(result).to_contain_text("John Smith")
    expect(result).to_contain_text("+1 650-253-0000")
    expect(result).to_contain_text("张三丰")
    expect(result).to_contain_text("请填写客户名称")
    shoot(page, "vcards-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#vcard-result")).to_contain_text("导入结果")
    shoot(page, "vcards-result")
    assert Customer.objects.filter(owner=org.rep_a).count() == 4

    page.get_by_role("link", name="John Smith").click()
    expect(page.locator("body")).to_contain_text("国际客户")
    expect(page.locator("body")).to_contain_text("美国")
    shoot(page, "vcards-customer")
    page.get_by_role("link", name="编辑").first.click()
    fieldset = page.locator("#international details")
    expect(fieldset).to_have_attribute("open", "")
    shoot(page, "international-form")
