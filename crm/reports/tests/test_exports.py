"""Excel exports: what the sheet says, who exported it and when, and that it is logged."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from crm.core.errors import Invalid, PermissionDenied
from crm.governance.models import AuditEvent
from crm.reports.exports import safe_cell
from crm.reports.services import report_export

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def sheet_rows(content: bytes, sheet: int = 0):
    book = load_workbook(io.BytesIO(content))
    ws = book.worksheets[sheet]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def monday(org, clock, history):
    clock(MONDAY, 9)
    a = history.customer(org.rep_a, "甲一", "B")
    history.follow(org.rep_a, a, "store_visit")
    history.follow(org.rep_a, a, "call")
    b = history.customer(org.rep_b, "乙一", "H")
    history.defeat(
        org.rep_b, b, brand="+丰田", model="@凯美瑞", tried='=HYPERLINK("http://x","点我")'
    )
    clock(MONDAY, 18, 30)
    return {"a": a, "b": b}


def test_daily_export_says_what_who_and_when_and_is_logged(org, monday):
    # when the manager exports Monday's report
    file = report_export(actor=org.manager, report="daily", day=MONDAY)
    # then the file is named for the report and the day
    assert file.filename == "营业日报表_2026-11-23.xlsx"
    ws, rows = sheet_rows(file.content)
    assert ws.title == "营业日报表"
    assert rows[0][0] == "营业日报表"
    assert rows[1][:2] == ["日期", "2026-11-23"]
    assert rows[2][:2] == ["范围", "销售一部（含下级部门）"]  # what the manager's export covers
    assert rows[3][:2] == ["导出人", "陈经理"]
    assert rows[4][:2] == ["导出时间", "2026-11-23 18:30"]
    assert rows[6] == [
        "销售顾问",
        "部门",
        "新增客户",
        "到店",
        "电话",
        "其他跟进",
        "级别变更",
        "成交",
        "战败",
    ]
    assert rows[7] == ["王小明", "销售一部", 1, 1, 1, 0, 1, 0, 0]
    assert rows[8] == ["李小红", "销售一部", 1, 0, 0, 0, 1, 0, 1]
    assert rows[9] == ["合计", None, 2, 1, 1, 0, 2, 0, 1]
    assert len(rows) == 10
    # and the export is in the audit log against the manager
    event = AuditEvent.objects.get(verb="report.exported")
    assert event.actor == org.manager
    assert event.reason == "营业日报表 2026-11-23"
    assert event.changes["report"] == [None, "daily"]
    assert event.changes["rows"] == [None, 2]


def test_contact_status_export_shows_the_rate_as_a_percentage(org, monday):
    file = report_export(actor=org.rep_a, report="contact_status", month=dt.date(2026, 11, 1))
    ws, rows = sheet_rows(file.content)
    assert file.filename == "意向客户接触状况表_2026-11.xlsx"
    assert rows[1][:2] == ["月份", "2026-11（统计至 2026-11-23）"]
    assert rows[6] == [
        "销售顾问",
        "部门",
        "O级",
        "H级",
        "A级",
        "B级",
        "C级",
        "意向客户",
        "应跟进",
        "已跟进",
        "逾期客户",
        "达标率",
    ]
    # B customer graded today, one call and one visit today: 1 day → 1 required, 1 done
    assert rows[7] == ["王小明", "销售一部", 0, 0, 0, 1, 0, 1, 1, 1, 0, 1.0]
    assert ws.cell(row=8, column=12).number_format == "0.0%"
    assert rows[8][0] == "合计"


def test_defeat_export_keeps_formula_like_text_as_text(org, monday):
    file = report_export(actor=org.gm, report="defeats", month=dt.date(2026, 11, 1))
    book = load_workbook(io.BytesIO(file.content))
    assert book.sheetnames == ["汇总", "明细"]
    detail = book["明细"]
    rows = [list(r) for r in detail.iter_rows(values_only=True)]
    assert rows[6][:5] == ["战败日期", "客户编号", "客户", "销售顾问", "战败原因"]
    assert rows[7][:7] == [
        "2026-11-23",
        monday["b"].number,
        "乙一",
        "李小红",
        "价格",
        "+丰田",
        "@凯美瑞",
    ]
    assert rows[7][7] == '=HYPERLINK("http://x","点我")'
    for col in (6, 7, 8):
        cell = detail.cell(row=8, column=col)
        assert cell.data_type == "s"
        assert cell.quotePrefix
    summary = [list(r) for r in book["汇总"].iter_rows(values_only=True)]
    assert summary[6][:2] == ["战败客户合计", 1]
    assert ["+丰田", "@凯美瑞", 1] in [r[:3] for r in summary]


def test_headers_are_english_in_an_english_request(org, monday):
    with translation.override("en"):
        file = report_export(actor=org.manager, report="daily", day=MONDAY)
    assert file.filename == "Daily business report_2026-11-23.xlsx"
    _ws, rows = sheet_rows(file.content)
    assert rows[0][0] == "Daily business report"
    assert rows[3][0] == "Exported by"
    assert rows[6] == [
        "Sales representative",
        "Department",
        "New customers",
        "Store visits",
        "Calls",
        "Other follow-ups",
        "Grade changes",
        "Deals",
        "Defeats",
    ]
    assert rows[9][0] == "Total"


def test_plain_text_stays_plain(org):
    from openpyxl import Workbook

    cell = Workbook().active.cell(row=1, column=1)
    safe_cell(cell, "王小明")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("王小明", "s", False)
    safe_cell(cell, 3)
    assert (cell.value, cell.data_type) == (3, "n")


def test_system_administrator_cannot_export(org, monday):
    with pytest.raises(PermissionDenied):
        report_export(actor=org.sysadmin, report="daily", day=MONDAY)
    assert not AuditEvent.objects.filter(verb="report.exported").exists()


def test_unknown_report_is_refused(org):
    with pytest.raises(Invalid):
        report_export(actor=org.gm, report="salaries")


@pytest.mark.parametrize(
    ("persona", "department", "covers"),
    [
        ("gm", None, "全部"),
        ("gm", "sales2", "销售二部"),
        ("rep_a", None, "王小明"),
        ("manager", None, "销售一部（含下级部门）"),
    ],
)
def test_an_export_says_what_it_covers(org, monday, persona, department, covers):
    dept = getattr(org, department).pk if department else None
    file = report_export(
        actor=getattr(org, persona), report="daily", day=MONDAY, department_id=dept
    )
    _ws, rows = sheet_rows(file.content)
    assert rows[2][:2] == ["范围", covers]
