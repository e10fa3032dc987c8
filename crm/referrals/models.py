"""老带新 (referrals): the cards old customers hand out, the link between a new customer and the
old one who brought them, its three signatures, and the reward recorded when the deal closes.

Rows are the customers': a card is its holder's (the referrer's owner and department), a link and
its reward the new customer's (whose rep does the paperwork and closes the deal).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy, RestrictedQuerySet

from .choices import LinkState, Via

_USER = settings.AUTH_USER_MODEL


class ReferralSettings(models.Model):
    """The company's terms (one row): how long a card is valid and what the old customer gets
    when the new customer's deal closes (an amount, or a description such as 一年物业费)."""

    card_valid_days = models.PositiveIntegerField(_("优惠卡有效期（天）"), default=180)
    reward_amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward_description = models.CharField(_("奖励内容"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = pgettext_lazy("model", "老带新设置")
        verbose_name_plural = pgettext_lazy("model plural", "老带新设置")

    def __str__(self) -> str:
        return str(_("老带新设置"))

    def snapshot(self) -> dict[str, object]:
        return {
            "card_valid_days": self.card_valid_days,
            "reward_amount": str(self.reward_amount) if self.reward_amount is not None else None,
            "reward_description": self.reward_description,
        }


class ReferralCard(TimeStampedModel):
    """老带新客户优惠卡: issued to a retained customer, valid for a period, revocable."""

    # NULL only between the INSERT and the code derived from the new id
    code = models.CharField(  # noqa: DJ001
        _("卡号"), max_length=20, unique=True, null=True, editable=False
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="referral_cards",
        verbose_name=_("持卡老客户"),
    )
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(
        _USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("签发人")
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    policy = Policy(owner="referrer__owner", department="referrer__department")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "老带新优惠卡")
        verbose_name_plural = pgettext_lazy("model plural", "老带新优惠卡")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="referralcard_valid_period",
            )
        ]

    def __str__(self) -> str:
        return self.code or "—"


class ReferralLinkQuerySet(RestrictedQuerySet["ReferralLink"]):
    def pending(self) -> ReferralLinkQuerySet:
        """Links whose paperwork is not done and which the manager has not declined."""
        return self.filter(declined_at__isnull=True).filter(
            Q(referrer_confirmed_at__isnull=True)
            | Q(customer_confirmed_at__isnull=True)
            | Q(manager_confirmed_at__isnull=True)
        )

    def complete(self) -> ReferralLinkQuerySet:
        return self.filter(
            declined_at__isnull=True,
            referrer_confirmed_at__isnull=False,
            customer_confirmed_at__isnull=False,
            manager_confirmed_at__isnull=False,
        )


class ReferralLink(TimeStampedModel):
    """A new customer brought by an old one (老带新关联), with its three signatures: the old
    customer's, the new customer's and the sales manager's, each recorded with who entered it and
    when. Made at the first visit (card or company) or completed later (补齐关联手续); the manager
    may decline it instead (不予认定)."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="referral",
        verbose_name=_("新客户"),
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=pgettext_lazy("referral", "老客户"),
    )
    via = models.CharField(_("关联方式"), max_length=12, choices=Via.choices)
    card = models.ForeignKey(
        ReferralCard,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("优惠卡"),
    )
    made_at_first_visit = models.BooleanField(_("首次到访时关联"), default=False)
    created_by = models.ForeignKey(_USER, null=True, on_delete=models.SET_NULL, related_name="+")
    referrer_confirmed_at = models.DateTimeField(_("老客户确认时间"), null=True, blank=True)
    referrer_confirmed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_confirmed_at = models.DateTimeField(_("新客户确认时间"), null=True, blank=True)
    customer_confirmed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager_confirmed_at = models.DateTimeField(_("销售经理确认时间"), null=True, blank=True)
    manager_confirmed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(_("不予认定时间"), null=True, blank=True)
    declined_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(_("不予认定原因"), max_length=500, blank=True, default="")

    objects = ReferralLinkQuerySet.as_manager()
    policy = Policy(owner="customer__owner", department="customer__department")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "老带新关联")
        verbose_name_plural = pgettext_lazy("model plural", "老带新关联")
        constraints = [
            models.CheckConstraint(
                condition=~Q(customer=models.F("referrer")), name="referrallink_not_self"
            ),
            models.CheckConstraint(
                condition=Q(via=Via.ACCOMPANIED, card__isnull=True)
                | Q(via=Via.CARD, card__isnull=False),
                name="referrallink_card_iff_via_card",
            ),
        ]
        indexes = [models.Index(fields=["referrer", "id"], name="referrallink_referrer")]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.customer_id}"

    @property
    def state(self) -> str:
        if self.declined_at is not None:
            return LinkState.DECLINED
        if self.referrer_confirmed_at and self.customer_confirmed_at and self.manager_confirmed_at:
            return LinkState.COMPLETE
        return LinkState.PENDING

    def get_state_display(self) -> str:
        return str(LinkState(self.state).label)


class Reward(TimeStampedModel):
    """The old customer's reward, recorded once when the new customer's deal closes, on the
    company's terms of that day."""

    link = models.OneToOneField(
        ReferralLink, on_delete=models.CASCADE, related_name="reward", verbose_name=_("关联")
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="referral_rewards",
        verbose_name=pgettext_lazy("referral", "老客户"),
    )
    amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.CharField(_("奖励内容"), max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(_("记录时间"))
    # handed over to the old customer (兑现), by the old customer's rep
    paid_at = models.DateTimeField(_("兑现时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()
    # the old customer's: their rep hands the reward over
    policy = Policy(owner="referrer__owner", department="referrer__department")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "老带新奖励")
        verbose_name_plural = pgettext_lazy("model plural", "老带新奖励")

    def __str__(self) -> str:
        return f"{self.referrer_id}: {self.amount or ''} {self.description}".strip()
