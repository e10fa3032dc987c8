"""The front desk in a real browser (issue 8): a walk-in registered in a few taps, and the
rotation on the screen moves to the next rep."""

from __future__ import annotations

import re

import pytest

from crm.reception import services
from crm.reception.models import Visit
from crm.testing import PASSWORD
from crm.web.tests.test_browser import page, sync_api  # noqa: F401 - the shared browser fixture


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_front_desk_registers_a_walk_in_and_sees_the_rotation_move(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    services.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk, org.rep_b.pk]})
    page.set_viewport_size({"width": 1024, "height": 768})  # a tablet at reception
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("front")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/reception/$"))
    expect(page.locator("[data-next]")).to_have_text("王小明")
    expect(page.locator("[data-follows]")).to_have_text("李小红")

    # 来过吗？: the phone is looked up first, in place
    page.get_by_label("电话").fill("13800000001")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#lookup-result")).to_contain_text("未找到")

    page.get_by_label("客户姓名").fill("张先生")
    page.get_by_label("来访人数").fill("3")
    page.get_by_role("button", name="登记并分配").click()

    expect(page.locator(".messages")).to_contain_text("由 王小明 接待")
    expect(page.locator("[data-next]")).to_have_text("李小红")
    expect(page.locator("#seat-" + str(_seat_of(org.rep_a)))).to_contain_text("接待中")
    assert Visit.objects.get().party_size == 3

    # the rep is done: the desk marks it, and 王小明 follows 李小红 again
    page.locator("#seat-" + str(_seat_of(org.rep_a))).get_by_role("button", name="接待完毕").click()
    expect(page.locator("[data-follows]")).to_have_text("王小明")


def _seat_of(user) -> int:
    from crm.reception.models import Seat

    return Seat.objects.get(user=user).pk
