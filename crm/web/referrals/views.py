"""老带新 pages: the panel of a customer's page (the cards of a retained customer, the link of a
new one with its three confirmations and the manager's decline), the printable card, the links
waiting for their paperwork with the referrer ranking, and the reward terms. Every write posts to
one service and comes back to the page it was made from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_REFERRAL_SETTINGS,
    CONFIRM_REFERRAL,
    ISSUE_CARD,
    LINK_REFERRAL,
    VIEW_REFERRAL,
    VIEW_REFERRAL_REPORT,
)
from crm.core.errors import Invalid, StateConflict
from crm.core.permissions import allows
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.referrals import selectors, services
from crm.referrals.choices import Party
from crm.referrals.inputs import DeclineInput, LinkInput, ReferralSettingsInput
from crm.referrals.models import ReferralLink
from crm.reports.exports import CONTENT_TYPE
from crm.web.base import FORM_ERRORS, CrmView, apply_domain_error, form_error_status
from crm.web.inputs import form_field


class LinkForm(forms.Form):
    card_code = form_field(LinkInput, "card_code", label=_("老带新优惠卡号"))
    referrer_number = form_field(LinkInput, "referrer_number", label=_("陪同老客户的编号"))


class DeclineForm(forms.Form):
    reason = form_field(DeclineInput, "reason", label=_("不予认定的原因"))


class SettingsForm(forms.Form):
    card_valid_days = form_field(
        ReferralSettingsInput, "card_valid_days", label=_("优惠卡有效期（天）")
    )
    reward_amount = form_field(ReferralSettingsInput, "reward_amount", label=_("奖励金额（元）"))
    reward_description = form_field(
        ReferralSettingsInput, "reward_description", label=_("奖励内容")
    )


def _message(exc: Invalid) -> str:
    return " ".join(str(m) for m in exc.fields.values()) or str(exc.message)


def _detail(customer_id: int) -> str:
    return reverse("web:customer_detail", args=[customer_id]) + "#referral"


def _back(request: HttpRequest, fallback: str) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return fallback


def link_rows(link: ReferralLink) -> list[dict[str, Any]]:
    """The three confirmations of a link, in the order the scheme names them."""
    return [
        {
            "party": p,
            "label": Party(p).label,
            "at": getattr(link, f"{p}_confirmed_at"),
            "by": getattr(link, f"{p}_confirmed_by"),
        }
        for p in Party.values
    ]


def referral_panel(customer: Customer, *, actor: User) -> dict[str, Any]:
    """What the customer page shows of 老带新: for a retained customer its cards (and issuing
    one), for another the link to the old customer who brought them, its confirmations, and the
    forms the actor may use."""
    if not allows(actor, VIEW_REFERRAL, customer):
        return {"referral_panel": False}
    retained = customer.category == Category.RETAINED
    link = selectors.link_of_customer(actor=actor, customer=customer)
    return {
        "referral_panel": True,
        "referral_link": link,
        "referral_confirmations": link_rows(link) if link is not None else [],
        "referral_missing": services.missing_text(link) if link is not None else "",
        "referral_cards": (
            selectors.cards_of_customer(actor=actor, customer=customer) if retained else []
        ),
        "referral_rewards": (
            selectors.rewards_of_referrer(actor=actor, customer=customer) if retained else []
        ),
        "can_issue_card": retained and allows(actor, ISSUE_CARD, customer),
        "can_link": link is None and not retained and allows(actor, LINK_REFERRAL, customer),
        "can_confirm_customers": link is not None and allows(actor, LINK_REFERRAL, link),
        "can_confirm_manager": link is not None and allows(actor, CONFIRM_REFERRAL, link),
        "link_form": LinkForm(),
        "decline_form": DeclineForm(),
    }


# --- cards ----------------------------------------------------------------------------------


class CardIssueView(CrmView):
    action = ISSUE_CARD

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        try:
            card = services.card_issue(actor=self.actor, customer_id=customer_id)
        except (Invalid, StateConflict) as exc:
            messages.error(request, _message(exc))
            return redirect(_detail(customer_id))
        messages.success(request, _("已签发老带新优惠卡 %(code)s") % {"code": card.code})
        return redirect("web:referral_card", card.pk)


class CardView(CrmView):
    """The printable 老带新客户优惠卡."""

    action = VIEW_REFERRAL
    template_name = "web/referrals/card.html"

    def get(self, request: HttpRequest, card_id: int) -> HttpResponse:
        card = selectors.card_get(actor=self.actor, card_id=card_id)
        terms = selectors.referral_settings()
        return self.render(
            {
                "card": card,
                "reward": services.reward_text(terms.reward_amount, terms.reward_description),
                "can_revoke": card.revoked_at is None and allows(self.actor, ISSUE_CARD, card),
            }
        )


class CardRevokeView(CrmView):
    action = ISSUE_CARD

    def post(self, request: HttpRequest, card_id: int) -> HttpResponse:
        try:
            card = services.card_revoke(
                actor=self.actor, card_id=card_id, reason=request.POST.get("reason", "")
            )
        except Invalid as exc:
            messages.error(request, _message(exc))
            return redirect("web:referral_card", card_id)
        messages.success(request, _("已作废优惠卡 %(code)s") % {"code": card.code})
        return redirect(_detail(card.referrer_id))


class RewardPaidView(CrmView):
    """The old customer's reward handed over (兑现)."""

    action = ISSUE_CARD

    def post(self, request: HttpRequest, reward_id: int) -> HttpResponse:
        try:
            reward = services.reward_mark_paid(actor=self.actor, reward_id=reward_id)
        except Invalid as exc:
            messages.error(request, _message(exc))
            return redirect("web:referrals")
        messages.success(request, _("已标记奖励兑现"))
        return redirect(_detail(reward.referrer_id))


# --- links ----------------------------------------------------------------------------------


class LinkCreateView(CrmView):
    """补齐关联手续 from the new customer's page."""

    action = LINK_REFERRAL

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        form = LinkForm(request.POST)
        if form.is_valid():
            try:
                services.referral_link_create(
                    actor=self.actor, customer_id=customer_id, data=dict(form.cleaned_data)
                )
            except Invalid as exc:
                messages.error(request, _message(exc))
            else:
                messages.success(request, _("已登记老带新关联，请完成三方确认"))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_detail(customer_id))


class ConfirmView(CrmView):
    """One confirmation; the service asks for the action its party needs (the manager's)."""

    def post(self, request: HttpRequest, link_id: int) -> HttpResponse:
        party = request.POST.get("party", "")
        try:
            link = services.referral_confirm(actor=self.actor, link_id=link_id, party=party)
        except Invalid as exc:
            messages.error(request, _message(exc))
            link = selectors.link_get(actor=self.actor, link_id=link_id)
        else:
            messages.success(request, _("已记录%(party)s确认") % {"party": Party(party).label})
        return redirect(_back(request, _detail(link.customer_id)))


class DeclineView(CrmView):
    action = CONFIRM_REFERRAL

    def post(self, request: HttpRequest, link_id: int) -> HttpResponse:
        form = DeclineForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            link = services.referral_decline(actor=self.actor, link_id=link_id, reason=reason)
        except Invalid as exc:
            messages.error(request, _message(exc))
            link = selectors.link_get(actor=self.actor, link_id=link_id)
        else:
            messages.success(request, _("已不予认定该关联"))
        return redirect(_back(request, _detail(link.customer_id)))


# --- the 老带新 page ------------------------------------------------------------------------


class ReferralsView(CrmView):
    """Links waiting for their paperwork (the new customers cannot sign before) and the
    ranking of old customers."""

    action = VIEW_REFERRAL
    template_name = "web/referrals/index.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        links, ranking = services.referrals_page_open(actor=self.actor)
        return self.render(
            {
                "pending": [
                    (
                        link,
                        services.missing_text(link),
                        allows(self.actor, CONFIRM_REFERRAL, link),
                    )
                    for link in links
                ],
                "ranking": ranking,
                "terms": selectors.referral_settings(),
            }
        )


class RankingExportView(CrmView):
    action = VIEW_REFERRAL_REPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        filename, content = services.ranking_export(actor=self.actor)
        response = HttpResponse(content, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        return response


class SettingsView(CrmView):
    """老带新设置: the card's period and the reward (the general manager)."""

    action = CHANGE_REFERRAL_SETTINGS
    template_name = "web/referrals/settings.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        terms = selectors.referral_settings()
        form = SettingsForm(
            initial={
                "card_valid_days": terms.card_valid_days,
                "reward_amount": terms.reward_amount,
                "reward_description": terms.reward_description,
            }
        )
        return self.render({"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            data.setdefault("reward_description", "")
            try:
                services.referral_settings_update(actor=self.actor, data=data)
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存老带新设置"))
                return redirect("web:referral_settings")
        return self.render({"form": form}, status=form_error_status(form))
