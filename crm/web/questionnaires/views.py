"""The forms' pages (调查表): the list, the builder (settings, sections, questions, publish), the
filling on a customer, the responses with their filter and export, one response, the analysis,
and the industry templates. Thin: the rules are crm.questionnaires'."""

from __future__ import annotations

import decimal
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import EXPORT_REPORTS, FILL_FORM, MANAGE_FORM
from crm.core.errors import DomainError, Invalid
from crm.core.permissions import has_action
from crm.questionnaires import exports, installer, selectors, services
from crm.questionnaires.answers import NO, YES, rank_word
from crm.questionnaires.models import FormVersion, Question, QuestionKind, Questionnaire
from crm.web.base import CrmView, apply_domain_error, bad_request, form_error_status

from .forms import (
    TABLE_BLANK_ROWS,
    TABLE_MIN_ROWS,
    FormSettingsForm,
    QuestionForm,
    SectionForm,
    answers_from_post,
)


def _version(form: Questionnaire, request: HttpRequest) -> FormVersion | None:
    raw = request.GET.get("version", "")
    number = int(raw) if raw.isdigit() and len(raw) < 9 else None
    return selectors.version_get(form=form, number=number)


class FormListView(CrmView):
    """调查表: the company's forms; the managers create one here."""

    action = FILL_FORM
    template_name = "web/questionnaires/list.html"

    def page(self, form: FormSettingsForm | None = None, status: int = 200) -> HttpResponse:
        rows = [
            {
                "form": f,
                "published": services.published(f),
                "latest": services.latest_version(f),
            }
            for f in selectors.form_list(actor=self.actor)
        ]
        may_manage = has_action(self.actor, MANAGE_FORM)
        return self.render(
            {
                "rows": rows,
                "may_manage": may_manage,
                "create_form": form or (FormSettingsForm() if may_manage else None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FormSettingsForm(request.POST)
        if form.is_valid():
            try:
                created = services.form_create(actor=self.actor, data=form.cleaned_data)
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                return redirect("web:form_builder", created.pk)
        return self.page(form, status=form_error_status(form) or 422)


class FormBuilderView(CrmView):
    """The builder: the form's settings, the latest version's sections and questions, adding a
    section or a question, publishing the draft."""

    action = MANAGE_FORM
    template_name = "web/questionnaires/builder.html"

    def context(self, form: Questionnaire, **forms_: Any) -> dict[str, Any]:
        latest = services.latest_version(form)
        sections = selectors.layout(latest) if latest else []
        choices = [(s.section.pk, s.section.title) for s in sections]
        return {
            "f": form,
            "latest": latest,
            "published": services.published(form),
            "sections": sections,
            "settings_form": forms_.get("settings_form")
            or FormSettingsForm(
                initial={
                    "name": form.name,
                    "description": form.description,
                    "applies_to": form.applies_to,
                    "event": form.event,
                }
            ),
            "section_form": forms_.get("section_form") or SectionForm(),
            "question_form": forms_.get("question_form")
            or QuestionForm(
                sections=choices, initial={"section": choices[-1][0] if choices else None}
            ),
        }

    def form(self, form_id: int) -> Questionnaire:
        return selectors.form_get(actor=self.actor, form_id=form_id)

    def get(self, request: HttpRequest, form_id: int) -> HttpResponse:
        return self.render(self.context(self.form(form_id)))

    def post(self, request: HttpRequest, form_id: int) -> HttpResponseBase:
        form = self.form(form_id)
        do = request.POST.get("do", "")
        latest = services.latest_version(form)
        sections = selectors.layout(latest) if latest else []
        handlers = {
            "settings": (FormSettingsForm(request.POST), "settings_form", services.form_update),
            "section": (SectionForm(request.POST), "section_form", services.section_add),
            "question": (
                QuestionForm(
                    request.POST, sections=[(s.section.pk, s.section.title) for s in sections]
                ),
                "question_form",
                services.question_add,
            ),
        }
        if do == "publish":
            try:
                version = services.form_publish(actor=self.actor, form_id=form.pk)
            except DomainError as exc:
                messages.error(request, exc.first_message)
            else:
                messages.success(
                    request, _("已发布第 %(n)s 版，此后按此版本填写") % {"n": version.number}
                )
            return redirect("web:form_builder", form.pk)
        if do not in handlers:
            return bad_request(request, _("未知的操作"))
        bound, name, service = handlers[do]
        if bound.is_valid():
            data = bound.service_data() if isinstance(bound, QuestionForm) else bound.cleaned_data
            try:
                service(actor=self.actor, form_id=form.pk, data=data)
            except Invalid as exc:
                apply_domain_error(bound, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("web:form_builder", form.pk)
        form.refresh_from_db()
        return self.render(self.context(form, **{name: bound}), status=422)


class SectionEditView(CrmView):
    """A section: rename, move up or down, delete (POST ``do``)."""

    action = MANAGE_FORM

    def post(self, request: HttpRequest, form_id: int, section_id: int) -> HttpResponseBase:
        do = request.POST.get("do", "")
        try:
            if do == "rename":
                services.section_update(
                    actor=self.actor,
                    form_id=form_id,
                    section_id=section_id,
                    data={"title": request.POST.get("title", "")[:200]},
                )
            elif do in ("up", "down"):
                services.section_move(
                    actor=self.actor, form_id=form_id, section_id=section_id, up=do == "up"
                )
            elif do == "delete":
                services.section_delete(actor=self.actor, form_id=form_id, section_id=section_id)
            else:
                return bad_request(request, _("未知的操作"))
        except Invalid as exc:
            messages.error(request, exc.first_message)
        return redirect("web:form_builder", form_id)


class QuestionEditView(CrmView):
    """A question: its form (GET/POST), or moved up or down, or deleted (POST ``do``)."""

    action = MANAGE_FORM
    template_name = "web/questionnaires/question.html"

    def render_form(self, form_id: int, question_id: int, bound: Any = None) -> HttpResponse:
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        question = selectors.question_get(form=form, question_id=question_id)
        sections = [(s.pk, s.title) for s in question.version.sections.order_by("position")]
        qform = bound or QuestionForm(sections=sections, initial=QuestionForm.initial_of(question))
        return self.render(
            {"f": form, "q": question, "form": qform},
            status=form_error_status(qform) if bound is not None else 200,
        )

    def get(self, request: HttpRequest, form_id: int, question_id: int) -> HttpResponse:
        return self.render_form(form_id, question_id)

    def post(self, request: HttpRequest, form_id: int, question_id: int) -> HttpResponseBase:
        do = request.POST.get("do", "save")
        try:
            if do in ("up", "down"):
                services.question_move(
                    actor=self.actor, form_id=form_id, question_id=question_id, up=do == "up"
                )
                return redirect("web:form_builder", form_id)
            if do == "delete":
                services.question_delete(actor=self.actor, form_id=form_id, question_id=question_id)
                messages.success(request, _("已删除题目"))
                return redirect("web:form_builder", form_id)
        except Invalid as exc:
            messages.error(request, exc.first_message)
            return redirect("web:form_builder", form_id)
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        question = selectors.question_get(form=form, question_id=question_id)
        sections = [(s.pk, s.title) for s in question.version.sections.order_by("position")]
        bound = QuestionForm(request.POST, sections=sections)
        if bound.is_valid():
            try:
                services.question_update(
                    actor=self.actor,
                    form_id=form_id,
                    question_id=question_id,
                    data=bound.service_data(),
                )
            except Invalid as exc:
                apply_domain_error(bound, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("web:form_builder", form_id)
        return self.render({"f": form, "q": question, "form": bound}, status=422)


def _fill_items(
    questions: list[Question], values: dict[int, Any], errors: dict[str, str]
) -> dict[int, dict[str, Any]]:
    items: dict[int, dict[str, Any]] = {}
    for q in questions:
        value = values.get(q.pk)
        item: dict[str, Any] = {"q": q, "value": value, "error": errors.get(q.field_name, "")}
        if q.kind == QuestionKind.RANKED:
            given = list(value or [])
            most = q.max_ranks or len(q.choices)
            item["ranks"] = [
                (n, rank_word(n), given[n - 1] if n <= len(given) else "")
                for n in range(1, most + 1)
            ]
        elif q.kind == QuestionKind.MULTIPLE:
            item["chosen"] = list(value or [])
        elif q.kind == QuestionKind.YESNO:
            item["options"] = [("yes", YES), ("no", NO)]
            item["value"] = {YES: "yes", NO: "no"}.get(value or "", value)
        elif q.kind == QuestionKind.TABLE:
            rows = [dict(r) for r in (value or []) if isinstance(r, dict)]
            rows += [{}] * max(TABLE_BLANK_ROWS, TABLE_MIN_ROWS - len(rows))
            item["rows"] = [[r.get(c, "") for c in q.columns] for r in rows]
            item["row_count"] = len(rows)
        items[q.pk] = item
    return items


def _as_values(questions: list[Question], answers: dict[str, Any]) -> dict[int, Any]:
    """What was posted, as the page shows it again with the errors."""
    out: dict[int, Any] = {}
    for q in questions:
        value = answers.get(str(q.pk))
        if q.kind == QuestionKind.YESNO:
            value = {"yes": YES, "no": NO}.get(value or "", "")
        out[q.pk] = value
    return out


class FillView(CrmView):
    """Fill a form on a customer (the published version; again: its answers replaced)."""

    action = FILL_FORM
    template_name = "web/questionnaires/fill.html"

    def page(
        self,
        customer_id: int,
        form_id: int,
        values: dict[int, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> HttpResponse:
        customer = selectors.customer_for_filling(actor=self.actor, customer_id=customer_id)
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        version = services.published(form)
        if version is None:
            messages.error(self.request, _("表单尚未发布，不能填写"))
            return redirect("web:customer_detail", customer.pk)  # type: ignore[return-value]
        current = selectors.current_response(customer=customer, version=version)
        if values is None:
            values = selectors.response_values(current) if current else {}
        layout = selectors.layout(version)
        items = _fill_items([q for s in layout for q in s.questions], values, errors or {})
        return self.render(
            {
                "customer": customer,
                "f": form,
                "version": version,
                "current": current,
                "applies": services.applies(form, customer),
                "sections": [(s.section, [items[q.pk] for q in s.questions]) for s in layout],
                "errors": errors or {},
            },
            status=422 if errors else 200,
        )

    def get(self, request: HttpRequest, customer_id: int, form_id: int) -> HttpResponse:
        return self.page(customer_id, form_id)

    def post(self, request: HttpRequest, customer_id: int, form_id: int) -> HttpResponse:
        customer = selectors.customer_for_filling(actor=self.actor, customer_id=customer_id)
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        version = services.published(form)
        questions = selectors.questions(version) if version else []
        answers = answers_from_post(questions, request.POST)
        try:
            services.response_submit(
                actor=self.actor, form_id=form.pk, customer_id=customer.pk, answers=answers
            )
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.fields.items()}
            if not errors:
                errors = {"": str(exc.message)}
            return self.page(customer_id, form_id, _as_values(questions, answers), errors)
        messages.success(request, _("已保存“%(name)s”") % {"name": form.name})
        return redirect("web:customer_detail", customer.pk)  # type: ignore[return-value]


def _filters(query: QueryDict) -> selectors.AnswerFilter:
    def number(key: str) -> decimal.Decimal | None:
        raw = query.get(key, "").strip()[:20]
        try:
            return decimal.Decimal(raw) if raw else None
        except decimal.InvalidOperation:
            return None

    question = query.get("question", "")
    return selectors.AnswerFilter(
        question=int(question) if question.isdigit() and len(question) < 18 else None,
        value=query.get("value", "").strip()[:100],
        low=number("low"),
        high=number("high"),
    )


class ResponseListView(CrmView):
    """The responses to a version of the customers one reads, filtered by an answer."""

    action = FILL_FORM
    template_name = "web/questionnaires/responses.html"
    shown = 4  # the first questions shown as columns

    def get(self, request: HttpRequest, form_id: int) -> HttpResponse:
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        version = _version(form, request)
        if version is None:
            return self.render({"f": form, "version": None, "versions": []})
        filters = _filters(request.GET)
        questions = selectors.questions(version)
        found = selectors.response_list(actor=self.actor, version=version, filters=filters)
        texts = selectors.answer_texts(found, questions[: self.shown])
        return self.render(
            {
                "f": form,
                "version": version,
                "versions": list(form.versions.exclude(state="draft").order_by("-number")),
                "questions": questions,
                "columns": questions[: self.shown],
                "rows": [
                    (r, list(zip([q.label for q in questions], texts[r.pk], strict=False)))
                    for r in found
                ],
                "count": selectors.response_count(
                    actor=self.actor, version=version, filters=filters
                ),
                "filters": filters,
                "query": request.GET.urlencode(),
                "may_export": has_action(self.actor, EXPORT_REPORTS),
            }
        )


class ResponseExportView(CrmView):
    """The filtered responses as .xlsx (the rows one may export; an audited export)."""

    action = EXPORT_REPORTS

    def get(self, request: HttpRequest, form_id: int) -> HttpResponseBase:
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        version = _version(form, request)
        if version is None:
            return bad_request(request, _("表单还没有版本"))
        out, name, _count = exports.export_responses(
            actor=self.actor, version=version, filters=_filters(request.GET)
        )
        return FileResponse(out, as_attachment=True, filename=name, content_type=exports.XLSX_TYPE)


class ResponseDetailView(CrmView):
    """One response with the questions of the version it was filled in."""

    action = FILL_FORM
    template_name = "web/questionnaires/response.html"

    def get(self, request: HttpRequest, response_id: int) -> HttpResponse:
        response = selectors.response_get(actor=self.actor, response_id=response_id)
        return self.render({"r": response, "sections": selectors.response_sections(response)})


class AnalysisView(CrmView):
    """The analysis page: charts per question and a cross-tab."""

    action = FILL_FORM
    template_name = "web/questionnaires/analysis.html"

    def get(self, request: HttpRequest, form_id: int) -> HttpResponse:
        form = selectors.form_get(actor=self.actor, form_id=form_id)
        version = _version(form, request)
        if version is None:
            return self.render({"f": form, "version": None})
        result = selectors.form_analysis(actor=self.actor, version=version)
        rows, columns = request.GET.get("rows", "")[:40], request.GET.get("columns", "")[:40]
        table, table_error = None, ""
        if rows and columns:
            try:
                table = selectors.form_crosstab(
                    actor=self.actor, version=version, rows=rows, columns=columns
                )
            except Invalid as exc:
                table_error = exc.first_message
        stats = result["questions"]
        return self.render(
            {
                "f": form,
                "version": version,
                "versions": list(form.versions.exclude(state="draft").order_by("-number")),
                "total": result["total"],
                "stats": [(n, s) for n, s in enumerate(stats)],
                "options": selectors.crosstab_options(version),
                "rows": rows,
                "columns": columns,
                "table": table,
                "table_error": table_error,
            }
        )


class TemplateInstallView(CrmView):
    """设置 → 行业模板: install the seed's forms of an industry."""

    action = MANAGE_FORM
    template_name = "web/questionnaires/templates.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"industries": installer.catalogue()})

    def post(self, request: HttpRequest) -> HttpResponseBase:
        industry = request.POST.get("industry", "")
        try:
            made = installer.install(actor=self.actor, industry=industry, demo_responses=False)
        except Invalid as exc:
            messages.error(request, exc.first_message)
            return redirect("web:form_templates")
        messages.success(request, _("已安装 %(n)s 张表单") % {"n": len(made)})
        return redirect("web:form_list")
