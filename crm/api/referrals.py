"""老带新 (referrals): cards issued to retained customers, the link of a new customer to the old
one with its three confirmations or the manager's decline, the company's reward terms and the
ranking of referrers. Thin adapters over crm.referrals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Router, Status

from crm.accounts.roles import (
    CHANGE_REFERRAL_SETTINGS,
    CONFIRM_REFERRAL,
    ISSUE_CARD,
    LINK_REFERRAL,
    VIEW_REFERRAL,
    VIEW_REFERRAL_REPORT,
)
from crm.referrals import selectors, services
from crm.referrals.choices import Party
from crm.referrals.inputs import (
    CardIssueInput,
    CardRevokeInput,
    ConfirmInput,
    DeclineInput,
    LinkInput,
    ReferralSettingsInput,
)
from crm.referrals.models import ReferralCard, ReferralLink, ReferralSettings, Reward
from crm.reports.exports import CONTENT_TYPE

from .schemas import ErrorOut, Out, PathId
from .security import require_actor

router = Router(tags=["referrals"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut}
_BODY: dict[int, Any] = {**_WRITE, 400: ErrorOut}
_XLSX = {
    "responses": {
        200: {
            "description": "Excel 工作簿（.xlsx）",
            "content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
        }
    }
}


# --- schemas --------------------------------------------------------------------------------


class CardIssueIn(CardIssueInput):
    """老带新客户优惠卡 for a retained customer."""


class CardRevokeIn(CardRevokeInput):
    """作废优惠卡."""


class LinkIn(LinkInput):
    """补齐关联手续: the card shown, or the accompanying old customer's number (one of the two)."""


class ConfirmIn(ConfirmInput):
    """One of the three confirmations."""


class DeclineIn(DeclineInput):
    """The manager does not accept the link."""


class ReferralSettingsIn(ReferralSettingsInput):
    """The company's reward terms."""


class CustomerRefOut(Out):
    id: int
    number: str | None
    name: str


class CardOut(Out):
    id: int
    code: str
    referrer: CustomerRefOut
    valid_from: dt.date
    valid_until: dt.date
    issued_by: str
    revoked_at: dt.datetime | None
    usable: bool = Field(description="今天可凭此卡关联新客户")


class ConfirmationOut(Out):
    party: str = Field(description="referrer 老客户，customer 新客户，manager 销售经理")
    label: str
    at: dt.datetime | None
    by: str = Field(description="登记确认的人；空为尚未确认")


class LinkOut(Out):
    id: int
    customer: CustomerRefOut
    referrer: CustomerRefOut
    via: str = Field(description="card 凭卡，accompanied 老客户陪同")
    card: str = Field(description="优惠卡号；老客户陪同时为空")
    made_at_first_visit: bool
    state: str = Field(description="pending 待补齐手续，complete 已确认，declined 经理不予认定")
    state_label: str
    confirmations: list[ConfirmationOut]
    declined_at: dt.datetime | None
    declined_by: str
    decline_reason: str
    created_at: dt.datetime
    reward: str = Field(description="已记录的奖励；空为尚未记录")


class RewardOut(Out):
    id: int
    referrer: CustomerRefOut
    customer: CustomerRefOut = Field(description="成交的新客户")
    amount: Decimal | None
    description: str
    recorded_at: dt.datetime
    paid_at: dt.datetime | None = Field(description="兑现时间；null 为待兑现")
    paid_by: str


class CustomerLinkOut(Out):
    link: LinkOut | None = Field(description="该客户（新客户）的老带新关联；null 为没有")


class ReferralSettingsOut(Out):
    card_valid_days: int
    reward_amount: Decimal | None
    reward_description: str


class RankRowOut(Out):
    rank: int
    referrer: CustomerRefOut
    rep: str
    referrals: int
    complete: int
    deals: int
    rewards: int
    reward_amount: Decimal


# --- presenters -----------------------------------------------------------------------------


def _who(user: Any) -> str:
    return user.display_name if user is not None else ""


def _ref(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "number": c.number, "name": c.name}


def card_out(card: ReferralCard) -> dict[str, Any]:
    return {
        "id": card.pk,
        "code": card.code or "",
        "referrer": _ref(card.referrer),
        "valid_from": card.valid_from,
        "valid_until": card.valid_until,
        "issued_by": _who(card.issued_by),
        "revoked_at": card.revoked_at,
        "usable": services.card_problem(card, timezone.localdate()) == "",
    }


def link_out(link: ReferralLink) -> dict[str, Any]:
    reward = getattr(link, "reward", None)
    return {
        "id": link.pk,
        "customer": _ref(link.customer),
        "referrer": _ref(link.referrer),
        "via": link.via,
        "card": link.card.code if link.card is not None and link.card.code else "",
        "made_at_first_visit": link.made_at_first_visit,
        "state": link.state,
        "state_label": link.get_state_display(),
        "confirmations": [
            {
                "party": p,
                "label": str(Party(p).label),
                "at": getattr(link, f"{p}_confirmed_at"),
                "by": _who(getattr(link, f"{p}_confirmed_by")),
            }
            for p in Party.values
        ],
        "declined_at": link.declined_at,
        "declined_by": _who(link.declined_by),
        "decline_reason": link.decline_reason,
        "created_at": link.created_at,
        "reward": services.reward_text(reward.amount, reward.description) if reward else "",
    }


def reward_out(reward: Reward) -> dict[str, Any]:
    return {
        "id": reward.pk,
        "referrer": _ref(reward.referrer),
        "customer": _ref(reward.link.customer),
        "amount": reward.amount,
        "description": reward.description,
        "recorded_at": reward.recorded_at,
        "paid_at": reward.paid_at,
        "paid_by": _who(reward.paid_by),
    }


def settings_out(obj: ReferralSettings) -> dict[str, Any]:
    return {
        "card_valid_days": obj.card_valid_days,
        "reward_amount": obj.reward_amount,
        "reward_description": obj.reward_description,
    }


def _link(request: HttpRequest, link: ReferralLink) -> dict[str, Any]:
    """The link the service wrote, as it left it (the front desk links and records the
    customers' confirmations without reading referrals: no re-read through its scope)."""
    return link_out(link)


# --- cards ----------------------------------------------------------------------------------


@router.get("customers/{int:customer_id}/referral-cards", response={200: list[CardOut], **_READ})
def card_list(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """The referral cards issued to this (old) customer, newest first."""
    actor = require_actor(request, VIEW_REFERRAL)
    customer = selectors.customer_for_referrals(actor=actor, customer_id=customer_id)
    return [card_out(c) for c in selectors.cards_of_customer(actor=actor, customer=customer)]


@router.post("customers/{int:customer_id}/referral-cards", response={201: CardOut, **_BODY})
def card_issue(request: HttpRequest, customer_id: PathId, payload: CardIssueIn) -> Status[Any]:
    """Issue a 老带新客户优惠卡 to a retained customer (another category: 409). Validity from
    ``valid_from`` (today) to ``valid_until`` (the company's period later)."""
    card = services.card_issue(
        actor=require_actor(request, ISSUE_CARD),
        customer_id=customer_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return Status(201, card_out(card))


@router.post("referral-cards/{int:card_id}/revoke", response={200: CardOut, **_BODY})
def card_revoke(request: HttpRequest, card_id: PathId, payload: CardRevokeIn) -> dict[str, Any]:
    """Revoke a card (lost, issued wrongly): it no longer links new customers."""
    card = services.card_revoke(
        actor=require_actor(request, ISSUE_CARD),
        card_id=card_id,
        reason=payload.model_dump(exclude_unset=True).get("reason", ""),
    )
    return card_out(card)


@router.get(
    "customers/{int:customer_id}/referral-rewards", response={200: list[RewardOut], **_READ}
)
def reward_list(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """The rewards recorded for this (old) customer, one per referred customer who signed."""
    actor = require_actor(request, VIEW_REFERRAL)
    customer = selectors.customer_for_referrals(actor=actor, customer_id=customer_id)
    return [reward_out(r) for r in selectors.rewards_of_referrer(actor=actor, customer=customer)]


@router.post("referral-rewards/{int:reward_id}/paid", response={200: RewardOut, **_WRITE})
def reward_paid(request: HttpRequest, reward_id: PathId) -> dict[str, Any]:
    """The reward was handed over to the old customer (兑现); already handed over: 409."""
    reward = services.reward_mark_paid(
        actor=require_actor(request, ISSUE_CARD), reward_id=reward_id
    )
    return reward_out(reward)


# --- links ----------------------------------------------------------------------------------


@router.get("customers/{int:customer_id}/referral", response={200: CustomerLinkOut, **_READ})
def customer_link(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """The link of this (new) customer to the old customer who brought them, if any."""
    actor = require_actor(request, VIEW_REFERRAL)
    customer = selectors.customer_for_referrals(actor=actor, customer_id=customer_id)
    link = selectors.link_of_customer(actor=actor, customer=customer)
    return {"link": link_out(link) if link is not None else None}


@router.post("customers/{int:customer_id}/referral", response={201: LinkOut, **_BODY})
def link_create(request: HttpRequest, customer_id: PathId, payload: LinkIn) -> Status[Any]:
    """补齐关联手续: link a customer who came without the card or the old customer at the first
    visit (``card_code`` or ``referrer_number``). A customer already linked or already retained:
    409. The link then waits for the three confirmations."""
    link = services.referral_link_create(
        actor=require_actor(request, LINK_REFERRAL),
        customer_id=customer_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return Status(201, _link(request, link))


@router.post("referral-links/{int:link_id}/confirm", response={200: LinkOut, **_BODY})
def link_confirm(request: HttpRequest, link_id: PathId, payload: ConfirmIn) -> dict[str, Any]:
    """Record one confirmation (老客户、新客户签字 by whoever does the paperwork; 销售经理 by a
    sales manager only), with who and when. Already confirmed, or declined: 409."""
    action = CONFIRM_REFERRAL if payload.party == Party.MANAGER else LINK_REFERRAL
    link = services.referral_confirm(
        actor=require_actor(request, action), link_id=link_id, party=payload.party
    )
    return _link(request, link)


@router.post("referral-links/{int:link_id}/decline", response={200: LinkOut, **_BODY})
def link_decline(request: HttpRequest, link_id: PathId, payload: DeclineIn) -> dict[str, Any]:
    """The sales manager declines a link still pending (不予认定, with the reason): the customer
    may then sign without it and no reward is recorded."""
    link = services.referral_decline(
        actor=require_actor(request, CONFIRM_REFERRAL), link_id=link_id, reason=payload.reason
    )
    return _link(request, link)


@router.get("referral-links", response={200: list[LinkOut], **_READ})
def link_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Links waiting for their paperwork, oldest first (the new customers cannot sign until
    they are complete or declined by the manager)."""
    actor = require_actor(request, VIEW_REFERRAL)
    return [link_out(link) for link in services.pending_links_open(actor=actor)]


# --- terms and ranking ----------------------------------------------------------------------


@router.get("referrals/settings", response={200: ReferralSettingsOut, **_READ})
def settings_get(request: HttpRequest) -> dict[str, Any]:
    """How long a card is valid and the reward an old customer gets when a referral signs."""
    require_actor(request, VIEW_REFERRAL)
    return settings_out(selectors.referral_settings())


@router.put("referrals/settings", response={200: ReferralSettingsOut, **_BODY})
def settings_put(request: HttpRequest, payload: ReferralSettingsIn) -> dict[str, Any]:
    """Change the reward terms (the general manager): rewards recorded later use them."""
    obj = services.referral_settings_update(
        actor=require_actor(request, CHANGE_REFERRAL_SETTINGS),
        data=payload.model_dump(exclude_unset=True),
    )
    return settings_out(obj)


def _rank_out(r: selectors.RankRow) -> dict[str, Any]:
    return {
        "rank": r.rank,
        "referrer": {"id": r.referrer_id, "number": r.number, "name": r.name},
        "rep": r.rep,
        "referrals": r.referrals,
        "complete": r.complete,
        "deals": r.deals,
        "rewards": r.rewards,
        "reward_amount": r.reward_amount,
    }


@router.get("referrals/ranking", response={200: list[RankRowOut], **_READ})
def ranking(request: HttpRequest) -> list[dict[str, Any]]:
    """老带新排行: old customers by the deals their referrals closed, then complete links, then
    referrals (declined links do not count), over the links in the actor's scope."""
    actor = require_actor(request, VIEW_REFERRAL_REPORT)
    return [_rank_out(r) for r in services.ranking_open(actor=actor)]


@router.get("referrals/ranking.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def ranking_xlsx(request: HttpRequest) -> HttpResponse:
    """老带新排行 as an Excel file (the export is logged)."""
    filename, content = services.ranking_export(actor=require_actor(request, VIEW_REFERRAL_REPORT))
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
