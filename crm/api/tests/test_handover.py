"""A customer handed to another rep takes its open plans and reminders along: the former owner no
longer sees the customer's name or the plans' text anywhere (plans, calendar, .ics feed)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.activities import services as activities
from crm.activities.models import Notification, Plan
from crm.customers import services as customers
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent


def hand_over(org, c):
    c.refresh_from_db()
    return customers.customer_update(
        actor=org.manager, customer_id=c.pk, version=c.version, data={"owner": org.rep_b.pk}
    )


def test_open_plans_and_reminders_follow_the_customer(org, call):
    # given rep_a's customer with an open plan for today, a done one, and a reminder about it
    c = make_customer(org.rep_a, name="秘密客户")
    soon = timezone.now() - dt.timedelta(minutes=1)  # today, whatever the hour
    open_plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": soon, "content": "报价底价 9 折"},
    )
    done = activities.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "visit", "planned_at": soon}
    )
    activities.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "visit", "place": "店内", "purpose": "看车", "plan": done.pk},
    )
    activities.notify(user=org.rep_a, kind="x", title="秘密客户 的提醒", customer=c)
    feed = activities.calendar_feed(actor=org.rep_a)
    paths = ("plans", "notifications")
    seen_before = {path: call(org.rep_a, "GET", path).content.decode() for path in paths}
    assert all("秘密客户" in body for body in seen_before.values())
    assert "秘密客户" in call(None, "GET", f"calendar/{feed.token}.ics").content.decode()
    page = Client()
    page.force_login(org.rep_a)
    calendar = reverse("web:calendar") + "?view=month&day=" + timezone.localdate().isoformat()
    assert "秘密客户" in page.get(calendar).content.decode()

    # when the manager hands the customer to rep_b
    hand_over(org, c)

    # then the open plan is rep_b's, the done one stays rep_a's history
    open_plan.refresh_from_db()
    done.refresh_from_db()
    assert open_plan.assignee == org.rep_b
    assert done.assignee == org.rep_a
    assert [n.user for n in Notification.objects.filter(customer=c)] == [org.rep_b]
    assert AuditEvent.objects.filter(verb="customer.plans_moved", object_id=str(c.pk)).exists()

    # and rep_a sees neither the name nor the plan text anywhere
    for path in paths:
        response = call(org.rep_a, "GET", path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "秘密客户" not in body, path
        assert "9 折" not in body, path
    assert "秘密客户" not in page.get(calendar).content.decode()
    ics = call(None, "GET", f"calendar/{feed.token}.ics").content.decode()
    assert "秘密客户" not in ics
    assert "9 折" not in ics

    # while rep_b has the plan on the day's list
    plans = call(org.rep_b, "GET", "plans").json()
    assert [(p["customer"]["name"], p["content"]) for p in plans] == [("秘密客户", "报价底价 9 折")]


def test_a_plan_someone_else_holds_stays_with_them(org):
    # the manager's callback plan for rep_a's customer is the manager's, not the owner's
    c = make_customer(org.rep_a, name="甲")
    plan = activities.plan_create(
        actor=org.manager,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )
    hand_over(org, c)
    plan.refresh_from_db()
    assert plan.assignee == org.manager
    assert Plan.objects.filter(customer=c).count() == 1


def test_a_rep_cannot_hand_their_customer_to_a_colleague(org, call):
    c = make_customer(org.rep_a, name="甲")
    response = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "owner": org.rep_b.pk})
    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]
    c.refresh_from_db()
    assert c.owner == org.rep_a
