"""Reports aggregate in the database: a fixed number of queries however many rows and records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.reports.selectors import contact_status_report, daily_report, defeat_report

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


@pytest.fixture
def busy_day(org, clock, history):
    clock(DAY - dt.timedelta(days=1))
    customers = [
        history.customer(rep, f"客户{rep.pk}-{i}", "ABC"[i % 3])
        for rep in (org.rep_a, org.rep_b, org.rep_c)
        for i in range(4)
    ]
    clock(DAY)
    for c in customers:
        history.follow(c.owner, c)
    for c in customers[::4]:
        history.defeat(c.owner, c, brand="丰田")


def test_daily_report_is_four_queries(org, busy_day, django_assert_num_queries):
    # the people in scope, then new customers, follow-ups and lifecycle changes grouped by person
    with django_assert_num_queries(4):
        report = daily_report(actor=org.gm, day=DAY)
    assert report.total.calls == 12


def test_contact_status_is_three_queries(org, busy_day):
    # the people in scope, the grade table, and one grouped statement (on PostgreSQL inside a
    # savepoint that turns JIT compilation off)
    with CaptureQueriesContext(connection) as queries:
        report = contact_status_report(actor=org.gm, month=DAY, today=DAY)
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL")
    assert len([q for q in queries if not q["sql"].startswith(control)]) == 3
    assert report.total.customers == 12


def test_defeat_report_is_five_queries(org, busy_day, django_assert_num_queries):
    # people, by reason, by competitor, by rep, and the list with its relations
    with django_assert_num_queries(5):
        report = defeat_report(actor=org.gm, month=DAY)
    assert report.total == 3
