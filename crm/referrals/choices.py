from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Via(models.TextChoices):
    """How the new customer came to us through the old one (老带新客户界定)."""

    CARD = "card", _("凭老带新优惠卡")
    ACCOMPANIED = "accompanied", _("老客户陪同")


class LinkState(models.TextChoices):
    PENDING = "pending", _("待补齐手续")
    COMPLETE = "complete", _("已确认")
    DECLINED = "declined", _("经理不予认定")


class Party(models.TextChoices):
    """Who signs a link (需要老客户、新客户、销售经理签字确认)."""

    REFERRER = "referrer", pgettext_lazy("referral", "老客户")
    CUSTOMER = "customer", _("新客户")
    MANAGER = "manager", _("销售经理")
