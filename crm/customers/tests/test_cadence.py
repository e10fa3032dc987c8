"""The grading rules of 客户管理制度 as date arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.customers.cadence import DEFAULT_RULES, next_due, required_contacts, suggest_grade

CADENCE = {r.grade: r.cadence_days for r in DEFAULT_RULES}
MONDAY = dt.date(2026, 11, 23)


def due(grade, last, graded=None, plan=None, category="intention"):
    return next_due(
        category=category,
        grade=grade,
        last_contact=last,
        graded_on=graded,
        next_plan_on=plan,
        cadence=CADENCE,
    )


def test_h_customer_followed_up_on_monday_is_due_on_wednesday():
    assert due("H", MONDAY) == dt.date(2026, 11, 25)


@pytest.mark.parametrize(("grade", "days"), [("O", 7), ("H", 2), ("A", 7), ("B", 14), ("C", 30)])
def test_each_grade_has_the_cadence_of_the_regulations(grade, days):
    assert due(grade, MONDAY) == MONDAY + dt.timedelta(days=days)


def test_without_any_follow_up_the_cadence_counts_from_grading():
    assert due("A", None, graded=MONDAY) == MONDAY + dt.timedelta(days=7)


def test_regrading_after_the_last_contact_restarts_the_clock():
    assert due("H", MONDAY, graded=MONDAY + dt.timedelta(days=3)) == MONDAY + dt.timedelta(days=5)


def test_an_earlier_planned_date_wins():
    assert due("C", MONDAY, plan=MONDAY + dt.timedelta(days=3)) == MONDAY + dt.timedelta(days=3)
    assert due("H", MONDAY, plan=MONDAY + dt.timedelta(days=9)) == MONDAY + dt.timedelta(days=2)


def test_customers_outside_intention_are_due_only_when_planned():
    assert due("", MONDAY, category="retained") is None
    plan = MONDAY + dt.timedelta(days=30)
    assert due("", MONDAY, category="retained", plan=plan) == plan


@pytest.mark.parametrize(
    ("days_ahead", "grade"),
    [(0, "H"), (7, "H"), (8, "A"), (30, "A"), (31, "B"), (90, "B"), (91, "C")],
)
def test_grade_suggested_from_the_expected_purchase_date(days_ahead, grade):
    expected = MONDAY + dt.timedelta(days=days_ahead)
    assert suggest_grade(expected_purchase=expected, today=MONDAY) == grade


def test_deposit_received_suggests_o():
    assert suggest_grade(expected_purchase=MONDAY, today=MONDAY, deposit_paid=True) == "O"


def test_contacts_required_in_a_month():
    assert required_contacts(days_in_period=30, cadence_days=2) == 15
    assert required_contacts(days_in_period=30, cadence_days=30) == 1
    assert required_contacts(days_in_period=10, cadence_days=14) == 1
    assert required_contacts(days_in_period=0, cadence_days=7) == 0
