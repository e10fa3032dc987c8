"""Quarterly verification (数据核查): rounds (the data administrator), their progress per rep and
department, the caller's records to verify, confirming and correcting one. Thin adapters over
crm.verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from crm.accounts.roles import MANAGE_VERIFICATION, VERIFY_RECORD
from crm.core.errors import NotFound
from crm.verification import selectors, services
from crm.verification.inputs import ConfirmInput, CorrectInput, RoundInput
from crm.verification.models import ItemState, VerificationItem, VerificationRound

from .presenters import ref_out
from .schemas import ErrorOut, NoNulIn, PathId, RefOut
from .security import require_actor

router = Router(tags=["verification"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}


class VerificationRoundIn(RoundInput):
    """A round over the customers matching the filter."""


class VerificationConfirmIn(ConfirmInput):
    """The record is true and current."""


class VerificationCorrectIn(CorrectInput):
    """The record's correction."""


class VerificationCountsOut(Schema):
    total: int
    confirmed: int
    corrected: int
    outstanding: int


class VerificationRoundOut(Schema):
    id: int
    title: str
    criteria: dict[str, Any]
    deadline: dt.date
    state: str
    opened_by: RefOut | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    overdue: bool = Field(description="截止日期已过（或已关闭）：outstanding 即逾期未确认")
    counts: VerificationCountsOut


class VerificationProgressOut(VerificationCountsOut):
    id: int | None
    name: str
    percent: int


class VerificationRoundDetailOut(VerificationRoundOut):
    by_department: list[VerificationProgressOut]
    by_rep: list[VerificationProgressOut]


class VerificationItemOut(Schema):
    id: int
    round: RefOut
    deadline: dt.date
    customer: RefOut
    rep: RefOut | None
    department: RefOut | None
    state: str
    done_by: RefOut | None
    done_at: dt.datetime | None
    note: str


class VerificationRemindOut(Schema):
    notified: int = Field(description="提醒的人数")


class VerificationItemParams(NoNulIn):
    state: str = Field("", pattern="^(" + "|".join(ItemState.values) + ")?$")


def _round(r: VerificationRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "criteria": r.criteria,
        "deadline": r.deadline,
        "state": r.state,
        "opened_by": ref_out(r.opened_by),
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "overdue": selectors.overdue(r),
        "counts": selectors.round_totals(r),
    }


def _progress(rows: list[selectors.Progress]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.key,
            "name": p.name,
            "total": p.total,
            "confirmed": p.confirmed,
            "corrected": p.corrected,
            "outstanding": p.outstanding,
            "percent": p.percent,
        }
        for p in rows
    ]


def _item(i: VerificationItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "round": {"id": i.round_id, "name": i.round.title},
        "deadline": i.round.deadline,
        "customer": {"id": i.customer_id, "name": i.customer.name},
        "rep": ref_out(i.rep),
        "department": ref_out(i.department) if i.department_id else None,
        "state": i.state,
        "done_by": ref_out(i.done_by),
        "done_at": i.done_at,
        "note": i.note,
    }


def _get(request: HttpRequest, round_id: int) -> VerificationRound:
    actor = require_actor(request, MANAGE_VERIFICATION)
    found = selectors.round_get(actor=actor, round_id=round_id)
    if found is None:
        raise NotFound()
    return found


@router.get("verification/rounds", response={200: list[VerificationRoundOut], **_READ})
def round_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = require_actor(request, MANAGE_VERIFICATION)
    return [_round(r) for r in selectors.round_list(actor=actor)]


@router.post("verification/rounds", response={201: VerificationRoundDetailOut, **_WRITE})
def round_open(request: HttpRequest, payload: VerificationRoundIn) -> Status[Any]:
    """Open a round: every matching customer not waiting in another open round (by default not
    verified this quarter) goes to its supplying rep, who is told."""
    made = services.round_open(
        actor=require_actor(request, MANAGE_VERIFICATION), data=payload.model_dump()
    )
    return Status(201, _detail(made))


def _detail(r: VerificationRound) -> dict[str, Any]:
    return {
        **_round(r),
        "by_department": _progress(selectors.progress_by_department(r)),
        "by_rep": _progress(selectors.progress_by_rep(r)),
    }


@router.get(
    "verification/rounds/{int:round_id}", response={200: VerificationRoundDetailOut, **_READ}
)
def round_get(request: HttpRequest, round_id: PathId) -> dict[str, Any]:
    """A round's progress: confirmed, corrected and outstanding per department and rep."""
    return _detail(_get(request, round_id))


@router.get(
    "verification/rounds/{int:round_id}/items", response={200: list[VerificationItemOut], **_READ}
)
def round_items(
    request: HttpRequest, round_id: PathId, params: Query[VerificationItemParams]
) -> list[dict[str, Any]]:
    """A round's records in one state (``pending`` after the deadline: the unconfirmed), the
    first 500."""
    return [
        _item(i) for i in selectors.items(_get(request, round_id), state=params.state, limit=500)
    ]


@router.post(
    "verification/rounds/{int:round_id}/remind", response={200: VerificationRemindOut, **_WRITE}
)
def round_remind(request: HttpRequest, round_id: PathId) -> dict[str, int]:
    """Remind every rep with records still waiting; returns how many were told."""
    n = services.round_remind(actor=require_actor(request, MANAGE_VERIFICATION), round_id=round_id)
    return {"notified": n}


@router.post(
    "verification/rounds/{int:round_id}/close", response={200: VerificationRoundDetailOut, **_WRITE}
)
def round_close(request: HttpRequest, round_id: PathId) -> dict[str, Any]:
    closed = services.round_close(
        actor=require_actor(request, MANAGE_VERIFICATION), round_id=round_id
    )
    return _detail(closed)


@router.get("verification/items", response={200: list[VerificationItemOut], **_READ})
def my_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The records waiting for the caller (a manager: the department's), earliest deadline
    first, the first 200."""
    items, _count = selectors.my_items(actor=require_actor(request, VERIFY_RECORD))
    return [_item(i) for i in items]


@router.post(
    "verification/items/{int:item_id}/confirm", response={200: VerificationItemOut, **_WRITE}
)
def item_confirm(
    request: HttpRequest, item_id: PathId, payload: VerificationConfirmIn
) -> dict[str, Any]:
    done = services.item_confirm(
        actor=require_actor(request, VERIFY_RECORD), item_id=item_id, data=payload.model_dump()
    )
    return _item(done)


@router.post(
    "verification/items/{int:item_id}/correct", response={200: VerificationItemOut, **_WRITE}
)
def item_correct(
    request: HttpRequest, item_id: PathId, payload: VerificationCorrectIn
) -> dict[str, Any]:
    """Correct the record through the normal customer edit (``data`` with the customer's
    ``version``: a stale version is 409), or mark it corrected when it was edited since the
    round opened."""
    done = services.item_correct(
        actor=require_actor(request, VERIFY_RECORD),
        item_id=item_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return _item(done)
