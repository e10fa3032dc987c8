"""5.1.5 对于经销商、代理商应具有合法的医疗器械经营资质，并具有与本公司提供产品相适应的经营范围;
and 回款/催款: a payment plan per order, receipts against it, overdue instalments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.core.errors import Invalid, NotFound, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.orders import digest, licences, payments, selectors, services
from crm.orders.models import OrderState

from .factories import make_order, make_product, make_reviewers, review_all, submit

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def monitor(org):
    return make_product(org, device_class="III", device_code="6821")


@pytest.fixture
def gauze(org):
    return make_product(org, code="P-002", name="医用纱布", device_class="I")


@pytest.fixture
def dealer(org):
    return make_customer(
        org.rep_a,
        name="杭州康宁医疗器械有限公司",
        kind="organization",
        company_type="distributor",
        category="intention",
        grade="A",
    )


def _licence(org, dealer, **data):
    data.setdefault("number", "浙杭食药监械经营许20230001号")
    data.setdefault("classes", ["II", "III"])
    data.setdefault("expires_on", "2030-12-31")
    return licences.licence_create(actor=org.rep_a, data={"customer": dealer.pk, **data})


def test_an_expired_distributor_licence_blocks_submission(org, clock, monitor, dealer):
    clock(TODAY)
    _licence(org, dealer, expires_on="2026-11-01")
    order = make_order(org.rep_a, dealer, monitor)
    with pytest.raises(StateConflict) as refused:
        submit(org.rep_a, order)
    message = str(refused.value.message)
    assert "多参数监护仪" in message
    assert "已于 2026-11-01 过期" in message
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
    assert not order.reviews.exists()


def test_a_distributor_without_a_licence_for_the_class_cannot_order_it(org, clock, monitor, dealer):
    clock(TODAY)
    _licence(org, dealer, classes=["II"])
    order = make_order(org.rep_a, dealer, monitor)
    with pytest.raises(StateConflict) as refused:
        submit(org.rep_a, order)
    assert "没有经营范围涵盖“多参数监护仪”（第三类医疗器械 6821）" in str(refused.value.message)


def test_a_licence_whose_codes_cover_the_product_lets_the_order_through(
    org, clock, monitor, gauze, dealer
):
    clock(TODAY)
    _licence(org, dealer, codes=["6822"])
    order = make_order(org.rep_a, dealer, monitor)
    with pytest.raises(StateConflict):
        submit(org.rep_a, order)
    _licence(org, dealer, number="浙杭食药监械经营许20230002号", codes=["6821"])
    submit(org.rep_a, order)
    order.refresh_from_db()
    assert order.state == OrderState.REVIEW
    # class I devices need no licence of their distributor
    plain = make_order(org.rep_a, dealer, gauze)
    submit(org.rep_a, plain)


def test_an_end_user_needs_no_licence(org, clock, monitor):
    clock(TODAY)
    hospital = make_customer(
        org.rep_a, name="宁波仁济医院", kind="organization", category="intention", grade="A"
    )
    order = make_order(org.rep_a, hospital, monitor)
    submit(org.rep_a, order)


def test_licences_expiring_within_30_days_reach_the_owner(org, clock, dealer):
    clock(TODAY)
    _licence(org, dealer, number="A-1", expires_on="2026-12-20")
    _licence(org, dealer, number="A-2", expires_on="2027-06-30")
    coming = selectors.licences_expiring(actor=org.rep_a, today=TODAY)
    assert [lic.number for lic in coming] == ["A-1"]
    assert selectors.licences_expiring(actor=org.rep_c, today=TODAY) == []
    section = digest.licence_section(user=org.rep_a, today=TODAY)
    assert section is not None
    _title, count, lines = section
    assert count == 1
    assert "A-1" in lines[0]
    assert "2026-12-20" in lines[0]
    assert digest.licence_section(user=org.rep_b, today=TODAY) is None


def test_licences_are_kept_by_whoever_edits_the_customer(org, dealer):
    lic = _licence(org, dealer)
    with pytest.raises(Invalid):
        _licence(org, dealer, expires_on="2020-01-01", issued_on="2021-01-01")
    with pytest.raises(NotFound):
        licences.licence_update(actor=org.rep_c, licence_id=lic.pk, data={"version": 1})
    lic = licences.licence_update(
        actor=org.manager, licence_id=lic.pk, data={"version": 1, "expires_on": "2031-01-31"}
    )
    assert lic.version == 2
    licences.licence_delete(actor=org.rep_a, licence_id=lic.pk)
    verbs = list(
        AuditEvent.objects.filter(object_type="orders.medicallicence").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == ["licence.created", "licence.deleted", "licence.updated"]


def _confirmed(org, product, customer):
    reviewers = make_reviewers(org)
    order = make_order(org.rep_a, customer, product)
    submit(org.rep_a, order)
    review_all(reviewers, order)
    services.order_sign(actor=org.gm, order_id=order.pk, data={"approve": True})
    order.refresh_from_db()
    return order


def test_instalments_overdue_are_chased_and_received_against_the_plan(org, clock):
    clock(dt.date(2026, 10, 1))
    product = make_product(org)
    buyer = make_customer(
        org.rep_a, name="星河诊所", kind="organization", category="intention", grade="H"
    )
    order = _confirmed(org, product, buyer)  # 24,000.00
    with pytest.raises(StateConflict):
        payments.plan_set(
            actor=org.rep_a,
            order_id=order.pk,
            data={"instalments": [{"due_on": "2026-10-10", "amount": "1000"}]},
        )
    payments.plan_set(
        actor=org.rep_a,
        order_id=order.pk,
        data={
            "instalments": [
                {"due_on": "2026-10-10", "amount": "7200", "note": "首付款"},
                {"due_on": "2026-11-10", "amount": "16800", "note": "尾款"},
            ]
        },
    )
    clock(dt.date(2026, 10, 8))
    payments.receipt_record(
        actor=org.rep_a,
        order_id=order.pk,
        data={"received_on": "2026-10-08", "amount": "7200"},
    )
    clock(TODAY)
    overdue = selectors.overdue_instalments(actor=org.rep_a, today=TODAY)
    assert [(o.due_on.isoformat(), str(o.open_amount)) for o in overdue] == [
        ("2026-11-10", "16800.00")
    ]
    assert selectors.overdue_instalments(actor=org.rep_c, today=TODAY) == []
    section = digest.overdue_section(user=org.rep_a, today=TODAY)
    assert section is not None
    _title, count, lines = section
    assert count == 1
    assert "16800.00" in lines[0]
    with pytest.raises(StateConflict):  # more than the order
        payments.receipt_record(
            actor=org.rep_a,
            order_id=order.pk,
            data={"received_on": "2026-11-29", "amount": "20000"},
        )
    payments.receipt_record(
        actor=org.rep_a,
        order_id=order.pk,
        data={"received_on": "2026-11-29", "amount": "16800"},
    )
    assert selectors.overdue_instalments(actor=org.rep_a, today=TODAY) == []
    months = selectors.payments_by_month(actor=org.rep_a, year=2026)
    assert (str(months[9].planned), str(months[9].received)) == ("7200.00", "7200.00")
    assert (str(months[10].planned), str(months[10].received)) == ("16800.00", "16800.00")
    assert AuditEvent.objects.filter(verb="order.payment_received").count() == 2
    assert AuditEvent.objects.filter(verb="order.plan_set").count() == 1


def test_a_draft_order_takes_no_receipt(org):
    product = make_product(org)
    buyer = make_customer(org.rep_a, name="诊所", category="intention", grade="H")
    order = make_order(org.rep_a, buyer, product)
    with pytest.raises(StateConflict):
        payments.receipt_record(
            actor=org.rep_a,
            order_id=order.pk,
            data={"received_on": timezone.localdate().isoformat(), "amount": "1"},
        )
