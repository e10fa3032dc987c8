"""销售机会 in a real browser (headless Chromium through Playwright): a rep drags an opportunity
across the board from stage to stage (the move goes through the service with the card's version
and the columns are re-counted), then opens it and closes it won; the customer becomes a
retained customer."""

from __future__ import annotations

import pytest

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.sales.models import Opportunity
from crm.sales.tests.factories import make_opportunity, stages

from .browser import shoot, sign_in
from .test_browser import page  # noqa: F401 (the Chromium fixture)

sync_api = pytest.importorskip("playwright.sync_api")


def _drag(page, card, target) -> None:  # noqa: F811
    """Press on the card, move past SortableJS's tolerance, over the target column, release
    (the mouse fallback the board uses for mice, fingers and tests alike)."""
    start = card.locator(".kanban-card-amount").bounding_box()
    end = target.bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=15)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 30, steps=5)
    page.mouse.up()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rep_drags_an_opportunity_across_the_board_and_wins_it(live_server, org, page):  # noqa: F811
    expect = sync_api.expect
    buyer = make_customer(org.rep_a, name="星河机械", category="intention", grade="B")
    opportunity = make_opportunity(org.rep_a, buyer, name="叉车采购", amount="350000")
    make_opportunity(org.rep_a, buyer, name="备件框架协议", amount="80000")
    first, second, third = stages()[:3]

    sign_in(page, live_server.url, "rep_a")
    page.get_by_role("link", name="销售机会").first.click()
    board = page.locator("#board")
    expect(board).to_contain_text("叉车采购")
    column = board.locator(f'section[data-column="{first.name}"]')
    expect(column.locator("[data-count]")).to_have_text("2")
    shoot(page, "sales-board")

    # when the card is dragged to the next column, and on to the one after
    for target in (second, third):
        card = board.locator(".kanban-card", has_text="叉车采购")
        _drag(page, card, board.locator(f'ol[data-stage="{target.pk}"]'))
        moved = board.locator(f'section[data-column="{target.name}"]')
        expect(moved).to_contain_text("叉车采购")
        expect(moved.locator("[data-count]")).to_have_text("1")
    expect(column.locator("[data-count]")).to_have_text("1")
    opportunity.refresh_from_db()
    assert (opportunity.stage_id, opportunity.version) == (third.pk, 3)

    # then it is opened and closed won
    board.get_by_role("link", name="叉车采购").click()
    expect(page.locator("h1")).to_contain_text("叉车采购")
    page.locator("summary", has_text="赢单").click()
    page.get_by_label("说明").first.fill("签订购销合同")
    shoot(page, "sales-win")
    page.get_by_role("button", name="确认赢单").click()
    expect(page.locator("body")).to_contain_text("客户已转为保有客户")
    expect(page.locator("[data-status]")).to_have_text("赢单")
    assert Opportunity.objects.get(pk=opportunity.pk).status == "won"
    assert Customer.objects.get(pk=buyer.pk).category == "retained"

    # and the board counts it no more
    page.get_by_role("link", name="看板").first.click()
    expect(page.locator("#board")).not_to_contain_text("叉车采购")
    expect(page.locator("#board")).to_contain_text("备件框架协议")
