"""Staff hand-over (交接): the hand-overs, starting one (a departure ends the leaver's access at
once), one record with its customers by receiver, and the director's signature. Thin adapters
over crm.handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from crm.accounts.roles import APPROVE_HANDOVER, START_HANDOVER, VIEW_HANDOVER
from crm.handover import selectors, services
from crm.handover.inputs import HandoverInput
from crm.handover.models import Handover

from .presenters import ref_out
from .schemas import ErrorOut, NoNulIn, PathId, RefOut
from .security import require_actor

router = Router(tags=["handover"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}


class HandoverIn(HandoverInput):
    """A hand-over: the leaver, the receivers and how the customers are split among them."""


class HandoverDecisionIn(NoNulIn):
    approve: bool = Field(description="true 签字确认并移交；false 驳回")
    note: str = Field("", max_length=500, description="意见")


class HandoverOut(Schema):
    id: int
    number: str
    kind: str
    leaver: RefOut
    department: RefOut | None
    split: str
    reason: str
    state: str = Field(description="pending 待总监签字 / done 已交接 / rejected 已驳回 / failed")
    started_by: RefOut | None
    started_at: dt.datetime
    signed_by: RefOut | None
    signed_at: dt.datetime | None
    note: str
    counts: dict[str, int] = Field(description="customers, plans, skipped, … 交接数量")


class HandoverItemOut(Schema):
    customer: RefOut
    number: str
    moved: bool


class HandoverPartOut(Schema):
    receiver: RefOut
    customers: list[HandoverItemOut]


class HandoverDetailOut(HandoverOut):
    parts: list[HandoverPartOut] = Field(description="按接收人列出的客户")


def _handover(h: Handover) -> dict[str, Any]:
    return {
        "id": h.pk,
        "number": h.number,
        "kind": h.kind,
        "leaver": ref_out(h.leaver),
        "department": ref_out(h.department),
        "split": h.split,
        "reason": h.reason,
        "state": h.state,
        "started_by": ref_out(h.started_by),
        "started_at": h.started_at,
        "signed_by": ref_out(h.signed_by),
        "signed_at": h.signed_at,
        "note": h.note,
        "counts": {k: int(v) for k, v in (h.counts or {}).items()},
    }


def _detail(h: Handover) -> dict[str, Any]:
    return {
        **_handover(h),
        "parts": [
            {
                "receiver": ref_out(p.receiver),
                "customers": [
                    {
                        "customer": {"id": i.customer_id, "name": i.customer.name},
                        "number": i.customer.number or "",
                        "moved": i.moved,
                    }
                    for i in p.items
                ],
            }
            for p in selectors.handover_parts(h)
        ],
    }


@router.get("handovers", response={200: list[HandoverOut], **_READ})
def handover_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The hand-overs of the caller's departments (the data administrator: all), newest first."""
    actor = require_actor(request, VIEW_HANDOVER)
    return [_handover(h) for h in selectors.handover_list(actor=actor)]


@router.post("handovers", response={201: HandoverDetailOut, **_WRITE})
def handover_start(request: HttpRequest, payload: HandoverIn) -> Status[Any]:
    """Start a hand-over of a rep of the caller's department: all their customers, split among
    the receivers, wait for the director's signature. ``departure``: the leaver's account is
    deactivated, their sessions end and their API tokens are revoked now."""
    handover = services.handover_start(
        actor=require_actor(request, START_HANDOVER), data=payload.model_dump()
    )
    return Status(201, _detail(handover))


@router.get("handovers/{int:handover_id}", response={200: HandoverDetailOut, **_READ})
def handover_get(request: HttpRequest, handover_id: PathId) -> dict[str, Any]:
    """One hand-over (交接单) with its customers by receiver (the reading is logged)."""
    actor = require_actor(request, VIEW_HANDOVER)
    return _detail(services.handover_open(actor=actor, handover_id=handover_id))


@router.post("handovers/{int:handover_id}/decision", response={200: HandoverDetailOut, **_WRITE})
def handover_decide(request: HttpRequest, handover_id: PathId, payload: HandoverDecisionIn) -> Any:
    """The director's signature: approve (everything moves now) or reject (nothing moves; a
    departed rep's account stays closed). Not one's own hand-over."""
    handover = services.handover_decide(
        actor=require_actor(request, APPROVE_HANDOVER),
        handover_id=handover_id,
        approve=payload.approve,
        note=payload.note,
    )
    return _detail(handover)
