"""Configurable forms (调查表, crm.questionnaires): the forms and their versions, building one
(managers: ``questionnaires.manage_form``), filling one on a customer (``fill_form``, on the
customers the caller may edit), a customer's response and a form's analysis. Thin adapters."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from crm.accounts.roles import FILL_FORM, MANAGE_FORM
from crm.core.errors import NotFound
from crm.core.inputs import partial
from crm.questionnaires import selectors, services
from crm.questionnaires.inputs import FormInput, QuestionInput, SectionInput
from crm.questionnaires.models import FormVersion, Question, Questionnaire, Response

from .schemas import ErrorOut, NoNulIn, Out, PathId, QueryId, RefOut
from .security import require_actor

router = Router(tags=["questionnaires"])

_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_WRITE: dict[int, Any] = {**_READ, 409: ErrorOut, 400: ErrorOut}

if TYPE_CHECKING:
    FormPatch = FormInput
    QuestionPatch = QuestionInput
else:
    FormPatch = partial(FormInput, name="QuestionnairePatch", doc="Some fields of a form.")
    QuestionPatch = partial(
        QuestionInput,
        name="QuestionPatch",
        doc="Some fields of a question. Editing a published form starts a new draft version.",
    )


class QuestionOut(Out):
    id: int
    section: int
    position: int
    kind: str
    label: str
    help: str
    required: bool
    choices: list[str]
    max_ranks: int | None
    columns: list[str]


class SectionOut(Out):
    id: int
    title: str
    position: int
    questions: list[QuestionOut]


class VersionOut(Out):
    number: int
    state: str = Field(description="draft 草稿 / published 已发布 / retired 旧版本")
    published_at: dt.datetime | None
    sections: list[SectionOut]


class QuestionnaireOut(Out):
    id: int
    name: str
    description: str
    applies_to: list[str] = Field(description="适用的客户类别（空：全部）")
    event: str
    template: str = Field(description="安装自的行业模板（空：手工建立）")
    published_version: int | None = Field(description="正在填写的版本号")
    latest_version: int | None
    updated_at: dt.datetime


class QuestionnaireDetailOut(QuestionnaireOut):
    version: VersionOut | None = Field(description="所请求的版本（默认：已发布的版本）")


class ResponseIn(NoNulIn):
    answers: dict[str, Any] = Field(
        description="题目 id → 答案：文本、数字、YYYY-MM-DD、选项、选项列表（排序题按第一、"
        "第二…顺序）、true/false、表格行列表 [{列名: 值}]"
    )


class ResponseOut(Out):
    id: int
    form: int
    version: int
    customer: RefOut
    filled_by: RefOut | None
    created_at: dt.datetime
    updated_at: dt.datetime
    answers: dict[str, Any]


_AXIS = r"^(q[0-9]{1,18}|field:[a-z_]{1,30})?$"
_NUMBER = r"^(-?[0-9]{1,12}(\.[0-9]{1,4})?)?$"


def _decimal(text: str) -> decimal.Decimal | None:
    return decimal.Decimal(text) if text else None


class VersionParams(NoNulIn):
    version: QueryId = Field(None, description="版本号（默认：已发布的版本）")


class AnalysisParams(VersionParams):
    rows: str = Field("", pattern=_AXIS, description="交叉分析的行：q<题目id> 或 field:<客户字段>")
    columns: str = Field("", pattern=_AXIS, description="交叉分析的列")


class ResponseParams(VersionParams):
    question: QueryId = Field(None, description="按此题的答案筛选")
    value: str = Field("", max_length=100, description="答案（选项或文字片段）")
    low: str = Field("", pattern=_NUMBER, description="数字题的下限")
    high: str = Field("", pattern=_NUMBER, description="数字题的上限")


class RowOut(Out):
    label: str
    count: int
    ranks: list[int] = Field(description="排序题：选为第一、第二、第三…的人数")
    score: int = Field(description="排序题加权分（三项时第一=3、第二=2、第三=1）")


class QuestionStatsOut(Out):
    question: int
    label: str
    kind: str
    answered: int
    rows: list[RowOut]
    summary: dict[str, Any]
    samples: list[str]


class CrossTabOut(Out):
    rows: str
    columns: str
    column_labels: list[str]
    cells: list[dict[str, Any]]
    column_totals: list[int]
    total: int


class AnalysisOut(Out):
    version: int
    total: int
    questions: list[QuestionStatsOut]
    crosstab: CrossTabOut | None


def _question(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "section": q.section_id,
        "position": q.position,
        "kind": q.kind,
        "label": q.label,
        "help": q.help,
        "required": q.required,
        "choices": list(q.choices),
        "max_ranks": q.max_ranks,
        "columns": list(q.columns),
    }


def _version(v: FormVersion | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "number": v.number,
        "state": v.state,
        "published_at": v.published_at,
        "sections": [
            {
                "id": s.section.pk,
                "title": s.section.title,
                "position": s.section.position,
                "questions": [_question(q) for q in s.questions],
            }
            for s in selectors.layout(v)
        ],
    }


def _form(f: Questionnaire) -> dict[str, Any]:
    current = services.published(f)
    latest = services.latest_version(f)
    return {
        "id": f.pk,
        "name": f.name,
        "description": f.description,
        "applies_to": list(f.applies_to),
        "event": f.event,
        "template": f.template,
        "published_version": current.number if current else None,
        "latest_version": latest.number if latest else None,
        "updated_at": f.updated_at,
    }


def _detail(f: Questionnaire, number: int | None = None) -> dict[str, Any]:
    version = selectors.version_get(form=f, number=number)
    if number is not None and version is None:
        raise NotFound()
    return {**_form(f), "version": _version(version)}


def _response(r: Response, values: dict[int, Any] | None = None) -> dict[str, Any]:
    if values is None:
        values = selectors.response_values(r)
    return {
        "id": r.pk,
        "form": r.form_id,
        "version": r.version.number,
        "customer": {"id": r.customer_id, "name": r.customer.name},
        "filled_by": (
            {"id": r.filled_by_id, "name": r.filled_by.display_name} if r.filled_by else None
        ),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "answers": {str(k): v for k, v in values.items()},
    }


@router.get("questionnaires", response={200: list[QuestionnaireOut], **_READ})
def form_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The company's forms."""
    actor = require_actor(request, FILL_FORM)
    return [_form(f) for f in selectors.form_list(actor=actor)]


@router.post("questionnaires", response={201: QuestionnaireDetailOut, **_WRITE})
def form_create(request: HttpRequest, payload: FormInput) -> Status[Any]:
    """A new form, with a draft version holding one section."""
    actor = require_actor(request, MANAGE_FORM)
    return Status(201, _detail(services.form_create(actor=actor, data=payload.model_dump())))


@router.get("questionnaires/{int:form_id}", response={200: QuestionnaireDetailOut, **_READ})
def form_get(request: HttpRequest, form_id: PathId, params: Query[VersionParams]) -> dict[str, Any]:
    """A form with the sections and questions of a version (default: the published one)."""
    actor = require_actor(request, FILL_FORM)
    return _detail(selectors.form_get(actor=actor, form_id=form_id), params.version)


@router.patch("questionnaires/{int:form_id}", response={200: QuestionnaireDetailOut, **_WRITE})
def form_update(request: HttpRequest, form_id: PathId, payload: FormPatch) -> dict[str, Any]:
    """The form's name, description, customer categories and event."""
    actor = require_actor(request, MANAGE_FORM)
    data = payload.model_dump(exclude_unset=True)
    return _detail(services.form_update(actor=actor, form_id=form_id, data=data))


@router.post(
    "questionnaires/{int:form_id}/sections", response={201: QuestionnaireDetailOut, **_WRITE}
)
def section_add(request: HttpRequest, form_id: PathId, payload: SectionInput) -> Status[Any]:
    """A section at the end of the draft (editing a published form starts a new version)."""
    actor = require_actor(request, MANAGE_FORM)
    section = services.section_add(actor=actor, form_id=form_id, data=payload.model_dump())
    return Status(201, _detail(section.version.form, section.version.number))


@router.post("questionnaires/{int:form_id}/questions", response={201: QuestionOut, **_WRITE})
def question_add(request: HttpRequest, form_id: PathId, payload: QuestionInput) -> Status[Any]:
    """A question at the end of its section in the draft."""
    actor = require_actor(request, MANAGE_FORM)
    question = services.question_add(actor=actor, form_id=form_id, data=payload.model_dump())
    return Status(201, _question(question))


@router.patch(
    "questionnaires/{int:form_id}/questions/{int:question_id}",
    response={200: QuestionOut, **_WRITE},
)
def question_update(
    request: HttpRequest, form_id: PathId, question_id: PathId, payload: QuestionPatch
) -> dict[str, Any]:
    """Some fields of a question (of a published version: its copy in the new draft)."""
    actor = require_actor(request, MANAGE_FORM)
    data = payload.model_dump(exclude_unset=True)
    return _question(
        services.question_update(actor=actor, form_id=form_id, question_id=question_id, data=data)
    )


@router.delete(
    "questionnaires/{int:form_id}/questions/{int:question_id}", response={204: None, **_WRITE}
)
def question_delete(request: HttpRequest, form_id: PathId, question_id: PathId) -> Status[None]:
    """Remove a question from the draft (a published version keeps it)."""
    actor = require_actor(request, MANAGE_FORM)
    services.question_delete(actor=actor, form_id=form_id, question_id=question_id)
    return Status(204, None)


@router.post(
    "questionnaires/{int:form_id}/publish", response={200: QuestionnaireDetailOut, **_WRITE}
)
def form_publish(request: HttpRequest, form_id: PathId) -> dict[str, Any]:
    """Publish the draft: filled from now on; answers to the former version keep it (409
    without changes to publish)."""
    actor = require_actor(request, MANAGE_FORM)
    version = services.form_publish(actor=actor, form_id=form_id)
    return _detail(version.form)


@router.get("questionnaires/{int:form_id}/responses", response={200: list[ResponseOut], **_READ})
def response_list(
    request: HttpRequest, form_id: PathId, params: Query[ResponseParams]
) -> list[dict[str, Any]]:
    """Responses to a version of the customers the caller reads, newest first (200 at most),
    filtered by an answer."""
    actor = require_actor(request, FILL_FORM)
    form = selectors.form_get(actor=actor, form_id=form_id)
    version = selectors.version_get(form=form, number=params.version)
    if version is None:
        raise NotFound()
    filters = selectors.AnswerFilter(
        question=params.question,
        value=params.value,
        low=_decimal(params.low),
        high=_decimal(params.high),
    )
    found = selectors.response_list(actor=actor, version=version, filters=filters)
    values = selectors.responses_values(found)
    return [_response(r, values[r.pk]) for r in found]


@router.get("questionnaires/{int:form_id}/analysis", response={200: AnalysisOut, **_READ})
def form_analysis(
    request: HttpRequest, form_id: PathId, params: Query[AnalysisParams]
) -> dict[str, Any]:
    """Per question: answers per option (ranked: per rank and weighted), number bands, months;
    with ``rows`` and ``columns``, their cross-tab. Only the customers the caller reads."""
    actor = require_actor(request, FILL_FORM)
    form = selectors.form_get(actor=actor, form_id=form_id)
    version = selectors.version_get(form=form, number=params.version)
    if version is None:
        raise NotFound()
    result = selectors.form_analysis(actor=actor, version=version)
    table = None
    if params.rows and params.columns:
        t = selectors.form_crosstab(
            actor=actor, version=version, rows=params.rows, columns=params.columns
        )
        table = {
            "rows": t.rows.name,
            "columns": t.columns.name,
            "column_labels": t.columns.order,
            "cells": [{"label": lbl, "counts": c, "total": n} for lbl, c, n in t.cells],
            "column_totals": t.column_totals,
            "total": t.total,
        }
    return {
        "version": version.number,
        "total": result["total"],
        "questions": [
            {
                "question": s.question.pk,
                "label": s.question.label,
                "kind": s.question.kind,
                "answered": s.answered,
                "rows": [
                    {"label": r.label, "count": r.count, "ranks": r.ranks, "score": r.score}
                    for r in s.rows
                ],
                "summary": {k: _plain(v) for k, v in s.summary.items()},
                "samples": s.samples,
            }
            for s in result["questions"]
        ],
        "crosstab": table,
    }


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, decimal.Decimal) else value


@router.put(
    "customers/{int:customer_id}/questionnaires/{int:form_id}",
    response={200: ResponseOut, **_WRITE},
)
def response_submit(
    request: HttpRequest, customer_id: PathId, form_id: PathId, payload: ResponseIn
) -> dict[str, Any]:
    """Fill the form's published version on a customer the caller may edit (again: replaces
    that version's answers)."""
    actor = require_actor(request, FILL_FORM)
    response = services.response_submit(
        actor=actor, form_id=form_id, customer_id=customer_id, answers=payload.answers
    )
    return _response(selectors.response_get(actor=actor, response_id=response.pk))


@router.get(
    "customers/{int:customer_id}/questionnaires/{int:form_id}",
    response={200: list[ResponseOut], **_READ},
)
def response_get(
    request: HttpRequest, customer_id: PathId, form_id: PathId
) -> list[dict[str, Any]]:
    """A customer's responses to a form, newest version first (older versions keep theirs)."""
    actor = require_actor(request, FILL_FORM)
    found = selectors.customer_responses(actor=actor, customer_id=customer_id, form_id=form_id)
    values = selectors.responses_values(found)
    return [_response(r, values[r.pk]) for r in found]
