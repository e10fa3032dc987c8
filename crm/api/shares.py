"""客户共享: a customer shared with a colleague, read-only or read-write, until a date. Thin
adapters over crm.customers.shares (who may share, with whom and until when are decided there;
what a share opens, in crm.core.permissions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from crm.accounts.roles import ASSIGN_CUSTOMER, VIEW_CUSTOMER
from crm.customers import shares
from crm.customers.inputs import ShareInput
from crm.customers.models import CustomerShare

from .schemas import ErrorOut, PathId
from .security import require_actor

router = Router(tags=["customers"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut}
_BODY: dict[int, Any] = {**_WRITE, 400: ErrorOut}  # 400: not JSON


class ShareIn(ShareInput):
    """Share the customer with a colleague; sharing again with the same colleague changes their
    share (mode, date)."""


class ShareOut(Schema):
    id: int
    customer_id: int
    user_id: int
    user: str
    mode: str
    mode_label: str
    until: dt.date
    active: bool
    shared_by: str
    created_at: dt.datetime


def _out(share: CustomerShare, today: dt.date) -> dict[str, Any]:
    return {
        "id": share.pk,
        "customer_id": share.customer_id,
        "user_id": share.user_id,
        "user": share.user.display_name,
        "mode": share.mode,
        "mode_label": str(share.get_mode_display()),
        "until": share.until,
        "active": share.until >= today,
        "shared_by": share.shared_by.display_name if share.shared_by else "",
        "created_at": share.created_at,
    }


@router.get("customers/{int:customer_id}/shares", response={200: list[ShareOut], **_READ})
def share_list(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    """Whom the customer is shared with, until when (``active`` false: the day has passed and
    the share counts no longer), for anyone who may see the customer."""

    actor = require_actor(request, VIEW_CUSTOMER)
    today = timezone.localdate()
    return [_out(s, today) for s in shares.share_list(actor=actor, customer_id=customer_id)]


@router.post("customers/{int:customer_id}/shares", response={201: ShareOut, **_BODY})
def share_create(
    request: HttpRequest, response: HttpResponse, customer_id: PathId, payload: ShareIn
) -> Status[dict[str, Any]]:
    """Share the customer (whoever may assign it: its owner rep, the manager) with an active
    colleague who may own customers, ``read`` (see it, its follow-ups and plans) or
    ``read_write`` (also edit it, record follow-ups, plan), until ``until`` inclusive (today
    up to a year). 422 for anyone else or another date."""

    share = shares.customer_share(
        actor=require_actor(request, ASSIGN_CUSTOMER),
        customer_id=customer_id,
        data=payload.model_dump(),
    )
    response["Location"] = f"{request.path.rstrip('/')}/{share.pk}"
    return Status(201, _out(share, timezone.localdate()))


@router.delete("customers/{int:customer_id}/shares/{int:share_id}", response={204: None, **_WRITE})
def share_delete(request: HttpRequest, customer_id: PathId, share_id: PathId) -> Status[None]:
    """Revoke a share: the colleague loses access at once."""
    shares.customer_unshare(
        actor=require_actor(request, ASSIGN_CUSTOMER), customer_id=customer_id, share_id=share_id
    )
    return Status(204, None)
