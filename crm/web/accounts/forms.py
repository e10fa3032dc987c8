"""Sign-in, personal settings and user management forms (shape only; rules in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.accounts import services
from crm.accounts.inputs import PASSWORD_MAX_LENGTH, ProfileInput
from crm.accounts.models import Department, Role
from crm.accounts.roles import ACTIONS, Action
from crm.core.middleware import client_ip
from crm.core.permissions import Scope
from crm.web.inputs import form_field


class LoginForm(AuthenticationForm):
    """Django's sign-in form; after too many failures it says the account is locked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误"),
        "locked_out": _("登录失败次数过多，账户已临时锁定，请 %(minutes)d 分钟后再试"),
        "address_locked_out": _("此网络地址登录失败次数过多，请 %(minutes)d 分钟后再试"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")

    def get_invalid_login_error(self) -> ValidationError:
        if self.request is not None and services.is_address_locked_out(client_ip(self.request)):
            return ValidationError(
                self.error_messages["address_locked_out"],
                code="address_locked_out",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        if services.is_locked_out(self.cleaned_data.get("username") or ""):
            return ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        return super().get_invalid_login_error()


class ProfileForm(forms.Form):
    """One's own profile (``crm.accounts.inputs.ProfileInput``)."""

    full_name = form_field(ProfileInput, "full_name", label=_("姓名"))
    phone = form_field(ProfileInput, "phone", label=_("电话"))


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("确认新密码"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the rules (AUTH_PASSWORD_VALIDATORS), in the reader's language
        rules = password_validation.password_validators_help_texts()
        self.fields["new_password"].help_text = " ".join(str(r) for r in rules)

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
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("2–30 个字符：英文字母、数字和 _ . - @"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = form_field(ProfileInput, "full_name", label=_("姓名"))
    phone = form_field(ProfileInput, "phone", label=_("电话"))
    role = forms.ChoiceField(label=_("角色"), initial="rep")
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
        self.fields["role"].choices = [(r.code, r.label) for r in roles]  # type: ignore[attr-defined]


class UserEditForm(forms.Form):
    """A user's name, phone, department and role (system administrator)."""

    full_name = form_field(ProfileInput, "full_name", label=_("姓名"))
    phone = form_field(ProfileInput, "phone", label=_("电话"))
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("部门"), queryset=None, required=False, empty_label="—"
    )
    role = forms.ChoiceField(label=_("角色"), required=False)

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department],
        roles: QuerySet[Role],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", "—"), *((r.code, r.label) for r in roles)]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        department = data.get("department")
        return {
            "full_name": data.get("full_name") or "",
            "phone": data.get("phone") or "",
            "department": department.pk if department is not None else None,
            "role": data.get("role") or "",
        }


# --- roles and permissions (system administrator) ---------------------------------------------

SCOPE_LABELS = {
    Scope.NONE: _("无"),
    Scope.OWN: _("本人"),
    Scope.ASSIGNED: _("本人及分配给本人的"),
    Scope.DEPARTMENT: _("本部门及下级部门"),
    Scope.ALL: _("全部"),
}
SWITCH_LABELS = {Scope.NONE: _("无"), Scope.ALL: _("有")}


class RoleForm(forms.Form):
    """A role's name and, per action, the scope it grants (one select per action)."""

    name = forms.CharField(label=_("角色名称"), max_length=50)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for action in ACTIONS:
            labels = SCOPE_LABELS if action.scoped else SWITCH_LABELS
            self.fields[self.grant_field(action.code)] = forms.ChoiceField(
                label=str(action.label), choices=list(labels.items()), initial=Scope.NONE
            )

    @staticmethod
    def grant_field(code: str) -> str:
        return f"grant:{code}"

    def groups(self) -> list[tuple[str, list[tuple[Action, forms.BoundField]]]]:
        """The actions grouped as the page shows them (customers, follow-up, reports, admin)."""
        grouped: dict[str, list[tuple[Action, forms.BoundField]]] = {}
        for action in ACTIONS:
            grouped.setdefault(str(action.group), []).append(
                (action, self[self.grant_field(action.code)])
            )
        return list(grouped.items())

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        grants = {a.code: data[self.grant_field(a.code)] for a in ACTIONS}
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "version": data["version"],
            "grants": {code: scope for code, scope in grants.items() if scope != Scope.NONE},
        }

    @classmethod
    def initial_for(cls, role: Role) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": role.name,
            "description": role.description,
            "version": role.version,
        }
        for action in ACTIONS:
            initial[cls.grant_field(action.code)] = role.scope_for(action.code)
        return initial


class RoleCreateForm(forms.Form):
    code = forms.CharField(
        label=_("代码"),
        max_length=30,
        help_text=_("英文字母、数字和下划线，如 trainee"),
    )
    name = forms.CharField(label=_("角色名称"), max_length=50)
    copy_from = forms.ChoiceField(label=_("复制权限自"), required=False)

    def __init__(self, *args: Any, roles: QuerySet[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("（不复制，从无权限开始）")), *((r.code, r.label) for r in roles)]
        self.fields["copy_from"].choices = choices  # type: ignore[attr-defined]


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"))

    def __init__(self, *args: Any, roles: QuerySet[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.code, r.label) for r in roles]  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False)
