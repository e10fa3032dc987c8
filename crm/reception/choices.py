from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    VISIT = "visit", _("来店")
    CALL = "call", _("来电")


class SeatStatus(models.TextChoices):
    """Where a rep in the rotation is (顾客门户管理规定: 因公事外出, 忙于接待客户)."""

    ON_DUTY = "on_duty", _("在岗")
    BUSY = "busy", _("接待中")
    AWAY = "away", _("外出")
    OFF = "off", _("休息")


class VisitKind(models.TextChoices):
    FIRST = "first", _("首次")
    RETURNING = "returning", _("再次")


class Assignment(models.TextChoices):
    """How the desk chose who serves: the rotation's turn, a make-up turn owed for turns missed
    while away, the rep the customer named at the door, the returning customer's owner, or a
    colleague serving a returning customer for an owner who is not free (义务接待)."""

    ROTATION = "rotation", _("轮流接待")
    MAKE_UP = "make_up", _("补接")
    NAMED = "named", _("指定接待")
    OWNER = "owner", _("老客户归原负责人")
    COURTESY = "courtesy", _("代为接待")


class ComplaintKind(models.TextChoices):
    GRAB = "grab", _("抢客")
    DISPUTE = "dispute", _("争客")
    NEGLECT = "neglect", _("怠慢客户")


class ComplaintState(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint", "待查处")
    UPHELD = "upheld", _("属实")
    DISMISSED = "dismissed", _("不属实")


class Finding(models.TextChoices):
    """What a manager may find (a decided complaint's state)."""

    UPHELD = ComplaintState.UPHELD.value, ComplaintState.UPHELD.label
    DISMISSED = ComplaintState.DISMISSED.value, ComplaintState.DISMISSED.label


class Penalty(models.TextChoices):
    """The seed's scale: 一般情况下扣罚当事人当日基本工资；情况严重者扣罚当月基本工资和
    当月应发奖金的 50%；故意挑起事端者辞退，并扣罚当月应得成交奖金的 50%."""

    NONE = "none", _("不处罚")
    DAY_BASE = "day_base", _("扣当日基本工资")
    MONTH_BASE_HALF_BONUS = "month_base_half_bonus", _("扣当月基本工资及当月奖金的50%")
    DISMISSAL = "dismissal", _("辞退并扣当月成交奖金的50%")
