"""Writes of orders (客户订购登记表) and their contract review (合同评审, ISO 13485).

- ``order_create``/``order_update``: the order and its lines, by whoever may work its customer's
  orders. A draft is changed freely; a change to a confirmed order sends it back to review (a new
  round with the requirements of the last); an order under review or past delivery is not
  changed (409).
- ``order_submit``: the 合同评审表's requirements (stated, implied, statutory, the company's)
  open a review round: the five departments review in parallel (``review_decide``), each approves
  or rejects with a comment. Any rejection sends the order back to draft with the comment. When
  all five approve, the general manager's signature is asked through the approval engine (kind
  ``orders.sign``, ``crm.governance.flows``); a verbal order waits for its written confirmation
  first (``order_attach``).
- The signature (``order_sign`` or ``/approvals``) confirms the order; the customer becomes
  retained (``customer_transition`` with the deal date: the credit split, the referral reward
  and the post-deal callbacks follow from its hooks); a customer already retained stays so.
  A refusal sends the order back to draft; a signature the world refuses (a referral link not
  settled) leaves the reviews standing and the signature to be asked again.
- ``order_deliver``, ``order_close``, ``order_cancel``.

Every write checks ``CHANGE_ORDER`` (or the department's review action, or ``SIGN_ORDER``) over
the order, whose rows are its customer's, and records one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_CUSTOMER,
    CHANGE_ORDER,
    EXPORT_REPORTS,
    REVIEW_CAPACITY,
    REVIEW_EQUIPMENT,
    REVIEW_MATERIAL,
    REVIEW_QUALITY,
    REVIEW_TECHNICAL,
    SIGN_ORDER,
    VIEW_CUSTOMER,
    VIEW_OPPORTUNITY,
    VIEW_ORDER,
)
from crm.core.errors import Conflict, DomainError, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import allows, has_action, require, restrict
from crm.customers import lifecycle
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest, ApprovalState
from crm.products.models import Product
from crm.reports.services import ExportFile
from crm.sales.models import Opportunity

from . import files as order_files
from . import rules
from .inputs import (
    CancelInput,
    DeliverInput,
    FileInput,
    OrderInput,
    OrderPatch,
    PurchaseInput,
    RequirementsInput,
    ReviewInput,
    SignInput,
    SubmitInput,
    VersionInput,
    purchase_rules,
)
from .models import (
    ContractReview,
    FileKind,
    Order,
    OrderFile,
    OrderLine,
    OrderState,
    PaymentMethod,
    ReviewArea,
    ReviewRow,
    ReviewState,
    RoundState,
)

KIND = "orders.sign"

# who reviews what (与顾客有关的过程控制程序 4.2)
AREA_ACTIONS: dict[str, str] = {
    ReviewArea.CAPACITY: REVIEW_CAPACITY,
    ReviewArea.QUALITY: REVIEW_QUALITY,
    ReviewArea.TECHNICAL: REVIEW_TECHNICAL,
    ReviewArea.EQUIPMENT: REVIEW_EQUIPMENT,
    ReviewArea.MATERIAL: REVIEW_MATERIAL,
}
REQUIREMENTS = tuple(RequirementsInput.model_fields)
_HEAD = (
    "verbal",
    "order_date",
    "expected_delivery",
    "contact_name",
    "contact_phone",
    "contact_email",
    "payment_method",
    "by_instalments",
    "invoice_company",
    "invoice_tax_id",
    "invoice_address",
    "invoice_phone",
    "invoice_bank",
    "invoice_account",
    "currency",
    "incoterm",
    "port",
    "sample_sent",
    "style_number",
    "notes",
)
_LINE = ("size", "colour", "customisation")
CENT = Decimal("0.01")


# --- reading for a write --------------------------------------------------------------------


def _locked(actor: User, order_id: int, action: str = CHANGE_ORDER) -> Order:
    """The order, locked, if ``actor`` may ``action`` it: 403 without the action, 404 outside
    its scope."""
    require(actor, action)
    order = (
        restrict(Order.objects.all(), actor, action)
        .select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def _check_version(order: Order, version: int) -> None:
    if order.version != version:
        raise Conflict(extra={"current_version": order.version})


def current_round(order: Order) -> ContractReview | None:
    return order.reviews.order_by("-round").first()  # type: ignore[attr-defined]


def _customer(actor: User, customer_id: int) -> Customer:
    """The customer of a new order: one the actor sees and whose orders they may work."""
    customer = (
        restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER).filter(pk=customer_id).first()
    )
    if customer is None or not allows(actor, CHANGE_ORDER, Order(customer=customer)):
        raise Invalid(fields={"customer": _("客户不存在或不在您的范围内")})
    return customer


def opportunity_of(actor: User, customer: Customer, opportunity_id: int) -> Opportunity:
    """The opportunity an order comes from: one of the same customer that the actor sees."""
    found = (
        restrict(Opportunity.objects.all(), actor, VIEW_OPPORTUNITY)
        .filter(pk=opportunity_id, customer=customer)
        .first()
    )
    if found is None:
        raise Invalid(fields={"opportunity": _("不是该客户的销售机会")})
    return found


def lines_from(opportunity: Opportunity) -> tuple[list[dict[str, Any]], list[str]]:
    """赢单 → 订单: the opportunity's lines as order lines, each matched to a product on sale by
    its code or its name as typed (quantity and unit price kept); and the names that match no
    product (the opportunity's lines are free text: the catalogue links them here)."""
    rows: list[dict[str, Any]] = []
    unmatched: list[str] = []
    typed = list(opportunity.lines.all())  # type: ignore[attr-defined]
    names = {line.product_name.strip() for line in typed}
    found = Product.objects.filter(active=True).filter(Q(code__in=names) | Q(name__in=names))
    by_text: dict[str, Product] = {}
    for product in found.order_by("pk"):
        by_text.setdefault(product.code, product)
        by_text.setdefault(product.name, product)
    for line in typed:
        match = by_text.get(line.product_name.strip())
        if match is None:
            unmatched.append(line.product_name)
            continue
        rows.append({"product": match.pk, "quantity": line.quantity, "unit_price": line.unit_price})
    return rows, unmatched


def start_from_won(*, opportunity: Opportunity, actor: User) -> None:
    """When an opportunity is won, its order is started (a draft of the 客户订购登记表) if every
    line of it names a product of the catalogue and the winner may register orders; otherwise
    the opportunity's page offers the order form with what matched. Never stops the win."""
    rows, unmatched = lines_from(opportunity)
    if not rows or unmatched or Order.objects.filter(opportunity=opportunity).exists():
        return
    if not has_action(actor, CHANGE_ORDER):
        return
    try:
        with transaction.atomic():
            order_create(
                actor=actor,
                data={
                    "customer": opportunity.customer_id,
                    "opportunity": opportunity.pk,
                    "currency": opportunity.currency,
                    "lines": rows,
                },
            )
    except DomainError:
        return  # a price list or a scope that refuses it: the form is there to finish it


def _lines(order: Order, rows: Sequence[Mapping[str, Any]]) -> list[OrderLine]:
    """The order's lines from the input: each product in the catalogue and on sale, its price
    from the price list in the order's currency unless one is given."""
    wanted = {int(r["product"]) for r in rows}
    products = {p.pk: p for p in Product.objects.prefetch_related("prices").filter(pk__in=wanted)}
    errors: dict[str, str] = {}
    stale: dict[str, str] = {}  # what the catalogue now refuses (409), not the request
    lines: list[OrderLine] = []
    for n, row in enumerate(rows):
        product = products.get(int(row["product"]))
        if product is None:
            errors[f"lines.{n}.product"] = _("产品不存在")
            continue
        if not product.active:
            stale[f"lines.{n}.product"] = _("产品“%(name)s”已停售") % {"name": product.name}
            continue
        price = row.get("unit_price")
        if price is None:
            listed = product.price_in(order.currency)
            if listed is None:
                stale[f"lines.{n}.unit_price"] = _(
                    "产品“%(name)s”没有 %(currency)s 价格，请填写单价"
                ) % {"name": product.name, "currency": order.currency}
                continue
            price = listed.price
        quantity = Decimal(row["quantity"])
        amount = (quantity * Decimal(price)).quantize(CENT)
        if amount >= Decimal(10**14):
            errors[f"lines.{n}.quantity"] = _("金额超出范围")
            continue
        lines.append(
            OrderLine(
                position=n + 1,
                product=product,
                quantity=quantity,
                unit_price=Decimal(price),
                amount=amount,
                **{f: row.get(f, "") or "" for f in _LINE},
            )
        )
    if errors:
        raise Invalid(fields=errors)
    if stale:
        raise StateConflict(next(iter(stale.values())), fields=stale)
    return lines


def _save_lines(order: Order, lines: list[OrderLine]) -> None:
    order.lines.all().delete()  # type: ignore[attr-defined]
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    _total(order, lines)


def _total(order: Order, lines: Sequence[OrderLine], field: str = "lines") -> None:
    """The order's total of ``lines``; ``field`` names the input refused when it is too big."""
    order.total = sum((line.amount for line in lines), Decimal(0))
    if order.total >= Decimal(10**14):
        raise Invalid(fields={field: _("订单金额超出范围")})


def _purchase_line(order: Order, cleaned: Mapping[str, Any]) -> OrderLine:
    """A purchase's one product as an order line; the line's errors are the purchase's own
    fields (``product``, not ``lines.0.product``)."""
    line = {k: cleaned[k] for k in ("product", "quantity", "unit_price") if k in cleaned}
    try:
        (made,) = _lines(order, [line])
    except DomainError as exc:
        exc.fields = {k.removeprefix("lines.0."): v for k, v in exc.fields.items()}
        raise
    return made


def snapshot(order: Order) -> dict[str, Any]:
    data = order.snapshot()
    data["lines"] = [
        {
            "product": line.product_id,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            **{f: getattr(line, f) for f in _LINE if getattr(line, f)},
        }
        for line in order.lines.all()  # type: ignore[attr-defined]
    ]
    return data


def _check_dates(cleaned: Mapping[str, Any], order: Order) -> None:
    if order.expected_delivery and order.expected_delivery < order.order_date:
        raise Invalid(fields={"expected_delivery": _("期望交付日期不能早于订单日期")})


# --- the order ------------------------------------------------------------------------------


@transaction.atomic
def order_create(*, actor: User, data: Mapping[str, Any]) -> Order:
    """Register a 客户订购登记表 (a draft) for a customer in the actor's scope."""
    require(actor, CHANGE_ORDER)
    cleaned = validate(OrderInput, data)
    customer = _customer(actor, cleaned["customer"])
    order = Order(customer=customer, created_by=actor)
    if cleaned.get("opportunity") is not None:
        order.opportunity = opportunity_of(actor, customer, cleaned["opportunity"])
    for f in _HEAD:
        if f in cleaned and cleaned[f] is not None:
            setattr(order, f, cleaned[f])
    order.order_date = cleaned.get("order_date") or timezone.localdate()
    order.expected_delivery = cleaned.get("expected_delivery")
    _check_dates(cleaned, order)
    lines = _lines(order, cleaned["lines"])
    order.save()
    _save_lines(order, lines)
    order.save(update_fields=["total"])
    audit.record(actor=actor, verb="order.created", obj=order, after=snapshot(order))
    return order


def _recorded(customer: Customer, external_number: str) -> Order | None:
    if not external_number:
        return None
    return Order.objects.filter(customer=customer, external_number=external_number).first()


@transaction.atomic
def purchase_record(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> Order:
    """Record a past purchase (购买记录: a shop's order history, a sale made before the CRM) of
    a customer in the actor's scope: a closed order of one product, dated the day of the
    purchase and credited, like a signed order, to the customer's owner (销售统计 counts it on
    that day). It had no review and no signature: it happened. The customer's category is left
    as it is (a customer import says whether a buyer is retained). A customer's shop order
    number is recorded once."""
    require(actor, CHANGE_ORDER)
    cleaned = validate(PurchaseInput, data)
    problems = purchase_rules(cleaned)
    if problems:
        raise Invalid(fields=problems)
    customer = (
        restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER).filter(pk=customer_id).first()
    )
    if customer is None or not allows(actor, CHANGE_ORDER, Order(customer=customer)):
        raise NotFound()
    external = cleaned.get("external_number", "")
    held = _recorded(customer, external)
    if held is not None:
        raise StateConflict(
            _("该客户已有外部单号为 %(number)s 的订单（%(order)s）")
            % {"number": external, "order": held.number}
        )
    day = cleaned["order_date"]
    now = timezone.now()
    order = Order(
        customer=customer,
        created_by=actor,
        state=OrderState.CLOSED,
        order_date=day,
        currency=cleaned.get("currency", "CNY"),
        payment_method=cleaned.get("payment_method", PaymentMethod.ONLINE),
        notes=cleaned.get("notes", ""),
        external_number=external,
        confirmed_on=day,
        delivered_on=day,
        closed_at=now,
        sold_by_id=customer.owner_id,
        sold_department_id=customer.department_id,
        source=customer.source,
    )
    lines = [_purchase_line(order, cleaned)]
    order.save()
    _save_lines(order, lines)
    order.save(update_fields=["total"])
    audit.record(actor=actor, verb="order.purchase_recorded", obj=order, after=snapshot(order))
    return order


def _as_recorded(order: Order) -> bool:
    """A past purchase nobody has touched since it was recorded: version 1, closed, never
    confirmed by review, no payment plan or receipt."""
    return (
        order.version == 1
        and order.state == OrderState.CLOSED
        and order.confirmed_at is None
        and not order.instalments.exists()  # type: ignore[attr-defined]
        and not order.receipts.exists()  # type: ignore[attr-defined]
    )


@transaction.atomic
def purchase_line_add(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """One more product of a past purchase: a shop exports an order of several items as one
    row per item under the same order number (电子商务-网店客户管理), and the rows after the
    first become the order's further lines. Only while the purchase is as recorded (it is
    still being recorded: its version stays 1, so an import's undo still takes it back); in
    the order's currency. The order's head (day, payment, notes) is its first row's."""
    require(actor, CHANGE_ORDER)
    cleaned = validate(PurchaseInput, data)
    order = _locked(actor, order_id)
    if not _as_recorded(order):
        raise StateConflict(_("订单 %(order)s 已有改动，不能再并入商品") % {"order": order.number})
    if cleaned.get("currency", "CNY") != order.currency:
        raise Invalid(fields={"currency": _("币种与同一订单的其他商品不一致")})
    added = _purchase_line(order, cleaned)
    lines = list(order.lines.all())  # type: ignore[attr-defined]
    added.order = order
    added.position = max((x.position for x in lines), default=0) + 1
    _total(order, [*lines, added], field="quantity")
    added.save()
    order.save(update_fields=["total"])
    audit.record(actor=actor, verb="order.purchase_line_added", obj=order, after=snapshot(order))
    return order


@transaction.atomic
def purchase_remove(*, actor: User, order_id: int) -> bool:
    """Take back a past purchase recorded by mistake (an import's undo): only while it is as
    recorded (version 1, closed, no payment plan or receipt). False: kept."""
    order = _locked(actor, order_id)
    if not _as_recorded(order):
        return False
    audit.record(actor=actor, verb="order.purchase_removed", obj=order, before=snapshot(order))
    order.lines.all().delete()  # type: ignore[attr-defined]
    order.delete()
    return True


@transaction.atomic
def order_update(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """Change an order made from ``version``. A draft is changed as it is; a confirmed order
    goes back to review (与顾客有关的过程控制程序: a changed contract is reviewed again)."""
    cleaned = validate(OrderPatch, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned.pop("version"))
    if not order.editable:
        raise StateConflict(_("%(state)s的订单不能修改") % {"state": OrderState(order.state).label})
    before = snapshot(order)
    for f in _HEAD:
        if f in cleaned and (cleaned[f] is not None or f == "expected_delivery"):
            setattr(order, f, cleaned[f])
    _check_dates(cleaned, order)
    if cleaned.get("lines") is not None:
        _save_lines(order, _lines(order, cleaned["lines"]))
    after = snapshot(order)
    if after == before:
        return order
    reopened = None
    if order.state == OrderState.CONFIRMED:
        _check_submittable(order)
        last = current_round(order)
        reopened = _open_round(
            actor,
            order,
            {f: getattr(last, f) for f in REQUIREMENTS} if last is not None else {},
        )
        order.state = OrderState.REVIEW
    order.version += 1
    order.save()
    audit.record(
        actor=actor,
        verb="order.updated",
        obj=order,
        before=before,
        after=snapshot(order),
        details={"review_round": reopened.round} if reopened is not None else None,
    )
    return order


def _check_submittable(order: Order) -> None:
    """What must hold before an order is reviewed: lines of products on sale, a customer that
    can become retained, a distributor's licence covering each medical device (5.1.5)."""
    lines = list(order.lines.select_related("product"))  # type: ignore[attr-defined]
    if not lines:
        raise StateConflict(fields={"lines": _("订单没有产品")})
    stopped = [line.product.name for line in lines if not line.product.active]
    if stopped:
        raise StateConflict(
            _("产品“%(name)s”已停售，请修改订单") % {"name": stopped[0]},
            fields={"lines": _("产品“%(name)s”已停售") % {"name": stopped[0]}},
        )
    customer = Customer.objects.filter(pk=order.customer_id).first()
    if customer is None or customer.deleted_at is not None:
        raise StateConflict(_("客户已删除"))
    problem = rules.category_problem(customer)
    if problem:
        raise StateConflict(problem)
    problems = rules.licence_problems(
        customer, [line.product for line in lines], timezone.localdate()
    )
    if problems:
        raise StateConflict(problems[0], extra={"problems": problems})


def _open_round(actor: User, order: Order, requirements: Mapping[str, Any]) -> ContractReview:
    """A new 合同评审表 round with one pending review per department; its reviewers are told."""
    last = current_round(order)
    review = ContractReview.objects.create(
        order=order,
        round=(last.round + 1) if last is not None else 1,
        submitted_by=actor,
        submitted_at=timezone.now(),
        **{f: requirements.get(f, "" if f != "lead_free" else False) for f in REQUIREMENTS},
    )
    ReviewRow.objects.bulk_create(ReviewRow(review=review, area=area) for area in AREA_ACTIONS)
    from . import notices

    notices.review_waiting(order, review)
    return review


@transaction.atomic
def order_submit(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """Submit a draft for contract review with the 合同评审表's requirements."""
    cleaned = validate(SubmitInput, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned.pop("version"))
    if order.state != OrderState.DRAFT:
        raise StateConflict(
            _("%(state)s的订单不能提交评审") % {"state": OrderState(order.state).label}
        )
    _check_submittable(order)
    review = _open_round(actor, order, cleaned)
    order.state = OrderState.REVIEW
    order.returned_note = ""
    order.version += 1
    order.save(update_fields=["state", "returned_note", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb="order.submitted",
        obj=order,
        before={"state": OrderState.DRAFT},
        after={"state": order.state, "round": review.round, **cleaned},
    )
    return order


# --- the departments' reviews ---------------------------------------------------------------


def _in_review(order: Order) -> ContractReview:
    review = current_round(order)
    if order.state != OrderState.REVIEW or review is None:
        raise StateConflict(_("订单不在合同评审中"))
    return review


@transaction.atomic
def review_decide(*, actor: User, order_id: int, area: str, data: Mapping[str, Any]) -> ReviewRow:
    """One department's review of the order's current round: approve, or reject with the
    reason (the order goes back to draft with it; the other reviews of the round end)."""
    action = AREA_ACTIONS.get(area)
    if action is None:
        raise NotFound()
    cleaned = validate(ReviewInput, data)
    order = _locked(actor, order_id, action)
    review = _in_review(order)
    row = review.rows.select_for_update().get(area=area)  # type: ignore[attr-defined]
    if review.state != RoundState.REVIEWING or row.state != ReviewState.PENDING:
        raise StateConflict(_("该项已评审"))
    if review.submitted_by_id == actor.pk:
        raise StateConflict(_("不能评审自己提交的订单"))
    note = cleaned.get("note", "")
    if not cleaned["approve"] and not note:
        raise Invalid(fields={"note": _("不同意时请填写评审意见")})
    row.state = ReviewState.APPROVED if cleaned["approve"] else ReviewState.REJECTED
    row.note, row.decided_by, row.decided_at = note, actor, timezone.now()
    row.save(update_fields=["state", "note", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        verb="order.reviewed",
        obj=order,
        after={"round": review.round, "area": area, "state": row.state},
        reason=note,
    )
    from . import notices

    if row.state == ReviewState.REJECTED:
        review.rows.filter(state=ReviewState.PENDING).update(state=ReviewState.SKIPPED)  # type: ignore[attr-defined]
        _return_to_draft(
            order,
            review,
            _("%(area)s评审不同意：%(note)s") % {"area": ReviewArea(area).label, "note": note},
        )
        notices.returned(order)
    elif not review.rows.exclude(state=ReviewState.APPROVED).exists():  # type: ignore[attr-defined]
        _after_reviews(actor, order, review)
    return row


def _return_to_draft(order: Order, review: ContractReview, note: str) -> None:
    review.state = RoundState.REJECTED
    review.save(update_fields=["state"])
    order.state = OrderState.DRAFT
    order.returned_note = note[:1000]
    order.version += 1
    order.save(update_fields=["state", "returned_note", "version", "updated_at"])


def _after_reviews(actor: User, order: Order, review: ContractReview) -> None:
    """All five approved: a verbal order waits for its written confirmation (5.1.7); otherwise
    the general manager is asked to sign."""
    from . import notices

    if order.verbal and not rules.confirmed_in_writing(order):
        review.state = RoundState.AWAITING_CONFIRMATION
        review.save(update_fields=["state"])
        notices.awaiting_confirmation(order)
        return
    _request_signature(order, review)


def _request_signature(order: Order, review: ContractReview) -> None:
    requester = review.submitted_by or order.created_by
    review.approval = approvals.approval_submit(
        actor=requester,
        kind=KIND,
        title=_("合同签署：订单 %(number)s（%(customer)s，%(currency)s %(total)s）")
        % {
            "number": order.number,
            "customer": order.customer.name,
            "currency": order.currency,
            "total": order.total,
        },
        payload={"order": order.pk, "round": review.pk},
        reason=_("合同评审第 %(n)d 轮：各部门评审同意") % {"n": review.round},
        subject=order,
    )
    review.state = RoundState.SIGNING
    review.sign_note = ""
    review.save(update_fields=["approval", "state", "sign_note"])


@transaction.atomic
def order_request_signature(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """Ask the general manager's signature again: after a signature the world refused (a
    referral link not yet settled), or a verbal order's written confirmation arrived."""
    cleaned = validate(VersionInput, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned["version"])
    review = _in_review(order)
    if review.state not in (RoundState.REVIEWED, RoundState.AWAITING_CONFIRMATION):
        raise StateConflict(_("订单不在待签署状态"))
    if order.verbal and not rules.confirmed_in_writing(order):
        raise StateConflict(_("口头订单须先上传书面确认（邮件确认或回签合同），才能签署确认"))
    _request_signature(order, review)
    audit.record(
        actor=actor, verb="order.signature_requested", obj=order, after={"round": review.round}
    )
    return order


# --- the signature --------------------------------------------------------------------------


@transaction.atomic
def order_sign(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """The general manager (or deputy) signs the reviewed contract, or sends it back with a
    reason: the order's approval step decided here or on the approvals page alike."""
    cleaned = validate(SignInput, data)
    require(actor, SIGN_ORDER)
    order = restrict(Order.objects.all(), actor, SIGN_ORDER).filter(pk=order_id).only("pk").first()
    if order is None:
        raise NotFound()
    review = current_round(order)
    if review is None or review.state != RoundState.SIGNING or review.approval_id is None:
        raise StateConflict(_("订单不在待签署状态"))
    note = cleaned.get("note", "")
    if not cleaned["approve"] and not note:
        raise Invalid(fields={"note": _("退回时请填写意见")})
    approvals.approval_decide(
        actor=actor, request_id=review.approval_id, approve=cleaned["approve"], note=note
    )
    return Order.objects.select_related("customer").get(pk=order_id)


@approvals.handler(KIND)
def _signed(approval: ApprovalRequest, actor: Any) -> None:
    """The signature confirms the order: the rules are checked again, the customer becomes
    retained (unless already), the round is signed."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=approval.payload.get("order"))
        .first()
    )
    review = ContractReview.objects.filter(pk=approval.payload.get("round")).first()
    if order is None or review is None:
        raise NotFound(_("订单已不存在"))
    if order.state != OrderState.REVIEW or review.state != RoundState.SIGNING:
        raise StateConflict(_("订单已不在待签署状态"))
    if order.verbal and not rules.confirmed_in_writing(order):
        raise StateConflict(_("口头订单须先上传书面确认（邮件确认或回签合同），才能签署确认"))
    _check_submittable(order)
    now = timezone.now()
    deal = _deal(order, actor, now)
    review.state = RoundState.SIGNED
    review.signed_by, review.signed_at, review.sign_note = actor, now, approval.decision_note
    review.save(update_fields=["state", "signed_by", "signed_at", "sign_note"])
    order.state = OrderState.CONFIRMED
    order.confirmed_at = now
    # the sale is its customer's owner's (and their department's) as at the signature
    customer = order.customer
    order.confirmed_on = timezone.localdate(now)
    order.sold_by_id, order.sold_department_id = customer.owner_id, customer.department_id
    order.source = customer.source
    order.version += 1
    order.save(
        update_fields=[
            "state",
            "confirmed_at",
            "confirmed_on",
            "sold_by",
            "sold_department",
            "source",
            "version",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        verb="order.confirmed",
        obj=order,
        before={"state": OrderState.REVIEW},
        after={"state": order.state, "round": review.round, "customer_retained": deal},
        reason=approval.decision_note,
    )


def _deal(order: Order, signer: Any, now: dt.datetime) -> bool:
    """成交: the customer becomes retained with today's deal date (its hooks settle the credit
    split and the referral reward, and plan the post-deal callbacks). A customer retained
    already is left as it is. Returns whether it changed."""
    customer = Customer.objects.select_for_update().get(pk=order.customer_id)
    if customer.category == Category.RETAINED:
        return False
    owner = customer.owner
    who = signer if allows(signer, CHANGE_CUSTOMER, customer) else owner
    if who is None or not allows(who, CHANGE_CUSTOMER, customer):
        raise StateConflict(_("无人有权将客户转为保有客户（请为客户指定负责人）"))
    lifecycle.customer_transition(
        actor=who,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.RETAINED,
        deal_on=timezone.localdate(now),
        reason=_("订单 %(number)s 签署确认") % {"number": order.number},
    )
    return True


def on_sign_decided(approval: ApprovalRequest) -> None:
    """A refused signature sends the order back to draft with the reason; a signature that
    failed (the order's world changed) leaves the reviews standing, to be signed again."""
    if approval.kind != KIND or approval.state == ApprovalState.APPROVED:
        return
    review = (
        ContractReview.objects.select_related("order")
        .filter(pk=approval.payload.get("round"), state=RoundState.SIGNING)
        .first()
    )
    if review is None:
        return
    order = Order.objects.select_for_update(of=("self",)).get(pk=review.order_id)
    review.sign_note = approval.decision_note[:500]
    from . import notices

    if approval.state == ApprovalState.REJECTED:
        review.save(update_fields=["sign_note"])
        _return_to_draft(
            order, review, _("总经理退回：%(note)s") % {"note": approval.decision_note}
        )
        audit.record(
            actor=approval.decided_by,
            verb="order.returned",
            obj=order,
            before={"state": OrderState.REVIEW},
            after={"state": order.state},
            reason=approval.decision_note,
        )
        notices.returned(order)
    elif order.state == OrderState.REVIEW:
        review.state = RoundState.REVIEWED
        review.save(update_fields=["state", "sign_note"])
    else:
        review.state = RoundState.WITHDRAWN
        review.save(update_fields=["state", "sign_note"])


# --- files ----------------------------------------------------------------------------------


@transaction.atomic
def order_attach(
    *, actor: User, order_id: int, files: Sequence[UploadedFile], kind: str = FileKind.EMAIL
) -> list[OrderFile]:
    """Attach the written confirmation of an order (an e-mail, the countersigned contract) or
    another of its documents. A verbal order whose reviews are done then goes to signature."""
    cleaned = validate(FileInput, {"kind": kind})
    order = _locked(actor, order_id)
    if order.state in (OrderState.CANCELLED, OrderState.CLOSED):
        raise StateConflict(
            _("%(state)s的订单不能上传文件") % {"state": OrderState(order.state).label}
        )
    checked = order_files.check(files, already=order.files.count())  # type: ignore[attr-defined]
    saved = order_files.save(order, checked, kind=cleaned["kind"], actor=actor)
    audit.record(
        actor=actor,
        verb="order.file_added",
        obj=order,
        after={"files": [f.name for f in saved], "kind": cleaned["kind"]},
    )
    review = current_round(order)
    if (
        review is not None
        and order.state == OrderState.REVIEW
        and review.state == RoundState.AWAITING_CONFIRMATION
        and rules.confirmed_in_writing(order)
    ):
        _request_signature(order, review)
    return saved


@transaction.atomic
def order_file_open(*, actor: User, order_id: int, file_id: int) -> OrderFile:
    """One file of an order, for whoever may read the order; each opening is logged."""
    require(actor, VIEW_ORDER)
    found = (
        restrict(OrderFile.objects.all(), actor, VIEW_ORDER)
        .select_related("order")
        .filter(pk=file_id, order_id=order_id)
        .first()
    )
    if found is None:
        raise NotFound()
    audit.record(
        actor=actor, verb="order.file_opened", obj=found.order, details={"file": found.name}
    )
    return found


# --- delivery, closing, cancelling ----------------------------------------------------------


def _move(actor: User, order: Order, to: str, verb: str, reason: str = "") -> Order:
    before = order.state
    order.state = to
    order.version += 1
    order.save()
    audit.record(
        actor=actor,
        verb=verb,
        obj=order,
        before={"state": before},
        after={"state": to},
        reason=reason,
    )
    return order


@transaction.atomic
def order_deliver(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    cleaned = validate(DeliverInput, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned["version"])
    if order.state != OrderState.CONFIRMED:
        raise StateConflict(_("只有已确认的订单才能交付"))
    day = cleaned.get("delivered_on") or timezone.localdate()
    if day > timezone.localdate():
        raise Invalid(fields={"delivered_on": _("交付日期不能晚于今天")})
    order.delivered_on = day
    return _move(actor, order, OrderState.DELIVERED, "order.delivered")


@transaction.atomic
def order_close(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    cleaned = validate(VersionInput, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned["version"])
    if order.state != OrderState.DELIVERED:
        raise StateConflict(_("只有已交付的订单才能关闭"))
    order.closed_at = timezone.now()
    return _move(actor, order, OrderState.CLOSED, "order.closed")


@transaction.atomic
def order_cancel(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Order:
    """Cancel an order not yet delivered, with the reason; its open review round ends."""
    cleaned = validate(CancelInput, data)
    order = _locked(actor, order_id)
    _check_version(order, cleaned["version"])
    if order.state not in (OrderState.DRAFT, OrderState.REVIEW, OrderState.CONFIRMED):
        raise StateConflict(_("%(state)s的订单不能取消") % {"state": OrderState(order.state).label})
    review = current_round(order)
    if review is not None and review.state in (
        RoundState.REVIEWING,
        RoundState.AWAITING_CONFIRMATION,
        RoundState.REVIEWED,
    ):
        review.rows.filter(state=ReviewState.PENDING).update(state=ReviewState.SKIPPED)  # type: ignore[attr-defined]
        review.state = RoundState.WITHDRAWN
        review.save(update_fields=["state"])
    order.cancelled_at = timezone.now()
    order.cancel_reason = cleaned["reason"]
    return _move(actor, order, OrderState.CANCELLED, "order.cancelled", cleaned["reason"])


@transaction.atomic
def order_print(*, actor: User, order_id: int) -> tuple[Order, bytes]:
    """The printable order form (PDF) with its latest contract review; the print is logged."""
    from . import pdf
    from .selectors import order_get

    order = order_get(actor=actor, order_id=order_id)
    data = pdf.order_pdf(order, current_round(order))
    audit.record(actor=actor, verb="order.printed", obj=order)
    return order, data


# --- 销售统计 as a file ------------------------------------------------------------------------

STATS_FORMATS = ("xlsx", "pdf")


@transaction.atomic
def statistics_export(
    *,
    actor: User,
    by: str,
    since: dt.date,
    until: dt.date,
    currency: str,
    department_id: int | None = None,
    fmt: str = "xlsx",
) -> ExportFile:
    """销售统计 as an Excel workbook or a PDF of the sales ``actor`` may export, logged as
    exported (``report.exported``)."""
    from crm.reports.scope import report_coverage

    from . import stats, stats_export

    require(actor, EXPORT_REPORTS)
    if fmt not in STATS_FORMATS:
        raise Invalid(fields={"format": _("不是有效的选项")})
    report = stats.sales_statistics(
        actor=actor,
        by=by,
        since=since,
        until=until,
        currency=currency,
        department_id=department_id,
        action=EXPORT_REPORTS,
    )
    period = f"{since.isoformat()}~{until.isoformat()}"
    filters = [
        (_("期间"), period),
        (_("币种"), currency),
        (
            _("范围"),
            report_coverage(actor=actor, department_id=department_id, action=EXPORT_REPORTS),
        ),
    ]
    now = timezone.now()
    write = stats_export.pdf if fmt == "pdf" else stats_export.workbook
    content = write(report, filters=filters, exported_by=actor.display_name, at=now)
    title = stats_export.title(report)
    audit.record(
        actor=actor,
        verb="report.exported",
        obj=actor,
        after={"report": f"orders.statistics.{by}", "period": period, "rows": len(report.rows)},
        reason=f"{title} {period}",
    )
    if fmt == "pdf":
        return ExportFile(
            filename=f"{title}_{period}.pdf", content=content, content_type="application/pdf"
        )
    return ExportFile(filename=f"{title}_{period}.xlsx", content=content)
