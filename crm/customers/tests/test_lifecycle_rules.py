"""Every way into a category obeys its rules (客户管理制度), and one action does a transition with
everything it brings: callbacks after a deal, closed plans after a defeat, the deposit of an O
customer. What counts as a follow-up: not an empty note, not a note by someone outside the
customer's sales chain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.activities import selectors as activities_selectors
from crm.activities import services as activities
from crm.activities.models import FollowUp, Plan
from crm.core.errors import Invalid
from crm.customers import lifecycle, services
from crm.customers.models import Customer, DefeatReason, LifecycleEvent
from crm.customers.tests.factories import make_customer
from crm.reports import selectors as reports
from crm.testing import approved


def today() -> dt.date:
    return timezone.localdate()


def defeat_data() -> dict[str, object]:
    reason = DefeatReason.objects.get(name="价格")
    return {"reason": reason.pk, "tried": "试驾、让价", "competitor_brand": "丰田"}


# --- one transition action ----------------------------------------------------------------------


def test_the_one_transition_action_schedules_the_callbacks_of_a_deal(org):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="H")
    lifecycle.customer_transition(
        actor=org.rep_a, customer_id=c.pk, version=c.version, to="retained", deal_on=today()
    )
    callbacks = Plan.objects.filter(customer=c, kind="callback").order_by("planned_at")
    assert [timezone.localdate(p.planned_at) - today() for p in callbacks] == [
        dt.timedelta(days=d) for d in (1, 7, 30, 90)
    ]


def test_the_one_transition_action_closes_the_open_plans_of_a_defeat(org):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="B")
    plan = activities.plan_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=2)},
    )
    c.refresh_from_db()
    approved(  # the rep's 战败申请, approved by the manager
        lifecycle.customer_transition(
            actor=org.rep_a,
            customer_id=c.pk,
            version=c.version,
            to="defeated",
            defeat=defeat_data(),
        )
    )
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    c.refresh_from_db()
    assert c.next_plan_on is None


# --- entering a category directly -------------------------------------------------------------


def test_a_customer_entered_as_retained_needs_the_deal_date(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "category": "retained"})
    assert err.value.fields["deal_on"] == "成交客户必须填写成交日期"
    assert not Customer.objects.exists()


def test_a_customer_entered_with_an_old_deal_gets_only_the_callbacks_still_ahead(org):
    deal = today() - dt.timedelta(days=10)
    c = services.customer_create(
        actor=org.rep_a, data={"name": "老客户", "category": "retained", "deal_on": deal}
    )
    days = sorted((timezone.localdate(p.planned_at) - deal).days for p in c.plans.all())
    assert days == [30, 90]
    event = LifecycleEvent.objects.get(customer=c)
    assert (event.from_category, event.to_category) == ("", "retained")


def test_a_customer_entered_as_defeated_brings_the_defeat_analysis_and_reaches_the_report(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "category": "defeated"})
    assert set(err.value.fields) == {"defeat.reason", "defeat.tried"}
    c = services.customer_create(
        actor=org.rep_a,
        data={"name": "甲", "category": "defeated", "defeat": defeat_data()},
    )
    report = reports.defeat_report(actor=org.manager)
    assert [i.customer_name for i in report.items] == ["甲"]
    assert c.defeats.get().competitor_brand == "丰田"


def test_a_defeat_analysis_belongs_to_defeated_customers_only(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a, data={"name": "甲", "category": "potential", "defeat": defeat_data()}
        )
    assert "defeat" in err.value.fields


def test_a_customer_entered_as_intention_is_graded_that_day(org):
    make_customer(org.rep_a, name="甲", category="intention", grade="A")
    row = reports.daily_report(actor=org.rep_a).rows[0]
    assert (row.new_customers, row.grade_changes) == (1, 1)


# --- grade O and its deposit ----------------------------------------------------------------


def test_grade_o_records_the_deposit(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a, data={"name": "甲", "category": "intention", "grade": "O"}
        )
    assert set(err.value.fields) == {"deposit_amount", "deposit_on"}
    c = make_customer(org.rep_b, name="乙", category="intention", grade="B")
    with pytest.raises(Invalid):
        lifecycle.customer_transition(
            actor=org.rep_b, customer_id=c.pk, version=c.version, to="intention", grade="O"
        )
    lifecycle.customer_transition(
        actor=org.rep_b,
        customer_id=c.pk,
        version=c.version,
        to="intention",
        grade="O",
        deposit_amount=Decimal("20000"),
        deposit_on=today(),
        reason="交了定金",
    )
    c.refresh_from_db()
    assert (c.grade, c.deposit_amount, c.deposit_on) == ("O", Decimal("20000.00"), today())


def test_a_deposit_paid_tomorrow_is_refused(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a,
            data={
                "name": "甲",
                "category": "intention",
                "grade": "O",
                "deposit_amount": "100",
                "deposit_on": today() + dt.timedelta(days=1),
            },
        )
    assert err.value.fields == {"deposit_on": "收定金日期不能晚于今天"}


# --- the deal date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deal_on", "message"),
    [
        (None, "成交客户必须填写成交日期"),
        (dt.timedelta(days=1), "成交日期不能晚于今天"),
        (dt.timedelta(days=-400), "成交日期不能早于客户登记日期"),
    ],
)
def test_a_deal_date_is_between_the_registration_and_today(org, deal_on, message):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="H")
    day = today() + deal_on if deal_on is not None else None
    with pytest.raises(Invalid) as err:
        lifecycle.customer_transition(
            actor=org.rep_a, customer_id=c.pk, version=c.version, to="retained", deal_on=day
        )
    assert err.value.fields["deal_on"].startswith(message)
    assert not Plan.objects.filter(customer=c).exists()


# --- what counts as a follow-up ---------------------------------------------------------------


def test_an_empty_note_is_kept_but_does_not_count(org):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="H")
    due = c.next_due_on
    note = activities.followup_record(actor=org.rep_a, customer_id=c.pk, data={"kind": "message"})
    c.refresh_from_db()
    assert note.counted is False
    assert c.last_contact_at is None
    assert c.next_due_on == due
    timeline = activities_selectors.customer_timeline(customer=c)
    assert next(i.kind for i in timeline) == "followup"


def test_a_note_by_the_data_administrator_does_not_reset_the_owners_cadence(org):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="H")
    due = c.next_due_on
    note = activities.followup_record(
        actor=org.data_admin, customer_id=c.pk, data={"kind": "call", "content": "核实电话号码"}
    )
    c.refresh_from_db()
    assert note.counted is False
    assert c.last_contact_at is None
    assert c.next_due_on == due
    # the manager is in the chain: the manager's call counts
    call = activities.followup_record(
        actor=org.manager, customer_id=c.pk, data={"kind": "call", "content": "经理回访报价"}
    )
    c.refresh_from_db()
    assert call.counted is True
    assert c.last_contact_at == call.occurred_at


def test_only_counted_follow_ups_meet_the_contact_status_requirement(org):
    c = make_customer(org.rep_a, name="甲", category="intention", grade="C")
    activities.followup_record(actor=org.rep_a, customer_id=c.pk, data={"kind": "message"})
    row = reports.contact_status_report(actor=org.rep_a).rows[0]
    assert (row.required, row.done) == (1, 0)
    activities.followup_record(
        actor=org.rep_a, customer_id=c.pk, data={"kind": "call", "content": "沟通需求"}
    )
    row = reports.contact_status_report(actor=org.rep_a).rows[0]
    assert (row.required, row.done) == (1, 1)
    assert FollowUp.objects.filter(customer=c, counted=True).count() == 1


# --- a grade that disagrees with the expected purchase date --------------------------------------


def test_a_grade_that_disagrees_with_the_expected_purchase_date_is_flagged(org):
    soon = make_customer(
        org.rep_a,
        name="甲",
        category="intention",
        grade="C",
        expected_purchase_on=today() + dt.timedelta(days=3),
    )
    assert lifecycle.grade_mismatch(soon) == "H"
    fits = make_customer(
        org.rep_a,
        name="乙",
        category="intention",
        grade="H",
        expected_purchase_on=today() + dt.timedelta(days=3),
    )
    assert lifecycle.grade_mismatch(fits) == ""
