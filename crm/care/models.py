"""Satisfaction surveys and customer care (客户管理制度, 保有客户管理 3–4 and 客户关怀).

满意度抽查: each month the service department draws a random sample of the month's new retained
customers (those whose ``deal_on`` falls in the month): a ``SurveyRound`` keeps the month, the
seed, the size asked for and the form (a questionnaire of ``crm.questionnaires``); its
``SurveyCall`` rows are the customers drawn, each with the rep who owned the customer at the draw
(whose performance the answer counts for), how it was answered (by phone, or through a signed
single-use link) and its score. A problem found opens a ``CareAction`` (整改: 反馈并督促整改):
a responsible person, a due date and its states to closure.

客户关怀: birthdays (``Birthday``: the customer record has none, so they are kept here, of a
customer or of one of its contacts) and care campaigns (``CareCampaign``) to a segment of the
customer list, with one tracked ``CampaignTarget`` per customer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy


class CallState(models.TextChoices):
    PENDING = "pending", _("待回访")
    ANSWERED = "answered", _("已回访")
    UNREACHABLE = "unreachable", _("联系不上")
    DECLINED = "declined", _("拒绝回答")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话回访")
    LINK = "link", _("客户自填链接")


class ActionState(models.TextChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已整改，待核实")
    CLOSED = "closed", _("已关闭")


class SurveyRound(models.Model):
    """One month's 满意度抽查: how it was drawn (seed, size, population) and with which form."""

    month = models.DateField(_("月份"), unique=True)  # the first day of the month
    form = models.ForeignKey(
        "questionnaires.Questionnaire",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("调查表"),
    )
    seed = models.BigIntegerField(_("随机种子"))
    size_asked = models.PositiveIntegerField(_("抽查户数"), null=True, blank=True)
    share_asked = models.PositiveSmallIntegerField(_("抽查比例（%）"), null=True, blank=True)
    population = models.PositiveIntegerField(_("当月成交客户数"), default=0)
    sample_size = models.PositiveIntegerField(_("抽中户数"), default=0)
    # a score below this (the average of the rated questions, 1–5) is a problem found
    alert_below = models.DecimalField(
        _("低于此分视为发现问题"), max_digits=3, decimal_places=1, default=3.5
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("抽取人"),
    )
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    # the company's: drawing is an on/off action, the calls are the reps' (``SurveyCall``)
    policy = Policy()

    class Meta:
        ordering = ["-month"]
        verbose_name = pgettext_lazy("model", "满意度抽查")
        verbose_name_plural = pgettext_lazy("model plural", "满意度抽查")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"MY{self.month:%Y%m}"


class SurveyCall(models.Model):
    """One customer drawn: answered by phone or by link, its score, the rep it counts for."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="calls")
    position = models.PositiveIntegerField(_("序号"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    # the customer's owner and department at the draw: whose performance the answer counts for
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("销售顾问"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("部门"),
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=CallState.choices, default=CallState.PENDING
    )
    channel = models.CharField(
        _("回访方式"), max_length=5, choices=Channel.choices, blank=True, default=""
    )
    response = models.ForeignKey(
        "questionnaires.Response",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("答卷"),
    )
    score = models.DecimalField(_("满意度得分"), max_digits=3, decimal_places=2, null=True)
    problem = models.BooleanField(_("发现问题"), default=False)
    note = models.CharField(_("回访备注"), max_length=500, blank=True, default="")
    answered_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("回访人"),
    )
    # the customer's link: valid while the nonce is set and before it expires (single use)
    link_nonce = models.CharField(max_length=32, blank=True, default="", editable=False)
    link_expires_at = models.DateTimeField(_("链接有效期至"), null=True, blank=True)

    policy = Policy(owner="rep", department="department")

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "customer"], name="surveycall_round_customer"),
            models.UniqueConstraint(fields=["round", "position"], name="surveycall_round_position"),
        ]
        indexes = [
            models.Index(fields=["round", "state", "position"], name="surveycall_round_state"),
            models.Index(fields=["rep", "round"], name="surveycall_rep_round"),
        ]
        verbose_name = pgettext_lazy("model", "满意度回访")
        verbose_name_plural = pgettext_lazy("model plural", "满意度回访")

    def __str__(self) -> str:
        return f"{self.round_id}#{self.position}"

    @property
    def link_open(self) -> bool:
        return (
            self.state == CallState.PENDING
            and bool(self.link_nonce)
            and self.link_expires_at is not None
            and timezone.now() < self.link_expires_at
        )


class CareAction(models.Model):
    """整改: a problem a survey found, its responsible person and due date, tracked to closure."""

    call = models.ForeignKey(
        SurveyCall,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("满意度回访"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    problem = models.CharField(_("问题"), max_length=500)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("部门"),
    )
    due_on = models.DateField(_("整改期限"))
    state = models.CharField(
        _("状态"), max_length=8, choices=ActionState.choices, default=ActionState.OPEN
    )
    result = models.CharField(_("整改结果"), max_length=1000, blank=True, default="")
    close_note = models.CharField(_("核实意见"), max_length=500, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    done_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("核实人"),
    )

    policy = Policy(owner="responsible", department="department")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="careaction_state_due"),
            models.Index(fields=["responsible", "state"], name="careaction_responsible"),
        ]
        verbose_name = pgettext_lazy("model", "整改事项")
        verbose_name_plural = pgettext_lazy("model plural", "整改事项")

    def __str__(self) -> str:
        return f"ZG{self.pk:06d} {self.problem[:40]}"

    @property
    def number(self) -> str:
        return f"ZG{self.pk:06d}"

    @property
    def overdue(self) -> bool:
        return self.state == ActionState.OPEN and self.due_on < timezone.localdate()

    def snapshot(self) -> dict[str, object]:
        return {
            "problem": self.problem,
            "responsible": self.responsible_id,
            "due_on": self.due_on.isoformat(),
            "state": self.state,
            "result": self.result,
            "close_note": self.close_note,
        }


class Birthday(models.Model):
    """A customer's birthday, or one of its contacts' (the year may be unknown)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("联系人"),
    )
    month = models.PositiveSmallIntegerField(_("月"))
    day = models.PositiveSmallIntegerField(_("日"))
    year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    # month * 100 + day: the lists ask for a window of these
    month_day = models.PositiveSmallIntegerField(editable=False, db_index=True)

    policy = Policy(
        owner="customer__owner", department="customer__department", shared="customer__shares"
    )

    class Meta:
        ordering = ["month_day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(contact__isnull=True), name="birthday_customer"
            ),
            models.UniqueConstraint(
                fields=["contact"], condition=Q(contact__isnull=False), name="birthday_contact"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="birthday_month_day",
            ),
        ]
        verbose_name = pgettext_lazy("model", "生日")
        verbose_name_plural = pgettext_lazy("model plural", "生日")

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


class CampaignState(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class CampaignKind(models.TextChoices):
    BIRTHDAY = "birthday", _("生日关怀")
    ANNIVERSARY = "anniversary", _("购车（成交）周年")
    HOLIDAY = "holiday", _("节日问候")
    SERVICE = "service", _("保养、服务提醒")
    OTHER = "other", _("其他")


class TargetState(models.TextChoices):
    PENDING = "pending", _("待联系")
    CONTACTED = "contacted", _("已联系")
    RESPONDED = "responded", _("有回应")
    DECLINED = "declined", _("谢绝")


class CareCampaign(models.Model):
    """A care activity (客户关怀活动) to a segment of the customer list, fixed when it starts."""

    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=CampaignKind.choices)
    description = models.CharField(_("内容"), max_length=1000, blank=True, default="")
    criteria = models.JSONField(_("客户范围"), default=dict, blank=True)
    target_count = models.PositiveIntegerField(_("客户数"), default=0)
    state = models.CharField(
        _("状态"), max_length=8, choices=CampaignState.choices, default=CampaignState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    # the company's; each target is its customer's (``CampaignTarget``)
    policy = Policy()

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "关怀活动")
        verbose_name_plural = pgettext_lazy("model plural", "关怀活动")

    def __str__(self) -> str:
        return self.title


class CampaignTarget(models.Model):
    """One customer of a campaign and what came of it."""

    campaign = models.ForeignKey(CareCampaign, on_delete=models.CASCADE, related_name="targets")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("客户")
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=TargetState.choices, default=TargetState.PENDING
    )
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    updated_at = models.DateTimeField(_("更新时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )

    policy = Policy(
        owner="customer__owner", department="customer__department", shared="customer__shares"
    )

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="campaigntarget_unique")
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="campaigntarget_state")]
        verbose_name = pgettext_lazy("model", "关怀对象")
        verbose_name_plural = pgettext_lazy("model plural", "关怀对象")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id}"
