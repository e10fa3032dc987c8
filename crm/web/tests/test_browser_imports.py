"""客户导入 in a real browser (headless Chromium through Playwright): a manager uploads a
spreadsheet whose name column the guess does not know, corrects that one mapping, runs the import
and watches the progress reach 100%."""

from __future__ import annotations

import pytest

from crm.customers.models import Customer
from crm.imports.tests.files import HEADER, people, xlsx

from .browser import menu, shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_uploads_corrects_a_mapping_and_imports(live_server, org, page, tmp_path):  # noqa: F811
    expect = sync_api.expect
    path = tmp_path / "客户名单.xlsx"
    path.write_bytes(xlsx([["客户名单"], ["名字", *HEADER[1:]], *people(25)]))

    sign_in(page, live_server.url, "manager")
    menu(page, "数据", "客户导入")
    shoot(page, "imports-list")
    page.get_by_label("选择文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预检").click()
    expect(page.locator("[data-invalid]")).to_have_text("25")
    shoot(page, "imports-mapping")

    page.locator("select[data-column='名字']").select_option("name")
    page.get_by_role("button", name="保存并重新预检").click()
    expect(page.locator("[data-valid]")).to_have_text("25")
    page.locator("[data-start]").click()

    expect(page.locator("[data-percent]")).to_have_text("100%")
    expect(page.locator("#import-progress")).to_contain_text("已完成")
    shoot(page, "imports-result")
    assert Customer.objects.filter(name__startswith="客户").count() == 25
