"""Long words and long notes at phone width, in a real browser (issue 7 §2): a name, tag or
pasted link without a break never makes a page scroll sideways (a 28-character tag once made
every user's phone list 516 px wide), and a long follow-up folds behind 展开全文."""

from __future__ import annotations

import re

import pytest

from crm.activities import services as activities
from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD
from crm.web.tests.test_browser import page, sync_api  # noqa: F401 - the shared browser fixture

PHONE = {"width": 390, "height": 844}
LONG_NAME = "阿阿阿" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2
LONG_TAG = "ABCDEFGHIJKLMNOPQRST"  # as long as a tag may be, and without a break


def _sign_in(page, url: str, username: str) -> None:  # noqa: F811
    page.goto(f"{url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    sync_api.expect(page).to_have_url(re.compile(r"/today/$"))


def _scroll_width(page) -> int:  # noqa: F811
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_long_names_tags_and_notes_never_widen_a_phone_page(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    customer = make_customer(org.rep_a, name=LONG_NAME, tags=[LONG_TAG, "超长标签" * 5])
    activities.followup_record(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={
            "kind": "call",
            "outcome": "约了周六到店",
            "content": "客户说要再比较一下。" * 40 + " https://example.com/" + "x" * 120,
        },
    )
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server.url, "rep_a")

    page.goto(f"{live_server.url}/customers/")
    expect(page.locator("#results")).to_contain_text(LONG_TAG)
    assert _scroll_width(page) <= PHONE["width"]

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text("ABCDEFGHIJ")
    assert _scroll_width(page) <= PHONE["width"]

    # the long follow-up is folded; 展开全文 opens it and 收起 folds it again
    timeline = page.locator("#timeline")
    folded = timeline.locator("[data-fold]").first
    height = folded.evaluate("e => e.clientHeight")
    toggle = timeline.get_by_role("button", name="展开全文").first
    toggle.click()
    expect(timeline.get_by_role("button", name="收起").first).to_be_visible()
    assert folded.evaluate("e => e.clientHeight") > 2 * height
    assert _scroll_width(page) <= PHONE["width"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_general_managers_menu_fits_a_laptop_screen_in_english(live_server, org, page):  # noqa: F811
    """The GM has the most menu entries; in English they once ran 220 px past a 1366 px screen."""
    page.set_viewport_size({"width": 1366, "height": 800})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _sign_in_en(page, live_server.url, "gm")
    page.goto(f"{live_server.url}/reports/overview/")
    sync_api.expect(page.get_by_role("navigation").first).to_contain_text("Follow-up settings")
    assert _scroll_width(page) <= 1366


def _sign_in_en(page, url: str, username: str) -> None:  # noqa: F811
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
