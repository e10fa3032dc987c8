"""The report endpoints: the same numbers as the pages, the Excel files, the errors."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from crm.governance.models import AuditEvent

MONDAY = dt.date(2026, 11, 23)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def november(org, clock, history):
    """rep_a: a B customer since October, called on the 3rd and on Monday the 23rd, and a store
    visit of a new H customer on Monday; rep_b lost a customer to 丰田 on Monday; rep_c (销售二部)
    entered a customer on Monday."""
    clock(dt.date(2026, 10, 20))
    b = history.customer(org.rep_a, "甲 B级", "B")
    lost = history.customer(org.rep_b, "乙 战败", "A")
    clock(dt.date(2026, 11, 3))
    history.follow(org.rep_a, b)
    clock(MONDAY, 9)
    history.follow(org.rep_a, b)
    h = history.customer(org.rep_a, "甲 H级", "H")
    history.follow(org.rep_a, h, "store_visit")
    history.defeat(org.rep_b, lost, brand="丰田", model="=凯美瑞", tried="让价三千")
    history.customer(org.rep_c, "丙 新客户")
    clock(MONDAY, 20)


def test_daily_report_for_the_manager(org, call, november):
    response = call(org.manager, "GET", "reports/daily?date=2026-11-23")
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2026-11-23"
    assert body["department"] is None
    assert [
        (r["name"], r["new_customers"], r["store_visits"], r["calls"], r["defeats"])
        for r in body["rows"]
    ] == [("王小明", 1, 1, 1, 0), ("李小红", 0, 0, 0, 1)]
    assert body["total"]["user_id"] is None
    assert body["total"]["calls"] == 1


def test_daily_report_of_one_department_for_the_general_manager(org, call, november):
    response = call(org.gm, "GET", f"reports/daily?date=2026-11-23&department={org.sales2.pk}")
    body = response.json()
    assert body["department"] == {"id": org.sales2.pk, "name": "销售二部"}
    assert [(r["name"], r["new_customers"]) for r in body["rows"]] == [("赵大勇", 1)]


def test_contact_status_for_a_rep(org, call, november):
    # the B customer: 23 days (the 1st to the 23rd) // 14 = 1 required, 2 calls count as 1;
    # the H customer graded on Monday: 1 day, at least 1 required; its store visit counts.
    response = call(org.rep_a, "GET", "reports/contact-status?month=2026-11")
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-11"
    assert body["through"] == "2026-11-23"
    assert body["rows"] == [
        {
            "user_id": org.rep_a.pk,
            "name": "王小明",
            "department": "销售一部",
            "grades": {"O": 0, "H": 1, "A": 0, "B": 1, "C": 0},
            "customers": 2,
            "required": 2,
            "done": 2,
            "overdue": 0,
            "rate": 1.0,
        }
    ]


def test_defeats_for_the_manager(org, call, november):
    body = call(org.manager, "GET", "reports/defeats?month=2026-11").json()
    assert body["total"] == 1
    assert body["by_reason"] == [{"reason": "价格", "count": 1}]
    assert body["by_competitor"] == [{"brand": "丰田", "model": "=凯美瑞", "count": 1}]
    assert body["by_rep"] == [
        {"name": "王小明", "department": "销售一部", "count": 0},
        {"name": "李小红", "department": "销售一部", "count": 1},
    ]
    assert body["items"][0]["customer_name"] == "乙 战败"
    assert body["items"][0]["tried"] == "让价三千"
    assert body["truncated"] is False


def test_excel_download_is_a_workbook_and_is_logged(org, call, november):
    response = call(org.manager, "GET", "reports/defeats.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    detail = book["明细"]
    assert detail.cell(row=8, column=7).value == "=凯美瑞"
    assert detail.cell(row=8, column=7).data_type == "s"
    event = AuditEvent.objects.get(verb="report.exported")
    assert (event.actor, event.reason) == (org.manager, "战败客户分析表 2026-11")


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("reports/daily.xlsx?date=2026-11-23", "Daily business report"),
        ("reports/contact-status.xlsx?month=2026-11", "Intention customer contact status"),
        ("reports/defeats.xlsx?month=2026-11", "Defeated customer analysis"),
    ],
)
def test_excel_in_english_with_accept_language_en(org, call, november, path, title):
    response = call(org.gm, "GET", path, lang="en")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=1, column=1).value == title
    assert sheet.cell(row=4, column=1).value == "Exported by"
    assert sheet.cell(row=4, column=2).value == "钱总"


def test_english_headers_of_the_contact_status_sheet(org, call, november):
    response = call(org.gm, "GET", "reports/contact-status.xlsx?month=2026-11", lang="en")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[7]] == [
        "Sales representative",
        "Department",
        "Grade O",
        "Grade H",
        "Grade A",
        "Grade B",
        "Grade C",
        "Intention customers",
        "Required",
        "Done",
        "Overdue customers",
        "Compliance",
    ]


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "11-2026", "abc"])
def test_a_malformed_month_is_invalid(org, call, month):
    response = call(org.manager, "GET", f"reports/contact-status?month={month}")
    assert response.status_code == 422
    assert "month" in response.json()["error"]["fields"]


def test_a_malformed_date_is_invalid(org, call):
    response = call(org.manager, "GET", "reports/daily?date=2026-02-30")
    assert response.status_code == 422
    assert "date" in response.json()["error"]["fields"]


def test_a_department_outside_the_scope_is_invalid_and_nothing_is_exported(org, call):
    response = call(org.manager, "GET", f"reports/daily.xlsx?department={org.sales2.pk}")
    assert response.status_code == 422
    assert "department" in response.json()["error"]["fields"]
    assert not AuditEvent.objects.filter(verb="report.exported").exists()


def test_errors_are_english_with_accept_language_en(org, call):
    response = call(org.rep_a, "GET", f"reports/daily?department={org.sales1.pk}", lang="en")
    assert response.json()["error"]["fields"]["department"] == "Not a valid choice"


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("rep_a", ["王小明"]),
        ("rep_b", ["李小红"]),
        ("rep_c", ["赵大勇"]),
        ("manager", ["王小明", "李小红"]),
        ("manager2", ["赵大勇"]),
        ("data_admin", ["王小明", "李小红", "赵大勇"]),
        ("gm", ["王小明", "李小红", "赵大勇"]),
    ],
)
@pytest.mark.parametrize("path", ["daily?date=2026-11-23", "contact-status?month=2026-11"])
def test_each_persona_sees_the_rows_of_their_scope(org, call, november, persona, names, path):
    response = call(getattr(org, persona), "GET", f"reports/{path}")
    assert [r["name"] for r in response.json()["rows"]] == names


@pytest.mark.parametrize(
    ("persona", "total"),
    [("rep_a", 0), ("rep_b", 1), ("rep_c", 0), ("manager", 1), ("manager2", 0), ("gm", 1)],
)
def test_each_persona_counts_the_defeats_of_their_scope(org, call, november, persona, total):
    response = call(getattr(org, persona), "GET", "reports/defeats?month=2026-11")
    assert response.json()["total"] == total
    assert len(response.json()["items"]) == total
