"""房地产: a sale goes 认购 → 签约 → 按揭 → 备案, and the sales supervisor follows each step
(房地产销售主管的岗位职责: 认购、合同、按揭进程、备案). A buyer paying at once has no mortgage and
goes from the contract straight to the filing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.core.errors import Invalid, NotFound, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.orders import payments, services

from .factories import make_order, make_product


@pytest.fixture
def flat(org):
    buyer = make_customer(org.rep_a, name="林女士", category="intention", grade="A")
    return make_order(
        org.rep_a, buyer, make_product(org, code="F-1201", name="12 栋 1201 室", unit="套")
    )


def _step(actor, order, stage, days_ago=0, note=""):
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return payments.property_step_record(
        actor=actor,
        order_id=order.pk,
        data={"stage": stage, "done_on": day.isoformat(), "note": note},
    )


def test_a_mortgaged_sale_goes_through_the_four_steps_in_order(org, flat):
    _step(org.rep_a, flat, "subscription", 30, "认购书 RG-0012，定金 5 万")
    _step(org.rep_a, flat, "contract", 20)
    _step(org.rep_a, flat, "mortgage", 10, "工商银行，三成首付")
    _step(org.manager, flat, "filing", 0)
    assert list(flat.property_steps.values_list("stage", flat=True)) == [
        "subscription",
        "contract",
        "mortgage",
        "filing",
    ]
    assert payments.property_next({"subscription", "contract", "mortgage", "filing"}) == []
    assert AuditEvent.objects.filter(verb="order.property_step").count() == 4


def test_a_step_out_of_order_or_twice_is_refused_with_the_next_step_named(org, flat):
    with pytest.raises(StateConflict) as early:
        _step(org.rep_a, flat, "contract")
    assert early.value.fields == {
        "stage": "须按 认购 → 签约 → 按揭 → 备案 的顺序办理，下一步应为：认购"
    }
    _step(org.rep_a, flat, "subscription", 3)
    with pytest.raises(StateConflict) as twice:
        _step(org.rep_a, flat, "subscription")
    assert twice.value.fields == {"stage": "“认购”已登记过"}
    with pytest.raises(StateConflict):
        _step(org.rep_a, flat, "filing")  # not before the contract
    assert flat.property_steps.count() == 1


def test_a_buyer_paying_at_once_goes_from_the_contract_to_the_filing(org, flat):
    _step(org.rep_a, flat, "subscription", 5)
    _step(org.rep_a, flat, "contract", 4)
    assert payments.property_next({"subscription", "contract"}) == ["mortgage", "filing"]
    _step(org.rep_a, flat, "filing", 1)
    with pytest.raises(StateConflict):
        _step(org.rep_a, flat, "mortgage")  # too late: filed already


def test_the_day_of_a_step_is_not_in_the_future_nor_before_the_step_before(org, flat):
    _step(org.rep_a, flat, "subscription", 5)
    with pytest.raises(Invalid) as future:
        _step(org.rep_a, flat, "contract", -1)
    assert future.value.fields == {"done_on": "办理日期不能晚于今天"}
    with pytest.raises(Invalid) as before:
        _step(org.rep_a, flat, "contract", 6)
    assert "办理日期不能早于上一步" in before.value.fields["done_on"]


def test_only_who_may_change_the_order_records_its_steps(org, flat):
    with pytest.raises(NotFound):
        _step(org.rep_b, flat, "subscription")
    services.order_cancel(
        actor=org.rep_a, order_id=flat.pk, data={"version": flat.version, "reason": "退房"}
    )
    with pytest.raises(StateConflict):
        _step(org.rep_a, flat, "subscription")


def test_the_steps_through_the_api_and_on_the_order_page(org, call, as_user, flat):
    first = call(
        org.rep_a,
        "POST",
        f"orders/{flat.pk}/property-steps",
        {"stage": "subscription", "done_on": timezone.localdate().isoformat()},
    )
    assert first.status_code == 201
    body = first.json()
    assert [s["stage"] for s in body["property_steps"]] == ["subscription"]
    assert body["property_next"] == ["contract"]
    late = call(
        org.rep_a,
        "POST",
        f"orders/{flat.pk}/property-steps",
        {"stage": "filing", "done_on": timezone.localdate().isoformat()},
    )
    assert late.status_code == 409
    assert late.json()["error"]["fields"]["stage"].endswith("签约")
    client = as_user(org.rep_a)
    page = client.post(
        f"/orders/{flat.pk}/property/",
        {"stage": "contract", "done_on": timezone.localdate().isoformat(), "note": "网签"},
        follow=True,
    )
    html = page.content.decode()
    assert "已登记成交进度" in html
    assert 'data-done="contract"' in html
    assert "网签" in html
    # a step without a note, as the form sends it when the note is left blank
    client.post(
        f"/orders/{flat.pk}/property/",
        {"stage": "mortgage", "done_on": timezone.localdate().isoformat(), "note": ""},
    )
    assert flat.property_steps.filter(stage="mortgage", note="").exists()
