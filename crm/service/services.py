"""Writes of customer service: complaints from registration to closure, their escalation, the
SLA table and calendar, service records.

A complaint moves registered → accepted → handling → resolved → closed; a resolved or closed
one may be reopened (the customer is not satisfied), and goes on from handling again. Each move
is one service (``complaint_accept`` …) that checks the actor's action and scope, the state it
starts from (409 otherwise), writes a ``Step`` of the 处理过程 and an audit row
(``complaint.<verb>``).

Deadlines are set at registration from the severity's ``SlaPolicy`` in working hours
(``crm.service.calendar``); a reopened complaint gets a new resolution deadline from the
moment it is reopened. ``complaints_escalate`` (every few minutes, from the scheduler) sends a
complaint whose deadline passed to the handler's department manager (level 1), then, once it is
``gm_after_hours`` working hours late, to the general manager (level 2); each level once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.models import Department, User
from crm.accounts.roles import (
    ASSIST_COMPLAINT,
    HANDLE_COMPLAINT,
    MANAGE_SLA,
    RECORD_SERVICE,
    REGISTER_COMPLAINT,
    SUPERVISE_COMPLAINT,
    VIEW_COMPLAINT,
    VIEW_CUSTOMER,
    VIEW_KNOWLEDGE,
)
from crm.activities import services as activities
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import Scope, allows, has_action, in_departments, require, restrict
from crm.core.uploads import safe_name, sniff
from crm.customers import sensitive
from crm.customers.models import Customer
from crm.governance import audit

from . import calendar, guard, links
from .inputs import (
    AcceptInput,
    CalendarDayInput,
    CloseInput,
    CollaboratorInput,
    ComplaintLookupInput,
    NoteInput,
    PublicComplaintInput,
    ReopenInput,
    ResolveInput,
    ServiceComplaintInput,
    ServiceRecordInput,
    SlaInput,
)
from .models import (
    OPEN_STATES,
    CalendarDay,
    Channel,
    Collaborator,
    Complaint,
    ComplaintArticle,
    ComplaintAttachment,
    ServiceRecord,
    Severity,
    SlaPolicy,
    State,
    Step,
    StepKind,
)

# the deadlines of a severity the table has no row for (the migration seeds all four)
DEFAULT_SLA: dict[str, tuple[int, int, int]] = {
    Severity.CRITICAL: (1, 8, 4),
    Severity.HIGH: (2, 16, 8),
    Severity.NORMAL: (4, 24, 16),
    Severity.LOW: (8, 40, 24),
}
DUPLICATE_HOURS = 24
ATTACHMENTS_MAX = 9
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ESCALATE_BATCH = 500


# --- the SLA -------------------------------------------------------------------------------


def sla_of(severity: str) -> SlaPolicy:
    found = SlaPolicy.objects.filter(severity=severity).first()
    if found is not None:
        return found
    response, resolve, gm = DEFAULT_SLA.get(severity, DEFAULT_SLA[Severity.NORMAL])
    return SlaPolicy(
        severity=severity, response_hours=response, resolve_hours=resolve, gm_after_hours=gm
    )


def deadlines(
    severity: str, start: dt.datetime, cal: calendar.Calendar | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The response and resolution deadlines of a complaint of ``severity`` registered at
    ``start``."""
    cal = cal or calendar.current()
    policy = sla_of(severity)
    return cal.add(start, policy.response_hours * 60), cal.add(start, policy.resolve_hours * 60)


# --- helpers -------------------------------------------------------------------------------


def _step(complaint: Complaint, kind: str, actor: User | None, text: str = "") -> Step:
    return Step.objects.create(
        complaint=complaint, kind=kind, text=text, actor=actor, created_at=timezone.now()
    )


def _url(complaint: Complaint) -> str:
    return f"/service/complaints/{complaint.pk}/"


def _notify(users: Sequence[User], complaint: Complaint, kind: str, title: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        activities.notify(user=user, kind=kind, title=title, url=_url(complaint))


def _locked(actor: User, complaint_id: int, action: str) -> Complaint:
    """The complaint locked for a change, 404 outside the actor's scope of ``action``. (Visible
    first, then locked by id: the scope's filter may be DISTINCT, which FOR UPDATE refuses.)"""
    require(actor, action)
    visible = restrict(Complaint.objects.all(), actor, action).filter(pk=complaint_id).exists()
    if not visible:
        raise NotFound()
    return Complaint.objects.select_for_update().get(pk=complaint_id)


def _expect(complaint: Complaint, *states: str) -> None:
    if complaint.state not in states:
        raise StateConflict(
            _("该投诉当前为“%(state)s”，不能进行此操作") % {"state": complaint.get_state_display()}
        )


def _handler(user_id: int | None, actor: User, field: str = "handler") -> User:
    if user_id is None:
        return actor
    user = User.objects.filter(pk=user_id, is_active=True).select_related("role").first()
    if user is None or not has_action(user, HANDLE_COMPLAINT):
        raise Invalid(fields={field: _("该用户不能处理客户投诉")})
    return user


def _save(complaint: Complaint, *fields: str) -> None:
    complaint.version += 1
    complaint.open_due = complaint.resolve_due if complaint.is_open else None
    complaint.save(update_fields=[*fields, "open_due", "version", "updated_at"])


def _customer(actor: User, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    found = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER).filter(pk=customer_id).first()
    if found is None:
        raise Invalid(fields={"customer": _("客户不存在或不在您的查看范围内")})
    return found


# --- registration --------------------------------------------------------------------------


def _create(
    *,
    actor: User | None,
    cleaned: Mapping[str, Any],
    customer: Customer | None,
    channel: str,
    handler: User | None,
    fingerprint: str = "",
) -> Complaint:
    now = timezone.now()
    severity = cleaned.get("severity") or Severity.NORMAL
    response_due, resolve_due = deadlines(severity, now)
    complaint = Complaint(
        customer=customer,
        complainant=cleaned["complainant"],
        channel=channel,
        category=cleaned["category"],
        severity=severity,
        product=cleaned.get("product", ""),
        order_number=cleaned.get("order_number", ""),
        description=cleaned["description"],
        request=cleaned.get("request", ""),
        registered_by=actor,
        handler=handler,
        response_due=response_due,
        resolve_due=resolve_due,
        open_due=resolve_due,
        fingerprint=fingerprint,
    )
    if cleaned.get("phone"):
        sensitive.write_phone(complaint, cleaned["phone"])
    links.link(complaint)
    complaint.save()
    _step(complaint, StepKind.REGISTERED, actor, complaint.get_channel_display())
    audit.record(
        actor=actor,
        verb="complaint.registered",
        obj=complaint,
        after={
            "number": complaint.number,
            "channel": complaint.channel,
            "category": complaint.category,
            "severity": complaint.severity,
            "customer": complaint.customer_id,
            "handler": complaint.handler_id,
            "response_due": complaint.response_due.isoformat(),
            "resolve_due": complaint.resolve_due.isoformat(),
        },
    )
    return complaint


@transaction.atomic
def complaint_register(*, actor: User, data: Mapping[str, Any]) -> Complaint:
    """客服部 registers a complaint (hotline, walk-in, e-mail), optionally assigning its handler
    at once; the deadlines start now."""
    require(actor, REGISTER_COMPLAINT)
    cleaned = validate(ServiceComplaintInput, data)
    customer = _customer(actor, cleaned.get("customer"))
    handler = _handler(cleaned["handler"], actor) if cleaned.get("handler") else None
    complaint = _create(
        actor=actor,
        cleaned=cleaned,
        customer=customer,
        channel=cleaned.get("channel") or Channel.HOTLINE,
        handler=handler,
    )
    if handler is not None and handler.pk != actor.pk:
        _notify([handler], complaint, "complaint_assigned", _new_title(complaint))
    return complaint


def _new_title(complaint: Complaint) -> str:
    return _("新投诉 %(number)s 指派给您：%(who)s（%(category)s）") % {
        "number": complaint.number,
        "who": complaint.complainant,
        "category": complaint.get_category_display(),
    }


@transaction.atomic
def complaint_submit(*, data: Mapping[str, Any]) -> tuple[Complaint, bool]:
    """A customer's complaint from the public form (no sign-in); matched to the customer by
    phone. The same phone and text again within ``DUPLICATE_HOURS`` is the complaint already
    filed (returned with ``False``), not a second one. The service department is told."""
    cleaned = validate(PublicComplaintInput, data)
    if not cleaned.get("phone"):
        raise Invalid(fields={"phone": _("请填写联系电话")})
    digest = guard.fingerprint(cleaned["phone"], cleaned["description"])
    since = timezone.now() - dt.timedelta(hours=DUPLICATE_HOURS)
    earlier = Complaint.objects.filter(fingerprint=digest, created_at__gte=since).first()
    if earlier is not None:
        return earlier, False
    customer = Customer.objects.alive().filter(sensitive.phone_lookup(cleaned["phone"])).first()
    complaint = _create(
        actor=None,
        cleaned=cleaned,
        customer=customer,
        channel=Channel.WEB,
        handler=None,
        fingerprint=digest,
    )
    return complaint, True


def complaint_lookup(*, data: Mapping[str, Any]) -> Complaint:
    """The customer's own complaint by its number and the phone given with it; 404 for any
    mismatch (no hint whether the number exists)."""
    cleaned = validate(ComplaintLookupInput, data)
    number = cleaned["number"].upper()
    if not (number.startswith("TS") and number[2:].isdigit() and len(number) <= 12):
        raise NotFound(_("没有找到该投诉，请核对投诉编号和电话"))
    found = (
        Complaint.objects.filter(pk=int(number[2:]))
        .filter(sensitive.phone_lookup(cleaned["phone"]) if cleaned.get("phone") else Q(pk=None))
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到该投诉，请核对投诉编号和电话"))
    return found


# --- handling ------------------------------------------------------------------------------


@transaction.atomic
def complaint_accept(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Complaint:
    """受理: the complaint gets its handler (the actor unless named); the response deadline is
    met or missed now."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, State.REGISTERED)
    cleaned = validate(AcceptInput, data)
    handler = _handler(cleaned.get("handler"), actor)
    before = complaint.snapshot()
    complaint.state = State.ACCEPTED
    complaint.handler = handler
    complaint.accepted_at = timezone.now()
    complaint.responded_on_time = complaint.accepted_at <= complaint.response_due
    _save(complaint, "state", "handler", "accepted_at", "responded_on_time")
    _step(complaint, StepKind.ACCEPTED, actor, cleaned.get("note", ""))
    audit.record(
        actor=actor,
        verb="complaint.accepted",
        obj=complaint,
        before=before,
        after=complaint.snapshot(),
        reason=cleaned.get("note", ""),
    )
    if handler.pk != actor.pk:
        _notify([handler], complaint, "complaint_assigned", _new_title(complaint))
    return complaint


@transaction.atomic
def complaint_assign(*, actor: User, complaint_id: int, handler: int) -> Complaint:
    """Hand an open complaint to another handler."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, *OPEN_STATES)
    user = _handler(handler, actor)
    before = {"handler": complaint.handler_id}
    complaint.handler = user
    _save(complaint, "handler")
    _step(complaint, StepKind.ASSIGNED, actor, user.display_name)
    audit.record(
        actor=actor,
        verb="complaint.assigned",
        obj=complaint,
        before=before,
        after={"handler": user.pk},
    )
    _notify([user], complaint, "complaint_assigned", _new_title(complaint))
    return complaint


@transaction.atomic
def complaint_start(*, actor: User, complaint_id: int) -> Complaint:
    """开始处理 (after acceptance or a reopening)."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, State.ACCEPTED, State.REOPENED)
    before = {"state": complaint.state}
    complaint.state = State.HANDLING
    _save(complaint, "state")
    _step(complaint, StepKind.HANDLING, actor)
    audit.record(
        actor=actor,
        verb="complaint.handling",
        obj=complaint,
        before=before,
        after={"state": "handling"},
    )
    return complaint


@transaction.atomic
def complaint_note(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Step:
    """A line of the 处理过程, by the handler or a colleague helping (协助处理)."""
    complaint = _locked(actor, complaint_id, ASSIST_COMPLAINT)
    _expect(complaint, *OPEN_STATES)
    cleaned = validate(NoteInput, data)
    step = _step(complaint, StepKind.NOTE, actor, cleaned["text"])
    audit.record(actor=actor, verb="complaint.noted", obj=complaint, reason=cleaned["text"][:200])
    if complaint.handler_id and complaint.handler_id != actor.pk and complaint.handler:
        title = _("%(who)s 在投诉 %(number)s 中记录了处理情况") % {
            "who": actor.display_name,
            "number": complaint.number,
        }
        _notify([complaint.handler], complaint, "complaint_noted", title)
    return step


@transaction.atomic
def complaint_link_article(*, actor: User, complaint_id: int, article_id: int) -> ComplaintArticle:
    """Cite an answer of the knowledge base (销讲、答客问) on a complaint: the handler or a
    colleague helping, while it is open; each article once."""
    from crm.knowledge import selectors as knowledge

    complaint = _locked(actor, complaint_id, ASSIST_COMPLAINT)
    _expect(complaint, *OPEN_STATES)
    require(actor, VIEW_KNOWLEDGE)
    article = knowledge.article_refs(ids=[article_id]).get(article_id)
    if article is None:
        raise Invalid(fields={"article": _("知识库中没有这篇解答")})
    if ComplaintArticle.objects.filter(complaint=complaint, article=article).exists():
        raise StateConflict(fields={"article": _("这篇解答已引用过")})
    link = ComplaintArticle.objects.create(complaint=complaint, article=article, added_by=actor)
    _step(
        complaint,
        StepKind.NOTE,
        actor,
        _("引用知识库 %(number)s：%(title)s")
        % {
            "number": article.number,
            "title": article.title,
        },
    )
    audit.record(
        actor=actor,
        verb="complaint.article_linked",
        obj=complaint,
        after={"article": article.pk},
    )
    return link


@transaction.atomic
def complaint_unlink_article(*, actor: User, complaint_id: int, article_id: int) -> None:
    """Take a cited answer off a complaint (cited by mistake)."""
    complaint = _locked(actor, complaint_id, ASSIST_COMPLAINT)
    _expect(complaint, *OPEN_STATES)
    deleted, _rows = ComplaintArticle.objects.filter(
        complaint=complaint, article_id=article_id
    ).delete()
    if not deleted:
        raise NotFound()
    audit.record(
        actor=actor,
        verb="complaint.article_unlinked",
        obj=complaint,
        before={"article": article_id},
    )


@transaction.atomic
def complaint_add_collaborator(
    *, actor: User, complaint_id: int, data: Mapping[str, Any]
) -> Collaborator:
    """Ask a colleague of another department to help (各相关部门经理和人员协助处理); they see
    the complaint and may record what they did."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, *OPEN_STATES)
    cleaned = validate(CollaboratorInput, data)
    user = User.objects.filter(pk=cleaned["user"], is_active=True).first()
    if user is None or not has_action(user, ASSIST_COMPLAINT):
        raise Invalid(fields={"user": _("该用户不能协助处理客户投诉")})
    helpers = complaint.collaborators.values_list("user_id", flat=True)  # type: ignore[attr-defined]
    if user.pk in set(helpers):
        raise StateConflict(fields={"user": _("该同事已在协助处理此投诉")})
    helper = Collaborator.objects.create(
        complaint=complaint,
        user=user,
        department_id=user.department_id,
        task=cleaned.get("task", ""),
        added_by=actor,
    )
    text = f"{user.display_name}：{helper.task}" if helper.task else user.display_name
    _step(complaint, StepKind.COLLABORATOR, actor, text)
    audit.record(
        actor=actor,
        verb="complaint.collaborator_added",
        obj=complaint,
        after={"user": user.pk, "department": user.department_id, "task": helper.task},
    )
    title = _("请协助处理客户投诉 %(number)s：%(task)s") % {
        "number": complaint.number,
        "task": helper.task or complaint.get_category_display(),
    }
    _notify([user], complaint, "complaint_collaborate", title)
    return helper


@transaction.atomic
def complaint_resolve(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Complaint:
    """解决: the resolution, and the department found responsible; it waits for the customer's
    confirmation."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, State.ACCEPTED, State.HANDLING, State.REOPENED)
    cleaned = validate(ResolveInput, data)
    department = None
    if cleaned.get("department") is not None:
        department = Department.objects.filter(pk=cleaned["department"]).first()
        if department is None:
            raise Invalid(fields={"department": _("部门不存在")})
    before = complaint.snapshot()
    complaint.state = State.RESOLVED
    complaint.resolution = cleaned["resolution"]
    complaint.resolved_at = now = timezone.now()
    complaint.resolved_on_time = now <= complaint.resolve_due
    complaint.resolve_minutes = max(0, int((now - complaint.created_at).total_seconds() // 60))
    if department is not None:
        complaint.department = department
    _save(
        complaint,
        "state",
        "resolution",
        "resolved_at",
        "resolved_on_time",
        "resolve_minutes",
        "department",
    )
    _step(complaint, StepKind.RESOLVED, actor, cleaned["resolution"])
    audit.record(
        actor=actor,
        verb="complaint.resolved",
        obj=complaint,
        before=before,
        after=complaint.snapshot(),
    )
    return complaint


@transaction.atomic
def complaint_close(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Complaint:
    """结案 once the customer confirmed the resolution (回访确认), with their satisfaction."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, State.RESOLVED)
    cleaned = validate(CloseInput, data)
    before = complaint.snapshot()
    complaint.state = State.CLOSED
    complaint.closed_at = timezone.now()
    complaint.satisfaction = cleaned.get("satisfaction")
    complaint.customer_feedback = cleaned.get("customer_feedback", "")
    _save(complaint, "state", "closed_at", "satisfaction", "customer_feedback")
    _step(complaint, StepKind.CLOSED, actor, complaint.customer_feedback)
    audit.record(
        actor=actor,
        verb="complaint.closed",
        obj=complaint,
        before=before,
        after=complaint.snapshot(),
    )
    return complaint


@transaction.atomic
def complaint_reopen(*, actor: User, complaint_id: int, data: Mapping[str, Any]) -> Complaint:
    """重新处理: the customer is not satisfied; a new resolution deadline runs from now."""
    complaint = _locked(actor, complaint_id, HANDLE_COMPLAINT)
    _expect(complaint, State.RESOLVED, State.CLOSED)
    cleaned = validate(ReopenInput, data)
    before = complaint.snapshot()
    now = timezone.now()
    cal = calendar.current()
    complaint.state = State.REOPENED
    complaint.reopened += 1
    complaint.resolved_at = None
    complaint.resolved_on_time = None
    complaint.resolve_minutes = None
    complaint.closed_at = None
    complaint.resolve_due = cal.add(now, sla_of(complaint.severity).resolve_hours * 60)
    complaint.escalation = 0
    complaint.escalated_at = None
    complaint.gm_due = None
    _save(
        complaint,
        "state",
        "reopened",
        "resolved_at",
        "resolved_on_time",
        "resolve_minutes",
        "closed_at",
        "resolve_due",
        "escalation",
        "escalated_at",
        "gm_due",
    )
    _step(complaint, StepKind.REOPENED, actor, cleaned["reason"])
    audit.record(
        actor=actor,
        verb="complaint.reopened",
        obj=complaint,
        before=before,
        after=complaint.snapshot(),
        reason=cleaned["reason"],
    )
    if complaint.handler is not None and complaint.handler_id != actor.pk:
        title = _("投诉 %(number)s 已重新处理：%(reason)s") % {
            "number": complaint.number,
            "reason": cleaned["reason"][:80],
        }
        _notify([complaint.handler], complaint, "complaint_reopened", title)
    return complaint


# --- attachments ---------------------------------------------------------------------------


@transaction.atomic
def complaint_attach(
    *, actor: User, complaint_id: int, files: Sequence[UploadedFile]
) -> list[ComplaintAttachment]:
    """Photos and documents of a complaint (at most 9, each up to 10 MB, pictures, PDF, Word or
    Excel by content). All or nothing."""
    complaint = _locked(actor, complaint_id, ASSIST_COMPLAINT)
    if not files:
        raise Invalid(fields={"files": _("请选择要上传的文件")})
    if complaint.attachments.count() + len(files) > ATTACHMENTS_MAX:  # type: ignore[attr-defined]
        raise Invalid(fields={"files": _("每条投诉最多 %(n)d 个附件") % {"n": ATTACHMENTS_MAX}})
    checked = []
    for upload in files:
        name = safe_name(upload.name or "")
        if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
            raise Invalid(fields={"files": _("%(name)s 超过 10 MB") % {"name": name}})
        kind = sniff(upload)
        if kind not in ATTACHMENT_TYPES:
            refused = _("%(name)s 不是可接受的文件类型（图片、PDF、Word、Excel）")
            raise Invalid(fields={"files": refused % {"name": name}})
        checked.append((upload, name, kind))
    saved = []
    for upload, name, kind in checked:
        attachment = ComplaintAttachment(
            complaint=complaint,
            name=name,
            content_type=kind,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    audit.record(
        actor=actor,
        verb="complaint.attachments_added",
        obj=complaint,
        after={"attachments": [a.name for a in saved]},
    )
    return saved


@transaction.atomic
def attachment_open(*, actor: User, attachment_id: int) -> ComplaintAttachment:
    """A complaint's file for whoever may see the complaint; each opening logged."""
    require(actor, VIEW_COMPLAINT)
    found = (
        restrict(ComplaintAttachment.objects.all(), actor, VIEW_COMPLAINT)
        .filter(pk=attachment_id)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise NotFound()
    attachment = ComplaintAttachment.objects.select_related("complaint").get(pk=found)
    audit.record(
        actor=actor,
        verb="complaint.attachment_viewed",
        obj=attachment.complaint,
        reason=attachment.name,
    )
    return attachment


# --- escalation ----------------------------------------------------------------------------


def supervisors(department: Department | None) -> list[User]:
    """The department manager of a complaint: the active holders of SUPERVISE_COMPLAINT with a
    department's scope in ``department`` or, when it has none, the nearest department above it.
    None found: the general manager's level (``top_supervisors``)."""
    holders = list(
        User.objects.filter(is_active=True, role__grants__has_key=SUPERVISE_COMPLAINT)
        .select_related("role", "department")
        .order_by("pk")
    )
    while department is not None:
        found = [
            u
            for u in in_departments(
                User.objects.filter(pk__in=[h.pk for h in holders]), [department.pk]
            ).select_related("role")
            if u.scope_for(SUPERVISE_COMPLAINT) == Scope.DEPARTMENT
        ]
        if found:
            return found
        department = department.parent
    return top_supervisors()


def top_supervisors() -> list[User]:
    """Those the last escalation reaches: SUPERVISE_COMPLAINT over the whole company (the GM)."""
    return [
        u
        for u in User.objects.filter(is_active=True, role__grants__has_key=SUPERVISE_COMPLAINT)
        .select_related("role")
        .order_by("pk")
        if u.scope_for(SUPERVISE_COMPLAINT) == Scope.ALL
    ]


def _missed(complaint: Complaint, now: dt.datetime) -> tuple[str, dt.datetime]:
    if complaint.state == State.REGISTERED and complaint.response_due < now:
        return "response", complaint.response_due
    return "resolve", complaint.resolve_due


def _escalate_one(
    complaint: Complaint, level: int, now: dt.datetime, cal: calendar.Calendar
) -> bool:
    """Claim the complaint's next level (one conditional UPDATE: with several workers running
    the scheduler, one of them does it) and tell whom it reaches."""
    which, due = _missed(complaint, now)
    gm_due = cal.add(due, sla_of(complaint.severity).gm_after_hours * 60) if level == 1 else None
    claimed = Complaint.objects.filter(
        pk=complaint.pk, escalation=level - 1, open_due__isnull=False
    ).update(escalation=level, escalated_at=now, gm_due=gm_due, updated_at=now)
    if not claimed:
        return False
    complaint.escalation, complaint.escalated_at, complaint.gm_due = level, now, gm_due
    handler = complaint.handler
    department = (handler.department if handler else None) or (
        complaint.registered_by.department if complaint.registered_by else None
    )
    users = supervisors(department) if level == 1 else top_supervisors()
    label = _("响应") if which == "response" else _("解决")
    title = _("投诉 %(number)s 已超过%(which)s时限（%(due)s），升级至%(to)s") % {
        "number": complaint.number,
        "which": label,
        "due": timezone.localtime(due).strftime("%m-%d %H:%M"),
        "to": _("部门经理") if level == 1 else _("总经理"),
    }
    _step(complaint, StepKind.ESCALATED, None, title)
    audit.record(
        actor=None,
        verb="complaint.escalated",
        obj=complaint,
        after={"escalation": level, "deadline": which, "to": [u.pk for u in users]},
    )
    _notify([*users, *([handler] if handler else [])], complaint, "complaint_escalated", title)
    return True


@transaction.atomic
def complaints_escalate(*, now: dt.datetime | None = None) -> int:
    """Escalate the open complaints whose deadline passed (level 1) and those still open
    ``gm_after_hours`` working hours after it (level 2). Returns how many moved a level."""
    now = now or timezone.now()
    cal = calendar.current()
    base = Complaint.objects.filter(open_due__isnull=False).select_related(
        "handler__department", "registered_by__department"
    )
    first = base.filter(escalation=0).filter(
        Q(open_due__lt=now) | Q(state=State.REGISTERED, response_due__lt=now)
    )
    second = base.filter(escalation=1, gm_due__lt=now)
    moved = 0
    for complaint in list(second.order_by("gm_due")[:ESCALATE_BATCH]):
        moved += _escalate_one(complaint, 2, now, cal)
    for complaint in list(first.order_by("open_due")[:ESCALATE_BATCH]):
        moved += _escalate_one(complaint, 1, now, cal)
    return moved


# --- the SLA table and the calendar --------------------------------------------------------


@transaction.atomic
def sla_update(*, actor: User, severity: str, data: Mapping[str, Any]) -> SlaPolicy:
    require(actor, MANAGE_SLA)
    if severity not in Severity.values:
        raise NotFound()
    cleaned = validate(SlaInput, data)
    if cleaned["resolve_hours"] < cleaned["response_hours"]:
        raise Invalid(fields={"resolve_hours": _("解决时限不能短于响应时限")})
    policy = sla_of(severity)
    before = {
        "response_hours": policy.response_hours,
        "resolve_hours": policy.resolve_hours,
        "gm_after_hours": policy.gm_after_hours,
    }
    for key, value in cleaned.items():
        setattr(policy, key, value)
    policy.save()
    audit.record(actor=actor, verb="sla.updated", obj=policy, before=before, after=dict(cleaned))
    return policy


@transaction.atomic
def calendar_day_set(*, actor: User, day: dt.date, data: Mapping[str, Any]) -> CalendarDay:
    """A holiday or an adjusted working day (调休) on ``day``; applies to deadlines set from now
    on."""
    require(actor, MANAGE_SLA)
    cleaned = validate(CalendarDayInput, data)
    before = CalendarDay.objects.filter(day=day).values("kind", "name").first()
    row, _created = CalendarDay.objects.update_or_create(
        day=day, defaults={"kind": cleaned["kind"], "name": cleaned.get("name", "")}
    )
    audit.record(
        actor=actor,
        verb="calendar.day_set",
        obj=row,
        before=dict(before) if before else None,
        after={"day": day.isoformat(), "kind": row.kind, "name": row.name},
    )
    return row


@transaction.atomic
def calendar_day_delete(*, actor: User, day: dt.date) -> None:
    require(actor, MANAGE_SLA)
    row = CalendarDay.objects.filter(day=day).first()
    if row is None:
        raise NotFound()
    audit.record(
        actor=actor,
        verb="calendar.day_deleted",
        obj=row,
        before={"day": day.isoformat(), "kind": row.kind, "name": row.name},
    )
    row.delete()


# --- service records -----------------------------------------------------------------------


@transaction.atomic
def service_record_add(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> ServiceRecord:
    """A line of the 客户服务记录表 on a customer the actor may serve."""
    require(actor, RECORD_SERVICE)
    cleaned = validate(ServiceRecordInput, data)
    customer = Customer.objects.alive().filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    if not allows(actor, RECORD_SERVICE, ServiceRecord(customer=customer)):  # by its customer
        raise NotFound()
    staff = actor
    if cleaned.get("staff") is not None:
        found = User.objects.filter(pk=cleaned["staff"], is_active=True).first()
        if found is None:
            raise Invalid(fields={"staff": _("用户不存在")})
        staff = found
    if cleaned["served_on"] > timezone.localdate():
        raise Invalid(fields={"served_on": _("服务日期不能晚于今天")})
    record = ServiceRecord(
        customer=customer,
        served_on=cleaned["served_on"],
        content=cleaned["content"],
        staff=staff,
        satisfaction=cleaned.get("satisfaction"),
        comment=cleaned.get("comment", ""),
        product=cleaned.get("product", ""),
        order_number=cleaned.get("order_number", ""),
    )
    links.link(record)
    record.save()
    audit.record(actor=actor, verb="service_record.created", obj=record, after=record.snapshot())
    return record
