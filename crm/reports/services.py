"""Exporting a report to Excel: the one thing of this app that writes (the audit record).

An export is an access to data in bulk (客户数据管理规定: 导出须登记), so every file handed out is
logged as ``report.exported`` with the report, its filters and the number of rows, against the
person who exported it. The file itself says who exported it and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import EXPORT_REPORTS
from crm.core.errors import Invalid
from crm.core.permissions import require
from crm.governance import audit

from . import exports, selectors
from .scope import report_coverage

REPORTS = ("daily", "contact_status", "defeats")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    content_type: str = exports.CONTENT_TYPE

    def response(self) -> HttpResponse:
        """The file as a download (web page or API alike), its name as RFC 6266 allows."""
        response = HttpResponse(self.content, content_type=self.content_type)
        response["Content-Disposition"] = (
            content_disposition_header(True, self.filename) or "attachment"
        )
        return response


@transaction.atomic
def report_export(
    *,
    actor: User,
    report: str,
    day: dt.date | None = None,
    month: dt.date | None = None,
    department_id: int | None = None,
) -> ExportFile:
    """The report as an .xlsx file, logged as exported by ``actor``."""
    require(actor, EXPORT_REPORTS)
    now = timezone.now()
    who = actor.display_name
    covers = report_coverage(actor=actor, department_id=department_id, action=EXPORT_REPORTS)
    if report == "daily":
        daily = selectors.daily_report(
            actor=actor, day=day, department_id=department_id, action=EXPORT_REPORTS
        )
        content = exports.daily_workbook(daily, covers=covers, exported_by=who, exported_at=now)
        title, period, rows = _("营业日报表"), daily.day.isoformat(), len(daily.rows)
    elif report == "contact_status":
        status = selectors.contact_status_report(
            actor=actor, month=month, department_id=department_id, action=EXPORT_REPORTS
        )
        content = exports.contact_workbook(status, covers=covers, exported_by=who, exported_at=now)
        title, period, rows = _("意向客户接触状况表"), f"{status.month:%Y-%m}", len(status.rows)
    elif report == "defeats":
        defeats = selectors.defeat_report(
            actor=actor, month=month, department_id=department_id, limit=None, action=EXPORT_REPORTS
        )
        content = exports.defeat_workbook(defeats, covers=covers, exported_by=who, exported_at=now)
        title, period, rows = _("战败客户分析表"), f"{defeats.month:%Y-%m}", len(defeats.items)
    else:
        raise Invalid(fields={"report": _("不是有效的选项")})
    audit.record(
        actor=actor,
        verb="report.exported",
        obj=actor,
        after={
            "report": report,
            "period": period,
            "department": department_id,
            "rows": rows,
        },
        reason=f"{title} {period}",
    )
    return ExportFile(filename=f"{title}_{period}.xlsx", content=content)
