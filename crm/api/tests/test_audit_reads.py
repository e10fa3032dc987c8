"""Reads of personal data through the API are logged (查阅登记): one audit row per request, naming
the customer for a part of one record, carrying the filter and the row count for a list or a
search. Failed sign-ins are logged; old sign-in attempts are pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import LoginAttempt, LoginThrottle
from crm.activities import services as activities
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


def reads(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


def test_a_list_read_is_one_row_with_its_filter_and_count_not_one_per_customer(org, call):
    # given 25 customers of rep_a
    for i in range(25):
        make_customer(org.rep_a, name=f"客户{i}", category="intention", grade="B")

    # when the manager lists a page of them
    response = call(org.manager, "GET", "customers?category=intention&limit=10")

    # then one row tells who listed what and how many came back
    assert response.status_code == 200
    [event] = reads("customer.listed")
    assert event.actor == org.manager
    assert (event.object_type, event.object_id) == ("customers.customer", "")
    assert event.details == {"filter": {"category": "intention"}, "count": 10}
    assert event.request_id == response["X-Request-ID"]
    assert event.ip == "127.0.0.1"


def test_the_next_page_and_the_recycle_bin_are_logged_too(org, call):
    for i in range(3):
        make_customer(org.rep_a, name=f"客户{i}")
    cursor = call(org.rep_a, "GET", "customers?limit=2").json()["next_cursor"]
    call(org.rep_a, "GET", f"customers?limit=2&cursor={cursor}")
    call(org.data_admin, "GET", "customers?deleted=true")

    details = [e.details for e in reads("customer.listed")]
    assert details == [
        {"filter": {}, "count": 2},
        {"filter": {"next_page": True}, "count": 1},
        {"filter": {"deleted": True}, "count": 0},
    ]


def test_a_search_by_phone_or_id_number_is_logged_without_the_number(org, call):
    make_customer(org.rep_a, name="王建国", phone="13911112222")
    call(org.rep_a, "GET", "customers?q=13911112222")
    call(org.rep_a, "GET", "customers?q=110105194912310021")
    call(org.rep_a, "GET", "customers?q=王建")

    searched = [e.details["filter"]["q"] for e in reads("customer.listed")]
    assert searched == ["139********", "110***************", "王建"]
    assert reads("customer.listed")[0].details["count"] == 1


def test_a_refused_list_leaves_no_read_row(org, call):
    assert call(org.sysadmin, "GET", "customers").status_code == 403
    assert call(org.rep_a, "GET", "customers?cursor=%25%25bad").status_code == 422
    assert reads("customer.listed") == []


def test_the_due_list_and_the_days_plans_are_logged(org, call, clock):
    clock(timezone.localdate())  # 10:00: the plan an hour on is today's at any hour of the run
    c = make_customer(org.rep_a, name="王五")
    activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(hours=1)},
    )
    call(org.rep_a, "GET", "due?which=overdue")
    call(org.rep_a, "GET", "plans")

    assert [e.details for e in reads("customer.due_listed")] == [
        {"filter": {"which": "overdue"}, "count": 0}
    ]
    [plans] = reads("plan.listed")
    assert plans.details["count"] == 1
    assert plans.actor == org.rep_a


@pytest.mark.parametrize(
    ("path", "verb"),
    [
        ("history", "customer.history_viewed"),
        ("contacts", "customer.contacts_viewed"),
        ("followups", "customer.followups_viewed"),
        ("plans", "customer.plans_viewed"),
        ("timeline", "customer.timeline_viewed"),
    ],
)
def test_each_part_of_a_record_read_through_the_api_is_logged_on_the_customer(
    org, call, path, verb
):
    c = make_customer(org.rep_a, name="华夏运输", kind="organization")
    response = call(org.manager, "GET", f"customers/{c.pk}/{path}")

    assert response.status_code == 200
    [event] = reads(verb)
    assert (event.actor, event.object_type, event.object_id) == (
        org.manager,
        "customers.customer",
        str(c.pk),
    )
    assert "count" in event.details


@pytest.mark.parametrize("path", ["history", "contacts", "followups", "plans", "timeline"])
def test_an_outsider_reading_a_part_is_refused_and_nothing_is_logged(org, call, path):
    c = make_customer(org.rep_a, name="华夏运输")
    assert call(org.rep_c, "GET", f"customers/{c.pk}/{path}").status_code == 404
    assert not AuditEvent.objects.filter(verb__endswith="_viewed").exists()


def test_a_calendar_feed_fetch_is_logged_as_its_owners_read(org, call):
    c = make_customer(org.rep_a, name="王先生")
    activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "visit", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )
    url = call(org.rep_a, "GET", "calendar").json()["url"].removeprefix("http://testserver")

    response = Client().get(url, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    [event] = reads("calendar_feed.fetched")
    assert (event.actor, event.object_id) == (org.rep_a, str(org.rep_a.pk))
    assert event.details == {"count": 1}
    assert event.ip == "203.0.113.9"


def test_an_unknown_feed_address_logs_nothing(client, org):
    assert client.get(f"/api/v1/calendar/{'x' * 32}.ics").status_code == 404
    assert reads("calendar_feed.fetched") == []


def test_api_history_shows_viewers_names_without_their_addresses(org, call):
    c = make_customer(org.rep_a, name="王建国")
    call(org.manager, "GET", f"customers/{c.pk}")
    history = call(org.rep_a, "GET", f"customers/{c.pk}/history").json()
    viewed = next(e for e in history if e["verb"] == "customer.viewed")
    assert (viewed["actor"], viewed["actor_id"]) == ("陈经理", org.manager.pk)
    assert "ip" not in viewed


def test_a_failed_api_sign_in_for_an_unknown_user_is_logged(client, org):
    client.post(
        "/api/v1/auth/token",
        data={"username": "nobody", "password": "x"},
        content_type="application/json",
    )
    [event] = reads("user.login_failed")
    assert event.object_repr.startswith("nobody")


def test_sign_in_attempts_older_than_the_window_are_pruned(org):
    # given attempts from long ago
    accounts.login_check(username="rep_a", password="wrong", ip=None)
    long_ago = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    LoginAttempt.objects.update(created_at=long_ago)
    LoginThrottle.objects.update(last_failure_at=long_ago)

    # when someone signs in again
    accounts.login_check(username="rep_b", password=PASSWORD, ip=None)

    # then only the new attempt remains, and nothing of rep_a's old failure
    assert list(LoginAttempt.objects.values_list("username", flat=True)) == ["rep_b"]
    assert not LoginThrottle.objects.filter(username="rep_a").exists()
    assert reads("user.login_failed")  # the audit log keeps the failure
