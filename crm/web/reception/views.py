"""The reception desk's pages: the front-desk screen (a tablet at reception: the rotation, the
lookup, registration in a few taps), the rotation's order, a rep's own status, the registrations
and their daily summary, poaching complaints and a rep's record. Thin adapters over
crm.reception."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from crm.accounts.roles import (
    DECIDE_COMPLAINT,
    EXPORT_REPORTS,
    FILE_COMPLAINT,
    MANAGE_ROTATION,
    REGISTER_VISIT,
    VIEW_RECORD,
    VIEW_VISIT,
)
from crm.core.errors import Conflict, Invalid
from crm.customers.selectors import assignable_owners
from crm.reception import selectors, services
from crm.reception.choices import SeatStatus
from crm.reception.models import Desk
from crm.web.base import FORM_ERRORS, CrmView, apply_domain_error, bad_request, form_error_status

from .forms import ComplaintForm, DecisionForm, LookupForm, PeriodForm, RotationForm, VisitForm


def _desk_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("desk") or request.POST.get("desk") or ""
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


def _back(request: HttpRequest, default: str) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return default


class DeskView(CrmView):
    """接待台: the rotation (serving, next, follows, away with make-up turns owed), the lookup
    (来过吗？谁接待过？) and the registration."""

    action = REGISTER_VISIT
    template_name = "web/reception/desk.html"
    partial_name = "board"

    def desk(self) -> Desk:
        wanted = _desk_id(self.request)
        if wanted is None:
            wanted = selectors.default_desk_department(actor=self.actor)
        return services.desk_for(actor=self.actor, action=REGISTER_VISIT, department_id=wanted)

    def page(
        self, desk: Desk, form: VisitForm | None = None, found: Any = None, looked: bool = False
    ) -> dict[str, Any]:
        reps = assignable_owners(actor=self.actor)
        return {
            "desk": desk,
            "desks": selectors.desks(actor=self.actor),
            "board": selectors.board(desk=desk, actor=self.actor),
            "form": form or VisitForm(reps=reps),
            "found": found,
            "looked": looked,
            "statuses": SeatStatus,
            "may_manage": self.actor.has_action(MANAGE_ROTATION),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page(self.desk()))

    def post(self, request: HttpRequest) -> HttpResponse:
        desk = self.desk()
        form = VisitForm(request.POST, reps=assignable_owners(actor=self.actor))
        if form.is_valid():
            try:
                visit = services.visit_register(
                    actor=self.actor,
                    data={**form.data_for_service(), "department": desk.department_id},
                )
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                served = visit.served_by.display_name if visit.served_by else _("（暂无人接待）")
                messages.success(
                    request,
                    _("已登记 %(name)s：%(how)s，由 %(rep)s 接待")
                    % {"name": visit.name, "how": visit.get_assignment_display(), "rep": served},
                )
                return redirect(f"{reverse('web:reception_desk')}?desk={desk.department_id}")
        page = self.page(desk, form)
        return self.render(page, status=form_error_status(form), template=self.template_name)


class LookupView(DeskView):
    """The lookup: by htmx, the result under the phone field; without, the page again with it
    (and the registration form as it was typed)."""

    partial_name = "found"

    def post(self, request: HttpRequest) -> HttpResponse:
        desk = self.desk()
        query = request.POST.get("query") or request.POST.get("phone") or ""
        lookup = LookupForm({"query": query})
        found, error = None, ""
        if lookup.is_valid():
            try:
                found = services.customer_lookup(actor=self.actor, data=lookup.cleaned_data)
            except Invalid as exc:
                error = exc.first_message
        reps = assignable_owners(actor=self.actor)
        form = VisitForm(request.POST, reps=reps) if "name" in request.POST else None
        page = self.page(desk, form, found=found, looked=True)
        page["lookup_error"] = error
        return self.render(page)


class SeatStatusView(CrmView):
    """A rep goes out, comes back, finishes with a customer or goes off."""

    action = MANAGE_ROTATION
    template_name = "web/reception/desk.html"

    def post(self, request: HttpRequest, seat_id: int) -> HttpResponse:
        try:
            seat = services.seat_set_status(
                actor=self.actor, seat_id=seat_id, data={"status": request.POST.get("status", "")}
            )
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        messages.success(
            request,
            _("%(name)s：%(status)s")
            % {"name": seat.user.display_name, "status": seat.get_status_display()},
        )
        return redirect(_back(request, reverse("web:reception_me")))


class RotationView(CrmView):
    """排序表: the reps of the showroom and their place in the rotation."""

    action = MANAGE_ROTATION
    template_name = "web/reception/rotation.html"

    def form(self, desk: Desk, data: Any = None) -> RotationForm:
        seats = selectors.board(desk=desk, actor=self.actor).seats
        seated = {s.user_id: i + 1 for i, s in enumerate(seats)}
        candidates = list(selectors.rotation_candidates(desk=desk))
        return RotationForm(data, candidates=candidates, seated=seated)

    def desk(self) -> Desk:
        wanted = _desk_id(self.request)
        if wanted is None:
            wanted = selectors.default_desk_department(actor=self.actor, action=MANAGE_ROTATION)
        return services.desk_for(actor=self.actor, action=MANAGE_ROTATION, department_id=wanted)

    def get(self, request: HttpRequest) -> HttpResponse:
        desk = self.desk()
        return self.render({"desk": desk, "form": self.form(desk)})

    def post(self, request: HttpRequest) -> HttpResponse:
        desk = self.desk()
        form = self.form(desk, request.POST)
        if form.is_valid():
            try:
                services.rotation_set(
                    actor=self.actor,
                    data={"users": form.users()},
                    department_id=desk.department_id,
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存接待顺序"))
                return redirect(f"{reverse('web:reception_desk')}?desk={desk.department_id}")
        return self.render({"desk": desk, "form": form}, status=form_error_status(form))


class MyReceptionView(CrmView):
    """A rep's own place in the rotation: status (在岗 / 外出 / 接待中 / 休息), make-up turns owed,
    today's receptions."""

    action = MANAGE_ROTATION
    template_name = "web/reception/me.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        seats = list(selectors.my_seats(actor=self.actor))
        visits = (
            selectors.visit_list(actor=self.actor, start=today, end=today)
            if self.actor.has_action(VIEW_VISIT)
            else []
        )
        return self.render({"seats": seats, "visits": visits, "statuses": SeatStatus})


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date] | None:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    if request.GET and not form.is_valid():
        return None
    data = form.cleaned_data if request.GET else {}
    start = data.get("start") or data.get("end") or today
    end = data.get("end") or start
    shown = PeriodForm(initial={"start": start, "end": end})  # the period as it was read
    return shown, start, end


class VisitListView(CrmView):
    """来电来访登记与汇总: a period's registrations, per day, rep, channel and source."""

    action = VIEW_VISIT
    template_name = "web/reception/visits.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        period = _period(request)
        if period is None:
            return bad_request(request, _("日期无效"))
        form, start, end = period
        try:
            summary = selectors.daily_summary(actor=self.actor, start=start, end=end)
            visits = list(selectors.visit_list(actor=self.actor, start=start, end=end)[:200])
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        return self.render(
            {
                "form": form,
                "summary": summary,
                "visits": visits,
                "may_export": self.actor.has_action(EXPORT_REPORTS),
                "query": request.GET.urlencode(),
            }
        )


class SummaryExportView(CrmView):
    action = EXPORT_REPORTS

    def get(self, request: HttpRequest) -> HttpResponse:
        period = _period(request)
        if period is None:
            return bad_request(request, _("日期无效"))
        _form, start, end = period
        try:
            export = services.summary_export(actor=self.actor, start=start, end=end)
        except Invalid as exc:
            return bad_request(request, exc.first_message)
        return export.response()


class ComplaintListView(CrmView):
    """抢客、争客、怠慢客户: complaints, filed by anyone at the showroom, decided by the manager."""

    action = FILE_COMPLAINT
    template_name = "web/reception/complaints.html"

    def page(
        self,
        form: ComplaintForm | None = None,
        failed: int | None = None,
        decision: DecisionForm | None = None,
    ) -> dict[str, Any]:
        rows = (
            list(selectors.complaint_list(actor=self.actor)[:200])
            if self.actor.has_action(VIEW_RECORD)
            else []
        )
        may_decide = self.actor.has_action(DECIDE_COMPLAINT)
        return {
            "rows": rows,
            "form": form or ComplaintForm(reps=selectors.colleagues(actor=self.actor)),
            "decision": decision or DecisionForm(),
            "failed": failed,
            "may_decide": may_decide,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ComplaintForm(request.POST, reps=selectors.colleagues(actor=self.actor))
        if form.is_valid():
            try:
                services.complaint_file(actor=self.actor, data=form.data_for_service())
            except FORM_ERRORS as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("投诉已登记，由经理查处"))
                return redirect("web:reception_complaints")
        return self.render(self.page(form), status=form_error_status(form))


class ComplaintDecideView(ComplaintListView):
    action = DECIDE_COMPLAINT

    def get(self, request: HttpRequest, complaint_id: int) -> HttpResponse:  # type: ignore[override]
        return redirect("web:reception_complaints")

    def post(self, request: HttpRequest, complaint_id: int) -> HttpResponse:  # type: ignore[override]
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_decide(
                    actor=self.actor,
                    complaint_id=complaint_id,
                    data={k: v for k, v in form.cleaned_data.items() if v != ""},
                )
            except (Invalid, Conflict) as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已查处"))
                return redirect("web:reception_complaints")
        page = self.page(decision=form, failed=complaint_id)
        return self.render(page, status=form_error_status(form))


class RecordView(CrmView):
    """A rep's reception record: receptions, courtesy receptions, credits of deals and the
    complaints with findings and penalties."""

    action = VIEW_RECORD
    template_name = "web/reception/record.html"

    def get(self, request: HttpRequest, user_id: int) -> HttpResponse:
        record = selectors.rep_record(actor=self.actor, user_id=user_id)
        return self.render({"record": record})
