"""The SLA clock: deadlines count working hours of the business calendar (09:00–18:00, Monday to
Friday), skipping public holidays and counting the weekend days worked instead (调休)."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.service import calendar, services
from crm.service.models import CalendarDay
from crm.testing import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
FRIDAY = MONDAY + dt.timedelta(days=4)


def test_deadline_within_one_working_day():
    cal = calendar.current()
    assert cal.add(at(MONDAY, 10), 4 * 60) == at(MONDAY, 14)


def test_time_outside_working_hours_does_not_count():
    # registered in the evening: the clock starts the next morning
    cal = calendar.current()
    assert cal.add(at(MONDAY, 20), 60) == at(MONDAY + dt.timedelta(days=1), 10)
    assert cal.add(at(MONDAY, 7), 60) == at(MONDAY, 10)


def test_friday_afternoon_deadline_falls_on_monday():
    cal = calendar.current()
    assert cal.add(at(FRIDAY, 17), 4 * 60) == at(FRIDAY + dt.timedelta(days=3), 12)


def test_national_day_holidays_are_skipped_and_the_adjusted_saturday_counts():
    # 2026: 10-01 … 10-07 off (10-03/04 a weekend), Saturday 10-10 worked (调休)
    cal = calendar.current()
    before = at(dt.date(2026, 9, 30), 17)
    assert cal.add(before, 2 * 60) == at(dt.date(2026, 10, 8), 10)
    friday = at(dt.date(2026, 10, 9), 17)
    assert cal.add(friday, 2 * 60) == at(dt.date(2026, 10, 10), 10)  # the Saturday worked


def test_spring_festival_2026_and_its_adjusted_saturdays():
    cal = calendar.current()
    assert cal.is_working_day(dt.date(2026, 2, 14))  # Saturday worked
    assert not cal.is_working_day(dt.date(2026, 2, 16))
    assert not cal.is_working_day(dt.date(2026, 2, 23))
    assert cal.is_working_day(dt.date(2026, 2, 28))  # Saturday worked
    # a 24-hour deadline from the Friday before: 9 h on 02-13, 9 h on Saturday 02-14, then
    # nothing until Tuesday 02-24 (02-23 is off too): 6 h into it
    assert cal.add(at(dt.date(2026, 2, 13), 9), 24 * 60) == at(dt.date(2026, 2, 24), 15)


def test_2027_holidays_are_seeded():
    cal = calendar.current()
    assert not cal.is_working_day(dt.date(2027, 1, 1))
    assert not cal.is_working_day(dt.date(2027, 10, 1))
    assert cal.is_working_day(dt.date(2027, 10, 8))


def test_a_day_the_manager_adds_changes_new_deadlines(org):
    # given the company closes on Tuesday (a day of its own)
    tuesday = MONDAY + dt.timedelta(days=1)
    services.calendar_day_set(
        actor=org.gm, day=tuesday, data={"kind": "holiday", "name": "公司年会"}
    )
    # then a deadline from Monday evening jumps to Wednesday
    assert calendar.current().add(at(MONDAY, 17, 30), 60) == at(
        tuesday + dt.timedelta(days=1), 9, 30
    )
    assert CalendarDay.objects.get(day=tuesday).name == "公司年会"


def test_working_minutes_between_two_moments():
    cal = calendar.current()
    assert cal.between(at(FRIDAY, 17), at(FRIDAY + dt.timedelta(days=3), 10)) == 120
    assert cal.between(at(MONDAY, 10), at(MONDAY, 9)) == 0


def test_deadlines_follow_the_severity_table(org):
    response, resolve = services.deadlines("critical", at(MONDAY, 10))
    assert (response, resolve) == (at(MONDAY, 11), at(MONDAY, 18))
    services.sla_update(
        actor=org.gm,
        severity="critical",
        data={"response_hours": 2, "resolve_hours": 4, "gm_after_hours": 2},
    )
    assert services.deadlines("critical", at(MONDAY, 10)) == (at(MONDAY, 12), at(MONDAY, 14))
