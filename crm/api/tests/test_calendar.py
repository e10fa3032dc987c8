"""The personal iCalendar feed: a secret address calendar programs subscribe to. Every feed is
parsed back with ``icalendar`` as a calendar program would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from crm.accounts import services as accounts
from crm.activities import services as activities
from crm.customers import lifecycle
from crm.customers.tests.factories import make_customer
from crm.testing import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def monday(clock):
    clock(MONDAY, 8)


def feed_path(call, actor) -> str:
    url: str = call(actor, "GET", "calendar").json()["url"]
    assert url.startswith("http://testserver/api/v1/calendar/")
    assert url.endswith(".ics")
    return url.removeprefix("http://testserver")


def fetch(path: str) -> Calendar:
    """As a calendar program: no session, no token."""
    response = Client().get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, Any]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def plans(org, monday):
    c = make_customer(
        org.rep_a, name="王先生", phone="13912345678", category="intention", grade="A"
    )
    visit = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "visit", "planned_at": at(MONDAY, 15, 30), "content": "送报价单"},
    )
    call_plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": at(MONDAY + dt.timedelta(days=3), 9)},
    )
    return c, visit, call_plan


def test_the_feed_carries_the_owners_plans_in_utc(org, call, plans):
    # given rep_a's visit on Monday 15:30 Beijing time
    c, visit, _call_plan = plans

    # when a calendar program reads rep_a's feed
    cal = fetch(feed_path(call, org.rep_a))

    # then it is a valid calendar with one event per plan, stable UIDs, times in UTC
    assert str(cal["VERSION"]) == "2.0"
    assert "王小明" in str(cal["X-WR-CALNAME"])
    found = events(cal)
    assert len(found) == 2
    event = found[f"plan-{visit.pk}@testserver"]
    start = event.decoded("DTSTART")
    assert start == dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)
    assert start.utcoffset() == dt.timedelta(0)
    assert event.to_ical().decode().count("DTSTART:20261123T073000Z") == 1
    assert str(event["SUMMARY"]) == "拜访：王先生"
    assert str(event["DESCRIPTION"]) == "送报价单"
    assert str(event["URL"]) == f"http://testserver/customers/{c.pk}/"
    assert int(event["SEQUENCE"]) == 1


def test_no_phone_number_in_the_feed(org, call, plans):
    body = Client().get(feed_path(call, org.rep_a)).content.decode()
    assert "13912345678" not in body
    assert "王先生" in body


def test_a_rescheduled_plan_keeps_its_uid(org, call, plans):
    _c, visit, _call_plan = plans
    path = feed_path(call, org.rep_a)
    before = events(fetch(path))
    activities.plan_update(
        actor=org.rep_a, plan_id=visit.pk, version=1, data={"planned_at": at(MONDAY, 17)}
    )
    after = events(fetch(path))
    assert set(before) == set(after)
    moved = after[f"plan-{visit.pk}@testserver"]
    assert moved.decoded("DTSTART") == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert int(moved["SEQUENCE"]) == 2


def test_callbacks_and_recorded_visits_are_in_the_feed_cancelled_plans_are_not(
    org, call, plans, monday
):
    c, visit, call_plan = plans
    # a deal schedules callbacks; a visit is recorded; the phone plan is cancelled
    lifecycle.customer_transition(
        actor=org.rep_a, customer_id=c.pk, version=1, to="retained", deal_on=MONDAY
    )
    record = activities.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "visit", "place": "客户家中", "purpose": "交车", "content": "交车顺利"},
    )
    activities.plan_cancel(actor=org.rep_a, plan_id=call_plan.pk)

    found = events(fetch(feed_path(call, org.rep_a)))

    summaries = sorted(str(e["SUMMARY"]) for e in found.values())
    assert summaries == [
        "回访：王先生",
        "回访：王先生",
        "回访：王先生",
        "回访：王先生",
        "拜访：王先生",  # the recorded visit
        "（已完成）拜访：王先生",  # the plan it fulfilled
    ]
    assert str(found[f"plan-{visit.pk}@testserver"]["SUMMARY"]) == "（已完成）拜访：王先生"
    assert f"plan-{call_plan.pk}@testserver" not in found
    recorded = found[f"visit-{record.pk}@testserver"]
    assert str(recorded["DESCRIPTION"]) == "交车\n交车顺利"
    assert "LOCATION" not in recorded  # the place may be a home address


def test_the_window_is_30_days_back_and_180_ahead(org, call, monday):
    c = make_customer(org.rep_a, name="李女士")
    far = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": at(MONDAY + dt.timedelta(days=181))},
    )
    near = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": at(MONDAY + dt.timedelta(days=179))},
    )
    found = events(fetch(feed_path(call, org.rep_a)))
    assert f"plan-{near.pk}@testserver" in found
    assert f"plan-{far.pk}@testserver" not in found


def test_a_feed_shows_only_its_owners_plans(org, call, plans):
    other = make_customer(org.rep_b, name="乙先生")
    activities.plan_create(
        actor=org.rep_b,
        customer_id=other.pk,
        data={"method": "phone", "planned_at": at(MONDAY, 11)},
    )
    assert len(events(fetch(feed_path(call, org.rep_a)))) == 2
    assert [str(e["SUMMARY"]) for e in fetch(feed_path(call, org.rep_b)).walk("VEVENT")] == [
        "电话：乙先生"
    ]


def test_a_deleted_customer_leaves_the_feed(org, call, plans):
    from crm.customers import services as customers

    c, _visit, _call_plan = plans
    customers.customer_delete(actor=org.rep_a, customer_id=c.pk)
    assert events(fetch(feed_path(call, org.rep_a))) == {}


def test_reset_gives_a_new_address_and_the_old_one_is_gone(org, call, plans):
    # given the address rep_a subscribed to
    old = feed_path(call, org.rep_a)
    assert feed_path(call, org.rep_a) == old  # asking again gives the same address

    # when rep_a resets it
    response = call(org.rep_a, "POST", "calendar/reset")

    # then the old address is not found and the new one works
    new = response.json()["url"].removeprefix("http://testserver")
    assert new != old
    gone = Client().get(old, HTTP_ACCEPT_LANGUAGE="en")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert len(events(fetch(new))) == 2


@pytest.mark.parametrize("token", ["nope", "x" * 32, "%2e%2e", "%00" * 20, "a" * 500])
def test_an_unknown_address_is_not_found(client, token):
    response = client.get(f"/api/v1/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_deactivated_users_feed_is_not_found(org, call, plans):
    path = feed_path(call, org.rep_a)
    accounts.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    assert Client().get(path).status_code == 404


def test_the_system_administrator_has_no_feed(org, call):
    assert call(org.sysadmin, "GET", "calendar").status_code == 403
