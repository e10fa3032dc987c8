"""The verification's pages (数据核查): the rounds and a new one (data administrator), a round's
progress, and each rep's records to verify. Thin: the rules are crm.verification's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts.roles import MANAGE_VERIFICATION, VERIFY_RECORD
from crm.accounts.selectors import department_list
from crm.core.errors import DomainError, Invalid, NotFound, StateConflict
from crm.verification import selectors, services
from crm.verification.models import ItemState
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import NoteForm, RoundForm


class RoundListView(CrmView):
    """数据核查: the rounds, and a new one."""

    action = MANAGE_VERIFICATION
    template_name = "web/verification/list.html"

    def page(self, form: RoundForm | None = None) -> dict[str, Any]:
        rounds = selectors.round_list(actor=self.actor)
        return {
            "rounds": [(r, selectors.round_totals(r)) for r in rounds],
            "form": form or RoundForm(departments=department_list()),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RoundForm(request.POST, departments=department_list())
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            data["unverified_only"] = form.cleaned_data["unverified_only"]
            try:
                round_ = services.round_open(actor=self.actor, data=data)
            except (Invalid, StateConflict) as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已发起核查，%(n)d 个客户") % {"n": round_.total})
                return redirect("web:verification_round", round_.pk)
        return self.render(self.page(form), status=form_error_status(form))


class RoundView(CrmView):
    """One round's progress: per department and rep, the unconfirmed, the corrected."""

    action = MANAGE_VERIFICATION
    template_name = "web/verification/round.html"

    def get(self, request: HttpRequest, round_id: int) -> HttpResponse:
        round_ = selectors.round_get(actor=self.actor, round_id=round_id)
        if round_ is None:
            raise NotFound()
        return self.render(
            {
                "round": round_,
                "totals": selectors.round_totals(round_),
                "by_department": selectors.progress_by_department(round_),
                "by_rep": selectors.progress_by_rep(round_),
                "overdue": selectors.overdue(round_),
                "outstanding": selectors.items(round_, state=ItemState.PENDING, limit=100),
                "corrected": selectors.items(round_, state=ItemState.CORRECTED, limit=100),
            }
        )

    def post(self, request: HttpRequest, round_id: int) -> HttpResponse:
        try:
            if request.POST.get("do") == "close":
                services.round_close(actor=self.actor, round_id=round_id)
                messages.success(request, _("核查已关闭"))
            else:
                n = services.round_remind(actor=self.actor, round_id=round_id)
                messages.success(request, _("已提醒 %(n)d 人") % {"n": n})
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, exc.first_message)
        return redirect("web:verification_round", round_id)


class MineView(CrmView):
    """待核查: the records waiting for the actor, to confirm or correct."""

    action = VERIFY_RECORD
    template_name = "web/verification/mine.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        items, count = selectors.my_items(actor=self.actor)
        return self.render({"items": items, "count": count, "form": NoteForm()})


class ItemView(CrmView):
    """Confirm (确认无误) or mark corrected (已更正, after editing the customer) one record."""

    action = VERIFY_RECORD

    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            if request.POST.get("do") == "corrected":
                services.item_correct(actor=self.actor, item_id=item_id, data={"note": note})
                messages.success(request, _("已记为更正"))
            else:
                services.item_confirm(actor=self.actor, item_id=item_id, data={"note": note})
                messages.success(request, _("已确认"))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, exc.first_message)
        return redirect("web:verification_mine")
