"""Lifecycle pages: 变更状态 (a transition with what the rules ask for), the grade suggested
from an expected purchase date, the manager's comment on a defeat, and the grade table and
follow-up settings of managers and the general manager."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.roles import CHANGE_CUSTOMER, CHANGE_GRADEPOLICY, COMMENT_DEFEAT
from crm.core.errors import Conflict, Invalid
from crm.customers import competitors, lifecycle, selectors, sources
from crm.customers.choices import Category
from crm.customers.models import Customer
from crm.governance.models import ApprovalRequest
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .lifecycle_forms import (
    DefeatCommentForm,
    FollowUpSettingsForm,
    GradeTableForm,
    SourceForm,
    TransitionForm,
)


def _detail_url(customer_id: int) -> str:
    return reverse("web:customer_detail", args=[customer_id])


def _suggestion(expected: Any, deposit_paid: bool) -> str:
    if deposit_paid:
        day = expected or timezone.localdate()
        return lifecycle.suggest_grade(expected_purchase_on=day, deposit_paid=True)
    if expected is None:
        return ""
    return lifecycle.suggest_grade(expected_purchase_on=expected)


class CustomerTransitionView(CrmView):
    """变更状态: only the moves allowed from the current category are offered; the service's
    refusals (a missing grade, deal date or defeat analysis…) show on the form."""

    action = CHANGE_CUSTOMER
    template_name = "web/customers/transition.html"

    def _customer(self, customer_id: int) -> Customer:
        return selectors.customer_get(
            actor=self.actor, customer_id=customer_id, action=CHANGE_CUSTOMER
        )

    def _form(self, customer: Customer, data: Any = None) -> TransitionForm:
        expected = customer.expected_purchase_on
        grade = _suggestion(expected, False) if expected else customer.grade
        return TransitionForm(
            data,
            customer=customer,
            reasons=lifecycle.defeat_reasons(),
            initial={"version": customer.version, "expected_purchase_on": expected, "grade": grade},
        )

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        form = self._form(customer)
        suggested = form.initial["grade"] if customer.expected_purchase_on else ""
        return self.render(
            {
                "customer": customer,
                "form": form,
                "suggested": suggested,
                "competitors": competitors.competitor_list(),
            }
        )

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        form = self._form(customer, request.POST)
        if form.is_valid():
            try:
                outcome = lifecycle.customer_transition(
                    actor=self.actor,
                    customer_id=customer_id,
                    version=form.cleaned_data["version"],
                    **form.service_data(),
                )
            except (Invalid, Conflict) as exc:
                form.apply_error(exc)
            else:
                if isinstance(outcome, ApprovalRequest):
                    messages.info(request, _("战败申请已提交，等待经理审批；审批前客户状态不变"))
                else:
                    text = _transition_message(outcome.to_category, outcome.to_grade)
                    messages.success(request, text)
                return redirect(_detail_url(customer_id))
        context = {
            "customer": customer,
            "form": form,
            "suggested": "",
            "competitors": competitors.competitor_list(),
        }
        return self.render(context, status=form_error_status(form))


def _transition_message(to: str, grade: str) -> str:
    if to == Category.INTENTION:
        return _("已变更为意向客户（%(grade)s 级）") % {"grade": grade}
    if to == Category.RETAINED:
        return _("已成交，转为保有客户；已按设置安排成交后回访")
    if to == Category.DEFEATED:
        return _("已记为战败客户，未完成的跟进计划已取消")
    return _("已变更客户状态")


class GradeSuggestView(CustomerTransitionView):
    """The grade field again, with the grade an expected purchase date suggests (htmx)."""

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(customer_id)
        form = TransitionForm(
            request.GET, customer=customer, reasons=[], initial={"version": customer.version}
        )
        form.is_valid()
        expected = form.cleaned_data.get("expected_purchase_on")
        suggested = _suggestion(expected, bool(form.cleaned_data.get("deposit_paid")))
        form = TransitionForm(
            customer=customer,
            reasons=[],
            initial={"grade": suggested or request.GET.get("grade", "")},
        )
        context = {"form": form, "suggested": suggested, "customer": customer}
        return self.render(context, template="web/customers/_grade_field.html")

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        return redirect("web:customer_transition", customer_id=customer_id)


class DefeatCommentView(CrmView):
    """经理意见 on a defeat analysis (managers and the general manager)."""

    action = COMMENT_DEFEAT

    def post(self, request: HttpRequest, customer_id: int, analysis_id: int) -> HttpResponse:
        form = DefeatCommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写经理意见"))
            return redirect(_detail_url(customer_id) + "#defeat")
        try:
            lifecycle.defeat_comment(
                actor=self.actor,
                analysis_id=analysis_id,
                comment=form.cleaned_data["manager_comment"],
            )
        except Invalid as exc:
            messages.error(request, " ".join(map(str, exc.fields.values())) or str(exc.message))
        else:
            messages.success(request, _("已保存经理意见"))
        return redirect(_detail_url(customer_id) + "#defeat")


class GradeSettingsView(CrmView):
    """意向级别与跟进设置: the grade table and the follow-up settings (managers and GM)."""

    action = CHANGE_GRADEPOLICY
    template_name = "web/customers/grade_settings.html"

    def page(self, **overrides: Any) -> dict[str, Any]:
        context: dict[str, Any] = {
            "table_form": GradeTableForm(policies=lifecycle.grade_policies()),
            "settings_form": FollowUpSettingsForm.for_settings(lifecycle.lifecycle_settings()),
        }
        context.update(overrides)
        return context

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = GradeTableForm(request.POST, policies=lifecycle.grade_policies())
        if form.is_valid():
            try:
                changed = lifecycle.grade_policy_update(actor=self.actor, rows=form.rows())
            except Invalid as exc:
                form.apply_error(exc)
            else:
                messages.success(request, _grade_message(changed))
                return redirect("web:grade_settings")
        return self.render(self.page(table_form=form), status=form_error_status(form))


def _grade_message(changed: list[str]) -> str:
    if not changed:
        return _("已保存意向级别设置")
    return _("已保存意向级别设置。%(grades)s 级客户的下次跟进日期正在后台重新计算，稍后生效。") % {
        "grades": "、".join(changed)
    }


class FollowUpSettingsView(GradeSettingsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("web:grade_settings")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FollowUpSettingsForm(request.POST)
        if form.is_valid():
            try:
                lifecycle.lifecycle_settings_update(actor=self.actor, **form.cleaned_data)
            except Invalid as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, str(message))
            else:
                messages.success(request, _("已保存跟进设置"))
                return redirect(reverse("web:grade_settings") + "#followup-settings")
        return self.render(self.page(settings_form=form), status=form_error_status(form))


class SourceSettingsView(CrmView):
    """认知途径: the company's list of channels; add one (who manages the follow-up settings)."""

    action = CHANGE_GRADEPOLICY
    template_name = "web/customers/source_settings.html"

    def page(self, form: SourceForm | None = None, failed: int | None = None) -> dict[str, Any]:
        rows = []
        for source in sources.source_list():
            initial = {"name": source.name, "order": source.order, "active": source.active}
            row_form = SourceForm(initial=initial, prefix=f"s{source.pk}")
            if failed == source.pk and form is not None:
                row_form = form
            rows.append((source, row_form))
        new = form if failed is None and form is not None else SourceForm(prefix="new")
        return {"rows": rows, "form": new}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SourceForm(request.POST, prefix="new")
        if form.is_valid():
            try:
                source = sources.source_create(
                    actor=self.actor,
                    name=form.cleaned_data["name"],
                    order=form.cleaned_data["order"],
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加认知途径“%(name)s”") % {"name": source.name})
                return redirect("web:source_settings")
        return self.render(self.page(form), status=form_error_status(form))


class SourceEditView(SourceSettingsView):
    """Rename, reorder, switch one source on or off."""

    def get(self, request: HttpRequest, source_id: int) -> HttpResponse:  # type: ignore[override]
        return redirect("web:source_settings")

    def post(self, request: HttpRequest, source_id: int) -> HttpResponse:  # type: ignore[override]
        form = SourceForm(request.POST, prefix=f"s{source_id}")
        if form.is_valid():
            try:
                source = sources.source_update(
                    actor=self.actor,
                    source_id=source_id,
                    name=form.cleaned_data["name"],
                    order=form.cleaned_data["order"] or 0,
                    active=form.cleaned_data["active"],
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存认知途径“%(name)s”") % {"name": source.name})
                return redirect("web:source_settings")
        return self.render(self.page(form, failed=source_id), status=form_error_status(form))
