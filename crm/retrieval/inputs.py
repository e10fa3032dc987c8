"""The declared input of a data retrieval request (see ``crm.core.inputs``): why, for whom,
which customers (the customer list's filter, or chosen customers), which fields, which file."""

from __future__ import annotations

from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Input, Integer, Text
from crm.customers.choices import Category, Grade

from .fields import CODES
from .models import FileFormat

Id = Annotated[int, Integer(1, MAX_ID)]
CUSTOMERS_MAX = 100000

FieldCode = models.TextChoices("FieldCode", [(c, c) for c in CODES])  # type: ignore[misc,call-overload]


class Follow(models.TextChoices):
    OVERDUE = "overdue", "overdue"
    DUE = "due", "due"
    NEVER = "never", "never"


class Created(models.TextChoices):
    WEEK = "week", "week"
    MONTH = "month", "month"


class ListFilter(Input):
    """The customer list's filter (as on the list page and ``GET /customers``)."""

    q: Annotated[str, Text(100)] = Field("", description="搜索：姓名、单位、电话片段、客户编号")
    category: Annotated[str, Choice(Category, blank=True)] = Field("", description="客户类别")
    grade: Annotated[str, Choice(Grade, blank=True)] = Field("", description="意向级别")
    owner: Id | None = Field(None, description="负责人用户 id")
    tag: Annotated[str, Text(30)] = Field("", description="标签")
    mine: bool = Field(False, description="只要我名下的")
    shared: bool = Field(False, description="只要共享给我的")
    follow: Annotated[str, Choice(Follow, blank=True)] = Field(
        "", description="overdue 跟进逾期 / due 今日到期及逾期 / never 从未跟进"
    )
    created: Annotated[str, Choice(Created, blank=True)] = Field(
        "", description="week 本周新增 / month 本月新增"
    )


class DataRequestInput(Input):
    """客户数据调用申请表: the purpose, the recipient, the customers (the list filter, or the
    chosen ``customers``), the fields and the file format."""

    purpose: Annotated[str, Text(500, required=True, message=gettext_noop("请填写调用用途"))] = (
        Field(description="调用用途")
    )
    recipient: Annotated[
        str, Text(200, required=True, message=gettext_noop("请填写数据接收方"))
    ] = Field(description="接收方（单位、人员）")
    fields: Annotated[
        list[Annotated[str, Choice(FieldCode, message=gettext_noop("不是可导出的字段"))]],
        Field(min_length=1, max_length=len(CODES)),
    ] = Field(description="导出的字段（按目录顺序输出）")
    file_format: Annotated[str, Choice(FileFormat)] = Field(
        FileFormat.XLSX, description="xlsx / csv"
    )
    filter: ListFilter = Field(ListFilter.model_validate({}), description="客户列表的筛选条件")
    customers: Annotated[list[Id], Field(max_length=CUSTOMERS_MAX)] = Field(
        default_factory=list, description="逐个选定的客户 id（给出时不用筛选条件）"
    )


class ListTarget(models.TextChoices):
    ORDERS = "orders", "orders"
    OPPORTUNITIES = "opportunities", "opportunities"
    COMPLAINTS = "complaints", "complaints"
    FOLLOWUPS = "followups", "followups"
    VISITS = "visits", "visits"


class ListExportInput(Input):
    """The export of another list than customers (orders, opportunities, complaints …): its
    rows by the list's own filter (``filter``: the list's query, checked against that list's
    declared filter), why, for whom, which of its fields, which file. More rows than the bulk-read
    threshold wait for the department director and the general manager."""

    target: Annotated[str, Choice(ListTarget)] = Field(
        description="orders 订单 / opportunities 销售机会 / complaints 投诉 / "
        "followups 跟进记录 / visits 来访登记"
    )
    purpose: Annotated[str, Text(500, required=True, message=gettext_noop("请填写调用用途"))] = (
        Field(description="调用用途")
    )
    recipient: Annotated[
        str, Text(200, required=True, message=gettext_noop("请填写数据接收方"))
    ] = Field(description="接收方（单位、人员）")
    fields: Annotated[list[Annotated[str, Text(40)]], Field(min_length=1, max_length=40)] = Field(
        description="导出的字段代码（GET /list-exports/fields 列出；按目录顺序输出）"
    )
    file_format: Annotated[str, Choice(FileFormat)] = Field(
        FileFormat.XLSX, description="xlsx / csv"
    )
    filter: dict[str, Any] = Field(
        default_factory=dict, description="该列表的筛选条件（与列表页、列表接口的查询参数相同）"
    )
