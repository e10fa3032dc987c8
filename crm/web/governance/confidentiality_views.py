"""Confidentiality levels (密级) in the browser: the data administrator's settings page, the
reveal button of a masked field (htmx) and the access log (查阅登记) with its Excel export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts import selectors as accounts
from crm.accounts.roles import MANAGE_CONFIDENTIALITY, REVEAL_FIELD, VIEW_AUDIT
from crm.core.errors import Invalid
from crm.core.permissions import Scope
from crm.governance import masking, selectors, services
from crm.governance.confidentiality import FIELD_GROUPS, Clearance, Level
from crm.reports.exports import CONTENT_TYPE
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import AuditFilterForm
from .presenters import verb_labels
from .views import AuditListView

SCOPE_LABELS = (
    (Scope.OWN, gettext_lazy("本人的客户")),
    (Scope.ASSIGNED, gettext_lazy("本人及共享给本人的客户")),
    (Scope.DEPARTMENT, gettext_lazy("本部门的客户")),
    (Scope.ALL, gettext_lazy("全部客户")),
)


class ConfidentialityForm(forms.Form):
    """One level per field group, one level and scope per role."""

    def __init__(self, data: QueryDict | None, *, roles: list[Any]) -> None:
        super().__init__(data)
        levels = masking.group_levels()
        self.roles = roles
        for g in FIELD_GROUPS:
            self.fields[f"group_{g.code}"] = forms.TypedChoiceField(
                label=g.label, choices=Level.choices, coerce=int, initial=int(levels[g.code])
            )
        for role in roles:
            clearance = masking.role_clearance(role.code)
            self.fields[f"level_{role.code}"] = forms.TypedChoiceField(
                label=role.label, choices=Level.choices, coerce=int, initial=int(clearance.level)
            )
            self.fields[f"scope_{role.code}"] = forms.ChoiceField(
                label=_("适用范围"),
                choices=SCOPE_LABELS,
                initial=clearance.scope if clearance.scope != Scope.NONE else Scope.ALL,
            )

    def groups(self) -> list[tuple[Any, Any]]:
        return [(g, self[f"group_{g.code}"]) for g in FIELD_GROUPS]

    def role_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(r, self[f"level_{r.code}"], self[f"scope_{r.code}"]) for r in self.roles]

    def levels(self) -> dict[str, int]:
        return {g.code: self.cleaned_data[f"group_{g.code}"] for g in FIELD_GROUPS}

    def clearances(self) -> dict[str, Clearance]:
        return {
            r.code: Clearance(
                Level(self.cleaned_data[f"level_{r.code}"]), self.cleaned_data[f"scope_{r.code}"]
            )
            for r in self.roles
        }


class ConfidentialitySettingsView(CrmView):
    action = MANAGE_CONFIDENTIALITY
    template_name = "web/governance/confidentiality.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"form": ConfidentialityForm(None, roles=self._roles())})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConfidentialityForm(request.POST, roles=self._roles())
        if form.is_valid():
            try:
                services.confidentiality_update(
                    actor=self.actor, levels=form.levels(), clearances=form.clearances()
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存密级设置"))
                return redirect("web:confidentiality_settings")
        return self.render({"form": form}, status=form_error_status(form))

    def _roles(self) -> list[Any]:
        return list(accounts.role_list())


class RevealFieldView(CrmView):
    """POST: the masked field's value, in place of the mask (htmx); the reveal is logged."""

    action = REVEAL_FIELD
    template_name = "web/governance/_revealed.html"

    def post(self, request: HttpRequest, customer_id: int, field: str) -> HttpResponse:
        value = services.reveal_field(actor=self.actor, customer_id=customer_id, field=field)
        return self.render({"value": value, "field": field})


ACCESS_KINDS = (
    ("", gettext_lazy("全部查阅、查看与导出")),
    ("viewed", gettext_lazy("查阅")),
    ("revealed", gettext_lazy("查看被遮挡字段")),
    ("exported", gettext_lazy("导出")),
)


class AccessFilterForm(AuditFilterForm):
    """The audit viewer's filters, with the kind of access in place of the verb."""

    kind = forms.ChoiceField(required=False, label=gettext_lazy("类型"), choices=ACCESS_KINDS)
    FILTERS = ("actor", "customer", "kind", "since", "until")

    def filters(self) -> selectors.AuditFilters:
        kind = self.value("kind") or ""
        return selectors.AuditFilters(
            actor=self.value("actor"),
            customer=self.value("customer"),
            kind=kind,
            verbs=selectors.access_verbs(kind, verb_labels()),
            since=self.value("since"),
            until=self.value("until"),
        )


def _form(request: HttpRequest) -> AccessFilterForm:
    return AccessFilterForm(request.GET, users=accounts.user_options(), verbs=[])


class AccessLogView(AuditListView):
    """查阅登记: who viewed, revealed or exported which customers, and when (the audit viewer
    with the kind of access in place of the verb)."""

    template_name = "web/governance/access_log.html"

    def form(self, request: HttpRequest) -> AccessFilterForm:
        return _form(request)


class AccessLogExportView(CrmView):
    """The access log under the page's filters as an Excel file (the export is logged)."""

    action = VIEW_AUDIT

    def get(self, request: HttpRequest) -> HttpResponse:
        form = _form(request)
        if form.errors:
            return redirect(f"{request.path.removesuffix('export/')}?{form.query()}")
        content, _count = services.access_log_export(
            actor=self.actor, filters=form.filters(), labels=verb_labels()
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.xlsx"'
        return response
