"""The declared inputs of satisfaction surveys and customer care (see ``crm.core.inputs``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Text
from crm.customers.choices import Category, Grade

from .models import CampaignKind, TargetState

Id = Annotated[int, Integer(1, MAX_ID)]
SEED_MAX = 2**53 - 1  # what a JavaScript client reads back exactly
SAMPLE_MAX = 10000
MONTH_PATTERN = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"
WINDOW_MAX = 366


class Outcome(models.TextChoices):
    ANSWERED = "answered", "answered"
    UNREACHABLE = "unreachable", "unreachable"
    DECLINED = "declined", "declined"


MonthText = Annotated[str, Field(pattern=MONTH_PATTERN, description="月份 YYYY-MM")]


class DrawInput(Input):
    """满意度抽查: the month, how many (a number of customers or a share of the month's new
    retained customers; neither: ``CRM_SURVEY_SHARE`` per cent), the seed (none: a new random
    one, kept with the draw), the form (none: the shipped 客户满意度调查表) and the score below
    which an answer is a problem found."""

    month: MonthText
    size: Annotated[int, Integer(1, SAMPLE_MAX)] | None = Field(None, description="抽查户数")
    share: Annotated[int, Integer(1, 100)] | None = Field(None, description="抽查比例（%）")
    seed: Annotated[int, Integer(0, SEED_MAX)] | None = Field(
        None, description="随机种子（同一月份、同一种子抽出同样的客户）"
    )
    form: Id | None = Field(None, description="调查表 id（空：客户满意度调查表）")
    alert_below: Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)] | None = Field(
        None, description="平均分低于此值视为发现问题（1–5，默认 3.5）"
    )


class PhoneAnswerInput(Input):
    """A call by phone: the answers (``{question id: value}``, as for any form), or why there
    are none (联系不上, 拒绝回答), a note, and a problem the caller found beyond the score."""

    outcome: Annotated[str, Choice(Outcome)] = Field(
        Outcome.ANSWERED, description="answered 已回访 / unreachable 联系不上 / declined 拒绝回答"
    )
    answers: dict[str, Any] = Field(default_factory=dict, description="答案 {题目 id: 值}")
    note: Annotated[str, Text(500, area=True)] = Field("", description="回访备注")
    problem: Annotated[str, Text(500, area=True)] = Field(
        "", description="发现的问题（填写则发起整改；低于分数线时自动发起）"
    )


class ActionInput(Input):
    """整改: the problem, who answers for it and by when."""

    problem: Annotated[str, Text(500, required=True, message=gettext_noop("请填写问题"))] = Field(
        description="问题"
    )
    responsible: Id = Field(description="责任人用户 id")
    due_on: Annotated[dt.date, Day()] = Field(description="整改期限")


class ActionDoneInput(Input):
    result: Annotated[str, Text(1000, required=True, message=gettext_noop("请填写整改结果"))] = (
        Field(description="整改结果")
    )


class ActionCloseInput(Input):
    """The service department's check: closed, or sent back to the responsible person."""

    accept: bool = Field(True, description="true 核实通过并关闭 / false 退回重新整改")
    note: Annotated[str, Text(500)] = Field("", description="核实意见")


class BirthdayInput(Input):
    """A birthday: month and day (the year when known); of a contact of the customer, or of the
    customer itself."""

    contact: Id | None = Field(None, description="联系人 id（空：客户本人）")
    month: Annotated[int, Integer(1, 12)] = Field(description="月")
    day: Annotated[int, Integer(1, 31)] = Field(description="日")
    year: Annotated[int, Integer(1900, 2999)] | None = Field(None, description="出生年份")


class SegmentFilter(Input):
    """The customer list's filter (as on the list page and ``GET /customers``)."""

    q: Annotated[str, Text(100)] = Field("", description="搜索：姓名、单位、电话片段、客户编号")
    category: Annotated[str, Choice(Category, blank=True)] = Field("", description="客户类别")
    grade: Annotated[str, Choice(Grade, blank=True)] = Field("", description="意向级别")
    owner: Id | None = Field(None, description="负责人用户 id")
    tag: Annotated[str, Text(30)] = Field("", description="标签")
    mine: bool = Field(False, description="只要我名下的")


class CampaignInput(Input):
    """客户关怀活动: what, and to whom (the customer list's filter, or a saved view)."""

    title: Annotated[str, Text(100, required=True, message=gettext_noop("请填写活动名称"))] = Field(
        description="活动名称"
    )
    kind: Annotated[str, Choice(CampaignKind)] = Field(
        CampaignKind.OTHER, description="birthday / anniversary / holiday / service / other"
    )
    description: Annotated[str, Text(1000, area=True)] = Field("", description="内容")
    view: Id | None = Field(None, description="客户列表的已保存视图 id（给出时不用 filter）")
    filter: SegmentFilter = Field(SegmentFilter.model_validate({}), description="客户列表的筛选")


class TargetInput(Input):
    state: Annotated[str, Choice(TargetState)] = Field(
        description="pending 待联系 / contacted 已联系 / responded 有回应 / declined 谢绝"
    )
    note: Annotated[str, Text(500)] = Field("", description="备注")


class WindowInput(Input):
    days: Annotated[int, Integer(1, WINDOW_MAX)] = Field(30, description="未来天数")
