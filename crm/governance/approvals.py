"""Approvals: a change that waits for another person's decision (separation of duties).

``approval_submit`` and ``approval_decide`` are the only state changers. A domain registers the
handler that carries out its kind of change (``@handler("accounts.role_grant")``); the handler
runs inside ``approval_decide``'s transaction, so an approved change is applied exactly as it
was requested, or not at all (a handler that finds the world changed raises a DomainError, and
the request is marked failed with the reason). Whoever asked never decides their own request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import DomainError, Invalid, NotFound
from crm.core.permissions import has_action, mine, require

from . import audit
from .models import ApprovalRequest, ApprovalState

Handler = Callable[[ApprovalRequest, Any], None]
_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that applies an approved request of ``kind``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def approval_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    payload: dict[str, Any],
    approve_action: str,
    reason: str = "",
) -> ApprovalRequest:
    """Record a request for ``approve_action`` holders to decide (runs in the caller's
    transaction, which has already checked that ``actor`` may ask)."""
    if kind not in _HANDLERS:
        raise ValueError(f"no approval handler for {kind!r}")
    request = ApprovalRequest.objects.create(
        kind=kind,
        title=title[:200],
        payload=payload,
        approve_action=approve_action,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:500],
    )
    audit.record(
        actor=actor, verb="approval.submitted", obj=request, after={"kind": kind, **payload}
    )
    return request


@transaction.atomic
def approval_decide(
    *, actor: Any, request_id: int, approve: bool, note: str = ""
) -> ApprovalRequest:
    """Approve (and apply) or reject a pending request."""
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound()
    require(actor, request.approve_action)
    if request.state != ApprovalState.PENDING:
        raise Invalid(_("该申请已处理"))
    if request.requested_by_id == actor.pk:
        raise Invalid(_("不能审批自己提交的申请"))
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_note = note.strip()[:500]
    request.state = ApprovalState.APPROVED if approve else ApprovalState.REJECTED
    if approve:
        try:
            with transaction.atomic():
                _HANDLERS[request.kind](request, actor)
        except DomainError as exc:
            request.state = ApprovalState.FAILED
            request.decision_note = str(exc.message)[:500]
    request.save()
    audit.record(
        actor=actor,
        verb="approval.decided",
        obj=request,
        before={"state": ApprovalState.PENDING},
        after={"state": request.state},
        reason=request.decision_note,
    )
    return request


def approvals_mine(*, actor: Any, limit: int = 50) -> list[ApprovalRequest]:
    """The actor's own requests, newest first, with their outcome."""
    requests = mine(ApprovalRequest.objects.all(), actor).select_related("decided_by")
    return list(requests.order_by("-id")[:limit])


def approvals_to_decide(*, actor: Any) -> list[ApprovalRequest]:
    """Pending requests ``actor`` may decide (not their own), oldest first."""
    pending = ApprovalRequest.objects.filter(state=ApprovalState.PENDING)
    kinds = set(pending.values_list("approve_action", flat=True).distinct())
    actions = [a for a in kinds if has_action(actor, a)]
    if not actions:
        return []
    requests = (
        ApprovalRequest.objects.filter(state=ApprovalState.PENDING, approve_action__in=actions)
        .select_related("requested_by")
        .order_by("id")
    )
    return [r for r in requests if r.requested_by_id != actor.pk]  # nobody decides their own
