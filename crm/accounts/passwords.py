"""The password history (no reuse of the last few) and password age (expiry).

Called from crm.accounts.validators.PasswordHistoryValidator: Django tells every validator when a
password was set (``password_changed``), whichever page, API or command set it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from crm.core.permissions import owned_by

from .models import PasswordHistory, User


def was_used_recently(user: User, password: str, remember: int) -> bool:
    """Whether ``password`` is the user's current one or one of the last ``remember``."""
    stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
    hashes = list(
        owned_by(PasswordHistory.objects.all(), [user.pk]).values_list("password", flat=True)[
            :remember
        ]
    )
    if stored and stored not in hashes:
        hashes.insert(0, stored)
    return any(check_password(password, h) for h in hashes[:remember])


def remember(user: User, *, keep: int) -> None:
    """Keep the hash the user's password was just set to; forget what is older than ``keep``.

    The same password hashed again (Django upgrading the hash of an old algorithm at sign-in) is
    not a new password: its age stays.
    """
    latest = owned_by(PasswordHistory.objects.all(), [user.pk]).first()
    now = timezone.now()
    if latest is not None and _same_password(user, latest.password):
        PasswordHistory.objects.filter(pk=latest.pk).update(password=user.password)
        return
    PasswordHistory.objects.create(user_id=user.pk, password=user.password)
    User.objects.filter(pk=user.pk).update(password_changed_at=now)
    user.password_changed_at = now
    stale = owned_by(PasswordHistory.objects.all(), [user.pk]).values_list("pk", flat=True)[
        max(keep, 1) :
    ]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def _same_password(user: User, earlier_hash: str) -> bool:
    raw = getattr(user, "_password", None)
    return raw is not None and check_password(raw, earlier_hash)


def changed_at(user: User) -> datetime:
    return user.password_changed_at or user.date_joined


def is_expired(user: User) -> bool:
    """Whether the password is older than CRM_PASSWORD_MAX_AGE_DAYS (0: passwords never expire)."""
    days = settings.CRM_PASSWORD_MAX_AGE_DAYS
    return bool(days) and changed_at(user) < timezone.now() - timedelta(days=days)
