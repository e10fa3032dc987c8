"""The 来电来访汇总表 as an Excel workbook (openpyxl), laid out like the other reports: title,
period, scope, who exported it and when, then the tables. Cells go through
``crm.reports.exports.safe_cell`` (a visitor's name or a source typed as ``=…`` stays text)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from crm.reports.exports import safe_cell

from .selectors import Summary

_BOLD = Font(bold=True)


def _counts_header(first: str) -> list[str]:
    return [first, _("合计"), _("首次"), _("再次"), _("来店"), _("来电")]


def _counts(label: Any, row: dict[str, Any]) -> list[Any]:
    return [label, row["total"], row["first"], row["returning"], row["visit"], row["call"]]


def summary_workbook(summary: Summary, *, covers: str, exported_by: str, at: dt.datetime) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _("来电来访汇总表")[:31]
    rows: list[tuple[list[Any], bool]] = [
        ([_("来电来访汇总表")], True),
        ([_("日期"), f"{summary.start.isoformat()} — {summary.end.isoformat()}"], False),
        ([_("范围"), covers], False),
        ([_("导出人"), exported_by], False),
        ([_("导出时间"), timezone.localtime(at).strftime("%Y-%m-%d %H:%M")], False),
        ([], False),
        (_counts_header(_("日期")), True),
    ]
    rows += [(_counts(d["day"].isoformat(), d), False) for d in summary.days]
    rows += [(_counts(_("合计"), summary.total), True), ([], False)]
    rows += [(_counts_header(_("销售顾问")), True)]
    rows += [(_counts(r["name"], r), False) for r in summary.reps]
    rows += [([], False), (_counts_header(_("方式")), True)]
    rows += [(_counts(c["label"], c), False) for c in summary.channels]
    rows += [([], False), (_counts_header(_("认知途径")), True)]
    rows += [(_counts(s["label"], s), False) for s in summary.sources]
    for r, (values, bold) in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            safe_cell(cell, value)
            if bold:
                cell.font = _BOLD
    ws.column_dimensions["A"].width = 24
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
