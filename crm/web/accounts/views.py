"""Sign-in, the home redirect, personal settings (profile, password, API tokens) and the system
administrator's user management."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crm.accounts import passwords, selectors, services, twofactor
from crm.accounts.models import User
from crm.accounts.roles import (
    MANAGE_PLAN,
    MANAGE_USERS,
    REGISTER_VISIT,
    VIEW_CUSTOMER,
    VIEW_ORDER,
    VIEW_TEAM_DAY,
)
from crm.core.errors import Invalid
from crm.core.permissions import Scope, scope_of
from crm.web.base import CrmView, apply_domain_error, form_error_status

from .forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
    UserRoleForm,
)
from .security import PasswordConfirmForm, signed_in, start_code_step


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user: User = form.get_user()  # type: ignore[assignment]
        if twofactor.is_enrolled(user):  # the password was right; now the code
            start_code_step(self.request, user, self.get_success_url())
            return redirect("web:login_code")
        signed_in(self.request, user, getattr(user, "backend", ""))
        return HttpResponseRedirect(self.get_success_url())


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            services.session_closed(actor=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


class HomeView(CrmView):
    """The first page after sign-in: the day's work for those who follow up customers of their
    own, their department or assigned to them (reps, managers, service staff), the company's
    figures for whoever leads the whole company's sales (the general manager: 夕会 over all),
    the customer list for the others who look after all customers, user management for the
    system administrator."""

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        if scope_of(self.actor, MANAGE_PLAN) in {Scope.OWN, Scope.ASSIGNED, Scope.DEPARTMENT}:
            return redirect("web:today")
        if scope_of(self.actor, VIEW_TEAM_DAY) == Scope.ALL:
            return redirect("web:report_overview")
        if self.actor.has_action(REGISTER_VISIT) and not self.actor.has_action(VIEW_CUSTOMER):
            return redirect("web:reception_desk")  # the front desk
        if self.actor.has_action(VIEW_CUSTOMER):
            return redirect("web:customer_list")
        if self.actor.has_action(VIEW_ORDER):
            return redirect("web:order_reviews")  # the contract reviewers (品质部, 采购部 …)
        if self.actor.has_action(MANAGE_USERS):
            return redirect("web:user_list")
        return redirect("web:settings")


class SettingsView(CrmView):
    """Personal settings. The page holds three forms; each posts to its own URL (the subclasses
    below) and a form with errors is shown again in place of its blank twin."""

    template_name = "web/accounts/settings.html"
    open_before_password_change = True

    def page(self, **overrides: Any) -> dict[str, Any]:
        actor = self.actor
        context: dict[str, Any] = {
            "profile_form": ProfileForm(
                initial={"full_name": actor.full_name, "phone": actor.phone}
            ),
            "password_form": PasswordForm(),
            "token_form": TokenForm(),
            "tokens": selectors.token_list(actor=actor),
            "token_days": settings.API_TOKEN_MAX_AGE_DAYS,
            "new_token": None,
            "password_expired": passwords.is_expired(actor),
            "two_factor": twofactor.is_enrolled(actor),
            "two_factor_required": twofactor.is_required(actor),
            "recovery_left": twofactor.recovery_codes_left(actor),
            "confirm_form": PasswordConfirmForm(),
        }
        context.update(overrides)
        return context

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(actor=self.actor, **form.cleaned_data)
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("个人资料已保存"))
                return redirect("web:settings")
        return self.render(self.page(profile_form=form), status=form_error_status(form))


class PasswordChangeView(SettingsView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("web:settings")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PasswordForm(request.POST)
        was_temporary = self.actor.must_change_password
        if form.is_valid():
            try:
                services.password_change(actor=self.actor, **form.service_data())
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                update_session_auth_hash(request, self.actor)  # stay signed in
                messages.success(request, _("密码已修改"))
                return redirect("web:home" if was_temporary else "web:settings")
        return self.render(self.page(password_form=form), status=form_error_status(form))


class TokenCreateView(SettingsView):
    """Issue an API token and show it this once (only its hash is kept)."""

    open_before_password_change = False

    def get(self, request: HttpRequest) -> HttpResponse:
        return redirect("web:settings")

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.render(self.page(token_form=form), status=form_error_status(form))
        key = services.token_issue(actor=self.actor, name=form.cleaned_data["name"] or "网页创建")
        return self.render(self.page(new_token=key))


class TokenRevokeView(CrmView):
    def post(self, request: HttpRequest, token_id: int) -> HttpResponse:
        services.token_revoke(actor=self.actor, token_id=token_id)
        messages.success(request, _("令牌已吊销"))
        return redirect("web:settings")


class UserListView(CrmView):
    """User management (system administrator): everyone with role and department; add a user."""

    action = MANAGE_USERS
    template_name = "web/accounts/users.html"

    def page(self, form: UserCreateForm | None = None) -> dict[str, Any]:
        roles = selectors.role_list()
        return {
            "users": selectors.user_list(actor=self.actor),
            "locked": selectors.locked_usernames(),
            "two_factor": twofactor.enrolled_ids(),
            "pending": selectors.pending_roles(),
            "role_form": UserRoleForm(roles=roles),
            "form": form
            or UserCreateForm(departments=selectors.department_list(), roles=selectors.role_list()),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UserCreateForm(
            request.POST, departments=selectors.department_list(), roles=selectors.role_list()
        )
        if form.is_valid():
            try:
                user = services.user_create(actor=self.actor, **form.cleaned_data)
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已创建用户 %(name)s") % {"name": user.username})
                return redirect("web:user_list")
        return self.render(self.page(form), status=form_error_status(form))


class UserPasswordResetView(CrmView):
    """Set a user's password for them (重置密码): the user's API tokens end with the old one."""

    action = MANAGE_USERS

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        password = request.POST.get("password", "")
        try:
            user = services.user_password_reset(
                actor=self.actor, user_id=user_id, new_password=password
            )
        except Invalid as exc:
            reasons = " ".join(str(m) for m in exc.fields.values())
            messages.error(request, reasons or str(exc.message))
        else:
            text = _("已重置用户 %(name)s 的密码；其 API 令牌已全部失效")
            messages.success(request, text % {"name": user.username})
        return redirect("web:user_list")


class UserActiveView(CrmView):
    """Deactivate (停用) or reactivate (启用) a user."""

    action = MANAGE_USERS

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        active = request.POST.get("active") == "1"
        try:
            user = services.user_set_active(actor=self.actor, user_id=user_id, active=active)
        except Invalid as exc:
            messages.error(request, str(exc.message))
        else:
            text = _("已启用用户 %(name)s") if active else _("已停用用户 %(name)s")
            messages.success(request, text % {"name": user.username})
        return redirect("web:user_list")


class UserEditView(CrmView):
    """Edit a user (编辑): name, phone, department and role."""

    action = MANAGE_USERS
    template_name = "web/accounts/user_edit.html"

    def _form(self, data: Any = None, initial: dict[str, Any] | None = None) -> UserEditForm:
        return UserEditForm(
            data,
            initial=initial,
            departments=selectors.department_list(),
            roles=selectors.role_list(),
        )

    def get(self, request: HttpRequest, user_id: int) -> HttpResponse:
        user = selectors.user_get(actor=self.actor, user_id=user_id)
        initial = {
            "full_name": user.full_name,
            "phone": user.phone,
            "department": user.department_id,
            "role": user.role_id or "",
        }
        return self.render({"subject": user, "form": self._form(initial=initial)})

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        user = selectors.user_get(actor=self.actor, user_id=user_id)
        form = self._form(request.POST)
        if form.is_valid():
            try:
                user, pending = services.user_update(
                    actor=self.actor, user_id=user_id, **form.service_data()
                )
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存用户 %(name)s") % {"name": user.username})
                if pending is not None:
                    messages.info(request, _("新角色可查看客户数据，已提交总经理确认"))
                return redirect("web:user_list")
        return self.render({"subject": user, "form": form}, status=form_error_status(form))


class UserUnlockView(CrmView):
    """Lift a sign-in lock-out (解锁) before it ends by itself."""

    action = MANAGE_USERS

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        try:
            user = services.user_unlock(actor=self.actor, user_id=user_id)
        except Invalid as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已解除用户 %(name)s 的登录锁定") % {"name": user.username})
        return redirect("web:user_list")
