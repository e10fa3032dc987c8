"""Writes of the knowledge base: categories and articles, by those who manage it (the
managers); every change audited. Reading an article counts a view (``article_read``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_KNOWLEDGE, VIEW_KNOWLEDGE
from crm.core.errors import Conflict, Duplicate, Invalid, NotFound
from crm.core.inputs import partial, validate
from crm.core.permissions import require
from crm.governance import audit

from .inputs import ArticleCategoryInput, ArticleInput
from .models import Article, ArticleTag, Category

ArticlePatch = partial(ArticleInput, name="ArticlePatch")


def normalise(text: str) -> str:
    """What a search compares: NFKC (full-width letters and digits are the ASCII ones)."""
    return unicodedata.normalize("NFKC", text).strip()


@transaction.atomic
def category_create(*, actor: User, data: Mapping[str, Any]) -> Category:
    require(actor, MANAGE_KNOWLEDGE)
    cleaned = validate(ArticleCategoryInput, data)
    try:
        with transaction.atomic():
            category = Category.objects.create(**cleaned)
    except IntegrityError as exc:
        raise Duplicate(_("已有同名分类"), fields={"name": _("已有同名分类")}) from exc
    audit.record(actor=actor, verb="knowledge.category_created", obj=category, after=cleaned)
    return category


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(normalise(t) for t in tags if normalise(t)))


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    found = Category.objects.filter(pk=category_id).first()
    if found is None:
        raise Invalid(fields={"category": _("分类不存在")})
    return found


def _set_tags(article: Article) -> None:
    article.tag_rows.all().delete()
    ArticleTag.objects.bulk_create([ArticleTag(article=article, name=t) for t in article.tags])


@transaction.atomic
def article_create(*, actor: User, data: Mapping[str, Any]) -> Article:
    require(actor, MANAGE_KNOWLEDGE)
    cleaned = validate(ArticleInput, data)
    article = Article.objects.create(
        title=cleaned["title"],
        answer=cleaned["answer"],
        category=_category(cleaned.get("category")),
        tags=_tags(cleaned.get("tags", [])),
        archived=cleaned.get("archived", False),
        created_by=actor,
        updated_by=actor,
    )
    _set_tags(article)
    audit.record(actor=actor, verb="knowledge.created", obj=article, after=article.snapshot())
    return article


@transaction.atomic
def article_update(
    *, actor: User, article_id: int, data: Mapping[str, Any], version: int | None = None
) -> Article:
    """Change an article (what is left out stays); a stale ``version`` is a conflict."""
    require(actor, MANAGE_KNOWLEDGE)
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    if version is not None and version != article.version:
        raise Conflict(_("该条目已被他人修改，请刷新后再改"))
    cleaned = validate(ArticlePatch, {k: v for k, v in data.items() if k != "version"})
    before = article.snapshot()
    if "category" in cleaned:
        article.category = _category(cleaned["category"])
    if cleaned.get("tags") is not None:
        article.tags = _tags(cleaned["tags"])
    for field in ("title", "answer", "archived"):
        if cleaned.get(field) is not None:
            setattr(article, field, cleaned[field])
    article.version += 1
    article.updated_by = actor
    article.save()
    _set_tags(article)
    audit.record(
        actor=actor,
        verb="knowledge.updated",
        obj=article,
        before=before,
        after=article.snapshot(),
    )
    return article


def article_read(*, actor: User, article_id: int) -> Article:
    """One article for reading: counts the view (one UPDATE, no lock, no audit row: reading the
    company's answers is no personal data)."""
    require(actor, VIEW_KNOWLEDGE)
    if not Article.objects.filter(pk=article_id).update(views=F("views") + 1):
        raise NotFound()
    return Article.objects.select_related("category", "updated_by").get(pk=article_id)
