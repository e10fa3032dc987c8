"""The declared inputs of the form builder (see ``crm.core.inputs``): a form, a section, a
question. A response's answers depend on the form's questions: ``answers.py`` checks them."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Choice, Input, Integer, Text
from crm.customers.choices import Category

from .models import Event, QuestionKind

Id = Annotated[int, Integer(1, MAX_ID)]
CHOICES_MAX = 40
COLUMNS_MAX = 12
RANKS_MAX = 10


class FormInput(Input):
    """调查表: its name, what it is for, which customers it is filled for and when."""

    name: Annotated[str, Text(100, required=True, message=gettext_noop("请填写表单名称"))] = Field(
        description="表单名称"
    )
    description: Annotated[str, Text(1000, area=True)] = Field("", description="说明")
    applies_to: Annotated[
        list[Annotated[str, Choice(Category)]], Field(max_length=len(Category.values))
    ] = Field([], description="适用的客户类别（空：全部客户）")
    event: Annotated[str, Choice(Event)] = Field(
        Event.NONE, description="none 不限 / deal 成交时 / visit 拜访、来访时"
    )


class SectionInput(Input):
    """A section of a form (壹、您的个人资料)."""

    title: Annotated[str, Text(100, required=True, message=gettext_noop("请填写分组标题"))] = Field(
        description="分组标题"
    )


class QuestionInput(Input):
    """A question: its type, wording, options (in order), the most reasons a ranked choice
    takes, a table's columns."""

    section: Id | None = Field(None, description="所在分组 id（空：最后一个分组）")
    kind: Annotated[str, Choice(QuestionKind, message=gettext_noop("请选择题型"))] = Field(
        description="text / number / date / single / multiple / ranked / yesno / table"
    )
    label: Annotated[str, Text(200, required=True, message=gettext_noop("请填写题目"))] = Field(
        description="题目"
    )
    help: Annotated[str, Text(200)] = Field("", description="填写说明")
    required: bool = Field(False, description="必填")
    choices: Annotated[
        list[Annotated[str, Text(100, required=True, message=gettext_noop("选项不能为空"))]],
        Field(max_length=CHOICES_MAX),
    ] = Field([], description="选项（按顺序；单选、多选、排序题）")
    max_ranks: Annotated[int, Integer(1, RANKS_MAX)] | None = Field(
        None, description="排序题最多填几项（第一、第二、第三理由 → 3）"
    )
    columns: Annotated[
        list[Annotated[str, Text(50, required=True, message=gettext_noop("列名不能为空"))]],
        Field(max_length=COLUMNS_MAX),
    ] = Field([], description="表格题的列名")
