"""Reads of personal data on the web pages are logged (查阅登记), one audit row per request; web
sign-ins, sign-outs and failed sign-ins too. Reps see who viewed their customers, not from
where."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


def reads(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


def test_the_web_list_and_its_live_search_log_one_row_per_request(as_user, org):
    make_customer(org.rep_a, name="张三丰")
    client = as_user(org.rep_a)
    client.get(reverse("web:customer_list"))
    client.get(reverse("web:customer_list"), {"q": "张三"}, headers={"HX-Request": "true"})

    assert [e.details for e in reads("customer.listed")] == [
        {"filter": {}, "count": 1},
        {"filter": {"q": "张三"}, "count": 1},
    ]


def test_the_today_page_is_one_row_for_all_its_lists(as_user, org):
    as_user(org.rep_a).get(reverse("web:today"))
    [event] = reads("customer.due_listed")
    assert event.details == {"filter": {"which": "today_page"}, "count": 0, "plans": 0}


def test_the_evening_meeting_is_logged(as_user, org):
    make_customer(org.rep_a, name="王五")
    as_user(org.manager).get(reverse("web:team_day"))
    [event] = reads("team_day.viewed")
    assert event.actor == org.manager
    assert event.details["count"] == 1  # the customer entered today


def test_a_rep_sees_who_viewed_the_customer_but_not_from_where(as_user, org):
    c = make_customer(org.rep_a, name="王建国")
    manager = as_user(org.manager)
    manager.get(reverse("web:customer_detail", args=[c.pk]), REMOTE_ADDR="198.51.100.77")

    body = as_user(org.rep_a).get(reverse("web:customer_detail", args=[c.pk])).content.decode()

    history = body[body.index('id="history"') :]
    assert "陈经理" in history
    assert "查看" in history
    assert "198.51.100.77" not in body
    assert AuditEvent.objects.filter(ip="198.51.100.77", verb="customer.viewed").exists()


def test_web_sign_in_and_sign_out_are_logged(client, org):
    response = client.post(reverse("web:login"), {"username": "rep_a", "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("web:logout"))

    events = list(AuditEvent.objects.filter(verb__startswith="user.log").order_by("id"))
    assert [(e.verb, e.actor, e.object_id) for e in events] == [
        ("user.logged_in", org.rep_a, str(org.rep_a.pk)),
        ("user.logged_out", org.rep_a, str(org.rep_a.pk)),
    ]
    assert all(e.ip == "127.0.0.1" for e in events)


def test_a_failed_web_sign_in_is_logged_without_the_password(client, org):
    client.post(reverse("web:login"), {"username": "rep_a", "password": "guess-123"})
    [event] = reads("user.login_failed")
    assert event.actor is None
    assert event.actor_name == "匿名"
    assert event.object_repr.startswith("rep_a")
    assert event.ip == "127.0.0.1"
    assert "guess-123" not in str(event.__dict__)
