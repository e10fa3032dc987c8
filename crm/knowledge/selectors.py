"""Reads of the knowledge base.

Search: every word of the query (split on white space, NFKC-normalised) must occur in the title,
the answer or a tag; ``icontains`` on both databases (``LIKE``/``ILIKE '%…%'``), no index. Why
not the customer search's index (``crm.customers.search``): a knowledge base holds hundreds to a
few thousand articles of a few KB, a sequential scan of it takes milliseconds on either
database, and a substring match finds a two-character Chinese word (退款, 保养) wherever it is,
which is what the staff type; ``bench/care.py`` times it at 5,000 articles. Results: the most
read first (then the newest); archived articles are left out unless a manager asks for them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_KNOWLEDGE, VIEW_KNOWLEDGE
from crm.core.errors import NotFound
from crm.core.permissions import has_action, require

from .models import Article, ArticleTag, Category
from .services import normalise

SEARCH_MAX = 50
WORDS_MAX = 5


def category_list(*, actor: User) -> list[Category]:
    require(actor, VIEW_KNOWLEDGE)
    return list(Category.objects.order_by("position", "id"))


def article_search(
    *,
    actor: User,
    q: str = "",
    category: int | None = None,
    tag: str = "",
    archived: bool = False,
    limit: int = SEARCH_MAX,
) -> list[Article]:
    require(actor, VIEW_KNOWLEDGE)
    qs: QuerySet[Article] = Article.objects.all()
    if not (archived and has_action(actor, MANAGE_KNOWLEDGE)):
        qs = qs.filter(archived=False)
    for word in normalise(q).split()[:WORDS_MAX]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(answer__icontains=word)
            | Q(pk__in=ArticleTag.objects.filter(name__icontains=word).values("article_id"))
        )
    if category is not None:
        qs = qs.filter(category_id=category)
    if tag:
        qs = qs.filter(tag_rows__name=normalise(tag))
    return list(qs.select_related("category").order_by("-views", "-id")[:limit])


def article_get(*, actor: User, article_id: int) -> Article:
    """One article without counting a view (the editor, a reference from elsewhere)."""
    require(actor, VIEW_KNOWLEDGE)
    found = Article.objects.select_related("category").filter(pk=article_id).first()
    if found is None:
        raise NotFound()
    return found


def article_refs(*, ids: list[int]) -> dict[int, Article]:
    """Articles by id, for a module that links them (e.g. a complaint's answer): no scope, the
    knowledge base is the company's; the caller checks its own record's."""
    return {a.pk: a for a in Article.objects.filter(pk__in=ids[:100], archived=False)}
