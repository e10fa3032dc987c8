from __future__ import annotations

import re
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crm.core.models import TimeStampedModel
from crm.core.permissions import Policy, RestrictedQuerySet

from .choices import FollowUpKind, PlanKind, PlanMethod, PlanStatus


class FollowUp(TimeStampedModel):
    """跟进记录: a visit, call, e-mail, meeting, message, callback or service note."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="followups"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("跟进人"),
    )
    kind = models.CharField(_("方式"), max_length=12, choices=FollowUpKind.choices)
    occurred_at = models.DateTimeField(_("时间"))
    content = models.TextField(_("内容"), blank=True)
    outcome = models.CharField(_("结果"), max_length=200, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    feedback = models.TextField(_("客户反馈"), blank=True)
    subject = models.CharField(_("邮件主题"), max_length=200, blank=True)
    recipient = models.CharField(_("收件人"), max_length=200, blank=True)
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度（1-5）"), null=True, blank=True)
    # whether it counts toward the customer's cadence and the contact-status report: not an
    # empty note, nor one by someone outside the customer's sales chain (activities.count_followup)
    counted = models.BooleanField(_("计入跟进周期"), default=True)
    # 点评: a manager's comment on the record, shown in the timeline and in 夕会
    comment = models.TextField(_("经理点评"), blank=True, default="")
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("点评人"),
    )
    commented_at = models.DateTimeField(_("点评时间"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    # a record is the customer's (its owner and department, and whom it is shared with); its
    # author has it assigned
    policy = Policy(
        owner="customer__owner",
        department="customer__department",
        assigned=("staff",),
        shared="customer__shares",
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["staff", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_to_5",
            )
        ]
        verbose_name = pgettext_lazy("model", "跟进记录")
        verbose_name_plural = pgettext_lazy("model plural", "跟进记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"


class Plan(TimeStampedModel):
    """客户跟进计划表: a planned follow-up or callback, fulfilled by a follow-up record."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="plans"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("跟进人员"),
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=PlanKind.choices, default=PlanKind.FOLLOW_UP
    )
    method = models.CharField(_("跟进方式"), max_length=12, choices=PlanMethod.choices)
    planned_at = models.DateTimeField(_("计划时间"))
    content = models.TextField(_("跟进内容"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PLANNED
    )
    fulfilled_by = models.ForeignKey(
        FollowUp,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fulfilled_plans",
        verbose_name=_("完成记录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedQuerySet.as_manager()

    # a plan is its assignee's (and the assignee's department's); the customer's name and the
    # plan's text are shown only to those who may also read the customer (crm.activities.selectors)
    policy = Policy(owner="assignee", department="assignee__department")

    class Meta:
        ordering = ["planned_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "planned_at"]),
            models.Index(fields=["customer", "status", "planned_at"]),
            models.Index(fields=["status", "planned_at"]),
        ]
        verbose_name = pgettext_lazy("model", "跟进计划")
        verbose_name_plural = pgettext_lazy("model plural", "跟进计划")

    @property
    def text(self) -> str:
        """What the plan says, in the reader's language where the system wrote it (a callback
        after a deal); what a person wrote stays as written."""
        generated = _CALLBACK.match(self.content)
        if generated is None:
            return self.content
        return gettext(CALLBACK_TEXT) % {"n": int(generated[1])}

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.planned_at:%Y-%m-%d %H:%M}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a random name (the original is kept in ``name``): nothing a user typed
    becomes part of a path on the server."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    suffix = suffix if suffix.isascii() and suffix.isalnum() and len(suffix) <= 5 else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A photo or file of a follow-up (a business card, a signed quote, the car the customer
    came in). Stored in the data folder, readable by the CRM's account only; served only to those
    who may read the customer, each opening logged (crm.activities.services.attachment_open)."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    policy = Policy(
        owner="followup__customer__owner",
        department="followup__customer__department",
        assigned=("followup__staff",),
        shared="followup__customer__shares",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "附件")
        verbose_name_plural = pgettext_lazy("model plural", "附件")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# the text of a generated callback plan: stored in the source language (Chinese), shown in the
# reader's (``Plan.text``)
CALLBACK_TEXT = gettext_noop("成交后第 %(n)d 天回访")
_CALLBACK = re.compile(r"^成交后第 (\d+) 天回访$")


def _calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a user's iCalendar feed; resetting it revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)

    policy = Policy(owner="user")

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class Notification(models.Model):
    """An in-app reminder (提醒)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # the customer a reminder is about: it follows the customer to a new owner
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    policy = Policy(owner="user")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "id"]),
            models.Index(fields=["customer", "user"]),
        ]

    def __str__(self) -> str:
        return self.title


class DailyRun(models.Model):
    """Marks a once-a-day job as done for a date (the scheduler's idempotency)."""

    name = models.CharField(max_length=50)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="dailyrun_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"
