"""The follow-up rules of 客户管理制度, with the clock under control."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from crm.activities import selectors, services
from crm.activities.models import Plan
from crm.core.errors import Invalid, NotFound
from crm.customers import lifecycle
from crm.customers.models import Customer, DefeatReason, LifecycleEvent
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.testing import approved, at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def due_names(actor, day, which="due"):
    return [c.name for c in selectors.due_list(actor=actor, today=day, which=which).items]


def call(actor, customer, **extra):
    data = {"kind": "call", "content": "电话沟通车型配置", **extra}
    return services.followup_record(actor=actor, customer_id=customer.pk, data=data)


def test_h_customer_followed_up_on_monday_is_due_wednesday_and_overdue_thursday(org, clock):
    clock(MONDAY - dt.timedelta(days=3))
    c = make_customer(org.rep_a, name="王先生", category="intention", grade="H")
    clock(MONDAY)
    call(org.rep_a, c)
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=2)
    wednesday, thursday = MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=3)
    assert due_names(org.rep_a, MONDAY + dt.timedelta(days=1)) == []
    assert due_names(org.rep_a, wednesday, "today") == ["王先生"]
    assert due_names(org.rep_a, wednesday, "overdue") == []
    assert due_names(org.rep_a, thursday, "overdue") == ["王先生"]


def test_o_customer_without_follow_up_for_eight_days_is_overdue(org, clock):
    clock(MONDAY)
    make_customer(org.rep_a, name="李女士", category="intention", grade="O")
    assert due_names(org.rep_a, MONDAY + dt.timedelta(days=7), "overdue") == []
    assert due_names(org.rep_a, MONDAY + dt.timedelta(days=8), "overdue") == ["李女士"]


def test_recording_a_call_takes_the_customer_off_the_overdue_list(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="赵总", category="intention", grade="A")
    day = MONDAY + dt.timedelta(days=9)
    clock(day)
    assert due_names(org.rep_a, day, "overdue") == ["赵总"]
    call(org.rep_a, c, feedback="下周来试驾")
    assert due_names(org.rep_a, day, "overdue") == []
    assert selectors.today_counts(actor=org.rep_a, today=day).overdue == 0


def test_an_earlier_plan_brings_the_due_date_forward(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="孙先生", category="intention", grade="C")
    services.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={
            "method": "visit",
            "planned_at": at(MONDAY + dt.timedelta(days=3)),
            "content": "上门",
        },
    )
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=3)


def test_a_visit_fulfils_the_plan_for_that_day_and_links_it(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="周先生", category="intention", grade="B")
    plan = services.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "visit", "planned_at": at(MONDAY + dt.timedelta(days=2), 15)},
    )
    clock(MONDAY + dt.timedelta(days=2), 16)
    record = services.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "visit", "place": "客户公司", "purpose": "送报价单", "content": "谈价格"},
    )
    plan.refresh_from_db()
    assert plan.status == "done"
    assert plan.fulfilled_by == record


def test_one_late_callback_answers_every_missed_callback_before_it(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="蒋先生", category="intention", grade="H")
    transition(org.rep_a, c, to="retained", deal_on=MONDAY)
    services.plans_mark_missed(now=at(MONDAY + dt.timedelta(days=10)))
    clock(MONDAY + dt.timedelta(days=10))
    services.followup_record(
        actor=org.rep_a, customer_id=c.pk, data={"kind": "callback", "satisfaction": 4}
    )
    statuses = list(
        Plan.objects.filter(customer=c).order_by("planned_at").values_list("status", flat=True)
    )
    assert statuses == ["done", "done", "planned", "planned"]
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=30)


def test_what_each_kind_of_record_must_say(org):
    c = make_customer(org.rep_a, name="吴先生")
    with pytest.raises(Invalid) as err:
        services.followup_record(actor=org.rep_a, customer_id=c.pk, data={"kind": "visit"})
    assert set(err.value.fields) == {"place", "purpose"}
    with pytest.raises(Invalid) as err:
        services.followup_record(actor=org.rep_a, customer_id=c.pk, data={"kind": "email"})
    assert set(err.value.fields) == {"subject", "recipient", "content"}
    with pytest.raises(Invalid) as err:
        services.followup_record(actor=org.rep_a, customer_id=c.pk, data={"kind": "callback"})
    assert set(err.value.fields) == {"satisfaction"}


def test_a_follow_up_cannot_be_in_the_future(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="郑先生")
    with pytest.raises(Invalid) as err:
        call(org.rep_a, c, occurred_at=at(MONDAY + dt.timedelta(days=1)))
    assert "occurred_at" in err.value.fields


def test_the_next_step_becomes_a_plan(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="冯先生", category="intention", grade="C")
    call(
        org.rep_a,
        c,
        next_step="周四邀约到店",
        next_at=at(MONDAY + dt.timedelta(days=3)),
        next_method="store_visit",
    )
    plan = Plan.objects.get(customer=c)
    assert plan.method == "store_visit"
    assert plan.content == "周四邀约到店"
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=3)


def test_outsider_cannot_record_or_plan(org):
    c = make_customer(org.rep_a, name="陈先生")
    with pytest.raises(NotFound):
        call(org.rep_c, c)
    with pytest.raises(NotFound):
        services.plan_create(
            actor=org.rep_b,
            customer_id=c.pk,
            data={"method": "phone", "planned_at": timezone.now()},
        )


def test_a_plan_past_the_grace_period_becomes_missed_and_the_assignee_is_told(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="褚先生", category="intention", grade="B")
    services.plan_create(
        actor=org.rep_a, customer_id=c.pk, data={"method": "phone", "planned_at": at(MONDAY, 15)}
    )
    assert services.plans_mark_missed(now=at(MONDAY + dt.timedelta(days=1), 14)) == 0
    assert services.plans_mark_missed(now=at(MONDAY + dt.timedelta(days=1), 16)) == 1
    assert Plan.objects.get().status == "missed"
    assert selectors.today_counts(actor=org.rep_a, today=MONDAY).unread == 1
    # a missed plan still counts as due until somebody follows up
    c.refresh_from_db()
    assert c.next_due_on == MONDAY


# --- transitions ----------------------------------------------------------------------------


def transition(actor, customer, **kw):
    customer.refresh_from_db()
    return lifecycle.customer_transition(
        actor=actor, customer_id=customer.pk, version=customer.version, **kw
    )


def test_potential_becomes_intention_only_with_a_grade(org):
    c = make_customer(org.rep_a, name="甲")
    with pytest.raises(Invalid) as err:
        transition(org.rep_a, c, to="intention")
    assert "grade" in err.value.fields
    transition(org.rep_a, c, to="intention", grade="A", reason="来店看车")
    c.refresh_from_db()
    assert (c.category, c.grade) == ("intention", "A")
    assert c.next_due_on == timezone.localdate() + dt.timedelta(days=7)
    assert AuditEvent.objects.filter(verb="customer.category_changed", reason="来店看车").exists()


def test_grading_keeps_the_expected_purchase_date_it_was_chosen_by(org):
    c = make_customer(org.rep_a, name="甲")
    expected = timezone.localdate() + dt.timedelta(days=20)
    transition(org.rep_a, c, to="intention", grade="A", expected_purchase_on=expected)
    c.refresh_from_db()
    assert c.expected_purchase_on == expected
    transition(org.rep_a, c, to="intention", grade="H")  # not given: kept
    c.refresh_from_db()
    assert c.expected_purchase_on == expected


def test_illegal_transitions_are_refused_with_a_clear_message(org):
    c = make_customer(org.rep_a, name="乙")
    with pytest.raises(Invalid) as err:
        transition(org.rep_a, c, to="retained", deal_on=timezone.localdate())
    assert "潜在客户" in str(err.value.message)
    assert "保有客户" in str(err.value.message)


def test_a_deal_needs_a_date_and_schedules_callbacks_on_days_1_7_30_90(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="丙", category="intention", grade="H")
    with pytest.raises(Invalid) as err:
        transition(org.rep_a, c, to="retained")
    assert "deal_on" in err.value.fields
    transition(org.rep_a, c, to="retained", deal_on=MONDAY)
    callbacks = Plan.objects.filter(customer=c, kind="callback").order_by("planned_at")
    assert [timezone.localdate(p.planned_at) - MONDAY for p in callbacks] == [
        dt.timedelta(days=d) for d in (1, 7, 30, 90)
    ]
    c.refresh_from_db()
    assert c.deal_on == MONDAY
    assert c.next_due_on == MONDAY + dt.timedelta(days=1)
    # the day-1 callback is recorded with the customer's satisfaction
    clock(MONDAY + dt.timedelta(days=1), 11)
    services.followup_record(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"kind": "callback", "satisfaction": 5, "content": "对交车很满意"},
    )
    assert [p.status for p in callbacks.all()] == ["done", "planned", "planned", "planned"]
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=7)


def test_a_defeat_without_an_analysis_is_refused(org):
    c = make_customer(org.rep_a, name="丁", category="intention", grade="B")
    with pytest.raises(Invalid) as err:
        transition(org.rep_a, c, to="defeated")
    assert {"defeat.reason", "defeat.tried"} <= set(err.value.fields)
    c.refresh_from_db()
    assert c.category == "intention"


def test_a_defeat_with_its_analysis_closes_open_plans(org):
    c = make_customer(org.rep_a, name="戊", category="intention", grade="B")
    services.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=2)},
    )
    reason = DefeatReason.objects.get(name="价格")
    event = approved(  # the rep's 战败申请, approved by the manager
        transition(
            org.rep_a,
            c,
            to="defeated",
            reason="买了别家",
            defeat={
                "reason": reason.pk,
                "competitor_brand": "丰田",
                "competitor_model": "凯美瑞",
                "tried": "申请了额外优惠",
            },
        )
    )
    assert event.defeat.competitor_brand == "丰田"
    assert Plan.objects.get(customer=c).status == "cancelled"
    c.refresh_from_db()
    assert (c.category, c.grade, c.next_due_on) == ("defeated", "", None)
    # the manager adds a comment
    lifecycle.defeat_comment(actor=org.manager, analysis_id=event.defeat.pk, comment="价格确实偏高")
    event.defeat.refresh_from_db()
    assert event.defeat.manager == org.manager


def test_reactivating_a_defeated_customer_needs_a_reason(org):
    c = make_customer(org.rep_a, name="己", category="intention", grade="B")
    reason = DefeatReason.objects.get(name="购买时机")
    approved(
        transition(org.rep_a, c, to="defeated", defeat={"reason": reason.pk, "tried": "多次电话"})
    )
    with pytest.raises(Invalid) as err:
        transition(org.rep_a, c, to="intention", grade="C")
    assert "reason" in err.value.fields
    transition(org.rep_a, c, to="intention", grade="C", reason="客户又来电询价")
    c.refresh_from_db()
    assert c.category == "intention"


def test_base_customers_can_become_intention_customers(org):
    c = make_customer(org.rep_a, name="庚", category="base")
    transition(org.rep_a, c, to="intention", grade="C")
    assert LifecycleEvent.objects.get(customer=c).from_category == "base"


def test_regrading_restarts_the_cadence(org, clock):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="辛", category="intention", grade="C")
    clock(MONDAY + dt.timedelta(days=4))
    transition(org.rep_a, c, to="intention", grade="H", reason="确定下周付定金")
    c.refresh_from_db()
    assert c.next_due_on == MONDAY + dt.timedelta(days=6)
    assert AuditEvent.objects.filter(verb="customer.regraded").exists()


def test_category_and_grade_cannot_be_edited_around_the_rules(org):
    from crm.customers import services as customer_services

    c = make_customer(org.rep_a, name="壬", category="intention", grade="C")
    with pytest.raises(Invalid) as err:
        customer_services.customer_update(
            actor=org.rep_a, customer_id=c.pk, version=c.version, data={"grade": "H"}
        )
    assert "grade" in err.value.fields


def test_changing_the_grade_table_recomputes_due_dates_in_the_background(
    org, clock, django_capture_on_commit_callbacks
):
    clock(MONDAY)
    c = make_customer(org.rep_a, name="癸", category="intention", grade="B")
    assert Customer.objects.get(pk=c.pk).next_due_on == MONDAY + dt.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.grade_policy_update(actor=org.gm, rows=[{"grade": "B", "cadence_days": 10}])
    assert Customer.objects.get(pk=c.pk).next_due_on == MONDAY + dt.timedelta(days=10)


def test_only_the_general_manager_edits_the_company_wide_grade_table(org):
    from crm.core.errors import PermissionDenied

    for outsider in (org.rep_a, org.manager):  # a department manager sets no company rule
        with pytest.raises(PermissionDenied):
            lifecycle.grade_policy_update(actor=outsider, rows=[{"grade": "B", "cadence_days": 10}])
    with pytest.raises(Invalid):
        lifecycle.grade_policy_update(actor=org.gm, rows=[{"grade": "B", "cadence_days": 0}])


def test_grade_suggested_from_expected_purchase_date(org, clock):
    clock(MONDAY)
    assert lifecycle.suggest_grade(expected_purchase_on=MONDAY + dt.timedelta(days=5)) == "H"
    assert lifecycle.suggest_grade(expected_purchase_on=MONDAY + dt.timedelta(days=60)) == "B"


# --- the manager's evening meeting ----------------------------------------------------------


def test_evening_meeting_shows_todays_department_activity(org, clock):
    clock(MONDAY, 9)
    a = make_customer(org.rep_a, name="客户甲", category="intention", grade="B")
    make_customer(org.rep_c, name="别部门", category="intention", grade="B")
    clock(MONDAY, 11)
    call(org.rep_a, a)
    transition(org.rep_a, a, to="intention", grade="H", reason="预算已批")
    day = selectors.team_day(actor=org.manager, day=MONDAY)
    assert [c.name for c in day.intention_touched] == ["客户甲"]
    assert [c.name for c in day.new_customers] == ["客户甲"]
    # entered as a B customer, then regraded: both are the day's gradings
    assert [e.to_grade for e in day.grade_changes] == ["B", "H"]
    with pytest.raises(Exception):  # noqa: B017, PT011 - a rep has no team view
        selectors.team_day(actor=org.rep_a, day=MONDAY)
