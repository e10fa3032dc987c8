"""Customer service (客户服务, 客户管理制度: 保有客户管理, 客户投诉管理).

A ``Complaint`` (客户投诉) is registered by the service department (客服部) from the hotline, a
walk-in, an e-mail or the public web form; it is accepted and assigned to a handler, worked with
colleagues of other departments (``Collaborator``: 各相关部门经理和人员协助处理), resolved with the
resolution and closed with the customer's confirmation, or reopened. Every step is a ``Step`` of
its 处理过程 (what the printed 客户投诉处理表 lists) and an audit row.

Its deadlines (``response_due``, ``resolve_due``) come from the ``SlaPolicy`` of its severity, in
business hours of the business calendar (``crm.service.calendar``: the working hours of
``ServiceSettings`` and the ``CalendarDay`` table of public holidays and adjusted working days).

A ``ServiceRecord`` is one line of the 客户服务记录表: a date, what was done, by whom, and how
satisfied the customer was.

Products and orders are other apps' (crm.products, crm.orders, not merged yet): a complaint and a
service record name them by free text (``product``, ``order_number``) for now.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy
from crm.customers import sensitive


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("投诉热线")
    WALK_IN = "walk_in", _("来访")
    EMAIL = "email", _("电子邮件")
    WEB = "web", _("网上投诉")


class Category(models.TextChoices):
    PRODUCT = "product", _("产品质量")
    DELIVERY = "delivery", _("交付与交期")
    SERVICE = "service", _("服务态度")
    REPAIR = "repair", _("售后维修")
    PRICE = "price", _("价格与收费")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("重大")
    HIGH = "high", _("严重")
    NORMAL = "normal", _("一般")
    LOW = "low", _("轻微")


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    HANDLING = "handling", _("处理中")
    RESOLVED = "resolved", _("已解决，待客户确认")
    CLOSED = "closed", _("已结案")
    REOPENED = "reopened", _("重新处理")


# the states a complaint is open in: its resolution deadline runs
OPEN_STATES = (State.REGISTERED, State.ACCEPTED, State.HANDLING, State.REOPENED)


class Complaint(TimeStampedModel):
    """One 客户投诉, from registration to closure (客户投诉处理表)."""

    # the customer, when the complainant is one (a web complaint is matched by phone)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("客户"),
    )
    complainant = models.CharField(_("投诉人"), max_length=50)
    # the complainant's phone, encrypted with its blind index (crm.customers.sensitive)
    phone_store = models.CharField(max_length=200, blank=True, default="", db_column="phone")
    phone_index = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(_("投诉渠道"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("投诉类别"), max_length=10, choices=Category.choices)
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    product = models.CharField(_("产品"), max_length=100, blank=True, default="")
    order_number = models.CharField(_("订单号"), max_length=50, blank=True, default="")
    # the order and the catalogue product the text names, when they are the customer's (links)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("订单"),
    )
    catalogue_product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("产品目录中的产品"),
    )
    description = models.TextField(_("投诉内容"), max_length=4000)
    # the customer's wish (客户要求), as told
    request = models.CharField(_("客户要求"), max_length=500, blank=True, default="")
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.REGISTERED
    )
    # the resolution deadline while the complaint is open, NULL once resolved: what the queues
    # and the overdue list sort and range over (one index each; services set it with the state)
    open_due = models.DateTimeField(null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    # the department found responsible (责任部门), for the monthly statistics
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任部门"),
    )
    # the SLA: deadlines in business hours from registration (crm.service.calendar)
    response_due = models.DateTimeField(_("响应时限"))
    resolve_due = models.DateTimeField(_("解决时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # 0: not escalated; 1: to the handler's department manager; 2: to the general manager
    escalation = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    # once escalated to the department manager: when it goes on to the general manager
    gm_due = models.DateTimeField(_("报总经理时间"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), max_length=4000, blank=True, default="")
    customer_feedback = models.CharField(_("客户意见"), max_length=500, blank=True, default="")
    satisfaction = models.PositiveSmallIntegerField(_("客户满意度"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新处理次数"), default=0)
    # the SLA's outcome, fixed when it is known (the monthly statistics count these): accepted by
    # the response deadline, resolved by the resolution deadline (NULL: not yet), and the minutes
    # from registration to resolution
    responded_on_time = models.BooleanField(null=True, editable=False)
    resolved_on_time = models.BooleanField(null=True, editable=False)
    resolve_minutes = models.PositiveIntegerField(null=True, editable=False)
    # the public form's duplicate suppression: a digest of phone and text (no plaintext)
    fingerprint = models.CharField(max_length=64, blank=True, default="", db_index=True)
    version = models.PositiveIntegerField(default=1)

    # the customer's rep and their department see it; its handler and collaborators too
    policy = Policy(
        owner="customer__owner",
        department="customer__department",
        assigned=("handler", "collaborators__user"),
    )
    # the complainant's phone is ciphertext: key rotation re-encrypts it with the customers'
    encrypted_fields = {"phone_store": sensitive.PHONE}

    class Meta:
        ordering = ["-id"]
        indexes = [
            # a handler's open queue and the overdue list, soonest deadline first
            models.Index(fields=["handler", "open_due"], name="complaint_queue"),
            models.Index(fields=["open_due"], name="complaint_open_due"),
            # unaccepted and past the response deadline, not yet past the resolution one
            models.Index(fields=["state", "open_due", "response_due"], name="complaint_unanswered"),
            models.Index(fields=["escalation", "gm_due"], name="complaint_gm_due"),
            # the monthly statistics' trend: a month's count and on-time count from the index
            models.Index(fields=["created_at", "resolved_on_time"], name="complaint_created"),
            models.Index(fields=["customer", "created_at"], name="complaint_customer"),
            models.Index(fields=["phone_index"], name="complaint_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_5",
            ),
            models.CheckConstraint(condition=Q(escalation__lte=2), name="complaint_escalation"),
            models.CheckConstraint(
                condition=Q(open_due__isnull=False, state__in=OPEN_STATES)
                | Q(open_due__isnull=True, state__in=[State.RESOLVED, State.CLOSED]),
                name="complaint_open_due",
            ),
        ]
        verbose_name = pgettext_lazy("model", "客户投诉")
        verbose_name_plural = pgettext_lazy("model plural", "客户投诉")

    def __str__(self) -> str:
        return f"{self.number} {self.complainant}"

    @property
    def number(self) -> str:
        """The tracking number (投诉编号) the customer is given."""
        return f"TS{self.pk:08d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def response_late(self) -> bool:
        responded = self.accepted_at or timezone.now()
        return responded > self.response_due

    @property
    def resolve_late(self) -> bool:
        done = self.resolved_at or timezone.now()
        return done > self.resolve_due


class Collaborator(models.Model):
    """A colleague of another department asked to help (协助处理)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("协助人"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("协助部门"),
    )
    task = models.CharField(_("协助事项"), max_length=200, blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="collaborator_once")
        ]
        verbose_name = pgettext_lazy("model", "协助人")
        verbose_name_plural = pgettext_lazy("model plural", "协助人")

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.user_id}"


class StepKind(models.TextChoices):
    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("指派")
    HANDLING = "handling", _("开始处理")
    NOTE = "note", _("处理记录")
    COLLABORATOR = "collaborator", _("协助")
    RESOLVED = "resolved", _("解决")
    CLOSED = "closed", _("结案")
    REOPENED = "reopened", _("重新处理")
    ESCALATED = "escalated", _("升级")


class Step(models.Model):
    """One line of a complaint's 处理过程."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("类型"), max_length=12, choices=StepKind.choices)
    text = models.TextField(_("内容"), max_length=4000, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "处理过程")
        verbose_name_plural = pgettext_lazy("model plural", "处理过程")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


def _attachment_path(instance: ComplaintAttachment, filename: str) -> str:
    """A random name: nothing a user typed becomes part of a path on the server."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    suffix = suffix if suffix.isascii() and suffix.isalnum() and len(suffix) <= 5 else "bin"
    return f"complaints/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class ComplaintAttachment(models.Model):
    """A photo or document of a complaint, stored in the data folder (0600, crm.core.datafiles)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    policy = Policy(
        owner="complaint__customer__owner",
        department="complaint__customer__department",
        assigned=("complaint__handler", "complaint__collaborators__user"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "投诉附件")
        verbose_name_plural = pgettext_lazy("model plural", "投诉附件")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """The deadlines of one severity, in business hours from registration; escalation to the
    general manager once the missed deadline is ``gm_after_hours`` business hours behind."""

    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, unique=True)
    response_hours = models.PositiveSmallIntegerField(_("响应时限（工作小时）"))
    resolve_hours = models.PositiveSmallIntegerField(_("解决时限（工作小时）"))
    gm_after_hours = models.PositiveSmallIntegerField(_("逾期多少工作小时后报总经理"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response_hours"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_hours__gte=1)
                & Q(resolve_hours__gte=models.F("response_hours")),
                name="sla_hours_positive",
            )
        ]
        verbose_name = pgettext_lazy("model", "投诉时限")
        verbose_name_plural = pgettext_lazy("model plural", "投诉时限")

    def __str__(self) -> str:
        return f"{self.severity} {self.response_hours}/{self.resolve_hours}"


class ServiceSettings(models.Model):
    """The working hours of the business calendar (one row)."""

    work_start = models.TimeField(_("上班时间"), default="09:00")
    work_end = models.TimeField(_("下班时间"), default="18:00")
    # ISO weekdays, 1 = Monday: "12345"
    weekdays = models.CharField(_("工作日"), max_length=7, default="12345")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(work_end__gt=models.F("work_start")), name="work_hours"
            )
        ]
        verbose_name = pgettext_lazy("model", "工作时间")
        verbose_name_plural = pgettext_lazy("model plural", "工作时间")

    def __str__(self) -> str:
        return f"{self.work_start}-{self.work_end} {self.weekdays}"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CalendarDay(models.Model):
    """A day the calendar's weekly rule does not decide: a public holiday off, or a weekend day
    worked (调休). Managers edit the table when the State Council publishes a year's dates."""

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True, default="")

    class Meta:
        ordering = ["day"]
        verbose_name = pgettext_lazy("model", "节假日与调休")
        verbose_name_plural = pgettext_lazy("model plural", "节假日与调休")

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class ComplaintArticle(models.Model):
    """An answer of the knowledge base (销讲、答客问) cited in handling a complaint: the handler
    or a colleague helping links it; it shows on the complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(
        "knowledge.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("知识")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "article"], name="complaint_article_once")
        ]
        verbose_name = pgettext_lazy("model", "投诉引用的知识")
        verbose_name_plural = pgettext_lazy("model plural", "投诉引用的知识")

    def __str__(self) -> str:
        return f"{self.complaint_id}:{self.article_id}"


class ServiceRecord(TimeStampedModel):
    """One line of the 客户服务记录表."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="service_records"
    )
    served_on = models.DateField(_("服务日期"))
    content = models.TextField(_("服务内容"), max_length=2000)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("服务人员"),
    )
    satisfaction = models.PositiveSmallIntegerField(_("客户满意度"), null=True, blank=True)
    comment = models.CharField(_("客户评价"), max_length=500, blank=True, default="")
    product = models.CharField(_("产品"), max_length=100, blank=True, default="")
    order_number = models.CharField(_("订单号"), max_length=50, blank=True, default="")
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_records",
        verbose_name=_("订单"),
    )
    catalogue_product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("产品目录中的产品"),
    )

    policy = Policy(
        owner="customer__owner",
        department="customer__department",
        assigned=("staff",),
        shared="customer__shares",
    )

    class Meta:
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["customer", "served_on"], name="service_record_customer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="service_record_satisfaction_1_5",
            )
        ]
        verbose_name = pgettext_lazy("model", "客户服务记录")
        verbose_name_plural = pgettext_lazy("model plural", "客户服务记录")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.served_on}"
