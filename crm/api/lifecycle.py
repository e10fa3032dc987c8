"""Categories and grades: transitions, defeat analyses, the grade table and the follow-up
settings. Thin adapters over crm.customers.lifecycle (transitions through crm.activities, so that
a deal schedules its callbacks and a defeat closes the open plans)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from crm.accounts.roles import CHANGE_CUSTOMER, CHANGE_GRADEPOLICY, COMMENT_DEFEAT, VIEW_CUSTOMER
from crm.customers import competitors, lifecycle
from crm.customers.choices import Grade
from crm.customers.models import GradePolicy
from crm.governance.models import ApprovalRequest

from . import presenters
from .schemas import ErrorOut, PathId, PendingOut
from .security import require_actor
from .workday_schemas import (
    CompetitorOut,
    DefeatCommentIn,
    DefeatOut,
    DefeatReasonOut,
    GradeSettingsIn,
    GradeSettingsOut,
    GradeSuggestionOut,
    GradeSuggestionParams,
    LifecycleSettingsIn,
    LifecycleSettingsOut,
    TransitionIn,
    TransitionOut,
)

router = Router(tags=["lifecycle"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut}
_BODY: dict[int, Any] = {**_WRITE, 400: ErrorOut}  # 400: not JSON


@router.post(
    "customers/{int:customer_id}/transition",
    response={200: TransitionOut, 202: PendingOut, **_BODY},
)
def transition(request: HttpRequest, customer_id: PathId, payload: TransitionIn) -> Status[Any]:
    """Change a customer's category or grade, as the regulations allow: potential or base →
    intention (``grade``), intention → retained (``deal_on``; callbacks are scheduled) or
    defeated (``defeat`` analysis), defeated → intention (``reason``), intention → intention
    (regrade). Anything else: 422. A stale ``version``: 409 ``conflict``.

    A rep's defeat, where the company asks for it (settings/lifecycle ``defeat_needs_approval``),
    is a 战败申请: 202 with the ``pending`` request, decided by the department's manager at
    ``POST /approvals/{id}/decide``; the customer is unchanged until then."""
    data = payload.model_dump()
    actor = require_actor(request, CHANGE_CUSTOMER)
    outcome = lifecycle.customer_transition(actor=actor, customer_id=customer_id, **data)
    if isinstance(outcome, ApprovalRequest):
        return Status(202, {"pending": presenters.approval_out(outcome)})
    return Status(200, presenters.transition_out(outcome, actor))


@router.post("defeats/{int:analysis_id}/comment", response={200: DefeatOut, **_BODY})
def defeat_comment(request: HttpRequest, analysis_id: PathId, payload: DefeatCommentIn) -> Any:
    """The manager's comment on a defeat analysis (战败客户分析表: 经理意见)."""
    analysis = lifecycle.defeat_comment(
        actor=require_actor(request, COMMENT_DEFEAT),
        analysis_id=analysis_id,
        comment=payload.comment,
    )
    return presenters.defeat_out(analysis)


@router.get("defeat-reasons", response={200: list[DefeatReasonOut], **_READ})
def defeat_reasons(request: HttpRequest) -> list[dict[str, Any]]:
    """The reasons a defeat analysis may give."""
    require_actor(request, VIEW_CUSTOMER)
    return [{"id": r.pk, "name": r.name} for r in lifecycle.defeat_reasons()]


@router.get("competitors", response={200: list[CompetitorOut], **_READ})
def competitor_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The competitors the company's defeat analyses have named, each brand with its models,
    in the spelling a new analysis is given (a brand typed otherwise is matched to it)."""
    require_actor(request, VIEW_CUSTOMER)
    return [
        {"brand": brand, "models": models}
        for brand, models in competitors.competitor_list().items()
    ]


@router.get("grade-suggestion", response={200: GradeSuggestionOut, **_READ})
def grade_suggestion(request: HttpRequest, params: Query[GradeSuggestionParams]) -> dict[str, str]:
    """The grade the company's table gives an expected purchase date (O with a deposit)."""
    require_actor(request, VIEW_CUSTOMER)
    grade = lifecycle.suggest_grade(
        expected_purchase_on=params.expected_purchase_on, deposit_paid=params.deposit_paid
    )
    return {"grade": grade, "label": str(Grade(grade).label)}


def _grades(policies: list[GradePolicy], recomputing: list[str]) -> dict[str, Any]:
    rows = [
        {
            "grade": p.grade,
            "label": str(Grade(p.grade).label),
            "description": p.description,
            "cadence_days": p.cadence_days,
            "deal_within_days": p.deal_within_days,
        }
        for p in policies
    ]
    return {"grades": rows, "recomputing": recomputing}


@router.get("settings/grades", response={200: GradeSettingsOut, **_READ})
def grade_settings(request: HttpRequest) -> dict[str, Any]:
    """The company's grade table: how often each grade is followed up."""
    require_actor(request, VIEW_CUSTOMER)
    return _grades(lifecycle.grade_policies(), [])


@router.put("settings/grades", response={200: GradeSettingsOut, **_BODY})
def grade_settings_update(request: HttpRequest, payload: GradeSettingsIn) -> dict[str, Any]:
    """Edit the grade table (managers and the general manager). Customers of a grade whose
    cadence changed get their next due date recomputed in the background (``recomputing``)."""
    changed = lifecycle.grade_policy_update(
        actor=require_actor(request, CHANGE_GRADEPOLICY),
        rows=[row.model_dump(exclude_unset=True) for row in payload.grades],
    )
    return _grades(lifecycle.grade_policies(), changed)


def _settings(obj: Any) -> dict[str, Any]:
    return {
        "missed_grace_hours": obj.missed_grace_hours,
        "callback_days": obj.callback_offsets,
        "defeat_needs_approval": obj.defeat_needs_approval,
    }


@router.get("settings/lifecycle", response={200: LifecycleSettingsOut, **_READ})
def lifecycle_settings(request: HttpRequest) -> dict[str, Any]:
    """Follow-up settings: the grace before a plan counts as missed, the callback days."""
    require_actor(request, VIEW_CUSTOMER)
    return _settings(lifecycle.lifecycle_settings())


@router.put("settings/lifecycle", response={200: LifecycleSettingsOut, **_BODY})
def lifecycle_settings_update(request: HttpRequest, payload: LifecycleSettingsIn) -> dict[str, Any]:
    """Change the follow-up settings (the general manager)."""
    obj = lifecycle.lifecycle_settings_update(
        actor=require_actor(request, CHANGE_GRADEPOLICY),
        missed_grace_hours=payload.missed_grace_hours,
        callback_days=payload.callback_days,
        defeat_needs_approval=payload.defeat_needs_approval,
    )
    return _settings(obj)
