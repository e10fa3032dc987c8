"""The sales pages (销售机会): the board by stage with drag-and-drop, the list, one opportunity
with its follow-ups and its closing, the forms, the forecast, the funnel and the won/lost
reasons, and the managers' settings (pipelines, stages, lost reasons, industry templates).
Thin: the rules are crm.sales'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.accounts.roles import (
    CHANGE_OPPORTUNITY,
    CHANGE_ORDER,
    EXPORT_REPORTS,
    MANAGE_PIPELINE,
    VIEW_OPPORTUNITY,
    VIEW_ORDER,
)
from crm.core.errors import DomainError, Invalid, NotFound
from crm.core.permissions import allows, has_action
from crm.customers import selectors as customer_selectors
from crm.customers.choices import Category
from crm.orders import selectors as order_selectors
from crm.sales import selectors, services
from crm.sales.choices import Currency, Status
from crm.sales.models import Opportunity, Pipeline
from crm.sales.templates import TEMPLATES
from crm.web.base import CrmView, apply_domain_error, bad_request, form_error_status, is_partial

from .forms import (
    FollowUpForm,
    LoseForm,
    LostReasonsForm,
    OpportunityForm,
    PipelineForm,
    WinForm,
)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 19 else None


def _pipeline(request: HttpRequest) -> Pipeline:
    pipeline = selectors.pipeline_get(_int(request.GET.get("pipeline")))
    if pipeline is None:
        raise NotFound()
    return pipeline


# --- the board ------------------------------------------------------------------------------


class BoardView(CrmView):
    """销售看板: the open opportunities by stage; a card dragged to another column moves it."""

    action = VIEW_OPPORTUNITY
    template_name = "web/sales/board.html"
    partial_name = "board"

    def context(self, *, error: str = "") -> dict[str, Any]:
        pipeline = _pipeline(self.request)
        owner = _int(self.request.GET.get("owner"))
        board = selectors.board(actor=self.actor, pipeline=pipeline, owner=owner)
        return {
            "board": board,
            "pipelines": selectors.pipelines(),
            "owners": selectors.owner_options(actor=self.actor),
            "owner": owner,
            "may_change": has_action(self.actor, CHANGE_OPPORTUNITY),
            "may_manage": has_action(self.actor, MANAGE_PIPELINE),
            "error": error,
            "query": self.request.GET.urlencode(),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.context())


class BoardColumnView(CrmView):
    """One column's cards beyond the board's first ones (the column's "more" link)."""

    action = VIEW_OPPORTUNITY
    template_name = "web/sales/column.html"

    def get(self, request: HttpRequest, stage_id: int) -> HttpResponse:
        pipeline = _pipeline(request)
        board = selectors.board(
            actor=self.actor,
            pipeline=pipeline,
            owner=_int(request.GET.get("owner")),
            per_column=200,
            stage=stage_id,
        )
        column = next((c for c in board.columns if c.stage.pk == stage_id), None)
        if column is None:
            raise NotFound()
        return self.render({"board": board, "column": column})


class MoveView(CrmView):
    """A card dropped on another column (htmx): the move through the service with the card's
    version; the board comes back re-counted, with the refusal when there is one (a card moved
    meanwhile by someone else goes back where it is)."""

    action = CHANGE_OPPORTUNITY
    template_name = "web/sales/board.html"

    def post(self, request: HttpRequest, opportunity_id: int) -> HttpResponse:
        data = {
            "version": _int(request.POST.get("version")),
            "stage": _int(request.POST.get("stage")),
        }
        error = ""
        try:
            services.opportunity_move(actor=self.actor, opportunity_id=opportunity_id, data=data)
        except NotFound:
            raise
        except DomainError as exc:
            error = exc.first_message
        board = BoardView()
        board.request = request
        context = board.context(error=error)
        if is_partial(request):
            return self.render(context, template="web/sales/board.html#board")
        if error:
            messages.error(request, error)
        return redirect(reverse("web:sales_board") + "?" + request.GET.urlencode())


# --- the list and one opportunity -----------------------------------------------------------


class ListView(CrmView):
    """销售机会列表: filtered by status, stale, owner and text, newest first."""

    action = VIEW_OPPORTUNITY
    template_name = "web/sales/list.html"
    partial_name = "results"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "open")
        if status not in ("", *Status.values):
            return bad_request(request, _("状态无效"))
        filters = selectors.Filters(
            status=status,
            owner=_int(request.GET.get("owner")),
            customer=_int(request.GET.get("customer")),
            stale=request.GET.get("stale") in ("1", "on"),
            q=request.GET.get("q", "")[:100].strip(),
        )
        cursor = request.GET.get("cursor", "")
        try:
            page = selectors.opportunity_list(actor=self.actor, filters=filters, cursor=cursor)
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        query = request.GET.copy()
        query.pop("cursor", None)
        return self.render(
            {
                "page": page,
                "filters": filters,
                "statuses": Status.choices,
                "owners": selectors.owner_options(actor=self.actor),
                "now": timezone.now(),
                "query": query.urlencode(),
                "may_change": has_action(self.actor, CHANGE_OPPORTUNITY),
            }
        )


class DetailView(CrmView):
    """One opportunity: what, for whom, how far; its lines, follow-ups, the stage move, closing
    won or lost, and after a loss the customer's defeat analysis."""

    action = VIEW_OPPORTUNITY
    template_name = "web/sales/detail.html"

    def _orders(self, opportunity: Opportunity) -> dict[str, Any]:
        """A won opportunity's orders (赢单 → 订单) and whether the reader may register one."""
        if opportunity.status != Status.WON or not has_action(self.actor, VIEW_ORDER):
            return {"may_see_orders": False}
        return {
            "may_see_orders": True,
            "orders": order_selectors.opportunity_orders(
                actor=self.actor, opportunity_id=opportunity.pk
            ),
            "may_order": has_action(self.actor, CHANGE_ORDER),
        }

    def page(self, opportunity: Opportunity, **forms: Any) -> dict[str, Any]:
        may_change = allows(self.actor, CHANGE_OPPORTUNITY, opportunity)
        customer = opportunity.customer
        return {
            "o": opportunity,
            **self._orders(opportunity),
            "stages": selectors.stages_of(opportunity.pipeline),
            "stale": selectors.is_stale(opportunity),
            "idle": selectors.idle_days(opportunity),
            "followups": selectors.opportunity_followups(opportunity=opportunity),
            "may_change": may_change and opportunity.is_open,
            "may_reopen": may_change and opportunity.status == Status.LOST,
            "followup_form": forms.get("followup_form") or FollowUpForm(),
            "win_form": forms.get("win_form") or WinForm(),
            "lose_form": forms.get("lose_form") or LoseForm(reasons=selectors.lost_reasons()),
            "open_panel": forms.get("open_panel", ""),
            # a lost opportunity offers the customer's defeat analysis (战败分析) when the
            # customer is an intention customer with nothing else open
            "offer_defeat": opportunity.status == Status.LOST
            and customer.category == Category.INTENTION
            and not selectors.open_elsewhere(opportunity),
            "needs_intention": customer.category not in (Category.INTENTION, Category.RETAINED),
        }

    def get(self, request: HttpRequest, opportunity_id: int) -> HttpResponse:
        opportunity = services.opportunity_get(actor=self.actor, opportunity_id=opportunity_id)
        return self.render(self.page(opportunity))


class OpportunityActionView(DetailView):
    """The detail page's forms: move, follow up, win, lose, reopen (``do``)."""

    action = CHANGE_OPPORTUNITY

    def post(self, request: HttpRequest, opportunity_id: int) -> HttpResponseBase:
        do = request.POST.get("do", "")
        opportunity = services.opportunity_get(actor=self.actor, opportunity_id=opportunity_id)
        version = _int(request.POST.get("version")) or 0
        try:
            if do == "move":
                services.opportunity_move(
                    actor=self.actor,
                    opportunity_id=opportunity_id,
                    data={"version": version, "stage": _int(request.POST.get("stage"))},
                )
                messages.success(request, _("已推进到新阶段"))
            elif do == "followup":
                form = FollowUpForm(request.POST)
                if not form.is_valid():
                    return self._again(opportunity, followup_form=form, open_panel="followup")
                services.opportunity_follow_up(
                    actor=self.actor, opportunity_id=opportunity_id, data=form.service_data()
                )
                messages.success(request, _("已记录跟进"))
            elif do == "win":
                win = WinForm(request.POST)
                if not win.is_valid():
                    return self._again(opportunity, win_form=win, open_panel="win")
                try:
                    services.opportunity_win(
                        actor=self.actor,
                        opportunity_id=opportunity_id,
                        data=win.service_data(version),
                    )
                except Invalid as exc:
                    apply_domain_error(win, exc)
                    return self._again(opportunity, win_form=win, open_panel="win")
                messages.success(request, _("恭喜赢单！客户已转为保有客户"))
            elif do == "lose":
                lose = LoseForm(request.POST, reasons=selectors.lost_reasons())
                if not lose.is_valid():
                    return self._again(opportunity, lose_form=lose, open_panel="lose")
                services.opportunity_lose(
                    actor=self.actor,
                    opportunity_id=opportunity_id,
                    data=lose.service_data(version),
                )
                messages.success(request, _("已关闭为输单"))
            elif do == "reopen":
                services.opportunity_reopen(
                    actor=self.actor, opportunity_id=opportunity_id, version=version
                )
                messages.success(request, _("已重新打开"))
            else:
                return bad_request(request, _("未知的操作"))
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.first_message if exc.fields else str(exc.message))
        return redirect("web:opportunity_detail", opportunity_id)

    def _again(self, opportunity: Opportunity, **forms: Any) -> HttpResponse:
        return self.render(self.page(opportunity, **forms), status=422)


class OpportunityFormView(CrmView):
    """新建销售机会 (``?customer=`` the customer) and editing one."""

    action = CHANGE_OPPORTUNITY
    template_name = "web/sales/form.html"

    def stages(self) -> list[Any]:
        return [s for p in selectors.pipelines() for s in selectors.stages_of(p)]

    def form(self, data: Any = None, opportunity: Opportunity | None = None) -> OpportunityForm:
        owners = selectors.owner_options(actor=self.actor)
        if opportunity is not None:
            if data is None:
                return OpportunityForm.of(opportunity, owners=owners)
            return OpportunityForm(data, owners=owners, editing=True)
        form = OpportunityForm(data, stages=self.stages(), owners=owners)
        form.fields["owner"].initial = self.actor.pk
        return form

    def context(self, form: OpportunityForm, **extra: Any) -> dict[str, Any]:
        return {"form": form, **extra}

    def get(self, request: HttpRequest, opportunity_id: int | None = None) -> HttpResponse:
        if opportunity_id is not None:
            opportunity = services.opportunity_get(actor=self.actor, opportunity_id=opportunity_id)
            return self.render(self.context(self.form(None, opportunity), o=opportunity))
        customer = self.customer()
        return self.render(self.context(self.form(), customer=customer))

    def customer(self) -> Any:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        customer_id = _int(source.get("customer"))
        if customer_id is None:
            return None
        try:
            return customer_selectors.customer_get(actor=self.actor, customer_id=customer_id)
        except NotFound:
            return None

    def post(self, request: HttpRequest, opportunity_id: int | None = None) -> HttpResponse:
        opportunity = None
        if opportunity_id is not None:
            opportunity = services.opportunity_get(actor=self.actor, opportunity_id=opportunity_id)
        form = self.form(request.POST, opportunity)
        customer = self.customer() if opportunity is None else opportunity.customer
        if form.is_valid():
            data = form.service_data()
            try:
                if opportunity is None:
                    data["customer"] = customer.pk if customer else 0
                    if customer is None:
                        raise Invalid(fields={"customer": _("请从客户页面新建销售机会")})
                    saved = services.opportunity_create(actor=self.actor, data=data)
                    messages.success(request, _("已新建销售机会"))
                else:
                    saved = services.opportunity_update(
                        actor=self.actor,
                        opportunity_id=opportunity.pk,
                        version=_int(request.POST.get("version")) or 0,
                        data=data,
                    )
                    messages.success(request, _("已保存"))
            except NotFound:
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                return redirect("web:opportunity_detail", saved.pk)
        return self.render(
            self.context(form, o=opportunity, customer=customer),
            status=form_error_status(form) if form.errors else 409,
        )


# --- reports --------------------------------------------------------------------------------


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class _Report(CrmView):
    action = VIEW_OPPORTUNITY

    def filters(self) -> dict[str, Any]:
        get = self.request.GET
        currency = get.get("currency") or Currency.CNY
        if currency not in Currency.values:
            raise Invalid(fields={"currency": _("不是有效的选项")})
        today = timezone.localdate()
        return {
            "currency": currency,
            "pipeline": _int(get.get("pipeline")),
            "owner": _int(get.get("owner")),
            "since": _day(get.get("since")) or today.replace(month=1, day=1),
            "until": _day(get.get("until")) or today,
            "month": _month(get.get("month")) or today.replace(day=1),
        }

    def common(self, f: dict[str, Any]) -> dict[str, Any]:
        return {
            "f": f,
            "pipelines": selectors.pipelines(),
            "owners": selectors.owner_options(actor=self.actor),
            "currencies": Currency.choices,
            "may_export": has_action(self.actor, EXPORT_REPORTS),
            "query": self.request.GET.urlencode(),
        }


def _month(value: str | None) -> dt.date | None:
    if not value or len(value) != 7:
        return None
    day = _day(f"{value}-01")
    return day if day and 1900 <= day.year <= 2999 else None


class ForecastView(_Report):
    """加权预测: per rep and month, amount × probability, beside what was won."""

    template_name = "web/sales/forecast.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            f = self.filters()
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        report = selectors.forecast(
            actor=self.actor,
            start=f["month"],
            months=6,
            currency=f["currency"],
            pipeline=f["pipeline"],
            owner=f["owner"],
        )
        months = [f"{m:%Y-%m}" for m in report.months]
        totals = [report.month_total(m) for m in report.months]
        chart = {
            "categories": months,
            "series": [
                {
                    "name": _("预计金额"),
                    "data": [float(t.amount) for t in totals],
                },
                {
                    "name": _("加权金额"),
                    "data": [float(t.weighted) for t in totals],
                },
                {
                    "name": _("已赢单"),
                    "data": [float(t.won) for t in totals],
                },
            ],
        }
        rows = [
            (rep, [report.cell(rep.pk, m) for m in report.months], report.rep_total(rep.pk))
            for rep in report.reps
        ]
        return self.render(
            {
                **self.common(f),
                "report": report,
                "rows": rows,
                "totals": totals,
                "chart": chart,
                "tab": "forecast",
            }
        )


class FunnelView(_Report):
    """销售漏斗: per stage, reached, now, conversion."""

    template_name = "web/sales/funnel.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            f = self.filters()
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        if f["since"] > f["until"]:
            return bad_request(request, _("开始日期不能晚于结束日期"))
        pipeline = selectors.pipeline_get(f["pipeline"])
        if pipeline is None:
            raise NotFound()
        report = selectors.funnel(
            actor=self.actor,
            pipeline=pipeline,
            since=f["since"],
            until=f["until"],
            currency=f["currency"],
            owner=f["owner"],
        )
        chart = {
            "categories": [s.stage.name for s in report.steps] + [_("赢单")],
            "series": [
                {"name": _("到达数"), "data": [s.reached for s in report.steps] + [report.won]},
                {"name": _("当前数"), "data": [s.now for s in report.steps] + [0]},
            ],
        }
        return self.render({**self.common(f), "report": report, "chart": chart, "tab": "funnel"})


class ReasonsView(_Report):
    """赢单与输单原因 of the opportunities closed in the period."""

    template_name = "web/sales/reasons.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            f = self.filters()
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        if f["since"] > f["until"]:
            return bad_request(request, _("开始日期不能晚于结束日期"))
        report = selectors.reasons(
            actor=self.actor,
            since=f["since"],
            until=f["until"],
            currency=f["currency"],
            pipeline=f["pipeline"],
            owner=f["owner"],
        )
        chart = {
            "kind": "pie",
            "series": [
                {
                    "name": _("输单原因"),
                    "data": [{"name": r.name, "value": r.count} for r in report.rows],
                }
            ],
        }
        return self.render({**self.common(f), "report": report, "chart": chart, "tab": "reasons"})


class ReportExportView(_Report):
    """A sales report as an Excel file (the export is logged)."""

    action = EXPORT_REPORTS

    def get(self, request: HttpRequest, report: str) -> HttpResponseBase:
        if report not in services.REPORTS:
            raise NotFound()
        try:
            f = self.filters()
            export = services.report_export(
                actor=self.actor,
                report=report,
                currency=f["currency"],
                pipeline_id=f["pipeline"],
                owner=f["owner"],
                start=f["month"],
                since=f["since"],
                until=f["until"],
            )
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        return export.response()


# --- settings -------------------------------------------------------------------------------


class SettingsView(CrmView):
    """设置 → 销售流程: the pipelines, the industry templates, the lost reasons."""

    action = MANAGE_PIPELINE
    template_name = "web/sales/settings.html"

    def page(self, reasons_form: LostReasonsForm | None = None) -> dict[str, Any]:
        existing = selectors.lost_reasons()
        installed = {p.template for p in selectors.pipelines(active_only=False)}
        return {
            "pipelines": [
                (p, selectors.stages_of(p)) for p in selectors.pipelines(active_only=False)
            ],
            "templates": [
                (key, _(spec["label"]), key in installed) for key, spec in TEMPLATES.items()
            ],
            "reasons_form": reasons_form
            or LostReasonsForm(initial={"reasons": "\n".join(r.name for r in existing)}),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("do") == "install":
            try:
                pipeline = services.pipeline_install(
                    actor=self.actor, industry=request.POST.get("industry", "")
                )
            except Invalid as exc:
                messages.error(request, exc.first_message)
                return redirect("web:sales_settings")
            messages.success(request, _("已安装销售流程“%(name)s”") % {"name": pipeline.name})
            return redirect("web:sales_settings")
        form = LostReasonsForm(request.POST)
        if form.is_valid():
            try:
                services.lost_reasons_update(
                    actor=self.actor,
                    data=form.service_data(selectors.lost_reasons(active_only=False)),
                )
            except Invalid as exc:
                form.add_error("reasons", exc.first_message)
            else:
                messages.success(request, _("已保存输单原因"))
                return redirect("web:sales_settings")
        return self.render(self.page(form), status=422)


class PipelineEditView(CrmView):
    """One pipeline: its name, default, and its stages (name, probability, stale days)."""

    action = MANAGE_PIPELINE
    template_name = "web/sales/pipeline.html"

    def get(self, request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
        pipeline = self.pipeline(pipeline_id)
        stages = selectors.stages_of(pipeline) if pipeline else []
        initial = (
            {"name": pipeline.name, "is_default": pipeline.is_default, "active": pipeline.active}
            if pipeline
            else {"active": True}
        )
        return self.render({"p": pipeline, "form": PipelineForm(initial=initial, stages=stages)})

    def pipeline(self, pipeline_id: int | None) -> Pipeline | None:
        if pipeline_id is None:
            return None
        pipeline = selectors.pipeline_get(pipeline_id)
        if pipeline is None:
            raise NotFound()
        return pipeline

    def post(self, request: HttpRequest, pipeline_id: int | None = None) -> HttpResponse:
        pipeline = self.pipeline(pipeline_id)
        stages = selectors.stages_of(pipeline) if pipeline else []
        form = PipelineForm(request.POST, stages=stages)
        if form.is_valid():
            try:
                if pipeline is None:
                    services.pipeline_create(actor=self.actor, data=form.service_data())
                else:
                    services.pipeline_update(
                        actor=self.actor,
                        pipeline_id=pipeline.pk,
                        version=_int(request.POST.get("version")) or 0,
                        data=form.service_data(),
                    )
            except NotFound:
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存销售流程"))
                return redirect("web:sales_settings")
        return self.render({"p": pipeline, "form": form}, status=422)
