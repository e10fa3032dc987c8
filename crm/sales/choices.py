from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """An opportunity is open (on the board, in one stage) until it is closed won or lost."""

    OPEN = "open", _("进行中")
    WON = "won", _("赢单")
    LOST = "lost", _("输单")


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")
    USD = "USD", _("美元")
    EUR = "EUR", _("欧元")
    JPY = "JPY", _("日元")
    HKD = "HKD", _("港币")
    GBP = "GBP", _("英镑")
