"""Reads of users, departments and tokens. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from crm.core.permissions import mine, require

from .models import ApiToken, Department, Role, User
from .roles import MANAGE_USERS


def user_list(*, actor: User) -> QuerySet[User]:
    """Every user, for the system administrator's user management page (403 for others)."""
    require(actor, MANAGE_USERS)
    return User.objects.select_related("department").order_by("department__path", "id")


def role_list() -> QuerySet[Role]:
    """Every role, for choosing a user's role and for the role settings page."""
    return Role.objects.all()


def department_list() -> QuerySet[Department]:
    return Department.objects.all()


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own API tokens that are still valid, newest first."""
    return mine(ApiToken.objects.filter(revoked_at__isnull=True), actor)


def user_names(ids: Iterable[int]) -> dict[int, str]:
    """Display names by user id (for showing who an id in an audit diff is)."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    users = User.objects.filter(pk__in=wanted).only("id", "username", "full_name")
    return {u.pk: u.display_name for u in users}


def department_names(ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return dict(Department.objects.filter(pk__in=wanted).values_list("id", "name"))
