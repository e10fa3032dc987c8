"""Data migrations that give the shipped roles a new action: one helper, so each such migration
says only the action and which shipped role gets it with which scope. Roles the company made
itself, and shipped roles that already hold the action, are left as they are."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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


def rescope_builtin(
    actions: Iterable[str], role: str, before: str, after: str
) -> tuple[Step, Step]:
    """``RunPython`` steps that move the shipped ``role``'s ``actions`` from scope ``before`` to
    ``after`` (and back). An action the company set to another scope is left as it is."""
    codes = tuple(actions)

    def move(apps: Any, frm: str, to: str, bump: bool) -> None:
        Role = apps.get_model("accounts", "Role")
        for row in Role.objects.filter(code=role, builtin=True):
            grants = {k: (to if k in codes and v == frm else v) for k, v in row.grants.items()}
            if grants != row.grants:
                row.grants = grants
                row.version += bump
                row.save(update_fields=["grants", "version"])

    def forwards(apps: Any, schema_editor: Any) -> None:
        move(apps, before, after, True)

    def backwards(apps: Any, schema_editor: Any) -> None:
        move(apps, after, before, False)

    return forwards, backwards
