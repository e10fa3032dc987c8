"""Users, sign-in with lock-out, personal settings and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.errors import Invalid, NotFound, PermissionDenied
from crm.core.permissions import require
from crm.governance import audit

from .models import ApiToken, Department, LoginAttempt, User
from .roles import MANAGE_USERS, Role


class LockedOut(Exception):
    """Too many failed sign-ins for this username recently."""


# --- sign-in --------------------------------------------------------------------------------


def is_locked_out(username: str) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginAttempt.objects.filter(username=username.lower(), created_at__gte=since)
    last_success = (
        recent.filter(succeeded=True).order_by("-id").values_list("id", flat=True).first()
    )
    failures = recent.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(id__gt=last_success)
    return failures.count() >= settings.LOGIN_LOCKOUT_ATTEMPTS


def login_check(*, username: str, password: str, ip: str | None) -> User | None:
    """Check credentials under the lock-out rule; every attempt is recorded.

    Raises ``LockedOut`` when the username has had too many failures in the window, even if the
    password is right now, so that guessing cannot continue.
    """
    username = username.strip()
    if is_locked_out(username):
        LoginAttempt.objects.create(username=username.lower(), ip=ip, succeeded=False)
        raise LockedOut()
    user = User.objects.filter(username__iexact=username).first()
    ok = user is not None and user.is_active and user.check_password(password)
    LoginAttempt.objects.create(username=username.lower(), ip=ip, succeeded=ok)
    return user if ok else None


# --- users ----------------------------------------------------------------------------------


def department_ensure(
    *, name: str, parent: Department | None = None, data_mgmt: bool = False
) -> Department:
    dept, created = Department.objects.get_or_create(
        name=name, defaults={"parent": parent, "is_data_management": data_mgmt}
    )
    if created or not dept.path:
        dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
        dept.save(update_fields=["path"])
    return dept


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    department: Department | None,
    full_name: str = "",
    phone: str = "",
    validate_password: bool = True,
) -> User:
    """Create a user. ``actor=None`` is the command line (provisioning), trusted by the OS."""
    if actor is not None:
        require(actor, MANAGE_USERS)
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("角色无效")
    if not username.strip():
        errors["username"] = _("请填写用户名")
    elif User.objects.filter(username__iexact=username.strip()).exists():
        errors["username"] = _("用户名已存在")
    user = User(
        username=username.strip(),
        full_name=full_name,
        phone=phone,
        role=role,
        department=department,
        is_staff=role == Role.SYSADMIN,
    )
    if validate_password and not errors:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = " ".join(exc.messages)
    if errors:
        raise Invalid(fields=errors)
    user.set_password(password)
    user.save()
    audit.record(actor=actor, verb="user.created", obj=user, after=_user_snapshot(user))
    return user


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "phone": user.phone,
        "role": user.role,
        "department": user.department_id,
        "is_active": user.is_active,
    }


@transaction.atomic
def profile_update(*, actor: User, full_name: str, phone: str) -> User:
    before = _user_snapshot(actor)
    actor.full_name = full_name.strip()[:50]
    actor.phone = phone.strip()[:20]
    actor.save(update_fields=["full_name", "phone"])
    audit.record(
        actor=actor,
        verb="user.profile_changed",
        obj=actor,
        before=before,
        after=_user_snapshot(actor),
    )
    return actor


@transaction.atomic
def password_change(*, actor: User, old_password: str, new_password: str) -> User:
    if not actor.check_password(old_password):
        raise Invalid(fields={"old_password": _("原密码不正确")})
    try:
        password_validation.validate_password(new_password, actor)
    except ValidationError as exc:
        raise Invalid(fields={"new_password": " ".join(exc.messages)}) from exc
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, verb="user.password_changed", obj=actor)
    return actor


# --- API tokens -----------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_issue(*, actor: User, name: str = "") -> str:
    """A new bearer token for ``actor``; the plain token is returned once and never stored."""
    if not actor.is_active:
        raise PermissionDenied()
    key = "crm_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=key[4:12], key_hash=_hash(key)
    )
    audit.record(actor=actor, verb="token.issued", obj=token)
    return key


def token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, touching its last-used time at most hourly."""
    token = (
        ApiToken.objects.select_related("user__department")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, verb="token.revoked", obj=token)


def token_revoke_key(*, actor: User, key: str) -> None:
    """Revoke the token ``key`` of ``actor``: an API client signing out with its own token."""
    active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True)
    token = active.filter(key_hash=_hash(key)).first()
    if token is not None:
        token_revoke(actor=actor, token_id=token.pk)


@transaction.atomic
def user_set_active(*, actor: User, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a user (system administrator). Nobody deactivates themselves."""
    require(actor, MANAGE_USERS)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.pk and not active:
        raise Invalid(_("不能停用自己的账户"))
    if user.is_active == active:
        return user
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    verb = "user.activated" if active else "user.deactivated"
    audit.record(actor=actor, verb=verb, obj=user, before=before, after=_user_snapshot(user))
    return user
