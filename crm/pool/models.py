"""The public customer pools (公海): who belongs to each, their parameters and return rules, the
customers in them (``PoolEntry``, one open entry per customer, closed when claimed or assigned:
the entries are also the claim log the quotas count), the customers locked against return, the
warnings sent, and since when each customer has its current owner (``Holding``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy, RestrictedQuerySet
from crm.customers.choices import Category, Grade

from .choices import EnterKind, LeaveKind, RuleKind


class Pool(TimeStampedModel):
    """A public pool (公海) of a department or a region: its members claim from it, and the
    customers of its members return to it under its rules; its administrators assign from it.

    Access (crm.core.permissions): ``own`` = pools one administers, ``assigned`` = also those one
    is a member of, ``department`` = also the pools of one's department, ``all`` = every pool."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属部门"),
    )
    region = models.CharField(_("区域"), max_length=50, blank=True, default="")
    member_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="pools", verbose_name=_("成员")
    )
    admin_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_pools",
        verbose_name=_("管理员"),
    )
    hidden_fields = models.JSONField(_("领取前隐藏的字段"), default=list, blank=True)
    warn_days = models.PositiveSmallIntegerField(_("收回前提醒（天）"), default=3)
    reclaim_days = models.PositiveSmallIntegerField(_("原负责人不可领取（天）"), default=30)
    claims_per_day = models.PositiveSmallIntegerField(_("每人每天可领取"), default=10)
    claims_per_time = models.PositiveSmallIntegerField(_("每次可领取"), default=5)
    cap_per_rep = models.PositiveIntegerField(_("每人客户上限"), default=0)  # 0: no cap
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    policy = Policy(owner="admin_users", department="department", assigned=("member_users",))

    snapshot_exclude = ("created_at", "updated_at", "version")

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("model", "公海")
        verbose_name_plural = pgettext_lazy("model plural", "公海")

    def __str__(self) -> str:
        return self.name


class ReturnRule(models.Model):
    """A customer of a member whose grade and category match is returned to the pool after
    ``days`` days without a follow-up, a new opportunity or a deal (``kind``), counted from the
    later of that event and the day the owner got the customer. Customers with a deal are exempt
    unless ``include_deals``."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("条件"), max_length=20, choices=RuleKind.choices)
    days = models.PositiveSmallIntegerField(_("天数"))
    grade = models.CharField(
        _("意向级别"), max_length=1, choices=Grade.choices, blank=True, default=""
    )
    category = models.CharField(
        _("客户类别"), max_length=12, choices=Category.choices, blank=True, default=""
    )
    include_deals = models.BooleanField(_("已成交客户也收回"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    policy = Policy(
        owner="pool__admin_users", department="pool__department", assigned=("pool__member_users",)
    )

    class Meta:
        ordering = ["pool", "kind", "grade", "category", "id"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="poolrule_days")]
        verbose_name = pgettext_lazy("model", "收回规则")
        verbose_name_plural = pgettext_lazy("model plural", "收回规则")

    def __str__(self) -> str:
        return f"{self.pool_id}: {self.kind} {self.days}"


class PoolEntry(models.Model):
    """A customer's stay in a pool: open (``left_at`` empty) while it is there; closed when a
    member claims it or an administrator assigns it (``taken_by``, ``left_kind``)."""

    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="entries")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="pool_entries"
    )
    entered_at = models.DateTimeField(_("进入公海时间"))
    enter_kind = models.CharField(max_length=10, choices=EnterKind.choices)
    former_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("原负责人"),
    )
    reason = models.CharField(_("原因"), max_length=300)
    left_at = models.DateTimeField(null=True, blank=True)
    left_kind = models.CharField(max_length=10, choices=LeaveKind.choices, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(  # who claimed or assigned
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    policy = Policy(
        owner="pool__admin_users", department="pool__department", assigned=("pool__member_users",)
    )

    class Meta:
        ordering = ["-entered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(left_at__isnull=True), name="poolentry_one_open"
            )
        ]
        indexes = [
            models.Index(fields=["pool", "left_at", "id"], name="poolentry_pool_open"),
            models.Index(fields=["taken_by", "left_kind", "left_at"], name="poolentry_taken"),
            models.Index(
                fields=["customer", "former_owner", "entered_at"], name="poolentry_former"
            ),
        ]
        verbose_name = pgettext_lazy("model", "公海客户")
        verbose_name_plural = pgettext_lazy("model plural", "公海客户")

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.pool_id}"


class Holding(models.Model):
    """Since when a customer has its current owner (kept by the owner-changed hook); a customer
    without a row has had its owner since it was registered."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="pool_holding",
    )
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.customer_id} since {self.since}"


class PoolLock(models.Model):
    """A customer locked against return to any pool (a key account, a deal under way)."""

    customer = models.OneToOneField(
        "customers.Customer", primary_key=True, on_delete=models.CASCADE, related_name="pool_lock"
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    policy = Policy(owner="customer__owner", department="customer__department")

    class Meta:
        verbose_name = pgettext_lazy("model", "防收回锁定")
        verbose_name_plural = pgettext_lazy("model plural", "防收回锁定")

    def __str__(self) -> str:
        return f"lock {self.customer_id}"


class PoolWarning(models.Model):
    """The warning sent to an owner that a customer returns to the pool on ``return_on``: once per
    return cycle (a follow-up moves the day, and a new day is a new cycle)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="+")
    return_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    policy = Policy(owner="owner")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "owner", "return_on"], name="poolwarning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} returns {self.return_on}"
