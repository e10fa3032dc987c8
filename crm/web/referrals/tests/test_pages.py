"""老带新 on the web: a retained customer's page issues a printable card; a new customer's page
completes the link and records the three confirmations; the manager declines; the 老带新 page
lists the links waiting for their paperwork and ranks the referrers."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from crm.customers.tests.factories import make_customer
from crm.referrals import services
from crm.referrals.models import ReferralCard, ReferralLink


def test_a_retained_customers_page_issues_a_printable_card(org, as_user):
    old = make_customer(org.rep_a, name="老业主", category="retained")
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_detail", args=[old.pk])).content.decode()
    assert "签发老带新优惠卡" in page
    response = client.post(reverse("web:referral_card_issue", args=[old.pk]))
    card = ReferralCard.objects.get()
    assert response["Location"] == reverse("web:referral_card", args=[card.pk])
    printable = client.get(response["Location"]).content.decode()
    assert card.code in printable
    assert "老客户签字" in printable


def test_an_intention_customers_page_offers_no_card(org, as_user):
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_detail", args=[new.pk])).content.decode()
    assert "签发老带新优惠卡" not in page
    assert "补齐关联手续" in page
    client.post(reverse("web:referral_card_issue", args=[new.pk]))
    assert not ReferralCard.objects.exists()


def test_the_link_is_completed_on_the_page_and_each_confirmation_names_who(org, as_user):
    old = make_customer(org.rep_b, name="老业主", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    card = services.card_issue(actor=org.rep_b, customer_id=old.pk)
    rep = as_user(org.rep_a)
    rep.post(reverse("web:referral_link_create", args=[new.pk]), {"card_code": card.code})
    link = ReferralLink.objects.get(customer=new)
    for party in ("referrer", "customer"):
        rep.post(reverse("web:referral_confirm", args=[link.pk]), {"party": party})
    page = rep.get(reverse("web:customer_detail", args=[new.pk])).content.decode()
    assert "缺销售经理确认" in page
    assert page.count("王小明") >= 2  # who recorded both customers' confirmations
    manager = as_user(org.manager)
    listing = manager.get(reverse("web:referrals")).content.decode()
    assert "新客户" in listing
    response = manager.post(
        reverse("web:referral_confirm", args=[link.pk]), {"party": "manager", "next": "/referrals/"}
    )
    assert response["Location"] == "/referrals/"
    link.refresh_from_db()
    assert (link.state, link.manager_confirmed_by) == ("complete", org.manager)
    assert "没有待补齐手续的关联" in manager.get(reverse("web:referrals")).content.decode()


def test_the_transition_page_says_why_a_referred_customer_cannot_sign_yet(org, as_user):
    old = make_customer(org.rep_b, name="老业主", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    response = as_user(org.rep_a).post(
        reverse("web:customer_transition", args=[new.pk]),
        {"to": "retained", "deal_on": timezone.localdate().isoformat(), "version": 1},
    )
    assert response.status_code in (409, 422)
    assert "老带新关联手续未补齐" in response.content.decode()
    new.refresh_from_db()
    assert new.category == "intention"


def test_the_manager_declines_from_the_page(org, as_user):
    old = make_customer(org.rep_b, name="老业主", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    link = services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    manager = as_user(org.manager)
    manager.post(reverse("web:referral_decline", args=[link.pk]), {"reason": "非老客户介绍"})
    link.refresh_from_db()
    assert (link.state, link.decline_reason) == ("declined", "非老客户介绍")
    page = manager.get(reverse("web:customer_detail", args=[new.pk])).content.decode()
    assert "非老客户介绍" in page


def test_the_ranking_page_and_its_export(org, as_user):
    old = make_customer(org.rep_a, name="排行老客户", category="retained")
    new = make_customer(org.rep_a, name="新客户", category="intention", grade="H")
    services.referral_link_create(
        actor=org.rep_a, customer_id=new.pk, data={"referrer_number": old.number}
    )
    client = as_user(org.manager)
    assert "排行老客户" in client.get(reverse("web:referrals")).content.decode()
    export = client.get(reverse("web:referral_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_general_manager_sets_the_reward(org, as_user):
    client = as_user(org.gm)
    response = client.post(
        reverse("web:referral_settings"),
        {"card_valid_days": "90", "reward_amount": "1500", "reward_description": "一年物业费"},
    )
    assert response.status_code == 302
    terms = services.referral_settings()
    assert (terms.card_valid_days, str(terms.reward_amount), terms.reward_description) == (
        90,
        "1500.00",
        "一年物业费",
    )


def test_the_old_customers_page_lists_the_rewards_and_marks_one_handed_over(org, as_user):
    from crm.referrals.tests.factories import rewarded

    old = make_customer(org.rep_b, name="老业主", category="retained")
    services.referral_settings_update(actor=org.gm, data={"reward_description": "一年物业费"})
    reward = rewarded(referrer=old, rep=org.rep_a, manager=org.manager)
    client = as_user(org.rep_b)
    page = client.get(reverse("web:customer_detail", args=[old.pk])).content.decode()
    assert "一年物业费" in page
    assert "待兑现" in page
    client.post(reverse("web:referral_reward_paid", args=[reward.pk]))
    reward.refresh_from_db()
    assert reward.paid_by == org.rep_b
    assert "已兑现" in client.get(reverse("web:customer_detail", args=[old.pk])).content.decode()
