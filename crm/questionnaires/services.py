"""Writes of the forms (调查表): building a form, publishing it, filling it on a customer.

Versions: what a form asks lives in its versions. The builder edits the form's draft; when the
latest version is published, the first edit copies it into a new draft (``_draft``), so that
the responses to the published version keep the questions they answered. Publishing the draft
makes it the version filled from then on and the former one ``retired`` (its responses stay).

Filling: ``questionnaires.fill_form`` and the customer within the actor's ``change_customer``
scope (a rep fills the forms of the customers they may edit); the answers are checked against
the published version's questions (``answers.clean_answers``). One response per customer per
version: filling again the same version replaces its answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_CUSTOMER, FILL_FORM, MANAGE_FORM
from crm.core.errors import Invalid, NotFound, StateConflict
from crm.core.inputs import validate
from crm.core.permissions import require, restrict
from crm.customers.models import Customer
from crm.governance import audit

from .answers import clean_answers
from .inputs import FormInput, QuestionInput, SectionInput
from .models import (
    CHOICE_KINDS,
    Answer,
    FormVersion,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Section,
    VersionState,
)

DEFAULT_SECTION = gettext_noop("基本信息")


def _form(actor: User, form_id: int, *, lock: bool = False) -> Questionnaire:
    require(actor, MANAGE_FORM)
    qs = restrict(Questionnaire.objects.all(), actor, MANAGE_FORM)
    if lock:
        qs = qs.select_for_update()
    form = qs.filter(pk=form_id).first()
    if form is None:
        raise NotFound()
    return form


def latest_version(form: Questionnaire) -> FormVersion | None:
    return form.versions.order_by("-number").first()


def _copy(version: FormVersion, number: int) -> FormVersion:
    """A new draft with the sections and questions of ``version`` (keeping their keys)."""
    draft = FormVersion.objects.create(form=version.form, number=number)
    mapping: dict[int, Section] = {}
    sections = list(version.sections.order_by("position", "id"))
    for s in sections:
        mapping[s.pk] = Section.objects.create(
            version=draft, title=s.title, key=s.key, position=s.position
        )
    questions = list(version.questions.order_by("section__position", "position", "id"))
    for q in questions:
        Question.objects.create(
            version=draft,
            section=mapping[q.section_id],
            key=q.key,
            position=q.position,
            kind=q.kind,
            label=q.label,
            help=q.help,
            required=q.required,
            choices=list(q.choices),
            max_ranks=q.max_ranks,
            columns=list(q.columns),
        )
    return draft


def _draft(form: Questionnaire) -> FormVersion:
    """The version the builder edits: the draft, or a new one copied from the latest."""
    latest = latest_version(form)
    if latest is None:
        return FormVersion.objects.create(form=form, number=1)
    if latest.state == VersionState.DRAFT:
        return latest
    return _copy(latest, latest.number + 1)


def _section(form: Questionnaire, section_id: int) -> tuple[FormVersion, Section]:
    found = Section.objects.filter(pk=section_id, version__form=form).first()
    if found is None:
        raise NotFound()
    draft = _draft(form)
    if found.version_id == draft.pk:
        return draft, found
    copy = draft.sections.filter(key=found.key).first()
    if copy is None:
        raise StateConflict(_("这个分组已在草稿中删除"))
    return draft, copy


def _question(form: Questionnaire, question_id: int) -> tuple[FormVersion, Question]:
    found = Question.objects.filter(pk=question_id, version__form=form).first()
    if found is None:
        raise NotFound()
    draft = _draft(form)
    if found.version_id == draft.pk:
        return draft, found
    copy = draft.questions.filter(key=found.key).first()
    if copy is None:
        raise StateConflict(_("这道题已在草稿中删除"))
    return draft, copy


def _touched(actor: User, form: Questionnaire, draft: FormVersion, what: str) -> None:
    form.save(update_fields=["updated_at"])
    audit.record(
        actor=actor,
        verb="questionnaire.edited",
        obj=form,
        details={"version": draft.number, "change": what},
    )


# --- the form ---------------------------------------------------------------------------------


@transaction.atomic
def form_create(*, actor: User, data: Mapping[str, Any], template: str = "") -> Questionnaire:
    """A new form with an empty draft (one section to put the first questions in)."""
    require(actor, MANAGE_FORM)
    cleaned = validate(FormInput, data)
    cleaned["applies_to"] = list(dict.fromkeys(cleaned.get("applies_to", [])))
    form = Questionnaire.objects.create(created_by=actor, template=template, **cleaned)
    version = FormVersion.objects.create(form=form, number=1)
    Section.objects.create(version=version, title=_(DEFAULT_SECTION), position=1)
    audit.record(actor=actor, verb="questionnaire.created", obj=form, after=_plain(form))
    return form


def _plain(form: Questionnaire) -> dict[str, Any]:
    return {
        "name": form.name,
        "description": form.description,
        "applies_to": list(form.applies_to),
        "event": form.event,
    }


@transaction.atomic
def form_update(*, actor: User, form_id: int, data: Mapping[str, Any]) -> Questionnaire:
    """The form's name, description, categories and event (not versioned: they say whom the
    form is for, not what it asks)."""
    form = _form(actor, form_id, lock=True)
    before = _plain(form)
    merged = {**before, **validate(FormInput, {**before, **data})}
    merged["applies_to"] = list(dict.fromkeys(merged["applies_to"]))
    for key, value in merged.items():
        setattr(form, key, value)
    form.save(update_fields=[*merged, "updated_at"])
    audit.record(
        actor=actor, verb="questionnaire.updated", obj=form, before=before, after=_plain(form)
    )
    return form


@transaction.atomic
def form_publish(*, actor: User, form_id: int) -> FormVersion:
    """Publish the draft: filled from now on; the former published version retires."""
    form = _form(actor, form_id, lock=True)
    latest = latest_version(form)
    if latest is None or latest.state != VersionState.DRAFT:
        raise StateConflict(_("没有待发布的修改"))
    if not latest.questions.exists():
        raise StateConflict(_("表单还没有题目，不能发布"))
    form.versions.filter(state=VersionState.PUBLISHED).update(state=VersionState.RETIRED)
    latest.state = VersionState.PUBLISHED
    latest.published_at = timezone.now()
    latest.save(update_fields=["state", "published_at"])
    form.save(update_fields=["updated_at"])
    audit.record(
        actor=actor, verb="questionnaire.published", obj=form, details={"version": latest.number}
    )
    return latest


# --- sections ---------------------------------------------------------------------------------


@transaction.atomic
def section_add(*, actor: User, form_id: int, data: Mapping[str, Any]) -> Section:
    form = _form(actor, form_id, lock=True)
    cleaned = validate(SectionInput, data)
    draft = _draft(form)
    last = draft.sections.aggregate(m=Max("position"))["m"] or 0
    section = Section.objects.create(version=draft, title=cleaned["title"], position=last + 1)
    _touched(actor, form, draft, f"section+ {section.title}")
    return section


@transaction.atomic
def section_update(
    *, actor: User, form_id: int, section_id: int, data: Mapping[str, Any]
) -> Section:
    form = _form(actor, form_id, lock=True)
    cleaned = validate(SectionInput, data)
    draft, section = _section(form, section_id)
    section.title = cleaned["title"]
    section.save(update_fields=["title"])
    _touched(actor, form, draft, f"section~ {section.title}")
    return section


@transaction.atomic
def section_delete(*, actor: User, form_id: int, section_id: int) -> None:
    form = _form(actor, form_id, lock=True)
    draft, section = _section(form, section_id)
    if draft.sections.count() == 1:
        raise StateConflict(_("表单至少要有一个分组"))
    if section.questions.exists():
        raise StateConflict(_("请先删除或移走这个分组的题目"))
    section.delete()
    _touched(actor, form, draft, f"section- {section.title}")


def _swap(rows: list[Any], index: int, step: int) -> None:
    other = index + step
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for n, row in enumerate(rows, 1):
        if row.position != n:
            row.position = n
            row.save(update_fields=["position"])


@transaction.atomic
def section_move(*, actor: User, form_id: int, section_id: int, up: bool) -> Section:
    form = _form(actor, form_id, lock=True)
    draft, section = _section(form, section_id)
    rows = list(draft.sections.order_by("position", "id"))
    _swap(rows, [s.pk for s in rows].index(section.pk), -1 if up else 1)
    _touched(actor, form, draft, f"section^ {section.title}")
    return section


# --- questions --------------------------------------------------------------------------------


def _question_rules(cleaned: dict[str, Any]) -> dict[str, Any]:
    """What spans the fields of a question: options for a choice, their count against the most
    ranks, columns for a table; what a type does not use is dropped."""
    kind = cleaned["kind"]
    errors: dict[str, str] = {}
    choices = list(cleaned.get("choices") or [])
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors["choices"] = _("请至少填写两个选项")
        elif len(set(choices)) != len(choices):
            errors["choices"] = _("选项不能重复")
    else:
        choices = []
    ranks = cleaned.get("max_ranks")
    if kind == QuestionKind.RANKED:
        ranks = ranks or min(3, len(choices))
        if choices and ranks > len(choices):
            errors["max_ranks"] = _("最多排序项数不能超过选项数")
    else:
        ranks = None
    columns = list(cleaned.get("columns") or [])
    if kind == QuestionKind.TABLE:
        if not columns:
            errors["columns"] = _("请填写表格的列")
        elif len(set(columns)) != len(columns):
            errors["columns"] = _("列名不能重复")
    else:
        columns = []
    if errors:
        raise Invalid(fields=errors)
    return {**cleaned, "choices": choices, "max_ranks": ranks, "columns": columns}


def _target_section(draft: FormVersion, section_id: int | None) -> Section:
    if section_id is None:
        last = draft.sections.order_by("-position", "-id").first()
        if last is None:
            return Section.objects.create(version=draft, title=_(DEFAULT_SECTION), position=1)
        return last
    found = draft.sections.filter(pk=section_id).first()
    if found is None:
        old = Section.objects.filter(pk=section_id, version__form=draft.form).first()
        found = draft.sections.filter(key=old.key).first() if old else None
    if found is None:
        raise Invalid(fields={"section": _("分组不存在")})
    return found


@transaction.atomic
def question_add(*, actor: User, form_id: int, data: Mapping[str, Any]) -> Question:
    form = _form(actor, form_id, lock=True)
    cleaned = _question_rules(validate(QuestionInput, data))
    if (
        cleaned.get("section") is not None
        and not Section.objects.filter(pk=cleaned["section"], version__form=form).exists()
    ):
        raise Invalid(fields={"section": _("分组不存在")})
    draft = _draft(form)
    section = _target_section(draft, cleaned.pop("section", None))
    last = section.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question.objects.create(version=draft, section=section, position=last + 1, **cleaned)
    _touched(actor, form, draft, f"question+ {question.label}")
    return question


@transaction.atomic
def question_update(
    *, actor: User, form_id: int, question_id: int, data: Mapping[str, Any]
) -> Question:
    form = _form(actor, form_id, lock=True)
    draft, question = _question(form, question_id)
    current = {
        "section": question.section_id,
        "kind": question.kind,
        "label": question.label,
        "help": question.help,
        "required": question.required,
        "choices": list(question.choices),
        "max_ranks": question.max_ranks,
        "columns": list(question.columns),
    }
    given = dict(data)
    if given.get("section") is not None:
        wanted = Section.objects.filter(pk=given["section"], version__form=form).first()
        if wanted is None:
            raise Invalid(fields={"section": _("分组不存在")})
        if wanted.version_id != draft.pk:
            wanted = draft.sections.filter(key=wanted.key).first()
        if wanted is None:
            raise Invalid(fields={"section": _("分组不存在")})
        given["section"] = wanted.pk
    cleaned = _question_rules(validate(QuestionInput, {**current, **given}))
    section_id = cleaned.pop("section")
    if section_id != question.section_id:
        question.section = draft.sections.get(pk=section_id)
        question.position = (question.section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    for key, value in cleaned.items():
        setattr(question, key, value)
    question.save()
    _touched(actor, form, draft, f"question~ {question.label}")
    return question


@transaction.atomic
def question_delete(*, actor: User, form_id: int, question_id: int) -> None:
    form = _form(actor, form_id, lock=True)
    draft, question = _question(form, question_id)
    label = question.label
    question.delete()
    _touched(actor, form, draft, f"question- {label}")


@transaction.atomic
def question_move(*, actor: User, form_id: int, question_id: int, up: bool) -> Question:
    form = _form(actor, form_id, lock=True)
    draft, question = _question(form, question_id)
    rows = list(question.section.questions.order_by("position", "id"))
    _swap(rows, [q.pk for q in rows].index(question.pk), -1 if up else 1)
    _touched(actor, form, draft, f"question^ {question.label}")
    return question


# --- responses --------------------------------------------------------------------------------


def published(form: Questionnaire) -> FormVersion | None:
    return form.versions.filter(state=VersionState.PUBLISHED).order_by("-number").first()


def applies(form: Questionnaire, customer: Customer) -> bool:
    return not form.applies_to or customer.category in form.applies_to


def _answer_rows(response: Response, values: Mapping[int, Any]) -> list[Answer]:
    return [
        Answer(
            response=response,
            question_id=qid,
            position=position,
            text=text,
            number=number,
            rows=rows,
        )
        for qid, value in values.items()
        for position, text, number, rows in value.rows
    ]


@transaction.atomic
def response_submit(
    *, actor: User, form_id: int, customer_id: int, answers: Mapping[str, Any]
) -> Response:
    """Fill the form's published version on a customer the actor may edit (again: replaces the
    answers of that version)."""
    require(actor, FILL_FORM)
    form = restrict(Questionnaire.objects.all(), actor, FILL_FORM).filter(pk=form_id).first()
    customer = (
        restrict(Customer.objects.alive(), actor, CHANGE_CUSTOMER)
        .select_for_update()
        .filter(pk=customer_id)
        .first()
    )
    if form is None or customer is None:
        raise NotFound()
    version = published(form)
    if version is None:
        raise StateConflict(_("表单尚未发布，不能填写"))
    if not applies(form, customer):
        raise StateConflict(_("此表单不适用于该类别的客户"))
    questions = list(version.questions.all())
    values, errors = clean_answers(questions, {str(k): v for k, v in answers.items()})
    if errors:
        raise Invalid(fields=errors)
    response, created = Response.objects.get_or_create(
        customer=customer, version=version, defaults={"form": form, "filled_by": actor}
    )
    if not created:
        response.answers.all().delete()
        response.filled_by = actor
        response.save(update_fields=["filled_by", "updated_at"])
    Answer.objects.bulk_create(_answer_rows(response, values))
    audit.record(
        actor=actor,
        verb="questionnaire.answered",
        obj=customer,
        details={"form": form.pk, "version": version.number, "response": response.pk},
    )
    return response


def published_form(*, template: str) -> Questionnaire:
    """The form installed from a template (the benchmark's and the demo's way to find it)."""
    return Questionnaire.objects.get(template=template)
