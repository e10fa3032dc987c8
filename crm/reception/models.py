"""The reception desk (接待管理): each showroom's rotation of reps (轮流接待), every walk-in and
call registered (来店/来电客户登记表), the sales-credit ledger of deals (五五分成) and the
complaints of poaching (抢客、争客、怠慢客户) with the manager's finding and penalty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy, RestrictedQuerySet

from .choices import (
    Assignment,
    Channel,
    ComplaintKind,
    ComplaintState,
    Penalty,
    SeatStatus,
    VisitKind,
)


class Desk(TimeStampedModel):
    """A showroom's reception desk: one per department. Its row is the lock every registration
    takes (``SELECT … FOR UPDATE``), so that two registrations at the same moment never take
    the same turn; ``last_position`` is the seat that took the last rotation turn and
    ``turns`` numbers the turns taken."""

    department = models.OneToOneField(
        "accounts.Department", on_delete=models.CASCADE, related_name="desk"
    )
    last_position = models.IntegerField(default=-1)
    turns = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    policy = Policy(department="department")

    class Meta:
        ordering = ["department_id"]
        verbose_name = pgettext_lazy("model", "接待台")
        verbose_name_plural = pgettext_lazy("model plural", "接待台")

    def __str__(self) -> str:
        return str(self.department)


class Seat(TimeStampedModel):
    """A rep's place in a desk's rotation (排序表) and where they are now. ``owed``: make-up
    turns earned by turns passed over while away on business (空几轮，补接几名新客户)."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="seats")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SeatStatus.choices, default=SeatStatus.ON_DUTY
    )
    owed = models.PositiveSmallIntegerField(_("待补接"), default=0)
    status_since = models.DateTimeField(_("状态开始"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()
    policy = Policy(owner="user", department="department")

    class Meta:
        ordering = ["desk_id", "position", "id"]
        verbose_name = pgettext_lazy("model", "接待顺序")
        verbose_name_plural = pgettext_lazy("model plural", "接待顺序")
        constraints = [
            models.UniqueConstraint(fields=["desk", "user"], name="seat_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.user}"


class Visit(TimeStampedModel):
    """One line of the 来店/来电客户登记表."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="visits"
    )
    channel = models.CharField(_("方式"), max_length=8, choices=Channel.choices)
    at = models.DateTimeField(_("时间"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="visits"
    )
    name = models.CharField(_("客户姓名"), max_length=100)
    party_size = models.PositiveSmallIntegerField(_("来访人数"), default=1)
    interest = models.CharField(_("意向"), max_length=200, blank=True, default="")
    source = models.CharField(_("认知途径"), max_length=20, blank=True, default="")
    named_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("指定销售顾问"),
    )
    referral_card = models.CharField(_("老带新卡号"), max_length=30, blank=True, default="")
    notes = models.CharField(_("备注"), max_length=500, blank=True, default="")
    kind = models.CharField(_("来访类型"), max_length=10, choices=VisitKind.choices)
    assignment = models.CharField(_("分配方式"), max_length=10, choices=Assignment.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户负责人"),
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_visits",
        verbose_name=_("接待人"),
    )
    # the rotation turn this registration took (rotation and make-up turns only)
    turn = models.PositiveIntegerField(_("轮次"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    finished_at = models.DateTimeField(_("接待结束"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    # a visit is the serving rep's, the customer's owner's and the showroom's
    policy = Policy(owner="served_by", department="department", assigned=("owner",))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = pgettext_lazy("model", "来电来访登记")
        verbose_name_plural = pgettext_lazy("model plural", "来电来访登记")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "turn"],
                condition=Q(turn__isnull=False),
                name="visit_unique_turn",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "at"], name="visit_department_at"),
            models.Index(fields=["customer", "at"], name="visit_customer_at"),
            models.Index(fields=["served_by", "at"], name="visit_served_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.name}"

    @property
    def courtesy(self) -> bool:
        return self.assignment == Assignment.COURTESY


class SalesCredit(models.Model):
    """The sales-credit ledger: who is credited with a deal, and what share. A deal closed on
    the day another rep served the returning customer for its owner is split 50/50 (奖金五五
    分成); otherwise the owner takes it all (and the colleague's service stays 义务接待)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="credits"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credits"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    share = models.DecimalField(_("分成比例"), max_digits=3, decimal_places=2)
    deal_on = models.DateField(_("成交日期"))
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="credits"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    policy = Policy(owner="user", department="department")

    class Meta:
        ordering = ["-deal_on", "-id"]
        verbose_name = pgettext_lazy("model", "业绩分成")
        verbose_name_plural = pgettext_lazy("model plural", "业绩分成")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "deal_on", "user"], name="credit_unique_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal_on} {self.user} {self.share}"


class Complaint(TimeStampedModel):
    """A complaint of poaching (抢客、争客、怠慢客户), the manager's finding and the penalty."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=ComplaintKind.choices)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("投诉人"),
    )
    accused = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("被投诉人"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("客户"),
    )
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("经过"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ComplaintState.choices, default=ComplaintState.OPEN
    )
    finding = models.TextField(_("查处意见"), blank=True, default="")
    penalty = models.CharField(
        _("处罚"), max_length=24, choices=Penalty.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("查处人"),
    )
    decided_at = models.DateTimeField(_("查处时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    policy = Policy(owner="accused", department="department", assigned=("complainant",))

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = pgettext_lazy("model", "抢客投诉")
        verbose_name_plural = pgettext_lazy("model plural", "抢客投诉")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.accused}"
