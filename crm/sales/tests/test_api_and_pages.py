"""The sales API and pages as a rep and a manager use them: entering, moving with the version
read (a stale one is a 409 and the board shows why), closing, the settings, the reports and
their Excel files (formula-safe, logged)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.sales.models import LostReason, Opportunity

from .factories import default, make_opportunity, stages


@pytest.fixture
def buyer(org):
    return make_customer(org.rep_a, name="星河机械", category="intention", grade="B")


# --- API ----------------------------------------------------------------------------------------


def test_the_api_enters_moves_and_wins_an_opportunity(org, call, buyer):
    created = call(
        org.rep_a,
        "POST",
        "opportunities",
        {
            "name": "叉车采购",
            "customer": buyer.pk,
            "currency": "USD",
            "expected_close_on": "2026-12-20",
            "lines": [{"product_name": "叉车", "quantity": 2, "unit_price": "15000.5"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["currency"], body["stage"]["name"]) == (
        "30001.00",
        "USD",
        "初步接洽",
    )
    third = stages()[2]

    moved = call(
        org.rep_a, "POST", f"opportunities/{body['id']}/move", {"version": 1, "stage": third.pk}
    )
    assert moved.status_code == 200
    assert (moved.json()["stage"]["probability"], moved.json()["weighted"]) == (50, "15000.50")

    stale = call(org.rep_a, "POST", f"opportunities/{body['id']}/move", {"version": 1, "stage": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"

    won = call(org.rep_a, "POST", f"opportunities/{body['id']}/win", {"version": 2})
    assert won.status_code == 200
    assert won.json()["status"] == "won"
    assert Customer.objects.get(pk=buyer.pk).category == "retained"


def test_the_api_loses_with_a_reason_and_the_board_and_funnel_count(org, call, buyer):
    opportunity = make_opportunity(org.rep_a, buyer, amount="5000")
    make_opportunity(org.rep_a, buyer, amount="7000")
    reason = call(org.rep_a, "GET", "lost-reasons").json()[0]

    lost = call(
        org.rep_a,
        "POST",
        f"opportunities/{opportunity.pk}/lose",
        {"version": 1, "reason": reason["id"], "note": "竞品降价"},
    )
    assert lost.status_code == 200
    assert lost.json()["lost_reason"]["name"] == reason["name"]

    board = call(org.manager, "GET", "sales/board").json()
    assert board["count"] == 1
    assert board["totals"] == {"CNY": "7000.00"}
    funnel = call(org.manager, "GET", "sales/funnel").json()
    assert (funnel["created"], funnel["lost"]) == (2, 1)
    reasons = call(org.manager, "GET", "sales/reasons").json()
    assert reasons["reasons"] == [{"name": reason["name"], "count": 1, "amount": "5000.00"}]
    assert call(org.rep_c, "GET", "sales/board").json()["count"] == 0


def test_the_api_refuses_bad_input_in_the_error_contract(org, call, buyer):
    bad = call(org.rep_a, "POST", "opportunities", {"name": " ", "customer": buyer.pk})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["name"] == "请填写机会名称"
    # dates the other way round still mean the period between them
    period = call(org.rep_a, "GET", "sales/funnel?since=2026-12-01&until=2026-01-01")
    assert period.status_code == 200
    assert (period.json()["since"], period.json()["until"]) == ("2026-01-01", "2026-12-01")
    months = call(org.rep_a, "GET", "sales/forecast?months=99")
    assert months.status_code == 422


def test_the_forecast_workbook_is_formula_safe_and_logged(org, call, buyer):
    rival = make_customer(org.rep_a, name="=HYPERLINK(1)", category="intention", grade="B")
    make_opportunity(
        org.rep_a, rival, name="=SUM(A1)", amount="1000", expected_close_on="2026-12-01"
    )
    make_customer(org.rep_a, name="无机会客户")

    response = call(org.rep_a, "GET", "sales/forecast.xlsx?month=2026-11")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(c.value == "王小明" for c in cells)
    event = AuditEvent.objects.get(verb="report.exported")
    assert event.changes["report"] == [None, "sales.forecast"]


# --- pages --------------------------------------------------------------------------------------


def test_a_card_dropped_with_a_stale_version_goes_back_with_the_reason(org, as_user, buyer):
    opportunity = make_opportunity(org.rep_a, buyer, name="叉车采购")
    client = as_user(org.rep_a)
    url = reverse("web:opportunity_move", args=[opportunity.pk])
    first, second = stages()[1], stages()[2]

    moved = client.post(url, {"version": "1", "stage": first.pk}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    assert 'id="board"' in moved.content.decode()
    again = client.post(url, {"version": "1", "stage": second.pk}, HTTP_HX_REQUEST="true")

    assert again.status_code == 200
    assert "该记录已被他人修改" in again.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).stage == first


def test_a_rep_enters_an_opportunity_from_the_customer_page(org, as_user, buyer):
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_detail", args=[buyer.pk]))
    assert "新建销售机会" in page.content.decode()

    response = client.post(
        reverse("web:opportunity_create") + f"?customer={buyer.pk}",
        {
            "customer": buyer.pk,
            "name": "年度框架协议",
            "amount": "",
            "currency": "CNY",
            "stage": stages()[1].pk,
            "owner": org.rep_a.pk,
            "line0-product_name": "叉车",
            "line0-quantity": "3",
            "line0-unit_price": "20000",
        },
    )

    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:opportunity_detail", args=[opportunity.pk])
    assert opportunity.amount == 60000
    assert opportunity.stage == stages()[1]
    detail = client.get(response["Location"]).content.decode()
    assert "叉车" in detail


def test_losing_from_the_page_offers_the_defeat_analysis(org, as_user, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    client = as_user(org.rep_a)
    reason = LostReason.objects.all()[0]

    response = client.post(
        reverse("web:opportunity_action", args=[opportunity.pk]),
        {"do": "lose", "version": "1", "reason": reason.pk, "note": "预算取消"},
        follow=True,
    )

    body = response.content.decode()
    assert "已关闭为输单" in body
    assert reverse("web:customer_transition", args=[buyer.pk]) in body


def test_a_manager_edits_the_stages_and_the_lost_reasons(org, as_user):
    client = as_user(org.manager)
    pipeline = default()
    data: dict[str, object] = {
        "name": "通用销售流程",
        "is_default": "on",
        "active": "on",
        "version": "1",
    }
    for n, stage in enumerate(stages()):
        data |= {
            f"stage{n}-id": stage.pk,
            f"stage{n}-name": stage.name,
            f"stage{n}-probability": stage.probability,
            f"stage{n}-stale_days": stage.stale_days,
        }
    data |= {"stage5-name": "回款", "stage5-probability": "100"}

    saved = client.post(reverse("web:pipeline_edit", args=[pipeline.pk]), data)
    reasons = client.post(reverse("web:sales_settings"), {"reasons": "价格过高\n交期太长\n"})

    assert (saved.status_code, reasons.status_code) == (302, 302)
    assert [s.name for s in stages()][-1] == "回款"
    assert list(LostReason.objects.filter(active=True).values_list("name", flat=True)) == [
        "价格过高",
        "交期太长",
    ]
    assert client.get(reverse("web:sales_funnel")).status_code == 200
    assert as_user(org.rep_a).get(reverse("web:sales_settings")).status_code == 403


def test_the_board_lists_a_limited_number_of_cards_per_column(org, as_user, buyer):
    for n in range(25):
        make_opportunity(org.rep_a, buyer, name=f"机会{n:02d}")
    client = as_user(org.rep_a)

    body = client.get(reverse("web:sales_board")).content.decode()

    assert body.count("data-version=") == 20
    assert "还有 5 个" in body
    column = client.get(reverse("web:sales_column", args=[stages()[0].pk])).content.decode()
    assert column.count("data-version=") == 25
