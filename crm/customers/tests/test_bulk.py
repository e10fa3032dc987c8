"""Bulk actions of the customer list: each customer through the single action (its permission,
its hooks, its audit row), the refused ones counted and told, none skipped silently."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities import services as activities
from crm.activities.models import Notification, Plan
from crm.activities.tasks import customer_bulk
from crm.core.errors import Invalid, PermissionDenied
from crm.customers import bulk
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def updated_events(customer):
    return AuditEvent.objects.filter(
        verb="customer.updated", object_type="customers.customer", object_id=str(customer.pk)
    )


def test_a_manager_transfers_a_selection_and_the_outsider_is_counted_refused(org):
    # given two of rep_a's customers (one with an open plan) and one of 销售二部
    a1 = make_customer(org.rep_a, name="甲")
    a2 = make_customer(org.rep_a, name="乙")
    outsider = make_customer(org.rep_c, name="丙")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=a1.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=1)},
    )

    # when the manager of 销售一部 hands the three to rep_b
    outcome = bulk.bulk_apply(
        actor=org.manager, operation="transfer", value=org.rep_b.pk, ids=[a1.pk, a2.pk, outsider.pk]
    )

    # then two moved, as the single edit moves them (its audit row, the plan follows), one refused
    assert (outcome.done, outcome.refused, outcome.failed) == (2, 1, 0)
    assert outcome.summary() == "已转移 2 位，1 位无权限"
    assert set(Customer.objects.filter(owner=org.rep_b).values_list("name", flat=True)) == {
        "甲",
        "乙",
    }
    assert Customer.objects.get(pk=outsider.pk).owner == org.rep_c
    assert Plan.objects.get(pk=plan.pk).assignee == org.rep_b
    assert "owner" in updated_events(a1).get().changes
    assert not updated_events(outsider).exists()
    summary = AuditEvent.objects.get(verb="customer.bulk")
    assert summary.details["done"] == 2
    assert summary.details["refused"] == 1


def test_a_rep_cannot_hand_customers_to_a_colleague(org):
    mine = make_customer(org.rep_a)
    with pytest.raises(Invalid):
        bulk.bulk_apply(actor=org.rep_a, operation="transfer", value=org.rep_b.pk, ids=[mine.pk])
    assert Customer.objects.get(pk=mine.pk).owner == org.rep_a


def test_service_staff_may_not_change_tags_in_bulk(org):
    c = make_customer(org.rep_a)
    with pytest.raises(PermissionDenied):
        bulk.bulk_apply(actor=org.service_staff, operation="add_tag", value="VIP", ids=[c.pk])


def test_tags_are_added_and_removed_and_those_already_so_are_told(org):
    tagged = make_customer(org.rep_a, name="有标签", tags=["VIP"])
    plain = make_customer(org.rep_a, name="无标签", tags=["展厅到访"])

    added = bulk.bulk_apply(
        actor=org.rep_a, operation="add_tag", value="VIP", ids=[tagged.pk, plain.pk]
    )
    assert (added.done, added.unchanged) == (1, 1)
    assert added.summary() == "已添加标签 1 位，1 位无需变更"
    assert Customer.objects.get(pk=plain.pk).tag_names == ["VIP", "展厅到访"]

    removed = bulk.bulk_apply(
        actor=org.rep_a, operation="remove_tag", value="VIP", ids=[tagged.pk, plain.pk]
    )
    assert removed.done == 2
    assert Customer.objects.get(pk=tagged.pk).tag_names == []
    assert updated_events(plain).count() == 2  # one row per change, as the single edit writes


def test_the_grade_changes_through_the_transition_and_a_refusal_says_why(org):
    b = make_customer(org.rep_a, name="乙", category="intention", grade="B")
    h = make_customer(org.rep_a, name="甲", category="intention", grade="H")
    retained = make_customer(org.rep_a, name="老客户", category="retained")

    outcome = bulk.bulk_apply(
        actor=org.rep_a, operation="grade", value="H", ids=[b.pk, h.pk, retained.pk]
    )

    assert (outcome.done, outcome.unchanged, outcome.failed) == (1, 1, 1)
    assert Customer.objects.get(pk=b.pk).grade == "H"
    assert outcome.reasons  # the rule that refused the retained customer is told
    assert "1 位未能办理" in outcome.summary()


@pytest.mark.parametrize(
    ("operation", "value"),
    [("shout", "x"), ("grade", "Z"), ("add_tag", ""), ("add_tag", "长" * 21), ("transfer", "abc")],
)
def test_a_bad_request_is_refused_before_any_customer(org, operation, value):
    c = make_customer(org.rep_a)
    with pytest.raises(Invalid):
        bulk.bulk_apply(actor=org.manager, operation=operation, value=value, ids=[c.pk])
    assert not AuditEvent.objects.filter(verb="customer.bulk").exists()


def test_the_background_task_tells_the_user_in_a_reminder(org):
    ids = [make_customer(org.rep_a, name=f"客户{i}").pk for i in range(3)]
    result = customer_bulk.enqueue(
        actor_id=org.manager.pk, operation="add_tag", value="重点", ids=ids, language="zh-hans"
    )
    assert (result.return_value or {})["done"] == 3
    note = Notification.objects.get(user=org.manager, kind="customer_bulk")
    assert note.title == "已添加标签 3 位"
