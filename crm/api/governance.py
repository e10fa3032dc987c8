"""The audit log for the data administrator (查阅登记 and 操作日志): who did what, to which
record, when and from where. Thin adapter over ``crm.governance.selectors``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import BeforeValidator, WithJsonSchema

from crm.accounts.roles import REVEAL_FIELD, VIEW_AUDIT
from crm.core.pagination import ID_CURSOR
from crm.governance import selectors, services
from crm.governance.confidentiality import GROUP_OF_FIELD
from crm.governance.masking import masker_for
from crm.governance.verbs import VERB_LABELS

from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryId, QueryLimit
from .security import require_actor

router = Router(tags=["governance"])


ANY_DAY = (
    "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])"
    "-(0[1-9]|[12][0-9]|3[01])$"
)


def _day_text(value: Any) -> Any:
    """A day as ``YYYY-MM-DD`` (any year: a far one means no bound), not a number."""
    if value in ("", None):
        return None
    if not isinstance(value, str) or not re.match(ANY_DAY, value):
        raise ValueError(_("日期格式应为 YYYY-MM-DD"))
    return value


Bound = Annotated[
    dt.date | None,
    BeforeValidator(_day_text),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date", "pattern": ANY_DAY}, {"const": ""}]}
    ),
]


class AuditParams(NoNulIn):
    """Filters of the audit log. A range that ends before it starts holds no events (an empty
    page, as a bound far out is no bound: neither is an error)."""

    actor: QueryId = Field(None, description="操作人用户 id")
    customer: QueryId = Field(None, description="客户 id：该客户的操作与查阅记录")
    verb: str = Field("", max_length=64, description="动作，如 customer.viewed、customer.listed")
    since: Bound = Field(None, description="起始日期（含）")
    until: Bound = Field(None, description="结束日期（含）")
    cursor: str | None = Field(
        None, pattern=ID_CURSOR, description="上一页返回的 next_cursor；省略为第一页"
    )
    limit: QueryLimit = None


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


def _event_out(e: Any, masker: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "created_at": e.created_at,
        "actor": e.actor_name,
        "actor_id": e.actor_id,
        "verb": e.verb,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "changes": masker.changes(e.changes, None),
        "details": e.details,
        "reason": e.reason,
        "request_id": e.request_id,
        "job_id": e.job_id,
        "ip": e.ip,
    }


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
    masker = masker_for(actor)
    return {
        "items": [_event_out(e, masker) for e in page.items],
        "next_cursor": page.next_cursor,
    }


# --- 查阅登记 and 密级 ----------------------------------------------------------------------


class AccessParams(NoNulIn):
    """Filters of the access log: who viewed, revealed or exported which customers, when."""

    actor: QueryId = Field(None, description="操作人用户 id")
    customer: QueryId = Field(None, description="客户 id")
    kind: Literal["", "viewed", "revealed", "exported"] = Field(
        "", description="查阅 viewed、查看被遮挡字段 revealed、导出 exported；省略为全部"
    )
    since: Bound = Field(None, description="起始日期（含）")
    until: Bound = Field(None, description="结束日期（含）")
    cursor: str | None = Field(
        None, pattern=ID_CURSOR, description="上一页返回的 next_cursor；省略为第一页"
    )
    limit: QueryLimit = None


@router.get(
    "access-log",
    response={200: AuditPage, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def access_log(request: HttpRequest, params: Query[AccessParams]) -> dict[str, Any]:
    """The access log (查阅登记), newest first: every read, reveal of a masked field and export
    of customer data. For the data administrator and the general manager
    (``governance.view_auditevent``)."""
    actor = require_actor(request, VIEW_AUDIT)
    filters = selectors.AuditFilters(
        actor=params.actor,
        customer=params.customer,
        kind=params.kind,
        verbs=selectors.access_verbs(params.kind, VERB_LABELS),
        since=params.since,
        until=params.until,
    )
    page = selectors.audit_page(
        actor=actor, filters=filters, cursor=params.cursor, limit=params.limit
    )
    masker = masker_for(actor)
    return {
        "items": [_event_out(e, masker) for e in page.items],
        "next_cursor": page.next_cursor,
    }


class RevealIn(NoNulIn):
    field: str = Field(
        max_length=30,
        description="字段名，如 phone、id_number、credit_code、email、address",
        json_schema_extra={"enum": list[Any](sorted(GROUP_OF_FIELD))},
    )


class RevealOut(Out):
    field: str
    value: str = Field(description="未遮挡的值（本次查看已登记）")


@router.post(
    "customers/{int:customer_id}/reveal",
    response={
        200: RevealOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def reveal_field(request: HttpRequest, customer_id: PathId, payload: RevealIn) -> dict[str, str]:
    """The unmasked value of one field a confidentiality level (密级) masks for the caller, for
    those who hold ``governance.reveal_field`` over the customer. Each reveal is logged (who,
    which field, which customer, when) and shows in the access log."""
    actor = require_actor(request, REVEAL_FIELD)
    value = services.reveal_field(actor=actor, customer_id=customer_id, field=payload.field)
    return {"field": payload.field, "value": value}
