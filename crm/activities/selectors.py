"""Reads for the workday: the due list, Today counts, timeline, evening meeting, calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import (
    MANAGE_PLAN,
    OWN_CUSTOMER,
    VIEW_CUSTOMER,
    VIEW_PLAN,
    VIEW_TEAM_DAY,
)
from crm.core.pagination import (
    Page,
    decode_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
)
from crm.core.permissions import Scope, assigned_to, mine, require, restrict
from crm.customers.choices import Category
from crm.customers.models import Customer, LifecycleEvent
from crm.customers.selectors import with_tag_names
from crm.governance.models import AuditEvent

from .choices import OPEN_STATUSES, FollowUpKind, PlanKind, PlanMethod
from .models import CalendarFeed, FollowUp, Notification, Plan

VISIT_METHODS = (PlanMethod.VISIT, PlanMethod.STORE_VISIT, PlanMethod.MEETING)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def my_customers(actor: User) -> QuerySet[Customer]:
    """Live customers the actor owns (the workday is about one's own customers)."""
    live = Customer.objects.filter(deleted_at__isnull=True)
    return restrict(live, actor, VIEW_CUSTOMER, within=Scope.OWN)


def readable_customers(actor: User) -> QuerySet[Customer]:
    """Customers whose name and data ``actor`` may see: plans and visits of other customers
    (a customer handed to someone else) leave the actor's lists, calendar and feed."""
    return restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_CUSTOMER)


def my_plans(actor: User) -> QuerySet[Plan]:
    """Plans assigned to the actor, of customers the actor may read.

    The customer is checked per plan (a correlated EXISTS on its primary key), so the database
    starts from the actor's plans on the (assignee, status, planned_at) index; as ``IN (the
    actor's customers)`` SQLite walked all of a rep's customers first (70 ms for a rep with
    100,000 customers, for the handful of plans of a day)."""
    plans = restrict(Plan.objects.all(), actor, VIEW_PLAN, within=Scope.OWN)
    readable = readable_customers(actor).filter(pk=OuterRef("customer_id"))
    return plans.filter(Exists(readable))


# --- the due list ---------------------------------------------------------------------------


def _encode(due: dt.date, pk: int) -> str:
    return encode_key_cursor(due.toordinal(), pk)


def _decode(cursor: str | None) -> tuple[dt.date, int] | None:
    after = decode_key_cursor(
        cursor, lowest=dt.date.min.toordinal(), highest=dt.date.max.toordinal()
    )
    return None if after is None else (dt.date.fromordinal(after[0]), after[1])


def due_list(
    *,
    actor: User,
    today: dt.date | None = None,
    which: str = "due",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Customer]:
    """The actor's customers to follow up: ``overdue`` (before today), ``today``, or ``due``
    (both), most overdue first. Keyset pages over the (owner, next_due_on, id) index."""
    today = today or timezone.localdate()
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, 100))
    qs = my_customers(actor)
    if which == "overdue":
        qs = qs.filter(next_due_on__lt=today)
    elif which == "today":
        qs = qs.filter(next_due_on=today)
    else:
        qs = qs.filter(next_due_on__lte=today)
    after = _decode(cursor)
    if after is not None:
        due, pk = after
        qs = qs.filter(Q(next_due_on__gt=due) | Q(next_due_on=due, id__gt=pk))
    rows = list(qs.select_related("owner").order_by("next_due_on", "id")[: limit + 1])
    if len(rows) > limit:
        last = rows[limit - 1]
        assert last.next_due_on is not None
        return Page(with_tag_names(rows[:limit]), _encode(last.next_due_on, last.pk))
    return Page(with_tag_names(rows), None)


@dataclass(frozen=True)
class TodayCounts:
    overdue: int
    due_today: int
    visits_today: int
    callbacks_today: int
    unread: int

    @property
    def total(self) -> int:
        return self.overdue + self.due_today


def today_counts(*, actor: User, today: dt.date | None = None) -> TodayCounts:
    """The numbers on the Today page and in the navigation (every page shows them): three
    queries, each a range over an index — (owner, next_due_on), (assignee, status, planned_at)
    and (user, read_at)."""
    today = today or timezone.localdate()
    start, end = _day_bounds(today)
    due = (
        my_customers(actor)
        .filter(next_due_on__lte=today)
        .aggregate(
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
            due_today=Count("id", filter=Q(next_due_on=today)),
        )
    )
    plans = (
        my_plans(actor)
        .filter(status__in=OPEN_STATUSES, planned_at__gte=start, planned_at__lt=end)
        .aggregate(
            visits=Count("id", filter=Q(method__in=VISIT_METHODS)),
            callbacks=Count("id", filter=Q(kind=PlanKind.CALLBACK)),
        )
    )
    return TodayCounts(
        overdue=due["overdue"],
        due_today=due["due_today"],
        visits_today=plans["visits"],
        callbacks_today=plans["callbacks"],
        unread=mine(Notification.objects.filter(read_at__isnull=True), actor).count(),
    )


def plans_for_day(*, actor: User, day: dt.date | None = None) -> QuerySet[Plan]:
    """The actor's open plans and callbacks of a day, earliest first (overdue ones included)."""
    day = day or timezone.localdate()
    _start, end = _day_bounds(day)
    return (
        my_plans(actor)
        .filter(status__in=OPEN_STATUSES, planned_at__lt=end)
        .select_related("customer")
        .order_by("planned_at", "id")
    )


def notifications(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = mine(Notification.objects.all(), actor)
    return qs.filter(read_at__isnull=True) if unread_only else qs


# --- a customer's timeline ------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # followup | plan | lifecycle | change
    title: str
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)
    obj: Any = None


def customer_timeline(*, customer: Customer, limit: int = 200) -> list[TimelineItem]:
    """Follow-ups, plans, category/grade changes and field changes of a customer already
    obtained through a scoped selector, newest first."""
    items: list[TimelineItem] = []
    records = customer.followups.select_related("staff", "commented_by").prefetch_related(  # type: ignore[attr-defined]
        "attachments"
    )
    for f in records[:limit]:
        f.customer = customer  # the scope of a record is its customer's: no query per record
        items.append(
            TimelineItem(
                f.occurred_at, "followup", f.get_kind_display(), f.staff.display_name, obj=f
            )
        )
    plans = customer.plans.select_related("assignee").order_by("-planned_at")  # type: ignore[attr-defined]
    for p in plans[:limit]:
        items.append(
            TimelineItem(
                p.planned_at, "plan", p.get_method_display(), p.assignee.display_name, obj=p
            )
        )
    for e in LifecycleEvent.objects.filter(customer=customer).select_related("actor")[:limit]:
        items.append(
            TimelineItem(
                e.at,
                "lifecycle",
                e.get_to_category_display(),
                e.actor.display_name if e.actor else "",
                obj=e,
            )
        )
    changes = AuditEvent.objects.filter(
        object_type="customers.customer",
        object_id=str(customer.pk),
        verb__in=["customer.created", "customer.updated", "customer.deleted", "customer.restored"],
    )[:limit]
    for a in changes:
        items.append(
            TimelineItem(a.created_at, "change", a.verb, a.actor_name, detail=a.changes, obj=a)
        )
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


# --- the evening meeting (夕会) --------------------------------------------------------------


@dataclass
class TeamDay:
    day: dt.date
    followups: list[FollowUp]
    grade_changes: list[LifecycleEvent]
    defeated: list[LifecycleEvent]
    deals: list[LifecycleEvent]
    new_customers: list[Customer]
    intention_touched: list[Customer]


def team_day(*, actor: User, day: dt.date | None = None) -> TeamDay:
    """What happened today with the department's customers, for the manager's 夕会."""
    require(actor, VIEW_TEAM_DAY)
    day = day or timezone.localdate()
    start, end = _day_bounds(day)
    scope = restrict(Customer.objects.all(), actor, VIEW_CUSTOMER)
    followups = list(
        FollowUp.objects.filter(occurred_at__gte=start, occurred_at__lt=end, customer__in=scope)
        .select_related("customer", "staff", "commented_by")
        .order_by("customer_id", "occurred_at")
    )
    events = list(
        restrict(LifecycleEvent.objects.all(), actor, VIEW_CUSTOMER)
        .filter(at__gte=start, at__lt=end)
        .select_related("customer", "actor")
        .order_by("at")
    )
    new = list(
        scope.filter(created_at__gte=start, created_at__lt=end, deleted_at__isnull=True)
        .select_related("owner")
        .order_by("id")
    )
    touched_ids = {f.customer_id for f in followups if f.customer.category == Category.INTENTION}
    touched = list(
        scope.filter(pk__in=touched_ids).select_related("owner").order_by("owner_id", "grade", "id")
    )
    return TeamDay(
        day=day,
        followups=followups,
        grade_changes=[e for e in events if e.to_category == Category.INTENTION],
        defeated=[e for e in events if e.to_category == Category.DEFEATED],
        deals=[e for e in events if e.to_category == Category.RETAINED],
        new_customers=new,
        intention_touched=touched,
    )


# --- calendar -------------------------------------------------------------------------------


def calendar_plans(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[Plan]:
    """The actor's plans (any status but cancelled) between two dates, for week/month views."""
    lo, _x = _day_bounds(start)
    hi, _y = _day_bounds(end)
    return (
        my_plans(actor)
        .filter(planned_at__gte=lo, planned_at__lt=hi)
        .exclude(status="cancelled")
        .select_related("customer")
        .order_by("planned_at")
    )


def calendar_visits(*, actor: User, start: dt.date, end: dt.date) -> QuerySet[FollowUp]:
    lo, _x = _day_bounds(start)
    hi, _y = _day_bounds(end)
    return (
        assigned_to(FollowUp.objects.all(), [actor.pk])  # the visits the actor made
        .filter(
            occurred_at__gte=lo,
            occurred_at__lt=hi,
            kind__in=[FollowUpKind.VISIT, FollowUpKind.STORE_VISIT, FollowUpKind.MEETING],
            customer__in=readable_customers(actor),
        )
        .select_related("customer")
        .order_by("occurred_at")
    )


def feed_owner(*, token: str) -> User | None:
    """The active user whose secret calendar address this is."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# --- pages for the API (follow-ups of a customer, its plans, notifications) -----------------


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MOMENTS = (
    dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
    dt.datetime(3000, 1, 1, tzinfo=dt.UTC),
)


def _micros(at: dt.datetime) -> int:
    return (at - _EPOCH) // dt.timedelta(microseconds=1)


def _encode_moment(at: dt.datetime, pk: int) -> str:
    return encode_key_cursor(_micros(at), pk)


def _decode_moment(cursor: str | None) -> tuple[dt.datetime, int] | None:
    lowest, highest = (_micros(m) for m in _MOMENTS)
    after = decode_key_cursor(cursor, lowest=lowest, highest=highest)
    if after is None:
        return None
    return _EPOCH + dt.timedelta(microseconds=after[0]), after[1]


def followup_page(
    *, customer: Customer, cursor: str | None = None, limit: int | None = None
) -> Page[FollowUp]:
    """Follow-up records of a customer already obtained through a scoped selector, newest
    first; keyset pages over the (customer, occurred_at) index."""
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, 100))
    qs = FollowUp.objects.filter(customer=customer)
    after = _decode_moment(cursor)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    rows = list(
        qs.select_related("staff", "commented_by")
        .prefetch_related("attachments")
        .order_by("-occurred_at", "-id")[: limit + 1]
    )
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(rows[:limit], _encode_moment(last.occurred_at, last.pk))
    return Page(rows, None)


@dataclass(frozen=True)
class FollowUpFilters:
    customer: int | None = None
    staff: int | None = None
    kind: str = ""
    since: dt.date | None = None  # from this day (Shanghai time)
    until: dt.date | None = None  # to this day, included


def followups_matching(*, actor: User, filters: FollowUpFilters) -> QuerySet[FollowUp]:
    """The follow-up records of the customers the actor may see (a record of a customer handed
    to someone else leaves its author's reach with the customer), by the filter."""
    qs: QuerySet[FollowUp] = FollowUp.objects.filter(
        customer__in=readable_customers(actor).values("pk")
    )
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.staff is not None:
        qs = assigned_to(qs, [filters.staff])
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.since is not None:
        qs = qs.filter(occurred_at__gte=_day_bounds(filters.since)[0])
    if filters.until is not None:
        qs = qs.filter(occurred_at__lt=_day_bounds(filters.until)[1])
    return qs


def customer_plans(*, customer: Customer, limit: int = 200) -> list[Plan]:
    """Plans and callbacks of a customer already obtained through a scoped selector, by date."""
    qs = Plan.objects.filter(customer=customer).select_related("assignee")
    return list(reversed(qs.order_by("-planned_at", "-id")[:limit]))  # the latest, by date


def notification_page(
    *, actor: User, unread_only: bool = False, cursor: str | None = None, limit: int | None = None
) -> Page[Notification]:
    """The actor's notifications, newest first, a keyset page at a time."""
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, 100))
    qs = notifications(actor=actor, unread_only=unread_only)
    before = decode_cursor(cursor)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: limit + 1])
    if len(rows) > limit:
        return Page(rows[:limit], encode_cursor(rows[limit - 1].pk))
    return Page(rows, None)


# --- the daily digest -----------------------------------------------------------------------


def plan_assignees(*, actor: User) -> QuerySet[User]:
    """Whom the actor may give plans: active people within the plan action's scope over users
    (a rep only themselves, a manager the department). The service also checks that the
    assignee may read the plan's customer."""
    users = User.objects.filter(is_active=True).select_related("role", "department")
    return restrict(users, actor, MANAGE_PLAN)


def digest_recipients() -> QuerySet[User]:
    """Who gets the daily digest: active users whose role lets them own customers."""
    return User.objects.filter(is_active=True, role__grants__has_key=OWN_CUSTOMER).order_by("id")


def team_overdue(*, actor: User, today: dt.date) -> list[tuple[str, int]]:
    """(owner name, overdue customers) in the actor's scope, most overdue first (managers)."""
    require(actor, VIEW_TEAM_DAY)
    scope = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_CUSTOMER)
    rows = (
        scope.filter(next_due_on__lt=today, owner__isnull=False)
        .values("owner_id", "owner__full_name", "owner__username")
        .annotate(n=Count("id"))
        .order_by("-n", "owner_id")
    )
    return [(r["owner__full_name"] or r["owner__username"], r["n"]) for r in rows]
