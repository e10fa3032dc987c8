"""The order pages (客户订购登记表, 合同评审表): the list, the form with its lines, one order with
its review round (each department's review form, the general manager's signature), files,
delivery and payments (回款); the reviews waiting for me; distributors' licences; the overdue
instalments. Thin: the rules are crm.orders'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.accounts.roles import (
    CHANGE_CUSTOMER,
    CHANGE_ORDER,
    EXPORT_REPORTS,
    REQUEST_DATA,
    SIGN_ORDER,
    VIEW_CUSTOMER,
    VIEW_ORDER,
    VIEW_REPORTS,
)
from crm.core.errors import DomainError, Invalid, NotFound
from crm.core.errors import PermissionDenied as Forbidden
from crm.core.permissions import allows, has_action, require
from crm.customers import selectors as customer_selectors
from crm.orders import licences, payments, selectors, services, stats
from crm.orders.models import OrderState, PropertyStage, ReviewArea, ReviewState, RoundState
from crm.products import selectors as product_selectors
from crm.reports.scope import report_departments
from crm.sales.choices import Currency
from crm.web.base import CrmView, apply_domain_error, bad_request, form_error_status

from .forms import (
    FileForm,
    LicenceForm,
    LineFormSet,
    OrderForm,
    PlanForm,
    PropertyStepForm,
    ReceiptForm,
    RequirementsForm,
    line_initial,
    line_rows,
)


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 18 else None


def _refused(request: HttpRequest, exc: DomainError) -> None:
    """A refusal of an action button: 404 and 403 are pages; the rest a message on the order."""
    if isinstance(exc, NotFound | Forbidden):
        raise exc
    messages.error(request, exc.first_message)


class OrderListView(CrmView):
    """订单: the orders of the customers one sees, by state."""

    action = VIEW_ORDER
    template_name = "web/orders/list.html"
    partial_name = "rows"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:100].strip()
        state = request.GET.get("state", "")
        state = state if state in OrderState.values else ""
        customer = _int(request.GET.get("customer", ""))
        filters = selectors.OrderFilters(q=q, state=state, customer=customer)
        return self.render(
            {
                "orders": selectors.order_list(actor=self.actor, filters=filters),
                "q": q,
                "state": state,
                "states": OrderState.choices,
                "waiting": len(selectors.review_queue(actor=self.actor)),
                "may_export": has_action(self.actor, REQUEST_DATA),
            }
        )


class OrderFormView(CrmView):
    """客户订购登记表: a new order for ``?customer=``, or an order's changes."""

    action = CHANGE_ORDER
    template_name = "web/orders/form.html"

    def _products(self) -> list[Any]:
        return product_selectors.product_list(actor=self.actor, active=True)

    def _formset(self, data: Any = None, initial: Any = None) -> Any:
        return LineFormSet(
            data, initial=initial, prefix="lines", form_kwargs={"products": self._products()}
        )

    def _page(self, form: OrderForm, lines: Any, **extra: Any) -> dict[str, Any]:
        return {"form": form, "lines": lines, **extra}

    def _customer(self, request: HttpRequest) -> Any:
        customer_id = _int(request.GET.get("customer", "") or request.POST.get("customer", ""))
        if customer_id is None:
            raise NotFound()
        return customer_selectors.customer_get(actor=self.actor, customer_id=customer_id)

    def _opportunity(self, request: HttpRequest, customer: Any) -> Any:
        """``?opportunity=``: the won opportunity the order comes from (its lines prefilled)."""
        opportunity_id = _int(
            request.GET.get("opportunity", "") or request.POST.get("opportunity", "")
        )
        if opportunity_id is None:
            return None
        try:
            return services.opportunity_of(self.actor, customer, opportunity_id)
        except DomainError as exc:
            raise NotFound() from exc

    def get(self, request: HttpRequest) -> HttpResponse:
        customer = self._customer(request)
        opportunity = self._opportunity(request, customer)
        rows, unmatched = services.lines_from(opportunity) if opportunity else ([], [])
        initial = {
            "order_date": timezone.localdate(),
            "currency": customer.currency or "CNY",
            "invoice_company": customer.company or customer.name,
            "invoice_tax_id": customer.credit_code,
            "invoice_address": customer.address,
            "invoice_bank": customer.bank_name,
        }
        if opportunity is not None:
            initial["currency"] = opportunity.currency
        return self.render(
            self._page(
                OrderForm(initial=initial),
                self._formset(initial=rows or None),
                customer=customer,
                opportunity=opportunity,
                unmatched=unmatched,
            )
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        customer = self._customer(request)
        opportunity = self._opportunity(request, customer)
        form, lines = OrderForm(request.POST), self._formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = {**form.service_data(), "customer": customer.pk, "lines": line_rows(lines)}
            if opportunity is not None:
                data["opportunity"] = opportunity.pk
            try:
                order = services.order_create(actor=self.actor, data=data)
            except DomainError as exc:
                if isinstance(exc, NotFound | Forbidden):
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已登记订单 %(number)s") % {"number": order.number})
                return redirect("web:order_detail", order.pk)
        return self.render(
            self._page(form, lines, customer=customer, opportunity=opportunity),
            status=form_error_status(form) or 422,
        )


class OrderEditView(OrderFormView):
    def get(self, request: HttpRequest, order_id: int) -> HttpResponse:  # type: ignore[override]
        order = selectors.order_get(actor=self.actor, order_id=order_id)
        if not allows(self.actor, CHANGE_ORDER, order):
            raise Forbidden()
        form = OrderForm(initial=OrderForm.initial_of(order))
        lines = self._formset(initial=line_initial(order))
        return self.render(self._page(form, lines, customer=order.customer, order=order))

    def post(self, request: HttpRequest, order_id: int) -> HttpResponse:  # type: ignore[override]
        order = selectors.order_get(actor=self.actor, order_id=order_id)
        form, lines = OrderForm(request.POST), self._formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = {
                **form.service_data(),
                "lines": line_rows(lines),
                "version": _int(request.POST.get("version", "")) or 0,
            }
            try:
                changed = services.order_update(actor=self.actor, order_id=order.pk, data=data)
            except DomainError as exc:
                if isinstance(exc, NotFound | Forbidden):
                    raise
                apply_domain_error(form, exc)
            else:
                if changed.state == OrderState.REVIEW:
                    messages.info(request, _("已修改已确认的订单，订单重新进入合同评审"))
                else:
                    messages.success(request, _("已保存"))
                return redirect("web:order_detail", order.pk)
        page = self._page(form, lines, customer=order.customer, order=order)
        return self.render(page, status=form_error_status(form) or 422)


class OrderDetailView(CrmView):
    """One order: the 客户订购登记表, the 合同评审表 of its current round, the actions its
    reader may take (review, sign, upload, deliver, payments)."""

    action = VIEW_ORDER
    template_name = "web/orders/detail.html"

    def get(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = selectors.order_get(actor=self.actor, order_id=order_id)
        rounds = selectors.review_rounds(order)
        current = rounds[0] if rounds else None
        reviewing = current is not None and current.state == RoundState.REVIEWING
        mine = [
            row
            for row in (current.rows.all() if current else [])  # type: ignore[attr-defined]
            if reviewing
            and row.state == ReviewState.PENDING
            and has_action(self.actor, services.AREA_ACTIONS[row.area])
            and current is not None
            and current.submitted_by_id != self.actor.pk
        ]
        may_sign = (
            current is not None
            and current.state == RoundState.SIGNING
            and has_action(self.actor, SIGN_ORDER)
            and current.approval is not None
            and current.approval.requested_by_id != self.actor.pk
        )
        may_change = has_action(self.actor, CHANGE_ORDER) and allows(
            self.actor, CHANGE_ORDER, order
        )
        plan = selectors.payment_status(order, timezone.localdate())
        receipts = list(order.receipts.all())  # type: ignore[attr-defined]
        steps = list(order.property_steps.select_related("recorded_by"))  # type: ignore[attr-defined]
        upcoming = payments.property_next({s.stage for s in steps})
        plan_initial: dict[str, Any] = {}
        for n, status in enumerate(plan):
            plan_initial[f"due_on_{n}"] = status.instalment.due_on
            plan_initial[f"amount_{n}"] = status.instalment.amount
            plan_initial[f"note_{n}"] = status.instalment.note
        return self.render(
            {
                "order": order,
                "review": current,
                "rounds": rounds[1:],
                "my_rows": mine,
                "may_sign": may_sign,
                "may_change": may_change,
                "files": list(order.files.all()),  # type: ignore[attr-defined]
                "confirmed_in_writing": any(f.confirms for f in order.files.all()),  # type: ignore[attr-defined]
                "plan": plan,
                "receipts": receipts,
                "received": sum((r.amount for r in receipts), Decimal("0.00")),
                "file_form": FileForm(),
                "plan_form": PlanForm(initial=plan_initial),
                "receipt_form": ReceiptForm(
                    initial={"received_on": timezone.localdate(), "method": "transfer"}
                ),
                "payable": order.state in payments.PAYABLE,
                "property_steps": steps,
                "property_form": PropertyStepForm(
                    initial={"done_on": timezone.localdate()},
                    stages=[(s, str(PropertyStage(s).label)) for s in upcoming],
                )
                if upcoming and order.state != OrderState.CANCELLED
                else None,
                "property_stages": PropertyStage.choices,
            }
        )


class OrderSubmitView(CrmView):
    """合同评审表: the requirements the order is submitted for review with."""

    action = CHANGE_ORDER
    template_name = "web/orders/submit.html"

    def get(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = selectors.order_get(actor=self.actor, order_id=order_id)
        last = selectors.review_rounds(order)
        initial = {f: getattr(last[0], f) for f in services.REQUIREMENTS} if last else {}
        return self.render({"order": order, "form": RequirementsForm(initial=initial)})

    def post(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order = selectors.order_get(actor=self.actor, order_id=order_id)
        form = RequirementsForm(request.POST)
        if form.is_valid():
            data = {**form.cleaned_data, "version": _int(request.POST.get("version", "")) or 0}
            try:
                services.order_submit(actor=self.actor, order_id=order.pk, data=data)
            except DomainError as exc:
                if isinstance(exc, NotFound | Forbidden):
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已提交合同评审，等待各部门评审"))
                return redirect("web:order_detail", order.pk)
        return self.render({"order": order, "form": form}, status=form_error_status(form) or 422)


class _OrderAction(CrmView):
    """A button of the order page: the service, then back to the order with what happened."""

    action: ClassVar[str | None] = None
    done = ""

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        raise NotImplementedError

    def post(self, request: HttpRequest, order_id: int, **kwargs: Any) -> HttpResponseBase:
        selectors.order_get(actor=self.actor, order_id=order_id)  # 404 outside one's orders
        try:
            self.run(request, order_id, **kwargs)
        except DomainError as exc:
            _refused(request, exc)
        else:
            if self.done:
                messages.success(request, _(self.done))
        return redirect("web:order_detail", order_id)

    def version(self) -> int:
        return _int(self.request.POST.get("version", "")) or 0


class OrderReviewView(_OrderAction):
    """One department's review: 同意 or 不同意 with the comment."""

    def post(self, request: HttpRequest, order_id: int, **kwargs: Any) -> HttpResponseBase:
        action = services.AREA_ACTIONS.get(kwargs.get("area", ""))
        if action is None:
            raise NotFound()
        require(self.actor, action)  # 403 for whoever reviews nothing of the kind
        return super().post(request, order_id, **kwargs)

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        area = kwargs["area"]
        if area not in ReviewArea.values:
            raise NotFound()
        approve = request.POST.get("decision") == "approve"
        note = request.POST.get("note", "")[:1000]
        services.review_decide(
            actor=self.actor,
            order_id=order_id,
            area=area,
            data={"approve": approve, "note": note},
        )
        messages.success(request, _("已提交评审意见"))


class OrderSignView(_OrderAction):
    action = SIGN_ORDER

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        approve = request.POST.get("decision") == "approve"
        order = services.order_sign(
            actor=self.actor,
            order_id=order_id,
            data={"approve": approve, "note": request.POST.get("note", "")[:500]},
        )
        if order.state == OrderState.CONFIRMED:
            messages.success(request, _("已签署，订单已确认"))
        elif order.state == OrderState.DRAFT:
            messages.info(request, _("已退回业务员修改"))
        else:
            messages.error(request, _("未能签署：%(note)s") % {"note": order.returned_note or "—"})


class OrderSignatureRequestView(_OrderAction):
    action = CHANGE_ORDER
    done = gettext_noop("已送总经理签署")

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        services.order_request_signature(
            actor=self.actor, order_id=order_id, data={"version": self.version()}
        )


class OrderDeliverView(_OrderAction):
    action = CHANGE_ORDER
    done = gettext_noop("已登记交付")

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        services.order_deliver(
            actor=self.actor, order_id=order_id, data={"version": self.version()}
        )


class OrderCloseView(_OrderAction):
    action = CHANGE_ORDER
    done = gettext_noop("订单已关闭")

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        services.order_close(actor=self.actor, order_id=order_id, data={"version": self.version()})


class OrderCancelView(_OrderAction):
    action = CHANGE_ORDER
    done = gettext_noop("订单已取消")

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        services.order_cancel(
            actor=self.actor,
            order_id=order_id,
            data={"version": self.version(), "reason": request.POST.get("reason", "")[:500]},
        )


class OrderFilesView(_OrderAction):
    """书面确认 and other documents of the order (a multipart upload)."""

    action = CHANGE_ORDER
    done = gettext_noop("已上传")

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        form = FileForm(request.POST)
        kind = form.cleaned_data["kind"] if form.is_valid() else "other"
        services.order_attach(
            actor=self.actor, order_id=order_id, files=request.FILES.getlist("files"), kind=kind
        )


class OrderFileView(CrmView):
    action = VIEW_ORDER

    def get(self, request: HttpRequest, order_id: int, file_id: int) -> HttpResponseBase:
        found = services.order_file_open(actor=self.actor, order_id=order_id, file_id=file_id)
        response = FileResponse(
            found.file.open("rb"), filename=found.name, content_type=found.content_type
        )
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response


class OrderPdfView(CrmView):
    """The printable 客户订购登记表 with its 合同评审表 (PDF)."""

    action = VIEW_ORDER

    def get(self, request: HttpRequest, order_id: int) -> HttpResponse:
        order, data = services.order_print(actor=self.actor, order_id=order_id)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response


class _FormAction(_OrderAction):
    """A form of the order page written by one service (``write``); a form that does not
    parse says ``refused`` and writes nothing."""

    action = CHANGE_ORDER
    form_class: ClassVar[Any]
    write: ClassVar[Any]
    refused = ""

    def run(self, request: HttpRequest, order_id: int, **kwargs: Any) -> Any:
        form = self.form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _(self.refused))
            self.done = ""
            return
        type(self).write(actor=self.actor, order_id=order_id, data=form.service_data())


class OrderPlanView(_FormAction):
    done = gettext_noop("已保存回款计划")
    refused = gettext_noop("回款计划的日期或金额格式不正确")
    form_class = PlanForm
    write = payments.plan_set


class OrderReceiptView(_FormAction):
    done = gettext_noop("已登记回款")
    refused = gettext_noop("到账日期或金额格式不正确")
    form_class = ReceiptForm
    write = payments.receipt_record


class OrderPropertyView(_FormAction):
    """房地产成交进度: a step reached (认购 → 签约 → 按揭 → 备案)."""

    done = gettext_noop("已登记成交进度")
    refused = gettext_noop("请选择进度并填写办理日期")
    form_class = PropertyStepForm
    write = payments.property_step_record


class ReviewQueueView(CrmView):
    """待我评审: the orders waiting for my departments' reviews; for the general manager, the
    contracts waiting for signature (the approvals page lists them too)."""

    action = VIEW_ORDER
    template_name = "web/orders/reviews.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        signing = (
            selectors.order_list(
                actor=self.actor, filters=selectors.OrderFilters(state=OrderState.REVIEW)
            )
            if has_action(self.actor, SIGN_ORDER)
            else []
        )
        waiting_signature = [
            o
            for o in signing
            if (r := services.current_round(o)) is not None and r.state == RoundState.SIGNING
        ]
        return self.render(
            {
                "waiting": selectors.review_queue(actor=self.actor),
                "areas": dict(ReviewArea.choices),
                "signing": waiting_signature,
            }
        )


class LicenceListView(CrmView):
    """医疗器械经营许可证: those of one's customers, the ones running out first."""

    action = VIEW_CUSTOMER
    template_name = "web/orders/licences.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        customer = _int(request.GET.get("customer", ""))
        return self.render(
            {
                "expiring": selectors.licences_expiring(actor=self.actor, today=today),
                "licences": selectors.licence_list(actor=self.actor, customer=customer),
                "today": today,
                "customer": customer,
                "may_change": has_action(self.actor, CHANGE_CUSTOMER),
            }
        )


class LicenceFormView(CrmView):
    action = CHANGE_CUSTOMER
    template_name = "web/orders/licence_form.html"

    def get(self, request: HttpRequest, licence_id: int | None = None) -> HttpResponse:
        if licence_id is not None:
            licence = selectors.licence_get(actor=self.actor, licence_id=licence_id)
            if not allows(self.actor, CHANGE_CUSTOMER, licence):
                raise Forbidden()
            return self.render(
                {"form": LicenceForm(initial=LicenceForm.initial_of(licence)), "licence": licence}
            )
        customer_id = _int(request.GET.get("customer", ""))
        if customer_id is None:
            return bad_request(request, _("请从客户页面登记许可证"))
        customer = customer_selectors.customer_get(actor=self.actor, customer_id=customer_id)
        return self.render({"form": LicenceForm(), "customer": customer})

    def post(self, request: HttpRequest, licence_id: int | None = None) -> HttpResponse:
        form = LicenceForm(request.POST)
        licence = customer = None
        if licence_id is not None:
            licence = selectors.licence_get(actor=self.actor, licence_id=licence_id)
        else:
            customer_id = _int(request.GET.get("customer", "") or request.POST.get("customer", ""))
            if customer_id is None:
                return bad_request(request, _("请从客户页面登记许可证"))
            customer = customer_selectors.customer_get(actor=self.actor, customer_id=customer_id)
        if form.is_valid():
            try:
                if licence is not None:
                    data = {
                        **form.service_data(),
                        "version": _int(request.POST.get("version", "")) or 0,
                    }
                    licences.licence_update(actor=self.actor, licence_id=licence.pk, data=data)
                elif customer is not None:
                    data = {**form.service_data(), "customer": customer.pk}
                    licences.licence_create(actor=self.actor, data=data)
            except DomainError as exc:
                if isinstance(exc, NotFound | Forbidden):
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存医疗器械经营许可证"))
                return redirect("web:licence_list")
        context = {"form": form, "licence": licence, "customer": customer}
        return self.render(context, status=form_error_status(form) or 422)


class LicenceDeleteView(CrmView):
    action = CHANGE_CUSTOMER

    def post(self, request: HttpRequest, licence_id: int) -> HttpResponseBase:
        licences.licence_delete(actor=self.actor, licence_id=licence_id)
        messages.success(request, _("已删除许可证"))
        return redirect("web:licence_list")


class PaymentsView(CrmView):
    """回款: overdue instalments (催款) and planned against received per month."""

    action = VIEW_ORDER
    template_name = "web/orders/payments.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year = _int(request.GET.get("year", "")) or today.year
        if not 1900 <= year <= 2999:
            return bad_request(request, _("年份应在 1900 到 2999 之间"))
        months = selectors.payments_by_month(actor=self.actor, year=year)
        return self.render(
            {
                "overdue": selectors.overdue_instalments(actor=self.actor, today=today),
                "months": months,
                "year": year,
                "planned": sum((m.planned for m in months), Decimal("0.00")),
                "received": sum((m.received for m in months), Decimal("0.00")),
            }
        )


# --- 销售统计 ---------------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2999 else None


CHART_BARS = 15


class StatisticsView(CrmView):
    """销售统计: the signed orders of a period by month, rep, department, product or source."""

    action = VIEW_REPORTS
    template_name = "web/orders/statistics.html"

    def filters(self) -> dict[str, Any]:
        get = self.request.GET
        today = timezone.localdate()
        since = _date(get.get("since")) or today.replace(month=1, day=1)
        until = _date(get.get("until")) or today
        if since > until:  # the other way round: the period between them
            since, until = until, since
        currency = get.get("currency") or "CNY"
        if currency not in Currency.values:
            raise Invalid(fields={"currency": _("不是有效的选项")})
        by = get.get("by") or "month"
        return {
            "by": by if by in stats.BY else "month",
            "since": since,
            "until": until,
            "currency": currency,
            "department": _int(get.get("department", "")),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            f = self.filters()
            report = stats.sales_statistics(
                actor=self.actor,
                by=f["by"],
                since=f["since"],
                until=f["until"],
                currency=f["currency"],
                department_id=f["department"],
            )
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        shown = report.rows if f["by"] == "month" else report.rows[:CHART_BARS]
        chart = {
            "categories": [r.label for r in shown],
            "horizontal": f["by"] != "month",
            "series": [{"name": _("销售额"), "data": [float(r.amount) for r in shown]}],
        }
        return self.render(
            {
                "f": f,
                "report": report,
                "chart": chart,
                "dimensions": list(stats.by_labels().items()),
                "currencies": Currency.choices,
                "departments": list(report_departments(self.actor)),
                "may_export": has_action(self.actor, EXPORT_REPORTS),
                "query": request.GET.urlencode(),
                "tab": "statistics",
            }
        )


class StatisticsExportView(StatisticsView):
    """销售统计 as an Excel workbook or a PDF (the export is logged)."""

    action = EXPORT_REPORTS

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:  # type: ignore[override]
        if fmt not in services.STATS_FORMATS:
            raise NotFound()
        try:
            f = self.filters()
            export = services.statistics_export(
                actor=self.actor,
                by=f["by"],
                since=f["since"],
                until=f["until"],
                currency=f["currency"],
                department_id=f["department"],
                fmt=fmt,
            )
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        return export.response()
