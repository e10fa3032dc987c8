"""销售统计 as files: an Excel workbook (the sales reports' layout, ``crm.sales.exports``) and an
A4 PDF set in the viewer's built-in STSong-Light (``crm.orders.pdf``). Both lay out what
``crm.orders.stats`` returned; nothing here queries the database."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from crm.sales.exports import table_workbook

from .pdf import _font, _p
from .stats import SalesStats


def _noun(by: str) -> str:
    return {
        "month": _("月份"),
        "rep": _("销售人员"),
        "department": _("部门"),
        "product": _("产品"),
        "source": _("客户来源"),
    }[by]


def title(report: SalesStats) -> str:
    return _("销售统计（%(by)s）") % {"by": _noun(report.by)}


def headers(report: SalesStats) -> list[str]:
    out = [_noun(report.by), _("订单数")]
    if report.by == "product":
        out.append(_("数量"))
    return [*out, _("销售额"), _("占比")]


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def table(report: SalesStats) -> list[list[Any]]:
    """The rows as the files show them, with the total last."""
    rows: list[list[Any]] = []
    for r in report.rows:
        row: list[Any] = [r.label, r.orders]
        if report.by == "product":
            row.append(float(r.quantity or 0))
        rows.append([*row, float(r.amount), _share(r.share)])
    total: list[Any] = [_("合计"), report.orders]
    if report.by == "product":
        total.append("")
    rows.append([*total, float(report.amount), "100.0%" if report.amount else "—"])
    return rows


def workbook(
    report: SalesStats, *, filters: Sequence[tuple[str, str]], exported_by: str, at: dt.datetime
) -> bytes:
    return table_workbook(
        title(report),
        filters,
        headers(report),
        table(report),
        exported_by=exported_by,
        exported_at=at,
    )


def pdf(
    report: SalesStats, *, filters: Sequence[tuple[str, str]], exported_by: str, at: dt.datetime
) -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    head = ParagraphStyle("head", fontName=font, fontSize=16, leading=22, alignment=1)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title(report),
    )
    meta = "　".join(f"{label}：{value}" for label, value in filters)
    stamp = _("导出人：%(who)s　导出时间：%(at)s") % {
        "who": exported_by,
        "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
    }
    cells: list[list[Any]] = [headers(report)]
    for row in table(report):
        cells.append(
            [_p(row[0], body)] + [f"{v:,.2f}" if isinstance(v, float) else str(v) for v in row[1:]]
        )
    widths = [70 * mm] + [(180 - 70) * mm / (len(cells[0]) - 1)] * (len(cells[0]) - 1)
    grid = Table(cells, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("BACKGROUND", (0, -1), (-1, -1), colors.whitesmoke),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story: list[Any] = [
        _p(title(report), head),
        _p(meta, body),
        _p(stamp, body),
        grid,
    ]
    doc.build(story)
    return out.getvalue()
