"""Roles and permissions (角色与权限, system administrator), a user's role, and approvals (审批:
the general manager confirms grants that read others' customer data). Thin adapters over
crm.accounts.services and crm.governance.approvals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts import selectors, services
from crm.accounts.models import Role
from crm.accounts.roles import ACTIONS, MANAGE_ROLES, MANAGE_USERS
from crm.core.errors import Conflict, Invalid
from crm.core.permissions import Scope
from crm.governance import approvals
from crm.governance.models import ApprovalState
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import SCOPE_LABELS, SWITCH_LABELS, DecisionForm, RoleCreateForm, RoleForm, UserRoleForm


@dataclass(frozen=True)
class Grant:
    label: str
    scope: str
    scope_label: str


def grants_of(role: Role) -> list[Grant]:
    """What a role may do, in the catalogue's order, for the role list."""
    shown = []
    for action in ACTIONS:
        scope = role.scope_for(action.code)
        if scope == Scope.NONE:
            continue
        labels = SCOPE_LABELS if action.scoped else SWITCH_LABELS
        shown.append(Grant(str(action.label), scope, str(labels[scope])))
    return shown


class RoleListView(CrmView):
    """Every role with its members and grants; add a role."""

    action = MANAGE_ROLES
    template_name = "web/accounts/roles.html"

    def page(self, form: RoleCreateForm | None = None) -> dict[str, Any]:
        roles = selectors.role_overview(actor=self.actor)
        return {
            "roles": [(role, grants_of(role)) for role in roles],
            "form": form or RoleCreateForm(roles=selectors.role_list()),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = RoleCreateForm(request.POST, roles=selectors.role_list())
        if form.is_valid():
            try:
                role = services.role_create(actor=self.actor, **form.cleaned_data)
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已创建角色 %(name)s") % {"name": role.name})
                return redirect("web:role_edit", code=role.code)
        return self.render(self.page(form), status=form_error_status(form))


class RoleEditView(CrmView):
    """One role: its name and, per action, the data scope it grants."""

    action = MANAGE_ROLES
    template_name = "web/accounts/role_edit.html"

    def page(self, role: Role, form: RoleForm) -> dict[str, Any]:
        members = role.members.filter(is_active=True).count()
        return {"role": role, "form": form, "members": members}

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        role = selectors.role_get(actor=self.actor, code=code)
        return self.render(self.page(role, RoleForm(initial=RoleForm.initial_for(role))))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        role = selectors.role_get(actor=self.actor, code=code)
        form = RoleForm(request.POST)
        if form.is_valid():
            try:
                role, pending = services.role_update(
                    actor=self.actor, code=code, **form.service_data()
                )
            except Conflict as exc:
                form.add_error(None, str(exc.message))
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                if pending is not None:
                    messages.info(
                        request,
                        _("扩大查看客户数据的范围需总经理确认，已提交申请：%(title)s")
                        % {"title": pending.title},
                    )
                else:
                    messages.success(request, _("已保存角色 %(name)s") % {"name": role.name})
                return redirect("web:role_list")
        return self.render(self.page(role, form), status=form_error_status(form))


class RoleDeleteView(CrmView):
    action = MANAGE_ROLES

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            services.role_delete(actor=self.actor, code=code)
        except Invalid as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已删除角色"))
        return redirect("web:role_list")


class UserRoleView(CrmView):
    """Give a user another role (a role that reads others' customer data waits for the general
    manager's confirmation)."""

    action = MANAGE_USERS

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        form = UserRoleForm(request.POST, roles=selectors.role_list())
        if not form.is_valid():
            messages.error(request, _("角色无效"))
            return redirect("web:user_list")
        try:
            pending = services.user_set_role(
                actor=self.actor, user_id=user_id, role=form.cleaned_data["role"]
            )
        except Invalid as exc:
            messages.error(request, str(exc.message) if not exc.fields else _("角色无效"))
        else:
            if pending is not None:
                messages.info(request, _("已提交总经理确认：%(title)s") % {"title": pending.title})
            else:
                messages.success(request, _("已更改角色"))
        return redirect("web:user_list")


class ApprovalListView(CrmView):
    """审批: requests waiting for the actor's decision, and the actor's own requests."""

    template_name = "web/accounts/approvals.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            {
                "to_decide": approvals.approvals_to_decide(actor=self.actor),
                "mine": approvals.approvals_mine(actor=self.actor),
                "form": DecisionForm(),
            }
        )


class ApprovalDecideView(CrmView):
    def post(self, request: HttpRequest, request_id: int) -> HttpResponse:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择批准或驳回"))
            return redirect("web:approval_list")
        try:
            decided = approvals.approval_decide(
                actor=self.actor,
                request_id=request_id,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except Invalid as exc:
            messages.error(request, str(exc.message))
        else:
            step = approvals.current_step(decided)
            if decided.state == ApprovalState.PENDING and step is not None:
                messages.success(
                    request,
                    _("已批准本步，等待%(step)s审批：%(title)s")
                    % {"step": step.label, "title": decided.title},
                )
            else:
                messages.success(
                    request,
                    _("已处理：%(title)s（%(state)s）")
                    % {"title": decided.title, "state": decided.get_state_display()},
                )
        return redirect("web:approval_list")
