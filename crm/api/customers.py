"""Customer endpoints: thin adapters over crm.customers services and selectors.

Each handler resolves the actor with the action the endpoint needs (403 without it, before any
lookup, so the system administrator is refused rather than told "not found"), then calls the
service or selector, which applies the data scope (404 outside it) and the business rules.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, StrictBool, field_validator

from crm.accounts.models import User
from crm.accounts.roles import (
    ADD_CUSTOMER,
    CHANGE_CUSTOMER,
    DELETE_CUSTOMER,
    RESTORE_CUSTOMER,
    VIEW_CUSTOMER,
    VIEW_DELETED_CUSTOMER,
)
from crm.core.inputs import MAX_ID
from crm.core.pagination import LIST_CURSOR
from crm.core.permissions import require
from crm.customers import bulk, selectors, services, sources
from crm.customers.choices import Category, Grade
from crm.customers.inputs import TAG_MAX_LENGTH
from crm.customers.models import Contact, Source, Tag
from crm.governance.masking import masker_for
from crm.governance.models import AuditEvent

from .presenters import approval_out, customer_out, customer_page
from .schemas import (
    ChangePendingOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    CustomerCount,
    CustomerIn,
    CustomerOut,
    CustomerPage,
    CustomerPatch,
    ErrorOut,
    HistoryOut,
    NoNulIn,
    Out,
    PathId,
    QueryId,
    QueryLimit,
    SourceOut,
    TagOut,
)
from .security import signed_in

router = Router(tags=["customers"])
tags_router = Router(tags=["customers"])
sources_router = Router(tags=["customers"])

_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE_ERRORS: dict[int, Any] = {**_READ_ERRORS, 409: ErrorOut}
_BODY_ERRORS: dict[int, Any] = {**_WRITE_ERRORS, 400: ErrorOut}  # 400: not JSON
HISTORY_MAX = 500


def _actor(request: HttpRequest, action: str) -> User:
    """The signed-in user, refused with 403 when the role lacks ``action``."""
    user = signed_in(request)
    require(user, action)
    return user


class ListParams(NoNulIn):
    q: str = Field("", max_length=100, description="姓名/单位片段、拼音首字母、电话片段、客户编号")
    category: str = Field("", json_schema_extra={"enum": ["", *Category.values]})
    grade: str = Field("", json_schema_extra={"enum": ["", *Grade.values]})
    owner: QueryId = Field(None, description="负责人用户 id")
    tag: str = Field("", max_length=30, description="标签名称或 id")
    deleted: bool = Field(False, description="回收站（仅数据管理员）")
    mine: bool = Field(False, description="只看自己负责的客户")
    shared: bool = Field(False, description="只看同事共享给自己的客户（未过期）")
    follow: str = Field(
        "",
        json_schema_extra={"enum": ["", *selectors.FOLLOW]},
        description="overdue：跟进已逾期；due：今日到期及逾期；never：从未跟进",
    )
    created: str = Field(
        "",
        json_schema_extra={"enum": ["", *selectors.CREATED]},
        description="week/month：本周/本月新增",
    )
    sort: str = Field(
        "",
        json_schema_extra={"enum": ["", *selectors.SORT_CHOICES]},
        description="排序列（前加 - 为倒序）；没有该值的客户排在最后；省略为最新创建在前",
    )
    cursor: str | None = Field(
        None, pattern=LIST_CURSOR, description="上一页返回的 next_cursor；省略为第一页"
    )
    limit: QueryLimit = None

    @field_validator("follow", "created", "sort")
    @classmethod
    def _choice(cls, value: str, info: Any) -> str:
        allowed = {
            "follow": selectors.FOLLOW,
            "created": selectors.CREATED,
            "sort": selectors.SORT_CHOICES,
        }[info.field_name]
        if value and value not in allowed:
            raise ValueError(_("不是有效的选项"))
        return value

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value and value not in Category.values:
            raise ValueError(_("不是有效的选项"))
        return value

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        if value and value not in Grade.values:
            raise ValueError(_("意向级别只能是 O、H、A、B、C"))
        return value


@router.get("", response={200: CustomerPage, **_READ_ERRORS})
def customer_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """Customers in the caller's scope, newest first, a page at a time (keyset cursor).

    ``deleted=true`` lists the recycle bin instead (data administrator only).
    """
    actor = _actor(request, VIEW_DELETED_CUSTOMER if params.deleted else VIEW_CUSTOMER)
    page = services.customer_browse(
        actor=actor, filters=_filters(params), cursor=params.cursor, limit=params.limit
    )
    return customer_page(page, actor)


def _filters(params: ListParams) -> selectors.CustomerFilters:
    return selectors.CustomerFilters(
        q=params.q,
        category=params.category,
        grade=params.grade,
        owner=params.owner,
        tag=params.tag,
        deleted=params.deleted,
        mine=params.mine,
        shared=params.shared,
        follow=params.follow,
        created=params.created,
        sort=params.sort,
    )


@router.get("count", response={200: CustomerCount, **_READ_ERRORS})
def customer_count(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """How many customers the list of these filters holds in the caller's scope: exact up to
    10000, beyond it ``exact`` is false and ``count`` the cap (counted through a LIMITed
    subquery, never estimated). ``count`` is null for a text search (not counted)."""
    actor = _actor(request, VIEW_DELETED_CUSTOMER if params.deleted else VIEW_CUSTOMER)
    count = selectors.customer_count(actor=actor, filters=_filters(params))
    if count is None:
        return {"count": None, "exact": False}
    return {"count": count.value, "exact": count.exact}


BulkIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]],
    Field(min_length=1, max_length=bulk.INLINE_MAX, description="客户 id（至多 200 个）"),
]


class BulkTransferIn(NoNulIn):
    ids: BulkIds
    owner: int = Field(ge=1, le=MAX_ID, description="新负责人的用户 id（调用者可分配给的人）")


class BulkTagIn(NoNulIn):
    ids: BulkIds
    tag: str = Field(min_length=1, max_length=TAG_MAX_LENGTH, pattern=r"\S")
    remove: StrictBool = Field(False, description="true：移除该标签；否则添加")


class BulkGradeIn(NoNulIn):
    ids: BulkIds
    grade: str = Field(json_schema_extra={"enum": list(Grade.values)})

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        if value not in Grade.values:
            raise ValueError(_("意向级别只能是 O、H、A、B、C"))
        return value


class BulkOut(Out):
    done: int = Field(description="已办理")
    unchanged: int = Field(description="原本如此，无需变更")
    refused: int = Field(description="无权限（或不存在）")
    failed: int = Field(description="规则不允许")
    reasons: list[str] = Field(description="不允许的原因（前几条）")
    summary: str


def _bulk(
    request: HttpRequest, operation: str, value: Any, ids: list[int], field: str
) -> dict[str, Any]:
    """批量操作 on the given customers, each through its single action (permission, hooks,
    audit as one by one); those the caller may not change are counted in ``refused``, never
    skipped silently."""
    outcome = bulk.bulk_apply(
        actor=signed_in(request), operation=operation, value=value, ids=ids, field=field
    )
    return {**outcome.as_dict(), "summary": outcome.summary()}


@router.post("bulk/transfer", response={200: BulkOut, **_BODY_ERRORS})
def customer_bulk_transfer(request: HttpRequest, payload: BulkTransferIn) -> dict[str, Any]:
    """转移: hand the customers to another rep, as the single owner change does (open plans and
    reminders follow, one audit row each)."""
    return _bulk(request, bulk.TRANSFER, str(payload.owner), payload.ids, "owner")


@router.post("bulk/tag", response={200: BulkOut, **_BODY_ERRORS})
def customer_bulk_tag(request: HttpRequest, payload: BulkTagIn) -> dict[str, Any]:
    """Add a tag to the customers (or remove it, ``remove``)."""
    operation = bulk.REMOVE_TAG if payload.remove else bulk.ADD_TAG
    return _bulk(request, operation, payload.tag, payload.ids, "tag")


@router.post("bulk/grade", response={200: BulkOut, **_BODY_ERRORS})
def customer_bulk_grade(request: HttpRequest, payload: BulkGradeIn) -> dict[str, Any]:
    """Change the customers' grade through the lifecycle transition (each with its rules)."""
    return _bulk(request, bulk.SET_GRADE, payload.grade, payload.ids, "grade")


@router.post("", response={201: CustomerOut, **_BODY_ERRORS})
def customer_create(
    request: HttpRequest, response: HttpResponse, payload: CustomerIn
) -> Status[dict[str, Any]]:
    """Enter a customer. Duplicates (phone, ID number, credit code, organisation name): 409."""
    actor = _actor(request, ADD_CUSTOMER)
    customer = services.customer_create(actor=actor, data=payload.model_dump())
    response["Location"] = f"{request.path.rstrip('/')}/{customer.pk}"
    return Status(201, customer_out(customer, actor))


@router.get("{int:customer_id}", response={200: CustomerOut, **_READ_ERRORS})
def customer_detail(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """One customer; the opening is registered in its history (查阅登记)."""
    actor = _actor(request, VIEW_CUSTOMER)
    return customer_out(services.customer_open(actor=actor, customer_id=customer_id), actor)


@router.patch(
    "{int:customer_id}", response={200: CustomerOut, 202: ChangePendingOut, **_BODY_ERRORS}
)
def customer_update(
    request: HttpRequest, customer_id: PathId, payload: CustomerPatch
) -> Status[dict[str, Any]]:
    """Change the given fields. ``version`` is the one read; if it is stale: 409 ``conflict``.

    客户数据变更申请: once registered, a customer's master data (name, phone, ID number, credit
    code, owner) is changed directly only by the data-management department. Anyone else's
    change of it needs ``change_reason`` and becomes a change request: 202 with the customer as
    saved (the other fields of the same request are applied) and the ``pending`` request, decided
    at ``POST /approvals/{id}/decide``. A field with a request pending: 409 ``state_conflict``."""
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    reason = data.pop("change_reason", "") or ""
    actor = _actor(request, CHANGE_CUSTOMER)
    customer, pending = services.customer_edit(
        actor=actor, customer_id=customer_id, version=version, data=data, reason=reason
    )
    if pending is not None:
        return Status(
            202, {"customer": customer_out(customer, actor), "pending": approval_out(pending)}
        )
    return Status(200, customer_out(customer, actor))


@router.delete("{int:customer_id}", response={204: None, **_WRITE_ERRORS})
def customer_delete(
    request: HttpRequest, customer_id: PathId, version: int | None = None
) -> Status[None]:
    """Move the customer to the recycle bin. With ``?version=`` a stale version is a 409."""
    services.customer_delete(
        actor=_actor(request, DELETE_CUSTOMER), customer_id=customer_id, version=version
    )
    return Status(204, None)


@router.post("{int:customer_id}/restore", response={200: CustomerOut, **_WRITE_ERRORS})
def customer_restore(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """Bring a customer back from the recycle bin (data administrator)."""
    actor = _actor(request, RESTORE_CUSTOMER)
    return customer_out(services.customer_restore(actor=actor, customer_id=customer_id), actor)


@router.get("{int:customer_id}/history", response={200: list[HistoryOut], **_READ_ERRORS})
def customer_history(request: HttpRequest, customer_id: PathId) -> list[AuditEvent]:
    """Who did what and when, newest first, with the before/after of changed fields; who viewed
    the record and when (the viewers' addresses are only in the audit log). Logged itself."""
    actor = _actor(request, VIEW_CUSTOMER)
    events = services.customer_history_open(actor=actor, customer_id=customer_id, limit=HISTORY_MAX)
    masker = masker_for(actor)
    if masker.sees_everything:
        return events
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    for event in events:  # in memory only: an audit event is never saved again
        event.changes = masker.changes(event.changes, customer)
    return events


@router.get("{int:customer_id}/contacts", response={200: list[ContactOut], **_READ_ERRORS})
def contact_list(request: HttpRequest, customer_id: PathId) -> list[Contact]:
    """The contact persons of an organisation (the read is logged)."""
    actor = _actor(request, VIEW_CUSTOMER)
    contacts = services.customer_contacts_open(actor=actor, customer_id=customer_id)
    customer = selectors.customer_get(actor=actor, customer_id=customer_id)
    return masker_for(actor).contacts(customer, contacts)


@router.post("{int:customer_id}/contacts", response={201: ContactOut, **_BODY_ERRORS})
def contact_create(
    request: HttpRequest, response: HttpResponse, customer_id: PathId, payload: ContactIn
) -> Status[Contact]:
    contact = services.contact_create(
        actor=_actor(request, CHANGE_CUSTOMER),
        customer_id=customer_id,
        data=payload.model_dump(),
    )
    response["Location"] = f"{request.path.rstrip('/')}/{contact.pk}"
    return Status(201, contact)


@router.patch(
    "{int:customer_id}/contacts/{int:contact_id}", response={200: ContactOut, **_BODY_ERRORS}
)
def contact_update(
    request: HttpRequest, customer_id: PathId, contact_id: PathId, payload: ContactPatch
) -> Contact:
    data = payload.model_dump(exclude_unset=True)
    return services.contact_update(
        actor=_actor(request, CHANGE_CUSTOMER),
        customer_id=customer_id,
        contact_id=contact_id,
        data=data,
        version=data.pop("version", None),
    )


@router.delete("{int:customer_id}/contacts/{int:contact_id}", response={204: None, **_WRITE_ERRORS})
def contact_delete(request: HttpRequest, customer_id: PathId, contact_id: PathId) -> Status[None]:
    services.contact_delete(
        actor=_actor(request, CHANGE_CUSTOMER), customer_id=customer_id, contact_id=contact_id
    )
    return Status(204, None)


@tags_router.get("", response={200: list[TagOut], 401: ErrorOut, 403: ErrorOut})
def tag_list(request: HttpRequest) -> list[Tag]:
    """All tags, for filters and for tagging customers."""
    _actor(request, VIEW_CUSTOMER)
    return list(selectors.tag_list())


@sources_router.get("", response={200: list[SourceOut], 401: ErrorOut})
def source_list(request: HttpRequest) -> list[Source]:
    """认知途径, in the company's order. ``active``: offered for new customers; a customer keeps
    one switched off. A customer's ``source`` is the ``code``."""
    signed_in(request)
    return list(sources.source_list())
