"""The product catalogue (产品目录): everyone reads it, the managers keep it. Thin adapters over
crm.products."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from crm.accounts.roles import MANAGE_PRODUCT, VIEW_PRODUCT
from crm.core.inputs import partial
from crm.products import selectors, services
from crm.products.inputs import CategoryInput, ProductInput
from crm.products.models import Product, ProductCategory

from .presenters import ref_out
from .schemas import ErrorOut, Out, PathId, QueryId, RefOut, Version
from .security import require_actor

router = Router(tags=["products"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 400: ErrorOut, 409: ErrorOut}


class PriceOut(Out):
    currency: str
    price: Decimal


class ProductOut(Out):
    id: int
    code: str
    name: str
    category: RefOut | None
    specification: str
    unit: str
    device_class: str = Field(description="医疗器械类别 I / II / III；空为非医疗器械")
    device_code: str
    description: str
    active: bool
    prices: list[PriceOut]
    version: int
    updated_at: dt.datetime


class CategoryOut(Out):
    id: int
    name: str
    sort: int
    active: bool


class ProductParams(Schema):
    q: str = Field("", max_length=100, description="编号、名称或规格")
    category: QueryId = Field(None, description="类别 id")
    active: bool | None = Field(None, description="只要在售（true）或停售（false）")

    @field_validator("q", mode="after")
    @classmethod
    def _searchable(cls, value: str) -> str:
        """A NUL in a search is dropped (no product holds one), not a refusal."""
        return value.replace("\x00", "")


class ProductIn(ProductInput):
    """A product of the catalogue with its price list."""


if TYPE_CHECKING:  # derived at run time; to the type checker, the input it is made from
    ProductPatchIn = ProductInput
else:
    ProductPatchIn = partial(
        ProductInput,
        name="ProductPatchIn",
        doc="Some fields of a product; ``prices``, when given, replaces the price list.",
        version=(Version, ...),
    )


def product_out(p: Product) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "category": ref_out(p.category),
        "specification": p.specification,
        "unit": p.unit,
        "device_class": p.device_class,
        "device_code": p.device_code,
        "description": p.description,
        "active": p.active,
        "prices": [{"currency": x.currency, "price": x.price} for x in p.prices.all()],  # type: ignore[attr-defined]
        "version": p.version,
        "updated_at": p.updated_at,
    }


def _category_out(c: ProductCategory) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "sort": c.sort, "active": c.active}


@router.get("products", response={200: list[ProductOut], **_READ})
def product_list(request: HttpRequest, params: Query[ProductParams]) -> list[dict[str, Any]]:
    """The catalogue by code (at most 500), matching ``q``."""
    actor = require_actor(request, VIEW_PRODUCT)
    found = selectors.product_list(
        actor=actor, q=params.q.strip(), category=params.category, active=params.active
    )
    return [product_out(p) for p in found]


@router.post("products", response={201: ProductOut, **_WRITE})
def product_create(
    request: HttpRequest, response: HttpResponse, payload: ProductIn
) -> Status[dict[str, Any]]:
    """A new product (its code taken: 409)."""
    actor = require_actor(request, MANAGE_PRODUCT)
    product = services.product_create(actor=actor, data=payload.model_dump())
    response["Location"] = f"{request.path.rstrip('/')}/{product.pk}"
    return Status(201, product_out(product))


@router.get("products/{int:product_id}", response={200: ProductOut, **_READ})
def product_get(request: HttpRequest, product_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_PRODUCT)
    return product_out(selectors.product_get(actor=actor, product_id=product_id))


@router.patch("products/{int:product_id}", response={200: ProductOut, **_WRITE})
def product_update(
    request: HttpRequest, product_id: PathId, payload: ProductPatchIn
) -> dict[str, Any]:
    """Change some fields from ``version`` (stale: 409 conflict)."""
    actor = require_actor(request, MANAGE_PRODUCT)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    product = services.product_update(
        actor=actor, product_id=product_id, version=version, data=data
    )
    return product_out(selectors.product_get(actor=actor, product_id=product.pk))


@router.get("product-categories", response={200: list[CategoryOut], **_READ})
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = require_actor(request, VIEW_PRODUCT)
    return [_category_out(c) for c in selectors.category_list(actor=actor)]


@router.post("product-categories", response={201: CategoryOut, **_WRITE})
def category_create(request: HttpRequest, payload: CategoryInput) -> Status[dict[str, Any]]:
    actor = require_actor(request, MANAGE_PRODUCT)
    return Status(
        201, _category_out(services.category_create(actor=actor, data=payload.model_dump()))
    )
