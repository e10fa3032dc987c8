"""Approvals: a change that waits for another person's decision (separation of duties, 战败申请).

``approval_submit`` and ``approval_decide`` are the only state changers. A domain registers the
handler that carries out its kind of change (``@handler("accounts.user_role")``); the handler
runs inside ``approval_decide``'s transaction, so an approved change is applied exactly as it
was requested, or not at all (a handler that finds the world changed raises a DomainError, and
the request is marked failed with the reason). Whoever asked never decides their own request.

A request may be about one record, its *subject* (a customer whose defeat a rep asks for): then
only those whose ``approve_action`` scope covers that record see and decide it (the manager of
the customer's department, not every manager). Listeners registered with ``on_submitted`` and
``on_decided`` run in the same transaction (crm.activities tells the deciders and the requester).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import DomainError, NotFound, StateConflict
from crm.core.permissions import allows, has_action, mine, require

from . import audit
from .models import ApprovalRequest, ApprovalState

Handler = Callable[[ApprovalRequest, Any], None]
Listener = Callable[[ApprovalRequest], None]
_HANDLERS: dict[str, Handler] = {}
_SUBMITTED: list[Listener] = []
_DECIDED: list[Listener] = []


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that applies an approved request of ``kind``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def on_submitted(fn: Listener) -> Listener:
    if fn not in _SUBMITTED:
        _SUBMITTED.append(fn)
    return fn


def on_decided(fn: Listener) -> Listener:
    if fn not in _DECIDED:
        _DECIDED.append(fn)
    return fn


def subject_of(request: ApprovalRequest) -> models.Model | None:
    """The record a request is about, or None (a request about the system, or gone)."""
    if not request.subject_type:
        return None
    model = apps.get_model(request.subject_type)
    found: models.Model | None = model._default_manager.filter(pk=request.subject_id).first()
    return found


def may_decide(actor: Any, request: ApprovalRequest, subject: models.Model | None = None) -> bool:
    """Whether ``actor`` may decide ``request``: not their own, the action held over its
    subject (when it has one)."""
    if request.requested_by_id == actor.pk or not has_action(actor, request.approve_action):
        return False
    if not request.subject_type:
        return True
    subject = subject if subject is not None else subject_of(request)
    return subject is not None and allows(actor, request.approve_action, subject)


def approval_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    payload: dict[str, Any],
    approve_action: str,
    reason: str = "",
    subject: models.Model | None = None,
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
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
    )
    audit.record(
        actor=actor, verb="approval.submitted", obj=request, after={"kind": kind, **payload}
    )
    for listener in _SUBMITTED:
        listener(request)
    return request


@transaction.atomic
def approval_decide(
    *, actor: Any, request_id: int, approve: bool, note: str = ""
) -> ApprovalRequest:
    """Approve (and apply) or reject (send back) a pending request."""
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound()
    require(actor, request.approve_action)
    subject = subject_of(request)
    if request.subject_type and (
        subject is None or not allows(actor, request.approve_action, subject)
    ):
        raise NotFound()
    if request.state != ApprovalState.PENDING:  # the record's state refuses it: 409
        raise StateConflict(_("该申请已处理"))
    if request.requested_by_id == actor.pk:
        raise StateConflict(_("不能审批自己提交的申请"))
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
    for listener in _DECIDED:
        listener(request)
    return request


def approvals_mine(*, actor: Any, limit: int = 50) -> list[ApprovalRequest]:
    """The actor's own requests, newest first, with their outcome."""
    requests = mine(ApprovalRequest.objects.all(), actor).select_related("decided_by")
    return list(requests.order_by("-id")[:limit])


def _subjects(requests: Iterable[ApprovalRequest]) -> dict[tuple[str, str], models.Model]:
    """The subjects of ``requests``, one query per kind of record."""
    wanted: dict[str, set[str]] = {}
    for r in requests:
        if r.subject_type:
            wanted.setdefault(r.subject_type, set()).add(r.subject_id)
    found: dict[tuple[str, str], models.Model] = {}
    for label, ids in wanted.items():
        for obj in apps.get_model(label)._default_manager.filter(pk__in=ids):
            found[(label, str(obj.pk))] = obj
    return found


def approvals_to_decide(*, actor: Any) -> list[ApprovalRequest]:
    """Pending requests ``actor`` may decide (not their own; of subjects in the actor's scope),
    oldest first."""
    pending = ApprovalRequest.objects.filter(state=ApprovalState.PENDING)
    kinds = set(pending.values_list("approve_action", flat=True).distinct())
    actions = [a for a in kinds if has_action(actor, a)]
    if not actions:
        return []
    requests = list(
        pending.filter(approve_action__in=actions).select_related("requested_by").order_by("id")
    )
    subjects = _subjects(requests)
    return [
        r
        for r in requests
        if may_decide(actor, r, subjects.get((r.subject_type, r.subject_id)))
        and (not r.subject_type or (r.subject_type, r.subject_id) in subjects)
    ]


def pending_about(subject: models.Model, *, kind: str) -> ApprovalRequest | None:
    """The pending request of ``kind`` about ``subject`` (one at a time: a rep does not file a
    second defeat of the same customer while the first waits)."""
    return (
        ApprovalRequest.objects.filter(
            kind=kind,
            state=ApprovalState.PENDING,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
        )
        .select_related("requested_by")
        .first()
    )
