"""Opportunities (销售机会) and the pipelines they move through (客户关系管理系统操作指南 四:
新建销售机会, 阶段跟进, 销售机会关闭).

A ``Pipeline`` is an ordered list of ``Stage`` rows, each with its win probability (what the
weighted forecast multiplies the amount by) and the days without activity after which an open
opportunity in it is stale. An ``Opportunity`` is open in one stage until it is closed won or
lost (with a ``LostReason`` from the company's list); its products are free-text ``Line`` rows
(the product catalogue links them later). Follow-ups are the customer's follow-up records
(crm.activities), each tied to the opportunity by a ``FollowUpLink``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy

from .choices import Currency, Status


class Pipeline(TimeStampedModel):
    """销售流程: the stages an opportunity goes through, in order."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    # the industry template it was installed from (crm.sales.templates), blank: built by hand
    template = models.CharField(_("行业模板"), max_length=20, blank=True, default="")
    is_default = models.BooleanField(_("默认流程"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            )
        ]
        verbose_name = pgettext_lazy("model", "销售流程")
        verbose_name_plural = pgettext_lazy("model plural", "销售流程")

    def __str__(self) -> str:
        return self.name


class Stage(TimeStampedModel):
    """销售阶段: one column of the board, with its win probability and stale threshold."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("阶段名称"), max_length=30)
    position = models.PositiveSmallIntegerField(_("顺序"))
    probability = models.PositiveSmallIntegerField(_("赢单概率（%）"))
    # open opportunities in this stage without activity for this many days are stale (None: never)
    stale_days = models.PositiveSmallIntegerField(_("停滞天数"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="stage_probability_0_to_100"
            ),
            models.CheckConstraint(
                condition=Q(stale_days__isnull=True) | Q(stale_days__gte=1),
                name="stage_stale_days_positive",
            ),
        ]
        verbose_name = pgettext_lazy("model", "销售阶段")
        verbose_name_plural = pgettext_lazy("model plural", "销售阶段")

    def __str__(self) -> str:
        return f"{self.name} ({self.probability}%)"


class LostReason(models.Model):
    """输单原因: the company's list a lost opportunity picks from."""

    name = models.CharField(_("输单原因"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = pgettext_lazy("model", "输单原因")
        verbose_name_plural = pgettext_lazy("model plural", "输单原因")

    def __str__(self) -> str:
        return self.name


class Opportunity(TimeStampedModel):
    """销售机会: what may be sold to a customer, for how much, when, and how far it got."""

    name = models.CharField(_("机会名称"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("客户"),
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="+", verbose_name=_("销售流程")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("阶段")
    )
    status = models.CharField(_("状态"), max_length=4, choices=Status.choices, default=Status.OPEN)
    amount = models.DecimalField(
        _("预计金额"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(
        _("币种"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    expected_close_on = models.DateField(_("预计成交日期"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("负责人"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    notes = models.TextField(_("备注"), blank=True, default="")
    stage_entered_at = models.DateTimeField(_("进入阶段时间"))
    # the last stage move or follow-up: what the stale flag counts from
    last_activity_at = models.DateTimeField(_("最近活动时间"))
    # the furthest stage reached (its position): the funnel's "reached this stage"
    furthest_position = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    won_on = models.DateField(_("成交日期"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("输单原因"),
    )
    close_note = models.TextField(_("关闭说明"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    # an opportunity is its owner's and its owner's department's, like a customer
    policy = Policy(owner="owner", department="department")
    snapshot_exclude = ("created_at", "updated_at", "version")

    class Meta:
        ordering = ["-id"]
        indexes = [
            # the board: one column's cards, newest activity first, and its totals (covering)
            models.Index(
                fields=["pipeline", "status", "stage", "last_activity_at"], name="opp_board"
            ),
            models.Index(
                fields=["pipeline", "status", "stage", "currency", "amount"], name="opp_totals"
            ),
            # the funnel of the opportunities created in a period (covering)
            models.Index(
                fields=[
                    "pipeline",
                    "currency",
                    "created_at",
                    "furthest_position",
                    "status",
                    "stage",
                    "amount",
                ],
                name="opp_funnel",
            ),
            models.Index(
                fields=["owner", "status", "pipeline", "stage", "last_activity_at"],
                name="opp_owner_board",
            ),
            models.Index(
                fields=["department", "status", "pipeline", "stage", "last_activity_at"],
                name="opp_department_board",
            ),
            models.Index(fields=["status", "expected_close_on"], name="opp_forecast"),
            models.Index(fields=["status", "closed_at"], name="opp_closed"),
            models.Index(fields=["customer", "status"], name="opp_customer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="opportunity_closed_when_not_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="won") | Q(won_on__isnull=False),
                name="opportunity_won_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="lost") | Q(lost_reason__isnull=False),
                name="opportunity_lost_has_reason",
            ),
        ]
        verbose_name = pgettext_lazy("model", "销售机会")
        verbose_name_plural = pgettext_lazy("model plural", "销售机会")

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> str:
        return f"XS{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def weighted(self) -> Decimal:
        """The amount times the stage's win probability (what the forecast counts)."""
        if self.status == Status.WON:
            return self.amount
        if self.status == Status.LOST:
            return Decimal("0")
        return (self.amount * self.stage.probability / 100).quantize(Decimal("0.01"))

    def snapshot(self) -> dict[str, Any]:
        data = super().snapshot()
        data["lines"] = [line.snapshot() for line in self.lines.all()] if self.pk else []
        return data


class Line(models.Model):
    """One product of an opportunity: its name as typed (the product catalogue links it later),
    quantity and unit price."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product_name = models.CharField(_("产品名称"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)

    policy = Policy(owner="opportunity__owner", department="opportunity__department")

    class Meta:
        ordering = ["opportunity", "position"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "position"], name="line_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_positive"),
        ]
        verbose_name = pgettext_lazy("model", "产品明细")
        verbose_name_plural = pgettext_lazy("model plural", "产品明细")

    def __str__(self) -> str:
        return f"{self.product_name} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))

    def snapshot(self) -> dict[str, Any]:
        return {
            "product_name": self.product_name,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
        }


class FollowUpLink(models.Model):
    """A follow-up record of the customer (crm.activities) made about this opportunity: the
    record stays the customer's (its timeline, cadence, plans); the link lists it here."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="followup_links"
    )
    followup = models.OneToOneField(
        "activities.FollowUp", on_delete=models.CASCADE, related_name="opportunity_link"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    policy = Policy(owner="opportunity__owner", department="opportunity__department")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["opportunity", "id"], name="opp_followup_link")]
        verbose_name = pgettext_lazy("model", "机会跟进")
        verbose_name_plural = pgettext_lazy("model plural", "机会跟进")

    def __str__(self) -> str:
        return f"{self.opportunity_id}:{self.followup_id}"


class Tally(models.Model):
    """How many opportunities, and how much, share one combination of what the board and the
    funnel group by (pipeline, stage, status, furthest stage, currency, owner, department, month
    entered): kept by the services with every change of an opportunity, so that the board's
    column totals and the funnel are one small aggregate whatever the volume (docs/adr/0014).
    ``rebuild`` recounts it from the opportunities."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=4, choices=Status.choices)
    furthest_position = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # the opportunities' department id (0: none): a plain number, so that the key is unique
    department = models.PositiveBigIntegerField(default=0)
    month = models.DateField()  # the first day of the month they were entered (local time)
    count = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))

    policy = Policy(owner="owner", department="department")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "pipeline",
                    "stage",
                    "status",
                    "furthest_position",
                    "currency",
                    "owner",
                    "department",
                    "month",
                ],
                name="tally_key",
            )
        ]
        indexes = [
            models.Index(fields=["pipeline", "status", "stage"], name="tally_board"),
            models.Index(fields=["pipeline", "currency", "month"], name="tally_funnel"),
        ]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.status}: {self.count}"
