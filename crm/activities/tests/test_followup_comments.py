"""点评: the manager comments on a rep's follow-up; the comment shows in the timeline and in 夕会,
and the rep is told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.activities import services
from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent


@pytest.fixture
def call_record(org):
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="A")
    return services.followup_record(
        actor=org.rep_a, customer_id=c.pk, data={"kind": "call", "content": "客户嫌贵"}
    )


def test_the_manager_comments_and_the_rep_is_told(org, call_record):
    services.followup_comment(
        actor=org.manager, followup_id=call_record.pk, comment="下次带上金融方案再谈"
    )
    call_record.refresh_from_db()
    assert (call_record.comment, call_record.commented_by) == ("下次带上金融方案再谈", org.manager)
    told = Notification.objects.get(kind="followup_commented")
    assert (told.user, told.title) == (org.rep_a, "陈经理 点评了您对 王先生 的跟进")
    event = AuditEvent.objects.get(verb="customer.followup_commented")
    assert event.changes["followup.comment"] == ["", "下次带上金融方案再谈"]


def test_only_the_reps_chain_comments(org, call_record):
    with pytest.raises(PermissionDenied):  # a rep has no 点评
        services.followup_comment(actor=org.rep_b, followup_id=call_record.pk, comment="x")
    with pytest.raises(NotFound):  # the other department's manager
        services.followup_comment(actor=org.manager2, followup_id=call_record.pk, comment="x")
    with pytest.raises(Invalid):
        services.followup_comment(actor=org.manager, followup_id=call_record.pk, comment="  ")


def test_the_comment_shows_in_the_timeline_and_in_the_evening_meeting(as_user, org, call_record):
    manager = as_user(org.manager)
    response = manager.post(
        reverse("web:followup_comment", args=[call_record.pk]),
        {"comment": "下次带上金融方案再谈", "next": "/team/"},
        follow=True,
    )
    team = response.content.decode()
    assert "已保存点评" in team
    assert "下次带上金融方案再谈" in team
    page = as_user(org.rep_a).get(reverse("web:customer_detail", args=[call_record.customer_id]))
    body = page.content.decode()
    assert "陈经理 点评" in body
    assert "下次带上金融方案再谈" in body
    assert 'name="comment"' not in body  # the rep reads the comment, does not write one


def test_the_api_gives_the_comment_with_the_record(org, call, call_record):
    done = call(org.manager, "POST", f"followups/{call_record.pk}/comment", {"comment": "好"})
    assert done.status_code == 200
    assert (done.json()["comment"], done.json()["commented_by"]["name"]) == ("好", "陈经理")
    listed = call(org.rep_a, "GET", f"customers/{call_record.customer_id}/followups").json()
    assert listed["items"][0]["comment"] == "好"
