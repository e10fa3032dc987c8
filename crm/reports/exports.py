"""Excel workbooks of the three reports (openpyxl), in the language of the request.

Each sheet starts with the report's title, its period and department, who exported it and when;
then the table. Text that a spreadsheet would take for a formula (starting with = + - @, or a
tab or carriage return) is stored as a quoted string (Excel's 前置单引号, ``quotePrefix``): it
shows as typed and is never evaluated. Nothing here queries the database: it lays out what a
selector returned.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .selectors import GRADES, ContactStatusReport, DailyReport, DefeatReport

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def safe_cell(cell: Any, value: Any) -> None:
    """Write ``value``; text that looks like a formula stays text, and control characters (which
    the file format cannot hold: openpyxl refuses them, a 500 otherwise) are left out."""
    if isinstance(value, str):
        value = plain_text(value)
        cell.value = value
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
        return
    cell.value = value


def plain_text(value: Any) -> str:
    """``value`` as text a spreadsheet file can hold (control characters left out)."""
    text: str = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(RISKY_START)


def safe_text(value: Any) -> str:
    """A CSV field that a spreadsheet opens as typed: text that looks like a formula gets a
    leading apostrophe (OWASP's advice for CSV injection), control characters are left out."""
    text = plain_text(value)
    return f"'{text}" if looks_like_formula(text) else text


class _Sheet:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.row = 0
        self.widths: dict[int, int] = {}

    def line(self, values: Sequence[Any], *, font: Font | None = None, head: bool = False) -> int:
        self.row += 1
        for col, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=col)
            safe_cell(cell, value)
            if font is not None or head:
                cell.font = font or _BOLD
            if head:
                cell.fill = _HEAD_FILL
            if self.row > 1:  # the title may overflow; size columns to the table
                width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(value or ""))
                self.widths[col] = max(self.widths.get(col, 0), min(width, 60))
        return self.row

    def percent(self, row: int, columns: Iterable[int]) -> None:
        for col in columns:
            self.ws.cell(row=row, column=col).number_format = "0.0%"

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = max(8, width + 2)


def _meta(
    sheet: _Sheet,
    title: str,
    period: tuple[str, str],
    covers: str,
    exported_by: str,
    exported_at: dt.datetime,
) -> None:
    sheet.line([title], font=_TITLE)
    sheet.line(list(period))
    sheet.line([_("范围"), covers])
    sheet.line([_("导出人"), exported_by])
    sheet.line([_("导出时间"), timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M")])
    sheet.row += 1


def _sheet_title(text: str) -> str:
    """Excel allows 31 characters in a sheet name."""
    return text[:31]


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def daily_headers() -> list[str]:
    return [
        _("销售顾问"),
        _("部门"),
        _("新增客户"),
        pgettext("report", "到店"),
        pgettext("report", "电话"),
        _("其他跟进"),
        _("级别变更"),
        _("成交"),
        _("战败"),
    ]


def daily_workbook(
    report: DailyReport, *, covers: str, exported_by: str, exported_at: dt.datetime
) -> bytes:
    book = Workbook()
    sheet = _Sheet(book.active)
    sheet.ws.title = _sheet_title(_("营业日报表"))
    _meta(
        sheet,
        _("营业日报表"),
        (_("日期"), report.day.isoformat()),
        covers,
        exported_by,
        exported_at,
    )
    sheet.line(daily_headers(), head=True)
    for r in [*report.rows, report.total]:
        sheet.line(
            [
                r.name or _("合计"),
                r.department,
                r.new_customers,
                r.store_visits,
                r.calls,
                r.other_followups,
                r.grade_changes,
                r.deals,
                r.defeats,
            ],
            font=None if r.user_id is not None else _BOLD,
        )
    sheet.finish()
    return _save(book)


def contact_headers() -> list[str]:
    return [
        _("销售顾问"),
        _("部门"),
        *[pgettext("report", "%(grade)s级") % {"grade": g} for g in GRADES],
        pgettext("report", "意向客户"),
        _("应跟进"),
        _("已跟进"),
        _("逾期客户"),
        _("达标率"),
    ]


def contact_workbook(
    report: ContactStatusReport, *, covers: str, exported_by: str, exported_at: dt.datetime
) -> bytes:
    book = Workbook()
    sheet = _Sheet(book.active)
    sheet.ws.title = _sheet_title(_("意向客户接触状况表"))
    through = report.through.isoformat() if report.through else "—"
    counted = _("统计至")  # not inside the f-string, where the catalogue check cannot see it
    _meta(
        sheet,
        _("意向客户接触状况表"),
        (_("月份"), f"{report.month:%Y-%m}（{counted} {through}）"),
        covers,
        exported_by,
        exported_at,
    )
    sheet.line(contact_headers(), head=True)
    rate_col = len(contact_headers())
    for r in [*report.rows, report.total]:
        row = sheet.line(
            [
                r.name or _("合计"),
                r.department,
                *[r.by_grade[g] for g in GRADES],
                r.customers,
                r.required,
                r.done,
                r.overdue,
                r.rate,
            ],
            font=None if r.user_id is not None else _BOLD,
        )
        sheet.percent(row, [rate_col])
    sheet.finish()
    return _save(book)


def defeat_headers() -> list[str]:
    return [
        _("战败日期"),
        _("客户编号"),
        pgettext("report", "客户"),
        _("销售顾问"),
        _("战败原因"),
        _("竞品品牌"),
        _("竞品车型"),
        _("采取过的挽回措施"),
        _("经理意见"),
    ]


def defeat_workbook(
    report: DefeatReport, *, covers: str, exported_by: str, exported_at: dt.datetime
) -> bytes:
    book = Workbook()
    period = (_("月份"), f"{report.month:%Y-%m}")
    summary = _Sheet(book.active)
    summary.ws.title = _sheet_title(_("汇总"))
    _meta(summary, _("战败客户分析表"), period, covers, exported_by, exported_at)
    summary.line([_("战败客户合计"), report.total], font=_BOLD)
    summary.row += 1
    summary.line([_("战败原因"), _("户数")], head=True)
    for t in report.by_reason:
        summary.line([t.label, t.count])
    summary.row += 1
    summary.line([_("竞品品牌"), _("竞品车型"), _("户数")], head=True)
    for t in report.by_competitor:
        summary.line([t.label or _("（未填写）"), t.detail, t.count])
    summary.row += 1
    summary.line([_("销售顾问"), _("部门"), _("户数")], head=True)
    for t in report.by_rep:
        summary.line([t.label, t.detail, t.count])
    summary.finish()
    detail = _Sheet(book.create_sheet(_sheet_title(_("明细"))))
    _meta(detail, _("战败客户明细"), period, covers, exported_by, exported_at)
    detail.line(defeat_headers(), head=True)
    for item in report.items:
        detail.line(
            [
                timezone.localtime(item.at).strftime("%Y-%m-%d"),
                item.customer_number,
                item.customer_name,
                item.rep,
                item.reason,
                item.competitor_brand,
                item.competitor_model,
                item.tried,
                item.manager_comment,
            ]
        )
    detail.finish()
    return _save(book)
