"""The declared inputs of the knowledge base (see ``crm.core.inputs``)."""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext_noop
from pydantic import Field

from crm.core.inputs import MAX_ID, Input, Integer, Text

Id = Annotated[int, Integer(1, MAX_ID)]
TAGS_MAX = 10


class ArticleCategoryInput(Input):
    name: Annotated[str, Text(50, required=True, message=gettext_noop("请填写分类名称"))] = Field(
        description="分类名称"
    )
    position: Annotated[int, Integer(0, 1000)] = Field(0, description="顺序")


class ArticleInput(Input):
    """A question customers ask (or a point of the sales talk) and its answer."""

    title: Annotated[str, Text(200, required=True, message=gettext_noop("请填写客户问题"))] = Field(
        description="问题（客户问什么、销讲要点）"
    )
    answer: Annotated[
        str, Text(5000, required=True, area=True, message=gettext_noop("请填写解答"))
    ] = Field(description="解答")
    category: Id | None = Field(None, description="分类 id")
    tags: Annotated[
        list[Annotated[str, Text(30, required=True, message=gettext_noop("标签不能为空"))]],
        Field(max_length=TAGS_MAX),
    ] = Field([], description="标签")
    archived: bool = Field(False, description="停用（不再出现在搜索中）")


class SearchInput(Input):
    q: Annotated[str, Text(100)] = Field("", description="搜索：问题、解答、标签中的字词")
    category: Id | None = Field(None, description="分类 id")
    tag: Annotated[str, Text(30)] = Field("", description="标签")
