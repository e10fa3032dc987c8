from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from crm.core.permissions import Scope

from .roles import ROLE_ACTIONS, ROLE_SCOPE, Role


class Department(models.Model):
    """A node of the company's department tree. ``path`` (``/1/4/``) makes subtree lookups cheap."""

    name = models.CharField("名称", max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级部门",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_data_management = models.BooleanField("数据管理部门", default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = verbose_name_plural = "部门"

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> list[int]:
        return list(
            Department.objects.filter(path__startswith=self.path).values_list("id", flat=True)
        )


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.REP)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="部门",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    # --- the actor protocol used by crm.core.permissions ---------------------------------
    @property
    def actions(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        return ROLE_ACTIONS.get(self.role, frozenset())

    def has_action(self, action: str) -> bool:
        return action in self.actions

    @property
    def data_scope(self) -> str:
        return ROLE_SCOPE.get(self.role, Scope.NONE) if self.is_active else Scope.NONE

    @cached_property
    def _scope_department_ids(self) -> tuple[int, ...]:
        if self.department is None:
            return ()
        return tuple(self.department.subtree_ids())

    def scope_department_ids(self) -> tuple[int, ...]:
        return self._scope_department_ids


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginAttempt(models.Model):
    """Sign-in attempts, for the lock-out rule (5 failures in 15 minutes)."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["username", "created_at"])]

    def __str__(self) -> str:
        return f"{self.username} {'ok' if self.succeeded else 'fail'} {self.created_at}"
