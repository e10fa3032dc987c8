"""Data migrations that give the shipped roles a new action: one helper, so each such migration
says only the action and which shipped role gets it with which scope. Roles the company made
itself, and shipped roles that already hold the action, are left as they are."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Step = Callable[[Any, Any], None]


def grant_to_builtin(action: str, scopes: Mapping[str, str]) -> tuple[Step, Step]:
    """``RunPython`` steps that grant ``action`` to the shipped roles named in ``scopes`` (role
    code → scope), and take it back."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        Role = apps.get_model("accounts", "Role")
        for role in Role.objects.filter(code__in=scopes, builtin=True):
            if action not in role.grants:
                role.grants = {**role.grants, action: scopes[role.code]}
                role.version += 1
                role.save(update_fields=["grants", "version"])

    def backwards(apps: Any, schema_editor: Any) -> None:
        Role = apps.get_model("accounts", "Role")
        for role in Role.objects.filter(code__in=scopes, builtin=True):
            role.grants = {k: v for k, v in role.grants.items() if k != action}
            role.save(update_fields=["grants"])

    return forwards, backwards
