"""The hand-over's pages (交接): the hand-overs, starting one, and its printable record (交接单)
with the director's signature. Thin: the rules are crm.handover's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import APPROVE_HANDOVER, START_HANDOVER, VIEW_HANDOVER
from crm.core.errors import DomainError, Invalid, PermissionDenied, StateConflict
from crm.core.permissions import has_action
from crm.handover import selectors, services
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import HandoverForm, SignForm


class HandoverListView(CrmView):
    """交接: the hand-overs of the actor's departments (all, for the data administrator)."""

    action = VIEW_HANDOVER
    template_name = "web/handover/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            {
                "handovers": selectors.handover_list(actor=self.actor),
                "may_start": has_action(self.actor, START_HANDOVER),
            }
        )


class HandoverStartView(CrmView):
    """发起交接: a rep who leaves or moves, to whom, how split, why."""

    action = START_HANDOVER
    template_name = "web/handover/start.html"

    def form(self, data: Any = None) -> HandoverForm:
        return HandoverForm(
            data,
            leavers=selectors.leavers(actor=self.actor),
            receivers=selectors.receivers(actor=self.actor),
            initial={"leaver": self.request.GET.get("leaver", "")},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"form": self.form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                handover = services.handover_start(actor=self.actor, data=form.cleaned_data)
            except (Invalid, StateConflict) as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已发起交接，等待总监签字"))
                return redirect("web:handover_detail", handover.pk)
        return self.render({"form": form}, status=form_error_status(form))


class HandoverDetailView(CrmView):
    """交接单: who, to whom, which customers, the signature lines; printable."""

    action = None
    template_name = "web/handover/detail.html"

    def page(self, handover_id: int, form: SignForm | None = None) -> dict[str, Any]:
        if not (has_action(self.actor, VIEW_HANDOVER) or has_action(self.actor, APPROVE_HANDOVER)):
            raise PermissionDenied()
        handover = services.handover_open(actor=self.actor, handover_id=handover_id)
        parts = selectors.handover_parts(handover)
        return {
            "handover": handover,
            "parts": parts,
            "total": sum(len(p.items) for p in parts),
            "may_sign": selectors.may_sign(self.actor, handover),
            "form": form or SignForm(),
        }

    def get(self, request: HttpRequest, handover_id: int) -> HttpResponse:
        return self.render(self.page(handover_id))

    def post(self, request: HttpRequest, handover_id: int) -> HttpResponse:
        form = SignForm(request.POST)
        approve = request.POST.get("decision") == "approve"
        if form.is_valid():
            try:
                handover = services.handover_decide(
                    actor=self.actor,
                    handover_id=handover_id,
                    approve=approve,
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("交接单已签字，客户已移交")
                    if handover.state == "done"
                    else _("交接单：%(state)s") % {"state": handover.get_state_display()},
                )
                return redirect("web:handover_detail", handover_id)
        return self.render(self.page(handover_id, form), status=form_error_status(form) or 422)
