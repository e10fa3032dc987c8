"""老带新客户激励实施方案, rule by rule: the card is the retained customer's, valid for a period; a
new customer is linked by the card or because the old customer came along; the old customer,
the new customer and the sales manager each confirm, recorded with who and when; a link missing
at the first visit must be completed (or declined by the manager) before the new customer
signs; the old customer's reward is recorded once, when the deal closes; a ranking of referrers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.accounts.roles import DEFAULT_GRANTS, REFERRAL_GRANTS
from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers import lifecycle
from crm.customers.models import Customer, LifecycleEvent
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.referrals import selectors, services
from crm.referrals.models import ReferralCard, ReferralLink, Reward
from crm.referrals.tests.factories import rewarded

MONDAY = dt.date(2026, 11, 23)


def verbs(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .values_list("verb", flat=True)
        .order_by("id")
    )


def sign(customer: Customer, actor) -> None:
    """The new customer signs: becomes retained today."""
    customer.refresh_from_db()
    lifecycle.customer_transition(
        actor=actor,
        customer_id=customer.pk,
        version=customer.version,
        to="retained",
        deal_on=timezone.localdate(),
    )


@pytest.fixture
def old(org):
    """老客户: rep_b's retained customer."""
    return make_customer(org.rep_b, name="老业主", category="retained")


@pytest.fixture
def new(org):
    """新客户: rep_a's intention customer."""
    return make_customer(org.rep_a, name="新客户", category="intention", grade="H")


def accompanied(org, old: Customer, new: Customer) -> ReferralLink:
    """The front desk registers ``new``, who came with ``old``."""
    link = services.referral_link_at_registration(
        actor=org.receptionist, customer=new, referrer_id=old.pk
    )
    assert link is not None
    return link


def code(card: ReferralCard) -> str:
    assert card.code is not None
    return card.code


def confirm_all(link, org) -> ReferralLink:
    services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="referrer")
    services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="customer")
    return services.referral_confirm(actor=org.manager, link_id=link.pk, party="manager")


# --- the card -------------------------------------------------------------------------------


def test_a_card_is_issued_to_a_retained_customer_with_a_readable_code_and_a_period(org, old, clock):
    clock(MONDAY)
    card = services.card_issue(actor=org.rep_b, customer_id=old.pk)
    assert card.code == f"LD{card.pk:06d}"
    assert card.valid_from == MONDAY
    assert card.valid_until == MONDAY + dt.timedelta(days=180)  # the company's period
    assert card.issued_by == org.rep_b
    assert verbs(card) == ["referral_card.issued"]


def test_a_card_only_for_a_retained_customer(org, new):
    with pytest.raises(StateConflict, match="只有保有客户"):
        services.card_issue(actor=org.rep_a, customer_id=new.pk)


def test_a_rep_issues_cards_only_to_own_customers(org, old):
    with pytest.raises(NotFound):
        services.card_issue(actor=org.rep_a, customer_id=old.pk)
    with pytest.raises(PermissionDenied):
        services.card_issue(actor=org.receptionist, customer_id=old.pk)


def test_the_card_period_is_the_companys_setting(org, old, clock):
    clock(MONDAY)
    services.referral_settings_update(
        actor=org.gm, data={"card_valid_days": 30, "reward_description": "一年物业费"}
    )
    card = services.card_issue(actor=org.rep_b, customer_id=old.pk)
    assert card.valid_until == MONDAY + dt.timedelta(days=30)
    with pytest.raises(PermissionDenied):
        services.referral_settings_update(actor=org.manager, data={"card_valid_days": 10})


# --- the link at the first visit ------------------------------------------------------------


def test_a_new_customer_registered_with_a_card_is_linked_to_the_cardholder(org, old, new):
    card = services.card_issue(actor=org.rep_b, customer_id=old.pk)
    link = services.referral_link_at_registration(
        actor=org.receptionist, customer=new, card_code=code(card).lower()
    )
    assert link is not None
    assert (link.referrer, link.card, link.via, link.made_at_first_visit) == (
        old,
        card,
        "card",
        True,
    )
    assert link.state == "pending"
    assert verbs(link) == ["referral.linked"]


def test_a_new_customer_accompanied_by_the_old_customer_is_linked_without_a_card(org, old, new):
    link = accompanied(org, old, new)
    assert link is not None
    assert (link.referrer, link.card, link.via) == (old, None, "accompanied")


def test_registration_without_card_or_companion_makes_no_link(org, new):
    assert services.referral_link_at_registration(actor=org.receptionist, customer=new) is None
    assert not ReferralLink.objects.exists()


def test_an_expired_card_is_refused(org, old, new, clock):
    clock(MONDAY)
    card = services.card_issue(
        actor=org.rep_b, customer_id=old.pk, data={"valid_until": MONDAY.isoformat()}
    )
    clock(MONDAY + dt.timedelta(days=1))
    with pytest.raises(Invalid) as exc:
        services.referral_link_at_registration(
            actor=org.receptionist, customer=new, card_code=code(card)
        )
    assert exc.value.fields == {"referral_card": f"该老带新优惠卡已过期（有效期至 {MONDAY}）"}
    assert not ReferralLink.objects.exists()


def test_a_card_not_yet_valid_an_unknown_card_and_a_revoked_card_are_refused(org, old, new, clock):
    clock(MONDAY)
    later = services.card_issue(
        actor=org.rep_b, customer_id=old.pk, data={"valid_from": "2026-12-01"}
    )
    revoked = services.card_issue(actor=org.rep_b, customer_id=old.pk)
    services.card_revoke(actor=org.rep_b, card_id=revoked.pk, reason="卡片遗失")
    assert verbs(revoked) == ["referral_card.issued", "referral_card.revoked"]
    cases = {
        code(later): "该老带新优惠卡 2026-12-01 起才生效",
        "LD999999": "老带新优惠卡号不存在",
        code(revoked): "该老带新优惠卡已作废",
    }
    for number, message in cases.items():
        with pytest.raises(Invalid) as exc:
            services.referral_link_at_registration(
                actor=org.receptionist, customer=new, card_code=number
            )
        assert exc.value.fields == {"referral_card": message}


def test_the_companion_must_be_a_retained_customer_and_not_the_visitor(org, new):
    other = make_customer(org.rep_b, name="也是新客户")
    for referrer_id, message in (
        (other.pk, "老客户须为保有客户（已成交）"),
        (new.pk, "不能关联客户本人"),
        (10**9, "老客户不存在"),
    ):
        with pytest.raises(Invalid) as exc:
            services.referral_link_at_registration(
                actor=org.receptionist, customer=new, referrer_id=referrer_id
            )
        assert exc.value.fields == {"referrer": message}


def test_a_customer_is_linked_to_one_old_customer_only(org, old, new):
    services.referral_link_at_registration(actor=org.receptionist, customer=new, referrer_id=old.pk)
    with pytest.raises(StateConflict, match="已关联老客户 老业主"):
        services.referral_link_create(
            actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
        )


# --- the three confirmations ----------------------------------------------------------------


def test_the_three_confirmations_are_each_recorded_with_who_and_when(org, old, new, clock):
    link = accompanied(org, old, new)
    clock(MONDAY, 10)
    services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="referrer")
    clock(MONDAY, 11)
    services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="customer")
    assert ReferralLink.objects.get(pk=link.pk).state == "pending"
    clock(MONDAY, 15)
    link = services.referral_confirm(actor=org.manager, link_id=link.pk, party="manager")
    assert (link.referrer_confirmed_by, timezone.localtime(link.referrer_confirmed_at).hour) == (
        org.rep_a,
        10,
    )
    assert (link.customer_confirmed_by, timezone.localtime(link.customer_confirmed_at).hour) == (
        org.rep_a,
        11,
    )
    assert (link.manager_confirmed_by, timezone.localtime(link.manager_confirmed_at).hour) == (
        org.manager,
        15,
    )
    assert link.state == "complete"
    assert verbs(link) == ["referral.linked", *["referral.confirmed"] * 3]
    last = AuditEvent.objects.filter(verb="referral.confirmed").latest("id")
    assert last.details == {"party": "manager", "state": "complete"}
    assert last.actor == org.manager


def test_only_a_sales_manager_confirms_for_the_manager_and_each_confirms_once(org, old, new):
    link = accompanied(org, old, new)
    with pytest.raises(PermissionDenied):
        services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="manager")
    with pytest.raises(NotFound):  # another department's manager
        services.referral_confirm(actor=org.manager2, link_id=link.pk, party="manager")
    services.referral_confirm(actor=org.manager, link_id=link.pk, party="manager")
    with pytest.raises(StateConflict):
        services.referral_confirm(actor=org.manager, link_id=link.pk, party="manager")
    with pytest.raises(Invalid):
        services.referral_confirm(actor=org.manager, link_id=link.pk, party="boss")


# --- referral completion blocking the deal --------------------------------------------------


def test_a_link_completed_later_blocks_the_deal_until_all_three_confirm(org, old, new):
    # the new customer came alone the first time: the link is completed later (补齐关联手续)
    link = services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    assert link.made_at_first_visit is False
    with pytest.raises(StateConflict) as exc:
        sign(new, org.rep_a)
    assert "老带新关联手续未补齐（缺老客户、新客户、销售经理）" in str(exc.value)
    assert "to" in exc.value.fields
    new.refresh_from_db()
    assert new.category == "intention"
    confirm_all(link, org)
    sign(new, org.rep_a)
    new.refresh_from_db()
    assert new.category == "retained"


def test_a_link_declined_by_the_manager_no_longer_blocks_the_deal_and_earns_nothing(org, old, new):
    link = services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    with pytest.raises(PermissionDenied):
        services.referral_decline(actor=org.rep_a, link_id=link.pk, reason="非老客户介绍")
    with pytest.raises(Invalid):
        services.referral_decline(actor=org.manager, link_id=link.pk, reason="  ")
    link = services.referral_decline(actor=org.manager, link_id=link.pk, reason="非老客户介绍")
    assert (link.state, link.declined_by, link.decline_reason) == (
        "declined",
        org.manager,
        "非老客户介绍",
    )
    with pytest.raises(StateConflict):
        services.referral_confirm(actor=org.rep_a, link_id=link.pk, party="customer")
    sign(new, org.rep_a)
    assert not Reward.objects.exists()
    assert verbs(link) == ["referral.linked", "referral.declined"]


def test_a_customer_without_a_link_signs_as_before(org, new):
    sign(new, org.rep_a)
    new.refresh_from_db()
    assert new.category == "retained"


def test_no_link_for_a_customer_who_has_already_signed(org, old):
    done = make_customer(org.rep_a, name="已成交", category="retained")
    with pytest.raises(StateConflict, match="客户已成交"):
        services.referral_link_create(
            actor=org.rep_a, customer_id=done.pk, data={"referrer_number": old.number}
        )


# --- the reward -----------------------------------------------------------------------------


def test_the_reward_is_recorded_once_when_the_deal_closes_and_the_old_customers_rep_is_told(
    org, old, new
):
    services.referral_settings_update(
        actor=org.gm, data={"reward_amount": "2000", "reward_description": "一年物业费"}
    )
    link = accompanied(org, old, new)
    confirm_all(link, org)
    assert not Reward.objects.exists()  # nothing before the deal
    sign(new, org.rep_a)
    reward = Reward.objects.get()
    assert (reward.referrer, reward.amount, reward.description) == (
        old,
        Decimal("2000.00"),
        "一年物业费",
    )
    assert verbs(reward) == ["referral.rewarded"]
    note = Notification.objects.get(user=org.rep_b, kind="referral_reward")
    assert "老业主" in note.title
    assert "新客户" in note.title
    # once: the deal closing again (the hook called twice) records nothing more
    event = LifecycleEvent.objects.filter(customer=new).latest("id")
    services.reward_on_deal(customer=new, event=event, actor=org.rep_a)
    assert Reward.objects.count() == 1
    assert AuditEvent.objects.filter(verb="referral.rewarded").count() == 1


# --- the ranking ----------------------------------------------------------------------------


def test_the_ranking_orders_referrers_by_deals_then_complete_links_then_referrals(org):
    top = make_customer(org.rep_a, name="甲老客户", category="retained")
    second = make_customer(org.rep_a, name="乙老客户", category="retained")
    third = make_customer(org.rep_a, name="丙老客户", category="retained")

    def referred(referrer, name, *, complete=False, deal=False):
        c = make_customer(org.rep_a, name=name, category="intention", grade="A")
        link = services.referral_link_create(
            actor=org.rep_a, customer_id=c.pk, data={"referrer_number": referrer.number}
        )
        if complete:
            confirm_all(link, org)
        if deal:
            sign(c, org.rep_a)

    referred(third, "三1")
    referred(third, "三2")
    referred(third, "三3")
    referred(second, "二1", complete=True)
    referred(top, "一1", complete=True, deal=True)
    rows = selectors.referrer_ranking(actor=org.manager)
    assert [(r.rank, r.name, r.referrals, r.complete, r.deals, r.rewards) for r in rows] == [
        (1, "甲老客户", 1, 1, 1, 1),
        (2, "乙老客户", 1, 1, 0, 0),
        (3, "丙老客户", 3, 0, 0, 0),
    ]
    # another department's manager sees none of these links
    assert selectors.referrer_ranking(actor=org.manager2) == []


# --- the roles ------------------------------------------------------------------------------


def test_the_shipped_roles_get_the_referral_actions_by_migration(db):
    from importlib import import_module

    from crm.accounts.models import Role

    migration = import_module("crm.referrals.migrations.0002_grant_referral_actions")
    by_role: dict[str, dict[str, str]] = {}
    for action, scopes in migration.GRANTS.items():
        for role, scope in scopes.items():
            by_role.setdefault(role, {})[action] = scope
    assert by_role == {str(k): v for k, v in REFERRAL_GRANTS.items()}
    for code, grants in by_role.items():
        role = Role.objects.get(code=code, builtin=True)
        assert {a: role.grants[a] for a in grants} == grants
        assert {a: DEFAULT_GRANTS[code][a] for a in grants} == grants


def test_reading_the_referral_lists_is_registered_once_per_request(org, old, new):
    accompanied(org, old, new)
    links, ranking = services.referrals_page_open(actor=org.manager)
    assert [link.customer for link in links] == [new]
    assert ranking is not None
    assert [r.name for r in ranking] == ["老业主"]
    read = AuditEvent.objects.get(verb="referral.listed")
    assert (read.actor, read.details) == (org.manager, {"filter": {"which": "page"}, "count": 2})
    # a rep without the ranking's action would see the pending links only; the front desk none
    with pytest.raises(PermissionDenied):
        services.ranking_open(actor=org.receptionist)


def test_the_reward_is_handed_over_once_by_the_old_customers_rep(org, old):
    reward = rewarded(referrer=old, rep=org.rep_a, manager=org.manager)
    with pytest.raises(NotFound):  # the new customer's rep is not the old customer's
        services.reward_mark_paid(actor=org.rep_a, reward_id=reward.pk)
    reward = services.reward_mark_paid(actor=org.rep_b, reward_id=reward.pk)
    assert (reward.paid_by, reward.paid_at is not None) == (org.rep_b, True)
    with pytest.raises(StateConflict):
        services.reward_mark_paid(actor=org.rep_b, reward_id=reward.pk)
    assert verbs(reward) == ["referral.rewarded", "referral.reward_paid"]
