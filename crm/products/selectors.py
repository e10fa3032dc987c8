"""Reads of the catalogue: the company's, for whoever holds ``products.view_product``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from crm.accounts.models import User
from crm.accounts.roles import VIEW_PRODUCT
from crm.core.errors import NotFound
from crm.core.permissions import require, restrict

from .models import Product, ProductCategory

LIST_MAX = 500


def product_list(
    *,
    actor: User,
    q: str = "",
    category: int | None = None,
    active: bool | None = None,
    limit: int = LIST_MAX,
) -> list[Product]:
    """Products by code, matching ``q`` (code, name or specification)."""
    require(actor, VIEW_PRODUCT)
    qs: QuerySet[Product] = restrict(Product.objects.all(), actor, VIEW_PRODUCT)
    qs = qs.select_related("category").prefetch_related("prices")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(specification__icontains=q))
    if category is not None:
        qs = qs.filter(category_id=category)
    if active is not None:
        qs = qs.filter(active=active)
    return list(qs.order_by("code")[:limit])


def product_get(*, actor: User, product_id: int) -> Product:
    require(actor, VIEW_PRODUCT)
    found = (
        restrict(Product.objects.all(), actor, VIEW_PRODUCT)
        .select_related("category")
        .prefetch_related("prices")
        .filter(pk=product_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def category_list(*, actor: User) -> list[ProductCategory]:
    require(actor, VIEW_PRODUCT)
    return list(restrict(ProductCategory.objects.all(), actor, VIEW_PRODUCT))


def products_by_id(ids: list[int]) -> dict[int, Product]:
    """The products of an order's lines (any user who may write the order may name them)."""
    return {p.pk: p for p in Product.objects.filter(pk__in=ids)}
