"""老带新 through the API: a link completed later blocks the deal (409 with the reason) until the
three confirmations are in; the ranking exports to Excel with names kept as text."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import load_workbook

from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent


def test_referral_completion_blocking_the_deal_through_the_api(org, call):
    old = make_customer(org.rep_b, name="老业主", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    # the new customer came alone; the rep completes the link later (补齐关联手续)
    response = call(
        org.rep_a, "POST", f"customers/{new.pk}/referral", {"referrer_number": old.number}
    )
    assert response.status_code == 201, response.content
    link = response.json()
    assert (link["state"], link["made_at_first_visit"], link["via"]) == (
        "pending",
        False,
        "accompanied",
    )
    deal = {"version": new.version, "to": "retained", "deal_on": timezone.localdate().isoformat()}
    refused = call(org.rep_a, "POST", f"customers/{new.pk}/transition", deal)
    assert refused.status_code == 409
    assert "老带新关联手续未补齐" in refused.json()["error"]["fields"]["to"]
    for actor, party in (
        (org.rep_a, "referrer"),
        (org.rep_a, "customer"),
        (org.manager, "manager"),
    ):
        done = call(actor, "POST", f"referral-links/{link['id']}/confirm", {"party": party})
        assert done.status_code == 200, done.content
    confirmations = {c["party"]: c["by"] for c in done.json()["confirmations"]}
    assert confirmations == {"referrer": "王小明", "customer": "王小明", "manager": "陈经理"}
    assert done.json()["state"] == "complete"
    assert call(org.rep_a, "POST", f"customers/{new.pk}/transition", deal).status_code == 200


def test_the_ranking_exports_to_excel_with_formulas_kept_as_text(org, call):
    old = make_customer(org.rep_a, name="=HYPERLINK(1)", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    call(org.rep_a, "POST", f"customers/{new.pk}/referral", {"referrer_number": old.number})
    ranking = call(org.manager, "GET", "referrals/ranking").json()
    assert [(r["rank"], r["referrer"]["name"], r["referrals"]) for r in ranking] == [
        (1, "=HYPERLINK(1)", 1)
    ]
    response = call(org.manager, "GET", "referrals/ranking.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].quotePrefix
    event = AuditEvent.objects.get(verb="report.exported")
    assert event.actor == org.manager
    assert event.changes["report"] == [None, "referrals"]


def _referred(org, n: int) -> None:
    from crm.referrals import services

    old = make_customer(org.rep_a, name="老业主", category="retained")
    for i in range(n):
        new = make_customer(org.rep_a, name=f"新客户{i}", category="intention", grade="H")
        services.referral_link_create(
            actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
        )


def test_the_pending_links_and_the_ranking_read_in_a_fixed_number_of_queries(
    org, call, django_assert_max_num_queries
):
    _referred(org, 2)
    call(org.manager, "GET", "referral-links")  # the token is issued and cached
    with django_assert_max_num_queries(12) as few:
        assert len(call(org.manager, "GET", "referral-links").json()) == 2
    _referred(org, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call(org.manager, "GET", "referral-links").json()) == 8
    with django_assert_max_num_queries(12) as ranking:
        call(org.manager, "GET", "referrals/ranking")
    _referred(org, 3)
    with django_assert_max_num_queries(len(ranking.captured_queries)):
        assert len(call(org.manager, "GET", "referrals/ranking").json()) == 3
