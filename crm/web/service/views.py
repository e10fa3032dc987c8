"""The service pages (客户服务): complaints (the list with the handler's queue and the overdue
list, registration, one complaint with its actions, the printable 客户投诉处理表), the monthly
statistics, the SLA table and the calendar, service records on a customer, and the public
complaint form with its tracking page. Thin: the rules are crm.service's."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm.accounts import selectors as accounts_selectors
from crm.accounts.roles import (
    ASSIST_COMPLAINT,
    HANDLE_COMPLAINT,
    MANAGE_SLA,
    RECORD_SERVICE,
    REGISTER_COMPLAINT,
    REQUEST_DATA,
    VIEW_COMPLAINT,
    VIEW_COMPLAINT_REPORT,
    VIEW_KNOWLEDGE,
)
from crm.core.errors import DomainError, Invalid, NotFound
from crm.core.middleware import client_ip
from crm.core.permissions import has_action
from crm.customers import sensitive
from crm.knowledge import selectors as knowledge_selectors
from crm.service import guard, selectors, services, stats
from crm.service.models import Category, Complaint, Severity, State
from crm.web.base import CrmView, apply_domain_error, form_error_status

from . import forms as service_forms

RECEIPT_SALT = "crm.service.receipt"


def _month(value: str) -> Any:
    import datetime as dt

    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), int(value[5:])
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return None


class ComplaintListView(CrmView):
    """客户投诉: all I may see (filters), my queue, or the overdue list."""

    action = VIEW_COMPLAINT
    template_name = "web/service/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        view = request.GET.get("view", "")
        context: dict[str, Any] = {
            "view": view,
            "may_register": has_action(self.actor, REGISTER_COMPLAINT),
            "may_export": has_action(self.actor, REQUEST_DATA),
            "may_report": has_action(self.actor, VIEW_COMPLAINT_REPORT),
            "may_sla": has_action(self.actor, MANAGE_SLA),
            "states": State.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
        }
        if view == "queue":
            context["complaints"] = selectors.complaint_queue(actor=self.actor)
        elif view == "overdue":
            context["complaints"] = selectors.complaint_overdue(actor=self.actor)
        else:
            filters = selectors.ComplaintFilters(
                state=request.GET.get("state", "")[:10],
                category=request.GET.get("category", "")[:10],
                severity=request.GET.get("severity", "")[:10],
                q=request.GET.get("q", "")[:50],
            )
            cursor = request.GET.get("cursor", "")[:20]
            try:
                page = selectors.complaint_page(actor=self.actor, filters=filters, cursor=cursor)
            except Invalid:
                page = selectors.complaint_page(actor=self.actor, filters=filters)
            context.update(complaints=page.items, next_cursor=page.next_cursor, filters=filters)
        return self.render(context)


class ComplaintNewView(CrmView):
    """客服部 registers a complaint (hotline, walk-in, e-mail)."""

    action = REGISTER_COMPLAINT
    template_name = "web/service/new.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {}
        customer = request.GET.get("customer", "")
        if customer.isdigit() and len(customer) < 18:
            initial["customer"] = int(customer)
        return self.render({"form": service_forms.ComplaintForm(initial=initial)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = service_forms.ComplaintForm(request.POST)
        if form.is_valid():
            try:
                complaint = services.complaint_register(actor=self.actor, data=form.service_data)
            except DomainError as exc:
                if exc.status == 404:
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已登记投诉 %(number)s") % {"number": complaint.number})
                return redirect("web:complaint_detail", complaint.pk)
        return self.render({"form": form}, status=form_error_status(form))


def _handlers() -> list[tuple[int, str]]:
    return [(u.pk, u.display_name) for u in selectors.staff_with(HANDLE_COMPLAINT)]


def _helpers() -> list[tuple[int, str]]:
    return [
        (u.pk, f"{u.display_name}（{u.department.name if u.department else '—'}）")
        for u in selectors.staff_with(ASSIST_COMPLAINT)
    ]


def _departments() -> list[tuple[int, str]]:
    return [(d.pk, d.name) for d in accounts_selectors.department_list()]


OPS: dict[str, type[forms.Form]] = {
    "accept": service_forms.AcceptForm,
    "note": service_forms.NoteForm,
    "collaborator": service_forms.CollaboratorForm,
    "resolve": service_forms.ResolveForm,
    "close": service_forms.CloseForm,
    "reopen": service_forms.ReopenForm,
}


def _form(op: str, data: Any = None) -> forms.Form:
    cls = OPS[op]
    if cls is service_forms.AcceptForm:
        return cls(data, handlers=_handlers(), prefix=op)  # type: ignore[call-arg]
    if cls is service_forms.CollaboratorForm:
        return cls(data, users=_helpers(), prefix=op)  # type: ignore[call-arg]
    if cls is service_forms.ResolveForm:
        return cls(data, departments=_departments(), prefix=op)  # type: ignore[call-arg]
    return cls(data, prefix=op)


def _phone(actor: Any, complaint: Complaint) -> str:
    phone = sensitive.read_phone(complaint) if complaint.phone_store else ""
    return phone if sensitive.may_see_phones(actor) or not phone else sensitive.mask_phone(phone)


class ComplaintDetailView(CrmView):
    """One complaint: the 客户投诉处理表, its 处理过程 and the moves its state allows."""

    action = VIEW_COMPLAINT
    template_name = "web/service/detail.html"

    def page(self, complaint: Complaint, **bound: forms.Form) -> dict[str, Any]:
        handles = has_action(self.actor, HANDLE_COMPLAINT)
        state = complaint.state
        allowed = {
            "accept": handles and state == State.REGISTERED,
            "start": handles and state in (State.ACCEPTED, State.REOPENED),
            "note": has_action(self.actor, ASSIST_COMPLAINT) and complaint.is_open,
            "collaborator": handles and complaint.is_open,
            "resolve": handles and state in (State.ACCEPTED, State.HANDLING, State.REOPENED),
            "close": handles and state == State.RESOLVED,
            "reopen": handles and state in (State.RESOLVED, State.CLOSED),
        }
        forms_ = {op: bound.get(op) or _form(op) for op in OPS if allowed.get(op) or op in bound}
        links = list(complaint.article_links.select_related("article"))  # type: ignore[attr-defined]
        may_cite = (
            complaint.is_open
            and has_action(self.actor, ASSIST_COMPLAINT)
            and has_action(self.actor, VIEW_KNOWLEDGE)
        )
        cited = {link.article_id for link in links}
        suggested = []
        if may_cite and complaint.product:
            suggested = [
                a
                for a in knowledge_selectors.article_search(
                    actor=self.actor, q=complaint.product, limit=8
                )
                if a.pk not in cited
            ][:5]
        return {
            "c": complaint,
            "articles": [link.article for link in links],
            "suggested": suggested,
            "may_cite": may_cite,
            "phone": _phone(self.actor, complaint),
            "allowed": allowed,
            "forms": forms_,
            "may_attach": has_action(self.actor, ASSIST_COMPLAINT),
        }

    def get(self, request: HttpRequest, complaint_id: int) -> HttpResponse:
        complaint = selectors.complaint_get(actor=self.actor, complaint_id=complaint_id)
        return self.render(self.page(complaint))


class ComplaintActView(CrmView):
    """One move of a complaint (``op``: accept, start, note, collaborator, resolve, close,
    reopen); a refusal shows the complaint again with the form's errors."""

    action = VIEW_COMPLAINT
    template_name = "web/service/detail.html"

    def post(self, request: HttpRequest, complaint_id: int) -> HttpResponse:
        op = request.POST.get("op", "")
        if op == "start":
            try:
                services.complaint_start(actor=self.actor, complaint_id=complaint_id)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                messages.error(request, exc.first_message)
            return redirect("web:complaint_detail", complaint_id)
        if op in ("article_link", "article_unlink"):
            return self.cite(request, complaint_id, op)
        if op not in OPS:
            return redirect("web:complaint_detail", complaint_id)
        form = _form(op, request.POST)
        if form.is_valid():
            move = {
                "accept": services.complaint_accept,
                "note": services.complaint_note,
                "collaborator": services.complaint_add_collaborator,
                "resolve": services.complaint_resolve,
                "close": services.complaint_close,
                "reopen": services.complaint_reopen,
            }[op]
            try:
                move(actor=self.actor, complaint_id=complaint_id, data=form.service_data)  # type: ignore[attr-defined,operator]
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                apply_domain_error(form, exc)
            else:
                return redirect("web:complaint_detail", complaint_id)
        complaint = selectors.complaint_get(actor=self.actor, complaint_id=complaint_id)
        detail = ComplaintDetailView()
        detail.request = request
        return self.render(detail.page(complaint, **{op: form}), status=422)

    def cite(self, request: HttpRequest, complaint_id: int, op: str) -> HttpResponse:
        """引用知识库: cite an article (its number, ZS000012, or id) or take one off."""
        article_id = _article_id(request.POST.get("article", ""))
        try:
            if article_id is None:
                raise Invalid(fields={"article": _("请填写知识库编号，如 ZS000012")})
            if op == "article_link":
                services.complaint_link_article(
                    actor=self.actor, complaint_id=complaint_id, article_id=article_id
                )
            else:
                services.complaint_unlink_article(
                    actor=self.actor, complaint_id=complaint_id, article_id=article_id
                )
        except DomainError as exc:
            if exc.status == 403 or (exc.status == 404 and op == "article_link"):
                raise
            messages.error(request, exc.first_message)
        return redirect(f"{reverse('web:complaint_detail', args=[complaint_id])}#articles")


def _article_id(text: str) -> int | None:
    """An article as typed: its number (ZS000012) or its id."""
    text = text.strip().upper().removeprefix("ZS")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


class ComplaintAttachView(CrmView):
    action = ASSIST_COMPLAINT

    def post(self, request: HttpRequest, complaint_id: int) -> HttpResponse:
        try:
            services.complaint_attach(
                actor=self.actor, complaint_id=complaint_id, files=request.FILES.getlist("files")
            )
        except Invalid as exc:
            messages.error(request, exc.first_message)
        return redirect("web:complaint_detail", complaint_id)


class ComplaintAttachmentView(CrmView):
    """A complaint's file (sandboxed, not cached; each opening logged)."""

    action = VIEW_COMPLAINT

    def get(self, request: HttpRequest, attachment_id: int) -> HttpResponseBase:
        attachment = services.attachment_open(actor=self.actor, attachment_id=attachment_id)
        inline = attachment.content_type.startswith("image/") or attachment.content_type.endswith(
            "pdf"
        )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=not inline,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
        response["Cache-Control"] = "no-store"
        return response


class ComplaintPrintView(CrmView):
    """客户投诉处理表, for printing (A4)."""

    action = VIEW_COMPLAINT
    template_name = "web/service/print.html"

    def get(self, request: HttpRequest, complaint_id: int) -> HttpResponse:
        complaint = selectors.complaint_get(actor=self.actor, complaint_id=complaint_id)
        return self.render({"c": complaint, "phone": _phone(self.actor, complaint)})


def _chart_data(report: stats.MonthlyReport) -> dict[str, Any]:
    return {
        "category": {
            "kind": "pie",
            "series": [
                {
                    "name": _("按投诉类别"),
                    "data": [{"name": t.label, "value": t.count} for t in report.by_category],
                }
            ],
        },
        "trend": {
            "categories": [p.month.strftime("%Y-%m") for p in report.trend],
            "series": [
                {"name": _("投诉数"), "data": [p.count for p in report.trend]},
                {
                    "name": _("解决及时率"),
                    "percent": True,
                    "line": True,
                    "data": [p.compliance for p in report.trend],
                },
            ],
        },
        "department": {
            "horizontal": True,
            "categories": [t.label for t in report.by_department],
            "series": [{"name": _("投诉数"), "data": [t.count for t in report.by_department]}],
        },
    }


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


class ComplaintReportView(CrmView):
    """客户投诉统计分析月报表 (for the general manager)."""

    action = VIEW_COMPLAINT_REPORT
    template_name = "web/service/report.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        month = _month(request.GET.get("month", ""))
        report = stats.monthly_report(actor=self.actor, month=month)
        return self.render(
            {
                "report": report,
                "charts": _chart_data(report),
                "month": report.month.strftime("%Y-%m"),
                "response_pct": _pct(report.response_rate),
                "resolve_pct": _pct(report.resolve_rate),
            }
        )


class ComplaintReportExportView(CrmView):
    action = VIEW_COMPLAINT_REPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        export = stats.monthly_export(actor=self.actor, month=_month(request.GET.get("month", "")))
        return export.response()


class SlaSettingsView(CrmView):
    """投诉时限与工作日历: the deadlines per severity and the holidays and 调休 days."""

    action = MANAGE_SLA
    template_name = "web/service/sla.html"

    def page(self, **extra: Any) -> dict[str, Any]:
        year_text = self.request.GET.get("year", "")
        year = (
            int(year_text)
            if year_text.isdigit() and 1900 <= int(year_text) <= 2999
            else timezone.localdate().year
        )
        policies = selectors.sla_table()
        return {
            "policies": [
                (
                    p,
                    extra.get(f"sla_{p.severity}")
                    or service_forms.SlaForm(
                        prefix=p.severity,
                        initial={
                            "response_hours": p.response_hours,
                            "resolve_hours": p.resolve_hours,
                            "gm_after_hours": p.gm_after_hours,
                        },
                    ),
                )
                for p in policies
            ],
            "days": selectors.calendar_days(year=year),
            "year": year,
            "years": [year - 1, year, year + 1],
            "day_form": extra.get("day_form") or service_forms.CalendarDayForm(),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        op = request.POST.get("op", "")
        if op == "sla":
            severity = request.POST.get("severity", "")[:10]
            form = service_forms.SlaForm(request.POST, prefix=severity)
            if form.is_valid():
                try:
                    services.sla_update(actor=self.actor, severity=severity, data=form.service_data)
                except Invalid as exc:
                    apply_domain_error(form, exc)
                else:
                    messages.success(request, _("已保存投诉时限"))
                    return redirect("web:sla_settings")
            return self.render(self.page(**{f"sla_{severity}": form}), status=422)
        if op == "day_delete":
            day_form = service_forms.CalendarDayForm(
                {"day": request.POST.get("day", ""), "kind": "holiday"}
            )
            if day_form.is_valid():
                with contextlib.suppress(NotFound):
                    services.calendar_day_delete(actor=self.actor, day=day_form.cleaned_data["day"])
            return redirect("web:sla_settings")
        day_form = service_forms.CalendarDayForm(request.POST)
        if day_form.is_valid():
            data = {k: v for k, v in day_form.cleaned_data.items() if k != "day"}
            try:
                services.calendar_day_set(
                    actor=self.actor, day=day_form.cleaned_data["day"], data=data
                )
            except Invalid as exc:
                apply_domain_error(day_form, exc)
            else:
                messages.success(request, _("已保存日历"))
                return redirect("web:sla_settings")
        return self.render(self.page(day_form=day_form), status=422)


class ServiceRecordCreateView(CrmView):
    """A line of the 客户服务记录表 on a customer (the form is on the customer's page)."""

    action = RECORD_SERVICE
    template_name = "web/service/record_new.html"

    def get(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        selectors.customer_to_serve(actor=self.actor, customer_id=customer_id)
        return self.render({"form": service_forms.ServiceRecordForm(), "customer_id": customer_id})

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        form = service_forms.ServiceRecordForm(request.POST)
        if form.is_valid():
            try:
                services.service_record_add(
                    actor=self.actor, customer_id=customer_id, data=form.service_data
                )
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已记录客户服务"))
                return redirect("web:customer_detail", customer_id)
        return self.render(
            {"form": form, "customer_id": customer_id}, status=form_error_status(form)
        )


# --- the public form (no sign-in) -----------------------------------------------------------


class _Public(View):
    template_name: ClassVar[str] = ""

    def page(
        self, request: HttpRequest, context: dict[str, Any], status: int = 200
    ) -> HttpResponse:
        return render(request, self.template_name, context, status=status)


def _throttled(request: HttpRequest, exc: guard.Throttled) -> HttpResponse:
    return render(
        request, "web/service/public_throttled.html", {"message": exc.message}, status=429
    )


class PublicComplaintView(_Public):
    """在线投诉: a customer files a complaint without signing in."""

    template_name = "web/service/public_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = service_forms.PublicComplaintForm()
        return self.page(request, {"form": form, "started": guard.stamp()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = service_forms.PublicComplaintForm(request.POST)
        try:
            guard.check_rate(client_ip(request))
        except guard.Throttled as exc:
            return _throttled(request, exc)
        if form.is_valid():
            try:
                guard.check_form(
                    started=form.cleaned_data["started"], honeypot=form.cleaned_data["website"]
                )
                complaint, _created = services.complaint_submit(data=form.data_for_service)
            except (Invalid, guard.FormRefused) as exc:
                apply_domain_error(form, exc)
            else:
                receipt = signing.dumps(complaint.number, salt=RECEIPT_SALT)
                return redirect("web:public_complaint_done", receipt)
        # a fresh stamp for the next try
        return self.page(request, {"form": form, "started": guard.stamp()}, status=422)


class PublicComplaintDoneView(_Public):
    """The receipt: the tracking number (from a signed token: no number can be guessed here)."""

    template_name = "web/service/public_done.html"

    def get(self, request: HttpRequest, receipt: str) -> HttpResponse:
        try:
            number = signing.loads(receipt, salt=RECEIPT_SALT, max_age=3600)
        except signing.BadSignature:
            return self.page(request, {"number": None}, status=404)
        return self.page(request, {"number": number})


class PublicComplaintTrackView(_Public):
    """进度查询: the number and the phone given with it."""

    template_name = "web/service/public_track.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, {"form": service_forms.LookupForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = service_forms.LookupForm(request.POST)
        try:
            guard.check_rate(client_ip(request), kind="lookup")
        except guard.Throttled as exc:
            return _throttled(request, exc)
        found = None
        if form.is_valid():
            try:
                found = services.complaint_lookup(data=form.cleaned_data)
            except (Invalid, NotFound) as exc:
                form.add_error(None, exc.first_message)
        return self.page(request, {"form": form, "found": found}, status=200 if found else 422)
