"""The quarterly verification (数据核查, 客户数据管理规定:
售后服务部至少每季度1次对系统中数据进行数据核查，确保数据时效性和真实性，
营销部门作为所提供数据的时效性和真实性的第一责任人).

The data administrator opens a ``VerificationRound`` over a filter; each customer in it gets a
``VerificationItem`` for its supplying rep (the customer's owner when the round opened, else
whoever registered it), who confirms it or corrects it (through the customer's normal edit)
before the deadline. No field on Customer: when a customer was last verified is the latest done
item of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class RoundState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已关闭")


class ItemState(models.TextChoices):
    PENDING = "pending", _("待核查")
    CONFIRMED = "confirmed", _("已确认")
    CORRECTED = "corrected", _("已更正")


DONE_STATES = (ItemState.CONFIRMED, ItemState.CORRECTED)


class VerificationRound(models.Model):
    title = models.CharField(_("名称"), max_length=100)
    # the filter it was opened over, as given (department, category, not verified since)
    criteria = models.JSONField(_("范围"), default=dict, blank=True)
    deadline = models.DateField(_("截止日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    total = models.PositiveIntegerField(_("客户数"), default=0)

    # the rounds are the data-management department's: whoever runs them sees all of them
    policy = Policy()

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "核查轮次")
        verbose_name_plural = pgettext_lazy("model plural", "核查轮次")

    def __str__(self) -> str:
        return self.title


class VerificationItem(models.Model):
    round = models.ForeignKey(VerificationRound, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("责任人"),
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ItemState.choices, default=ItemState.PENDING
    )
    version_at_open = models.PositiveIntegerField(default=1)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True, default="")

    # an item is its supplying rep's, and their department's
    policy = Policy(owner="rep", department="department")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "customer"], name="verification_item_once")
        ]
        indexes = [
            models.Index(fields=["round", "state", "rep"], name="verification_round_state"),
            models.Index(fields=["rep", "state"], name="verification_rep_state"),
            models.Index(fields=["customer", "state"], name="verification_customer_state"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.customer_id}"
