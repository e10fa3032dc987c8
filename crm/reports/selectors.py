"""The three reports of 客户管理制度, as read-only aggregates (nothing here writes).

- 营业日报表 (``daily_report``): for one day, per rep: new customers, store visits (到店), calls,
  other follow-ups, grade changes, deals and defeats.
- 意向客户接触状况表 (``contact_status_report``): for one month, per rep: intention customers by
  grade, follow-ups the cadence required and those done, overdue customers, compliance. The rule
  and its SQL live in ``crm.reports.contact_status``.
- 战败客户分析表 (``defeat_report``): for one month, defeats by reason, by competitor and by rep,
  and the list with what was tried and the manager's comment.

Who counts where: a follow-up belongs to the person who made it (``staff``); a new customer to
its owner; a grade change, deal or defeat to the customer's owner at the time of the change
(``LifecycleEvent.owner``). Customers in the recycle bin are left out of every report. Every
query goes through ``restrict`` with ``reports.view_reports`` and groups in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from crm.accounts.models import Department, User
from crm.accounts.roles import VIEW_REPORTS
from crm.activities.choices import FollowUpKind
from crm.activities.models import FollowUp
from crm.core.permissions import assigned_to, owned_by, restrict
from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, DefeatAnalysis, LifecycleEvent

from . import contact_status
from .models import ContactMonth
from .scope import ReportScope, day_bounds, month_end, report_scope

GRADES: tuple[str, ...] = tuple(Grade.values)
DEFEAT_LIST_LIMIT = 500


def _department_name(user: User) -> str:
    return user.department.name if user.department else ""


# --- 营业日报表 -------------------------------------------------------------------------------


@dataclass
class DailyRow:
    user_id: int | None
    name: str
    department: str
    new_customers: int = 0
    store_visits: int = 0
    calls: int = 0
    other_followups: int = 0
    grade_changes: int = 0
    deals: int = 0
    defeats: int = 0

    @property
    def followups(self) -> int:
        return self.store_visits + self.calls + self.other_followups


DAILY_COUNTS: tuple[str, ...] = tuple(
    f.name for f in fields(DailyRow) if f.name not in {"user_id", "name", "department"}
)


@dataclass
class DailyReport:
    day: dt.date
    department: Department | None
    rows: list[DailyRow]
    total: DailyRow


def _by_user(rows: Any, key: str) -> dict[int, dict[str, int]]:
    return {r[key]: r for r in rows if r[key] is not None}


def _new_customers(
    scope: ReportScope, start: dt.datetime, end: dt.datetime
) -> dict[int, dict[str, int]]:
    """New customers of the day by owner."""
    rows = (
        owned_by(
            restrict(Customer.objects.filter(deleted_at__isnull=True), scope.actor, scope.action),
            scope.staff_ids,
        )
        .filter(created_at__gte=start, created_at__lt=end)
        .values("owner_id")
        .annotate(new_customers=Count("id"))
    )
    return _by_user(rows, "owner_id")


def _followups(
    scope: ReportScope, start: dt.datetime, end: dt.datetime
) -> dict[int, dict[str, int]]:
    """Follow-ups of the day by the person who made them: store visits, calls, the rest."""
    visit_or_call = [FollowUpKind.STORE_VISIT, FollowUpKind.CALL]
    rows = (
        assigned_to(
            restrict(FollowUp.objects.all(), scope.actor, scope.action), scope.staff_ids
        )  # by their author
        .filter(occurred_at__gte=start, occurred_at__lt=end, customer__deleted_at__isnull=True)
        .values("staff_id")
        .annotate(
            store_visits=Count("id", filter=Q(kind=FollowUpKind.STORE_VISIT)),
            calls=Count("id", filter=Q(kind=FollowUpKind.CALL)),
            other_followups=Count("id", filter=~Q(kind__in=visit_or_call)),
        )
    )
    return _by_user(rows, "staff_id")


def _changes(scope: ReportScope, start: dt.datetime, end: dt.datetime) -> dict[int, dict[str, int]]:
    """Gradings, deals and defeats of the day by the owner at the time."""
    rows = (
        owned_by(restrict(LifecycleEvent.objects.all(), scope.actor, scope.action), scope.staff_ids)
        .filter(at__gte=start, at__lt=end, customer__deleted_at__isnull=True)
        .values("owner_id")
        .annotate(
            grade_changes=Count("id", filter=Q(to_category=Category.INTENTION)),
            deals=Count("id", filter=Q(to_category=Category.RETAINED)),
            defeats=Count("id", filter=Q(to_category=Category.DEFEATED)),
        )
    )
    return _by_user(rows, "owner_id")


def activity_by_user(
    scope: ReportScope, start: dt.datetime, end: dt.datetime
) -> dict[int, dict[str, int]]:
    """What each person in scope did between two moments: the daily report's counts."""
    numbers: dict[int, dict[str, int]] = {}
    for part in (_new_customers, _followups, _changes):
        for user_id, counts in part(scope, start, end).items():
            numbers.setdefault(user_id, {}).update(
                {k: v for k, v in counts.items() if k in DAILY_COUNTS}
            )
    return numbers


def daily_report(
    *,
    actor: User,
    day: dt.date | None = None,
    department_id: int | None = None,
    action: str = VIEW_REPORTS,
) -> DailyReport:
    """营业日报表: what each rep in scope did on ``day`` (today by default)."""
    scope = report_scope(actor=actor, department_id=department_id, action=action)
    day = day or timezone.localdate()
    start, end = day_bounds(day)
    numbers = activity_by_user(scope, start, end)
    active = {u for u, counts in numbers.items() if any(counts.values())}
    rows = [
        DailyRow(u.pk, u.display_name, _department_name(u), **numbers.get(u.pk, {}))
        for u in scope.rows(active)
    ]
    total = DailyRow(None, "", "", **{k: sum(getattr(r, k) for r in rows) for k in DAILY_COUNTS})
    return DailyReport(day=day, department=scope.department, rows=rows, total=total)


# --- 意向客户接触状况表 -------------------------------------------------------------------------


@dataclass
class ContactRow:
    user_id: int | None
    name: str
    department: str
    by_grade: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    customers: int = 0
    required: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float | None:
        """Compliance: follow-ups done of those required (None when nothing was required)."""
        return self.done / self.required if self.required else None


@dataclass
class ContactStatusReport:
    month: dt.date
    through: dt.date | None  # the last day counted (today in the current month)
    department: Department | None
    rows: list[ContactRow]
    total: ContactRow


def contact_status_report(
    *,
    actor: User,
    month: dt.date | None = None,
    department_id: int | None = None,
    today: dt.date | None = None,
    action: str = VIEW_REPORTS,
) -> ContactStatusReport:
    """意向客户接触状况表 for the month that ``month`` lies in (this month by default)."""
    scope = report_scope(actor=actor, department_id=department_id, action=action)
    today = today or timezone.localdate()
    first = (month or today).replace(day=1)
    through = min(month_end(first), today)
    cadence, kept = contact_status.grade_table(first)
    counted: dict[int, contact_status.OwnerCounts] = {}
    if through >= first and kept:
        kept_rows = ContactMonth.objects.filter(month=first)
        counted = contact_status.per_owner_kept(
            rows=owned_by(restrict(kept_rows, actor, scope.action), scope.staff_ids),
            through=through,
            cadence=cadence,
        )
    elif through >= first:
        customers = owned_by(
            restrict(Customer.objects.filter(deleted_at__isnull=True), actor, scope.action),
            scope.staff_ids,
        )
        counted = contact_status.recount(
            customers=customers,
            first=first,
            through=through,
            through_today=through == today,
            cadence=cadence,
        )
    rows = []
    for u in scope.rows(k for k, v in counted.items() if v.customers):
        got = counted.get(u.pk)
        row = ContactRow(u.pk, u.display_name, _department_name(u))
        if got is not None:
            row.by_grade = dict(got.by_grade)
            row.customers, row.required = got.customers, got.required
            row.done, row.overdue = got.done, got.overdue
        rows.append(row)
    total = ContactRow(None, "", "")
    for row in rows:
        for grade in GRADES:
            total.by_grade[grade] += row.by_grade[grade]
        total.customers += row.customers
        total.required += row.required
        total.done += row.done
        total.overdue += row.overdue
    return ContactStatusReport(
        month=first,
        through=through if through >= first else None,
        department=scope.department,
        rows=rows,
        total=total,
    )


# --- 战败客户分析表 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    detail: str = ""


@dataclass(frozen=True)
class DefeatItem:
    at: dt.datetime
    customer_number: str
    customer_name: str
    rep: str
    reason: str
    competitor_brand: str
    competitor_model: str
    tried: str
    manager_comment: str


@dataclass
class DefeatReport:
    month: dt.date
    department: Department | None
    total: int
    by_reason: list[Tally]
    by_competitor: list[Tally]
    by_rep: list[Tally]
    items: list[DefeatItem]
    truncated: bool


def _defeats(scope: ReportScope, first: dt.date) -> Any:
    start, _ = day_bounds(first)
    _, end = day_bounds(month_end(first))
    events = owned_by(
        restrict(LifecycleEvent.objects.all(), scope.actor, scope.action), scope.staff_ids
    ).filter(
        to_category=Category.DEFEATED, at__gte=start, at__lt=end, customer__deleted_at__isnull=True
    )
    return DefeatAnalysis.objects.filter(event__in=events)


def _defeat_items(analyses: Any, limit: int | None) -> tuple[list[DefeatItem], bool]:
    """The list, newest first (at most ``limit``), and whether there was more."""
    rows = analyses.select_related("reason", "customer", "event__owner").order_by(
        "-event__at", "-id"
    )
    listed = list(rows[: limit + 1]) if limit is not None else list(rows)
    items = [
        DefeatItem(
            at=a.event.at,
            customer_number=a.customer.number or "",
            customer_name=a.customer.name,
            rep=a.event.owner.display_name if a.event.owner else "",
            reason=a.reason.name,
            competitor_brand=a.competitor_brand,
            competitor_model=a.competitor_model,
            tried=a.tried,
            manager_comment=a.manager_comment,
        )
        for a in listed[:limit]
    ]
    return items, limit is not None and len(listed) > limit


def defeat_report(
    *,
    actor: User,
    month: dt.date | None = None,
    department_id: int | None = None,
    limit: int | None = DEFEAT_LIST_LIMIT,
    action: str = VIEW_REPORTS,
) -> DefeatReport:
    """战败客户分析表 for the month that ``month`` lies in (this month by default)."""
    scope = report_scope(actor=actor, department_id=department_id, action=action)
    first = (month or timezone.localdate()).replace(day=1)
    analyses = _defeats(scope, first)
    by_reason = [
        Tally(r["reason__name"], r["n"])
        for r in analyses.values("reason__name")
        .annotate(n=Count("id"))
        .order_by("-n", "reason__sort", "reason__name")
    ]
    by_competitor = sorted(
        (
            Tally(r["competitor_brand"], r["n"], r["competitor_model"])
            for r in analyses.values("competitor_brand", "competitor_model").annotate(n=Count("id"))
        ),
        key=lambda t: (-t.count, t.label, t.detail),  # the same order on every database
    )
    per_rep = {
        r["event__owner_id"]: r["n"]
        for r in analyses.values("event__owner_id").annotate(n=Count("id"))
    }
    by_rep = [
        Tally(u.display_name, per_rep.get(u.pk, 0), _department_name(u))
        for u in scope.rows(k for k, v in per_rep.items() if v)
    ]
    items, truncated = _defeat_items(analyses, limit)
    return DefeatReport(
        month=first,
        department=scope.department,
        total=sum(t.count for t in by_reason),
        by_reason=by_reason,
        by_competitor=by_competitor,
        by_rep=by_rep,
        items=items,
        truncated=truncated,
    )
