"""意向客户接触状况表: the follow-ups each grade's cadence required in a month, against those done.

Cadence (the seed's table): O every 7 days, H every 2, A every 7, B every 14, C every 30.
"""

from __future__ import annotations

import datetime as dt

import pytest

from crm.activities.selectors import today_counts
from crm.core.errors import PermissionDenied
from crm.customers import services as customer_services
from crm.reports.selectors import contact_status_report

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def table(report):
    return [(r.name, r.customers, r.by_grade, r.required, r.done, r.overdue) for r in report.rows]


def grades(**counts):
    return {"O": 0, "H": 0, "A": 0, "B": 0, "C": 0, **counts}


@pytest.fixture
def autumn(org, clock, history):
    """Two months of rep_a's, rep_b's and rep_c's intention customers, told in order."""
    clock(d(9, 1))
    v = history.customer(org.rep_b, "V 丙级", "C")
    clock(d(10, 1))
    q = history.customer(org.rep_a, "Q 先C后H", "C")
    w = history.customer(org.rep_c, "W 二部", "A")
    clock(d(10, 15))
    p = history.customer(org.rep_a, "P 乙级", "B")
    clock(d(10, 20))
    u = history.customer(org.rep_b, "U 战败", "H")
    clock(d(10, 25))
    history.follow(org.rep_b, v)
    clock(d(10, 30))
    history.follow(org.rep_b, u)
    clock(d(11, 1))
    s = history.customer(org.rep_a, "S 已删除", "H")
    clock(d(11, 2))
    history.follow(org.rep_b, u)
    history.follow(org.rep_a, s)
    clock(d(11, 3))
    history.follow(org.rep_a, p)
    customer_services.customer_delete(actor=org.rep_a, customer_id=s.pk)
    clock(d(11, 5))
    history.defeat(org.rep_b, u)
    history.follow(org.rep_c, w)
    clock(d(11, 10))
    history.follow(org.rep_a, p)
    r = history.customer(org.rep_a, "R 成交")
    clock(d(11, 11))
    history.follow(org.rep_a, r)
    clock(d(11, 12))
    history.regrade(org.rep_a, r, "A", reason="确定了车型")
    clock(d(11, 13))
    history.follow(org.rep_a, r)
    clock(d(11, 20))
    history.follow(org.rep_a, p)
    history.follow(org.rep_a, r)
    clock(d(11, 21), 10)
    history.regrade(org.rep_a, q, "H", reason="下周提车")
    clock(d(11, 21), 11)
    history.follow(org.rep_a, q)
    clock(d(11, 23))
    history.follow(org.rep_a, q)
    clock(d(11, 25))
    history.follow(org.rep_a, q)
    clock(d(11, 26))
    history.deal(org.rep_a, r, d(11, 26))
    clock(d(11, 28))
    history.customer(org.rep_b, "T 订金", "O")
    clock(d(12, 2))


def test_november_for_the_manager_of_sales_one(org, autumn):
    # P (B, whole month): 30 // 14 = 2 required, 3 calls count as 2; not due again until Dec 4.
    # Q: C from the 1st to the 20th (20 days: at least 1), H from the 21st (10 days: 5); 3 calls
    #    in the H spell; last call the 25th + 2 days = the 27th < the 30th: overdue.
    # R: A from the 12th until the deal on the 26th (14 days: 2); the call of the 11th was
    #    before it became an intention customer; the 13th and the 20th count.
    # V (C, whole month, last call Oct 25): 1 required, none done, overdue since Nov 24.
    # U (H until defeated on the 5th: 4 days, 2 required): one call on the 2nd.
    # T (O from the 28th: 3 days, at least 1): none yet, not due before Dec 5.
    report = contact_status_report(actor=org.manager, month=NOV)
    assert report.through == d(11, 30)
    assert table(report) == [
        ("王小明", 3, grades(H=1, A=1, B=1), 10, 7, 1),
        ("李小红", 3, grades(O=1, H=1, C=1), 4, 1, 1),
    ]
    total = report.total
    assert (total.customers, total.by_grade, total.required, total.done, total.overdue) == (
        6,
        grades(O=1, H=2, A=1, B=1, C=1),
        14,
        8,
        2,
    )
    assert total.rate == pytest.approx(8 / 14)
    assert report.rows[0].rate == pytest.approx(0.7)


def test_general_manager_adds_sales_two(org, autumn):
    # W (A, whole month): 30 // 7 = 4 required, one call on the 5th, overdue since the 12th.
    report = contact_status_report(actor=org.gm, month=NOV)
    assert table(report)[-1] == ("赵大勇", 1, grades(A=1), 4, 1, 1)
    assert report.total.required == 18
    assert report.total.done == 9


def test_rep_sees_only_their_own_customers(org, autumn):
    report = contact_status_report(actor=org.rep_b, month=NOV)
    assert table(report) == [("李小红", 3, grades(O=1, H=1, C=1), 4, 1, 1)]


def test_october_is_told_as_it_was_then(org, autumn):
    # Q (C from Oct 1, 31 days: 1 required) graded on the 1st is due on the 31st: not overdue.
    # P (B from Oct 15, 17 days: 1 required) was due on the 29th: overdue at the month's end.
    # V (C, whole October): its call on the 25th is done.
    # U (H from Oct 20, 12 days: 6 required) was called on the 30th, so due Nov 1, not overdue;
    #   its defeat in November does not take it out of October.
    report = contact_status_report(actor=org.manager, month=OCT)
    assert report.through == d(10, 31)
    assert table(report) == [
        ("王小明", 2, grades(B=1, C=1), 2, 0, 1),
        ("李小红", 2, grades(H=1, C=1), 7, 2, 0),
    ]


def test_current_month_counts_through_today_and_agrees_with_the_today_page(org, clock, history):
    clock(d(11, 2), 9)
    c = history.customer(org.rep_a, "H 本月", "H")
    clock(d(11, 2), 15)
    history.follow(org.rep_a, c)
    clock(d(11, 4))
    history.follow(org.rep_a, c)
    clock(d(11, 10), 18)
    # the 2nd to the 10th is 9 days: 9 // 2 = 4 required, 2 done; due on the 6th: overdue
    report = contact_status_report(actor=org.rep_a, month=NOV)
    assert report.through == d(11, 10)
    assert table(report) == [("王小明", 1, grades(H=1), 4, 2, 1)]
    assert today_counts(actor=org.rep_a).overdue == 1


def test_a_month_not_yet_begun_has_nothing_to_count(org, autumn):
    report = contact_status_report(actor=org.manager, month=dt.date(2027, 1, 1))
    assert report.through is None
    assert table(report) == [
        ("王小明", 0, grades(), 0, 0, 0),
        ("李小红", 0, grades(), 0, 0, 0),
    ]
    assert report.total.rate is None


def test_system_administrator_has_no_reports(org):
    with pytest.raises(PermissionDenied):
        contact_status_report(actor=org.sysadmin, month=NOV)


@pytest.mark.parametrize(("today", "overdue"), [(d(11, 1), 0), (d(11, 2), 1)])
def test_an_o_customer_without_follow_up_for_eight_days_is_overdue(
    org, clock, history, today, overdue
):
    # graded O on Oct 25 and never followed up: due on Nov 1, overdue from Nov 2
    clock(d(10, 25), 23)
    history.customer(org.rep_a, "O 定金", "O")
    clock(today, 20)
    report = contact_status_report(actor=org.rep_a, month=NOV)
    assert report.rows[0].overdue == overdue
    assert report.rows[0].required == 1
    assert today_counts(actor=org.rep_a).overdue == overdue


def test_a_follow_up_late_on_the_last_day_counts_for_that_month(org, clock, history):
    # a C customer called at 23:30 local time on Oct 31 (15:30 UTC): October's call, not November's
    clock(d(10, 1))
    c = history.customer(org.rep_a, "C 月末", "C")
    clock(d(10, 31), 23, 30)
    history.follow(org.rep_a, c)
    clock(d(12, 1))
    october = contact_status_report(actor=org.rep_a, month=OCT)
    november = contact_status_report(actor=org.rep_a, month=NOV)
    assert (october.rows[0].required, october.rows[0].done) == (1, 1)
    assert (november.rows[0].required, november.rows[0].done) == (1, 0)
