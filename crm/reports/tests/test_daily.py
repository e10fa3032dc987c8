"""营业日报表: what each rep did on one day, with totals, in the scope of the reader."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.core.errors import Invalid, PermissionDenied
from crm.customers import services as customer_services
from crm.reports.selectors import daily_report

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
SUNDAY = MONDAY - dt.timedelta(days=1)

COLUMNS = (
    "new_customers",
    "store_visits",
    "calls",
    "other_followups",
    "grade_changes",
    "deals",
    "defeats",
)


def table(report):
    return [(r.name, *(getattr(r, c) for c in COLUMNS)) for r in report.rows]


def totals(report):
    return tuple(getattr(report.total, c) for c in COLUMNS)


@pytest.fixture
def monday(org, clock, history):
    """Sunday's work (not in Monday's report) and Monday's, by rep_a, rep_b, rep_c and the
    manager of 销售一部. A customer entered as an intention customer is graded that day."""
    clock(SUNDAY, 10)
    a1 = history.customer(org.rep_a, "甲一", "B")
    a2 = history.customer(org.rep_a, "甲二", "H")
    a3 = history.customer(org.rep_a, "甲三")
    b1 = history.customer(org.rep_b, "乙一", "C")
    history.follow(org.rep_a, a1)
    clock(MONDAY, 9)
    history.customer(org.rep_a, "甲四")
    a5 = history.customer(org.rep_a, "甲五", "A")
    history.follow(org.rep_a, a5, "store_visit")
    history.follow(org.rep_a, a1, "call")
    history.follow(org.rep_a, a2, "call")
    history.follow(org.rep_a, a1, "visit")
    history.regrade(org.rep_a, a3, "O", reason="交了定金")
    history.deal(org.rep_a, a2, MONDAY)
    history.customer(org.rep_b, "乙二")
    history.follow(org.rep_b, b1, "call")
    history.defeat(org.rep_b, b1, brand="丰田", model="凯美瑞")
    c1 = history.customer(org.rep_c, "丙一")
    history.follow(org.rep_c, c1, "store_visit")
    clock(MONDAY, 17)
    history.follow(org.manager, a1, "call", content="经理回电")
    clock(MONDAY, 23, 59)
    history.follow(org.rep_b, b1, "email", subject="报价", recipient="乙一")


def test_manager_sees_each_rep_of_the_department_and_the_totals(org, monday):
    report = daily_report(actor=org.manager, day=MONDAY)
    assert table(report) == [
        ("王小明", 2, 1, 2, 1, 2, 1, 0),
        ("李小红", 1, 0, 1, 1, 0, 0, 1),
        ("陈经理", 0, 0, 1, 0, 0, 0, 0),
    ]
    assert totals(report) == (3, 1, 4, 2, 2, 1, 1)
    assert [r.department for r in report.rows] == ["销售一部"] * 3


def test_general_manager_sees_every_department(org, monday):
    report = daily_report(actor=org.gm, day=MONDAY)
    assert [r.name for r in report.rows] == ["王小明", "李小红", "陈经理", "赵大勇"]
    assert table(report)[-1] == ("赵大勇", 1, 1, 0, 0, 0, 0, 0)
    assert totals(report) == (4, 2, 4, 2, 2, 1, 1)


def test_department_filter_narrows_to_its_reps(org, monday):
    report = daily_report(actor=org.data_admin, day=MONDAY, department_id=org.sales2.pk)
    assert table(report) == [("赵大勇", 1, 1, 0, 0, 0, 0, 0)]
    assert report.department == org.sales2


def test_rep_sees_only_their_own_row_not_the_managers_call_on_their_customer(org, monday):
    report = daily_report(actor=org.rep_a, day=MONDAY)
    assert table(report) == [("王小明", 2, 1, 2, 1, 2, 1, 0)]
    assert totals(report) == (2, 1, 2, 1, 2, 1, 0)


def test_the_day_before_has_its_own_numbers(org, monday):
    report = daily_report(actor=org.manager, day=SUNDAY)
    assert table(report) == [("王小明", 3, 0, 1, 0, 2, 0, 0), ("李小红", 1, 0, 0, 0, 1, 0, 0)]


def test_a_quiet_day_still_lists_every_rep_with_zeros(org, monday):
    report = daily_report(actor=org.manager, day=MONDAY + dt.timedelta(days=1))
    assert table(report) == [("王小明", 0, 0, 0, 0, 0, 0, 0), ("李小红", 0, 0, 0, 0, 0, 0, 0)]
    assert totals(report) == (0,) * 7


def test_customers_in_the_recycle_bin_are_left_out(org, monday, clock):
    clock(MONDAY, 18)
    gone = next(c for c in org.rep_a.customers.all() if c.name == "甲五")
    customer_services.customer_delete(actor=org.rep_a, customer_id=gone.pk)
    report = daily_report(actor=org.rep_a, day=MONDAY)
    assert table(report) == [("王小明", 1, 0, 2, 1, 1, 1, 0)]


def test_manager_cannot_pick_another_department(org, monday):
    with pytest.raises(Invalid) as exc:
        daily_report(actor=org.manager, day=MONDAY, department_id=org.sales2.pk)
    assert "department" in exc.value.fields


def test_system_administrator_has_no_reports(org, monday):
    with pytest.raises(PermissionDenied):
        daily_report(actor=org.sysadmin, day=MONDAY)
