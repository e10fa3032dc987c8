"""Satisfaction surveys (满意度抽查), their 整改 actions and customer care (客户关怀): thin adapters
over crm.care. The customer's own answer through a link is a page (``/s/<token>/``), not an API
call: it needs no token, only the link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status
from pydantic import Field

from crm.accounts.roles import (
    ANSWER_SURVEY,
    CHANGE_CUSTOMER,
    MANAGE_ACTION,
    MANAGE_CAMPAIGN,
    RECORD_CARE,
    RUN_SURVEY,
    VIEW_CARE,
    VIEW_SURVEY,
    WORK_ACTION,
)
from crm.care import caring, selectors, services
from crm.care.inputs import (
    WINDOW_MAX,
    ActionCloseInput,
    ActionDoneInput,
    ActionInput,
    BirthdayInput,
    CampaignInput,
    DrawInput,
    PhoneAnswerInput,
    TargetInput,
)
from crm.care.models import (
    ActionState,
    CallState,
    CampaignTarget,
    CareAction,
    CareCampaign,
    SurveyCall,
    SurveyRound,
    TargetState,
)
from crm.core.inputs import Choice

from .presenters import ref_out
from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryId, RefOut
from .security import require_actor

router = Router(tags=["care"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}
_MONTH = "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"


# --- surveys --------------------------------------------------------------------------------


class RoundOut(Out):
    id: int
    number: str = Field(description="抽查编号 MYyyyymm")
    month: str = Field(description="月份 YYYY-MM")
    form: RefOut
    seed: int = Field(description="随机种子：同一月份、同一种子抽出同样的客户")
    size_asked: int | None
    share_asked: int | None
    population: int = Field(description="抽取时当月新成交（保有）客户数")
    sample_size: int
    alert_below: Decimal = Field(description="平均分低于此值视为发现问题")
    drawn_by: RefOut
    drawn_at: dt.datetime


class SurveyCountsOut(Out):
    total: int
    pending: int
    answered: int
    unreachable: int
    declined: int
    problems: int
    average: Decimal | None


class RoundDetailOut(RoundOut):
    counts: SurveyCountsOut = Field(description="调用者可见的回访，按状态")


class CallOut(Out):
    id: int
    round: int
    position: int
    customer: RefOut
    rep: RefOut | None = Field(description="抽取时的客户负责人（计入其考核）")
    state: str = Field(description="pending 待回访 / answered 已回访 / unreachable / declined")
    channel: str = Field(description="phone 电话 / link 客户自填链接")
    score: Decimal | None
    problem: bool
    note: str
    response: int | None = Field(description="调查表答卷 id（/customers/{id}/questionnaires）")
    answered_at: dt.datetime | None
    answered_by: RefOut | None
    link_expires_at: dt.datetime | None


class SurveyLinkOut(Out):
    url: str = Field(description="客户自填链接（仅此一次显示；再次生成则旧链接失效）")
    expires_at: dt.datetime


class CareActionOut(Out):
    id: int
    number: str
    call: int | None
    customer: RefOut
    problem: str
    responsible: RefOut
    due_on: dt.date
    overdue: bool
    state: str = Field(description="open 整改中 / done 已整改待核实 / closed 已关闭")
    result: str
    close_note: str
    opened_by: RefOut | None
    created_at: dt.datetime
    done_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: RefOut | None


class RepOut(Out):
    user: RefOut
    department: str
    sampled: int
    answered: int
    unreachable: int
    problems: int
    average: Decimal | None = Field(description="平均满意度（1–5）")
    open_actions: int = Field(description="该月抽查引出的未关闭整改")


class CallParams(NoNulIn):
    state: Annotated[str, Choice(CallState, blank=True)] = Field("", description="按状态")


class ActionParams(NoNulIn):
    state: Annotated[str, Choice(ActionState, blank=True)] = Field("", description="按状态")
    mine: bool = Field(False, description="只要我负责的")


class MonthParams(NoNulIn):
    month: str = Field(pattern=_MONTH, description="月份 YYYY-MM")
    department: QueryId = Field(None, description="部门 id（含下级部门）")


def _round(r: SurveyRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "month": f"{r.month:%Y-%m}",
        "form": ref_out(r.form),
        "seed": r.seed,
        "size_asked": r.size_asked,
        "share_asked": r.share_asked,
        "population": r.population,
        "sample_size": r.sample_size,
        "alert_below": r.alert_below,
        "drawn_by": ref_out(r.drawn_by),
        "drawn_at": r.drawn_at,
    }


def _call(c: SurveyCall) -> dict[str, Any]:
    return {
        "id": c.pk,
        "round": c.round_id,
        "position": c.position,
        "customer": ref_out(c.customer),
        "rep": ref_out(c.rep),
        "state": c.state,
        "channel": c.channel,
        "score": c.score,
        "problem": c.problem,
        "note": c.note,
        "response": c.response_id,
        "answered_at": c.answered_at,
        "answered_by": ref_out(c.answered_by),
        "link_expires_at": c.link_expires_at if c.link_open else None,
    }


def _action(a: CareAction) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "call": a.call_id,
        "customer": ref_out(a.customer),
        "problem": a.problem,
        "responsible": ref_out(a.responsible),
        "due_on": a.due_on,
        "overdue": a.overdue,
        "state": a.state,
        "result": a.result,
        "close_note": a.close_note,
        "opened_by": ref_out(a.opened_by),
        "created_at": a.created_at,
        "done_at": a.done_at,
        "closed_at": a.closed_at,
        "closed_by": ref_out(a.closed_by),
    }


@router.get("survey-rounds", response={200: list[RoundOut], **_READ})
def round_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The months drawn, the latest first."""
    actor = require_actor(request, VIEW_SURVEY)
    return [_round(r) for r in selectors.round_list(actor=actor)]


@router.post("survey-rounds", response={201: RoundOut, **_WRITE})
def round_draw(request: HttpRequest, payload: DrawInput) -> Status[Any]:
    """Draw a month's sample of its new retained customers (once per month; 409 again)."""
    actor = require_actor(request, RUN_SURVEY)
    return Status(201, _round(services.round_draw(actor=actor, data=payload.model_dump())))


@router.get("survey-rounds/{int:round_id}", response={200: RoundDetailOut, **_READ})
def round_get(request: HttpRequest, round_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_SURVEY)
    survey = selectors.round_get(actor=actor, round_id=round_id)
    counts = selectors.round_counts(actor=actor, survey=survey)
    return {**_round(survey), "counts": counts.__dict__}


@router.get("survey-rounds/{int:round_id}/calls", response={200: list[CallOut], **_READ})
def call_list(
    request: HttpRequest, round_id: PathId, params: Query[CallParams]
) -> list[dict[str, Any]]:
    """The month's customers drawn that the caller sees (a rep: their own), in the order drawn."""
    actor = require_actor(request, VIEW_SURVEY)
    survey = selectors.round_get(actor=actor, round_id=round_id)
    return [_call(c) for c in selectors.call_list(actor=actor, survey=survey, state=params.state)]


@router.get("survey-calls/{int:call_id}", response={200: CallOut, **_READ})
def call_get(request: HttpRequest, call_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_SURVEY)
    return _call(selectors.call_get(actor=actor, call_id=call_id))


@router.post("survey-calls/{int:call_id}/answer", response={200: CallOut, **_WRITE})
def call_answer(request: HttpRequest, call_id: PathId, payload: PhoneAnswerInput) -> dict[str, Any]:
    """The phone call: the answers (as for any form), or unreachable / declined. A score below
    the round's line, or a problem written down, opens 整改 for the customer's rep."""
    actor = require_actor(request, ANSWER_SURVEY)
    return _call(services.call_answer(actor=actor, call_id=call_id, data=payload.model_dump()))


@router.post("survey-calls/{int:call_id}/link", response={201: SurveyLinkOut, **_WRITE})
def link_issue(request: HttpRequest, call_id: PathId) -> Status[Any]:
    """A link for the customer to answer without signing in: signed, single-use, valid for
    ``CRM_SURVEY_LINK_DAYS`` days; a new one replaces the former."""
    actor = require_actor(request, ANSWER_SURVEY)
    token = services.link_issue(actor=actor, call_id=call_id)
    call = selectors.call_get(actor=actor, call_id=call_id)
    url = request.build_absolute_uri(reverse("web:survey_public", args=[token]))
    return Status(201, {"url": url, "expires_at": call.link_expires_at})


@router.post("survey-calls/{int:call_id}/actions", response={201: CareActionOut, **_WRITE})
def action_open(request: HttpRequest, call_id: PathId, payload: ActionInput) -> Status[Any]:
    """Open 整改 of a problem the call found: who answers for it and by when."""
    actor = require_actor(request, MANAGE_ACTION)
    made = services.action_open(actor=actor, call_id=call_id, data=payload.model_dump())
    return Status(201, _action(selectors.action_get(actor=actor, action_id=made.pk)))


@router.get("care-actions", response={200: list[CareActionOut], **_READ})
def action_list(request: HttpRequest, params: Query[ActionParams]) -> list[dict[str, Any]]:
    """The 整改 actions the caller sees: open first, soonest due first."""
    actor = require_actor(request, VIEW_SURVEY)
    found = selectors.action_list(actor=actor, state=params.state, mine=params.mine)
    return [_action(a) for a in found]


@router.get("care-actions/{int:action_id}", response={200: CareActionOut, **_READ})
def action_get(request: HttpRequest, action_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_SURVEY)
    return _action(selectors.action_get(actor=actor, action_id=action_id))


@router.post("care-actions/{int:action_id}/done", response={200: CareActionOut, **_WRITE})
def action_done(request: HttpRequest, action_id: PathId, payload: ActionDoneInput) -> Any:
    """The responsible person reports what was done (409 unless it is open)."""
    actor = require_actor(request, WORK_ACTION)
    services.action_done(actor=actor, action_id=action_id, data=payload.model_dump())
    return _action(selectors.action_get(actor=actor, action_id=action_id))


@router.post("care-actions/{int:action_id}/close", response={200: CareActionOut, **_WRITE})
def action_close(request: HttpRequest, action_id: PathId, payload: ActionCloseInput) -> Any:
    """Verify a reported action: close it, or send it back with the reason."""
    actor = require_actor(request, MANAGE_ACTION)
    services.action_close(actor=actor, action_id=action_id, data=payload.model_dump())
    return _action(selectors.action_get(actor=actor, action_id=action_id))


@router.get("survey-performance", response={200: list[RepOut], **_READ})
def performance(request: HttpRequest, params: Query[MonthParams]) -> list[dict[str, Any]]:
    """满意度 per rep for a month (抽查内容纳入销售顾问日常工作考核): a rep sees their own row, a
    manager the department's."""
    actor = require_actor(request, VIEW_SURVEY)
    month = services.parse_month(params.month)
    rows = selectors.satisfaction_by_rep(actor=actor, month=month, department_id=params.department)
    return [{**r.__dict__, "user": {"id": r.user_id, "name": r.name}} for r in rows]


# --- care -----------------------------------------------------------------------------------


class WindowParams(NoNulIn):
    days: int = Field(30, ge=1, le=WINDOW_MAX, description="未来天数")


class ReminderOut(Out):
    on: dt.date = Field(description="今年（窗口内）的日子")
    customer: RefOut
    who: str = Field(description="客户本人或联系人姓名")
    contact: RefOut | None
    owner: RefOut | None
    years: int | None = Field(description="生日：周岁；成交周年：第几年（出生年份未知时为空）")


class BirthdayOut(Out):
    id: int
    customer: int
    contact: int | None
    month: int
    day: int
    year: int | None


class CampaignOut(Out):
    id: int
    title: str
    kind: str
    description: str
    criteria: dict[str, Any]
    target_count: int
    state: str = Field(description="open 进行中 / closed 已结束")
    created_by: RefOut
    created_at: dt.datetime
    closed_at: dt.datetime | None


class CampaignDetailOut(CampaignOut):
    counts: dict[str, int] = Field(description="调用者负责的客户，按回应")


class TargetOut(Out):
    id: int
    customer: RefOut
    owner: RefOut | None
    state: str = Field(description="pending 待联系 / contacted / responded / declined")
    note: str
    updated_at: dt.datetime | None
    updated_by: RefOut | None


class TargetParams(NoNulIn):
    state: Annotated[str, Choice(TargetState, blank=True)] = Field("", description="按回应")


def _reminder(r: selectors.Reminder) -> dict[str, Any]:
    return {
        "on": r.on,
        "customer": ref_out(r.customer),
        "who": r.who,
        "contact": ref_out(r.contact),
        "owner": ref_out(r.customer.owner),
        "years": r.years,
    }


def _campaign(c: CareCampaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "kind": c.kind,
        "description": c.description,
        "criteria": c.criteria,
        "target_count": c.target_count,
        "state": c.state,
        "created_by": ref_out(c.created_by),
        "created_at": c.created_at,
        "closed_at": c.closed_at,
    }


def _target(t: CampaignTarget) -> dict[str, Any]:
    return {
        "id": t.pk,
        "customer": ref_out(t.customer),
        "owner": ref_out(t.customer.owner),
        "state": t.state,
        "note": t.note,
        "updated_at": t.updated_at,
        "updated_by": ref_out(t.updated_by),
    }


@router.get("care/birthdays", response={200: list[ReminderOut], **_READ})
def birthday_list(request: HttpRequest, params: Query[WindowParams]) -> list[dict[str, Any]]:
    """Birthdays of the customers (and their contacts) the caller sees, in the next N days
    (across the end of the year), soonest first."""
    actor = require_actor(request, VIEW_CARE)
    return [_reminder(r) for r in selectors.birthdays(actor=actor, days=params.days)]


@router.get("care/anniversaries", response={200: list[ReminderOut], **_READ})
def anniversary_list(request: HttpRequest, params: Query[WindowParams]) -> list[dict[str, Any]]:
    """Anniversaries of the deal (成交周年) in the next N days, soonest first."""
    actor = require_actor(request, VIEW_CARE)
    return [_reminder(r) for r in selectors.anniversaries(actor=actor, days=params.days)]


@router.put("customers/{int:customer_id}/birthday", response={200: BirthdayOut, **_WRITE})
def birthday_set(request: HttpRequest, customer_id: PathId, payload: BirthdayInput) -> Any:
    """Set the birthday of a customer the caller may edit, or of one of its contacts."""
    actor = require_actor(request, CHANGE_CUSTOMER)
    b = caring.birthday_set(actor=actor, customer_id=customer_id, data=payload.model_dump())
    return {
        "id": b.pk,
        "customer": b.customer_id,
        "contact": b.contact_id,
        "month": b.month,
        "day": b.day,
        "year": b.year,
    }


@router.get("care-campaigns", response={200: list[CampaignOut], **_READ})
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = require_actor(request, VIEW_CARE)
    return [_campaign(c) for c in selectors.campaign_list(actor=actor)]


@router.post("care-campaigns", response={201: CampaignOut, **_WRITE})
def campaign_start(request: HttpRequest, payload: CampaignInput) -> Status[Any]:
    """Start a care campaign to the customers of a list filter or a saved view, as the caller
    sees the list now."""
    actor = require_actor(request, MANAGE_CAMPAIGN)
    return Status(201, _campaign(caring.campaign_start(actor=actor, data=payload.model_dump())))


@router.get("care-campaigns/{int:campaign_id}", response={200: CampaignDetailOut, **_READ})
def campaign_get(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, VIEW_CARE)
    campaign, _rows = selectors.targets(actor=actor, campaign_id=campaign_id)
    counts = selectors.campaign_counts(actor=actor, campaign=campaign)
    return {**_campaign(campaign), "counts": counts}


@router.get("care-campaigns/{int:campaign_id}/targets", response={200: list[TargetOut], **_READ})
def target_list(
    request: HttpRequest, campaign_id: PathId, params: Query[TargetParams]
) -> list[dict[str, Any]]:
    """The campaign's customers the caller works (a rep: their own), 1,000 at most."""
    actor = require_actor(request, VIEW_CARE)
    _campaign_row, rows = selectors.targets(
        actor=actor, campaign_id=campaign_id, state=params.state
    )
    return [_target(t) for t in rows[:1000]]


@router.put(
    "care-campaigns/{int:campaign_id}/targets/{int:target_id}",
    response={200: TargetOut, **_WRITE},
)
def target_record(
    request: HttpRequest, campaign_id: PathId, target_id: PathId, payload: TargetInput
) -> dict[str, Any]:
    """What came of one customer: contacted, responded, declined, a note."""
    actor = require_actor(request, RECORD_CARE)
    target = caring.target_record(
        actor=actor, campaign_id=campaign_id, target_id=target_id, data=payload.model_dump()
    )
    return _target(target)


@router.post("care-campaigns/{int:campaign_id}/close", response={200: CampaignOut, **_WRITE})
def campaign_close(request: HttpRequest, campaign_id: PathId) -> dict[str, Any]:
    actor = require_actor(request, MANAGE_CAMPAIGN)
    return _campaign(caring.campaign_close(actor=actor, campaign_id=campaign_id))
