"""Chart data of the report pages, in the shape ``web/reports.js`` turns into ECharts options.

``{"kind": "bar", "categories": [...], "series": [{"name", "data", "stack"?, "line"?,
"percent"?}]}`` or ``{"kind": "pie", "series": [{"name", "data": [{"name", "value"}]}]}``.
Labels are translated here, so the charts speak the page's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm.reports.overview import Overview
from crm.reports.selectors import ContactStatusReport, DailyReport, DefeatReport

TOP_COMPETITORS = 10


def daily_chart(report: DailyReport) -> dict[str, Any]:
    rows = report.rows
    return {
        "kind": "bar",
        "categories": [r.name for r in rows],
        "series": [
            {
                "name": pgettext("report", "到店"),
                "data": [r.store_visits for r in rows],
                "stack": "followups",
            },
            {
                "name": pgettext("report", "电话"),
                "data": [r.calls for r in rows],
                "stack": "followups",
            },
            {
                "name": _("其他跟进"),
                "data": [r.other_followups for r in rows],
                "stack": "followups",
            },
            {"name": _("新增客户"), "data": [r.new_customers for r in rows]},
            {"name": _("成交"), "data": [r.deals for r in rows]},
            {"name": _("战败"), "data": [r.defeats for r in rows]},
        ],
    }


def contact_chart(report: ContactStatusReport) -> dict[str, Any]:
    rows = report.rows
    return {
        "kind": "bar",
        "categories": [r.name for r in rows],
        "series": [
            {"name": _("应跟进"), "data": [r.required for r in rows]},
            {"name": _("已跟进"), "data": [r.done for r in rows]},
            {"name": _("达标率"), "data": [r.rate for r in rows], "line": True, "percent": True},
        ],
    }


def reason_chart(report: DefeatReport) -> dict[str, Any]:
    return {
        "kind": "pie",
        "series": [
            {
                "name": _("战败原因"),
                "data": [{"name": t.label, "value": t.count} for t in report.by_reason],
            }
        ],
    }


def competitor_chart(report: DefeatReport) -> dict[str, Any]:
    top = report.by_competitor[:TOP_COMPETITORS]
    return {
        "kind": "bar",
        "horizontal": True,  # "比亚迪 宋PLUS" side by side would collide: one bar per row
        "categories": [
            " ".join(p for p in (t.label, t.detail) if p) or _("（未填写）") for t in top
        ],
        "series": [{"name": _("户数"), "data": [t.count for t in top]}],
    }


def month_chart(figures: Overview) -> dict[str, Any]:
    """New customers and deals on each day of the month so far (总览)."""
    return {
        "kind": "bar",
        "categories": [f"{d:%m-%d}" for d, _new, _deals in figures.per_day],
        "series": [
            {"name": _("新增客户"), "data": [new for _d, new, _deals in figures.per_day]},
            {"name": _("成交"), "data": [deals for _d, _new, deals in figures.per_day]},
        ],
    }
