"""总览: the company's figures of today and of the month, for the general manager's first page.

Everything is read through the reports action's scope (``report_scope``), so the page shows a
general manager the company and would show anyone else with the action only what their scope
reaches. The day's and the month's counts are the daily report's (营业日报表: new customers,
follow-ups, gradings, deals, defeats) summed over the people in scope; the month's contact rate
is the 意向客户接触状况表's total; the rest are a few grouped counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import VIEW_REPORTS
from crm.core.permissions import owned_by, restrict
from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, LifecycleEvent

from . import selectors
from .scope import ReportScope, day_bounds, month_end, report_scope


@dataclass(frozen=True)
class Figures:
    new_customers: int = 0
    followups: int = 0
    grade_changes: int = 0
    deals: int = 0
    defeats: int = 0


@dataclass
class Overview:
    today: dt.date
    day: Figures
    month: Figures
    intention_by_grade: list[tuple[str, int]]
    overdue_by_department: list[tuple[str, int]]
    contact_rate: float | None
    per_day: list[tuple[dt.date, int, int]] = field(default_factory=list)  # new, deals

    @property
    def intention_total(self) -> int:
        return sum(n for _g, n in self.intention_by_grade)

    @property
    def overdue_total(self) -> int:
        return sum(n for _d, n in self.overdue_by_department)


def _figures(scope: ReportScope, start: dt.datetime, end: dt.datetime) -> Figures:
    totals = {"new_customers": 0, "followups": 0, "grade_changes": 0, "deals": 0, "defeats": 0}
    for counts in selectors.activity_by_user(scope, start, end).values():
        for key, value in counts.items():
            if key in ("store_visits", "calls", "other_followups"):
                totals["followups"] += value
            elif key in totals:
                totals[key] += value
    return Figures(**totals)


def company_overview(*, actor: User, today: dt.date | None = None) -> Overview:
    """The figures of today and of this month in the actor's reports scope (403 without it)."""
    scope = report_scope(actor=actor)
    today = today or timezone.localdate()
    first = today.replace(day=1)
    day_start, day_end = day_bounds(today)
    month_start, _ = day_bounds(first)
    _, month_stop = day_bounds(month_end(first))
    customers = owned_by(
        restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_REPORTS),
        scope.staff_ids,
    )
    graded = dict(
        customers.filter(category=Category.INTENTION)
        .values_list("grade")
        .annotate(n=Count("id"))
        .values_list("grade", "n")
    )
    overdue = (
        customers.filter(next_due_on__lt=today)
        .values("department__name")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name")
    )
    contact = selectors.contact_status_report(actor=actor, month=first, today=today)
    return Overview(
        today=today,
        day=_figures(scope, day_start, day_end),
        month=_figures(scope, month_start, min(month_stop, day_end)),
        intention_by_grade=[(g, graded.get(g, 0)) for g in Grade.values],
        overdue_by_department=[(r["department__name"] or "—", r["n"]) for r in overdue],
        contact_rate=contact.total.rate,
        per_day=_per_day(scope, first, today),
    )


def _per_day(scope: ReportScope, first: dt.date, today: dt.date) -> list[tuple[dt.date, int, int]]:
    """New customers and deals on each day of the month so far."""
    start, _ = day_bounds(first)
    _, end = day_bounds(today)
    tz = timezone.get_current_timezone()
    customers = owned_by(
        restrict(Customer.objects.filter(deleted_at__isnull=True), scope.actor, VIEW_REPORTS),
        scope.staff_ids,
    )
    new = dict(
        customers.filter(created_at__gte=start, created_at__lt=end)
        .annotate(d=TruncDate("created_at", tzinfo=tz))
        .values_list("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )
    events = owned_by(
        restrict(LifecycleEvent.objects.all(), scope.actor, VIEW_REPORTS), scope.staff_ids
    )
    deals = dict(
        events.filter(
            at__gte=start,
            at__lt=end,
            to_category=Category.RETAINED,
            customer__deleted_at__isnull=True,
        )
        .annotate(d=TruncDate("at", tzinfo=tz))
        .values_list("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    return [(d, new.get(d, 0), deals.get(d, 0)) for d in days]
