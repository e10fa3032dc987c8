"""客户投诉统计分析月报表: the month's complaints for the general manager, counted by category,
product, responsible department, severity and channel; SLA compliance; the average time to
resolve; repeat complaints; a 12-month trend; and its Excel workbook.

Counted over the complaints registered in the month that the reader may see
(``restrict(…, VIEW_COMPLAINT)``). A deadline is *met* when the complaint was accepted (resolved)
by it, *missed* when accepted (resolved) later or still open past it; one still open before its
deadline is neither yet (the outcome is stored on the complaint when it is known:
``responded_on_time``, ``resolved_on_time``, ``resolve_minutes``). A *repeat* is a complaint of a
customer who had complained before it, since 90 days before the month began. Read-only; the
export is one audited event.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.accounts.models import Department, User
from crm.accounts.roles import VIEW_COMPLAINT, VIEW_COMPLAINT_REPORT
from crm.core.permissions import require, restrict
from crm.governance import audit
from crm.reports.exports import safe_cell
from crm.reports.services import ExportFile

from .models import Category, Channel, Complaint, Severity

REPEAT_DAYS = 90
TOP_PRODUCTS = 10


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class MonthPoint:
    month: dt.date
    count: int
    resolved_on_time: int
    resolved_late: int

    @property
    def compliance(self) -> float | None:
        done = self.resolved_on_time + self.resolved_late
        return self.resolved_on_time / done if done else None


@dataclass
class MonthlyReport:
    month: dt.date
    total: int = 0
    by_category: list[Tally] = field(default_factory=list)
    by_severity: list[Tally] = field(default_factory=list)
    by_channel: list[Tally] = field(default_factory=list)
    by_department: list[Tally] = field(default_factory=list)
    by_product: list[Tally] = field(default_factory=list)
    response_met: int = 0
    response_missed: int = 0
    resolve_met: int = 0
    resolve_missed: int = 0
    resolved: int = 0
    closed: int = 0
    open: int = 0
    reopened: int = 0
    repeats: int = 0
    average_hours: float | None = None
    satisfaction: float | None = None
    trend: list[MonthPoint] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        n = self.response_met + self.response_missed
        return self.response_met / n if n else None

    @property
    def resolve_rate(self) -> float | None:
        n = self.resolve_met + self.resolve_missed
        return self.resolve_met / n if n else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _previous(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(month, dt.time(), tzinfo=tz),
        dt.datetime.combine(_next(month), dt.time(), tzinfo=tz),
    )


def _tally(counts: dict[Any, int], labels: dict[Any, str], blank: str = "") -> list[Tally]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0] or "")))
    return [
        Tally(key=str(k or ""), label=labels.get(k, str(k or "")) or blank, count=n)
        for k, n in ordered
    ]


def _grouped(qs: QuerySet[Complaint], column: str) -> dict[Any, int]:
    rows = qs.order_by().values(column).annotate(n=Count("pk")).values_list(column, "n")
    return dict(rows)


def _count_rows(report: MonthlyReport, qs: QuerySet[Complaint]) -> None:
    """The month's figures, each counted by the database (GROUP BYs over the month's range;
    reading the 17,000 rows of a busy month into Python took longer than all of these)."""
    figures = qs.aggregate(
        total=Count("pk"),
        response_met=Count("pk", filter=Q(responded_on_time=True)),
        response_missed=Count("pk", filter=Q(responded_on_time=False)),
        resolve_met=Count("pk", filter=Q(resolved_on_time=True)),
        resolve_missed=Count("pk", filter=Q(resolved_on_time=False)),
        resolved=Count("pk", filter=Q(state__in=["resolved", "closed"])),
        closed=Count("pk", filter=Q(state="closed")),
        reopened=Count("pk", filter=Q(reopened__gt=0)),
        minutes=Avg("resolve_minutes"),
        score=Avg("satisfaction"),
    )
    minutes, score = figures.pop("minutes"), figures.pop("score")
    for key, value in figures.items():
        setattr(report, key, value or 0)
    report.open = report.total - report.resolved
    report.average_hours = round(float(minutes) / 60, 1) if minutes is not None else None
    report.satisfaction = round(float(score), 2) if score is not None else None
    report.by_category = _tally(_grouped(qs, "category"), {k: str(v) for k, v in Category.choices})
    report.by_severity = _tally(_grouped(qs, "severity"), {k: str(v) for k, v in Severity.choices})
    report.by_channel = _tally(_grouped(qs, "channel"), {k: str(v) for k, v in Channel.choices})
    departments = _grouped(qs, "department_id")
    names = dict(
        Department.objects.filter(pk__in=[k for k in departments if k]).values_list("pk", "name")
    )
    report.by_department = _tally(departments, names, _("（未认定）"))
    report.by_product = _tally(_grouped(qs, "product"), {}, _("（未填写）"))[:TOP_PRODUCTS]


def _trend(visible: QuerySet[Complaint], month: dt.date) -> list[MonthPoint]:
    """Each of the 12 months to ``month``: one GROUP BY over its range of the (created_at,
    resolved_on_time) index."""
    months = [month]
    for _n in range(11):
        months.insert(0, _previous(months[0]))
    points = []
    for m in months:
        lo, hi = _bounds(m)
        counts = {
            r["resolved_on_time"]: r["n"]
            for r in visible.filter(created_at__gte=lo, created_at__lt=hi)
            .order_by()
            .values("resolved_on_time")
            .annotate(n=Count("pk"))
        }
        points.append(
            MonthPoint(
                month=m,
                count=sum(counts.values()),
                resolved_on_time=counts.get(True, 0),
                resolved_late=counts.get(False, 0),
            )
        )
    return points


def _repeats(qs: QuerySet[Complaint], lo: dt.datetime) -> int:
    """The month's complaints whose customer complained before, from 90 days before the month
    began (one probe each of the (customer, created_at) index; "before" is the smaller number:
    complaints are numbered as they arrive)."""
    earlier = Complaint.objects.filter(
        customer_id=OuterRef("customer_id"),
        created_at__gte=lo - dt.timedelta(days=REPEAT_DAYS),
        pk__lt=OuterRef("pk"),
    )
    return qs.filter(customer__isnull=False).filter(Exists(earlier)).count()


def monthly_report(*, actor: User, month: dt.date | None = None) -> MonthlyReport:
    require(actor, VIEW_COMPLAINT_REPORT)
    month = month_start(month or timezone.localdate())
    now = timezone.now()
    visible = restrict(Complaint.objects.all(), actor, VIEW_COMPLAINT)
    lo, hi = _bounds(month)
    qs = visible.filter(created_at__gte=lo, created_at__lt=hi)
    report = MonthlyReport(month=month)
    _count_rows(report, qs)
    # deadlines passed while still waiting (the open ones' outcome is not stored yet)
    late = qs.aggregate(
        unanswered=Count("pk", filter=Q(state="registered", response_due__lt=now)),
        unresolved=Count("pk", filter=Q(open_due__lt=now)),
    )
    report.response_missed += late["unanswered"] or 0
    report.resolve_missed += late["unresolved"] or 0
    report.repeats = _repeats(qs, lo)
    report.trend = _trend(visible, month)
    return report


# --- the workbook ---------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rows(report: MonthlyReport) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("投诉总数"), report.total],
        [_("已解决"), report.resolved],
        [_("已结案"), report.closed],
        [_("未结"), report.open],
        [_("响应及时率"), _percent(report.response_rate)],
        [_("解决及时率"), _percent(report.resolve_rate)],
        [
            _("平均解决时长（小时）"),
            report.average_hours if report.average_hours is not None else "—",
        ],
        [_("平均满意度"), report.satisfaction if report.satisfaction is not None else "—"],
        [_("重新处理"), report.reopened],
        [_("重复投诉"), report.repeats],
        [],
    ]
    for title, tallies in (
        (_("按投诉类别"), report.by_category),
        (_("按产品"), report.by_product),
        (_("按责任部门"), report.by_department),
        (_("按严重程度"), report.by_severity),
        (_("按投诉渠道"), report.by_channel),
    ):
        rows.append([title])
        rows.extend([t.label, t.count] for t in tallies)
        rows.append([])
    rows.append([_("近12个月趋势"), _("投诉数"), _("解决及时率")])
    rows.extend([p.month.strftime("%Y-%m"), p.count, _percent(p.compliance)] for p in report.trend)
    return rows


@transaction.atomic
def monthly_export(*, actor: User, month: dt.date | None = None) -> ExportFile:
    """The month's statistics as an .xlsx file (text that looks like a formula stays text),
    logged as exported."""
    report = monthly_report(actor=actor, month=month)
    book = Workbook()
    ws = book.active
    ws.title = _("投诉月报")[:31]
    lines: list[list[Any]] = [
        [_("客户投诉统计分析月报表")],
        [_("月份"), report.month.strftime("%Y-%m")],
        [_("导出人"), actor.display_name],
        [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
        [],
        *_rows(report),
    ]
    for r, values in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            safe_cell(ws.cell(row=r, column=c), value)
    ws.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    audit.record(
        actor=actor,
        verb="complaint.report_exported",
        object_type="service.complaint",
        details={"month": report.month.isoformat(), "total": report.total},
    )
    name = _("客户投诉统计分析月报表_%(month)s") % {"month": report.month.strftime("%Y-%m")}
    return ExportFile(filename=f"{name}.xlsx", content=out.getvalue())
