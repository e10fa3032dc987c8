"""The declared input of a hand-over (see ``crm.core.inputs``): whose, why, to whom, how split."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Input, Integer, Text

from .models import HandoverKind, HandoverSplit

Id = Annotated[int, Integer(1, MAX_ID)]
RECEIVERS_MAX = 50
CHOSEN_MAX = 20000


class Assignment(Input):
    customer: Id = Field(description="客户 id")
    receiver: Id = Field(description="接收人用户 id（须在 receivers 之中）")


class HandoverInput(Input):
    """交接单: the rep who leaves or moves, the receiving reps and how the customers are split
    among them (evenly, or the receivers with fewer customers first), with any customer given
    to a chosen receiver."""

    leaver: Id = Field(description="交出人（离职或调岗的销售顾问）用户 id")
    kind: Annotated[str, Choice(HandoverKind, message=gettext_noop("请选择交接类型"))] = Field(
        description="departure 离职（立即停用账户）/ transfer 调岗"
    )
    receivers: Annotated[list[Id], Field(min_length=1, max_length=RECEIVERS_MAX)] = Field(
        description="接收人用户 id"
    )
    split: Annotated[str, Choice(HandoverSplit)] = Field(
        HandoverSplit.EVEN, description="even 平均分配 / balance 名下客户少的多分"
    )
    chosen: Annotated[list[Assignment], Field(max_length=CHOSEN_MAX)] = Field(
        default_factory=list, description="逐个指定的客户与接收人（其余按分配方式）"
    )
    reason: Annotated[str, Text(500, required=True, message=gettext_noop("请填写交接原因"))] = (
        Field(description="交接原因")
    )
