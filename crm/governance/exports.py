"""The access log (查阅登记) as an Excel workbook: who exported it and when, then one row per
access. Cells go through ``crm.reports.exports.safe_cell``: text typed as ``=…`` stays text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from crm.reports.exports import safe_cell

from .models import AuditEvent

_BOLD = Font(bold=True)


def access_headers() -> list[str]:
    return [_("时间"), _("操作人"), _("动作"), _("客户"), _("字段"), _("条数"), "IP"]


def access_workbook(
    events: Sequence[AuditEvent],
    *,
    labels: dict[str, str],
    exported_by: str,
    exported_at: dt.datetime,
) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _("查阅登记")[:31]
    lines: list[tuple[list[object], bool]] = [
        ([_("查阅登记")], True),
        ([_("导出人"), exported_by], False),
        ([_("导出时间"), timezone.localtime(exported_at).strftime("%Y-%m-%d %H:%M")], False),
        ([], False),
        (list(access_headers()), True),
    ]
    for e in events:
        details = e.details or {}
        lines.append(
            (
                [
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_name,
                    labels.get(e.verb, e.verb),
                    e.object_repr or e.object_type,
                    str(details.get("field", "")),
                    details.get("count", "") if isinstance(details.get("count"), int) else "",
                    e.ip or "",
                ],
                False,
            )
        )
    for row, (values, bold) in enumerate(lines, start=1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            safe_cell(cell, value)
            if bold:
                cell.font = _BOLD
    for letter, width in zip("ABCDEFG", (20, 16, 20, 30, 12, 8, 16), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
