"""The pages of 满意度抽查 and 整改 (the service department's monthly sample, the phone call with
the survey form, the customer's link, the per-rep table, the actions to closure). Thin: the
rules are crm.care's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.roles import (
    ANSWER_SURVEY,
    MANAGE_ACTION,
    RUN_SURVEY,
    VIEW_SURVEY,
    WORK_ACTION,
)
from crm.care import selectors, services
from crm.care.models import ActionState, CallState
from crm.core.errors import DomainError, Invalid
from crm.core.permissions import allows, has_action
from crm.governance.masking import masker_for
from crm.questionnaires import selectors as form_selectors
from crm.questionnaires.services import published
from crm.reports.scope import report_departments
from crm.web.base import CrmView, apply_domain_error, bad_request, form_error_status
from crm.web.questionnaires.forms import answers_from_post
from crm.web.questionnaires.views import _as_values, _fill_items

from .forms import ActionCloseForm, ActionDoneForm, ActionForm, DrawForm


def _this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


class SurveyListView(CrmView):
    """满意度抽查: the months drawn, and drawing this month's sample."""

    action = VIEW_SURVEY
    template_name = "web/care/surveys.html"

    def page(self, form: DrawForm | None = None) -> HttpResponse:
        may_draw = has_action(self.actor, RUN_SURVEY)
        form = form or DrawForm(initial={"month": _this_month()})
        return self.render(
            {
                "rounds": selectors.round_list(actor=self.actor),
                "form": form if may_draw else None,
                "open_actions": selectors.open_actions(actor=self.actor),
            },
            status=form_error_status(form),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page()

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = DrawForm(request.POST)
        if form.is_valid():
            try:
                drawn = services.round_draw(actor=self.actor, data=form.service_data())
            except DomainError as exc:
                if exc.status not in (409, 422):
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已抽取 %(month)s 的 %(n)s 位客户（共 %(total)s 位当月成交客户）")
                    % {
                        "month": f"{drawn.month:%Y-%m}",
                        "n": drawn.sample_size,
                        "total": drawn.population,
                    },
                )
                return redirect("web:survey_round", drawn.pk)
        return self.page(form)


class SurveyRoundView(CrmView):
    """One month's sample: the calls (a rep: their own customers), by state."""

    action = VIEW_SURVEY
    template_name = "web/care/round.html"

    def get(self, request: HttpRequest, round_id: int) -> HttpResponse:
        survey = selectors.round_get(actor=self.actor, round_id=round_id)
        state = request.GET.get("state", "")
        if state not in CallState.values:
            state = ""
        return self.render(
            {
                "survey": survey,
                "tally": selectors.round_counts(actor=self.actor, survey=survey),
                "calls": selectors.call_list(actor=self.actor, survey=survey, state=state),
                "state": state,
                "states": CallState.choices,
                "may_answer": has_action(self.actor, ANSWER_SURVEY),
            }
        )


class SurveyCallView(CrmView):
    """One customer drawn: the survey form for the phone call (or what they answered), the
    customer's link, and the 整改 it opened."""

    action = VIEW_SURVEY
    template_name = "web/care/call.html"

    def page(
        self,
        call_id: int,
        values: dict[int, Any] | None = None,
        errors: dict[str, str] | None = None,
        action_form: ActionForm | None = None,
        link: str = "",
    ) -> HttpResponse:
        call = selectors.call_get(actor=self.actor, call_id=call_id)
        version = published(call.round.form)
        may_answer = allows(self.actor, ANSWER_SURVEY, call) and call.state != CallState.ANSWERED
        sections: list[Any] = []
        answered: list[Any] = []
        if call.response is not None:
            answered = form_selectors.response_sections(call.response)
        elif version is not None and may_answer:
            layout = form_selectors.layout(version)
            items = _fill_items(
                [q for s in layout for q in s.questions], values or {}, errors or {}
            )
            sections = [(s.section, [items[q.pk] for q in s.questions]) for s in layout]
        may_open = allows(self.actor, MANAGE_ACTION, call)
        if may_open and action_form is None:
            action_form = self.action_form(call)
        status = 422 if errors or (action_form is not None and action_form.errors) else 200
        return self.render(
            {
                "call": call,
                "customer": masker_for(self.actor).show(call.customer),
                "sections": sections,
                "answered": answered,
                "errors": errors or {},
                "may_answer": may_answer,
                "action_form": action_form if may_open else None,
                "actions": selectors.call_actions(call=call),
                "link": link,
            },
            status=status,
        )

    def action_form(self, call: Any, data: Any = None) -> ActionForm:
        people = [(u.pk, u.display_name) for u in selectors.responsibles(actor=self.actor)]
        due = timezone.localdate() + dt.timedelta(days=services.action_days())
        initial = {"responsible": call.rep_id, "due_on": due}
        return ActionForm(data, people=people, initial=initial)

    def get(self, request: HttpRequest, call_id: int) -> HttpResponse:
        return self.page(call_id)

    def post(self, request: HttpRequest, call_id: int) -> HttpResponseBase:
        """The phone call's outcome (``outcome``: answered, unreachable, declined)."""
        call = selectors.call_get(actor=self.actor, call_id=call_id)
        version = published(call.round.form)
        questions = form_selectors.questions(version) if version else []
        outcome = request.POST.get("outcome", "answered")
        answers = answers_from_post(questions, request.POST) if outcome == "answered" else {}
        data = {
            "outcome": outcome,
            "answers": answers,
            "note": request.POST.get("note", ""),
            "problem": request.POST.get("problem", ""),
        }
        try:
            done = services.call_answer(actor=self.actor, call_id=call_id, data=data)
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.fields.items()} or {"": str(exc.message)}
            return self.page(call_id, _as_values(questions, answers), errors)
        if selectors.call_actions(call=done):
            messages.warning(request, _("已保存回访结果，发现问题，已发起整改"))
        else:
            messages.success(request, _("已保存回访结果"))
        return redirect("web:survey_call", call_id)


class SurveyLinkView(CrmView):
    """A new link for the customer to answer themselves (shown once: a new one replaces it)."""

    action = ANSWER_SURVEY

    def post(self, request: HttpRequest, call_id: int) -> HttpResponseBase:
        try:
            token = services.link_issue(actor=self.actor, call_id=call_id)
        except DomainError as exc:
            if exc.status != 409:
                raise
            messages.error(request, str(exc.message))
            return redirect("web:survey_call", call_id)
        url = request.build_absolute_uri(reverse("web:survey_public", args=[token]))
        return SurveyCallView(request=request).page(call_id, link=url)


class SurveyActionOpenView(CrmView):
    """Open 整改 of a problem the call found."""

    action = MANAGE_ACTION

    def post(self, request: HttpRequest, call_id: int) -> HttpResponseBase:
        call = selectors.call_get(actor=self.actor, call_id=call_id)
        view = SurveyCallView(request=request)
        form = view.action_form(call, request.POST)
        if form.is_valid():
            try:
                made = services.action_open(
                    actor=self.actor, call_id=call_id, data=form.cleaned_data
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已发起整改 %(number)s") % {"number": made.number})
                return redirect("web:care_action", made.pk)
        return view.page(call_id, action_form=form)


class PerformanceView(CrmView):
    """满意度 per rep for a month (抽查内容纳入销售顾问日常工作考核)."""

    action = VIEW_SURVEY
    template_name = "web/care/performance.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("month") or _this_month()
        try:
            month = services.parse_month(text)
        except (TypeError, ValueError):
            return bad_request(request, _("月份格式应为 YYYY-MM"))
        department = request.GET.get("department") or None
        try:
            department_id = int(department) if department else None
        except ValueError:
            return bad_request(request, _("部门无效"))
        if department_id is not None and not 0 < department_id < 2**63:
            return bad_request(request, _("部门无效"))
        try:
            rows = selectors.satisfaction_by_rep(
                actor=self.actor, month=month, department_id=department_id
            )
        except Invalid:
            return bad_request(request, _("部门无效"))
        return self.render(
            {
                "rows": rows,
                "month": f"{month:%Y-%m}",
                "department": department_id,
                "departments": list(report_departments(self.actor, VIEW_SURVEY)),
            }
        )


class ActionListView(CrmView):
    """整改事项: open ones first, soonest due first; ``?mine=1`` the actor's own."""

    action = VIEW_SURVEY
    template_name = "web/care/actions.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        if state not in ActionState.values:
            state = ""
        mine = request.GET.get("mine") == "1"
        return self.render(
            {
                "actions": selectors.action_list(actor=self.actor, state=state, mine=mine),
                "state": state,
                "mine": mine,
                "states": ActionState.choices,
            }
        )


class ActionDetailView(CrmView):
    """One 整改: the responsible person reports it done; the service department verifies it."""

    action = VIEW_SURVEY
    template_name = "web/care/action.html"

    def page(
        self,
        action_id: int,
        done: ActionDoneForm | None = None,
        close: ActionCloseForm | None = None,
    ) -> HttpResponse:
        action = selectors.action_get(actor=self.actor, action_id=action_id)
        may_work = action.state == ActionState.OPEN and allows(self.actor, WORK_ACTION, action)
        may_close = action.state == ActionState.DONE and allows(self.actor, MANAGE_ACTION, action)
        forms_ = [f for f in (done, close) if f is not None]
        return self.render(
            {
                "a": action,
                "done_form": (done or ActionDoneForm()) if may_work else None,
                "close_form": (close or ActionCloseForm()) if may_close else None,
            },
            status=422 if any(f.errors for f in forms_) else 200,
        )

    def get(self, request: HttpRequest, action_id: int) -> HttpResponse:
        return self.page(action_id)

    def saved(
        self, step: Callable[..., Any], action_id: int, form: Any, data: dict[str, Any]
    ) -> bool:
        try:
            step(actor=self.actor, action_id=action_id, data=data)
        except Invalid as exc:
            apply_domain_error(form, exc)
            return False
        messages.success(self.request, _("已保存"))
        return True

    def post(self, request: HttpRequest, action_id: int) -> HttpResponseBase:
        do = request.POST.get("do", "")
        if do == "done":
            done = ActionDoneForm(request.POST)
            if done.is_valid() and self.saved(
                services.action_done, action_id, done, done.cleaned_data
            ):
                return redirect("web:care_action", action_id)
            return self.page(action_id, done=done)
        if do in ("close", "return"):
            close = ActionCloseForm(request.POST)
            if close.is_valid() and self.saved(
                services.action_close,
                action_id,
                close,
                {"accept": do == "close", "note": close.cleaned_data["note"]},
            ):
                return redirect("web:care_action", action_id)
            return self.page(action_id, close=close)
        return bad_request(request, _("未知操作"))
