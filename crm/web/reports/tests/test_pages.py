"""The report pages: numbers a manager reads, the chart data, the download, who may see what."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from crm.governance.models import AuditEvent

MONDAY = dt.date(2026, 11, 23)
PAGES = {
    "daily": "/reports/daily/?date=2026-11-23",
    "contact_status": "/reports/contact-status/?month=2026-11",
    "defeats": "/reports/defeats/?month=2026-11",
}
EXPORTS = {
    "daily": "/reports/daily/export/?date=2026-11-23",
    "contact_status": "/reports/contact-status/export/?month=2026-11",
    "defeats": "/reports/defeats/export/?month=2026-11",
}


@pytest.fixture
def november(org, clock, history):
    """rep_a: a B customer since October, called on the 3rd and on Monday the 23rd, and a new H
    customer who came to the store on Monday; rep_b lost an A customer to 丰田 on Monday; rep_c
    (销售二部) entered a customer on Monday."""
    clock(dt.date(2026, 10, 20))
    b = history.customer(org.rep_a, "甲 B级", "B")
    lost = history.customer(org.rep_b, "乙 战败", "A")
    clock(dt.date(2026, 11, 3))
    history.follow(org.rep_a, b)
    clock(MONDAY, 9)
    history.follow(org.rep_a, b)
    h = history.customer(org.rep_a, "甲 H级", "H")
    history.follow(org.rep_a, h, "store_visit")
    history.defeat(org.rep_b, lost, brand="丰田", model="凯美瑞", tried="让价三千\n送保养")
    history.customer(org.rep_c, "丙 新客户")
    clock(MONDAY, 20)


def cells(html: str, row_name: str) -> list[str]:
    """The cells of the table row whose header is ``row_name``, as text."""
    match = re.search(
        r"<tr>\s*<th scope=\"row\"[^>]*>" + re.escape(row_name) + r"</th>(.*?)</tr>", html, re.S
    )
    assert match, f"no row {row_name}"
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    ]


def chart(html: str, chart_id: str):
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no chart data {chart_id}"
    return json.loads(match[1])


def test_manager_reads_mondays_numbers_per_rep_and_the_total(org, as_user, november):
    html = as_user(org.manager).get(PAGES["daily"]).content.decode()
    # columns: department, new, store visits, calls, other, grade changes, deals, defeats
    assert cells(html, "王小明") == ["销售一部", "1", "1", "1", "0", "1", "0", "0"]
    assert cells(html, "李小红") == ["销售一部", "0", "0", "0", "0", "0", "0", "1"]
    assert cells(html, "合计") == ["", "1", "1", "1", "0", "1", "0", "1"]
    assert "赵大勇" not in html
    data = chart(html, "daily-chart")
    assert data["categories"] == ["王小明", "李小红"]
    assert data["series"][0] == {"name": "到店", "data": [1, 0], "stack": "followups"}
    assert 'href="/reports/daily/export/?date=2026-11-23"' in html


def test_contact_status_page_shows_the_rate(org, as_user, november):
    html = as_user(org.rep_a).get(PAGES["contact_status"]).content.decode()
    # O H A B C, customers, required, done, overdue, rate
    assert cells(html, "王小明") == [
        "销售一部",
        "0",
        "1",
        "0",
        "1",
        "0",
        "2",
        "2",
        "2",
        "0",
        "100%",
    ]
    assert "2026-11，统计至 2026-11-23" in html
    assert chart(html, "contact-chart")["series"][2]["data"] == [1.0]


def test_defeat_page_lists_what_was_tried(org, as_user, november):
    html = as_user(org.gm).get(PAGES["defeats"]).content.decode()
    assert "2026-11，战败客户 1 户" in html
    assert "让价三千\n送保养" in html
    assert chart(html, "reasons-chart")["series"][0]["data"] == [{"name": "价格", "value": 1}]
    assert chart(html, "competitors-chart")["categories"] == ["丰田 凯美瑞"]


def test_department_filter_for_the_general_manager(org, as_user, november):
    client = as_user(org.gm)
    html = client.get(
        f"/reports/daily/?date=2026-11-23&department={org.sales2.pk}"
    ).content.decode()
    assert cells(html, "赵大勇") == ["销售二部", "1", "0", "0", "0", "0", "0", "0"]
    assert "王小明" not in html
    assert f"department={org.sales2.pk}" in html  # the export keeps the filter


def test_reps_are_not_offered_a_department_filter(org, as_user, november):
    html = as_user(org.rep_a).get(PAGES["daily"]).content.decode()
    assert 'name="department"' not in html
    html = as_user(org.manager).get(PAGES["daily"]).content.decode()
    assert 'name="department"' not in html  # one department: nothing to choose
    html = as_user(org.gm).get(PAGES["daily"]).content.decode()
    assert 'name="department"' in html


def test_htmx_filter_answers_only_the_report(org, as_user, november):
    response = as_user(org.manager).get(PAGES["daily"], HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="report"')
    assert "<nav" not in html


def test_a_bad_month_is_shown_on_the_page(org, as_user):
    response = as_user(org.manager).get("/reports/contact-status/?month=2026-13")
    assert response.status_code == 422
    assert "月份格式应为 YYYY-MM" in response.content.decode()


def test_another_department_is_not_a_choice_for_a_manager(org, as_user, november):
    response = as_user(org.manager).get(f"/reports/daily/export/?department={org.sales2.pk}")
    assert response.status_code == 422
    assert not AuditEvent.objects.filter(verb="report.exported").exists()


@pytest.mark.parametrize("report", list(EXPORTS))
def test_download_is_an_excel_file_logged_against_the_reader(org, as_user, november, report):
    response = as_user(org.manager).get(EXPORTS[report])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.cell(row=4, column=2).value == "陈经理"
    assert AuditEvent.objects.get(verb="report.exported").actor == org.manager


def test_page_in_english(org, as_user, november):
    client = as_user(org.manager)
    html = client.get(PAGES["contact_status"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Intention customer contact status</h1>" in html
    assert "Export to Excel" in html
    assert "Overdue customers" in html
    assert chart(html, "contact-chart")["series"][0]["name"] == "Required"


def test_navigation_links_to_the_reports(org, as_user):
    html = as_user(org.rep_a).get("/reports/daily/").content.decode()
    assert re.search(r'href="/reports/daily/"\s+aria-current="page">报表<', html)
    assert "/reports/daily/" not in as_user(org.sysadmin).get("/settings/").content.decode()


def test_charts_load_from_vendored_files_only(org, as_user):
    html = as_user(org.rep_a).get(PAGES["daily"]).content.decode()
    assert "/static/web/vendor/echarts.min.js" in html
    assert "/static/web/reports.js" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


# --- who may open which page ------------------------------------------------------------------


@pytest.mark.parametrize("report", list(PAGES))
def test_anonymous_is_sent_to_sign_in(client, org, report):
    response = client.get(PAGES[report])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", [*PAGES.values(), *EXPORTS.values()])
def test_system_administrator_is_refused(org, as_user, url):
    assert as_user(org.sysadmin).get(url).status_code == 403


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
@pytest.mark.parametrize("report", ["daily", "contact_status"])
def test_each_persona_sees_the_rows_of_their_scope(org, as_user, november, persona, names, report):
    html = as_user(getattr(org, persona)).get(PAGES[report]).content.decode()
    shown = re.findall(r'<th scope="row" data-label="[^"]*">([^<]+)</th>', html)
    # a total only when there is more than one row to add up
    assert shown == ([*names, "合计"] if len(names) > 1 else names)


def test_the_general_manager_lands_on_the_company_figures(as_user, org, clock, history):
    clock(MONDAY, 9)
    history.customer(org.rep_a, "甲 A级", "A")
    b = history.customer(org.rep_c, "丙 B级", "B")
    history.follow(org.rep_c, b, "call")
    history.deal(org.rep_c, b, MONDAY)
    clock(MONDAY, 20)
    client = as_user(org.gm)
    response = client.get("/", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/reports/overview/"
    found = re.search(r"今天</h2>(.*?)</section>", body, re.S)
    assert found is not None
    today = found[1]
    figures = [int(v) for v in re.findall(r'<span class="stat-value">(\d+)</span>', today)]
    assert figures == [2, 1, 2, 1, 0]  # new, follow-ups, gradings, deals, defeats
    assert '<span class="count-pill">1</span>' in body  # one intention customer left (A)
    chart = re.search(
        r'<script id="month-chart" type="application/json">(.*?)</script>', body, re.S
    )
    assert chart is not None
    data = json.loads(chart[1])
    assert data["categories"][-1] == "11-23"
    assert [s["data"][-1] for s in data["series"]] == [2, 1]
