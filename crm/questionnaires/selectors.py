"""Reads of the forms, through ``restrict()``: the forms (``fill_form``), a form's versions with
their sections and questions, the responses of the customers the actor reads
(``view_customer``), the forms a customer's page offers."""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_CUSTOMER, FILL_FORM, VIEW_CUSTOMER
from crm.core.errors import Invalid, NotFound
from crm.core.permissions import allows, require, restrict
from crm.customers.models import Customer

from .answers import display
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
from .services import applies, latest_version, published


def form_list(*, actor: User) -> list[Questionnaire]:
    qs = restrict(Questionnaire.objects.all(), actor, FILL_FORM)
    return list(
        qs.annotate(
            version_count=Count("versions", distinct=True),
        ).order_by("name", "id")
    )


def form_get(*, actor: User, form_id: int) -> Questionnaire:
    require(actor, FILL_FORM)
    form = restrict(Questionnaire.objects.all(), actor, FILL_FORM).filter(pk=form_id).first()
    if form is None:
        raise NotFound()
    return form


def version_get(*, form: Questionnaire, number: int | None = None) -> FormVersion | None:
    """A version by number; None: the published one (else the latest)."""
    if number is not None:
        return form.versions.filter(number=number).first()
    return published(form) or latest_version(form)


@dataclass
class SectionView:
    section: Section
    questions: list[Question] = field(default_factory=list)


def layout(version: FormVersion) -> list[SectionView]:
    """A version's sections in order, each with its questions in order."""
    sections = version.sections.order_by("position", "id").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "id"))
    )
    return [SectionView(s, list(s.questions.all())) for s in sections]


def questions(version: FormVersion) -> list[Question]:
    return [q for s in layout(version) for q in s.questions]


def responses_in_scope(*, actor: User, version: FormVersion) -> QuerySet[Response]:
    """The responses to ``version`` of customers the actor reads (alive)."""
    return restrict(
        Response.objects.filter(version=version, customer__deleted_at__isnull=True),
        actor,
        VIEW_CUSTOMER,
    )


@dataclass(frozen=True)
class AnswerFilter:
    """The responses list's filter: a question and a value (an option, words of a text, a
    number range)."""

    question: int | None = None
    value: str = ""
    low: decimal.Decimal | None = None
    high: decimal.Decimal | None = None


def filter_by_answer(qs: QuerySet[Response], f: AnswerFilter) -> QuerySet[Response]:
    """The responses whose answer to ``f.question`` is the option ``f.value`` (a choice: "1个"
    is not "1个及以上"), contains it (a text), or lies within ``low``…``high`` (a number)."""
    if f.question is None:
        return qs
    answers = Answer.objects.filter(question_id=f.question)
    if f.value:
        kind = Question.objects.filter(pk=f.question).values_list("kind", flat=True).first()
        exact = kind in (*CHOICE_KINDS, QuestionKind.YESNO, QuestionKind.DATE)
        answers = answers.filter(text=f.value) if exact else answers.filter(text__icontains=f.value)
    if f.low is not None:
        answers = answers.filter(number__gte=f.low)
    if f.high is not None:
        answers = answers.filter(number__lte=f.high)
    return qs.filter(pk__in=answers.values("response_id"))


def response_list(
    *,
    actor: User,
    version: FormVersion,
    filters: AnswerFilter = AnswerFilter(),
    limit: int = 200,
) -> list[Response]:
    qs = filter_by_answer(responses_in_scope(actor=actor, version=version), filters)
    return list(qs.select_related("customer", "filled_by", "version").order_by("-id")[:limit])


def response_count(*, actor: User, version: FormVersion, filters: AnswerFilter) -> int:
    return filter_by_answer(responses_in_scope(actor=actor, version=version), filters).count()


def answer_texts(responses: list[Response], qs: list[Question]) -> dict[int, list[str]]:
    """Each response's answers as one line per question (in ``qs`` order)."""
    by_response: dict[int, dict[int, list[Answer]]] = defaultdict(lambda: defaultdict(list))
    for a in Answer.objects.filter(response__in=[r.pk for r in responses]).order_by(
        "question", "position"
    ):
        by_response[a.response_id][a.question_id].append(a)
    return {r.pk: [display(q, by_response[r.pk][q.pk]) for q in qs] for r in responses}


def response_get(*, actor: User, response_id: int) -> Response:
    require(actor, FILL_FORM)
    found = (
        restrict(Response.objects.filter(customer__deleted_at__isnull=True), actor, VIEW_CUSTOMER)
        .select_related("form", "version", "customer", "filled_by")
        .filter(pk=response_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@dataclass
class Filled:
    """A question and its answer as text (a response's page)."""

    question: Question
    text: str


def response_sections(response: Response) -> list[tuple[Section, list[Filled]]]:
    texts = answer_texts([response], questions(response.version))[response.pk]
    out: list[tuple[Section, list[Filled]]] = []
    n = 0
    for view in layout(response.version):
        items = []
        for q in view.questions:
            items.append(Filled(q, texts[n]))
            n += 1
        out.append((view.section, items))
    return out


def response_values(response: Response) -> dict[int, Any]:
    """A response's answers as the values a form is filled with (question id → value)."""
    return responses_values([response])[response.pk]


def responses_values(responses: list[Response]) -> dict[int, dict[int, Any]]:
    """Each response's answers as values (two queries for any number of responses)."""
    out: dict[int, dict[int, Any]] = {r.pk: {} for r in responses}
    versions = {r.version_id for r in responses}
    kinds = dict(Question.objects.filter(version__in=versions).values_list("pk", "kind"))
    answers = Answer.objects.filter(response__in=list(out)).order_by(
        "response", "question", "position"
    )
    for a in answers:
        values = out[a.response_id]
        kind = kinds.get(a.question_id)
        if kind in (QuestionKind.MULTIPLE, QuestionKind.RANKED):
            values.setdefault(a.question_id, []).append(a.text)
        elif kind == QuestionKind.NUMBER:
            values[a.question_id] = None if a.number is None else f"{a.number.normalize():f}"
        elif kind == QuestionKind.TABLE:
            values[a.question_id] = a.rows or []
        else:
            values[a.question_id] = a.text
    return out


@dataclass
class CustomerForm:
    form: Questionnaire
    version: FormVersion
    response: Response | None
    old: list[Response]
    may_fill: bool = False


def customer_forms(*, actor: User, customer: Customer) -> list[CustomerForm]:
    """The published forms that apply to the customer's category, with its response to the
    current version (if any) and to older versions: one query for the forms with their
    published versions, one for the customer's responses when there are forms."""
    if not allows(actor, VIEW_CUSTOMER, customer):
        return []
    forms = restrict(Questionnaire.objects.all(), actor, FILL_FORM)
    versions = list(
        FormVersion.objects.filter(state=VersionState.PUBLISHED, form__in=forms)
        .select_related("form")
        .order_by("form__name", "form_id", "-number")
    )
    if not versions:
        return []
    responses = list(
        Response.objects.filter(customer_id=customer.pk).select_related("version").order_by("-id")
    )
    out = []
    for version in versions:
        form = version.form
        mine = [r for r in responses if r.form_id == form.pk]
        if not applies(form, customer) and not mine:
            continue
        current = next((r for r in mine if r.version_id == version.pk), None)
        out.append(CustomerForm(form, version, current, [r for r in mine if r is not current]))
    return out


def customer_for_filling(*, actor: User, customer_id: int) -> Customer:
    require(actor, FILL_FORM)
    customer = (
        restrict(Customer.objects.alive(), actor, CHANGE_CUSTOMER).filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound()
    return customer


def current_response(*, customer: Customer, version: FormVersion) -> Response | None:
    return Response.objects.filter(customer=customer, version=version).first()


# --- analysis ---------------------------------------------------------------------------------


def form_analysis(*, actor: User, version: FormVersion) -> dict[str, Any]:
    """Every question's figures over the responses to ``version`` the actor reads."""
    from . import analysis

    return analysis.analysis(questions(version), responses_in_scope(actor=actor, version=version))


def crosstab_options(version: FormVersion) -> list[tuple[str, str]]:
    """What a cross-tab may cross: the version's crossable questions and customer fields."""
    from . import analysis

    found = [(f"q{q.pk}", q.label) for q in questions(version) if q.kind in analysis.CROSSABLE]
    return found + [(f"field:{c}", analysis.field_label(c)) for c in analysis.CUSTOMER_FIELDS]


def form_crosstab(*, actor: User, version: FormVersion, rows: str, columns: str) -> Any:
    """The cross-tab of two dimensions (``q<id>`` of the version, ``field:<code>``); Invalid
    for one that is neither."""
    from . import analysis

    responses = responses_in_scope(actor=actor, version=version)
    by_code = {f"q{q.pk}": q for q in questions(version) if q.kind in analysis.CROSSABLE}

    def dimension(code: str, name: str) -> analysis.Dimension:
        if code in by_code:
            return analysis.question_dimension(by_code[code], responses)
        field_code = code.removeprefix("field:")
        if code.startswith("field:") and field_code in analysis.CUSTOMER_FIELDS:
            return analysis.field_dimension(field_code, responses)
        raise Invalid(fields={name: gettext("不能用于交叉分析")})

    return analysis.crosstab(dimension(rows, "rows"), dimension(columns, "columns"))


def customer_responses(*, actor: User, customer_id: int, form_id: int) -> list[Response]:
    """A customer's responses to a form, newest version first (the customer must be readable)."""
    form = form_get(actor=actor, form_id=form_id)
    customer = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER).filter(pk=customer_id)
    found = customer.first()
    if found is None:
        raise NotFound()
    return list(
        Response.objects.filter(customer=found, form=form)
        .select_related("version", "customer", "filled_by")
        .order_by("-version__number")
    )


def question_get(*, form: Questionnaire, question_id: int) -> Question:
    found = (
        Question.objects.filter(pk=question_id, version__form=form)
        .select_related("version", "section")
        .first()
    )
    if found is None:
        raise NotFound()
    return found
