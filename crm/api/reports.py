"""Report endpoints: the three reports of 客户管理制度 as JSON, and each as an Excel file.

``GET /reports/daily?date=YYYY-MM-DD``, ``/reports/contact-status?month=YYYY-MM`` and
``/reports/defeats?month=YYYY-MM`` (``&department=<id>`` for those who see several departments);
the same path with ``.xlsx`` answers the workbook and logs the export. The data scope of the
caller decides the rows: a rep gets their own, a manager the department's reps, the general
manager and the data administrator everybody. Thin adapters over ``crm.reports``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from crm.accounts.models import Department, User
from crm.accounts.roles import VIEW_REPORTS
from crm.core.permissions import require
from crm.reports import selectors, services
from crm.reports.exports import CONTENT_TYPE
from crm.reports.selectors import ContactRow, DailyRow

from .schemas import ErrorOut, NoNulIn, QueryDay, QueryId
from .security import signed_in

router = Router(tags=["reports"])

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
_XLSX = {
    "responses": {
        200: {
            "description": "Excel 工作簿（.xlsx）",
            "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
        }
    }
}


def _actor(request: HttpRequest) -> User:
    user = signed_in(request)
    require(user, VIEW_REPORTS)
    return user


# --- input ----------------------------------------------------------------------------------


MONTH_PATTERN = r"^((19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2]))?$"


class DayParams(NoNulIn):
    date: QueryDay = Field(None, description="日期 YYYY-MM-DD，默认今天")
    department: QueryId = Field(None, description="部门 id（可查看多个部门者）")


class MonthParams(NoNulIn):
    month: str = Field(
        "", pattern=MONTH_PATTERN, description="月份 YYYY-MM（1900-2999 年），默认本月"
    )
    department: QueryId = Field(None, description="部门 id（可查看多个部门者）")

    @property
    def first_day(self) -> dt.date | None:
        return dt.date(int(self.month[:4]), int(self.month[5:]), 1) if self.month else None


# --- output ---------------------------------------------------------------------------------


class DepartmentRef(Schema):
    id: int
    name: str


class DailyRowOut(Schema):
    user_id: int | None = Field(description="合计行为 null")
    name: str
    department: str
    new_customers: int
    store_visits: int = Field(description="到店")
    calls: int = Field(description="电话")
    other_followups: int = Field(description="其他跟进（拜访、邮件、会议、短信/微信、回访、服务）")
    grade_changes: int = Field(description="定级与级别变更")
    deals: int = Field(description="成交（转为保有客户）")
    defeats: int = Field(description="战败")


class DailyOut(Schema):
    date: dt.date
    department: DepartmentRef | None
    rows: list[DailyRowOut]
    total: DailyRowOut


class ContactRowOut(Schema):
    user_id: int | None = Field(description="合计行为 null")
    name: str
    department: str
    grades: dict[str, int] = Field(description="各级意向客户数 O/H/A/B/C")
    customers: int = Field(description="本月曾为意向客户的户数")
    required: int = Field(description="按级别跟进周期应跟进次数")
    done: int = Field(description="已跟进次数（每户最多计到应跟进次数）")
    overdue: int = Field(description="统计末日逾期未跟进的客户数")
    rate: float | None = Field(description="达标率 done/required；无应跟进时为 null")


class ContactStatusOut(Schema):
    month: str
    through: dt.date | None = Field(description="统计截止日（本月为今天）；未到的月份为 null")
    department: DepartmentRef | None
    rows: list[ContactRowOut]
    total: ContactRowOut


class ReasonCount(Schema):
    reason: str
    count: int


class CompetitorCount(Schema):
    brand: str
    model: str
    count: int


class RepCount(Schema):
    name: str
    department: str
    count: int


class DefeatItemOut(Schema):
    at: dt.datetime
    customer_number: str
    customer_name: str
    rep: str
    reason: str
    competitor_brand: str
    competitor_model: str
    tried: str
    manager_comment: str


class DefeatsOut(Schema):
    month: str
    department: DepartmentRef | None
    total: int
    by_reason: list[ReasonCount]
    by_competitor: list[CompetitorCount]
    by_rep: list[RepCount]
    items: list[DefeatItemOut]
    truncated: bool = Field(description="明细只列出最近的 500 条；完整列表请导出 Excel")


def _department(department: Department | None) -> dict[str, Any] | None:
    return {"id": department.pk, "name": department.name} if department else None


def _daily_row(row: DailyRow) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.name,
        "department": row.department,
        **{name: getattr(row, name) for name in selectors.DAILY_COUNTS},
    }


def _contact_row(row: ContactRow) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.name,
        "department": row.department,
        "grades": row.by_grade,
        "customers": row.customers,
        "required": row.required,
        "done": row.done,
        "overdue": row.overdue,
        "rate": row.rate,
    }


def _file(export: services.ExportFile) -> HttpResponse:
    return export.response()


# --- endpoints ------------------------------------------------------------------------------


@router.get("daily", response={200: DailyOut, **_ERRORS})
def daily(request: HttpRequest, params: Query[DayParams]) -> dict[str, Any]:
    """营业日报表: per rep, new customers, store visits, calls, other follow-ups, grade changes,
    deals and defeats of the day."""
    report = selectors.daily_report(
        actor=_actor(request), day=params.date, department_id=params.department
    )
    return {
        "date": report.day,
        "department": _department(report.department),
        "rows": [_daily_row(r) for r in report.rows],
        "total": _daily_row(report.total),
    }


@router.get("daily.xlsx", response={200: None, **_ERRORS}, openapi_extra=_XLSX)
def daily_xlsx(request: HttpRequest, params: Query[DayParams]) -> HttpResponse:
    """营业日报表 as an Excel file (the export is logged)."""
    return _file(
        services.report_export(
            actor=_actor(request), report="daily", day=params.date, department_id=params.department
        )
    )


@router.get("contact-status", response={200: ContactStatusOut, **_ERRORS})
def contact_status(request: HttpRequest, params: Query[MonthParams]) -> dict[str, Any]:
    """意向客户接触状况表: per rep, intention customers by grade, follow-ups required by the
    cadence and done, overdue customers, compliance rate."""
    report = selectors.contact_status_report(
        actor=_actor(request), month=params.first_day, department_id=params.department
    )
    return {
        "month": f"{report.month:%Y-%m}",
        "through": report.through,
        "department": _department(report.department),
        "rows": [_contact_row(r) for r in report.rows],
        "total": _contact_row(report.total),
    }


@router.get("contact-status.xlsx", response={200: None, **_ERRORS}, openapi_extra=_XLSX)
def contact_status_xlsx(request: HttpRequest, params: Query[MonthParams]) -> HttpResponse:
    """意向客户接触状况表 as an Excel file (the export is logged)."""
    return _file(
        services.report_export(
            actor=_actor(request),
            report="contact_status",
            month=params.first_day,
            department_id=params.department,
        )
    )


@router.get("defeats", response={200: DefeatsOut, **_ERRORS})
def defeats(request: HttpRequest, params: Query[MonthParams]) -> dict[str, Any]:
    """战败客户分析表: defeats of the month by reason, competitor and rep, and the list."""
    report = selectors.defeat_report(
        actor=_actor(request), month=params.first_day, department_id=params.department
    )
    return {
        "month": f"{report.month:%Y-%m}",
        "department": _department(report.department),
        "total": report.total,
        "by_reason": [{"reason": t.label, "count": t.count} for t in report.by_reason],
        "by_competitor": [
            {"brand": t.label, "model": t.detail, "count": t.count} for t in report.by_competitor
        ],
        "by_rep": [
            {"name": t.label, "department": t.detail, "count": t.count} for t in report.by_rep
        ],
        "items": report.items,
        "truncated": report.truncated,
    }


@router.get("defeats.xlsx", response={200: None, **_ERRORS}, openapi_extra=_XLSX)
def defeats_xlsx(request: HttpRequest, params: Query[MonthParams]) -> HttpResponse:
    """战败客户分析表 as an Excel file (the export is logged)."""
    return _file(
        services.report_export(
            actor=_actor(request),
            report="defeats",
            month=params.first_day,
            department_id=params.department,
        )
    )
