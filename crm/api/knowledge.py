"""The knowledge base (知识管理): searching the answers to what customers ask and the sales talk,
reading one (counted), and the managers' edits. Thin adapters over crm.knowledge; an article's
id is how another record (a complaint) refers to it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from crm.accounts.roles import MANAGE_KNOWLEDGE, VIEW_KNOWLEDGE
from crm.core.inputs import MAX_ID, Integer, Text, partial
from crm.knowledge import selectors, services
from crm.knowledge.inputs import ArticleCategoryInput, ArticleInput
from crm.knowledge.models import Article, Category

from .presenters import ref_out
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryId, RefOut
from .security import require_actor

router = Router(tags=["knowledge"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}

if TYPE_CHECKING:
    ArticlePatch = ArticleInput
else:
    ArticlePatch = partial(
        ArticleInput,
        name="ArticlePatch",
        doc="Some fields of an article; ``version`` (the one read) guards against a lost update.",
        version=(Annotated[int, Integer(1, MAX_ID)] | None, Field(None, description="读到的版本")),
    )


class ArticleCategoryOut(Out):
    id: int
    name: str
    position: int


class ArticleOut(Out):
    id: int
    number: str = Field(description="条目编号 ZS000001（其他记录引用它）")
    title: str
    answer: str
    category: RefOut | None
    tags: list[str]
    views: int
    archived: bool
    version: int
    updated_by: RefOut | None
    updated_at: dt.datetime


class SearchParams(NoNulIn):
    q: Annotated[str, Text(100)] = Field(
        "", description="搜索：问题、解答、标签中的字词（空格分隔，须全部出现）"
    )
    category: QueryId = Field(None, description="分类 id")
    tag: Annotated[str, Text(30)] = Field("", description="标签")
    archived: bool = Field(False, description="含已停用的（编辑者）")


def _category(c: Category) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "position": c.position}


def _article(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "title": a.title,
        "answer": a.answer,
        "category": ref_out(a.category),
        "tags": list(a.tags),
        "views": a.views,
        "archived": a.archived,
        "version": a.version,
        "updated_by": ref_out(a.updated_by),
        "updated_at": a.updated_at,
    }


@router.get("knowledge/categories", response={200: list[ArticleCategoryOut], **_READ})
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = require_actor(request, VIEW_KNOWLEDGE)
    return [_category(c) for c in selectors.category_list(actor=actor)]


@router.post("knowledge/categories", response={201: ArticleCategoryOut, **_WRITE})
def category_create(request: HttpRequest, payload: ArticleCategoryInput) -> Status[Any]:
    actor = require_actor(request, MANAGE_KNOWLEDGE)
    return Status(201, _category(services.category_create(actor=actor, data=payload.model_dump())))


@router.get("knowledge/articles", response={200: list[ArticleOut], **_READ})
def article_search(request: HttpRequest, params: Query[SearchParams]) -> list[dict[str, Any]]:
    """Articles whose title, answer or tags hold every word of ``q``, the most read first (50)."""
    actor = require_actor(request, VIEW_KNOWLEDGE)
    found = selectors.article_search(
        actor=actor, q=params.q, category=params.category, tag=params.tag, archived=params.archived
    )
    return [_article(a) for a in found]


@router.post("knowledge/articles", response={201: ArticleOut, **_WRITE})
def article_create(request: HttpRequest, payload: ArticleInput) -> Status[Any]:
    actor = require_actor(request, MANAGE_KNOWLEDGE)
    return Status(201, _article(services.article_create(actor=actor, data=payload.model_dump())))


@router.get("knowledge/articles/{int:article_id}", response={200: ArticleOut, **_READ})
def article_read(request: HttpRequest, article_id: PathId) -> dict[str, Any]:
    """One article (counts a view)."""
    actor = require_actor(request, VIEW_KNOWLEDGE)
    return _article(services.article_read(actor=actor, article_id=article_id))


@router.patch("knowledge/articles/{int:article_id}", response={200: ArticleOut, **_WRITE})
def article_update(request: HttpRequest, article_id: PathId, payload: ArticlePatch) -> Any:
    """Change an article (what is left out stays; a stale ``version`` is 409)."""
    actor = require_actor(request, MANAGE_KNOWLEDGE)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    article = services.article_update(
        actor=actor, article_id=article_id, data=data, version=version
    )
    return _article(selectors.article_get(actor=actor, article_id=article.pk))
