"""The reception desk (接待管理): the phone lookup, registrations, the rotation board, the reps'
status, the daily summary and its Excel file, the credit ledger and poaching complaints. Thin
adapters over crm.reception."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from crm.accounts.roles import (
    DECIDE_COMPLAINT,
    EXPORT_REPORTS,
    FILE_COMPLAINT,
    LOOKUP_CUSTOMER,
    MANAGE_ROTATION,
    REGISTER_VISIT,
    VIEW_RECORD,
    VIEW_VISIT,
)
from crm.core.pagination import ID_CURSOR
from crm.reception import selectors, services
from crm.reception.inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    LookupInput,
    RotationInput,
    SeatStatusInput,
    VisitInput,
)
from crm.reception.models import Complaint, SalesCredit, Seat, Visit

from .reports import _XLSX, _file
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryDay, QueryId
from .security import require_actor as require

router = Router(tags=["reception"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}


# --- schemas --------------------------------------------------------------------------------


class LookupIn(LookupInput):
    pass


class VisitIn(VisitInput):
    pass


class RotationIn(RotationInput):
    pass


class SeatStatusIn(SeatStatusInput):
    pass


class ComplaintIn(ComplaintInput):
    pass


class ComplaintDecisionIn(ComplaintDecisionInput):
    pass


class UserRefOut(Out):
    id: int
    name: str


class LookupOut(Out):
    found: bool
    customer_id: int | None = None
    number: str | None = None
    owner: UserRefOut | None = None
    owner_department: str | None = None
    last_visit_at: dt.datetime | None = None


class SeatOut(Out):
    id: int
    user: UserRefOut
    position: int
    status: str
    status_label: str
    owed: int = Field(description="外出期间错过、待补接的轮次")
    since: dt.datetime | None


class BoardOut(Out):
    department: int
    department_name: str
    seats: list[SeatOut]
    serving: list[int] = Field(description="正在接待的座次 id")
    next: SeatOut | None = Field(description="接待台：下一位新客户由谁接待")
    follows: SeatOut | None = Field(description="其后一位")


class DeskOut(Out):
    department: int
    name: str


class VisitOut(Out):
    id: int
    department: int
    channel: str
    at: dt.datetime
    customer_id: int
    customer_number: str | None
    name: str
    party_size: int
    interest: str
    source: str
    kind: str
    assignment: str
    assignment_label: str
    owner: UserRefOut | None
    served_by: UserRefOut | None
    turn: int | None
    referral_card: str
    notes: str


class VisitPageOut(Out):
    items: list[VisitOut]
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")


class PeriodParams(NoNulIn):
    start: QueryDay = Field(None, description="开始日期，默认为结束日期或今天")
    end: QueryDay = Field(None, description="结束日期（含），默认同开始；最多一年")
    department: QueryId = None


class VisitParams(PeriodParams):
    cursor: str | None = Field(None, pattern=ID_CURSOR, description="上一页的 next_cursor")
    limit: int | None = Field(None, ge=1, le=200)


class CountsOut(Out):
    total: int
    first: int
    returning: int
    visit: int
    call: int


class SummaryDayOut(CountsOut):
    day: dt.date


class SummaryRepOut(CountsOut):
    user_id: int | None
    name: str


class SummaryKeyOut(CountsOut):
    key: str
    label: str


class SummaryOut(Out):
    start: dt.date
    end: dt.date
    days: list[SummaryDayOut]
    reps: list[SummaryRepOut]
    channels: list[SummaryKeyOut]
    sources: list[SummaryKeyOut]
    total: CountsOut


class CreditOut(Out):
    id: int
    customer_id: int
    user: UserRefOut
    share: str
    deal_on: dt.date
    visit_id: int | None


class ComplaintOut(Out):
    id: int
    kind: str
    kind_label: str
    accused: UserRefOut
    complainant: UserRefOut | None
    customer_id: int | None
    occurred_on: dt.date
    description: str
    state: str
    finding: str
    penalty: str
    penalty_label: str
    decided_by: UserRefOut | None
    decided_at: dt.datetime | None


class RecordOut(Out):
    user: UserRefOut
    served: int
    courtesy: int
    credit_total: str
    credits: list[CreditOut]
    complaints: list[ComplaintOut]


# --- presenters -----------------------------------------------------------------------------


def _user(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


def _seat(seat: Seat | None) -> dict[str, Any] | None:
    if seat is None:
        return None
    return {
        "id": seat.pk,
        "user": _user(seat.user),
        "position": seat.position,
        "status": seat.status,
        "status_label": str(seat.get_status_display()),
        "owed": seat.owed,
        "since": seat.status_since,
    }


def _board(board: selectors.Board) -> dict[str, Any]:
    return {
        "department": board.desk.department_id,
        "department_name": board.desk.department.name,
        "seats": [_seat(s) for s in board.seats],
        "serving": [s.pk for s in board.serving],
        "next": _seat(board.next),
        "follows": _seat(board.follows),
    }


def _visit(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "department": visit.department_id,
        "channel": visit.channel,
        "at": visit.at,
        "customer_id": visit.customer_id,
        "customer_number": visit.customer.number,
        "name": visit.name,
        "party_size": visit.party_size,
        "interest": visit.interest,
        "source": visit.source,
        "kind": visit.kind,
        "assignment": visit.assignment,
        "assignment_label": str(visit.get_assignment_display()),
        "owner": _user(visit.owner),
        "served_by": _user(visit.served_by),
        "turn": visit.turn,
        "referral_card": visit.referral_card,
        "notes": visit.notes,
    }


def _credit(credit: SalesCredit) -> dict[str, Any]:
    return {
        "id": credit.pk,
        "customer_id": credit.customer_id,
        "user": _user(credit.user),
        "share": str(credit.share),
        "deal_on": credit.deal_on,
        "visit_id": credit.visit_id,
    }


def _complaint(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "accused": _user(c.accused),
        "complainant": _user(c.complainant),
        "customer_id": c.customer_id,
        "occurred_on": c.occurred_on,
        "description": c.description,
        "state": c.state,
        "finding": c.finding,
        "penalty": c.penalty,
        "penalty_label": str(c.get_penalty_display()) if c.penalty else "",
        "decided_by": _user(c.decided_by),
        "decided_at": c.decided_at,
    }


def _period(params: PeriodParams) -> tuple[dt.date, dt.date]:
    start = params.start or params.end or timezone.localdate()
    return start, params.end or start


# --- endpoints ------------------------------------------------------------------------------


@router.post("reception/lookup", response={200: LookupOut, **_WRITE})
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, Any]:
    """来过吗？谁接待过？: by phone (or the customer number the visitor shows), whether the
    customer has been served before, their owner and last visit. Never the phone or the file.
    Every lookup is logged."""
    found = services.customer_lookup(
        actor=require(request, LOOKUP_CUSTOMER), data=payload.model_dump(exclude_unset=True)
    )
    if found is None:
        return {"found": False}
    return {
        "found": True,
        "customer_id": found.customer_id,
        "number": found.number,
        "owner": {"id": found.owner_id, "name": found.owner_name} if found.owner_id else None,
        "owner_department": found.owner_department,
        "last_visit_at": found.last_visit_at,
    }


@router.get("reception/desks", response={200: list[DeskOut], **_READ})
def desk_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The desks (one per showroom department) the caller may register at."""
    actor = require(request, REGISTER_VISIT)
    return [
        {"department": d.department_id, "name": d.department.name}
        for d in selectors.desks(actor=actor)
    ]


@router.get("reception/desks/{int:department_id}", response={200: BoardOut, **_READ})
def board(request: HttpRequest, department_id: PathId) -> dict[str, Any]:
    """The desk screen: the rotation in order with each rep's status and owed make-up turns,
    who is serving, who is next and who follows."""
    actor = require(request, MANAGE_ROTATION)
    desk = services.desk_for(actor=actor, action=MANAGE_ROTATION, department_id=department_id)
    return _board(selectors.board(desk=desk, actor=actor))


@router.put("reception/desks/{int:department_id}/rotation", response={200: BoardOut, **_WRITE})
def rotation(request: HttpRequest, department_id: PathId, payload: RotationIn) -> dict[str, Any]:
    """The rotation's order (排序表): the reps' user ids first to last; those left out leave."""
    actor = require(request, MANAGE_ROTATION)
    desk = services.rotation_set(
        actor=actor, data=payload.model_dump(), department_id=department_id
    )
    return _board(selectors.board(desk=desk, actor=actor))


@router.post("reception/seats/{int:seat_id}/status", response={200: SeatOut, **_WRITE})
def seat_status(request: HttpRequest, seat_id: PathId, payload: SeatStatusIn) -> Any:
    """A rep's status: on duty (在岗; also: finished serving), busy (接待中), away on
    business (外出: turns that pass them are owed back) or off (休息: owed turns lapse)."""
    seat = services.seat_set_status(
        actor=require(request, MANAGE_ROTATION), seat_id=seat_id, data=payload.model_dump()
    )
    return _seat(seat)


@router.post("reception/visits", response={201: VisitOut, **_WRITE})
def visit_create(request: HttpRequest, payload: VisitIn) -> Status[Any]:
    """Register a walk-in or call (来店/来电客户登记表) and assign it: a returning customer to the
    owner (a colleague serves for an owner who is not free), a first-time customer to the rep
    they named or to the rotation's next turn. 409 when no rep is on duty and free."""
    visit = services.visit_register(
        actor=require(request, REGISTER_VISIT), data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, _visit(visit))


@router.get("reception/visits", response={200: VisitPageOut, **_READ})
def visit_list(request: HttpRequest, params: Query[VisitParams]) -> dict[str, Any]:
    """Registrations of a period (at most a year), newest first."""
    start, end = _period(params)
    page = selectors.visit_page(
        actor=require(request, VIEW_VISIT),
        start=start,
        end=end,
        department_id=params.department,
        cursor=params.cursor,
        limit=params.limit or 50,
    )
    return {"items": [_visit(v) for v in page.items], "next_cursor": page.next_cursor}


def _summary(summary: selectors.Summary) -> dict[str, Any]:
    return {
        "start": summary.start,
        "end": summary.end,
        "days": summary.days,
        "reps": summary.reps,
        "channels": [{"key": c["channel"], **c} for c in summary.channels],
        "sources": [{"key": s["source"], **s} for s in summary.sources],
        "total": summary.total,
    }


@router.get("reception/summary", response={200: SummaryOut, **_READ})
def summary(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    """来电来访汇总表: registrations per day, rep, channel and source; first visits and returns."""
    start, end = _period(params)
    return _summary(
        selectors.daily_summary(
            actor=require(request, VIEW_VISIT),
            start=start,
            end=end,
            department_id=params.department,
        )
    )


@router.get("reception/summary.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def summary_xlsx(request: HttpRequest, params: Query[PeriodParams]) -> HttpResponse:
    """来电来访汇总表 as an Excel file (the export is logged)."""
    start, end = _period(params)
    export = services.summary_export(
        actor=require(request, EXPORT_REPORTS),
        start=start,
        end=end,
        department_id=params.department,
    )
    return _file(export)


@router.get("reception/record/{int:user_id}", response={200: RecordOut, **_READ})
def record(request: HttpRequest, user_id: PathId) -> dict[str, Any]:
    """A rep's reception record: receptions, courtesy receptions, credits of deals (with the
    50/50 splits) and complaints with findings and penalties."""
    rec = selectors.rep_record(actor=require(request, VIEW_RECORD), user_id=user_id)
    return {
        "user": _user(rec.user),
        "served": rec.served,
        "courtesy": rec.courtesy,
        "credit_total": str(rec.credit_total),
        "credits": [_credit(c) for c in rec.credits],
        "complaints": [_complaint(c) for c in rec.complaints],
    }


@router.get("reception/complaints", response={200: list[ComplaintOut], **_READ})
def complaint_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Poaching complaints the caller may see (a rep: those about or by them)."""
    rows = selectors.complaint_list(actor=require(request, VIEW_RECORD))[:200]
    return [_complaint(c) for c in rows]


@router.post("reception/complaints", response={201: ComplaintOut, **_WRITE})
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    """File a complaint of 抢客、争客 or 怠慢客户 against a rep."""
    complaint = services.complaint_file(
        actor=require(request, FILE_COMPLAINT), data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, _complaint(complaint))


@router.post(
    "reception/complaints/{int:complaint_id}/decision", response={200: ComplaintOut, **_WRITE}
)
def complaint_decision(
    request: HttpRequest, complaint_id: PathId, payload: ComplaintDecisionIn
) -> dict[str, Any]:
    """The manager's finding (属实/不属实) and the penalty: a day's base pay; in serious cases
    the month's base pay and half the month's bonus; dismissal for stirring up trouble."""
    complaint = services.complaint_decide(
        actor=require(request, DECIDE_COMPLAINT),
        complaint_id=complaint_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return _complaint(complaint)
