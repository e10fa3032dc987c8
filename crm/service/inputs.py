"""The declared inputs of customer service (see ``crm.core.inputs``, docs/adr/0004): a complaint
as the service department registers it, as a customer files it on the public form, each step of
its handling, the SLA table and the calendar, and a service record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Phone, Text

from .models import Category, Channel, DayKind, Severity

Id = Annotated[int, Integer(1, MAX_ID)]
Satisfaction = Annotated[int, Integer(1, 5)]
Hours = Annotated[int, Integer(1, 2000)]

DESCRIPTION_MAX = 4000


class ServiceComplaintInput(Input):
    """客户投诉处理表 at registration: who complains, through which channel, about what."""

    customer: Id | None = Field(None, description="客户 id（投诉人是已登记的客户时）")
    complainant: Annotated[str, Text(50, required=True, message=gettext_noop("请填写投诉人"))] = (
        Field(description="投诉人姓名")
    )
    phone: Phone = Field("", description="联系电话")
    channel: Annotated[str, Choice(Channel)] = Field(
        Channel.HOTLINE,
        description="hotline 投诉热线 / walk_in 来访 / email 电子邮件 / web 网上投诉",
    )
    category: Annotated[str, Choice(Category)] = Field(description="投诉类别")
    severity: Annotated[str, Choice(Severity)] = Field(
        Severity.NORMAL, description="critical 重大 / high 严重 / normal 一般 / low 轻微"
    )
    product: Annotated[str, Text(100)] = Field("", description="产品（名称或型号）")
    order_number: Annotated[str, Text(50)] = Field("", description="订单号")
    description: Annotated[
        str,
        Text(DESCRIPTION_MAX, required=True, area=True, message=gettext_noop("请填写投诉内容")),
    ] = Field(description="投诉内容")
    request: Annotated[str, Text(500, area=True)] = Field("", description="客户要求")
    handler: Id | None = Field(None, description="处理人用户 id（登记时即指派）")


class PublicComplaintInput(Input):
    """The public form (no sign-in): the customer's own words and how to reach them."""

    complainant: Annotated[str, Text(50, required=True, message=gettext_noop("请填写您的姓名"))] = (
        Field(description="姓名")
    )
    phone: Phone = Field(description="联系电话（查询进度时凭投诉编号和此电话）")
    category: Annotated[str, Choice(Category)] = Field(description="投诉类别")
    product: Annotated[str, Text(100)] = Field("", description="产品")
    order_number: Annotated[str, Text(50)] = Field("", description="订单号")
    description: Annotated[
        str,
        Text(2000, required=True, area=True, message=gettext_noop("请填写投诉内容")),
    ] = Field(description="投诉内容")


class ComplaintLookupInput(Input):
    number: Annotated[str, Text(12, required=True, message=gettext_noop("请填写投诉编号"))] = Field(
        description="投诉编号，如 TS00000012"
    )
    phone: Phone = Field(description="投诉时留的联系电话")


class AcceptInput(Input):
    """受理: who handles it (default: whoever accepts)."""

    handler: Id | None = Field(None, description="处理人用户 id；不填为受理人本人")
    note: Annotated[str, Text(1000, area=True)] = Field("", description="受理说明")


class NoteInput(Input):
    text: Annotated[
        str, Text(DESCRIPTION_MAX, required=True, area=True, message=gettext_noop("请填写处理情况"))
    ] = Field(description="处理情况")


class CollaboratorInput(Input):
    user: Id = Field(description="协助人用户 id（其他部门的经理或人员）")
    task: Annotated[str, Text(200)] = Field("", description="协助事项")


class ResolveInput(Input):
    resolution: Annotated[
        str,
        Text(DESCRIPTION_MAX, required=True, area=True, message=gettext_noop("请填写处理结果")),
    ] = Field(description="处理结果")
    department: Id | None = Field(None, description="责任部门 id（统计用）")


class CloseInput(Input):
    """结案: the customer confirmed the resolution."""

    satisfaction: Satisfaction | None = Field(None, description="客户满意度 1–5")
    customer_feedback: Annotated[str, Text(500, area=True)] = Field(
        "", description="客户意见（回访确认时客户所说）"
    )


class ReopenInput(Input):
    reason: Annotated[
        str, Text(500, required=True, area=True, message=gettext_noop("请填写重新处理的原因"))
    ] = Field(description="原因（客户不满意之处）")


class SlaInput(Input):
    response_hours: Hours = Field(description="响应时限（工作小时）")
    resolve_hours: Hours = Field(description="解决时限（工作小时）")
    gm_after_hours: Hours = Field(description="逾期多少工作小时后报总经理")


class CalendarDayInput(Input):
    kind: Annotated[str, Choice(DayKind)] = Field(description="holiday 放假 / workday 调休上班")
    name: Annotated[str, Text(50)] = Field("", description="名称，如 春节")


class ServiceRecordInput(Input):
    """客户服务记录表: date, what was done, by whom, how satisfied the customer was."""

    served_on: Annotated[dt.date, Day()] = Field(description="服务日期 YYYY-MM-DD")
    content: Annotated[
        str, Text(2000, required=True, area=True, message=gettext_noop("请填写服务内容"))
    ] = Field(description="服务内容")
    staff: Id | None = Field(None, description="服务人员用户 id；不填为记录人本人")
    satisfaction: Satisfaction | None = Field(None, description="客户满意度 1–5")
    comment: Annotated[str, Text(500)] = Field("", description="客户评价")
    product: Annotated[str, Text(100)] = Field("", description="产品")
    order_number: Annotated[str, Text(50)] = Field("", description="订单号")
