"""Referral rows made through the real services, as the showroom makes them."""

from __future__ import annotations

from django.utils import timezone

from crm.accounts.models import User
from crm.customers import lifecycle
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.referrals import services
from crm.referrals.models import Reward


def rewarded(*, referrer: Customer, rep: User, manager: User, name: str = "已成交新客户") -> Reward:
    """A customer of ``rep`` brought by ``referrer``, the link confirmed by all three (the
    manager's by ``manager``) and the deal closed: the referrer's reward."""
    new = make_customer(rep, name=name, category="intention", grade="H")
    link = services.referral_link_create(
        actor=rep, customer_id=new.pk, data={"referrer_number": referrer.number}
    )
    services.referral_confirm(actor=rep, link_id=link.pk, party="referrer")
    services.referral_confirm(actor=rep, link_id=link.pk, party="customer")
    services.referral_confirm(actor=manager, link_id=link.pk, party="manager")
    new.refresh_from_db()
    lifecycle.customer_transition(
        actor=rep,
        customer_id=new.pk,
        version=new.version,
        to="retained",
        deal_on=timezone.localdate(),
    )
    return Reward.objects.get(link=link)
