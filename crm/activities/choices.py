from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpKind(models.TextChoices):
    STORE_VISIT = "store_visit", _("到店")
    VISIT = "visit", _("拜访")
    CALL = "call", _("电话")
    EMAIL = "email", _("邮件")
    MEETING = "meeting", _("会议")
    MESSAGE = "message", _("短信/微信")
    CALLBACK = "callback", _("回访")
    SERVICE = "service", _("服务记录")


class PlanMethod(models.TextChoices):
    """跟进方式 of the follow-up plan form."""

    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    MEETING = "meeting", _("面谈")
    VISIT = "visit", _("拜访")
    STORE_VISIT = "store_visit", _("邀约到店")
    MESSAGE = "message", _("短信/微信")


class PlanKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("跟进")
    CALLBACK = "callback", _("回访")


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    DONE = "done", _("已完成")
    MISSED = "missed", _("已逾期")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (PlanStatus.PLANNED, PlanStatus.MISSED)
