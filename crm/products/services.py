"""Writes of the catalogue: products with their price lists, and categories. The managers keep
it (``products.manage_product``); each write is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import MANAGE_PRODUCT
from crm.core.errors import Conflict, Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import require
from crm.governance import audit

from .inputs import CategoryInput, ProductInput, ProductPatch
from .models import Product, ProductCategory, ProductPrice

_FIELDS = (
    "code",
    "name",
    "specification",
    "unit",
    "device_class",
    "device_code",
    "description",
    "active",
)


def _category(pk: int | None) -> ProductCategory | None:
    if pk is None:
        return None
    found = ProductCategory.objects.filter(pk=pk).first()
    if found is None:
        raise Invalid(fields={"category": _("产品类别不存在")})
    return found


def _prices(cleaned: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = cleaned.get("prices") or []
    seen: set[str] = set()
    for row in rows:
        if row["currency"] in seen:
            raise Invalid(fields={"prices": _("币种 %(c)s 重复") % {"c": row["currency"]}})
        seen.add(row["currency"])
    return [{"currency": r["currency"], "price": r["price"]} for r in rows]


def _code_taken(code: str, exclude: int | None = None) -> bool:
    qs = Product.objects.filter(code=code)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _save_prices(product: Product, prices: list[dict[str, Any]]) -> None:
    product.prices.all().delete()  # type: ignore[attr-defined]
    ProductPrice.objects.bulk_create(ProductPrice(product=product, **p) for p in prices)


def _snapshot(product: Product) -> dict[str, Any]:
    data = product.snapshot()
    data["prices"] = {p.currency: str(p.price) for p in product.prices.all()}  # type: ignore[attr-defined]
    return data


@transaction.atomic
def product_create(*, actor: User, data: Mapping[str, Any]) -> Product:
    """A new product of the catalogue, with its price per currency."""
    require(actor, MANAGE_PRODUCT)
    cleaned = validate(ProductInput, data)
    prices = _prices(cleaned)
    if _code_taken(cleaned["code"]):
        raise StateConflict(fields={"code": _("产品编号已存在")})
    product = Product(
        created_by=actor,
        category=_category(cleaned.get("category")),
        **{f: cleaned[f] for f in _FIELDS if f in cleaned},
    )
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:  # a concurrent product took the code
        raise StateConflict(fields={"code": _("产品编号已存在")}) from exc
    _save_prices(product, prices)
    audit.record(actor=actor, verb="product.created", obj=product, after=_snapshot(product))
    return product


@transaction.atomic
def product_update(
    *, actor: User, product_id: int, version: int, data: Mapping[str, Any]
) -> Product:
    """Change a product made from ``version`` (a stale version is a conflict); ``prices``, when
    given, replaces its price list. Orders keep the prices they were made with."""
    require(actor, MANAGE_PRODUCT)
    cleaned = validate(ProductPatch, data)
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    if product.version != version:
        raise Conflict(extra={"current_version": product.version})
    before = _snapshot(product)
    if "code" in cleaned and _code_taken(cleaned["code"], exclude=product.pk):
        raise StateConflict(fields={"code": _("产品编号已存在")})
    for f in _FIELDS:
        if f in cleaned and cleaned[f] is not None:
            setattr(product, f, cleaned[f])
    if "category" in cleaned:
        product.category = _category(cleaned["category"])
    if cleaned.get("prices") is not None:
        _save_prices(product, _prices(cleaned))
    after = _snapshot(product)
    if after == before:
        return product
    product.version += 1
    product.save()
    audit.record(
        actor=actor, verb="product.updated", obj=product, before=before, after=_snapshot(product)
    )
    return product


@transaction.atomic
def category_create(*, actor: User, data: Mapping[str, Any]) -> ProductCategory:
    require(actor, MANAGE_PRODUCT)
    cleaned = validate(CategoryInput, data)
    if ProductCategory.objects.filter(name=cleaned["name"]).exists():
        raise StateConflict(fields={"name": _("类别已存在")})
    category = ProductCategory.objects.create(**cleaned)
    audit.record(actor=actor, verb="product_category.created", obj=category, after=cleaned)
    return category
