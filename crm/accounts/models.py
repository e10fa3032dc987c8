from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.core.permissions import Policy, Scope


class Department(models.Model):
    """A node of the company's department tree. ``path`` (``/1/4/``) makes subtree lookups cheap."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级部门"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_data_management = models.BooleanField(_("数据管理部门"), default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = pgettext_lazy("model", "部门")
        verbose_name_plural = pgettext_lazy("model plural", "部门")

    def __str__(self) -> str:
        return self.name

    # a department is its own department: a manager's department scope covers its subtree
    policy = Policy(department="pk")

    def subtree_ids(self) -> list[int]:
        return list(
            Department.objects.filter(path__startswith=self.path).values_list("id", flat=True)
        )


class Role(models.Model):
    """A role: the actions it grants, each with a data scope (``{action: scope}``).

    Roles are data: the system administrator edits them (crm.accounts.services.role_update); the
    defaults of crm.accounts.roles are loaded by a migration. ``version`` detects concurrent edits.
    """

    code = models.SlugField(_("代码"), max_length=30, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True, default="")
    grants = models.JSONField(_("权限"), default=dict, blank=True)
    builtin = models.BooleanField(_("系统预置"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("model", "角色")
        verbose_name_plural = pgettext_lazy("model plural", "角色")

    def __str__(self) -> str:
        return self.name

    def scope_for(self, action: str) -> str:
        scope = self.grants.get(action, Scope.NONE) if isinstance(self.grants, dict) else None
        return scope if scope in Scope.ORDER else Scope.NONE

    @property
    def label(self) -> str:
        """The name to show: a shipped role under its shipped name speaks the user's language."""
        from .roles import BuiltinRole

        if self.builtin and self.code in BuiltinRole.values:
            shipped = BuiltinRole(self.code).label
            with translation.override(None):
                untranslated = str(shipped)
            if self.name == untranslated:
                return str(shipped)
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    # NULL: no role (yet): a grant waiting for the general manager's confirmation, or none
    role = models.ForeignKey(
        Role,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        db_column="role",
        verbose_name=_("角色"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("部门"),
    )
    # set when an administrator sets the password (重置密码): until the user chooses their own,
    # every page leads to the password change and no API token opens anything
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # when the current password was chosen (NULL: before this was kept; date_joined counts)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = pgettext_lazy("model", "用户")
        verbose_name_plural = pgettext_lazy("model plural", "用户")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    # a user row is its own: "own" scope over users is oneself, "department" the colleagues
    policy = Policy(owner="pk", department="department")

    # --- the actor protocol used by crm.core.permissions ---------------------------------
    def scope_for(self, action: str) -> str:
        if not self.is_active or self.role is None:
            return Scope.NONE
        return self.role.scope_for(action)

    def has_action(self, action: str) -> bool:
        return self.scope_for(action) != Scope.NONE

    @property
    def grants(self) -> dict[str, str]:
        """Every action the user holds, with its scope."""
        if not self.is_active or self.role is None:
            return {}
        return {a: s for a, s in self.role.grants.items() if self.role.scope_for(a) != Scope.NONE}

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(self.grants)

    @property
    def role_name(self) -> str:
        return self.role.label if self.role is not None else ""

    @cached_property
    def _scope_department_ids(self) -> tuple[int, ...]:
        if self.department is None:
            return ()
        return tuple(self.department.subtree_ids())

    def scope_department_ids(self) -> tuple[int, ...]:
        return self._scope_department_ids


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once.

    A token is valid while it is not revoked, younger than ``API_TOKEN_MAX_AGE_DAYS`` and its
    ``password_stamp`` matches its user's password: any password change (the user's own, an
    administrator's reset, ``crm changepassword``) ends every token issued before it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    password_stamp = models.CharField(max_length=32, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    policy = Policy(owner="user")

    class Meta:
        ordering = ["-id"]
        verbose_name = pgettext_lazy("model", "API 令牌")
        verbose_name_plural = pgettext_lazy("model plural", "API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def max_age() -> timedelta:
        return timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)

    @staticmethod
    def stamp_for(user: User) -> str:
        """A fingerprint of the user's current password hash (never the hash itself)."""
        return hashlib.sha256(f"crm-api-token:{user.password}".encode()).hexdigest()[:32]

    @property
    def expires_at(self) -> datetime:
        return self.created_at + self.max_age()


class LoginThrottle(models.Model):
    """The lock-out counter of one username (5 failures within 15 minutes lock it).

    Its row is also the lock that serialises concurrent sign-ins of that username: an attempt
    is counted here, committed, and only then is its password hashed.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.username} {self.failures}"


class LoginAttempt(models.Model):
    """Sign-in attempts of the lock-out window (older ones are pruned; the audit log keeps the
    failures)."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["username", "created_at"]),
            models.Index(fields=["ip", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.username  # the subject of a failed sign-in's audit row


class PasswordHistory(models.Model):
    """The hash of a password a user had (crm.accounts.validators.PasswordHistoryValidator): a
    new password must not be one of the last few. Only hashes, as in ``User.password``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    # a user's own sign-in secrets: theirs (read through owned_by, never another scope)
    policy = Policy(owner="user")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return str(self.user)


class TwoFactor(models.Model):
    """A user's TOTP authenticator (两步验证). The shared secret is encrypted with a key derived
    from SECRET_KEY (crm.accounts.secretbox), so neither a database dump nor the audit log (which
    only ever names the user) gives it away. ``confirmed_at`` is NULL while enrolment waits for
    the first code; ``last_step`` refuses a code that was already used (replay)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.TextField(editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # a user's own sign-in secrets: theirs (read through owned_by, never another scope)
    policy = Policy(owner="user")

    class Meta:
        verbose_name = pgettext_lazy("model", "两步验证")
        verbose_name_plural = pgettext_lazy("model plural", "两步验证")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator (lost phone). Only its keyed hash
    (HMAC-SHA256 with a key derived from SECRET_KEY) is kept; ``used_at`` once used."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # a user's own sign-in secrets: theirs (read through owned_by, never another scope)
    policy = Policy(owner="user")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.user)
