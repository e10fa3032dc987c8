"""Customer endpoints: thin adapters over crm.customers services and selectors."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from crm.accounts.models import User
from crm.customers import selectors, services
from crm.customers.models import Contact, Customer
from crm.governance.models import AuditEvent

from .schemas import (
    ContactIn,
    ContactOut,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    ErrorOut,
    HistoryOut,
)

router = Router(tags=["customers"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


class ListParams(Schema):
    q: str = ""
    category: str = ""
    grade: str = ""
    owner: int | None = None
    tag: str = ""
    cursor: str | None = None
    limit: int = 20


@router.get("", response={200: CustomerPage, **ERRORS})
def customer_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, object]:
    filters = selectors.CustomerFilters(
        q=params.q, category=params.category, grade=params.grade, owner=params.owner, tag=params.tag
    )
    page = selectors.customer_list(
        actor=_actor(request), filters=filters, cursor=params.cursor, limit=params.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: CustomerOut, **ERRORS})
def customer_create(request: HttpRequest, payload: CustomerIn) -> tuple[int, Customer]:
    return 201, services.customer_create(actor=_actor(request), data=payload.dict())


@router.get("{int:customer_id}", response={200: CustomerOut, **ERRORS})
def customer_detail(request: HttpRequest, customer_id: int) -> Customer:
    return services.customer_open(actor=_actor(request), customer_id=customer_id)


@router.patch("{int:customer_id}", response={200: CustomerOut, **ERRORS})
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Customer:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.customer_update(
        actor=_actor(request), customer_id=customer_id, version=version, data=data
    )


@router.delete("{int:customer_id}", response={204: None, **ERRORS})
def customer_delete(
    request: HttpRequest, customer_id: int, version: int | None = None
) -> tuple[int, None]:
    services.customer_delete(actor=_actor(request), customer_id=customer_id, version=version)
    return 204, None


@router.post("{int:customer_id}/restore", response={200: CustomerOut, **ERRORS})
def customer_restore(request: HttpRequest, customer_id: int) -> Customer:
    return services.customer_restore(actor=_actor(request), customer_id=customer_id)


@router.get("{int:customer_id}/history", response={200: list[HistoryOut], **ERRORS})
def customer_history(request: HttpRequest, customer_id: int) -> list[AuditEvent]:
    customer = selectors.customer_get(actor=_actor(request), customer_id=customer_id)
    return list(selectors.customer_history(customer=customer)[:500])


@router.get("{int:customer_id}/contacts", response={200: list[ContactOut], **ERRORS})
def contact_list(request: HttpRequest, customer_id: int) -> list[Contact]:
    customer = selectors.customer_get(actor=_actor(request), customer_id=customer_id)
    return list(selectors.customer_contacts(customer=customer))


@router.post("{int:customer_id}/contacts", response={201: ContactOut, **ERRORS})
def contact_create(request: HttpRequest, customer_id: int, payload: ContactIn) -> tuple[int, Contact]:
    contact = services.contact_create(
        actor=_actor(request), customer_id=customer_id, data=payload.dict()
    )
    return 201, contact
