"""Data retrieval requests (客户数据调用申请表, 客户数据管理制度 七.4: 如需提供客户资料，
应提供客户数据调用申请表，由部门总监批准，并由总经理同时批准，方可提供).

A ``DataRequest`` says what is wanted (which customers, chosen by a list filter and fixed as ids
when it is filed; which fields; which file format), why (purpose) and for whom (recipient). It is
approved through ``crm.governance.approvals`` (the requester's department director, then the
general manager); then its requester may download the file once, before it expires. The file is
not kept: it is built when it is downloaded, from the records as they are then, masked to the
requester's clearance, and marked with the request's number, the requester and the time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class RequestState(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已批准，待导出")
    EXPORTED = "exported", _("已导出")
    REJECTED = "rejected", _("已驳回")
    FAILED = "failed", _("未能执行")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (.csv)"


class Target(models.TextChoices):
    """What a request takes: customers (the seed's 客户数据调用申请), or the rows of another list
    the requester sees (orders, opportunities, complaints …), which hold customer data too."""

    CUSTOMERS = "customers", _("客户")
    ORDERS = "orders", _("订单")
    OPPORTUNITIES = "opportunities", _("销售机会")
    COMPLAINTS = "complaints", _("投诉")
    FOLLOWUPS = "followups", _("跟进记录")
    VISITS = "visits", _("来访登记")


class DataRequest(models.Model):
    """One 客户数据调用申请: what, why, for whom; the decision; the one export."""

    target = models.CharField(
        _("导出对象"), max_length=16, choices=Target.choices, default=Target.CUSTOMERS
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    # the requester's department when filed: its director approves, its managers see it
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    purpose = models.CharField(_("调用用途"), max_length=500)
    recipient = models.CharField(_("接收方"), max_length=200)
    # the list filter it was filed from, as words for the form (the records are its ``items``)
    criteria = models.JSONField(_("筛选条件"), default=dict, blank=True)
    record_count = models.PositiveIntegerField(_("条数"), default=0)
    fields = models.JSONField(_("字段"), default=list)
    file_format = models.CharField(
        _("文件格式"), max_length=4, choices=FileFormat.choices, default=FileFormat.XLSX
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    approval = models.ForeignKey(
        "governance.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True, default="")
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    exported_rows = models.PositiveIntegerField(_("导出条数"), null=True, blank=True)
    # the SHA-256 of the file handed out: a copy found later can be matched to this request
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True, default="")

    policy = Policy(owner="requested_by", department="department")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["requested_by", "id"])]
        verbose_name = pgettext_lazy("model", "客户数据调用申请")
        verbose_name_plural = pgettext_lazy("model plural", "客户数据调用申请")

    def __str__(self) -> str:
        return f"{self.number} {self.purpose[:40]}"

    @property
    def number(self) -> str:
        return f"DY{self.pk:06d}"

    @property
    def customer_ids(self) -> list[int]:
        """The customers asked for, in the order the file lists them."""
        ids = self.items.order_by("position").values_list("customer_id", flat=True)
        return [pk for pk in ids if pk is not None]

    @property
    def record_ids(self) -> list[int]:
        """A list export's rows (orders, complaints …), in the order the file lists them."""
        ids = self.items.order_by("position").values_list("record_id", flat=True)
        return [pk for pk in ids if pk is not None]

    @property
    def expired(self) -> bool:
        return (
            self.state == RequestState.APPROVED
            and self.expires_at is not None
            and timezone.now() >= self.expires_at
        )

    @property
    def downloadable(self) -> bool:
        return self.state == RequestState.APPROVED and not self.expired


class RequestItem(models.Model):
    """One row of a request, fixed when it was filed: what the approvers approved and the file
    lists, and how the access log finds every export that held a customer. The customer is kept
    as its id (no foreign key): the record of a hand-out outlives the customer. A list export's
    row keeps its record's id too (an order's, a complaint's), and the customer it is about
    (none for a complaint without a customer)."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    customer_id = models.BigIntegerField(_("客户"), null=True)
    record_id = models.BigIntegerField(_("记录"), null=True)

    policy = Policy(owner="request__requested_by", department="request__department")

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="request_item_position")
        ]
        indexes = [models.Index(fields=["customer_id", "request"], name="request_item_customer")]
        verbose_name = pgettext_lazy("model", "调用客户")
        verbose_name_plural = pgettext_lazy("model plural", "调用客户")

    def __str__(self) -> str:
        return f"{self.request_id}:{self.customer_id}"
