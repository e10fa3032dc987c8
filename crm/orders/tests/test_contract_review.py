"""与顾客有关的过程控制程序 (ISO 13485) as the company runs it: an order is registered
(客户订购登记表), submitted with the 合同评审表's requirements, reviewed by PMC, 品质部,
研发部, 生产部 and 采购部, and signed by the general manager; then the customer is retained."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.core.errors import Conflict, Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import ApprovalRequest, AuditEvent
from crm.orders import services
from crm.orders.models import Order, OrderState, RoundState

from .factories import make_order, make_product, make_reviewers, review_all, submit


@pytest.fixture
def reviewers(org):
    return make_reviewers(org)


@pytest.fixture
def product(org):
    return make_product(org)


@pytest.fixture
def buyer(org):
    return make_customer(
        org.rep_a, name="宁波仁济医院", kind="organization", category="intention", grade="A"
    )


def _sign(org, order, approve=True, note=""):
    return services.order_sign(
        actor=org.gm, order_id=order.pk, data={"approve": approve, "note": note}
    )


def _verbs(order):
    return list(
        AuditEvent.objects.filter(object_type="orders.order", object_id=str(order.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_an_order_reviewed_by_all_five_and_signed_makes_the_customer_retained(
    org, reviewers, product, buyer
):
    order = make_order(org.rep_a, buyer, product, expected_delivery="2099-01-01")
    assert order.state == OrderState.DRAFT
    assert str(order.total) == "24000.00"
    submit(org.rep_a, order)
    order.refresh_from_db()
    assert order.state == OrderState.REVIEW
    review = order.reviews.get()
    assert review.stated_quality.startswith("符合 GB 9706.1")
    assert review.lead_free is True
    assert sorted(review.rows.values_list("area", flat=True)) == [
        "capacity",
        "equipment",
        "material",
        "quality",
        "technical",
    ]

    review_all(reviewers, order)
    review.refresh_from_db()
    assert review.state == RoundState.SIGNING
    assert review.approval is not None
    assert review.approval.state == "pending"

    _sign(org, order, note="同意签署")
    order.refresh_from_db()
    review.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert review.state == RoundState.SIGNED
    assert review.signed_by == org.gm
    customer = Customer.objects.get(pk=buyer.pk)
    assert customer.category == "retained"
    assert customer.deal_on is not None
    assert _verbs(order) == [
        "order.created",
        "order.submitted",
        *["order.reviewed"] * 5,
        "order.confirmed",
    ]
    assert AuditEvent.objects.filter(
        verb="customer.category_changed", object_id=str(buyer.pk)
    ).exists()


def test_an_order_with_a_failed_quality_review_cannot_be_signed(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    review_all(reviewers, order, quality="验收标准未约定抽样方案")
    order.refresh_from_db()
    review = order.reviews.get()
    assert order.state == OrderState.DRAFT
    assert "验收标准未约定抽样方案" in order.returned_note
    assert review.state == RoundState.REJECTED
    assert review.approval is None
    assert not ApprovalRequest.objects.filter(kind=services.KIND).exists()
    with pytest.raises(StateConflict):
        _sign(org, order)
    assert Customer.objects.get(pk=buyer.pk).category == "intention"
    # the rep fixes the order and submits again: a second round
    submit(org.rep_a, order, stated_quality="按 GB/T 2828.1 一般检验水平 II 抽样")
    assert order.reviews.count() == 2


def test_a_rejection_needs_its_reason_and_a_review_is_given_once(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    with pytest.raises(Invalid) as refused:
        services.review_decide(
            actor=reviewers.quality, order_id=order.pk, area="quality", data={"approve": False}
        )
    assert "note" in refused.value.fields
    services.review_decide(
        actor=reviewers.quality, order_id=order.pk, area="quality", data={"approve": True}
    )
    with pytest.raises(StateConflict):
        services.review_decide(
            actor=reviewers.quality, order_id=order.pk, area="quality", data={"approve": True}
        )


def test_only_the_department_reviews_its_part(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    with pytest.raises(PermissionDenied):
        services.review_decide(
            actor=reviewers.material, order_id=order.pk, area="quality", data={"approve": True}
        )
    with pytest.raises(PermissionDenied):
        services.review_decide(
            actor=org.rep_a, order_id=order.pk, area="capacity", data={"approve": True}
        )


def test_the_general_manager_sends_it_back_to_draft_with_the_reason(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    review_all(reviewers, order)
    with pytest.raises(Invalid):
        _sign(org, order, approve=False)
    _sign(org, order, approve=False, note="价格低于底价")
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT
    assert "价格低于底价" in order.returned_note
    assert order.reviews.get().state == RoundState.REJECTED
    assert "order.returned" in _verbs(order)
    assert Customer.objects.get(pk=buyer.pk).category == "intention"


def test_a_verbal_order_without_written_confirmation_cannot_be_confirmed(
    org, reviewers, product, buyer
):
    order = make_order(org.rep_a, buyer, product, verbal=True)
    submit(org.rep_a, order)
    review_all(reviewers, order)
    order.refresh_from_db()
    review = order.reviews.get()
    assert review.state == RoundState.AWAITING_CONFIRMATION
    assert review.approval is None
    with pytest.raises(StateConflict):
        _sign(org, order)
    with pytest.raises(StateConflict):
        services.order_request_signature(
            actor=org.rep_a, order_id=order.pk, data={"version": order.version}
        )
    # the customer's e-mail confirming the order arrives: it goes to the general manager
    mail = SimpleUploadedFile(
        "确认邮件.eml",
        "From: buyer@example.com\nSubject: 订单确认\n\n确认订购两台监护仪".encode(),
        content_type="message/rfc822",
    )
    services.order_attach(actor=org.rep_a, order_id=order.pk, files=[mail], kind="email")
    review.refresh_from_db()
    assert review.state == RoundState.SIGNING
    _sign(org, order)
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert "order.file_added" in _verbs(order)


def test_an_unknown_file_is_not_a_written_confirmation(org, product, buyer):
    order = make_order(org.rep_a, buyer, product, verbal=True)
    junk = SimpleUploadedFile("x.eml", b"hello", content_type="message/rfc822")
    with pytest.raises(Invalid):
        services.order_attach(actor=org.rep_a, order_id=order.pk, files=[junk])
    assert not order.files.exists()


def test_a_change_to_a_confirmed_order_goes_back_to_review(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    review_all(reviewers, order)
    _sign(org, order)
    order.refresh_from_db()
    deal_on = Customer.objects.get(pk=buyer.pk).deal_on
    services.order_update(
        actor=org.rep_a,
        order_id=order.pk,
        data={"version": order.version, "lines": [{"product": product.pk, "quantity": 3}]},
    )
    order.refresh_from_db()
    assert order.state == OrderState.REVIEW
    assert order.reviews.count() == 2
    second = order.reviews.get(round=2)
    assert second.stated_quality.startswith("符合 GB 9706.1")  # carried over
    review_all(reviewers, order)
    _sign(org, order)
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    # the customer was retained already: nothing is entered again
    customer = Customer.objects.get(pk=buyer.pk)
    assert customer.deal_on == deal_on
    assert customer.lifecycle.filter(to_category="retained").count() == 1


def test_an_order_under_review_is_not_changed_and_a_stale_version_is_a_conflict(
    org, product, buyer
):
    order = make_order(org.rep_a, buyer, product)
    with pytest.raises(Conflict):
        services.order_update(
            actor=org.rep_a, order_id=order.pk, data={"version": 99, "notes": "x"}
        )
    submit(org.rep_a, order)
    order.refresh_from_db()
    with pytest.raises(StateConflict):
        services.order_update(
            actor=org.rep_a, order_id=order.pk, data={"version": order.version, "notes": "x"}
        )


def test_orders_follow_their_customers_scope(org, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    with pytest.raises(NotFound):
        services.order_update(actor=org.rep_b, order_id=order.pk, data={"version": 1, "notes": "x"})
    with pytest.raises(Invalid):
        make_order(org.rep_c, buyer, product)
    services.order_update(
        actor=org.manager, order_id=order.pk, data={"version": 1, "notes": "经理补充"}
    )
    assert Order.objects.get(pk=order.pk).notes == "经理补充"


def test_a_potential_customer_is_made_an_intention_customer_before_ordering(org, product):
    walk_in = make_customer(org.rep_a, name="潜在客户")
    order = make_order(org.rep_a, walk_in, product)
    with pytest.raises(StateConflict) as refused:
        submit(org.rep_a, order)
    assert "意向客户" in str(refused.value.message)


def test_the_invoice_taxpayer_id_is_a_unified_social_credit_code(org, product, buyer):
    with pytest.raises(Invalid) as refused:
        make_order(org.rep_a, buyer, product, invoice_tax_id="123")
    assert "invoice_tax_id" in refused.value.fields
    order = make_order(
        org.rep_a,
        buyer,
        product,
        invoice_company="宁波仁济医院",
        invoice_tax_id="91350100M000100Y43",
    )
    assert order.invoice_tax_id


def test_foreign_trade_terms_are_kept(org, product, buyer):
    order = make_order(
        org.rep_a,
        buyer,
        product,
        currency="USD",
        incoterm="FOB",
        port="Shanghai",
        sample_sent=True,
        style_number="IS-809",
        lines=[{"product": product.pk, "quantity": 100, "unit_price": "3.2", "colour": "黑"}],
    )
    assert (order.currency, order.incoterm, order.port) == ("USD", "FOB", "Shanghai")
    assert str(order.total) == "320.00"
    with pytest.raises(StateConflict) as refused:  # no USD list price: give the price
        make_order(org.rep_a, buyer, product, currency="USD")
    assert "lines.0.unit_price" in refused.value.fields


def test_cancel_and_delivery(org, reviewers, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    with pytest.raises(StateConflict):
        services.order_deliver(actor=org.rep_a, order_id=order.pk, data={"version": 1})
    submit(org.rep_a, order)
    review_all(reviewers, order)
    _sign(org, order)
    order.refresh_from_db()
    order = services.order_deliver(
        actor=org.rep_a, order_id=order.pk, data={"version": order.version}
    )
    assert order.state == OrderState.DELIVERED
    order = services.order_close(
        actor=org.rep_a, order_id=order.pk, data={"version": order.version}
    )
    assert order.state == OrderState.CLOSED
    with pytest.raises(StateConflict):
        services.order_cancel(
            actor=org.rep_a, order_id=order.pk, data={"version": order.version, "reason": "x"}
        )
    other = make_order(org.rep_a, buyer, product)
    other = services.order_cancel(
        actor=org.rep_a, order_id=other.pk, data={"version": 1, "reason": "客户取消采购"}
    )
    assert other.state == OrderState.CANCELLED
    assert _verbs(other)[-1] == "order.cancelled"


def test_a_referred_customer_signs_only_once_the_referral_paperwork_is_complete(
    org, reviewers, product
):
    from crm.activities.models import Plan
    from crm.referrals import services as referrals
    from crm.referrals.models import Reward

    old = make_customer(org.rep_a, name="老业主", category="retained")
    new = make_customer(org.rep_a, name="新客户诊所", category="intention", grade="H")
    link = referrals.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    order = make_order(org.rep_a, new, product)
    submit(org.rep_a, order)
    review_all(reviewers, order)
    _sign(org, order)
    order.refresh_from_db()
    review = order.reviews.get()
    assert order.state == OrderState.REVIEW  # the signature could not be applied
    assert review.state == RoundState.REVIEWED
    assert "老带新关联手续未补齐" in review.sign_note
    assert Customer.objects.get(pk=new.pk).category == "intention"
    # the three confirmations, then the signature is asked again
    referrals.referral_confirm(actor=org.rep_a, link_id=link.pk, party="referrer")
    referrals.referral_confirm(actor=org.rep_a, link_id=link.pk, party="customer")
    referrals.referral_confirm(actor=org.manager, link_id=link.pk, party="manager")
    services.order_request_signature(
        actor=org.rep_a, order_id=order.pk, data={"version": order.version}
    )
    _sign(org, order)
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    # the deal's bookkeeping: the referrer's reward and the callbacks after the deal
    assert Reward.objects.filter(link=link).exists()
    assert Plan.objects.filter(customer=new, kind="callback").exists()
