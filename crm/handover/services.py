"""Writes of the hand-over (交接): starting one, and the director's signature that moves
everything.

``handover_start`` lists the leaver's customers with their receivers and asks the director
(``approval_submit``, kind ``handover.sign``); for a departure the leaver's access ends then and
there (account deactivated, sessions ended, API tokens revoked). The approval's handler
(``handover_sign``) moves the customers in batches in the same transaction as the decision:
the owner in one UPDATE per receiver (``customers_owner_moved``), one history row per customer,
the owner-changed hooks (open plans and reminders follow their customer), the search documents,
then whatever other domains registered (``hooks.on_handed_over``: opportunities) and one audit
event with the counts. A transfer keeps the rep's account; the handed customers leave their
reach when the director signs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.accounts.roles import APPROVE_HANDOVER, OWN_CUSTOMER, START_HANDOVER
from crm.activities.choices import OPEN_STATUSES
from crm.activities.models import Plan
from crm.core.errors import DomainError, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import allows, owned_by, require
from crm.customers import hooks as customer_hooks
from crm.customers import search
from crm.customers import services as customers
from crm.customers.models import Customer
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest, ApprovalState

from . import hooks
from .inputs import HandoverInput
from .models import Handover, HandoverItem, HandoverKind, HandoverSplit, HandoverState

KIND = "handover.sign"
BATCH = 1000


def _chunks(ids: Sequence[int], size: int = BATCH) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def split_customers(
    customer_ids: Sequence[int],
    receivers: Sequence[int],
    *,
    split: str,
    chosen: Mapping[int, int] | None = None,
    loads: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """Customer id → receiver id. ``chosen`` customers go where chosen; the rest in id order,
    ``even``: in turn (the receivers' counts differ by at most one); ``balance``: each to the
    receiver with the fewest customers so far, counting those they already own (``loads``)."""
    chosen = dict(chosen or {})
    rest = [c for c in customer_ids if c not in chosen]
    out = {c: chosen[c] for c in customer_ids if c in chosen}
    if split == HandoverSplit.BALANCE:
        load = Counter({r: (loads or {}).get(r, 0) for r in receivers})
        for r in out.values():
            load[r] += 1
        for c in rest:
            r = min(receivers, key=lambda u: (load[u], receivers.index(u)))
            out[c] = r
            load[r] += 1
        return out
    for i, c in enumerate(rest):
        out[c] = receivers[i % len(receivers)]
    return out


def _receivers(actor: User, ids: Sequence[int], leaver: User) -> list[User]:
    ids = list(dict.fromkeys(ids))
    found = {u.pk: u for u in User.objects.select_related("role").filter(pk__in=ids)}
    for pk in ids:
        user = found.get(pk)
        if user is None or not allows(actor, START_HANDOVER, user):
            raise Invalid(fields={"receivers": _("接收人不存在或不在您的管理范围内")})
        if user.pk == leaver.pk:
            raise Invalid(fields={"receivers": _("接收人不能是交出人本人")})
        if not user.is_active or not user.has_action(OWN_CUSTOMER):
            raise Invalid(
                fields={"receivers": _("%(name)s 不能接收客户") % {"name": user.display_name}}
            )
    return [found[pk] for pk in ids]


def _leaver_customers(leaver: User) -> list[int]:
    live = owned_by(Customer.objects.alive(), [leaver.pk])
    return list(live.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def handover_start(*, actor: User, data: Mapping[str, Any]) -> Handover:
    """Start the hand-over of a rep: every live customer of theirs with its receiver, waiting
    for the director's signature. A departure ends the leaver's access at once."""
    require(actor, START_HANDOVER)
    cleaned = {"split": HandoverSplit.EVEN, "chosen": [], **validate(HandoverInput, data)}
    leaver = User.objects.select_for_update().filter(pk=cleaned["leaver"]).first()
    if leaver is None or not allows(actor, START_HANDOVER, leaver):
        raise Invalid(fields={"leaver": _("交出人不存在或不在您的管理范围内")})
    if leaver.pk == actor.pk:
        raise Invalid(fields={"leaver": _("不能发起自己的交接")})
    if Handover.objects.filter(leaver=leaver, state=HandoverState.PENDING).exists():
        raise StateConflict(_("该员工已有一份待签字的交接单"))
    receivers = _receivers(actor, cleaned["receivers"], leaver)
    receiver_ids = [u.pk for u in receivers]
    ids = _leaver_customers(leaver)
    chosen: dict[int, int] = {}
    owned = set(ids)
    for pair in cleaned.get("chosen", []):
        if pair["customer"] not in owned:
            raise Invalid(fields={"chosen": _("指定的客户不属于交出人")})
        if pair["receiver"] not in receiver_ids:
            raise Invalid(fields={"chosen": _("指定的接收人须在接收人之中")})
        chosen[pair["customer"]] = pair["receiver"]
    loads: dict[int, int] = {}
    if cleaned["split"] == HandoverSplit.BALANCE:
        for pk in receiver_ids:
            loads[pk] = owned_by(Customer.objects.alive(), [pk]).count()
    moves = split_customers(ids, receiver_ids, split=cleaned["split"], chosen=chosen, loads=loads)
    handover = Handover.objects.create(
        kind=cleaned["kind"],
        leaver=leaver,
        department_id=leaver.department_id,
        split=cleaned["split"],
        reason=cleaned["reason"],
        started_by=actor,
    )
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=handover, customer_id=c, receiver_id=r) for c, r in moves.items()],
        batch_size=BATCH,
    )
    counts: dict[str, int] = {"customers": len(ids), "receivers": len(receivers)}
    if handover.kind == HandoverKind.DEPARTURE:
        counts["sessions_ended"] = accounts.user_access_end(
            actor=actor, user=leaver, reason=_("离职交接 %(number)s") % {"number": handover.number}
        )
    handover.approval = approvals.approval_submit(
        actor=actor,
        kind=KIND,
        title=_("交接单 %(number)s：%(leaver)s 的 %(n)d 个客户")
        % {"number": handover.number, "leaver": leaver.display_name, "n": len(ids)},
        payload={"handover": handover.pk, "leaver": leaver.pk, "customers": len(ids)},
        approve_action=APPROVE_HANDOVER,
        reason=cleaned["reason"],
        subject=handover,
    )
    handover.counts = counts
    handover.save(update_fields=["approval", "counts"])
    audit.record(
        actor=actor,
        verb="handover.started",
        obj=handover,
        after={"kind": handover.kind, "leaver": leaver.pk, "receivers": receiver_ids},
        reason=handover.reason,
        details=counts,
    )
    return handover


def _move(handover: Handover, actor: User, items: list[HandoverItem]) -> dict[str, int]:
    """Move the items' customers still owned by the leaver to their receivers (in batches)."""
    leaver = handover.leaver
    receivers = {u.pk: u for u in User.objects.filter(pk__in={i.receiver_id for i in items})}
    for user in receivers.values():
        if not user.is_active or not user.has_action(OWN_CUSTOMER):
            raise DomainError(
                _("接收人 %(name)s 已不能接收客户，请驳回后重新发起") % {"name": user.display_name}
            )
    to = {i.customer_id: i.receiver_id for i in items}
    now = timezone.now()
    reason = _("交接 %(number)s") % {"number": handover.number}
    moved: dict[int, User] = {}
    plans = 0
    for chunk in _chunks(list(to)):
        rows = list(
            owned_by(Customer.objects.select_for_update(of=("self",)).alive(), [leaver.pk])
            .filter(pk__in=chunk)
            .only("pk", "number", "name", "owner_id", "department_id")
            .order_by("pk")
        )
        if not rows:
            continue
        ids = [c.pk for c in rows]
        plans += owned_by(
            Plan.objects.filter(customer_id__in=ids, status__in=OPEN_STATUSES), [leaver.pk]
        ).count()
        by_receiver: dict[int, list[Customer]] = {}
        for c in rows:
            by_receiver.setdefault(to[c.pk], []).append(c)
        events = []
        index_rows = []
        for receiver_id, group in by_receiver.items():
            receiver = receivers[receiver_id]
            customers.customers_owner_moved(ids=[c.pk for c in group], owner=receiver, at=now)
            for c in group:
                before = {"owner": leaver.pk, "department": c.department_id}
                index_rows.append(
                    (c.pk, leaver.pk, c.department_id, receiver.pk, receiver.department_id)
                )
                c.owner = receiver
                c.department_id = receiver.department_id
                moved[c.pk] = receiver
                events.append(
                    audit.Entry(
                        actor=actor,
                        verb="customer.owner_changed",
                        obj=c,
                        before=before,
                        after={"owner": receiver.pk, "department": receiver.department_id},
                        reason=reason,
                        details={"handover": handover.pk},
                    )
                )
        audit.record_many(events)
        customer_hooks.owner_changed_many(
            customers=rows, formers={c.pk: leaver for c in rows}, actor=actor
        )
        search.owners_moved(index_rows)
        HandoverItem.objects.filter(handover=handover, customer_id__in=ids).update(moved=True)
    counts = {"customers": len(moved), "plans": plans, "skipped": len(to) - len(moved)}
    for key, n in hooks.handed_over(handover=handover, moves=moved, actor=actor).items():
        counts[key] = counts.get(key, 0) + n
    return counts


@approvals.handler(KIND)
def handover_sign(request: ApprovalRequest, actor: User) -> None:
    """The director signed: everything moves now, as one audited event (inside the decision's
    transaction; a DomainError marks the request failed and moves nothing)."""
    handover = (
        Handover.objects.select_for_update()
        .select_related("leaver")
        .filter(pk=request.payload.get("handover"))
        .first()
    )
    if handover is None or handover.state != HandoverState.PENDING:
        raise DomainError(_("该交接单已处理"))
    items = list(HandoverItem.objects.filter(handover=handover).order_by("pk"))
    counts = _move(handover, actor, items)
    counts = {**handover.counts, **counts}
    handover.state = HandoverState.DONE
    handover.signed_by, handover.signed_at = actor, timezone.now()
    handover.counts = counts
    handover.save(update_fields=["state", "signed_by", "signed_at", "counts"])
    audit.record(
        actor=actor,
        verb="handover.completed",
        obj=handover,
        before={"state": HandoverState.PENDING},
        after={"state": HandoverState.DONE},
        reason=handover.reason,
        details=counts,
    )


def on_decided(request: ApprovalRequest) -> None:
    """A refused or failed signature leaves the customers where they were (a departed rep's
    account stays closed: a new hand-over can be started for them)."""
    if request.kind != KIND or request.state == ApprovalState.APPROVED:
        return
    state = (
        HandoverState.REJECTED if request.state == ApprovalState.REJECTED else HandoverState.FAILED
    )
    Handover.objects.filter(pk=request.payload.get("handover"), state=HandoverState.PENDING).update(
        state=state,
        signed_by=request.decided_by,
        signed_at=request.decided_at,
        note=request.decision_note,
    )


def handover_decide(*, actor: User, handover_id: int, approve: bool, note: str = "") -> Handover:
    """The director's signature (or refusal) from the hand-over's own page: the approval."""
    handover = Handover.objects.filter(pk=handover_id).first()
    if handover is None or handover.approval_id is None:
        raise NotFound()
    approvals.approval_decide(
        actor=actor, request_id=handover.approval_id, approve=approve, note=note
    )
    handover.refresh_from_db()
    return handover


def handover_open(*, actor: User, handover_id: int) -> Handover:
    """One hand-over's record (交接单), its reading logged (it lists customers: 查阅登记)."""
    from . import selectors

    handover = selectors.handover_get(actor=actor, handover_id=handover_id)
    if handover is None:
        raise NotFound()
    audit.record(actor=actor, verb="handover.viewed", obj=handover)
    return handover
