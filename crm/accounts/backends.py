"""Django authentication backend enforcing the lock-out rule for web sign-in and the admin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from crm.core.middleware import client_ip

from . import services
from .models import User


class LockoutBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        ip = client_ip(request) if request is not None else None
        try:
            return services.login_check(username=username, password=password, ip=ip)
        except services.LockedOut:
            return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with the role (its grants) and department in the same query."""
        user = User.objects.select_related("role", "department").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
