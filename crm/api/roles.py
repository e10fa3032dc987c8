"""Roles and permissions (system administrator) and approvals (the general manager confirms
grants that read others' customer data): thin adapters over crm.accounts.services and
crm.governance.approvals."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from crm.accounts import selectors, services
from crm.accounts.models import Role
from crm.accounts.roles import ACTIONS, MANAGE_ROLES
from crm.core.permissions import Scope
from crm.governance import approvals

from .presenters import approval_out
from .schemas import ApprovalOut, ErrorOut, PathId, StrictIn
from .security import require_actor, signed_in

router = Router(tags=["roles"])

ScopeName = Literal["none", "own", "assigned", "department", "all"]
Grants = Annotated[
    dict[str, ScopeName],
    Field(
        max_length=len(ACTIONS),
        description="权限 → 数据范围；开关类权限只能是 none 或 all",
        json_schema_extra={"propertyNames": {"enum": [a.code for a in ACTIONS]}},
    ),
]
Code = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[a-z0-9_]+$")]

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut}  # 400: not JSON


class ActionOut(Schema):
    code: str
    label: str
    group: str
    scoped: bool = Field(description="false：只有 none/all（无/有）")
    reads_customer_data: bool


class RoleOut(Schema):
    code: str
    name: str
    label: str = Field(description="界面显示名称（预置角色随语言显示）")
    description: str
    builtin: bool
    version: int
    grants: dict[str, str]
    members: int = Field(description="启用的用户数")


class RoleIn(StrictIn):
    code: Code
    name: str = Field(min_length=1, max_length=50)
    description: str = Field("", max_length=200)
    grants: Grants = Field(default_factory=dict)
    copy_from: str = Field("", max_length=30, description="复制该角色的权限（忽略 grants）")


class RolePut(StrictIn):
    version: int = Field(ge=1, le=2**31 - 1, description="读取时的版本；已被修改时 409")
    name: str = Field(min_length=1, max_length=50)
    description: str = Field("", max_length=200)
    grants: Grants


class RoleUpdateOut(Schema):
    role: RoleOut
    pending: ApprovalOut | None = Field(
        description="扩大查看他人客户数据的范围时：等待总经理确认的申请（角色尚未改变）"
    )


class ApprovalsOut(Schema):
    to_decide: list[ApprovalOut]
    mine: list[ApprovalOut]


class DecisionIn(StrictIn):
    approve: bool
    note: str = Field("", max_length=500)


def role_out(role: Role, members: int | None = None) -> dict[str, Any]:
    if members is None:
        members = role.members.filter(is_active=True).count()
    return {
        "code": role.code,
        "name": role.name,
        "label": role.label,
        "description": role.description,
        "builtin": role.builtin,
        "version": role.version,
        "grants": {a: s for a, s in role.grants.items() if s != Scope.NONE},
        "members": members,
    }


@router.get("roles/actions", response={200: list[ActionOut], **_READ})
def action_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every action a role can grant, in the order of the role settings page."""
    require_actor(request, MANAGE_ROLES)
    return [
        {
            "code": a.code,
            "label": str(a.label),
            "group": str(a.group),
            "scoped": a.scoped,
            "reads_customer_data": a.reads_customer_data,
        }
        for a in ACTIONS
    ]


@router.get("roles", response={200: list[RoleOut], **_READ})
def role_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every role with its grants (action → data scope) and its number of active users."""
    roles = selectors.role_overview(actor=require_actor(request, MANAGE_ROLES))
    return [role_out(r, r.active_members) for r in roles]  # type: ignore[attr-defined]


@router.post("roles", response={201: RoleOut, **_WRITE})
def role_create(request: HttpRequest, response: HttpResponse, payload: RoleIn) -> Status[Any]:
    """A new role (no users yet, so it takes effect at once)."""
    role = services.role_create(actor=require_actor(request, MANAGE_ROLES), **payload.model_dump())
    response["Location"] = f"{request.path.rstrip('/')}/{role.code}"
    return Status(201, role_out(role, 0))


@router.put("roles/{code}", response={200: RoleUpdateOut, **_WRITE})
def role_update(request: HttpRequest, code: str, payload: RolePut) -> dict[str, Any]:
    """Replace a role's name and grants. Narrowing applies at once; widening what a role with
    users reads of others' customer data waits for the general manager (``pending``)."""
    role, pending = services.role_update(
        actor=require_actor(request, MANAGE_ROLES), code=code, **payload.model_dump()
    )
    return {"role": role_out(role), "pending": approval_out(pending) if pending else None}


@router.delete("roles/{code}", response={204: None, **_WRITE})
def role_delete(request: HttpRequest, code: str) -> Status[None]:
    """Remove a role nobody has (the shipped roles stay)."""
    services.role_delete(actor=require_actor(request, MANAGE_ROLES), code=code)
    return Status(204, None)


@router.get("approvals", response={200: ApprovalsOut, 401: ErrorOut})
def approval_list(request: HttpRequest) -> dict[str, Any]:
    """Requests waiting for the caller's decision, and the caller's own requests."""
    actor = signed_in(request)
    return {
        "to_decide": [approval_out(r) for r in approvals.approvals_to_decide(actor=actor)],
        "mine": [approval_out(r) for r in approvals.approvals_mine(actor=actor)],
    }


@router.get("approvals/{int:request_id}", response={200: ApprovalOut, **_READ, 422: ErrorOut})
def approval_detail(request: HttpRequest, request_id: PathId) -> dict[str, Any]:
    """One request with its steps in order (who decided each, when, with what comment), for its
    requester, those who decided a step and those who may decide it now."""
    return approval_out(approvals.approval_get(actor=signed_in(request), request_id=request_id))


@router.post("approvals/{int:request_id}/decide", response={200: ApprovalOut, **_WRITE})
def approval_decide(
    request: HttpRequest, request_id: PathId, payload: DecisionIn
) -> dict[str, Any]:
    """Approve or reject the step a pending request waits at. Steps are decided in order, each
    by its own deciders (others: 403, or 404 for a request they may not see); a rejection ends
    the request; the last approval applies the change as requested (``failed`` when the record
    changed since). Nobody decides their own request; a request decided already: 409."""
    decided = approvals.approval_decide(
        actor=signed_in(request), request_id=request_id, approve=payload.approve, note=payload.note
    )
    return approval_out(decided)
