"""销售机会管理 as the operating guide puts it (客户关系管理系统操作指南 四): 新建销售机会 (name,
expected amount), 阶段跟进 (follow-up with the next plan), 销售机会关闭 (won or lost with a
reason); stages with win probabilities, stale opportunities, the weighted forecast and the
funnel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.activities.choices import PlanKind
from crm.activities.models import FollowUp, Plan
from crm.core.errors import Conflict, Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.sales import selectors, services
from crm.sales.models import LostReason, Opportunity, Stage
from crm.testing import at

from .factories import default, make_opportunity, stages

MONDAY = dt.date(2026, 11, 2)


def verbs(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="sales.opportunity", object_id=str(obj.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def buyer(org, clock):
    clock(MONDAY, 8)  # registered before anything happens to it
    return make_customer(org.rep_a, name="星河机械", category="intention", grade="B")


# --- entering ------------------------------------------------------------------------------


def test_a_new_opportunity_starts_in_the_first_stage_of_the_default_pipeline(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer, expected_close_on="2026-12-20")

    assert opportunity.stage == stages()[0]
    assert opportunity.owner == org.rep_a
    assert opportunity.department == org.sales1
    assert opportunity.amount == Decimal("100000.00")
    assert opportunity.number.startswith("XS")
    assert verbs(opportunity) == ["opportunity.created"]


def test_product_lines_make_the_amount(org, buyer):
    opportunity = make_opportunity(
        org.rep_a,
        buyer,
        amount="1",
        currency="USD",
        lines=[
            {"product_name": "叉车 3 吨", "quantity": "2", "unit_price": "15000"},
            {"product_name": "电池组", "quantity": "4", "unit_price": "1200.50"},
        ],
    )

    assert opportunity.amount == Decimal("34802.00")
    assert opportunity.currency == "USD"
    assert [line.product_name for line in opportunity.lines.all()] == ["叉车 3 吨", "电池组"]


def test_a_customer_out_of_scope_cannot_get_an_opportunity(org, buyer):
    with pytest.raises(Invalid) as refused:
        make_opportunity(org.rep_c, buyer)
    assert "customer" in refused.value.fields
    assert not Opportunity.objects.exists()


def test_a_rep_cannot_hand_an_opportunity_to_another_rep(org, buyer):
    with pytest.raises(Invalid) as refused:
        make_opportunity(org.rep_a, buyer, owner=org.rep_b.pk)
    assert "owner" in refused.value.fields
    assert not Opportunity.objects.exists()


def test_a_manager_enters_one_for_a_rep_of_the_department(org, buyer):
    opportunity = make_opportunity(org.manager, buyer, owner=org.rep_a.pk)
    assert opportunity.owner == org.rep_a


def test_roles_without_opportunities_are_refused(org, buyer):
    with pytest.raises(PermissionDenied):
        make_opportunity(org.service_staff, buyer)


# --- stages ----------------------------------------------------------------------------------


def test_moving_to_another_stage_is_recorded_and_counts_as_activity(org, buyer, clock):
    clock(MONDAY, 9)
    opportunity = make_opportunity(org.rep_a, buyer)
    clock(MONDAY + dt.timedelta(days=3), 15)
    third = stages()[2]

    moved = services.opportunity_move(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "stage": third.pk}
    )

    assert moved.stage == third
    assert moved.version == 2
    assert moved.last_activity_at == at(MONDAY + dt.timedelta(days=3), 15)
    assert moved.furthest_position == third.position
    event = AuditEvent.objects.get(verb="opportunity.stage_changed")
    assert event.changes == {"stage": ["初步接洽", "方案报价"], "probability": [10, 50]}


def test_a_stale_version_is_a_conflict_and_nothing_moves(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    services.opportunity_move(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "stage": stages()[1].pk}
    )

    with pytest.raises(Conflict):
        services.opportunity_move(
            actor=org.manager,
            opportunity_id=opportunity.pk,
            data={"version": 1, "stage": stages()[3].pk},
        )
    opportunity.refresh_from_db()
    assert opportunity.stage == stages()[1]
    assert verbs(opportunity) == ["opportunity.created", "opportunity.stage_changed"]


def test_a_stage_of_another_pipeline_is_refused(org, buyer):
    other = services.pipeline_install(actor=org.manager, industry="trade")
    opportunity = make_opportunity(org.rep_a, buyer)
    with pytest.raises(Invalid):
        services.opportunity_move(
            actor=org.rep_a,
            opportunity_id=opportunity.pk,
            data={"version": 1, "stage": selectors.stages_of(other)[0].pk},
        )


def test_an_opportunity_out_of_scope_is_not_found(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    for outsider in (org.rep_b, org.manager2):
        with pytest.raises(NotFound):
            services.opportunity_move(
                actor=outsider,
                opportunity_id=opportunity.pk,
                data={"version": 1, "stage": stages()[1].pk},
            )


def test_an_edit_changes_the_fields_given_with_the_version_read(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    changed = services.opportunity_update(
        actor=org.rep_a,
        opportunity_id=opportunity.pk,
        version=1,
        data={"name": "二期设备采购", "amount": "250000"},
    )
    assert (changed.name, changed.amount, changed.version) == ("二期设备采购", Decimal("250000"), 2)
    event = AuditEvent.objects.get(verb="opportunity.changed")
    assert event.changes["name"] == ["办公设备采购", "二期设备采购"]
    with pytest.raises(Conflict):
        services.opportunity_update(
            actor=org.rep_a, opportunity_id=opportunity.pk, version=1, data={"name": "x"}
        )


# --- follow-ups ------------------------------------------------------------------------------


def test_a_follow_up_is_the_customers_record_with_the_next_plan(org, buyer, clock):
    clock(MONDAY, 9)
    opportunity = make_opportunity(org.rep_a, buyer)
    clock(MONDAY + dt.timedelta(days=2), 11)

    link = services.opportunity_follow_up(
        actor=org.rep_a,
        opportunity_id=opportunity.pk,
        data={
            "kind": "call",
            "content": "客户要求二次报价",
            "next_step": "周五前发送报价单",
            "next_at": at(MONDAY + dt.timedelta(days=4), 10).isoformat(),
        },
    )

    assert link.followup.customer == buyer
    assert FollowUp.objects.filter(customer=buyer).count() == 1
    plan = Plan.objects.get(customer=buyer)
    assert plan.content == "周五前发送报价单"
    opportunity.refresh_from_db()
    assert opportunity.last_activity_at == at(MONDAY + dt.timedelta(days=2), 11)
    assert verbs(opportunity) == ["opportunity.created", "opportunity.followed_up"]
    assert AuditEvent.objects.filter(verb="customer.followed_up").count() == 1


# --- stale ------------------------------------------------------------------------------------


def test_an_opportunity_is_stale_after_its_stages_days_without_activity(org, buyer, clock):
    clock(MONDAY, 9)
    first = make_opportunity(org.rep_a, buyer, name="首期")  # 初步接洽: stale after 14 days
    second = make_opportunity(org.rep_a, buyer, name="二期")
    services.opportunity_move(
        actor=org.rep_a, opportunity_id=second.pk, data={"version": 1, "stage": stages()[3].pk}
    )  # 商务谈判: stale after 7 days

    clock(MONDAY + dt.timedelta(days=8), 9)
    pipeline = default()
    board = selectors.board(actor=org.rep_a, pipeline=pipeline)
    by_stage = {c.stage.name: c for c in board.columns}
    assert by_stage["商务谈判"].stale == 1
    assert by_stage["初步接洽"].stale == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert not selectors.is_stale(first)
    assert selectors.is_stale(second)

    clock(MONDAY + dt.timedelta(days=15), 9)
    stale = selectors.opportunity_list(actor=org.rep_a, filters=selectors.Filters(stale=True)).items
    assert {o.name for o in stale} == {"首期", "二期"}


def test_a_follow_up_makes_a_stale_opportunity_current_again(org, buyer, clock):
    clock(MONDAY, 9)
    opportunity = make_opportunity(org.rep_a, buyer)
    clock(MONDAY + dt.timedelta(days=20), 9)
    services.opportunity_follow_up(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"kind": "call", "content": "回访"}
    )
    opportunity.refresh_from_db()
    assert not selectors.is_stale(opportunity)


# --- closing won ----------------------------------------------------------------------------


def test_winning_makes_the_customer_retained_with_the_deal_date(org, buyer, clock):
    clock(MONDAY, 9)
    opportunity = make_opportunity(org.rep_a, buyer)

    won = services.opportunity_win(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "note": "签约"}
    )

    assert won.status == "won"
    assert won.won_on == MONDAY
    customer = Customer.objects.get(pk=buyer.pk)
    assert customer.category == "retained"
    assert customer.deal_on == MONDAY
    # the lifecycle's hooks ran: the post-deal callbacks are planned
    assert Plan.objects.filter(customer=buyer, kind=PlanKind.CALLBACK).exists()
    assert verbs(won) == ["opportunity.created", "opportunity.won"]
    assert AuditEvent.objects.filter(verb="customer.category_changed").exists() or (
        AuditEvent.objects.filter(object_type="customers.customer", object_id=str(buyer.pk))
        .exclude(verb="customer.created")
        .exists()
    )


def test_winning_again_for_a_retained_customer_is_a_repeat_purchase(org):
    owner = make_customer(org.rep_a, name="老客户", category="retained")
    opportunity = make_opportunity(org.rep_a, owner)
    won = services.opportunity_win(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1}
    )
    assert won.status == "won"
    assert Customer.objects.get(pk=owner.pk).category == "retained"


def test_a_potential_customer_must_become_an_intention_customer_first(org):
    walk_in = make_customer(org.rep_a, name="潜在客户")
    opportunity = make_opportunity(org.rep_a, walk_in)
    with pytest.raises(StateConflict):
        services.opportunity_win(
            actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1}
        )
    opportunity.refresh_from_db()
    assert opportunity.status == "open"
    assert verbs(opportunity) == ["opportunity.created"]


def test_the_won_hooks_run_inside_the_win(org, buyer):
    seen = []

    def start_order(*, opportunity, actor):
        seen.append((opportunity.pk, opportunity.status, actor))

    services.on_won(start_order)
    try:
        opportunity = make_opportunity(org.rep_a, buyer)
        services.opportunity_win(
            actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1}
        )
    finally:
        services._ON_WON.remove(start_order)
    assert seen == [(opportunity.pk, "won", org.rep_a)]


def test_a_closed_opportunity_does_not_move(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    services.opportunity_win(actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1})
    with pytest.raises(StateConflict):
        services.opportunity_move(
            actor=org.rep_a,
            opportunity_id=opportunity.pk,
            data={"version": 2, "stage": stages()[1].pk},
        )


# --- closing lost ---------------------------------------------------------------------------


def test_losing_needs_a_reason_from_the_list(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    with pytest.raises(Invalid):
        services.opportunity_lose(
            actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "note": "丢了"}
        )
    price = LostReason.objects.get(name="价格过高")

    lost = services.opportunity_lose(
        actor=org.rep_a,
        opportunity_id=opportunity.pk,
        data={"version": 1, "reason": price.pk, "note": "竞品便宜 8%"},
    )

    assert (lost.status, lost.lost_reason, lost.close_note) == ("lost", price, "竞品便宜 8%")
    assert Customer.objects.get(pk=buyer.pk).category == "intention"  # its defeat is its own
    assert not selectors.open_elsewhere(lost)
    event = AuditEvent.objects.get(verb="opportunity.lost")
    assert event.changes["reason"] == [None, "价格过高"]


def test_a_retired_reason_cannot_be_chosen_but_stays_on_closed_ones(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    price = LostReason.objects.get(name="价格过高")
    services.opportunity_lose(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "reason": price.pk}
    )
    others = [{"id": r.pk, "name": r.name} for r in LostReason.objects.exclude(pk=price.pk)]

    services.lost_reasons_update(
        actor=org.manager, data={"reasons": [{"name": "交期太长"}, *others]}
    )

    price.refresh_from_db()
    assert not price.active
    assert price.name == "价格过高"
    assert [r.name for r in selectors.lost_reasons()][:2] == ["交期太长", "选择了竞争对手"]
    second = make_opportunity(org.rep_a, buyer)
    with pytest.raises(Invalid):
        services.opportunity_lose(
            actor=org.rep_a, opportunity_id=second.pk, data={"version": 1, "reason": price.pk}
        )
    assert AuditEvent.objects.filter(verb="lost_reasons.changed").count() == 1


def test_a_lost_opportunity_can_be_reopened(org, buyer):
    opportunity = make_opportunity(org.rep_a, buyer)
    reason = LostReason.objects.all()[0]
    services.opportunity_lose(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1, "reason": reason.pk}
    )
    reopened = services.opportunity_reopen(
        actor=org.rep_a, opportunity_id=opportunity.pk, version=2
    )
    assert (reopened.status, reopened.lost_reason, reopened.closed_at) == ("open", None, None)
    assert verbs(opportunity)[-1] == "opportunity.reopened"


# --- pipelines --------------------------------------------------------------------------------


def test_an_industry_template_installs_its_pipeline_once(org):
    first = services.pipeline_install(actor=org.manager, industry="realestate")
    again = services.pipeline_install(actor=org.manager, industry="realestate")

    assert first == again
    assert [s.name for s in selectors.stages_of(first)] == [
        "首次来访",
        "复访看房",
        "认筹",
        "认购",
        "签约按揭",
    ]
    assert not first.is_default
    with pytest.raises(PermissionDenied):
        services.pipeline_install(actor=org.rep_a, industry="auto")


def test_a_manager_reorders_and_changes_stages(org, buyer):
    pipeline = default()
    rows = [
        {"id": s.pk, "name": s.name, "probability": s.probability, "stale_days": s.stale_days}
        for s in selectors.stages_of(pipeline)
    ]
    rows[0], rows[1] = rows[1], rows[0]
    rows[2]["probability"] = 60
    rows.append({"name": "回款", "probability": 100})

    changed = services.pipeline_update(
        actor=org.manager,
        pipeline_id=pipeline.pk,
        version=1,
        data={"name": pipeline.name, "stages": rows},
    )

    assert [(s.name, s.probability) for s in selectors.stages_of(changed)] == [
        ("需求确认", 25),
        ("初步接洽", 10),
        ("方案报价", 60),
        ("商务谈判", 75),
        ("合同签订", 90),
        ("回款", 100),
    ]
    assert AuditEvent.objects.filter(verb="pipeline.changed").count() == 1


def test_a_stage_with_open_opportunities_cannot_be_removed(org, buyer):
    pipeline = default()
    make_opportunity(org.rep_a, buyer)  # in 初步接洽
    rows = [
        {"id": s.pk, "name": s.name, "probability": s.probability}
        for s in selectors.stages_of(pipeline)[1:]
    ]
    with pytest.raises(StateConflict):
        services.pipeline_update(
            actor=org.manager,
            pipeline_id=pipeline.pk,
            version=1,
            data={"name": pipeline.name, "stages": rows},
        )
    assert Stage.objects.filter(pipeline=pipeline, active=True).count() == 5


# --- the forecast and the funnel --------------------------------------------------------------


def test_the_forecast_weights_each_amount_by_its_stage_probability(org, buyer, clock):
    clock(MONDAY, 9)
    december = dt.date(2026, 12, 15)
    a = make_opportunity(org.rep_a, buyer, amount="100000", expected_close_on=december)
    make_opportunity(org.rep_a, buyer, amount="40000", expected_close_on=december)
    services.opportunity_move(
        actor=org.rep_a, opportunity_id=a.pk, data={"version": 1, "stage": stages()[2].pk}
    )  # 50 %
    other = make_customer(org.rep_b, name="乙客户")
    make_opportunity(org.rep_b, other, amount="10000", expected_close_on="2027-01-05")
    make_opportunity(org.rep_b, other, amount="99999", currency="USD", expected_close_on=december)

    seen = selectors.forecast(actor=org.manager, start=MONDAY, months=3)

    dec, jan = dt.date(2026, 12, 1), dt.date(2027, 1, 1)
    cell = seen.cell(org.rep_a.pk, dec)
    assert (cell.count, cell.amount, cell.weighted) == (2, Decimal("140000"), Decimal("54000"))
    assert seen.cell(org.rep_b.pk, jan).weighted == Decimal("1000")
    assert seen.total.amount == Decimal("150000")  # the USD one is not added to the CNY
    assert seen.months == [dt.date(2026, 11, 1), dec, jan]
    # a rep sees their own row only
    own = selectors.forecast(actor=org.rep_b, start=MONDAY, months=3)
    assert [r.pk for r in own.reps] == [org.rep_b.pk]


def test_the_funnel_counts_who_reached_each_stage_and_converts(org, buyer, clock):
    clock(MONDAY, 9)
    s = stages()
    made = [make_opportunity(org.rep_a, buyer, name=f"机会{n}", amount="1000") for n in range(4)]
    for opportunity, target in zip(made[:3], (s[1], s[2], s[2]), strict=True):
        services.opportunity_move(
            actor=org.rep_a,
            opportunity_id=opportunity.pk,
            data={"version": 1, "stage": target.pk},
        )
    services.opportunity_win(actor=org.rep_a, opportunity_id=made[2].pk, data={"version": 2})

    seen = selectors.funnel(actor=org.rep_a, pipeline=s[0].pipeline, since=MONDAY, until=MONDAY)

    assert [step.reached for step in seen.steps] == [4, 3, 2, 1, 1]
    assert [step.now for step in seen.steps] == [1, 1, 1, 0, 0]
    assert seen.steps[0].conversion == 0.75
    assert seen.steps[4].conversion == 1.0  # the won one
    assert (seen.created, seen.won, seen.won_amount) == (4, 1, Decimal("1000"))


def test_the_reasons_report_counts_lost_ones_by_reason(org, buyer):
    price, rival = LostReason.objects.all()[:2]
    for reason in (price, price, rival):
        opportunity = make_opportunity(org.rep_a, buyer)
        services.opportunity_lose(
            actor=org.rep_a,
            opportunity_id=opportunity.pk,
            data={"version": 1, "reason": reason.pk},
        )
    opportunity = make_opportunity(org.rep_a, buyer)
    services.opportunity_win(actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": 1})
    today = MONDAY

    seen = selectors.reasons(actor=org.manager, since=today, until=today)

    assert [(r.name, r.count) for r in seen.rows] == [("价格过高", 2), ("选择了竞争对手", 1)]
    assert (seen.won, seen.lost) == (1, 3)
    assert selectors.reasons(actor=org.rep_c, since=today, until=today).lost == 0


# --- the tally ----------------------------------------------------------------------------------


def _tally_rows():
    from crm.sales.models import Tally

    return sorted(
        (t.stage_id, t.status, t.furthest_position, t.currency, t.owner_id, t.month, t.count,
         t.amount)
        for t in Tally.objects.exclude(count=0)
    )  # fmt: skip


def test_the_tally_follows_every_change_and_equals_a_recount(org, buyer):
    from crm.sales import tally

    # given opportunities entered, edited, moved, handed over, won, lost and reopened
    a = make_opportunity(org.rep_a, buyer, amount="1000")
    b = make_opportunity(org.manager, buyer, amount="2000", owner=org.rep_a.pk)
    c = make_opportunity(org.rep_a, buyer, amount="3000", currency="USD")
    services.opportunity_update(
        actor=org.rep_a, opportunity_id=a.pk, version=1, data={"amount": "1500"}
    )
    services.opportunity_move(
        actor=org.rep_a, opportunity_id=a.pk, data={"version": 2, "stage": stages()[2].pk}
    )
    services.opportunity_update(
        actor=org.manager, opportunity_id=b.pk, version=1, data={"owner": org.rep_b.pk}
    )
    services.opportunity_win(actor=org.rep_a, opportunity_id=a.pk, data={"version": 3})
    reason = LostReason.objects.all()[0]
    services.opportunity_lose(
        actor=org.rep_a, opportunity_id=c.pk, data={"version": 1, "reason": reason.pk}
    )
    services.opportunity_reopen(actor=org.rep_a, opportunity_id=c.pk, version=2)

    # when the tally is recounted from the opportunities, then nothing changes
    kept = _tally_rows()
    tally.rebuild()
    assert _tally_rows() == kept
    board = selectors.board(actor=org.manager, pipeline=default())
    assert {c.stage.name: c.count for c in board.columns if c.count} == {"初步接洽": 2}
    assert board.totals == {"CNY": Decimal("2000"), "USD": Decimal("3000")}
    assert selectors.board(actor=org.rep_a, pipeline=default()).count == 1  # b is rep_b's now


def test_the_morning_digest_lists_the_owners_stale_opportunities(org, buyer, clock):
    from crm.activities import services as activities

    clock(MONDAY, 9)
    make_opportunity(org.rep_a, buyer, name="叉车采购")  # 初步接洽: stale after 14 days
    clock(MONDAY + dt.timedelta(days=20), 10)

    digest = activities.daily_digest(user=org.rep_a, today=MONDAY + dt.timedelta(days=20))

    assert digest is not None
    assert "【停滞的销售机会】1 个" in digest.body
    assert "叉车采购（星河机械，初步接洽，20 天无跟进）" in digest.body
    assert activities.daily_digest(user=org.rep_b, today=MONDAY + dt.timedelta(days=20)) is None
