"""Reads of users, departments and tokens. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from crm.core.errors import NotFound
from crm.core.permissions import mine, require
from crm.governance.models import ApprovalRequest, ApprovalState

from .models import ApiToken, Department, LoginThrottle, Role, User
from .roles import MANAGE_ROLES, MANAGE_USERS, BuiltinRole


def user_list(*, actor: User) -> QuerySet[User]:
    """Every user, for the system administrator's user management page (403 for others)."""
    require(actor, MANAGE_USERS)
    return User.objects.select_related("department", "role").order_by("department__path", "id")


def user_get(*, actor: User, user_id: int) -> User:
    """One user, for the system administrator (403 for others, 404 when there is none)."""
    user = user_list(actor=actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def role_list() -> QuerySet[Role]:
    """Every role, for choosing a user's role and for the role settings page."""
    return Role.objects.all()


def role_overview(*, actor: User) -> QuerySet[Role]:
    """Every role with its number of active members (role settings, 403 for others): the
    shipped roles first, in the order of a company's hierarchy, then the company's own."""
    require(actor, MANAGE_ROLES)
    active = Count("members", filter=Q(members__is_active=True))
    shipped = Case(
        *(When(code=code, then=Value(i)) for i, code in enumerate(BuiltinRole.values)),
        default=Value(len(BuiltinRole.values)),
    )
    return Role.objects.annotate(active_members=active, rank=shipped).order_by("rank", "name")


def role_get(*, actor: User, code: str) -> Role:
    require(actor, MANAGE_ROLES)
    role = Role.objects.filter(pk=code).first()
    if role is None:
        raise NotFound()
    return role


def pending_roles() -> dict[int, str]:
    """Roles waiting for the general manager's confirmation, by user id (the user list shows
    them next to the role the user has now)."""
    pending = ApprovalRequest.objects.filter(
        kind="accounts.user_role", state=ApprovalState.PENDING
    ).values_list("payload", flat=True)
    codes = {p.get("user"): p.get("role") for p in pending if isinstance(p, dict)}
    labels = {r.code: r.label for r in Role.objects.filter(pk__in=set(codes.values()))}
    return {int(u): labels[c] for u, c in codes.items() if isinstance(u, int) and c in labels}


def user_options() -> QuerySet[User]:
    """Every user by department, for pickers that name a person (e.g. the audit viewer's)."""
    return User.objects.select_related("department").order_by("department__path", "id")


def department_list() -> QuerySet[Department]:
    return Department.objects.all()


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own API tokens that are still valid, newest first (not revoked, not past
    their age, issued since the password last changed); ``expires_at`` is when each ends."""
    valid = ApiToken.objects.filter(
        revoked_at__isnull=True,
        created_at__gt=timezone.now() - ApiToken.max_age(),
        password_stamp=ApiToken.stamp_for(actor),
    )
    return mine(valid, actor)


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


def locked_usernames() -> set[str]:
    """The usernames (lower-cased, as the lock-out counts them) locked out right now."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return set(
        LoginThrottle.objects.filter(
            last_failure_at__gt=since, failures__gte=settings.LOGIN_LOCKOUT_ATTEMPTS
        ).values_list("username", flat=True)
    )


def pending_sign_in_user(user_id: int) -> User | None:
    """The active user whose password was right, waiting for the two-factor code step."""
    return User.objects.filter(pk=user_id, is_active=True).first()
