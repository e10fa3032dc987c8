"""The sales reports as Excel workbooks (openpyxl): the weighted forecast, the funnel and the
won/lost reasons. Each sheet starts with its title, its filters, who exported it and when; then
the table. Cells go through ``crm.reports.exports.safe_cell`` (a name typed as ``=…`` stays
text). Nothing here queries the database: it lays out what a selector returned."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from crm.reports.exports import safe_cell

from .selectors import Forecast, Funnel, Reasons

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


def _money(value: Decimal) -> float:
    return float(value)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def table_workbook(
    title: str,
    filters: Sequence[tuple[str, str]],
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    exported_by: str,
    exported_at: dt.datetime,
) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title[:31]
    lines: list[tuple[Sequence[Any], Font | None]] = [([title], _TITLE)]
    lines += [([label, value], None) for label, value in filters]
    lines += [
        ([_("导出人"), exported_by], None),
        ([_("导出时间"), timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M")], None),
        ([], None),
        (headers, _BOLD),
    ]
    lines += [(row, None) for row in rows]
    for r, (values, font) in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            safe_cell(cell, value)
            if font is not None:
                cell.font = font
    for c in range(1, max(len(headers), 2) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 18 if c == 1 else 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def forecast_workbook(
    report: Forecast, *, filters: Sequence[tuple[str, str]], exported_by: str, at: dt.datetime
) -> bytes:
    """Per rep and month: count, amount, weighted amount and won amount."""
    headers = [_("销售人员"), _("月份"), _("机会数"), _("预计金额"), _("加权金额"), _("已赢单")]
    rows: list[list[Any]] = []
    for rep in report.reps:
        for month in report.months:
            cell = report.cell(rep.pk, month)
            if cell.count or cell.won:
                rows.append(
                    [
                        rep.display_name,
                        f"{month:%Y-%m}",
                        cell.count,
                        _money(cell.amount),
                        _money(cell.weighted),
                        _money(cell.won),
                    ]
                )
    total = report.total
    rows.append(
        [
            _("合计"),
            "",
            total.count,
            _money(total.amount),
            _money(total.weighted),
            _money(total.won),
        ]
    )
    return table_workbook(
        _("销售预测"), filters, headers, rows, exported_by=exported_by, exported_at=at
    )


def funnel_workbook(
    report: Funnel, *, filters: Sequence[tuple[str, str]], exported_by: str, at: dt.datetime
) -> bytes:
    """Per stage: reached (count, amount), open now (count, amount), conversion to the next."""
    headers = [
        _("阶段"),
        _("赢单概率"),
        _("到达数"),
        _("到达金额"),
        _("当前数"),
        _("当前金额"),
        _("转化率"),
    ]
    rows: list[list[Any]] = [
        [
            step.stage.name,
            f"{step.stage.probability}%",
            step.reached,
            _money(step.reached_amount),
            step.now,
            _money(step.now_amount),
            _rate(step.conversion),
        ]
        for step in report.steps
    ]
    rows.append([_("赢单"), "", report.won, _money(report.won_amount), "", "", ""])
    rows.append([_("输单"), "", report.lost, _money(report.lost_amount), "", "", ""])
    return table_workbook(
        _("销售漏斗"), filters, headers, rows, exported_by=exported_by, exported_at=at
    )


def reasons_workbook(
    report: Reasons, *, filters: Sequence[tuple[str, str]], exported_by: str, at: dt.datetime
) -> bytes:
    """Won in total, then the lost ones by reason."""
    headers = [_("结果"), _("原因"), _("数量"), _("金额")]
    rows: list[list[Any]] = [[_("赢单"), "", report.won, _money(report.won_amount)]]
    rows += [[_("输单"), r.name, r.count, _money(r.amount)] for r in report.rows]
    return table_workbook(
        _("赢单与输单原因"), filters, headers, rows, exported_by=exported_by, exported_at=at
    )
