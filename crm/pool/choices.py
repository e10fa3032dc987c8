from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    NO_FOLLOWUP = "no_followup", _("未跟进")
    NO_OPPORTUNITY = "no_opportunity", _("无新商机")
    NO_DEAL = "no_deal", _("未成交")


class LeaveKind(models.TextChoices):
    """How a customer left the pool."""

    CLAIMED = "claimed", _("领取")
    ASSIGNED = "assigned", _("分配")


class EnterKind(models.TextChoices):
    """How a customer came into the pool."""

    RETURNED = "returned", _("到期收回")
    RELEASED = "released", _("放入公海")


# the fields of a customer a pool may hide from those who have not claimed it
class HideableField(models.TextChoices):
    PHONE = "phone", _("电话")
    COMPANY = "company", _("单位名称")
    ADDRESS = "address", _("地址")
    CITY = "city", _("城市")
    NEEDS = "needs", _("客户需求")
    SOURCE = "source", _("认知途径")
