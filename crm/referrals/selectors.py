"""老带新 — the reads: a customer's link and cards, the links waiting for their paperwork, and
the ranking of old customers by what they brought."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from crm.accounts.models import User
from crm.accounts.roles import VIEW_REFERRAL, VIEW_REFERRAL_REPORT
from crm.core.errors import NotFound
from crm.core.permissions import restrict
from crm.customers.choices import Category
from crm.customers.models import Customer

from .models import ReferralCard, ReferralLink, ReferralSettings, Reward

_LINK_RELATED = (
    "customer",
    "referrer",
    "card",
    "created_by",
    "referrer_confirmed_by",
    "customer_confirmed_by",
    "manager_confirmed_by",
    "declined_by",
    "reward",
)


def _links(actor: User, action: str = VIEW_REFERRAL) -> QuerySet[ReferralLink]:
    live = ReferralLink.objects.filter(customer__deleted_at__isnull=True)
    return restrict(live, actor, action).select_related(*_LINK_RELATED)


def link_get(*, actor: User, link_id: int) -> ReferralLink:
    link = _links(actor).filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    return link


def link_of_customer(*, actor: User, customer: Customer) -> ReferralLink | None:
    """The link of the new customer ``customer`` (None: not referred, or not the actor's to see)."""
    return _links(actor).filter(customer=customer).first()


def cards_of_customer(*, actor: User, customer: Customer) -> list[ReferralCard]:
    """The cards issued to the old customer ``customer``, newest first."""
    qs = restrict(ReferralCard.objects.filter(referrer=customer), actor, VIEW_REFERRAL)
    return list(qs.select_related("referrer", "issued_by"))


def card_get(*, actor: User, card_id: int) -> ReferralCard:
    card = (
        restrict(ReferralCard.objects.all(), actor, VIEW_REFERRAL)
        .select_related("referrer", "issued_by")
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        raise NotFound()
    return card


def pending_links(*, actor: User, limit: int = 200) -> list[ReferralLink]:
    """Links still waiting for a signature (and not declined): the paperwork to complete before
    the new customers sign, oldest first."""
    qs = _links(actor).filter(pk__in=ReferralLink.objects.pending().values("pk"))
    return list(qs.order_by("id")[:limit])


def referral_settings() -> ReferralSettings:
    return ReferralSettings.objects.get_or_create(pk=1)[0]


@dataclass(frozen=True)
class RankRow:
    rank: int
    referrer_id: int
    number: str
    name: str
    rep: str
    referrals: int  # links not declined
    complete: int  # signed by all three
    deals: int  # of those, the new customer became retained
    rewards: int
    reward_amount: Decimal


_COMPLETE = Q(
    declined_at__isnull=True,
    referrer_confirmed_at__isnull=False,
    customer_confirmed_at__isnull=False,
    manager_confirmed_at__isnull=False,
)


def referrer_ranking(
    *, actor: User, action: str = VIEW_REFERRAL_REPORT, limit: int | None = 100
) -> list[RankRow]:
    """老客户排行: the old customers by the deals their referrals closed, then by complete links,
    then by referrals (declined links do not count), over the links the actor may see."""
    links = restrict(
        ReferralLink.objects.filter(customer__deleted_at__isnull=True, declined_at__isnull=True),
        actor,
        action,
    )
    grouped = (
        links.values("referrer_id")
        .annotate(
            referrals=Count("id"),
            complete=Count("id", filter=_COMPLETE),
            deals=Count("id", filter=_COMPLETE & Q(customer__category=Category.RETAINED)),
            rewards=Count("reward"),
            reward_amount=Sum("reward__amount"),
        )
        .order_by("-deals", "-complete", "-referrals", "referrer_id")
    )
    rows = list(grouped[:limit] if limit is not None else grouped)
    referrers = {
        c.pk: c
        for c in Customer.objects.filter(pk__in=[r["referrer_id"] for r in rows]).select_related(
            "owner"
        )
    }
    out: list[RankRow] = []
    for i, r in enumerate(rows, start=1):
        c = referrers[r["referrer_id"]]
        out.append(
            RankRow(
                rank=i,
                referrer_id=c.pk,
                number=c.number or "",
                name=c.name,
                rep=c.owner.display_name if c.owner is not None else "",
                referrals=r["referrals"],
                complete=r["complete"],
                deals=r["deals"],
                rewards=r["rewards"],
                reward_amount=r["reward_amount"] or Decimal("0"),
            )
        )
    return out


def rewards_of_referrer(*, actor: User, customer: Customer) -> list[Reward]:
    qs = restrict(Reward.objects.filter(referrer=customer), actor, VIEW_REFERRAL)
    return list(qs.select_related("link__customer", "paid_by"))


def customer_for_referrals(*, actor: User, customer_id: int) -> Customer:
    """The customer whose cards or link the actor asks for: 404 outside the actor's scope."""
    customer = (
        restrict(Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_REFERRAL)
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound()
    return customer
