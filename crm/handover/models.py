"""Staff departure and transfer (交接, 客户数据管理规定: 员工调职或离职时，
不得将客户数据及资料带走，其所在部门应安排好数据资料交接，并由部门总监签字确认，交售后留档).

A ``Handover`` is started by a manager or director for one rep (the leaver): every live customer
of theirs is listed in it (``HandoverItem``), each with the receiving rep. The director signs it
off through the approvals engine; then everything moves in one transaction, as one audited
event. A departure ends the leaver's access when the hand-over is started, not when it is signed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class HandoverKind(models.TextChoices):
    DEPARTURE = "departure", _("离职")
    TRANSFER = "transfer", _("调岗")


class HandoverSplit(models.TextChoices):
    EVEN = "even", _("平均分配")
    BALANCE = "balance", _("补齐（客户少的多分）")


class HandoverState(models.TextChoices):
    PENDING = "pending", _("待总监签字")
    DONE = "done", _("已交接")
    REJECTED = "rejected", _("已驳回")
    FAILED = "failed", _("未能执行")


class Handover(models.Model):
    """One hand-over (交接单) of a rep's customers to one or more receiving reps."""

    kind = models.CharField(_("类型"), max_length=10, choices=HandoverKind.choices)
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers_given",
        verbose_name=_("交出人"),
    )
    # the leaver's department when it started: the director of it signs, its managers see it
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    split = models.CharField(_("分配方式"), max_length=10, choices=HandoverSplit.choices)
    reason = models.CharField(_("说明"), max_length=500, blank=True, default="")
    state = models.CharField(
        _("状态"), max_length=10, choices=HandoverState.choices, default=HandoverState.PENDING
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发起人"),
    )
    started_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    approval = models.ForeignKey(
        "governance.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("签字主管"),
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")
    # what moved, as the audited event says (customers, plans, skipped; and what hooks add)
    counts = models.JSONField(_("交接数量"), default=dict, blank=True)

    policy = Policy(owner="started_by", department="department")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "交接单")
        verbose_name_plural = pgettext_lazy("model plural", "交接单")
        indexes = [models.Index(fields=["leaver", "state"])]

    def __str__(self) -> str:
        return f"交接单 {self.pk}"

    @property
    def number(self) -> str:
        return f"JJ{self.pk:06d}"


class HandoverItem(models.Model):
    """One customer of a hand-over and the rep who receives it; ``moved`` once it moved (a
    customer that changed hands between the start and the signature is left where it is)."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moved = models.BooleanField(default=False)

    policy = Policy(owner="handover__started_by", department="handover__department")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "customer"], name="handover_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}:{self.customer_id}"
