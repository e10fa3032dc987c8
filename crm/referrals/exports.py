"""老带新排行 as an Excel workbook, laid out like the other reports (crm.reports.exports: text a
spreadsheet would take for a formula stays text). Nothing here queries the database."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from crm.reports.exports import _BOLD, _meta, _save, _Sheet, _sheet_title

from .selectors import RankRow


def ranking_headers() -> list[str]:
    return [
        _("名次"),
        _("老客户编号"),
        pgettext("referral", "老客户"),
        _("老客户的销售顾问"),
        _("介绍客户数"),
        _("手续完备"),
        _("已成交"),
        _("奖励次数"),
        _("奖励金额（元）"),
    ]


def ranking_workbook(
    rows: list[RankRow], *, covers: str, exported_by: str, exported_at: dt.datetime
) -> bytes:
    book = Workbook()
    sheet = _Sheet(book.active)
    sheet.ws.title = _sheet_title(_("老带新排行"))
    _meta(
        sheet,
        _("老带新排行"),
        (_("统计至"), f"{exported_at:%Y-%m-%d}"),
        covers,
        exported_by,
        exported_at,
    )
    sheet.line(ranking_headers(), head=True)
    for r in rows:
        sheet.line(
            [
                r.rank,
                r.number,
                r.name,
                r.rep,
                r.referrals,
                r.complete,
                r.deals,
                r.rewards,
                float(r.reward_amount),
            ]
        )
    sheet.line(
        [
            _("合计"),
            "",
            "",
            "",
            sum(r.referrals for r in rows),
            sum(r.complete for r in rows),
            sum(r.deals for r in rows),
            sum(r.rewards for r in rows),
            float(sum(r.reward_amount for r in rows)),
        ],
        font=_BOLD,
    )
    sheet.finish()
    return _save(book)
