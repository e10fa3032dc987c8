"""How the workday reads on a page: due rows with their days overdue, a customer's timeline in
words, the evening meeting grouped by rep, and the calendar as weeks of days. Presentation only:
every row here came from a scoped selector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts import selectors as accounts
from crm.accounts.roles import VIEW_CUSTOMER
from crm.activities import selectors
from crm.activities.choices import OPEN_STATUSES, FollowUpKind, PlanKind
from crm.activities.models import FollowUp, Plan
from crm.activities.selectors import TeamDay, TimelineItem, TodayCounts
from crm.customers import lifecycle
from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, LifecycleEvent
from crm.governance.masking import Masker
from crm.web.customers.presenters import Change, history_entries

from .forms import KIND_FOR_METHOD

# --- the counts in the navigation -----------------------------------------------------------


def today_counts_for(request: HttpRequest, *, fresh: bool = False) -> TodayCounts | None:
    """The Today counts of the signed-in user, computed once per request (the navigation badge
    and the Today page share them); None for users without customers."""
    user: Any = request.user
    if not (user.is_authenticated and user.has_action(VIEW_CUSTOMER)):
        return None
    cached: TodayCounts | None = getattr(request, "_crm_today_counts", None)
    if cached is None or fresh:
        cached = selectors.today_counts(actor=user)
        request._crm_today_counts = cached  # type: ignore[attr-defined]
    return cached


# --- the due list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    customer: Customer
    days_overdue: int

    @property
    def pk(self) -> int:
        return self.customer.pk

    @property
    def record_kind(self) -> str:
        return record_kind(self.customer)


def record_kind(customer: Customer) -> str:
    """What a follow-up of this customer most likely is: a call, or a callback after the deal."""
    if customer.category == Category.RETAINED:
        return FollowUpKind.CALLBACK
    return FollowUpKind.CALL


def due_rows(customers: Iterable[Customer], today: dt.date) -> list[DueRow]:
    return [DueRow(c, (today - c.next_due_on).days if c.next_due_on else 0) for c in customers]


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    late: bool  # planned before today and still open

    @property
    def is_callback(self) -> bool:
        return self.plan.kind == PlanKind.CALLBACK

    @property
    def record_kind(self) -> str:
        """The kind of record that fulfils this plan."""
        if self.is_callback:
            return FollowUpKind.CALLBACK
        return KIND_FOR_METHOD.get(self.plan.method, FollowUpKind.CALL)


def plan_rows(plans: Iterable[Plan], today: dt.date) -> list[PlanRow]:
    return [PlanRow(p, timezone.localdate(p.planned_at) < today) for p in plans]


def open_plans(plans: Iterable[Plan]) -> list[Plan]:
    return [p for p in plans if p.status in OPEN_STATUSES]


# --- a customer's timeline ------------------------------------------------------------------

CHANGE_VERBS = {
    "customer.created": gettext_lazy("创建客户"),
    "customer.updated": gettext_lazy("修改资料"),
    "customer.deleted": gettext_lazy("删除"),
    "customer.restored": gettext_lazy("恢复"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # followup | plan | lifecycle | change
    style: str  # the kind plus what it is (call, visit, done, defeated…), for the dot's colour
    title: str
    actor: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    status: str = ""
    status_style: str = ""
    folded: bool = False  # a creation lists every field: shown folded
    record: FollowUp | None = None  # a follow-up: its 点评 and the form to make one


def _grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade in Grade.values else grade


def _followup_entry(item: TimelineItem, f: FollowUp) -> TimelineEntry:
    lines = [
        (_("地点"), f.place),
        (_("目的"), f.purpose),
        (_("邮件主题"), f.subject),
        (_("收件人"), f.recipient),
        (_("内容"), f.content),
        (_("客户反馈"), f.feedback),
        (_("满意度"), "★" * f.satisfaction if f.satisfaction else ""),
        (_("结果"), f.outcome),
        (_("下一步"), f.next_step),
    ]
    return TimelineEntry(
        at=item.at,
        kind="followup",
        style=f"followup followup-{f.kind}",
        title=item.title,
        actor=item.actor,
        lines=[(str(label), text) for label, text in lines if text],
        record=f,
    )


def _plan_entry(item: TimelineItem, p: Plan) -> TimelineEntry:
    if p.kind == PlanKind.CALLBACK:
        title = _("回访计划（%(method)s）") % {"method": p.get_method_display()}
    else:
        title = _("跟进计划（%(method)s）") % {"method": p.get_method_display()}
    return TimelineEntry(
        at=item.at,
        kind="plan",
        style=f"plan plan-{p.status}",
        title=title,
        actor=item.actor,
        lines=[(_("内容"), p.text)] if p.content else [],
        status=p.get_status_display(),
        status_style=p.status,
    )


def _lifecycle_entry(item: TimelineItem, e: LifecycleEvent) -> TimelineEntry:
    if e.from_category == e.to_category == Category.INTENTION:
        title = _("意向级别 %(a)s → %(b)s") % {"a": e.from_grade, "b": e.to_grade}
    else:
        before = Category(e.from_category).label if e.from_category else "—"
        title = f"{before} → {e.get_to_category_display()}"
        if e.to_grade:
            title += _("（%(grade)s 级）") % {"grade": e.to_grade}
    lines = [(_("级别说明"), _grade_label(e.to_grade))] if e.to_grade else []
    if e.reason:
        lines.append((_("原因"), e.reason))
    return TimelineEntry(
        at=item.at,
        kind="lifecycle",
        style=f"lifecycle lifecycle-{e.to_category}",
        title=str(title),
        actor=item.actor,
        lines=[(str(label), str(text)) for label, text in lines],
    )


def timeline_entries(
    items: Sequence[TimelineItem], *, masker: Masker, customer: Customer
) -> list[TimelineEntry]:
    """The unified timeline (follow-ups, plans, category and grade changes, field changes) in
    words a sales rep reads, newest first (values above the reader's level masked)."""
    audit = [i.obj for i in items if i.kind == "change"]
    changes = iter(
        history_entries(audit, masker=masker, customer=customer)
    )  # one entry per audit event (no views here)
    entries: list[TimelineEntry] = []
    for item in items:
        if item.kind == "followup":
            entries.append(_followup_entry(item, item.obj))
        elif item.kind == "plan":
            entries.append(_plan_entry(item, item.obj))
        elif item.kind == "lifecycle":
            entries.append(_lifecycle_entry(item, item.obj))
        else:
            history = next(changes)
            verb = item.title
            entries.append(
                TimelineEntry(
                    at=item.at,
                    kind="change",
                    style=f"change change-{verb.rsplit('.', 1)[-1]}",
                    title=str(CHANGE_VERBS.get(verb, history.verb_label)),
                    actor=item.actor or "—",
                    changes=history.changes,
                    folded=verb == "customer.created",
                )
            )
    return entries


# --- the evening meeting (夕会) --------------------------------------------------------------


@dataclass
class TouchedCustomer:
    customer: Customer
    followups: list[FollowUp] = field(default_factory=list)
    suggested_grade: str = ""  # the expected purchase date says another grade


@dataclass
class RepDay:
    """What one rep's customers went through on the day."""

    name: str
    intention: list[TouchedCustomer] = field(default_factory=list)
    other_followups: list[FollowUp] = field(default_factory=list)
    grade_changes: list[LifecycleEvent] = field(default_factory=list)
    new_customers: list[Customer] = field(default_factory=list)
    deals: list[LifecycleEvent] = field(default_factory=list)
    defeats: list[LifecycleEvent] = field(default_factory=list)
    overdue: int | None = None

    @property
    def followup_count(self) -> int:
        return sum(len(t.followups) for t in self.intention) + len(self.other_followups)


def team_by_rep(day: TeamDay, overdue: Iterable[tuple[str, int]] = ()) -> list[RepDay]:
    """The department's day grouped by rep: follow-ups by who made them, customers and
    transitions by their owner. Reps with overdue customers but a quiet day are listed too."""
    ids: set[int] = set()
    for e in [*day.grade_changes, *day.deals, *day.defeated]:
        if e.owner_id is not None:
            ids.add(e.owner_id)
    names = accounts.user_names(ids)
    reps: dict[str, RepDay] = {}

    def rep(name: str) -> RepDay:
        return reps.setdefault(name, RepDay(name))

    touched: dict[int, TouchedCustomer] = {}
    rules = lifecycle.grade_rules() if day.intention_touched else []
    for c in day.intention_touched:
        entry = TouchedCustomer(c, suggested_grade=lifecycle.grade_mismatch(c, rules))
        touched[c.pk] = entry
        rep(c.owner.display_name if c.owner else _("公海")).intention.append(entry)
    for f in day.followups:
        if f.customer_id in touched:
            touched[f.customer_id].followups.append(f)
        else:
            rep(f.staff.display_name).other_followups.append(f)
    for c in day.new_customers:
        rep(c.owner.display_name if c.owner else _("公海")).new_customers.append(c)

    def owner(e: LifecycleEvent) -> str:
        return names.get(e.owner_id, _("公海")) if e.owner_id else _("公海")

    for e in day.grade_changes:
        rep(owner(e)).grade_changes.append(e)
    for e in day.deals:
        rep(owner(e)).deals.append(e)
    for e in day.defeated:
        rep(owner(e)).defeats.append(e)
    for name, n in overdue:
        rep(name).overdue = n
    return sorted(reps.values(), key=lambda r: r.name)


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    at: dt.datetime
    kind: str  # plan | callback | visit
    label: str
    customer: Customer
    status: str = ""


@dataclass
class CalendarDay:
    day: dt.date
    entries: list[CalendarEntry]
    is_today: bool
    in_range: bool  # false for the days a month grid borrows from the months around it


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def calendar_range(day: dt.date, view: str) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first shown, day after the last shown, first of the period, day after the period)."""
    if view == "month":
        first = day.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        last_monday = week_start(following - dt.timedelta(days=1))
        return week_start(first), last_monday + dt.timedelta(days=7), first, following
    start = week_start(day)
    return start, start + dt.timedelta(days=7), start, start + dt.timedelta(days=7)


def calendar_days(
    *,
    start: dt.date,
    end: dt.date,
    period: tuple[dt.date, dt.date],
    plans: Iterable[Plan],
    visits: Iterable[FollowUp],
    today: dt.date,
) -> list[CalendarDay]:
    by_day: dict[dt.date, list[CalendarEntry]] = {}
    for p in plans:
        kind = "callback" if p.kind == PlanKind.CALLBACK else "plan"
        entry = CalendarEntry(p.planned_at, kind, p.get_method_display(), p.customer, p.status)
        by_day.setdefault(timezone.localdate(p.planned_at), []).append(entry)
    for f in visits:
        entry = CalendarEntry(f.occurred_at, "visit", f.get_kind_display(), f.customer, "done")
        by_day.setdefault(timezone.localdate(f.occurred_at), []).append(entry)
    days = []
    day = start
    while day < end:
        entries = sorted(by_day.get(day, []), key=lambda e: e.at)
        days.append(CalendarDay(day, entries, day == today, period[0] <= day < period[1]))
        day += dt.timedelta(days=1)
    return days


def weeks(days: Sequence[CalendarDay]) -> list[list[CalendarDay]]:
    return [list(days[i : i + 7]) for i in range(0, len(days), 7)]
