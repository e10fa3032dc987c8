"""Opportunities (销售机会) and their pipelines: entering, editing, moving between stages (with
the ``version`` read: a stale one is a 409), follow-ups, closing won or lost, the board
(kanban), the weighted forecast, the funnel and the won/lost reasons (each also as ``.xlsx``),
and the managers' settings (pipelines and stages, lost reasons, industry templates). Thin
adapters over crm.sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from crm.accounts.models import User
from crm.accounts.roles import (
    CHANGE_OPPORTUNITY,
    EXPORT_REPORTS,
    MANAGE_PIPELINE,
    VIEW_OPPORTUNITY,
)
from crm.core.errors import NotFound
from crm.core.inputs import partial
from crm.core.pagination import ID_CURSOR
from crm.sales import selectors, services
from crm.sales.choices import Currency
from crm.sales.inputs import (
    LoseInput,
    LostReasonsInput,
    MoveInput,
    OpportunityInput,
    PipelineInput,
    WinInput,
)
from crm.sales.models import LostReason, Opportunity, Pipeline, Stage
from crm.sales.templates import TEMPLATES

from . import presenters
from .presenters import ref_out
from .reports import _XLSX, MONTH_PATTERN, _file
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryDay, QueryId, RefOut, Version
from .security import require_actor
from .workday_schemas import FollowUpIn, FollowUpOut

router = Router(tags=["sales"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}
LIMIT_MAX = 200


# --- input ----------------------------------------------------------------------------------


class OpportunityIn(OpportunityInput):
    """A new opportunity (销售机会)."""


if TYPE_CHECKING:
    OpportunityPatch = OpportunityInput
else:
    OpportunityPatch = partial(
        OpportunityInput,
        name="OpportunityPatch",
        doc="Some fields of an open opportunity; what is left out stays. The stage changes "
        "through /move, the status through /win and /lose. A stale ``version``: 409.",
        exclude=("customer", "pipeline", "stage"),
        version=(Version, ...),
    )


class MoveIn(MoveInput):
    """A move to another stage of the opportunity's pipeline."""


class WinIn(WinInput):
    """Close won: the customer becomes retained (an intention customer)."""


class LoseIn(LoseInput):
    """Close lost with a reason from ``GET /lost-reasons``."""


class ReopenIn(NoNulIn):
    version: Version


class PipelineIn(PipelineInput):
    """A pipeline and its stages in order."""


class PipelineUpdateIn(PipelineInput):
    """The whole pipeline as it should be, with the ``version`` read."""

    version: Version


class InstallIn(NoNulIn):
    industry: str = Field(description=" / ".join(TEMPLATES))


class LostReasonsIn(LostReasonsInput):
    """The whole list of lost reasons, in order."""


class ListParams(NoNulIn):
    pipeline: QueryId = Field(None, description="销售流程 id")
    stage: QueryId = Field(None, description="阶段 id")
    status: str = Field("", pattern=r"^(open|won|lost)?$", description="open / won / lost")
    owner: QueryId = Field(None, description="负责人用户 id")
    customer: QueryId = Field(None, description="客户 id")
    stale: bool = Field(False, description="只要停滞的（超过阶段的停滞天数无活动）")
    q: str = Field("", max_length=100, description="机会名称或客户名称片段")
    cursor: str = Field("", pattern=ID_CURSOR, description="上一页返回的 next_cursor")
    limit: int = Field(selectors.LIST_LIMIT, ge=1, le=LIMIT_MAX)


CURRENCY = f"^({'|'.join(Currency.values)})?$"


class BoardParams(NoNulIn):
    pipeline: QueryId = Field(None, description="销售流程 id（默认：默认流程）")
    owner: QueryId = Field(None, description="负责人用户 id")
    stage: QueryId = Field(None, description="只要这一列的卡片（“更多”）")
    limit: int = Field(selectors.PER_COLUMN, ge=1, le=LIMIT_MAX, description="每列卡片数")


class ForecastParams(NoNulIn):
    month: str = Field("", pattern=MONTH_PATTERN, description="起始月份 YYYY-MM，默认本月")
    months: int = Field(6, ge=1, le=selectors.MONTHS_MAX)
    currency: str = Field("", pattern=CURRENCY, description="币种，默认 CNY")
    pipeline: QueryId = Field(None, description="销售流程 id（默认：全部）")
    owner: QueryId = Field(None, description="负责人用户 id")


class PeriodParams(NoNulIn):
    since: QueryDay = Field(None, description="开始日期，默认今年 1 月 1 日")
    until: QueryDay = Field(None, description="结束日期（含），默认今天")
    currency: str = Field("", pattern=CURRENCY, description="币种，默认 CNY")
    pipeline: QueryId = Field(None, description="销售流程 id（漏斗默认：默认流程）")
    owner: QueryId = Field(None, description="负责人用户 id")


# --- output ---------------------------------------------------------------------------------


class StageOut(Out):
    id: int
    name: str
    position: int
    probability: int = Field(description="赢单概率（%）")
    stale_days: int | None = Field(description="无活动多少天后为停滞")


class PipelineOut(Out):
    id: int
    name: str
    template: str
    is_default: bool
    active: bool
    version: int
    stages: list[StageOut]


class LostReasonOut(Out):
    id: int
    name: str
    active: bool


class OpportunityLineOut(Out):
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class OpportunityOut(Out):
    id: int
    number: str
    name: str
    customer: RefOut
    pipeline: RefOut
    stage: StageOut
    status: str = Field(description="open 进行中 / won 赢单 / lost 输单")
    amount: Decimal
    currency: str
    weighted: Decimal = Field(description="加权金额（金额 × 阶段赢单概率）")
    expected_close_on: dt.date | None
    owner: RefOut
    department: RefOut | None
    notes: str
    lines: list[OpportunityLineOut]
    stage_entered_at: dt.datetime
    last_activity_at: dt.datetime
    stale: bool = Field(description="超过阶段的停滞天数无活动")
    closed_at: dt.datetime | None
    won_on: dt.date | None
    lost_reason: RefOut | None
    close_note: str
    version: int
    created_at: dt.datetime


class OpportunityPageOut(Out):
    items: list[OpportunityOut]
    next_cursor: str | None


class KanbanCardOut(Out):
    id: int
    name: str
    customer: RefOut
    owner: RefOut
    amount: Decimal
    currency: str
    expected_close_on: dt.date | None
    last_activity_at: dt.datetime
    stale: bool
    version: int


class KanbanColumnOut(Out):
    stage: StageOut
    count: int
    stale: int
    totals: dict[str, Decimal] = Field(description="币种 → 金额")
    weighted: dict[str, Decimal] = Field(description="币种 → 加权金额")
    cards: list[KanbanCardOut]
    more: int = Field(description="未列出的卡片数")


class KanbanOut(Out):
    pipeline: RefOut
    count: int
    totals: dict[str, Decimal]
    weighted: dict[str, Decimal]
    columns: list[KanbanColumnOut]


class ForecastCellOut(Out):
    owner: RefOut | None = Field(description="合计行为 null")
    month: str | None = Field(description="YYYY-MM；合计行为 null")
    count: int
    amount: Decimal
    weighted: Decimal
    won: Decimal


class ForecastOut(Out):
    currency: str
    months: list[str]
    cells: list[ForecastCellOut] = Field(description="每个销售人员、每月一行（无数据的省略）")
    total: ForecastCellOut


class FunnelStepOut(Out):
    stage: StageOut
    reached: int
    reached_amount: Decimal
    now: int
    now_amount: Decimal
    conversion: float | None = Field(description="到达下一阶段的比例（最后一阶段：赢单）")


class FunnelOut(Out):
    pipeline: RefOut
    currency: str
    since: dt.date
    until: dt.date
    created: int
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    win_rate: float | None
    steps: list[FunnelStepOut]


class ReasonOut(Out):
    name: str
    count: int
    amount: Decimal


class ReasonsOut(Out):
    currency: str
    since: dt.date
    until: dt.date
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    reasons: list[ReasonOut]


def _stage(s: Stage) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "position": s.position,
        "probability": s.probability,
        "stale_days": s.stale_days,
    }


def _pipeline(p: Pipeline) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "template": p.template,
        "is_default": p.is_default,
        "active": p.active,
        "version": p.version,
        "stages": [_stage(s) for s in selectors.stages_of(p)],
    }


def _reason(r: LostReason) -> dict[str, Any]:
    return {"id": r.pk, "name": r.name, "active": r.active}


def _opportunity(o: Opportunity) -> dict[str, Any]:
    return {
        "id": o.pk,
        "number": o.number,
        "name": o.name,
        "customer": ref_out(o.customer),
        "pipeline": ref_out(o.pipeline),
        "stage": _stage(o.stage),
        "status": o.status,
        "amount": o.amount,
        "currency": o.currency,
        "weighted": o.weighted,
        "expected_close_on": o.expected_close_on,
        "owner": ref_out(o.owner),
        "department": ref_out(o.department),
        "notes": o.notes,
        "lines": [
            {
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in o.lines.all()
        ],
        "stage_entered_at": o.stage_entered_at,
        "last_activity_at": o.last_activity_at,
        "stale": selectors.is_stale(o),
        "closed_at": o.closed_at,
        "won_on": o.won_on,
        "lost_reason": ref_out(o.lost_reason),
        "close_note": o.close_note,
        "version": o.version,
        "created_at": o.created_at,
    }


def _card(o: Opportunity) -> dict[str, Any]:
    return {
        "id": o.pk,
        "name": o.name,
        "customer": ref_out(o.customer),
        "owner": ref_out(o.owner),
        "amount": o.amount,
        "currency": o.currency,
        "expected_close_on": o.expected_close_on,
        "last_activity_at": o.last_activity_at,
        "stale": selectors.flagged(o),
        "version": o.version,
    }


def _one(actor: User, opportunity_id: int) -> dict[str, Any]:
    return _opportunity(services.opportunity_get(actor=actor, opportunity_id=opportunity_id))


# --- settings -------------------------------------------------------------------------------


@router.get("pipelines", response={200: list[PipelineOut], **_READ})
def pipeline_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The pipelines with their stages in order (the default first)."""
    require_actor(request, VIEW_OPPORTUNITY)
    return [_pipeline(p) for p in selectors.pipelines(active_only=False)]


@router.post("pipelines", response={201: PipelineOut, **_WRITE})
def pipeline_create(request: HttpRequest, payload: PipelineIn) -> Status[dict[str, Any]]:
    """A new pipeline with its stages (managers)."""
    actor = require_actor(request, MANAGE_PIPELINE)
    return Status(201, _pipeline(services.pipeline_create(actor=actor, data=payload.model_dump())))


@router.put("pipelines/{int:pipeline_id}", response={200: PipelineOut, **_WRITE})
def pipeline_update(
    request: HttpRequest, pipeline_id: PathId, payload: PipelineUpdateIn
) -> dict[str, Any]:
    """Rename, reorder, add, change or retire stages (one holding open opportunities: 409)."""
    actor = require_actor(request, MANAGE_PIPELINE)
    data = payload.model_dump()
    version = data.pop("version")
    return _pipeline(
        services.pipeline_update(actor=actor, pipeline_id=pipeline_id, version=version, data=data)
    )


@router.post("pipelines/install", response={201: PipelineOut, **_WRITE})
def pipeline_install(request: HttpRequest, payload: InstallIn) -> Status[dict[str, Any]]:
    """Install an industry's template pipeline (realestate, auto, truck, trade, shop,
    general); installed again, the one already there is returned."""
    actor = require_actor(request, MANAGE_PIPELINE)
    return Status(201, _pipeline(services.pipeline_install(actor=actor, industry=payload.industry)))


@router.get("lost-reasons", response={200: list[LostReasonOut], **_READ})
def lost_reason_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The lost reasons in use, in order."""
    require_actor(request, VIEW_OPPORTUNITY)
    return [_reason(r) for r in selectors.lost_reasons()]


@router.put("lost-reasons", response={200: list[LostReasonOut], **_WRITE})
def lost_reason_update(request: HttpRequest, payload: LostReasonsIn) -> list[dict[str, Any]]:
    """The whole list in order; a reason left out is retired (closed opportunities keep it)."""
    actor = require_actor(request, MANAGE_PIPELINE)
    return [
        _reason(r) for r in services.lost_reasons_update(actor=actor, data=payload.model_dump())
    ]


# --- opportunities --------------------------------------------------------------------------


@router.get("opportunities", response={200: OpportunityPageOut, **_READ})
def opportunity_list(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    """The opportunities the caller may see, newest first, a page at a time."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    page = selectors.opportunity_list(
        actor=actor,
        filters=selectors.Filters(
            pipeline=params.pipeline,
            stage=params.stage,
            status=params.status,
            owner=params.owner,
            customer=params.customer,
            stale=params.stale,
            q=params.q.strip(),
        ),
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [_opportunity(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post("opportunities", response={201: OpportunityOut, **_WRITE})
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[dict[str, Any]]:
    """新建销售机会 for a customer the caller may read (owner: the caller unless given)."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    opportunity = services.opportunity_create(actor=actor, data=payload.model_dump())
    return Status(201, _one(actor, opportunity.pk))


@router.get("opportunities/{int:opportunity_id}", response={200: OpportunityOut, **_READ})
def opportunity_get(request: HttpRequest, opportunity_id: PathId) -> dict[str, Any]:
    """One opportunity."""
    return _one(require_actor(request, VIEW_OPPORTUNITY), opportunity_id)


@router.patch("opportunities/{int:opportunity_id}", response={200: OpportunityOut, **_WRITE})
def opportunity_update(
    request: HttpRequest, opportunity_id: PathId, payload: OpportunityPatch
) -> dict[str, Any]:
    """Change the given fields of an open opportunity (``version`` as read; stale: 409)."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    services.opportunity_update(
        actor=actor, opportunity_id=opportunity_id, version=version, data=data
    )
    return _one(actor, opportunity_id)


@router.post("opportunities/{int:opportunity_id}/move", response={200: OpportunityOut, **_WRITE})
def opportunity_move(request: HttpRequest, opportunity_id: PathId, payload: MoveIn) -> Any:
    """阶段推进: move to another stage of its pipeline (a card dragged on the board)."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    services.opportunity_move(actor=actor, opportunity_id=opportunity_id, data=payload.model_dump())
    return _one(actor, opportunity_id)


@router.get(
    "opportunities/{int:opportunity_id}/followups", response={200: list[FollowUpOut], **_READ}
)
def opportunity_followups(request: HttpRequest, opportunity_id: PathId) -> list[dict[str, Any]]:
    """The follow-up records made about this opportunity, newest first."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    opportunity = services.opportunity_get(actor=actor, opportunity_id=opportunity_id)
    return [
        presenters.followup_out(f) for f in selectors.opportunity_followups(opportunity=opportunity)
    ]


@router.post("opportunities/{int:opportunity_id}/followups", response={201: FollowUpOut, **_WRITE})
def opportunity_follow_up(
    request: HttpRequest, opportunity_id: PathId, payload: FollowUpIn
) -> Status[dict[str, Any]]:
    """阶段跟进: a follow-up record of the customer about this opportunity (``next_step``,
    and ``next_at`` for the next plan); the opportunity is no longer stale."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    link = services.opportunity_follow_up(
        actor=actor, opportunity_id=opportunity_id, data=payload.model_dump()
    )
    return Status(201, presenters.followup_out(link.followup))


@router.post("opportunities/{int:opportunity_id}/win", response={200: OpportunityOut, **_WRITE})
def opportunity_win(request: HttpRequest, opportunity_id: PathId, payload: WinIn) -> Any:
    """赢单: an intention customer becomes retained with the deal date (its referral reward,
    credit split and callbacks follow); a potential or defeated customer: 409."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    services.opportunity_win(actor=actor, opportunity_id=opportunity_id, data=payload.model_dump())
    return _one(actor, opportunity_id)


@router.post("opportunities/{int:opportunity_id}/lose", response={200: OpportunityOut, **_WRITE})
def opportunity_lose(request: HttpRequest, opportunity_id: PathId, payload: LoseIn) -> Any:
    """输单 with a reason from the list and notes (the customer's defeat analysis is its own
    transition, ``POST /customers/{id}/transition``)."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    services.opportunity_lose(actor=actor, opportunity_id=opportunity_id, data=payload.model_dump())
    return _one(actor, opportunity_id)


@router.post("opportunities/{int:opportunity_id}/reopen", response={200: OpportunityOut, **_WRITE})
def opportunity_reopen(request: HttpRequest, opportunity_id: PathId, payload: ReopenIn) -> Any:
    """A lost opportunity back on the board, in the stage it was lost in."""
    actor = require_actor(request, CHANGE_OPPORTUNITY)
    services.opportunity_reopen(actor=actor, opportunity_id=opportunity_id, version=payload.version)
    return _one(actor, opportunity_id)


# --- the board and the reports --------------------------------------------------------------


def _pipeline_or_404(pipeline_id: int | None) -> Pipeline:
    pipeline = selectors.pipeline_get(pipeline_id)
    if pipeline is None:
        raise NotFound()
    return pipeline


@router.get("sales/board", response={200: KanbanOut, **_READ})
def board(request: HttpRequest, params: Query[BoardParams]) -> dict[str, Any]:
    """The kanban: per stage the open opportunities' count, totals per currency, weighted
    totals, stale count and the first ``limit`` cards (latest activity first)."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    seen = selectors.board(
        actor=actor,
        pipeline=_pipeline_or_404(params.pipeline),
        owner=params.owner,
        per_column=params.limit,
        stage=params.stage,
    )
    return {
        "pipeline": ref_out(seen.pipeline),
        "count": seen.count,
        "totals": seen.totals,
        "weighted": seen.weighted,
        "columns": [
            {
                "stage": _stage(c.stage),
                "count": c.count,
                "stale": c.stale,
                "totals": c.totals,
                "weighted": c.weighted,
                "cards": [_card(o) for o in c.cards],
                "more": c.more,
            }
            for c in seen.columns
        ],
    }


def _first_month(month: str) -> dt.date:
    if month:
        return dt.date(int(month[:4]), int(month[5:]), 1)
    return selectors.month_start(timezone.localdate())


def _cell(cell: selectors.ForecastCell, owner: Any, month: dt.date | None) -> dict[str, Any]:
    return {
        "owner": ref_out(owner),
        "month": f"{month:%Y-%m}" if month else None,
        "count": cell.count,
        "amount": cell.amount,
        "weighted": cell.weighted,
        "won": cell.won,
    }


@router.get("sales/forecast", response={200: ForecastOut, **_READ})
def forecast(request: HttpRequest, params: Query[ForecastParams]) -> dict[str, Any]:
    """加权预测: per rep and month of the expected close date, the open opportunities' amount
    and weighted amount (× the stage's probability), and the amount won in the month."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    seen = selectors.forecast(
        actor=actor,
        start=_first_month(params.month),
        months=params.months,
        currency=params.currency or Currency.CNY,
        pipeline=params.pipeline,
        owner=params.owner,
    )
    cells = [
        _cell(seen.cell(rep.pk, month), rep, month)
        for rep in seen.reps
        for month in seen.months
        if (rep.pk, month) in seen.cells
    ]
    return {
        "currency": seen.currency,
        "months": [f"{m:%Y-%m}" for m in seen.months],
        "cells": cells,
        "total": _cell(seen.total, None, None),
    }


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """A report's period: this year to today unless given; dates given the other way round
    still mean the period between them."""
    today = timezone.localdate()
    since = since or today.replace(month=1, day=1)
    until = until or today
    return (until, since) if since > until else (since, until)


def _period(params: PeriodParams) -> tuple[dt.date, dt.date]:
    return period(params.since, params.until)


@router.get("sales/funnel", response={200: FunnelOut, **_READ})
def funnel(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    """销售漏斗 of the opportunities created in the period: per stage how many reached it and
    their amount, how many are there now, and the conversion to the next stage."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    since, until = _period(params)
    seen = selectors.funnel(
        actor=actor,
        pipeline=_pipeline_or_404(params.pipeline),
        since=since,
        until=until,
        currency=params.currency or Currency.CNY,
        owner=params.owner,
    )
    return {
        "pipeline": ref_out(seen.pipeline),
        "currency": seen.currency,
        "since": since,
        "until": until,
        "created": seen.created,
        "won": seen.won,
        "won_amount": seen.won_amount,
        "lost": seen.lost,
        "lost_amount": seen.lost_amount,
        "win_rate": seen.win_rate,
        "steps": [
            {
                "stage": _stage(s.stage),
                "reached": s.reached,
                "reached_amount": s.reached_amount,
                "now": s.now,
                "now_amount": s.now_amount,
                "conversion": s.conversion,
            }
            for s in seen.steps
        ],
    }


@router.get("sales/reasons", response={200: ReasonsOut, **_READ})
def reasons(request: HttpRequest, params: Query[PeriodParams]) -> dict[str, Any]:
    """赢单与输单原因 of the opportunities closed in the period."""
    actor = require_actor(request, VIEW_OPPORTUNITY)
    since, until = _period(params)
    seen = selectors.reasons(
        actor=actor,
        since=since,
        until=until,
        currency=params.currency or Currency.CNY,
        pipeline=params.pipeline,
        owner=params.owner,
    )
    return {
        "currency": seen.currency,
        "since": since,
        "until": until,
        "won": seen.won,
        "won_amount": seen.won_amount,
        "lost": seen.lost,
        "lost_amount": seen.lost_amount,
        "reasons": [{"name": r.name, "count": r.count, "amount": r.amount} for r in seen.rows],
    }


@router.get("sales/forecast.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def forecast_xlsx(request: HttpRequest, params: Query[ForecastParams]) -> HttpResponse:
    """加权预测 as an Excel file (the export is logged)."""
    actor = require_actor(request, EXPORT_REPORTS)
    return _file(
        services.report_export(
            actor=actor,
            report="forecast",
            currency=params.currency or Currency.CNY,
            pipeline_id=params.pipeline,
            owner=params.owner,
            start=_first_month(params.month),
            months=params.months,
        )
    )


def _period_export(request: HttpRequest, params: PeriodParams, report: str) -> HttpResponse:
    actor = require_actor(request, EXPORT_REPORTS)
    since, until = _period(params)
    return _file(
        services.report_export(
            actor=actor,
            report=report,
            currency=params.currency or Currency.CNY,
            pipeline_id=params.pipeline,
            owner=params.owner,
            since=since,
            until=until,
        )
    )


@router.get("sales/funnel.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def funnel_xlsx(request: HttpRequest, params: Query[PeriodParams]) -> HttpResponse:
    """销售漏斗 as an Excel file (the export is logged)."""
    return _period_export(request, params, "funnel")


@router.get("sales/reasons.xlsx", response={200: None, **_READ}, openapi_extra=_XLSX)
def reasons_xlsx(request: HttpRequest, params: Query[PeriodParams]) -> HttpResponse:
    """赢单与输单原因 as an Excel file (the export is logged)."""
    return _period_export(request, params, "reasons")
