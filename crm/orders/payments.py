"""回款: an order's payment plan (instalments with due dates and amounts) and the money received
against it. A receipt pays the earliest instalments still open (first in, first out); an
instalment past its due date and not fully paid is overdue (催款: in the owner's morning digest
and on the overdue list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_ORDER
from crm.core.errors import Invalid, StateConflict
from crm.core.inputs import validate
from crm.governance import audit

from .inputs import PaymentPlanInput, PropertyStepInput, ReceiptInput
from .models import Instalment, Order, OrderState, PropertyStage, PropertyStep, Receipt

PAYABLE = (OrderState.CONFIRMED, OrderState.DELIVERED, OrderState.CLOSED)
PLANNABLE = (OrderState.DRAFT, OrderState.REVIEW, *PAYABLE)


@dataclass
class InstalmentStatus:
    instalment: Instalment
    paid: Decimal
    open_amount: Decimal
    overdue: bool


def allocate(
    instalments: list[Instalment], received: Decimal, today: dt.date
) -> list[InstalmentStatus]:
    """The plan with what has been paid of each instalment, the earliest first."""
    left = received
    out = []
    for inst in sorted(instalments, key=lambda i: (i.due_on, i.position)):
        paid = min(left, inst.amount)
        left -= paid
        open_amount = inst.amount - paid
        out.append(
            InstalmentStatus(inst, paid, open_amount, open_amount > 0 and inst.due_on < today)
        )
    return out


def _order(actor: User, order_id: int) -> Order:
    from .services import _locked

    return _locked(actor, order_id, CHANGE_ORDER)


@transaction.atomic
def plan_set(*, actor: User, order_id: int, data: Mapping[str, Any]) -> list[Instalment]:
    """Replace an order's payment plan; its instalments add up to the order's amount."""
    cleaned = validate(PaymentPlanInput, data)
    order = _order(actor, order_id)
    if order.state not in PLANNABLE:
        raise StateConflict(_("已取消的订单没有回款计划"))
    rows = cleaned["instalments"]
    total = sum((Decimal(r["amount"]) for r in rows), Decimal(0))
    if rows and total != order.total:  # the stored order's amount refuses it: 409
        raise StateConflict(
            fields={
                "instalments": _("各期金额合计 %(sum)s 与订单金额 %(total)s 不符")
                % {"sum": total, "total": order.total}
            }
        )
    before = [
        {"due_on": i.due_on.isoformat(), "amount": str(i.amount)}
        for i in order.instalments.all()  # type: ignore[attr-defined]
    ]
    order.instalments.all().delete()  # type: ignore[attr-defined]
    created = Instalment.objects.bulk_create(
        Instalment(order=order, position=n, **r) for n, r in enumerate(rows, start=1)
    )
    audit.record(
        actor=actor,
        verb="order.plan_set",
        obj=order,
        before={"instalments": before},
        after={
            "instalments": [
                {"due_on": r["due_on"].isoformat(), "amount": str(r["amount"])} for r in rows
            ]
        },
    )
    return created


@transaction.atomic
def receipt_record(*, actor: User, order_id: int, data: Mapping[str, Any]) -> Receipt:
    """Money received for a confirmed (or delivered) order."""
    cleaned = validate(ReceiptInput, data)
    order = _order(actor, order_id)
    if order.state not in PAYABLE:
        raise StateConflict(_("只有已确认的订单才能登记回款"))
    if cleaned["received_on"] > timezone.localdate():
        raise Invalid(fields={"received_on": _("到账日期不能晚于今天")})
    received = sum((r.amount for r in order.receipts.all()), Decimal(0))  # type: ignore[attr-defined]
    if received + cleaned["amount"] > order.total:
        raise StateConflict(
            fields={
                "amount": _("回款合计将超过订单金额（已收 %(got)s，订单 %(total)s）")
                % {"got": received, "total": order.total}
            }
        )
    receipt = Receipt.objects.create(order=order, recorded_by=actor, **cleaned)
    audit.record(
        actor=actor,
        verb="order.payment_received",
        obj=order,
        after={
            "amount": str(receipt.amount),
            "received_on": receipt.received_on.isoformat(),
            "method": receipt.method,
        },
        reason=receipt.note,
    )
    return receipt


# --- a property sale's steps (房地产: 认购 → 合同 → 按揭 → 备案) ----------------------------------

PROPERTY_ORDER = [s.value for s in PropertyStage]


def property_next(done: set[str]) -> list[str]:
    """The steps that may be recorded next: the first one not done, and past 按揭 to 备案 once
    签约 is done (a buyer paying at once has no mortgage)."""
    left = [s for s in PROPERTY_ORDER if s not in done]
    if not left or PropertyStage.FILING in done:  # filed: the sale's way is done
        return []
    nxt = [left[0]]
    if left[0] == PropertyStage.MORTGAGE:
        nxt.append(PropertyStage.FILING)
    return nxt


@transaction.atomic
def property_step_record(*, actor: User, order_id: int, data: Mapping[str, Any]) -> PropertyStep:
    """Record a step of a property sale reached: in order (认购, then 签约, then 按揭 unless the
    buyer pays at once, then 备案), each once, on a day not before the step before it and not
    after today."""
    cleaned = validate(PropertyStepInput, data)
    order = _order(actor, order_id)
    if order.state == OrderState.CANCELLED:
        raise StateConflict(_("已取消的订单不能登记成交进度"))
    steps = list(order.property_steps.all())  # type: ignore[attr-defined]
    done = {s.stage for s in steps}
    stage, day = cleaned["stage"], cleaned["done_on"]
    label = PropertyStage(stage).label
    if stage in done:
        raise StateConflict(fields={"stage": _("“%(stage)s”已登记过") % {"stage": label}})
    if stage not in property_next(done):
        wanted = "、".join(str(PropertyStage(s).label) for s in property_next(done))
        raise StateConflict(
            fields={
                "stage": _("须按 认购 → 签约 → 按揭 → 备案 的顺序办理，下一步应为：%(next)s")
                % {"next": wanted or "—"}
            }
        )
    if day > timezone.localdate():
        raise Invalid(fields={"done_on": _("办理日期不能晚于今天")})
    last = max((s.done_on for s in steps), default=None)
    if last is not None and day < last:
        raise Invalid(
            fields={"done_on": _("办理日期不能早于上一步（%(day)s）") % {"day": last.isoformat()}}
        )
    step = PropertyStep.objects.create(
        order=order, stage=stage, done_on=day, note=cleaned.get("note", ""), recorded_by=actor
    )
    audit.record(
        actor=actor,
        verb="order.property_step",
        obj=order,
        after={"stage": stage, "done_on": day.isoformat()},
        reason=step.note,
    )
    return step
