"""The public pool's rules as the issue states them: customers nobody follows up return to the
pool after a warning to their owner; members claim within quotas; a former owner waits; a cap
per rep; administrators and managers assign; a locked customer never returns; reps see the pool
masked until they claim; every change of owner is in the customer's history with its reason."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.activities import services as activities
from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers import lifecycle
from crm.customers import selectors as customer_selectors
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.pool import selectors, services
from crm.pool.models import PoolEntry, PoolWarning

MONDAY = dt.date(2026, 11, 23)


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def history(customer: Customer, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(customer.pk), verb=verb).order_by("id"))


def returned_customer(org, clock, pool, **data):
    """A customer of rep_a registered on MONDAY, returned on day 10."""
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name=data.pop("name", "星河机械"), **data)
    clock(day(10), 1)
    services.pool_return_due()
    customer.refresh_from_db()
    return customer


# --- return and warning -------------------------------------------------------------------


def test_customer_not_followed_up_for_n_days_returns_with_a_warning_m_days_before(org, clock, pool):
    # given rep_a's customer, registered on Monday and never followed up (10 days, warn 3)
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="星河机械", phone="13911112222")

    # when the nightly pass runs on day 6: nothing yet
    clock(day(6), 1)
    assert services.pool_return_due().as_dict() == {"returned": 0, "warned": 0}
    assert selectors.returning(actor=org.rep_a) == []

    # on day 7 (3 days before): rep_a is warned once, and Today lists the customer
    clock(day(7), 1)
    assert services.pool_return_due().as_dict() == {"returned": 0, "warned": 1}
    reminder = Notification.objects.get(user=org.rep_a, kind="pool_warning")
    assert reminder.title == "1 位客户即将收回公海，请及时跟进"
    assert reminder.body == "星河机械"
    coming = selectors.returning(actor=org.rep_a)
    assert [(r.name, r.return_on, r.days_left) for r in coming] == [("星河机械", day(10), 3)]
    clock(day(8), 1)
    assert services.pool_return_due().as_dict() == {"returned": 0, "warned": 0}  # once a cycle
    assert Notification.objects.filter(kind="pool_warning").count() == 1

    # on day 10 it returns: no owner, in the pool, its former owner and reason recorded
    clock(day(10), 1)
    assert services.pool_return_due().as_dict() == {"returned": 1, "warned": 0}
    customer.refresh_from_db()
    assert customer.owner is None
    entry = PoolEntry.objects.get(customer=customer, left_at__isnull=True)
    assert (entry.pool, entry.former_owner, entry.reason) == (
        pool,
        org.rep_a,
        "超过 10 天未跟进，收回公海“一部公海”",
    )
    [event] = history(customer, "customer.returned_to_pool")
    assert event.reason == "超过 10 天未跟进，收回公海“一部公海”"
    assert event.changes["owner"] == [org.rep_a.pk, None]
    assert event.actor is None
    with pytest.raises(NotFound):  # no longer rep_a's
        customer_selectors.customer_get(actor=org.rep_a, customer_id=customer.pk)


def test_a_follow_up_starts_the_count_again(org, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="星河机械")
    clock(day(5), 15)
    activities.followup_record(
        actor=org.rep_a, customer_id=customer.pk, data={"kind": "call", "content": "报价"}
    )
    clock(day(10), 1)
    assert services.pool_return_due().returned == 0
    clock(day(15), 1)
    assert services.pool_return_due().returned == 1


def test_the_nightly_pass_is_idempotent(org, clock, pool):
    customer = returned_customer(org, clock, pool)
    assert services.pool_return_due().as_dict() == {"returned": 0, "warned": 0}
    assert PoolEntry.objects.filter(customer=customer).count() == 1
    assert len(history(customer, "customer.returned_to_pool")) == 1


def test_a_customer_with_a_deal_is_exempt_unless_the_rule_says_otherwise(org, clock, pool):
    clock(MONDAY, 9)
    retained = make_customer(org.rep_a, name="老客户", category="retained")
    clock(day(20), 1)
    assert services.pool_return_due().returned == 0

    # given a rule that includes customers with a deal (no follow-up for 10 days)
    services.rule_add(
        actor=org.gm,
        pool_id=pool.pk,
        data={"kind": "no_followup", "days": 10, "category": "retained", "include_deals": True},
    )
    assert services.pool_return_due().returned == 1
    retained.refresh_from_db()
    assert retained.owner is None


def test_no_new_opportunity_counts_from_entering_intention(org, clock, pool):
    services.rule_add(
        actor=org.gm, pool_id=pool.pk, data={"kind": "no_opportunity", "days": 5, "grade": "C"}
    )
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="意向客户")
    clock(day(3), 9)
    customer.refresh_from_db()
    lifecycle.customer_transition(
        actor=org.rep_a,
        customer_id=customer.pk,
        version=customer.version,
        to="intention",
        grade="C",
    )
    # followed up every day: the follow-up rule never fires, the opportunity rule does
    for n in range(4, 8):
        clock(day(n), 9)
        activities.followup_record(
            actor=org.rep_a, customer_id=customer.pk, data={"kind": "call", "content": "问候"}
        )
        clock(day(n), 1)
        assert services.pool_return_due().returned == 0
    clock(day(8), 23)
    assert services.pool_return_due(now=clock(day(8), 23)).returned == 1
    [event] = history(customer, "customer.returned_to_pool")
    assert event.reason == "超过 5 天无新商机，收回公海“一部公海”"


def test_a_locked_customer_never_returns(org, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="重点客户")
    services.customer_pool_lock(
        actor=org.manager, customer_id=customer.pk, data={"reason": "集团客户，专人维护"}
    )
    [event] = history(customer, "customer.pool_locked")
    assert event.reason == "集团客户，专人维护"
    clock(day(60), 1)
    assert services.pool_return_due().as_dict() == {"returned": 0, "warned": 0}
    assert selectors.returning(actor=org.rep_a) == []

    # unlocked, it returns the next night
    services.customer_pool_unlock(actor=org.manager, customer_id=customer.pk)
    assert services.pool_return_due().returned == 1


def test_a_rep_cannot_lock(org, pool):
    customer = make_customer(org.rep_a, name="重点客户")
    with pytest.raises(PermissionDenied):
        services.customer_pool_lock(actor=org.rep_a, customer_id=customer.pk, data={"reason": "x"})


def test_customers_of_non_members_do_not_return(org, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_c, name="二部客户")
    clock(day(30), 1)
    assert services.pool_return_due().returned == 0
    customer.refresh_from_db()
    assert customer.owner == org.rep_c


# --- claiming -------------------------------------------------------------------------------


def test_a_member_sees_the_pool_masked_until_they_claim(org, clock, pool):
    customer = returned_customer(
        org, clock, pool, phone="13911112222", company="星河集团", city="苏州"
    )
    [row] = selectors.pool_customers(actor=org.rep_b, filters=selectors.PoolFilters()).items
    assert (row.name, row.phone, row.company, row.city) == ("星河机械", "139****2222", None, "苏州")
    assert not row.readable
    with pytest.raises(NotFound):
        customer_selectors.customer_get(actor=org.rep_b, customer_id=customer.pk)

    services.pool_claim(actor=org.rep_b, data={"customers": [customer.pk]})

    mine = customer_selectors.customer_get(actor=org.rep_b, customer_id=customer.pk)
    assert (mine.owner, mine.phone, mine.company) == (org.rep_b, "13911112222", "星河集团")
    assert selectors.pool_customers(actor=org.rep_b, filters=selectors.PoolFilters()).items == []
    [event] = history(customer, "customer.claimed_from_pool")
    assert (event.actor, event.reason) == (org.rep_b, "从公海“一部公海”领取")
    assert event.changes["owner"] == [None, org.rep_b.pk]


def test_outsiders_neither_see_nor_claim(org, clock, pool):
    customer = returned_customer(org, clock, pool)
    assert selectors.pool_customers(actor=org.rep_c, filters=selectors.PoolFilters()).items == []
    with pytest.raises(NotFound):
        services.pool_claim(actor=org.rep_c, data={"customers": [customer.pk]})
    # the manager of 销售一部 sees the department's pool and may open the customer
    [row] = selectors.pool_customers(actor=org.manager, filters=selectors.PoolFilters()).items
    assert row.readable


def test_the_former_owner_cannot_reclaim_within_k_days(org, clock, pool):
    customer = returned_customer(org, clock, pool)
    with pytest.raises(StateConflict) as refused:
        services.pool_claim(actor=org.rep_a, data={"customers": [customer.pk]})
    assert str(refused.value) == "您是该客户的原负责人，2026-12-33 之后才能再领取".replace(
        "2026-12-33", (day(10) + dt.timedelta(days=30)).isoformat()
    )
    clock(day(40), 9)
    services.pool_claim(actor=org.rep_a, data={"customers": [customer.pk]})
    customer.refresh_from_db()
    assert customer.owner == org.rep_a


def _pool_of(org, clock, pool, n):
    clock(MONDAY, 9)
    made = [make_customer(org.rep_a, name=f"客户{i}") for i in range(n)]
    clock(day(10), 1)
    services.pool_return_due()
    clock(day(10), 9)
    return [c.pk for c in made]


def test_claims_per_time_and_per_day_are_limited(org, clock, pool):
    ids = _pool_of(org, clock, pool, 4)
    with pytest.raises(StateConflict, match="每次最多领取 2 位客户"):
        services.pool_claim(actor=org.rep_b, data={"customers": ids[:3]})
    services.pool_claim(actor=org.rep_b, data={"customers": ids[:1]})
    services.pool_claim(actor=org.rep_b, data={"customers": ids[1:2]})
    with pytest.raises(StateConflict, match="每人每天最多领取 2 位客户，今天已领取 2 位"):
        services.pool_claim(actor=org.rep_b, data={"customers": ids[2:3]})
    assert selectors.claims_left_today(actor=org.rep_b, pool=pool) == 0
    # the next day the quota is whole again
    clock(day(11), 9)
    services.pool_claim(actor=org.rep_b, data={"customers": ids[2:4]})
    assert Customer.objects.filter(owner=org.rep_b).count() == 4


def test_the_cap_per_rep_holds_for_claims_and_assignments(org, clock, pool):
    ids = _pool_of(org, clock, pool, 3)
    services.pool_update(
        actor=org.gm,
        pool_id=pool.pk,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
            "claims_per_day": 10,
            "claims_per_time": 5,
            "cap_per_rep": 1,
        },
    )
    with pytest.raises(StateConflict, match="上限 1 位"):
        services.pool_claim(actor=org.rep_b, data={"customers": ids[:2]})
    services.pool_claim(actor=org.rep_b, data={"customers": ids[:1]})
    with pytest.raises(StateConflict, match="李小红 名下已有 1 位客户，上限 1 位"):
        services.pool_assign(actor=org.manager, data={"customers": ids[1:2], "owner": org.rep_b.pk})


def test_an_administrator_or_a_manager_assigns_from_the_pool(org, clock, pool):
    ids = _pool_of(org, clock, pool, 3)
    # rep_b administers the pool; rep_a is only a member
    with pytest.raises(NotFound):
        services.pool_assign(actor=org.rep_a, data={"customers": ids[:1], "owner": org.rep_a.pk})
    services.pool_assign(actor=org.rep_b, data={"customers": ids[:1], "owner": org.rep_a.pk})
    services.pool_assign(actor=org.manager, data={"customers": ids[1:2], "owner": org.rep_b.pk})
    owners = dict(Customer.objects.filter(pk__in=ids[:2]).values_list("pk", "owner"))
    assert owners == {ids[0]: org.rep_a.pk, ids[1]: org.rep_b.pk}
    event = history(Customer.objects.get(pk=ids[1]), "customer.assigned_from_pool")[0]
    assert event.reason == "由 陈经理 从公海“一部公海”分配"
    # not to someone outside the pool
    with pytest.raises(Invalid):
        services.pool_assign(actor=org.manager, data={"customers": ids[2:], "owner": org.rep_c.pk})


def test_a_claimed_customer_counts_from_the_claim(org, clock, pool):
    customer = returned_customer(org, clock, pool)
    clock(day(15), 9)
    services.pool_claim(actor=org.rep_b, data={"customers": [customer.pk]})
    clock(day(24), 1)
    assert services.pool_return_due().returned == 0  # 9 days since the claim
    clock(day(25), 1)
    assert services.pool_return_due().returned == 1
    assert [e.former_owner for e in PoolEntry.objects.filter(customer=customer)] == [
        org.rep_b,
        org.rep_a,
    ]


def test_the_warning_is_in_the_digest(org, clock, pool):
    clock(MONDAY, 9)
    make_customer(org.rep_a, name="星河机械")
    digest = activities.daily_digest(user=org.rep_a, today=day(8))
    assert digest is not None
    assert "【即将收回公海】1 位客户" in digest.body
    assert "星河机械（2026-12-03 收回公海“一部公海”）" in digest.body


def test_pool_settings_are_audited_and_scoped(org):
    made = services.pool_create(
        actor=org.manager, data={"name": "一部二号公海", "department": org.sales1.pk}
    )
    assert AuditEvent.objects.filter(verb="pool.created", object_id=str(made.pk)).exists()
    with pytest.raises(Invalid):  # a manager's pools are their own department's
        services.pool_create(
            actor=org.manager, data={"name": "二部公海", "department": org.sales2.pk}
        )
    with pytest.raises(NotFound):
        services.rule_add(actor=org.manager2, pool_id=made.pk, data={"kind": "no_deal", "days": 90})
    rule = services.rule_add(
        actor=org.manager, pool_id=made.pk, data={"kind": "no_deal", "days": 90}
    )
    services.rule_remove(actor=org.manager, pool_id=made.pk, rule_id=rule.pk)
    verbs = list(
        AuditEvent.objects.filter(object_id=str(made.pk), object_type="pool.pool")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["pool.created", "pool.rule_added", "pool.rule_removed"]
    assert PoolWarning.objects.count() == 0


def test_an_owner_puts_a_customer_into_the_pool_with_a_reason(org, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="不想跟的客户")
    entry = services.pool_release(
        actor=org.rep_a, customer_id=customer.pk, pool_id=pool.pk, reason="客户去外地了"
    )
    customer.refresh_from_db()
    assert (customer.owner, entry.former_owner) == (None, org.rep_a)
    [event] = history(customer, "customer.released_to_pool")
    assert event.reason == "放入公海“一部公海”：客户去外地了"
    # and may not take it straight back
    with pytest.raises(StateConflict):
        services.pool_claim(actor=org.rep_a, data={"customers": [customer.pk]})


def test_a_returned_customer_leaves_its_former_owners_search(org, clock, pool):
    customer = returned_customer(org, clock, pool, name="星河机械", phone="13911112222")
    search = customer_selectors.CustomerFilters(q="星河")

    def found(actor):
        return [c.pk for c in customer_selectors.customer_list(actor=actor, filters=search).items]

    assert found(org.rep_a) == []
    assert found(org.manager) == [customer.pk]  # still 销售一部's
    services.pool_claim(actor=org.rep_b, data={"customers": [customer.pk]})
    assert found(org.rep_b) == [customer.pk]
