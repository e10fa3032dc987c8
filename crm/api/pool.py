"""The public pools (公海): the pools and their settings, the customers waiting in them (the
phone masked and the pool's hidden fields left out until claimed), claiming and assigning, the
caller's customers about to return, and locking a customer against return. Thin adapters over
crm.pool."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from crm.accounts.roles import (
    ASSIGN_FROM_POOL,
    CLAIM_POOL,
    LOCK_CUSTOMER,
    MANAGE_POOL,
    VIEW_POOL,
)
from crm.core.errors import NotFound
from crm.core.pagination import ID_CURSOR
from crm.customers.choices import Category, Grade
from crm.pool import selectors, services
from crm.pool.inputs import AssignInput, ClaimInput, LockInput, PoolInput, RuleInput
from crm.pool.models import Pool, ReturnRule

from .presenters import ref_out
from .schemas import ErrorOut, NoNulIn, PathId, QueryId, QueryLimit, RefOut
from .security import require_actor

router = Router(tags=["pool"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}


# --- schemas --------------------------------------------------------------------------------


class PoolIn(PoolInput):
    """A pool with its parameters (the whole pool: PUT replaces every field)."""


class RuleIn(RuleInput):
    """A return rule of a pool."""


class ClaimIn(ClaimInput):
    """Customers to claim: all or nothing, within the pool's quotas and the cap per rep."""


class AssignIn(AssignInput):
    """Customers to assign to a member of their pool."""


class LockIn(LockInput):
    """Why the customer never returns to a pool."""


class RuleOut(Schema):
    id: int
    kind: str
    kind_label: str
    days: int
    grade: str
    category: str
    include_deals: bool


class PoolOut(Schema):
    id: int
    name: str
    department: RefOut | None
    region: str
    members: list[RefOut]
    admins: list[RefOut]
    hidden_fields: list[str]
    warn_days: int
    reclaim_days: int
    claims_per_day: int
    claims_per_time: int
    cap_per_rep: int
    rules: list[RuleOut]
    version: int


class PoolCustomerOut(Schema):
    id: int = Field(description="客户 id（领取、分配时使用）")
    number: str
    name: str
    kind: str
    category: str
    grade: str
    phone: str | None = Field(description="中间四位隐去；公海设置隐藏电话时为 null")
    company: str | None = Field(description="公海设置隐藏的字段为 null（下同）")
    city: str | None
    address: str | None
    needs: str | None
    source: str | None
    pool: RefOut
    entered_at: dt.datetime
    former_owner: str
    reason: str


class PoolCustomerPage(Schema):
    items: list[PoolCustomerOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class PoolCustomerParams(NoNulIn):
    pool: QueryId = Field(None, description="公海 id")
    q: str = Field("", max_length=100, description="客户名称（包含）或编号")
    grade: str = Field("", pattern="^(" + "|".join(Grade.values) + ")?$")
    category: str = Field("", pattern="^(" + "|".join(Category.values) + ")?$")
    cursor: str = Field("", pattern=ID_CURSOR, description="上一页返回的 next_cursor")
    limit: QueryLimit = None


class TakenOut(Schema):
    customers: list[RefOut] = Field(description="已领取或分配的客户")


class ReturningOut(Schema):
    customer: RefOut
    return_on: dt.date = Field(description="收回公海的日期")
    days_left: int
    pool: str
    reason: str


class LockOut(Schema):
    customer: RefOut
    reason: str
    locked_by: RefOut | None
    created_at: dt.datetime


# --- presenters -----------------------------------------------------------------------------


def _rule(rule: ReturnRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "kind_label": str(rule.get_kind_display()),
        "days": rule.days,
        "grade": rule.grade,
        "category": rule.category,
        "include_deals": rule.include_deals,
    }


def _pool(pool: Pool) -> dict[str, Any]:
    return {
        "id": pool.pk,
        "name": pool.name,
        "department": ref_out(pool.department),
        "region": pool.region,
        "members": [ref_out(u) for u in selectors.pool_members(pool)],
        "admins": [ref_out(u) for u in selectors.pool_admins(pool)],
        "hidden_fields": list(pool.hidden_fields or []),
        "warn_days": pool.warn_days,
        "reclaim_days": pool.reclaim_days,
        "claims_per_day": pool.claims_per_day,
        "claims_per_time": pool.claims_per_time,
        "cap_per_rep": pool.cap_per_rep,
        "rules": [_rule(r) for r in pool.rules.all()],
        "version": pool.version,
    }


def _customer(c: selectors.PoolCustomer) -> dict[str, Any]:
    return {
        "id": c.id,
        "number": c.number,
        "name": c.name,
        "kind": c.kind,
        "category": c.category,
        "grade": c.grade,
        "phone": c.phone,
        "company": c.company,
        "city": c.city,
        "address": c.address,
        "needs": c.needs,
        "source": c.source,
        "pool": {"id": c.pool_id, "name": c.pool_name},
        "entered_at": c.entered_at,
        "former_owner": c.former_owner,
        "reason": c.reason,
    }


def _get(request: HttpRequest, pool_id: int, action: str) -> Pool:
    pool = selectors.pool_get(actor=require_actor(request, action), pool_id=pool_id, action=action)
    if pool is None:
        raise NotFound()
    return pool


# --- endpoints ------------------------------------------------------------------------------


@router.get("", response={200: list[PoolOut], **_READ})
def pool_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The pools the caller belongs to, administers or (managers) their department's."""
    actor = require_actor(request, VIEW_POOL)
    return [_pool(p) for p in selectors.pool_list(actor=actor)]


@router.post("", response={201: PoolOut, **_WRITE})
def pool_create(request: HttpRequest, payload: PoolIn) -> Status[Any]:
    """A new pool (managers: of their own department)."""
    pool = services.pool_create(
        actor=require_actor(request, MANAGE_POOL), data=payload.model_dump()
    )
    return Status(201, _pool(pool))


@router.get("customers", response={200: PoolCustomerPage, **_READ})
def pool_customers(request: HttpRequest, params: Query[PoolCustomerParams]) -> dict[str, Any]:
    """The customers waiting in the caller's pools, newest first, masked until claimed."""
    actor = require_actor(request, VIEW_POOL)
    page = selectors.pool_customers(
        actor=actor,
        filters=selectors.PoolFilters(
            pool=params.pool, q=params.q.strip(), grade=params.grade, category=params.category
        ),
        cursor=params.cursor or None,
        limit=params.limit,
    )
    return {"items": [_customer(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("returning", response={200: list[ReturningOut], **_READ})
def returning(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own customers about to return to a pool (the pool's warning days)."""
    actor = require_actor(request, VIEW_POOL)
    return [
        {
            "customer": {"id": r.customer_id, "name": r.name},
            "return_on": r.return_on,
            "days_left": r.days_left,
            "pool": r.pool_name,
            "reason": r.reason,
        }
        for r in selectors.returning(actor=actor)
    ]


@router.post("claim", response={200: TakenOut, **_WRITE})
def claim(request: HttpRequest, payload: ClaimIn) -> dict[str, Any]:
    """Claim customers (领取). Over the quota per claim or per day, over the cap per rep, or a
    customer the caller lost to the pool less than the pool's days ago: 409, nothing claimed.
    A customer not in one of the caller's pools: 404."""
    done = services.pool_claim(actor=require_actor(request, CLAIM_POOL), data=payload.model_dump())
    return {"customers": [ref_out(c) for c in done]}


@router.post("assign", response={200: TakenOut, **_WRITE})
def assign(request: HttpRequest, payload: AssignIn) -> dict[str, Any]:
    """Assign customers from a pool the caller administers (or manages) to one of its members,
    under the cap per rep (409 over it)."""
    done = services.pool_assign(
        actor=require_actor(request, ASSIGN_FROM_POOL), data=payload.model_dump()
    )
    return {"customers": [ref_out(c) for c in done]}


@router.put("locks/{int:customer_id}", response={200: LockOut, **_WRITE})
def lock(request: HttpRequest, customer_id: PathId, payload: LockIn) -> dict[str, Any]:
    """Lock a customer against return to any pool (409 when already locked)."""
    made = services.customer_pool_lock(
        actor=require_actor(request, LOCK_CUSTOMER),
        customer_id=customer_id,
        data=payload.model_dump(),
    )
    return {
        "customer": ref_out(made.customer),
        "reason": made.reason,
        "locked_by": ref_out(made.locked_by),
        "created_at": made.created_at,
    }


@router.delete("locks/{int:customer_id}", response={204: None, **_WRITE})
def unlock(request: HttpRequest, customer_id: PathId) -> Status[None]:
    """Unlock: the customer returns under the rules again (not locked: nothing to do)."""
    services.customer_pool_unlock(
        actor=require_actor(request, LOCK_CUSTOMER), customer_id=customer_id
    )
    return Status(204, None)


@router.get("{int:pool_id}", response={200: PoolOut, **_READ})
def pool_get(request: HttpRequest, pool_id: PathId) -> dict[str, Any]:
    return _pool(_get(request, pool_id, VIEW_POOL))


@router.put("{int:pool_id}", response={200: PoolOut, **_WRITE})
def pool_update(request: HttpRequest, pool_id: PathId, payload: PoolIn) -> dict[str, Any]:
    """Replace a pool's settings, members and administrators."""
    pool = services.pool_update(
        actor=require_actor(request, MANAGE_POOL), pool_id=pool_id, data=payload.model_dump()
    )
    return _pool(pool)


@router.post("{int:pool_id}/rules", response={201: RuleOut, **_WRITE})
def rule_add(request: HttpRequest, pool_id: PathId, payload: RuleIn) -> Status[Any]:
    rule = services.rule_add(
        actor=require_actor(request, MANAGE_POOL), pool_id=pool_id, data=payload.model_dump()
    )
    return Status(201, _rule(rule))


@router.delete("{int:pool_id}/rules/{int:rule_id}", response={204: None, **_WRITE})
def rule_remove(request: HttpRequest, pool_id: PathId, rule_id: PathId) -> Status[None]:
    services.rule_remove(
        actor=require_actor(request, MANAGE_POOL), pool_id=pool_id, rule_id=rule_id
    )
    return Status(204, None)
