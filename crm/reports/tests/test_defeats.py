"""战败客户分析表: the month's defeats by reason, by competitor and by rep, and the list."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.customers import lifecycle
from crm.reports.selectors import defeat_report

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def tallies(items):
    return [(t.label, t.detail, t.count) for t in items]


@pytest.fixture
def defeats(org, clock, history):
    clock(d(10, 1))
    names = ["甲一", "甲二", "甲三", "乙一", "丙一"]
    owners = [org.rep_a, org.rep_a, org.rep_a, org.rep_b, org.rep_c]
    c = {n: history.customer(o, n, "A") for n, o in zip(names, owners, strict=True)}
    clock(d(10, 31), 20)
    history.defeat(org.rep_a, c["甲三"], brand="丰田", model="凯美瑞")  # October: not counted
    clock(d(11, 10))
    event = history.defeat(
        org.rep_a, c["甲一"], brand="丰田", model="凯美瑞", tried='=HYPERLINK("x")降价五千'
    )
    clock(d(11, 11))
    lifecycle.defeat_comment(
        actor=org.manager, analysis_id=event.defeat.pk, comment="同意，价差太大"
    )
    clock(d(11, 12))
    history.defeat(org.rep_a, c["甲二"], reason="竞品产品", brand="本田", model="雅阁")
    clock(d(11, 20))
    history.defeat(org.rep_b, c["乙一"], brand="丰田", model="凯美瑞", tried="试驾两次")
    clock(d(11, 21))
    history.defeat(org.rep_c, c["丙一"], brand="大众", model="帕萨特")
    clock(d(12, 1))
    return c


def test_manager_sees_the_departments_defeats_by_reason_competitor_and_rep(org, defeats):
    report = defeat_report(actor=org.manager, month=NOV)
    assert report.total == 3
    assert tallies(report.by_reason) == [("价格", "", 2), ("竞品产品", "", 1)]
    assert tallies(report.by_competitor) == [("丰田", "凯美瑞", 2), ("本田", "雅阁", 1)]
    assert tallies(report.by_rep) == [("王小明", "销售一部", 2), ("李小红", "销售一部", 1)]


def test_the_list_is_newest_first_with_what_was_tried_and_the_managers_comment(org, defeats):
    items = defeat_report(actor=org.manager, month=NOV).items
    assert [(i.customer_name, i.rep, i.reason) for i in items] == [
        ("乙一", "李小红", "价格"),
        ("甲二", "王小明", "竞品产品"),
        ("甲一", "王小明", "价格"),
    ]
    assert items[2].tried == '=HYPERLINK("x")降价五千'
    assert items[2].manager_comment == "同意，价差太大"
    assert items[2].customer_number == defeats["甲一"].number


def test_general_manager_sees_both_departments(org, defeats):
    report = defeat_report(actor=org.gm, month=NOV)
    assert report.total == 4
    assert tallies(report.by_reason) == [("价格", "", 3), ("竞品产品", "", 1)]
    assert tallies(report.by_competitor) == [
        ("丰田", "凯美瑞", 2),
        ("大众", "帕萨特", 1),
        ("本田", "雅阁", 1),
    ]
    assert tallies(report.by_rep)[-1] == ("赵大勇", "销售二部", 1)


def test_rep_sees_only_their_own_defeats(org, defeats):
    report = defeat_report(actor=org.rep_b, month=NOV)
    assert report.total == 1
    assert [i.customer_name for i in report.items] == ["乙一"]
    assert tallies(report.by_rep) == [("李小红", "销售一部", 1)]


def test_october_has_its_own_defeat(org, defeats):
    report = defeat_report(actor=org.manager, month=dt.date(2026, 10, 1))
    assert [i.customer_name for i in report.items] == ["甲三"]


def test_the_list_is_cut_at_the_limit_and_says_so(org, defeats):
    report = defeat_report(actor=org.manager, month=NOV, limit=2)
    assert len(report.items) == 2
    assert report.truncated
    assert report.total == 3
