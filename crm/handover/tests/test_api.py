"""The hand-over and the verification through the API: the leaver's token stops working the
moment a departure hand-over starts; the director signs through the API; a rep verifies their
records and the data administrator reads the round's progress."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm.accounts import services as accounts
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer


def test_the_leavers_token_stops_working_when_the_hand_over_starts(org, call):
    for i in range(4):
        make_customer(org.rep_a, name=f"客户{i}")
    token = accounts.token_issue(actor=org.rep_a, name="手机")
    assert call(None, "GET", "customers", token=token).status_code == 200

    started = call(
        org.manager,
        "POST",
        "handovers",
        {
            "leaver": org.rep_a.pk,
            "kind": "departure",
            "receivers": [org.rep_b.pk],
            "reason": "离职",
        },
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["state"] == "pending"
    assert body["counts"]["customers"] == 4
    assert [len(p["customers"]) for p in body["parts"]] == [4]
    assert call(None, "GET", "customers", token=token).status_code == 401
    assert accounts.login_check(username="rep_a", password="pass-1234", ip=None) is None

    # the manager may not sign; the director does
    refused = call(org.manager, "POST", f"handovers/{body['id']}/decision", {"approve": True})
    assert refused.status_code == 403
    signed = call(org.director, "POST", f"handovers/{body['id']}/decision", {"approve": True})
    assert signed.status_code == 200, signed.content
    assert signed.json()["state"] == "done"
    assert Customer.objects.filter(owner=org.rep_b).count() == 4
    # the data-management department keeps the record; a rep does not read it
    assert call(org.data_admin, "GET", f"handovers/{body['id']}").status_code == 200
    assert call(org.rep_b, "GET", f"handovers/{body['id']}").status_code == 403


def test_a_bad_hand_over_is_refused_with_the_field(org, call):
    out = call(
        org.manager,
        "POST",
        "handovers",
        {"leaver": org.rep_c.pk, "kind": "departure", "receivers": [org.rep_b.pk], "reason": "x"},
    )
    assert out.status_code == 422
    assert "leaver" in out.content.decode()


def test_the_rounds_progress_through_the_api(org, call):
    a = [make_customer(org.rep_a, name=f"甲{i}") for i in range(2)]
    make_customer(org.rep_c, name="丙")
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    opened = call(
        org.data_admin, "POST", "verification/rounds", {"title": "季度核查", "deadline": deadline}
    )
    assert opened.status_code == 201, opened.content
    round_id = opened.json()["id"]
    mine = call(org.rep_a, "GET", "verification/items").json()
    assert {i["customer"]["id"] for i in mine} == {c.pk for c in a}
    confirm = call(org.rep_a, "POST", f"verification/items/{mine[0]['id']}/confirm", {})
    assert confirm.status_code == 200
    customer = Customer.objects.get(pk=mine[1]["customer"]["id"])
    corrected = call(
        org.rep_a,
        "POST",
        f"verification/items/{mine[1]['id']}/correct",
        {"version": customer.version, "data": {"company": "星河机械有限公司"}},
    )
    assert corrected.status_code == 200, corrected.content
    stale = call(org.rep_c, "GET", "verification/items").json()[0]
    # someone else's record: not found
    assert (
        call(org.rep_a, "POST", f"verification/items/{stale['id']}/confirm", {}).status_code == 404
    )

    progress = call(org.data_admin, "GET", f"verification/rounds/{round_id}").json()
    assert progress["counts"] == {"total": 3, "confirmed": 1, "corrected": 1, "outstanding": 1}
    assert {d["name"]: d["percent"] for d in progress["by_department"]} == {
        "销售一部": 100,
        "销售二部": 0,
    }
    assert call(org.rep_a, "GET", f"verification/rounds/{round_id}").status_code == 403
    closed = call(org.data_admin, "POST", f"verification/rounds/{round_id}/close")
    assert closed.json()["state"] == "closed"
    unconfirmed = call(org.data_admin, "GET", f"verification/rounds/{round_id}/items?state=pending")
    assert [i["customer"]["name"] for i in unconfirmed.json()] == ["丙"]
