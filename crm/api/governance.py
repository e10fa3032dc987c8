"""The audit log for the data administrator (查阅登记 and 操作日志): who did what, to which
record, when and from where. Thin adapter over ``crm.governance.selectors``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import ValidationInfo, field_validator

from crm.accounts.roles import VIEW_AUDIT
from crm.governance import selectors

from .schemas import ErrorOut, NoNulIn, Out
from .security import require_actor

router = Router(tags=["governance"])

ID_MAX = 2**63 - 1


class AuditParams(NoNulIn):
    actor: int | None = Field(None, ge=1, le=ID_MAX, description="操作人用户 id")
    customer: int | None = Field(
        None, ge=1, le=ID_MAX, description="客户 id：该客户的操作与查阅记录"
    )
    verb: str = Field("", max_length=64, description="动作，如 customer.viewed、customer.listed")
    since: dt.date | None = Field(None, description="起始日期（含）")
    until: dt.date | None = Field(None, description="结束日期（含）")
    cursor: str | None = Field(None, max_length=200)
    limit: int | None = Field(None, ge=1, le=selectors.MAX_LIMIT)

    @field_validator("actor", "customer", "since", "until", "limit", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("until")
    @classmethod
    def _not_before_since(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        since = info.data.get("since")
        if value is not None and since is not None and value < since:
            raise ValueError(_("结束日期不能早于起始日期"))
        return value


class AuditEventOut(Out):
    id: int
    created_at: dt.datetime
    actor: str = Field(description="操作人姓名（未登录的请求为“匿名”，后台任务为“系统”）")
    actor_id: int | None
    verb: str
    object_type: str = Field(description="对象类型，如 customers.customer")
    object_id: str = Field(description="对象编号；列表与搜索为空")
    object_repr: str
    changes: dict[str, Any] = Field(description="字段名 → [修改前, 修改后]")
    details: dict[str, Any] = Field(description="查询的条件（filter）与返回的条数（count）")
    reason: str
    request_id: str
    job_id: str
    ip: str | None


class AuditPage(Out):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


@router.get(
    "audit-events",
    response={200: AuditPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def audit_events(request: HttpRequest, params: Query[AuditParams]) -> dict[str, Any]:
    """The audit log, newest first, a page at a time (keyset cursor): every change, every read
    of personal data, every sign-in. Filter by actor, customer, verb and date range. For the
    data administrator and the general manager (``governance.view_auditevent``)."""
    actor = require_actor(request, VIEW_AUDIT)
    filters = selectors.AuditFilters(
        actor=params.actor,
        customer=params.customer,
        verb=params.verb.strip(),
        since=params.since,
        until=params.until,
    )
    page = selectors.audit_page(
        actor=actor, filters=filters, cursor=params.cursor, limit=params.limit
    )
    return {
        "items": [
            {
                "id": e.pk,
                "created_at": e.created_at,
                "actor": e.actor_name,
                "actor_id": e.actor_id,
                "verb": e.verb,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "changes": e.changes,
                "details": e.details,
                "reason": e.reason,
                "request_id": e.request_id,
                "job_id": e.job_id,
                "ip": e.ip,
            }
            for e in page.items
        ],
        "next_cursor": page.next_cursor,
    }
