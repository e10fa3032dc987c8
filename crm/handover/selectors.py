"""Reads of the hand-over: the hand-overs in the actor's scope, one record with its customers
grouped by receiver (the printable 交接单), and whom a manager may hand over and to whom."""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.accounts.models import User
from crm.accounts.roles import APPROVE_HANDOVER, OWN_CUSTOMER, START_HANDOVER, VIEW_HANDOVER
from crm.core.permissions import allows, has_action, restrict
from crm.governance.approvals import may_decide

from .models import Handover, HandoverItem, HandoverState


def handover_list(*, actor: User, limit: int = 100) -> list[Handover]:
    rows = restrict(Handover.objects.all(), actor, VIEW_HANDOVER)
    if has_action(actor, APPROVE_HANDOVER):
        rows = rows | restrict(Handover.objects.all(), actor, APPROVE_HANDOVER)
    return list(
        rows.select_related("leaver", "started_by", "signed_by", "department").order_by("-id")[
            :limit
        ]
    )


def handover_get(*, actor: User, handover_id: int) -> Handover | None:
    handover = (
        Handover.objects.select_related(
            "leaver", "started_by", "signed_by", "department", "approval"
        )
        .filter(pk=handover_id)
        .first()
    )
    if handover is None:
        return None
    if allows(actor, VIEW_HANDOVER, handover) or allows(actor, APPROVE_HANDOVER, handover):
        return handover
    return None


def may_sign(actor: User, handover: Handover) -> bool:
    return (
        handover.state == HandoverState.PENDING
        and handover.approval is not None
        and may_decide(actor, handover.approval, handover)
    )


@dataclass
class ReceiverPart:
    receiver: User
    items: list[HandoverItem] = field(default_factory=list)


def handover_parts(handover: Handover) -> list[ReceiverPart]:
    """The record's customers, by receiver (in the order they were named), in customer order."""
    parts: dict[int, ReceiverPart] = {}
    items = (
        HandoverItem.objects.filter(handover=handover)
        .select_related("receiver", "customer")
        .only(
            "id",
            "moved",
            "receiver_id",
            "customer_id",
            "receiver__username",
            "receiver__full_name",
            "customer__number",
            "customer__name",
            "customer__category",
            "customer__grade",
        )
        .order_by("customer_id")
    )
    for item in items:
        part = parts.setdefault(item.receiver_id, ReceiverPart(receiver=item.receiver))
        part.items.append(item)
    return list(parts.values())


def leavers(*, actor: User) -> list[User]:
    """Whom the actor may hand over: users of their scope who may own customers."""
    users = restrict(User.objects.select_related("role", "department"), actor, START_HANDOVER)
    return [
        u
        for u in users.exclude(pk=actor.pk).order_by("id")
        if u.role is not None and (u.role.scope_for(OWN_CUSTOMER) != "none")
    ]


def receivers(*, actor: User) -> list[User]:
    return [u for u in leavers(actor=actor) if u.is_active]
