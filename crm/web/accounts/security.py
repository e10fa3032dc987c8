"""Two-factor sign-in pages: the code step after the password, enrolment from one's settings,
turning it off, new recovery codes, and the administrator's reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from crm.accounts import selectors, services, twofactor
from crm.accounts.middleware import MUST_ENROL
from crm.accounts.models import User
from crm.accounts.roles import MANAGE_USERS
from crm.core.errors import Invalid
from crm.web.base import CrmView, apply_domain_error, form_error_status

PENDING = "crm_pending_2fa"
PENDING_SECONDS = 300  # the password step counts this long for the code step


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=20,
        help_text=gettext_lazy("验证器应用中的 6 位数字，或一个恢复码"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("当前密码"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def signed_in(request: HttpRequest, user: User, backend: str) -> None:
    """The end of a sign-in, with or without a code: the session, its stamps, the audit row and,
    when the role requires two-factor sign-in and the user has none, the enrolment to come."""
    login(request, user, backend=backend)  # stamps the session (crm.accounts.middleware)
    if twofactor.is_required(user) and not twofactor.is_enrolled(user):
        request.session[MUST_ENROL] = True
    services.session_opened(actor=user)


def start_code_step(request: HttpRequest, user: User, next_url: str) -> None:
    """The password was right and the user has an authenticator: remember who, for a while."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "at": int(timezone.now().timestamp()),
        "next": next_url,
    }


class LoginCodeView(View):
    """The second step of a sign-in: a code from the authenticator app or a recovery code."""

    template_name = "web/login_code.html"

    def _pending(self, request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
        pending = request.session.get(PENDING)
        now = timezone.now().timestamp()
        if not isinstance(pending, dict) or now - pending.get("at", 0) > PENDING_SECONDS:
            request.session.pop(PENDING, None)
            return None
        user_id = pending.get("user")
        if not isinstance(user_id, int):
            return None
        user = selectors.pending_sign_in_user(user_id)
        return (user, pending) if user is not None else None

    def get(self, request: HttpRequest) -> HttpResponse:
        if self._pending(request) is None:
            return redirect("web:login")
        return render(request, self.template_name, {"form": CodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        found = self._pending(request)
        if found is None:
            messages.error(request, _("登录已超时，请重新输入用户名和密码"))
            return redirect("web:login")
        user, pending = found
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                ok = twofactor.verify(user=user, code=form.cleaned_data["code"])
            except twofactor.TooManyCodes:
                request.session.pop(PENDING, None)
                messages.error(request, _("验证码错误次数过多，请稍后再登录"))
                return redirect("web:login")
            if ok:
                request.session.pop(PENDING, None)
                signed_in(request, user, pending["backend"])
                next_url = str(pending.get("next") or "")
                if not url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    next_url = ""
                return redirect(next_url or "web:home")
            form.add_error("code", _("验证码不正确"))
        return render(request, self.template_name, {"form": form}, status=form_error_status(form))


class TwoFactorEnrolView(CrmView):
    """Enrol: the QR code and the key, confirmed with a first code; then the recovery codes."""

    template_name = "web/accounts/two_factor.html"
    open_before_password_change = True

    def page(self, form: CodeForm | None = None) -> dict[str, Any]:
        secret, uri = twofactor.enrol_start(actor=self.actor)
        return {
            "form": form or CodeForm(),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": twofactor.qr_svg(uri),
            "required": twofactor.is_required(self.actor),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if twofactor.is_enrolled(self.actor):
            return redirect("web:settings")
        return self.render(self.page())

    def post(self, request: HttpRequest) -> HttpResponse:
        if twofactor.is_enrolled(self.actor):
            return redirect("web:settings")
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = twofactor.enrol_confirm(actor=self.actor, code=form.cleaned_data["code"])
            except Invalid as exc:
                apply_domain_error(form, exc)
            else:
                request.session.pop(MUST_ENROL, None)
                return self.render({"codes": codes, "enrolled": True})
        return self.render(self.page(form), status=form_error_status(form))


class TwoFactorDisableView(CrmView):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            twofactor.disable(actor=self.actor, password=request.POST.get("password", ""))
        except Invalid as exc:
            messages.error(request, exc.first_message)
        else:
            messages.success(request, _("两步验证已关闭"))
        return redirect("web:settings")


class RecoveryCodesView(CrmView):
    """New recovery codes (the old ones stop working), shown once."""

    template_name = "web/accounts/two_factor.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            codes = twofactor.recovery_codes_renew(
                actor=self.actor, password=request.POST.get("password", "")
            )
        except Invalid as exc:
            messages.error(request, exc.first_message)
            return redirect("web:settings")
        return self.render({"codes": codes, "enrolled": True, "renewed": True})


class UserTwoFactorResetView(CrmView):
    """The system administrator removes a user's authenticator (lost phone and codes)."""

    action = MANAGE_USERS

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        try:
            user = twofactor.reset(actor=self.actor, user_id=user_id)
        except Invalid as exc:
            messages.error(request, exc.first_message)
        else:
            text = _("已重置用户 %(name)s 的两步验证")
            messages.success(request, text % {"name": user.username})
        return redirect("web:user_list")
