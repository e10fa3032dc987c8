"""The declared inputs of the verification (see ``crm.core.inputs``): a round's filter and
deadline; a rep's confirmation or correction of one record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Day, Input, Integer, Text
from crm.customers.choices import Category

Id = Annotated[int, Integer(1, MAX_ID)]


class RoundInput(Input):
    """核查轮次: which customers (a department with its sub-departments, a category, only those
    not verified since the quarter began) and by when."""

    title: Annotated[str, Text(100, required=True, message=gettext_noop("请填写名称"))] = Field(
        description="名称，例如 2026 年第四季度数据核查"
    )
    deadline: Annotated[dt.date, Day()] = Field(description="截止日期")
    department: Id | None = Field(None, description="部门 id（含下级部门）；空为全部")
    category: Annotated[str, Choice(Category, blank=True)] = Field(
        "", description="客户类别；空为全部"
    )
    unverified_only: bool = Field(True, description="只核查本季度尚未核查过的客户")


class ConfirmInput(Input):
    note: Annotated[str, Text(300)] = Field("", description="说明")


class CorrectInput(Input):
    """The correction: the customer's fields to change (the normal customer edit, with its
    version check); without ``data``, the record counts as corrected when the customer was
    edited since the round opened."""

    version: Annotated[int, Integer(1, MAX_ID)] | None = Field(
        None, description="客户的当前版本（与 data 一起提交）"
    )
    data: dict[str, Any] = Field(default_factory=dict, description="要更正的客户字段")
    note: Annotated[str, Text(300)] = Field("", description="说明")
