"""Follow-up records, plans, callbacks after the deal, reminders (跟进与沟通).

Recording a follow-up fulfils the plan it answers, moves the customer's last contact and
recomputes the next due date (crm.customers.lifecycle). Transitions go through here too, so
that a deal schedules its callbacks and a defeat closes the open plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import (
    ADD_FOLLOWUP,
    COMMENT_FOLLOWUP,
    COUNT_FOLLOWUP,
    MANAGE_PLAN,
    VIEW_CUSTOMER,
    VIEW_PLAN,
    VIEW_TEAM_DAY,
)
from crm.core.errors import Conflict, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.pagination import Page
from crm.core.permissions import allows, mine, owned_by, require, restrict
from crm.core.uploads import safe_name, sniff
from crm.customers import hooks, lifecycle
from crm.customers.choices import Category
from crm.customers.models import Customer, LifecycleEvent
from crm.customers.selectors import customer_get
from crm.governance import approvals, audit
from crm.governance.models import ApprovalRequest

from . import selectors
from .choices import OPEN_STATUSES, FollowUpKind, PlanKind, PlanMethod, PlanStatus
from .inputs import (
    FollowUpCommentInput,
    FollowUpInput,
    PlanChange,
    PlanInput,
    followup_rules,
    plan_rules,
)
from .models import (
    CALLBACK_TEXT,
    Attachment,
    CalendarFeed,
    DailyRun,
    FollowUp,
    Notification,
    Plan,
)

CALLBACK_HOUR = 10


# --- helpers --------------------------------------------------------------------------------


def _locked_customer(actor: User, customer_id: int, action: str) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, action)
        raise NotFound()
    return customer


def earliest_open_plan_on(customer: Customer) -> dt.date | None:
    first = Plan.objects.filter(customer=customer, status__in=OPEN_STATUSES).aggregate(
        first=Min("planned_at")
    )["first"]
    return timezone.localdate(first) if first is not None else None


def _refresh_plans(customer: Customer) -> None:
    lifecycle.note_plans(customer, earliest_open_plan_on(customer))


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    customer: Customer | None = None,
) -> Notification:
    return Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, url=url, customer=customer
    )


def notify_shared(*, share: Any, customer: Customer, actor: Any) -> None:
    """A customer was shared with a colleague: they are told what they may do and until when."""
    if share.user_id == getattr(actor, "pk", None):
        return
    title = (
        _("%(who)s 与您共享了客户：%(name)s（可编辑，至 %(until)s）")
        if share.mode == "read_write"
        else _("%(who)s 与您共享了客户：%(name)s（只读，至 %(until)s）")
    )
    notify(
        user=share.user,
        kind="customer_shared",
        title=title
        % {
            "who": getattr(actor, "display_name", ""),
            "name": customer.name,
            "until": share.until.isoformat(),
        },
        url=f"/customers/{customer.pk}/",
    )


# --- follow-up records ----------------------------------------------------------------------


def clean_followup(data: Mapping[str, Any]) -> dict[str, Any]:
    """A follow-up record through the declared input, with what its kind requires and the bounds
    of the clock; every problem at once."""
    try:
        cleaned, errors = validate(FollowUpInput, data), {}
    except Invalid as exc:
        # the kind's requirements still show for the fields that were fine
        cleaned, errors = {k: v for k, v in data.items() if k not in exc.fields}, exc.fields
    rules = {k: v for k, v in followup_rules(cleaned).items() if k not in errors}
    if errors or rules:
        raise Invalid(fields={**errors, **rules})
    defaults = FollowUpInput.model_construct().model_dump()
    cleaned = {**defaults, **cleaned}
    cleaned["occurred_at"] = cleaned["occurred_at"] or timezone.now()
    cleaned["next_method"] = cleaned["next_method"] or PlanMethod.PHONE
    return cleaned


def _plans_to_fulfil(customer: Customer, kind: str, plan_id: Any, day: dt.date) -> list[Plan]:
    """The plan named, or every open plan of the record's kind due by the end of its day: one
    contact answers them all (a rep who calls back late need not log one call per missed plan)."""
    open_plans = Plan.objects.select_for_update().filter(
        customer=customer, status__in=OPEN_STATUSES
    )
    if plan_id not in (None, ""):
        plan = open_plans.filter(pk=plan_id).first()
        if plan is None:
            raise Invalid(fields={"plan": _("该计划不存在或已完成")})
        return [plan]
    plan_kind = PlanKind.CALLBACK if kind == FollowUpKind.CALLBACK else PlanKind.FOLLOW_UP
    end_of_day = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    return list(
        open_plans.filter(kind=plan_kind, planned_at__lte=end_of_day).order_by("planned_at")
    )


# what a record must say, at least one of, to be a follow-up and not an empty note
SUBSTANCE = ("content", "outcome", "purpose", "feedback", "subject", "next_step")


def counts_toward_cadence(*, staff: User, customer: Customer, cleaned: Mapping[str, Any]) -> bool:
    """Whether a follow-up resets the owner's cadence and counts in the contact-status report:
    not an empty note, and made by someone in the customer's sales chain (the owner, their
    managers: ``activities.count_followup`` over the customer). A data administrator's note is
    recorded, but the owner still owes the customer a follow-up."""
    said = any(str(cleaned.get(f) or "").strip() for f in SUBSTANCE)
    said = said or cleaned.get("satisfaction") is not None
    return said and allows(staff, COUNT_FOLLOWUP, customer)


@transaction.atomic
def followup_record(
    *,
    actor: User,
    customer_id: int,
    data: Mapping[str, Any],
    files: Sequence[UploadedFile] = (),
) -> FollowUp:
    """Record a follow-up (跟进记录), with its photos and files, and bring the customer's
    follow-up state up to date. A record that does not count toward the cadence
    (``counts_toward_cadence``) is kept in the timeline but fulfils no plan and moves no due
    date."""
    customer = _locked_customer(actor, customer_id, ADD_FOLLOWUP)
    cleaned = clean_followup(data)
    checked = _check_files(files, already=0) if files else []
    next_at, next_method = cleaned.pop("next_at"), cleaned.pop("next_method")
    plan_id = cleaned.pop("plan")
    counted = counts_toward_cadence(staff=actor, customer=customer, cleaned=cleaned)
    followup = FollowUp.objects.create(customer=customer, staff=actor, counted=counted, **cleaned)
    if checked:
        _attach(actor, followup, checked)
    answered = (
        _plans_to_fulfil(customer, followup.kind, plan_id, timezone.localdate(followup.occurred_at))
        if counted
        else []
    )
    for plan in answered:
        plan.status, plan.fulfilled_by = PlanStatus.DONE, followup
        plan.version += 1
        plan.save(update_fields=["status", "fulfilled_by", "version", "updated_at"])
    if next_at is not None:
        Plan.objects.create(
            customer=customer,
            assignee=actor,
            method=next_method,
            planned_at=next_at,
            content=cleaned["next_step"],
            created_by=actor,
        )
    if counted:
        lifecycle.note_contact(customer, followup.occurred_at, earliest_open_plan_on(customer))
    else:
        lifecycle.note_plans(customer, earliest_open_plan_on(customer))
    hooks.followed_up(customer=customer, at=followup.occurred_at, counted=counted)
    audit.record(
        actor=actor,
        verb="customer.followed_up",
        obj=customer,
        after={
            "followup.kind": followup.kind,
            "followup.content": followup.content,
            "followup.counted": counted,
        },
        reason=followup.get_kind_display(),
    )
    return followup


@transaction.atomic
def followup_comment(*, actor: User, followup_id: int, comment: str) -> FollowUp:
    """点评: a manager's comment on a follow-up of the department's customers (a later comment
    replaces the earlier one, both in the audit trail); the one who made the record is told."""
    text = validate(FollowUpCommentInput, {"comment": comment})["comment"]
    records = restrict(FollowUp.objects.all(), actor, COMMENT_FOLLOWUP)
    followup = (
        records.select_for_update(of=("self",))
        .select_related("customer", "staff")
        .filter(pk=followup_id, customer__deleted_at__isnull=True)
        .first()
    )
    if followup is None:
        require(actor, COMMENT_FOLLOWUP)
        raise NotFound()
    before = {"followup.comment": followup.comment}
    followup.comment, followup.commented_by, followup.commented_at = text, actor, timezone.now()
    followup.save(update_fields=["comment", "commented_by", "commented_at", "updated_at"])
    audit.record(
        actor=actor,
        verb="customer.followup_commented",
        obj=followup.customer,
        before=before,
        after={"followup.comment": text},
        reason=followup.get_kind_display(),
    )
    if followup.staff_id != actor.pk:
        notify(
            user=followup.staff,
            kind="followup_commented",
            title=_("%(who)s 点评了您对 %(name)s 的跟进")
            % {"who": actor.display_name, "name": followup.customer.name},
            body=text,
            url=f"/customers/{followup.customer_id}/",
            customer=followup.customer,
        )
    return followup


# --- plans ----------------------------------------------------------------------------------


def _clean_plan(
    actor: User, customer: Customer, data: Mapping[str, Any], partial: bool
) -> dict[str, Any]:
    """A plan through its declared input; the assignee must be a colleague the actor may give
    plans to, and one who may see the customer."""
    cleaned = validate(PlanChange if partial else PlanInput, data)
    if cleaned.get("assignee") is not None:
        assignee = selectors.plan_assignees(actor=actor).filter(pk=cleaned["assignee"]).first()
        if assignee is None:
            raise Invalid(fields={"assignee": _("不能把计划分配给该用户")})
        if not allows(assignee, VIEW_CUSTOMER, customer):
            raise Invalid(fields={"assignee": _("该用户无权查看此客户，不能为其安排此客户的跟进")})
        cleaned["assignee"] = assignee
    elif partial:
        cleaned.pop("assignee", None)
    else:
        cleaned["assignee"] = actor
    if not partial:
        cleaned.setdefault("content", "")
    return cleaned


@transaction.atomic
def plan_create(*, actor: User, customer_id: int, data: Mapping[str, Any]) -> Plan:
    """Plan a follow-up (客户跟进计划表: date, method, content, assignee)."""
    customer = _locked_customer(actor, customer_id, MANAGE_PLAN)
    cleaned = _clean_plan(actor, customer, data, partial=False)
    errors = plan_rules(cleaned)
    if errors:
        raise Invalid(fields=errors)
    plan = Plan.objects.create(customer=customer, created_by=actor, **cleaned)
    _refresh_plans(customer)
    audit.record(
        actor=actor,
        verb="customer.plan_added",
        obj=customer,
        after={
            "plan.method": plan.method,
            "plan.planned_at": plan.planned_at.isoformat(),
            "plan.assignee": plan.assignee_id,
            "plan.content": plan.content,
        },
    )
    if plan.assignee_id != actor.pk:
        notify(
            user=plan.assignee,
            kind="plan_assigned",
            title=_("%(who)s 给您安排了跟进：%(name)s")
            % {"who": actor.display_name, "name": customer.name},
            url=f"/customers/{customer.pk}/",
            customer=customer,
        )
    return plan


def _locked_plan(actor: User, plan_id: int) -> Plan:
    """A plan of a customer the actor manages plans of, or one the actor's plan scope covers
    (a service colleague's callback assigned to them)."""
    customers = restrict(Customer.objects.all(), actor, MANAGE_PLAN)
    plans = restrict(Plan.objects.all(), actor, MANAGE_PLAN)
    plan = (
        Plan.objects.select_for_update()
        .select_related("customer")
        .filter(Q(customer__in=customers) | Q(pk__in=plans), pk=plan_id)
        .filter(customer__deleted_at__isnull=True)
        .first()
    )
    if plan is None:
        require(actor, MANAGE_PLAN)
        raise NotFound()
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan_id: int, version: int, data: Mapping[str, Any]) -> Plan:
    """Reschedule or reword an open plan."""
    plan = _locked_plan(actor, plan_id)
    if plan.version != version:
        raise Conflict(extra={"current_version": plan.version})
    if plan.status not in OPEN_STATUSES:
        raise StateConflict(_("已完成或已取消的计划不能修改"))
    cleaned = _clean_plan(actor, plan.customer, data, partial=True)
    before = {
        "method": plan.method,
        "planned_at": plan.planned_at.isoformat(),
        "content": plan.content,
        "assignee": plan.assignee_id,
    }
    for field, value in cleaned.items():
        setattr(plan, field, value)
    if "planned_at" in cleaned and plan.planned_at > timezone.now():
        plan.status = PlanStatus.PLANNED
    plan.version += 1
    plan.save()
    _refresh_plans(plan.customer)
    audit.record(
        actor=actor,
        verb="customer.plan_changed",
        obj=plan.customer,
        before={f"plan.{k}": v for k, v in before.items()},
        after={
            "plan.method": plan.method,
            "plan.planned_at": plan.planned_at.isoformat(),
            "plan.content": plan.content,
            "plan.assignee": plan.assignee_id,
        },
    )
    return plan


@transaction.atomic
def plan_cancel(*, actor: User, plan_id: int, reason: str = "") -> Plan:
    plan = _locked_plan(actor, plan_id)
    if plan.status not in OPEN_STATUSES:
        raise StateConflict(_("已完成或已取消的计划不能取消"))
    plan.status = PlanStatus.CANCELLED
    plan.version += 1
    plan.save(update_fields=["status", "version", "updated_at"])
    _refresh_plans(plan.customer)
    audit.record(
        actor=actor,
        verb="customer.plan_cancelled",
        obj=plan.customer,
        before={"plan.status": PlanStatus.PLANNED},
        after={"plan.status": PlanStatus.CANCELLED},
        reason=reason,
    )
    return plan


@transaction.atomic
def plans_mark_missed(*, now: dt.datetime | None = None) -> int:
    """Plans past due by the grace period become missed, and their assignees are told."""
    now = now or timezone.now()
    grace = dt.timedelta(hours=lifecycle.lifecycle_settings().missed_grace_hours)
    late = list(
        Plan.objects.select_for_update()
        .select_related("customer", "assignee")
        .filter(status=PlanStatus.PLANNED, planned_at__lt=now - grace)
    )
    for plan in late:
        plan.status = PlanStatus.MISSED
        plan.version += 1
    Plan.objects.bulk_update(late, ["status", "version"])
    # one reminder per assignee and customer, so that it follows the customer to a new owner
    grouped: dict[tuple[int, int], list[Plan]] = {}
    for plan in late:
        grouped.setdefault((plan.assignee_id, plan.customer_id), []).append(plan)
    for plans in grouped.values():
        customer = plans[0].customer
        notify(
            user=plans[0].assignee,
            kind="plans_missed",
            title=_("%(n)d 个跟进计划已逾期") % {"n": len(plans)},
            body=customer.name,
            url=f"/customers/{customer.pk}/",
            customer=customer,
        )
    return len(late)


def plans_follow_owner(*, customer: Customer, former: User | None, actor: User) -> None:
    """A customer handed to another owner takes its open plans and the former owner's reminders
    about it along: the former owner no longer sees the customer's name or the plans' text."""
    new = customer.owner
    moved = 0
    if former is not None and new is not None:
        theirs = owned_by(Plan.objects.filter(customer=customer), [former.pk])
        moved = theirs.filter(status__in=OPEN_STATUSES).update(
            assignee=new, updated_at=timezone.now()
        )
    if former is not None:
        reminders = owned_by(Notification.objects.filter(customer=customer), [former.pk])
        if new is not None:
            reminders.filter(read_at__isnull=True).update(user=new)
        reminders.delete()
    if moved:
        audit.record(
            actor=actor,
            verb="customer.plans_moved",
            obj=customer,
            before={"plan.assignee": former.pk if former else None},
            after={"plan.assignee": new.pk if new else None},
            reason=_("%(n)d 个未完成的跟进计划随客户转交") % {"n": moved},
        )


def plans_follow_owners(
    *, customers: Sequence[Customer], formers: Mapping[int, User | None], actor: User | None
) -> None:
    """``plans_follow_owner`` for many customers: those that went to nobody (a pool) in one
    DELETE of the former owners' reminders per former owner; those handed from one owner to
    another (a staff hand-over, 交接) a few statements per (former, new) pair; the rest one by
    one."""
    cleared: dict[Any, list[int]] = {}
    handed: dict[tuple[Any, Any], list[Customer]] = {}
    for customer in customers:
        former = formers.get(customer.pk)
        if customer.owner_id is None and former is not None:
            cleared.setdefault(former.pk, []).append(customer.pk)
        elif former is not None and customer.owner_id not in (None, former.pk):
            handed.setdefault((former, customer.owner), []).append(customer)
        else:
            plans_follow_owner(customer=customer, former=former, actor=actor)  # type: ignore[arg-type]
    for former_id, ids in cleared.items():
        owned_by(Notification.objects.filter(customer_id__in=ids), [former_id]).delete()
    for (former, new), group in handed.items():
        _plans_handed(group, former, new, actor)


def _plans_handed(customers: Sequence[Customer], former: User, new: User, actor: Any) -> None:
    """The open plans of ``customers`` assigned to ``former`` go to ``new`` with the unread
    reminders (one UPDATE each), the rest of the former owner's reminders about them go, and
    each customer that took plans along gets its history row, as ``plans_follow_owner`` does."""
    ids = [c.pk for c in customers]
    plans = owned_by(
        Plan.objects.filter(customer_id__in=ids, status__in=OPEN_STATUSES), [former.pk]
    )
    moved = dict(
        plans.values("customer_id").annotate(n=Count("id")).values_list("customer_id", "n")
    )
    plans.update(assignee=new, updated_at=timezone.now())
    reminders = owned_by(Notification.objects.filter(customer_id__in=ids), [former.pk])
    reminders.filter(read_at__isnull=True).update(user=new)
    reminders.delete()
    audit.record_many(
        audit.Entry(
            actor=actor,
            verb="customer.plans_moved",
            obj=c,
            before={"plan.assignee": former.pk},
            after={"plan.assignee": new.pk},
            reason=_("%(n)d 个未完成的跟进计划随客户转交") % {"n": moved[c.pk]},
        )
        for c in customers
        if moved.get(c.pk)
    )


def callback_plans(
    customer: Customer,
    deal_on: dt.date,
    actor: User,
    *,
    ahead_only: bool = False,
    offsets: list[int] | None = None,
) -> list[Plan]:
    """The callbacks after a deal (day 1, 7, 30, 90 by default: ``offsets``), not saved;
    ``ahead_only``: not those already past. ``_callback_plans`` saves them; bulk loads (the
    demo company) save many customers' at once."""
    if offsets is None:
        offsets = lifecycle.lifecycle_settings().callback_offsets
    assignee = customer.owner or actor
    earliest = timezone.localdate() if ahead_only else deal_on
    return [
        Plan(
            customer=customer,
            assignee=assignee,
            kind=PlanKind.CALLBACK,
            method=PlanMethod.PHONE,
            created_by=actor,
            planned_at=timezone.make_aware(
                dt.datetime.combine(deal_on + dt.timedelta(days=days), dt.time(CALLBACK_HOUR))
            ),
            content=CALLBACK_TEXT % {"n": days},  # stored as written; read in the reader's language
        )
        for days in offsets
        if deal_on + dt.timedelta(days=days) >= earliest
    ]


def _callback_plans(
    customer: Customer, deal_on: dt.date, actor: User, *, ahead_only: bool = False
) -> list[Plan]:
    return Plan.objects.bulk_create(callback_plans(customer, deal_on, actor, ahead_only=ahead_only))


# --- what a transition does to plans ---------------------------------------------------------


def plans_follow_category(*, customer: Customer, event: LifecycleEvent, actor: User) -> None:
    """A deal schedules its callbacks (回访); a defeat closes the open plans. Runs inside every
    transition (crm.customers.lifecycle), whichever way it was made. A customer entered as
    retained (an old deal typed in or imported) gets only the callbacks still ahead."""
    if event.to_category == Category.RETAINED and customer.deal_on is not None:
        _callback_plans(customer, customer.deal_on, actor, ahead_only=not event.from_category)
    if event.to_category == Category.DEFEATED:
        Plan.objects.filter(customer=customer, status__in=OPEN_STATUSES).update(
            status=PlanStatus.CANCELLED, updated_at=timezone.now()
        )
    _refresh_plans(customer)


def plans_follow_categories(
    *, entries: Sequence[tuple[Customer, LifecycleEvent]], actor: User
) -> None:
    """``plans_follow_category`` for many customers: the callbacks of the deals in one INSERT,
    the defeats' open plans closed in one UPDATE, the derived plan dates in one query and
    written only where they change."""
    plans: list[Plan] = []
    defeated: list[int] = []
    for customer, event in entries:
        if event.to_category == Category.RETAINED and customer.deal_on is not None:
            plans += callback_plans(
                customer, customer.deal_on, actor, ahead_only=not event.from_category
            )
        if event.to_category == Category.DEFEATED:
            defeated.append(customer.pk)
    if plans:
        Plan.objects.bulk_create(plans)
    if defeated:
        Plan.objects.filter(customer_id__in=defeated, status__in=OPEN_STATUSES).update(
            status=PlanStatus.CANCELLED, updated_at=timezone.now()
        )
    customers = [c for c, _e in entries]
    firsts = (
        Plan.objects.filter(customer_id__in=[c.pk for c in customers], status__in=OPEN_STATUSES)
        .values("customer_id")
        .annotate(first=Min("planned_at"))
    )
    lifecycle.note_plans_many(
        customers, {r["customer_id"]: timezone.localdate(r["first"]) for r in firsts}
    )


# --- approvals: who is told ---------------------------------------------------------------


def _request_url(request: ApprovalRequest) -> str:
    if request.subject_type == Customer._meta.label_lower:
        return f"/customers/{request.subject_id}/"
    if request.subject_type == "orders.order":  # 合同签署 (crm.orders)
        return f"/orders/{request.subject_id}/"
    return "/approvals/"


def notify_deciders(request: ApprovalRequest) -> None:
    """A request waits at a step: everyone who may decide that step is told (a rep's 战败申请
    reaches the managers of the customer's department, a role grant the general manager, the
    next step of a chain its deciders)."""
    subject = approvals.subject_of(request)
    for user in approvals.deciders(request):
        notify(
            user=user,
            kind="approval_waiting",
            title=_("待您审批：%(title)s") % {"title": request.title},
            body=request.reason,
            url="/approvals/",
            customer=subject if isinstance(subject, Customer) else None,
        )


def notify_advanced(request: ApprovalRequest) -> None:
    """A step was approved and the next one waits: its deciders are told, and the requester
    learns how far the request has come."""
    notify_deciders(request)
    if request.requested_by is None:
        return
    step = approvals.current_step(request)
    subject = approvals.subject_of(request)
    notify(
        user=request.requested_by,
        kind="approval_advanced",
        title=_("已通过上一步，等待%(step)s：%(title)s")
        % {"step": step.label if step else "", "title": request.title},
        body="",
        url=_request_url(request),
        customer=subject if isinstance(subject, Customer) else None,
    )


def notify_requester(request: ApprovalRequest) -> None:
    """A request was decided: the one who filed it is told how, with the decider's note."""
    if request.requested_by is None:
        return
    subject = approvals.subject_of(request)
    notify(
        user=request.requested_by,
        kind="approval_decided",
        title=_("%(state)s：%(title)s")
        % {"state": request.get_state_display(), "title": request.title},
        body=request.decision_note,
        url=_request_url(request),
        customer=subject if isinstance(subject, Customer) else None,
    )


# --- reminders and calendar -----------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    qs = mine(Notification.objects.filter(read_at__isnull=True), actor)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def calendar_feed(*, actor: User) -> CalendarFeed:
    require(actor, VIEW_PLAN)
    return CalendarFeed.objects.get_or_create(user=actor)[0]


@transaction.atomic
def calendar_feed_reset(*, actor: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    require(actor, VIEW_PLAN)
    mine(CalendarFeed.objects.all(), actor).delete()
    feed = CalendarFeed.objects.create(user=actor)
    audit.record(actor=actor, verb="calendar_feed.reset", obj=feed)
    return feed


# --- registered reads (查阅登记) ---------------------------------------------------------------
# One audit row per read of personal data (one INSERT, no transaction of its own): a part of a
# customer's record names the customer; a list carries its filter and its number of rows.


def _customer_part_read(actor: User, customer: Customer, verb: str, count: int) -> None:
    audit.record(actor=actor, verb=verb, obj=customer, details={"count": count})


def _list_read(actor: User, verb: str, filters: dict[str, Any], count: int) -> None:
    shown = {k: v for k, v in filters.items() if v not in ("", None, False)}
    audit.record(
        actor=actor,
        verb=verb,
        object_type=Customer._meta.label_lower,
        details={"filter": shown, "count": count},
    )


def followups_open(
    *, actor: User, customer_id: int, cursor: str | None = None, limit: int | None = None
) -> Page[FollowUp]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    page = selectors.followup_page(customer=customer, cursor=cursor, limit=limit)
    _customer_part_read(actor, customer, "customer.followups_viewed", len(page.items))
    return page


def customer_plans_open(*, actor: User, customer_id: int) -> list[Plan]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    plans = selectors.customer_plans(customer=customer)
    _customer_part_read(actor, customer, "customer.plans_viewed", len(plans))
    return plans


def timeline_open(*, actor: User, customer_id: int) -> list[selectors.TimelineItem]:
    customer = customer_get(actor=actor, customer_id=customer_id)
    items = selectors.customer_timeline(customer=customer)
    _customer_part_read(actor, customer, "customer.timeline_viewed", len(items))
    return items


def due_browse(
    *,
    actor: User,
    today: dt.date,
    which: str = "due",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Customer]:
    """A page of the actor's due list, registered as one read."""
    page = selectors.due_list(actor=actor, today=today, which=which, cursor=cursor, limit=limit)
    filters = {"which": which, "next_page": bool(cursor)}
    _list_read(actor, "customer.due_listed", filters, len(page.items))
    return page


def plans_browse(*, actor: User, day: dt.date | None, limit: int) -> list[Plan]:
    """The actor's open plans of a day (with their customers' names), registered as one read."""
    plans = list(selectors.plans_for_day(actor=actor, day=day)[:limit])
    filters = {"day": day.isoformat() if day else ""}
    _list_read(actor, "plan.listed", filters, len(plans))
    return plans


@dataclass(frozen=True)
class TodayLists:
    overdue: Page[Customer]
    due_today: Page[Customer]
    plans: list[Plan]


def today_open(
    *,
    actor: User,
    today: dt.date,
    overdue_cursor: str | None = None,
    due_cursor: str | None = None,
    plan_limit: int = 50,
) -> TodayLists:
    """The lists of the Today page (今日工作), registered as one read with their counts."""
    lists = TodayLists(
        overdue=selectors.due_list(
            actor=actor, today=today, which="overdue", cursor=overdue_cursor
        ),
        due_today=selectors.due_list(actor=actor, today=today, which="today", cursor=due_cursor),
        plans=list(selectors.plans_for_day(actor=actor, day=today)[:plan_limit]),
    )
    audit.record(
        actor=actor,
        verb="customer.due_listed",
        object_type=Customer._meta.label_lower,
        details={
            "filter": {"which": "today_page"},
            "count": len(lists.overdue.items) + len(lists.due_today.items),
            "plans": len(lists.plans),
        },
    )
    return lists


def team_day_open(*, actor: User, day: dt.date) -> selectors.TeamDay:
    """The evening meeting's view of the department's day (夕会), registered as one read."""
    team = selectors.team_day(actor=actor, day=day)
    audit.record(
        actor=actor,
        verb="team_day.viewed",
        object_type=Customer._meta.label_lower,
        details={
            "filter": {"day": day.isoformat()},
            "count": len(
                {f.customer_id for f in team.followups} | {c.pk for c in team.new_customers}
            ),
        },
    )
    return team


# --- the scheduler's once-only marks and the daily digest -----------------------------------


def daily_run_claim(*, name: str, day: dt.date) -> bool:
    """Insert-or-skip the mark that ``name`` ran for ``day``: True for the one caller that
    inserted it, False for every other (another worker process got there first)."""
    try:
        with transaction.atomic():
            DailyRun.objects.create(name=name[:50], day=day)
    except IntegrityError:
        return False
    return True


def daily_runs_prune(*, before: dt.date) -> int:
    """Forget marks older than ``before`` (they only guard against running twice)."""
    return DailyRun.objects.filter(day__lt=before).delete()[0]


DIGEST_LIST_MAX = 20


@dataclass(frozen=True)
class Digest:
    subject: str
    body: str
    title: str
    summary: str


def _customer_line(customer: Customer, today: dt.date) -> str:
    grade = _("%(grade)s级") % {"grade": customer.grade} if customer.grade else ""
    line = f"  · {customer.name}"
    due = customer.next_due_on
    if due is not None and due < today:
        late = _("应于 %(day)s 跟进，已逾期 %(n)d 天") % {
            "day": due.isoformat(),
            "n": (today - due).days,
        }
        return f"{line}（{grade}，{late}）" if grade else f"{line}（{late}）"
    return f"{line}（{grade}）" if grade else line


def _plan_line(plan: Plan, today: dt.date) -> str:
    local = timezone.localtime(plan.planned_at)
    when = local.strftime("%H:%M")
    if local.date() < today:
        when = _("逾期 %(day)s") % {"day": local.strftime("%m-%d %H:%M")}
    text = f"  · {when} {plan.get_method_display()} {plan.customer.name}"
    return f"{text}：{plan.text}" if plan.content else text


def _section(title: str, total: int, lines: list[str]) -> list[str]:
    if not total:
        return []
    out = [title, *lines[:DIGEST_LIST_MAX]]
    if total > min(len(lines), DIGEST_LIST_MAX):
        out.append("  " + _("……共 %(n)d 项，请在“今日工作”中查看") % {"n": total})
    return [*out, ""]


# Sections other domains add to the digest (the pool's customers about to return): each is
# ``fn(user=, today=) -> (title, total, lines)`` or None, registered when its app is ready.
DigestSection = Callable[..., tuple[str, int, list[str]] | None]
_DIGEST_SECTIONS: list[DigestSection] = []


def on_digest(fn: DigestSection) -> DigestSection:
    if fn not in _DIGEST_SECTIONS:
        _DIGEST_SECTIONS.append(fn)
    return fn


def daily_digest(*, user: User, today: dt.date) -> Digest | None:
    """The morning digest of one rep or manager (每日提醒): overdue and due-today customers,
    the day's plans and callbacks, and for managers the department's overdue count per rep.
    ``None`` when there is nothing to do. Names only: no phone numbers leave the system."""
    counts = selectors.today_counts(actor=user, today=today)
    overdue = selectors.due_list(actor=user, today=today, which="overdue", limit=DIGEST_LIST_MAX)
    due = selectors.due_list(actor=user, today=today, which="today", limit=DIGEST_LIST_MAX)
    plans = list(selectors.plans_for_day(actor=user, day=today)[:200])
    callbacks = [p for p in plans if p.kind == PlanKind.CALLBACK]
    others = [p for p in plans if p.kind != PlanKind.CALLBACK]
    team = selectors.team_overdue(actor=user, today=today) if user.has_action(VIEW_TEAM_DAY) else []
    extra = [s for s in (fn(user=user, today=today) for fn in _DIGEST_SECTIONS) if s and s[1]]
    if not (counts.overdue or counts.due_today or plans or team or extra):
        return None
    numbers = {
        "overdue": counts.overdue,
        "due": counts.due_today,
        "plans": len(plans),
        "day": today.isoformat(),
    }
    base = settings.CRM_BASE_URL.rstrip("/")
    lines = [_("%(name)s，您好：") % {"name": user.display_name}, ""]
    lines.append(_("%(day)s 的跟进工作如下。") % numbers)
    lines.append("")
    lines += _section(
        _("【逾期未跟进】%(n)d 位客户") % {"n": counts.overdue},
        counts.overdue,
        [_customer_line(c, today) for c in overdue.items],
    )
    lines += _section(
        _("【今日应跟进】%(n)d 位客户") % {"n": counts.due_today},
        counts.due_today,
        [_customer_line(c, today) for c in due.items],
    )
    lines += _section(
        _("【今日计划】%(n)d 项") % {"n": len(others)},
        len(others),
        [_plan_line(p, today) for p in others],
    )
    lines += _section(
        _("【今日回访】%(n)d 项") % {"n": len(callbacks)},
        len(callbacks),
        [_plan_line(p, today) for p in callbacks],
    )
    for title, total, extra_lines in extra:
        lines += _section(title, total, extra_lines)
    if team:
        lines += _section(
            _("【部门逾期客户】"),
            len(team),
            ["  · " + _("%(name)s：%(n)d 位") % {"name": name, "n": n} for name, n in team],
        )
    lines.append(_("打开今日工作：%(url)s") % {"url": f"{base}/today/"})
    title = _("今日工作：逾期 %(overdue)d 位，应跟进 %(due)d 位，计划 %(plans)d 项") % numbers
    names = [c.name for c in [*overdue.items, *due.items]][:5]
    return Digest(
        subject=_("【客户管理系统】%(day)s 今日工作提醒") % numbers,
        body="\n".join(lines) + "\n",
        title=title,
        summary="、".join(names),
    )


@transaction.atomic
def daily_digest_send(*, user: User, today: dt.date) -> bool:
    """Send one user's digest for ``today`` by e-mail (when the user has an address) and as an
    in-app notification, at most once per user and day. Chinese, whatever the caller's language.
    Returns whether it was sent."""
    with translation.override(settings.LANGUAGE_CODE):
        digest = daily_digest(user=user, today=today)
        if digest is None or not daily_run_claim(name=f"digest:{user.pk}", day=today):
            return False
        notify(
            user=user, kind="daily_digest", title=digest.title, body=digest.summary, url="/today/"
        )
        if user.email:
            send_mail(digest.subject, digest.body, None, [user.email])
    return True


# --- photos and files of a follow-up ---------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX = 9  # a phone's photo set
# what a showroom files with a record: photos, scans, PDFs and office documents, by their content
ATTACHMENT_TYPES = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "image/heic",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
    "application/x-ole-storage",
}


def _check_files(files: Sequence[UploadedFile], *, already: int) -> list[tuple[UploadedFile, str]]:
    """Each file's name, size and type (by content), or the refusal naming the first wrong one."""
    if already + len(files) > ATTACHMENTS_MAX:
        too_many = {"files": _("每条跟进最多 %(n)d 个附件") % {"n": ATTACHMENTS_MAX}}
        if len(files) > ATTACHMENTS_MAX:
            raise Invalid(fields=too_many)
        # the files alone would fit: it is what the record already holds that refuses them
        raise StateConflict(fields=too_many)
    checked: list[tuple[UploadedFile, str]] = []
    for upload in files:
        name = safe_name(upload.name or "")
        if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
            raise Invalid(fields={"files": _("%(name)s 超过 10 MB") % {"name": name}})
        kind = sniff(upload)
        if kind not in ATTACHMENT_TYPES:
            refused = _("%(name)s 不是可接受的文件类型（图片、PDF、Word、Excel）")
            raise Invalid(fields={"files": refused % {"name": name}})
        checked.append((upload, kind))
    return checked


def _attach(
    actor: User, followup: FollowUp, checked: list[tuple[UploadedFile, str]]
) -> list[Attachment]:
    saved = []
    for upload, kind in checked:
        name = safe_name(upload.name or "")
        attachment = Attachment(
            followup=followup,
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
        verb="customer.attachments_added",
        obj=followup.customer,
        after={"attachments": [a.name for a in saved]},
        reason=followup.get_kind_display(),
    )
    return saved


@transaction.atomic
def attachments_add(
    *, actor: User, followup_id: int, files: Sequence[UploadedFile]
) -> list[Attachment]:
    """Photos and files added to a follow-up later, by anyone who may record follow-ups of its
    customer: at most 9 to a record, each up to 10 MB, of the kinds in ``ATTACHMENT_TYPES``
    (checked by content). All or nothing: one refused file refuses the lot, naming it."""
    records = restrict(FollowUp.objects.all(), actor, ADD_FOLLOWUP)
    followup = (
        records.select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=followup_id, customer__deleted_at__isnull=True)
        .first()
    )
    if followup is None:
        require(actor, ADD_FOLLOWUP)
        raise NotFound()
    if not files:
        raise Invalid(fields={"files": _("请选择要上传的文件")})
    already = followup.attachments.count()  # type: ignore[attr-defined]
    return _attach(actor, followup, _check_files(files, already=already))


@transaction.atomic
def attachment_open(*, actor: User, attachment_id: int) -> Attachment:
    """A photo or file of a follow-up, for someone who may read its customer; every opening is
    logged like a view of the customer's record (查阅登记)."""
    attachments = restrict(Attachment.objects.all(), actor, VIEW_CUSTOMER)
    attachment = (
        attachments.select_related("followup__customer")
        .filter(pk=attachment_id, followup__customer__deleted_at__isnull=True)
        .first()
    )
    if attachment is None:
        require(actor, VIEW_CUSTOMER)
        raise NotFound()
    audit.record(
        actor=actor,
        verb="customer.attachment_viewed",
        obj=attachment.followup.customer,
        reason=attachment.name,
    )
    return attachment
