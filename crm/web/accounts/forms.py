"""Sign-in, personal settings and user management forms (shape only; rules in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.accounts import services
from crm.accounts.models import Department, Role


class LoginForm(AuthenticationForm):
    """Django's sign-in form; after too many failures it says the account is locked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误"),
        "locked_out": _("登录失败次数过多，账户已临时锁定，请 %(minutes)d 分钟后再试"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def get_invalid_login_error(self) -> ValidationError:
        if services.is_locked_out(self.cleaned_data.get("username") or ""):
            return ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        return super().get_invalid_login_error()


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("确认新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_again") != data["new_password"]:
            self.add_error("new_password_again", _("两次输入的新密码不一致"))
        return data

    def service_data(self) -> dict[str, str]:
        return {
            "old_password": self.cleaned_data["old_password"],
            "new_password": self.cleaned_data["new_password"],
        }


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：报表脚本")}),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"))
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("部门"), queryset=None, required=False, empty_label="—"
    )
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department],
        roles: QuerySet[Role],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["role"].choices = [(r.code, r.name) for r in roles]  # type: ignore[attr-defined]
