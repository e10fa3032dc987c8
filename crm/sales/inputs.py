"""The declared inputs of sales (see ``crm.core.inputs``): an opportunity with its product lines,
a stage move, closing won or lost, a pipeline with its stages, the list of lost reasons."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Money, Text

from .choices import Currency

Id = Annotated[int, Integer(1, MAX_ID)]
Version = Annotated[int, Integer(1, MAX_ID)]
LINES_MAX = 50
STAGES_MAX = 12
REASONS_MAX = 50


class OpportunityLineInput(Input):
    """One product: its name, quantity and unit price (the amount is their product)."""

    product_name: Annotated[
        str, Text(100, required=True, message=gettext_noop("请填写产品名称"))
    ] = Field(description="产品名称")
    quantity: Annotated[decimal.Decimal, Money(10**9, positive=True)] = Field(description="数量")
    unit_price: Annotated[decimal.Decimal, Money()] = Field(description="单价")


class OpportunityInput(Input):
    """销售机会: name, customer, amount (or product lines, whose total it then is), currency,
    expected close date, pipeline and stage (the default pipeline's first stage when left out),
    owner (the one who enters it when left out)."""

    name: Annotated[str, Text(100, required=True, message=gettext_noop("请填写机会名称"))] = Field(
        description="机会名称"
    )
    customer: Id = Field(description="客户 id")
    amount: Annotated[decimal.Decimal, Money()] | None = Field(
        None, description="预计金额（有产品明细时为明细合计）"
    )
    currency: Annotated[str, Choice(Currency)] = Field(Currency.CNY, description="币种")
    expected_close_on: Annotated[dt.date, Day()] | None = Field(None, description="预计成交日期")
    pipeline: Id | None = Field(None, description="销售流程 id（默认：默认流程）")
    stage: Id | None = Field(None, description="阶段 id（默认：流程的第一个阶段）")
    owner: Id | None = Field(None, description="负责人用户 id（默认：本人）")
    notes: Annotated[str, Text(2000, area=True)] = Field("", description="备注")
    lines: Annotated[list[OpportunityLineInput], Field(max_length=LINES_MAX)] = Field(
        [], description="产品明细"
    )


class MoveInput(Input):
    """A move to another stage of the opportunity's pipeline (a card dragged on the board)."""

    version: Version = Field(description="读取时的版本号；已被他人修改时返回 409 conflict")
    stage: Id = Field(description="目标阶段 id")


class WinInput(Input):
    """赢单: the deal date (today when left out) and a note."""

    version: Version = Field(description="读取时的版本号；已被他人修改时返回 409 conflict")
    won_on: Annotated[dt.date, Day()] | None = Field(None, description="成交日期（默认今天）")
    note: Annotated[str, Text(1000, area=True)] = Field("", description="说明")


class LoseInput(Input):
    """输单: a reason from the company's list, and notes."""

    version: Version = Field(description="读取时的版本号；已被他人修改时返回 409 conflict")
    reason: Id = Field(description="输单原因 id（GET /lost-reasons）")
    note: Annotated[str, Text(1000, area=True)] = Field("", description="说明")


class StageInput(Input):
    """One stage: an existing one (``id``) or a new one; in the order given."""

    id: Id | None = Field(None, description="已有阶段的 id（新阶段不填）")
    name: Annotated[str, Text(30, required=True, message=gettext_noop("请填写阶段名称"))] = Field(
        description="阶段名称"
    )
    probability: Annotated[int, Integer(0, 100)] = Field(description="赢单概率（0–100）")
    stale_days: Annotated[int, Integer(1, 365)] | None = Field(
        None, description="无活动多少天后标记为停滞（不填：不标记）"
    )


class PipelineInput(Input):
    """销售流程: its name and its stages in order (a stage left out of the list is retired; one
    that still holds open opportunities cannot be)."""

    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写流程名称"))] = Field(
        description="流程名称"
    )
    is_default: bool = Field(False, description="设为默认流程")
    active: bool = Field(True, description="启用")
    stages: Annotated[list[StageInput], Field(min_length=1, max_length=STAGES_MAX)] = Field(
        description="阶段（按顺序）"
    )


class LostReasonInput(Input):
    id: Id | None = Field(None, description="已有原因的 id（新原因不填）")
    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写输单原因"))] = Field(
        description="输单原因"
    )
    active: bool = Field(True, description="启用")


class LostReasonsInput(Input):
    """The list of lost reasons in order (one left out is retired, not deleted)."""

    reasons: Annotated[list[LostReasonInput], Field(min_length=1, max_length=REASONS_MAX)] = Field(
        description="输单原因（按顺序）"
    )
