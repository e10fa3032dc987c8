"""老带新 (客户管理: 老带新客户激励实施方案) — the writes.

- A card (老带新客户优惠卡) is issued to a retained customer only, for a period; it may be revoked.
- A new customer is linked to the old one who brought them: by the card they show, or because the
  old customer came along. Made at the first visit (the front desk, inside its registration:
  ``referral_link_at_registration``) or later (补齐关联手续: ``referral_link_create``).
- The link is signed by the old customer, the new customer and the sales manager; each signature
  is recorded with who entered it and when (``referral_confirm``). The manager may decline a link
  instead (``referral_decline``, with the reason).
- Until the link is complete or declined the new customer cannot sign (become retained): the
  guard ``link_must_be_settled``, registered on crm.customers.hooks.
- When the new customer's deal closes, the old customer's reward is recorded once, on the
  company's terms of that day, and the old customer's rep is told (``reward_on_deal``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_REFERRAL_SETTINGS,
    CONFIRM_REFERRAL,
    EXPORT_REPORTS,
    ISSUE_CARD,
    LINK_REFERRAL,
    VIEW_REFERRAL_REPORT,
)
from crm.activities.services import notify
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import has_action, require, restrict
from crm.customers.choices import Category
from crm.customers.models import Customer, LifecycleEvent
from crm.governance import audit
from crm.reports.scope import report_coverage

from . import exports, selectors
from .choices import LinkState, Party, Via
from .inputs import (
    CardIssueInput,
    CardRevokeInput,
    ConfirmInput,
    DeclineInput,
    LinkInput,
    ReferralSettingsInput,
)
from .models import ReferralCard, ReferralLink, ReferralSettings, Reward

# --- the company's terms --------------------------------------------------------------------


def referral_settings() -> ReferralSettings:
    return ReferralSettings.objects.get_or_create(pk=1)[0]


@transaction.atomic
def referral_settings_update(*, actor: User, data: dict[str, Any]) -> ReferralSettings:
    """How long a card is valid and what the old customer gets (cash and/or, e.g., 一年物业费)."""
    require(actor, CHANGE_REFERRAL_SETTINGS)
    cleaned = validate(ReferralSettingsInput, data)
    obj = ReferralSettings.objects.select_for_update().get_or_create(pk=1)[0]
    before = obj.snapshot()
    obj.card_valid_days = cleaned.get("card_valid_days", 180)
    obj.reward_amount = cleaned.get("reward_amount")
    obj.reward_description = cleaned.get("reward_description", "")
    obj.save()
    audit.record(
        actor=actor, verb="referral_settings.updated", obj=obj, before=before, after=obj.snapshot()
    )
    return obj


# --- cards ----------------------------------------------------------------------------------


def _locked_customer(actor: User, customer_id: int, action: str) -> Customer:
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)
    customer = qs.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        require(actor, action)
        raise NotFound()
    return customer


@transaction.atomic
def card_issue(
    *, actor: User, customer_id: int, data: dict[str, Any] | None = None
) -> ReferralCard:
    """老带新客户优惠卡 for a retained customer (保有客户: the old customer of the scheme), valid
    from ``valid_from`` (today) to ``valid_until`` (the company's period later)."""
    require(actor, ISSUE_CARD)
    cleaned = validate(CardIssueInput, data or {})
    referrer = _locked_customer(actor, customer_id, ISSUE_CARD)
    if referrer.category != Category.RETAINED:
        raise StateConflict(_("只有保有客户（已成交的老客户）才能签发老带新优惠卡"))
    today = timezone.localdate()
    valid_from = cleaned.get("valid_from") or today
    valid_until = cleaned.get("valid_until") or valid_from + dt.timedelta(
        days=referral_settings().card_valid_days
    )
    if valid_until < valid_from:
        raise Invalid(fields={"valid_until": _("有效期至不能早于生效日期")})
    if valid_until < today:
        raise Invalid(fields={"valid_until": _("有效期至不能早于今天")})
    card = ReferralCard.objects.create(
        referrer=referrer, valid_from=valid_from, valid_until=valid_until, issued_by=actor
    )
    card.code = f"LD{card.pk:06d}"
    card.save(update_fields=["code"])
    audit.record(actor=actor, verb="referral_card.issued", obj=card, after=card.snapshot())
    return card


@transaction.atomic
def card_revoke(*, actor: User, card_id: int, reason: str = "") -> ReferralCard:
    """The card is no longer honoured (lost, handed out wrongly); links made with it stay."""
    require(actor, ISSUE_CARD)
    reason = validate(CardRevokeInput, {"reason": reason}).get("reason", "")
    card = (
        restrict(ReferralCard.objects.all(), actor, ISSUE_CARD)
        .select_for_update()
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        raise NotFound()
    if card.revoked_at is not None:
        raise StateConflict(_("该优惠卡已作废"))
    before = card.snapshot()
    card.revoked_at, card.revoked_by = timezone.now(), actor
    card.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="referral_card.revoked",
        obj=card,
        before=before,
        after=card.snapshot(),
        reason=reason,
    )
    return card


def card_problem(card: ReferralCard | None, on: dt.date) -> str:
    """Why ``card`` cannot bring a new customer on day ``on`` ("" when it can)."""
    if card is None:
        return _("老带新优惠卡号不存在")
    if card.revoked_at is not None:
        return _("该老带新优惠卡已作废")
    if on < card.valid_from:
        return _("该老带新优惠卡 %(day)s 起才生效") % {"day": card.valid_from.isoformat()}
    if on > card.valid_until:
        return _("该老带新优惠卡已过期（有效期至 %(day)s）") % {"day": card.valid_until.isoformat()}
    if card.referrer.deleted_at is not None:
        return _("持卡的老客户已删除")
    return ""


# --- links ----------------------------------------------------------------------------------


def _referrer_for(
    *,
    customer: Customer,
    card_code: str,
    referrer_id: int | None,
    referrer_number: str,
    card_field: str,
    referrer_field: str,
) -> tuple[Customer, ReferralCard | None]:
    """The old customer (and the card) a new customer names, or ``Invalid`` saying what is wrong.

    The old customer may be another rep's: a referral crosses reps by nature, so the card or the
    number is looked up across the company (only name and number are ever shown of it)."""
    code = card_code.strip().upper()
    if code and (referrer_id is not None or referrer_number):
        raise Invalid(fields={referrer_field: _("凭卡关联时不需再填写陪同的老客户")})
    card: ReferralCard | None = None
    if code:
        card = ReferralCard.objects.select_related("referrer").filter(code=code).first()
        problem = card_problem(card, timezone.localdate())
        if problem:
            raise Invalid(fields={card_field: problem})
        assert card is not None
        referrer = card.referrer
    else:
        alive = Customer.objects.filter(deleted_at__isnull=True)
        if referrer_id is not None:
            found = alive.filter(pk=referrer_id).first()
        else:
            found = alive.filter(number=referrer_number.strip().upper()).first()
        if found is None:
            raise Invalid(fields={referrer_field: _("老客户不存在")})
        referrer = found
    if referrer.pk == customer.pk:
        raise Invalid(
            fields={referrer_field if card is None else card_field: _("不能关联客户本人")}
        )
    if referrer.category != Category.RETAINED:
        raise Invalid(
            fields={
                referrer_field if card is None else card_field: _("老客户须为保有客户（已成交）")
            }
        )
    return referrer, card


def _link(
    *,
    actor: User,
    customer: Customer,
    referrer: Customer,
    card: ReferralCard | None,
    first_visit: bool,
) -> ReferralLink:
    existing = ReferralLink.objects.filter(customer=customer).select_related("referrer").first()
    if existing is not None:
        raise StateConflict(
            _("该客户已关联老客户 %(name)s（%(number)s）")
            % {"name": existing.referrer.name, "number": existing.referrer.number}
        )
    if customer.category == Category.RETAINED:
        raise StateConflict(_("客户已成交，不能再登记老带新关联"))
    link = ReferralLink.objects.create(
        customer=customer,
        referrer=referrer,
        card=card,
        via=Via.CARD if card is not None else Via.ACCOMPANIED,
        made_at_first_visit=first_visit,
        created_by=actor,
    )
    audit.record(actor=actor, verb="referral.linked", obj=link, after=link.snapshot())
    return link


@transaction.atomic
def referral_link_at_registration(
    *,
    actor: User,
    customer: Customer,
    card_code: str = "",
    referrer_id: int | None = None,
    referrer_number: str = "",
) -> ReferralLink | None:
    """For the front desk, inside its registration transaction: the visitor just registered as
    ``customer`` showed card ``card_code`` or came with the old customer ``referrer_id`` (or
    ``referrer_number``, the customer number the desk was told). The link is made at the first
    visit and waits for the three signatures. Neither given: None.

    Refusals are ``Invalid`` on ``referral_card`` (no such card, revoked, not yet or no longer
    valid) or ``referrer`` (no such customer, not retained, the visitor themselves), so the
    registration form shows them at those fields and its transaction rolls back."""
    if not card_code.strip() and referrer_id is None and not referrer_number.strip():
        return None
    require(actor, LINK_REFERRAL)
    referrer, card = _referrer_for(
        customer=customer,
        card_code=card_code,
        referrer_id=referrer_id,
        referrer_number=referrer_number.strip(),
        card_field="referral_card",
        referrer_field="referrer",
    )
    return _link(actor=actor, customer=customer, referrer=referrer, card=card, first_visit=True)


@transaction.atomic
def referral_link_create(*, actor: User, customer_id: int, data: dict[str, Any]) -> ReferralLink:
    """补齐关联手续: link a customer who came without the card or the old customer at the first
    visit (``LinkInput``: the card shown now, or the old customer's number)."""
    require(actor, LINK_REFERRAL)
    cleaned = validate(LinkInput, data)
    card_code = cleaned.get("card_code", "")
    number = cleaned.get("referrer_number", "")
    if not card_code and not number:
        raise Invalid(
            fields={
                "card_code": _("请填写老带新优惠卡号或陪同老客户的编号"),
                "referrer_number": _("请填写老带新优惠卡号或陪同老客户的编号"),
            }
        )
    customer = _locked_customer(actor, customer_id, LINK_REFERRAL)
    referrer, card = _referrer_for(
        customer=customer,
        card_code=card_code,
        referrer_id=None,
        referrer_number=number,
        card_field="card_code",
        referrer_field="referrer_number",
    )
    return _link(actor=actor, customer=customer, referrer=referrer, card=card, first_visit=False)


def _locked_link(actor: User, link_id: int, action: str) -> ReferralLink:
    require(actor, action)
    link = (
        restrict(ReferralLink.objects.filter(customer__deleted_at__isnull=True), actor, action)
        .select_for_update()
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFound()
    return link


@transaction.atomic
def referral_confirm(*, actor: User, link_id: int, party: str) -> ReferralLink:
    """One of the three signatures (老客户、新客户、销售经理签字确认), recorded with who entered it
    and when. The customers' signatures are entered by whoever does the link's paperwork; the
    manager's only by a sales manager (referrals.confirm_referral)."""
    party = validate(ConfirmInput, {"party": party})["party"]
    action = CONFIRM_REFERRAL if party == Party.MANAGER else LINK_REFERRAL
    link = _locked_link(actor, link_id, action)
    if link.declined_at is not None:
        raise StateConflict(_("销售经理已不予认定该关联"))
    if getattr(link, f"{party}_confirmed_at") is not None:
        raise StateConflict(fields={"party": _("%(party)s已确认") % {"party": Party(party).label}})
    before = link.snapshot()
    setattr(link, f"{party}_confirmed_at", timezone.now())
    setattr(link, f"{party}_confirmed_by", actor)
    link.save(update_fields=[f"{party}_confirmed_at", f"{party}_confirmed_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="referral.confirmed",
        obj=link,
        before=before,
        after=link.snapshot(),
        details={"party": party, "state": link.state},
    )
    return link


@transaction.atomic
def referral_decline(*, actor: User, link_id: int, reason: str) -> ReferralLink:
    """The sales manager does not accept the link (不予认定): the new customer may sign without
    it, and no reward will be recorded. Only a link still waiting for its signatures."""
    reason = validate(DeclineInput, {"reason": reason})["reason"]
    link = _locked_link(actor, link_id, CONFIRM_REFERRAL)
    if link.state != LinkState.PENDING:
        raise StateConflict(
            _("该关联已%(state)s，不能再不予认定") % {"state": link.get_state_display()}
        )
    before = link.snapshot()
    link.declined_at, link.declined_by, link.decline_reason = timezone.now(), actor, reason
    link.save(update_fields=["declined_at", "declined_by", "decline_reason", "updated_at"])
    audit.record(
        actor=actor,
        verb="referral.declined",
        obj=link,
        before=before,
        after=link.snapshot(),
        reason=reason,
    )
    return link


def missing_confirmations(link: ReferralLink) -> list[str]:
    return [str(Party(p).label) for p in Party.values if getattr(link, f"{p}_confirmed_at") is None]


def missing_text(link: ReferralLink) -> str:
    """The confirmations a link still needs, as a list in words (老客户、销售经理)."""
    return pgettext("list separator", "、").join(missing_confirmations(link))


# --- what the customer's lifecycle asks of us (crm.customers.hooks) ----------------------------


def link_must_be_settled(*, customer: Customer, to: str, actor: Any) -> None:
    """如新客户的第一次来访没有老客户的陪同也没有优惠卡，则必须于新客户签约前补齐关联手续: a
    referred customer whose link is neither signed by all three nor declined by the manager
    cannot become retained."""
    if to != Category.RETAINED or customer.pk is None:
        return
    link = ReferralLink.objects.filter(customer_id=customer.pk).first()
    if link is None or link.state != LinkState.PENDING:
        return
    message = _(
        "老带新关联手续未补齐（缺%(missing)s）：须老客户、新客户、销售经理三方确认，"
        "或由销售经理不予认定后才能成交"
    ) % {"missing": missing_text(link)}
    raise StateConflict(message, fields={"to": message})


def reward_on_deal(*, customer: Customer, event: LifecycleEvent, actor: Any) -> None:
    """The new customer's deal closed: the old customer's reward is recorded (once) on the
    company's terms of today, and the old customer's rep is told so that it is handed over."""
    if event.to_category != Category.RETAINED:
        return
    link = (
        ReferralLink.objects.select_related("referrer__owner")
        .filter(customer_id=customer.pk)
        .first()
    )
    if link is None or link.state != LinkState.COMPLETE:
        return
    terms = referral_settings()
    reward, created = Reward.objects.get_or_create(
        link=link,
        defaults={
            "referrer": link.referrer,
            "amount": terms.reward_amount,
            "description": terms.reward_description,
            "recorded_at": timezone.now(),
        },
    )
    if not created:
        return
    audit.record(actor=actor, verb="referral.rewarded", obj=reward, after=reward.snapshot())
    owner = link.referrer.owner
    if owner is not None and owner.is_active:
        notify(
            user=owner,
            kind="referral_reward",
            title=_("老客户 %(referrer)s 推荐的 %(name)s 已成交，请兑现老带新奖励")
            % {"referrer": link.referrer.name, "name": customer.name},
            body=reward_text(reward.amount, reward.description),
            url=f"/customers/{link.referrer_id}/",
            customer=link.referrer,
        )


@transaction.atomic
def reward_mark_paid(*, actor: User, reward_id: int) -> Reward:
    """The reward was handed over to the old customer (兑现), by their rep."""
    require(actor, ISSUE_CARD)
    reward = (
        restrict(Reward.objects.all(), actor, ISSUE_CARD)
        .select_for_update()
        .filter(pk=reward_id)
        .first()
    )
    if reward is None:
        raise NotFound()
    if reward.paid_at is not None:
        raise StateConflict(_("该奖励已兑现"))
    before = reward.snapshot()
    reward.paid_at, reward.paid_by = timezone.now(), actor
    reward.save(update_fields=["paid_at", "paid_by", "updated_at"])
    audit.record(
        actor=actor, verb="referral.reward_paid", obj=reward, before=before, after=reward.snapshot()
    )
    return reward


def reward_text(amount: Decimal | None, description: str) -> str:
    parts = []
    if amount is not None:
        parts.append(_("%(amount)s 元") % {"amount": f"{amount:,.2f}"})
    if description:
        parts.append(description)
    return "，".join(parts) or _("按公司规定")


# --- the ranking's export -------------------------------------------------------------------


@transaction.atomic
def ranking_export(*, actor: User) -> tuple[str, bytes]:
    """老带新排行 as an .xlsx file (filename, content), logged as exported (导出须登记)."""
    require(actor, VIEW_REFERRAL_REPORT)
    require(actor, EXPORT_REPORTS)
    now = timezone.now()
    rows = selectors.referrer_ranking(actor=actor, limit=None)
    covers = report_coverage(actor=actor, department_id=None, action=VIEW_REFERRAL_REPORT)
    content = exports.ranking_workbook(
        rows, covers=covers, exported_by=actor.display_name, exported_at=now
    )
    title, period = _("老带新排行"), f"{timezone.localdate(now):%Y-%m-%d}"
    audit.record(
        actor=actor,
        verb="report.exported",
        obj=actor,
        after={"report": "referrals", "period": period, "department": None, "rows": len(rows)},
        reason=f"{title} {period}",
    )
    return f"{title}_{period}.xlsx", content


# --- reads of personal data, registered (查阅登记: one row per request) -------------------------


def _listed(actor: User, which: str, count: int) -> None:
    audit.record(
        actor=actor,
        verb="referral.listed",
        object_type=ReferralLink._meta.label_lower,
        details={"filter": {"which": which}, "count": count},
    )


def pending_links_open(*, actor: User) -> list[ReferralLink]:
    """The links waiting for their paperwork, registered as one read."""
    links = selectors.pending_links(actor=actor)
    _listed(actor, "pending", len(links))
    return links


def ranking_open(*, actor: User) -> list[selectors.RankRow]:
    """The referrer ranking, registered as one read."""
    require(actor, VIEW_REFERRAL_REPORT)
    rows = selectors.referrer_ranking(actor=actor)
    _listed(actor, "ranking", len(rows))
    return rows


def referrals_page_open(
    *, actor: User
) -> tuple[list[ReferralLink], list[selectors.RankRow] | None]:
    """The 老带新 page: the pending links and (for those who may see it) the ranking, registered
    as one read."""
    links = selectors.pending_links(actor=actor)
    rows = (
        selectors.referrer_ranking(actor=actor) if has_action(actor, VIEW_REFERRAL_REPORT) else None
    )
    _listed(actor, "page", len(links) + len(rows or []))
    return links, rows
