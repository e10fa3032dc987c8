"""Approvals: a change that waits for other people's decisions (separation of duties, 战败申请,
客户数据变更申请, 客户数据调用申请).

``approval_submit`` and ``approval_decide`` are the only state changers. A domain registers the
handler that carries out its kind of change (``@handler("accounts.user_role")``). A request goes
through an ordered chain of steps (``Step``; per kind in ``crm.governance.flows``, a kind not
listed there is the one step of its ``approve_action``): each step is decided in turn by its
deciders, approve or reject with a comment; a rejection ends the request; the handler runs only
after the last approval, inside that decision's transaction, so an approved change is applied
exactly as it was requested, or not at all (a handler that finds the world changed raises a
DomainError, and the request is marked failed with the reason). Whoever asked never decides
their own request.

Who decides a step: the holders of its action (over the request's *subject*, when it has one: a
customer's manager, not every manager), the users of its role, or the head of the requester's
department (``Step(head=True, role="director")``: the nearest department above the requester
with someone of that role, fixed at submission). Listeners registered with ``on_submitted``
(the first step waits), ``on_advanced`` (a step approved, the next one waits) and
``on_decided`` (the request closed) run in the same transaction (crm.activities tells the
deciders and the requester). Every submission and every step's decision is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from crm.core.errors import DomainError, NotFound, PermissionDenied, StateConflict
from crm.core.permissions import allows, has_action, in_departments, mine, require

from . import audit
from .models import ApprovalRequest, ApprovalState, ApprovalStep, StepState

Handler = Callable[[ApprovalRequest, Any], None]
Listener = Callable[[ApprovalRequest], None]
_HANDLERS: dict[str, Handler] = {}
_SUBMITTED: list[Listener] = []
_ADVANCED: list[Listener] = []
_DECIDED: list[Listener] = []


@dataclass(frozen=True)
class Step:
    """One step of a chain: who decides it.

    ``action``: holders of that action (over the request's subject when it has one);
    ``role``: users of that role (a role code: ``"gm"``); ``head``: only the ``role`` users of
    the requester's department, or of the nearest department above it that has one (the
    department director). Give ``action``, ``role`` or both."""

    label: str | Promise
    action: str = ""
    role: str = ""
    head: bool = False

    def __post_init__(self) -> None:
        if not (self.action or self.role) or (self.head and not self.role):
            raise ValueError(f"a step needs an action or a role (head needs a role): {self!r}")


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


def on_advanced(fn: Listener) -> Listener:
    if fn not in _ADVANCED:
        _ADVANCED.append(fn)
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


def steps_of(request: ApprovalRequest) -> list[ApprovalStep]:
    """The request's chain in order (prefetched with ``steps`` when the caller did)."""
    return sorted(request.steps.all(), key=lambda s: s.position)


def current_step(request: ApprovalRequest) -> ApprovalStep | None:
    """The step waiting for a decision (or, once the request is closed, the last one decided)."""
    return next((s for s in steps_of(request) if s.position == request.current_step), None)


def _decides(
    actor: Any, request: ApprovalRequest, step: ApprovalStep, subject: models.Model | None
) -> bool:
    if step.role and getattr(actor, "role_id", None) != step.role:
        return False
    if step.head_department_id is not None and actor.department_id != step.head_department_id:
        return False
    if step.action:
        if not has_action(actor, step.action):
            return False
        if request.subject_type:
            return subject is not None and allows(actor, step.action, subject)
    return True


def may_decide(actor: Any, request: ApprovalRequest, subject: models.Model | None = None) -> bool:
    """Whether ``actor`` may decide ``request`` now: pending, not their own, a decider of the
    step it waits at (the action held over its subject, when it has one)."""
    if request.state != ApprovalState.PENDING or request.requested_by_id == actor.pk:
        return False
    step = current_step(request)
    if step is None:
        return False
    if request.subject_type and subject is None:
        subject = subject_of(request)
    return _decides(actor, request, step, subject)


def deciders(request: ApprovalRequest) -> list[Any]:
    """The active users who may decide the step the request waits at."""
    from crm.accounts.models import User  # the accounts app files requests through this module

    step = current_step(request)
    if step is None or request.state != ApprovalState.PENDING:
        return []
    users = User.objects.filter(is_active=True)
    if step.action:
        users = users.filter(role__grants__has_key=step.action)
    if step.role:
        users = users.filter(role_id=step.role)
    if step.head_department_id is not None:
        users = in_departments(users, [step.head_department_id])
    subject = subject_of(request)
    return [
        u
        for u in users.select_related("role", "department").order_by("pk")
        if u.pk != request.requested_by_id and _decides(u, request, step, subject)
    ]


def _head_department(actor: Any, role: str) -> Any:
    """The requester's department, or the nearest one above it, that has someone else of
    ``role``; None when there is none."""
    from crm.accounts.models import User

    department = getattr(actor, "department", None)
    while department is not None:
        others = in_departments(User.objects.filter(is_active=True, role_id=role), [department.pk])
        if getattr(actor, "pk", None) is not None:
            others = others.exclude(pk=actor.pk)
        if others.exists():
            return department
        department = department.parent
    return None


def _chain(kind: str, approve_action: str | None) -> tuple[Step, ...]:
    from .flows import flow_of

    steps = flow_of(kind)
    if steps:
        return steps
    if not approve_action:
        raise ValueError(f"no approval steps for {kind!r}: configure it or give approve_action")
    return (Step(_("审批"), action=approve_action),)


def approval_submit(
    *,
    actor: Any,
    kind: str,
    title: str,
    payload: dict[str, Any],
    approve_action: str | None = None,
    reason: str = "",
    subject: models.Model | None = None,
    steps: Sequence[Step] | None = None,
) -> ApprovalRequest:
    """Record a request and its chain of steps; the first one waits (runs in the caller's
    transaction, which has already checked that ``actor`` may ask). The steps are ``steps``,
    else the kind's configured flow (``crm.governance.flows``), else one step of
    ``approve_action``. A step of the requester's department head that finds none is refused."""
    if kind not in _HANDLERS:
        raise ValueError(f"no approval handler for {kind!r}")
    chain = tuple(steps) if steps else _chain(kind, approve_action)
    departments: list[Any] = []
    for step in chain:
        department = _head_department(actor, step.role) if step.head else None
        if step.head and department is None:
            raise DomainError(_("找不到审批人：%(step)s") % {"step": step.label})
        departments.append(department)
    request = ApprovalRequest.objects.create(
        kind=kind,
        title=title[:200],
        payload=payload,
        approve_action=chain[0].action,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:500],
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        current_step=1,
    )
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            request=request,
            position=n,
            label=str(step.label)[:50],
            action=step.action,
            role=step.role,
            head_department=department,
            state=StepState.PENDING if n == 1 else StepState.WAITING,
        )
        for n, (step, department) in enumerate(zip(chain, departments, strict=True), start=1)
    )
    audit.record(
        actor=actor,
        verb="approval.submitted",
        obj=request,
        after={"kind": kind, **payload},
        details={"steps": [str(s.label) for s in chain]},
    )
    for listener in _SUBMITTED:
        listener(request)
    return request


def _visible(actor: Any, request: ApprovalRequest) -> bool:
    """Who sees a request: its requester, whoever decided one of its steps and the deciders of
    any of its steps (the general manager sees what waits for the director first)."""
    if request.requested_by_id == actor.pk:
        return True
    subject = subject_of(request)
    return any(
        s.decided_by_id == actor.pk or _decides(actor, request, s, subject)
        for s in steps_of(request)
    )


def _check_decider(actor: Any, request: ApprovalRequest, step: ApprovalStep) -> None:
    """Refuse an actor who is not the step's decider: 403 without the step's action (or role)
    at all, 404 for a request they may not see (a subject outside their scope)."""
    subject = subject_of(request)
    if step.action:
        require(actor, step.action)  # 403 when the action itself is missing
        if request.subject_type and (subject is None or not allows(actor, step.action, subject)):
            raise NotFound()
    if not _decides(actor, request, step, subject) and request.requested_by_id != actor.pk:
        if not step.action and not _visible(actor, request):
            raise NotFound()
        raise PermissionDenied(_("该步骤不由您审批"))


@transaction.atomic
def approval_decide(
    *, actor: Any, request_id: int, approve: bool, note: str = ""
) -> ApprovalRequest:
    """Approve or reject the step a pending request waits at. A rejection ends the request; the
    last approval applies it (the handler, once, in this transaction)."""
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound()
    step = current_step(request)
    if step is None:
        raise NotFound()
    closed = request.state != ApprovalState.PENDING
    if not (closed and _visible(actor, request)):
        _check_decider(actor, request, step)
    if closed:  # the record's state refuses it: 409
        raise StateConflict(_("该申请已处理"))
    if request.requested_by_id == actor.pk:
        raise StateConflict(_("不能审批自己提交的申请"))
    now, note = timezone.now(), note.strip()[:500]
    step.state = StepState.APPROVED if approve else StepState.REJECTED
    step.decided_by, step.decided_at, step.note = actor, now, note
    step.save(update_fields=["state", "decided_by", "decided_at", "note"])
    audit.record(
        actor=actor,
        verb="approval.step_decided",
        obj=request,
        before={"step": step.position, "state": StepState.PENDING},
        after={"step": step.position, "state": step.state},
        reason=note,
        details={"label": step.label},
    )
    following = next((s for s in steps_of(request) if s.position == step.position + 1), None)
    if approve and following is not None:
        return _advance(request, following)
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
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


def _advance(request: ApprovalRequest, following: ApprovalStep) -> ApprovalRequest:
    following.state = StepState.PENDING
    following.save(update_fields=["state"])
    request.current_step = following.position
    request.approve_action = following.action
    request.save(update_fields=["current_step", "approve_action"])
    for listener in _ADVANCED:
        listener(request)
    return request


def approval_get(*, actor: Any, request_id: int) -> ApprovalRequest:
    """One request with its steps, for its requester, the deciders of its steps so far and
    whoever may decide it now."""
    request = (
        ApprovalRequest.objects.select_related("requested_by", "decided_by")
        .prefetch_related("steps__decided_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not (_visible(actor, request) or may_decide(actor, request)):
        raise NotFound()
    return request


def approvals_mine(*, actor: Any, limit: int = 50) -> list[ApprovalRequest]:
    """The actor's own requests, newest first, with their outcome and steps."""
    requests = mine(ApprovalRequest.objects.all(), actor).select_related("decided_by")
    return list(requests.prefetch_related("steps__decided_by").order_by("-id")[:limit])


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
    """Pending requests waiting at a step ``actor`` decides (not their own; of subjects in the
    actor's scope), oldest first. One query when nothing waits (the menu's badge on each page)."""
    held = getattr(actor, "grants", None)
    actions = [a for a in held if has_action(actor, a)] if isinstance(held, dict) else []
    role = getattr(actor, "role_id", None)
    if not actions and not role:
        return []
    wanted = Q(approve_action__in=actions) & ~Q(approve_action="")
    if role:
        wanted |= Q(
            pk__in=ApprovalStep.objects.filter(
                Q(head_department__isnull=True) | Q(head_department_id=actor.department_id),
                state=StepState.PENDING,
                role=role,
            ).values("request_id")
        )
    requests = list(
        ApprovalRequest.objects.filter(wanted, state=ApprovalState.PENDING)
        .exclude(pk__in=mine(ApprovalRequest.objects.all(), actor).values("pk"))
        .select_related("requested_by")
        .prefetch_related("steps__decided_by")
        .order_by("id")
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
    return pending_all_about(subject, kind=kind).first()


def pending_all_about(
    subject: models.Model, *, kind: str | None = None
) -> models.QuerySet[ApprovalRequest]:
    """Every pending request of ``kind`` (any kind: None) about ``subject``, oldest first."""
    kinds = {"kind": kind} if kind is not None else {}
    return (
        ApprovalRequest.objects.filter(
            **kinds,
            state=ApprovalState.PENDING,
            subject_type=subject._meta.label_lower,
            subject_id=str(subject.pk),
        )
        .select_related("requested_by")
        .order_by("id")
    )
