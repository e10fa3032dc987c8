"""客户投诉统计分析月报表: the month's complaints for the general manager, counted by category,
product, responsible department, severity and channel; SLA compliance; the average time to
resolve; repeat complaints; a 12-month trend; and its Excel workbook.

Counted over the complaints registered in the month that the reader may see
(``restrict(…, VIEW_COMPLAINT)``). A deadline is *met* when the complaint was accepted (resolved)
by it, *missed* when accepted (resolved) later or still open past it; one still open before its
deadline is neither yet. A *repeat* is a complaint of a customer who had complained in the 90 days
before it. Read-only; the export is one audited event.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.accounts.models import User
from crm.accounts.roles import VIEW_COMPLAINT, VIEW_COMPLAINT_REPORT
from crm.core.permissions import require, restrict
from crm.governance import audit
from crm.reports.exports import CONTENT_TYPE, safe_cell

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


def _tallies(qs: QuerySet[Complaint], column: str, labels: dict[str, str]) -> list[Tally]:
    rows = qs.order_by().values(column).annotate(n=Count("pk")).order_by("-n", column)
    return [
        Tally(
            key=str(r[column] or ""),
            label=labels.get(r[column], str(r[column] or "")),
            count=r["n"],
        )
        for r in rows
    ]


def _met(now: dt.datetime) -> dict[str, Any]:
    return {
        "response_met": Count(
            "pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("response_due"))
        ),
        "response_missed": Count(
            "pk",
            filter=Q(accepted_at__gt=F("response_due"))
            | Q(accepted_at__isnull=True, state="registered", response_due__lt=now),
        ),
        "resolve_met": Count(
            "pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))
        ),
        "resolve_missed": Count(
            "pk",
            filter=Q(resolved_at__gt=F("resolve_due")) | Q(is_open=True, resolve_due__lt=now),
        ),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "closed": Count("pk", filter=Q(state="closed")),
        "open": Count("pk", filter=Q(is_open=True)),
        "reopened": Count("pk", filter=Q(reopened__gt=0)),
    }


def _trend(visible: QuerySet[Complaint], month: dt.date) -> list[MonthPoint]:
    months = [month]
    for _n in range(11):
        months.insert(0, _previous(months[0]))
    aggregates: dict[str, Any] = {}
    for i, m in enumerate(months):
        lo, hi = _bounds(m)
        within = Q(created_at__gte=lo, created_at__lt=hi)
        aggregates[f"n{i}"] = Count("pk", filter=within)
        aggregates[f"ok{i}"] = Count(
            "pk", filter=within & Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))
        )
        aggregates[f"late{i}"] = Count("pk", filter=within & Q(resolved_at__gt=F("resolve_due")))
    lo, _hi = _bounds(months[0])
    _lo, hi = _bounds(month)
    found = visible.filter(created_at__gte=lo, created_at__lt=hi).aggregate(**aggregates)
    return [
        MonthPoint(
            month=m,
            count=found[f"n{i}"] or 0,
            resolved_on_time=found[f"ok{i}"] or 0,
            resolved_late=found[f"late{i}"] or 0,
        )
        for i, m in enumerate(months)
    ]


def _repeats(visible: QuerySet[Complaint], qs: QuerySet[Complaint], lo: dt.datetime) -> int:
    mine = list(qs.filter(customer__isnull=False).values_list("customer_id", "created_at", "pk"))
    if not mine:
        return 0
    customers = list({c for c, _at, _pk in mine})[:5000]
    earlier: dict[int, list[tuple[dt.datetime, int]]] = {}
    since = lo - dt.timedelta(days=REPEAT_DAYS)
    for c, at, pk in visible.filter(customer_id__in=customers, created_at__gte=since).values_list(
        "customer_id", "created_at", "pk"
    ):
        earlier.setdefault(c, []).append((at, pk))
    window = dt.timedelta(days=REPEAT_DAYS)
    return sum(
        1
        for c, at, pk in mine
        if any(at - window <= o_at and (o_at, o_pk) < (at, pk) for o_at, o_pk in earlier.get(c, ()))
    )


def _average_hours(qs: QuerySet[Complaint]) -> float | None:
    spans = [
        (resolved - created).total_seconds()
        for created, resolved in qs.filter(resolved_at__isnull=False).values_list(
            "created_at", "resolved_at"
        )
        if resolved is not None
    ]
    return round(sum(spans) / len(spans) / 3600, 1) if spans else None


def monthly_report(*, actor: User, month: dt.date | None = None) -> MonthlyReport:
    require(actor, VIEW_COMPLAINT_REPORT)
    month = month_start(month or timezone.localdate())
    now = timezone.now()
    visible = restrict(Complaint.objects.all(), actor, VIEW_COMPLAINT)
    lo, hi = _bounds(month)
    qs = visible.filter(created_at__gte=lo, created_at__lt=hi)
    report = MonthlyReport(month=month)
    figures = qs.aggregate(total=Count("pk"), **_met(now))
    report.total = figures.pop("total") or 0
    for key, value in figures.items():
        setattr(report, key, value or 0)
    report.by_category = _tallies(qs, "category", {k: str(v) for k, v in Category.choices})
    report.by_severity = _tallies(qs, "severity", {k: str(v) for k, v in Severity.choices})
    report.by_channel = _tallies(qs, "channel", {k: str(v) for k, v in Channel.choices})
    unknown = _("（未认定）")
    report.by_department = [
        Tally(key=t.key, label=t.label or unknown, count=t.count)
        for t in _tallies(qs, "department__name", {})
    ]
    report.by_product = [
        Tally(key=t.key, label=t.label or _("（未填写）"), count=t.count)
        for t in _tallies(qs, "product", {})[:TOP_PRODUCTS]
    ]
    report.average_hours = _average_hours(qs)
    scores = [
        s
        for s in qs.filter(satisfaction__isnull=False).values_list("satisfaction", flat=True)
        if s is not None
    ]
    report.satisfaction = round(sum(scores) / len(scores), 2) if scores else None
    report.repeats = _repeats(visible, qs, lo)
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


@dataclass(frozen=True)
class MonthlyWorkbook:
    filename: str
    content: bytes
    content_type: str = CONTENT_TYPE


@transaction.atomic
def monthly_export(*, actor: User, month: dt.date | None = None) -> MonthlyWorkbook:
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
    return MonthlyWorkbook(filename=f"{name}.xlsx", content=out.getvalue())
