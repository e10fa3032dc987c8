"""How an API request says who it is: a bearer token, or the web UI's session with CSRF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from crm.accounts.models import User
from crm.accounts.services import token_user
from crm.core.errors import PermissionDenied
from crm.core.permissions import require


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from ``POST /api/v1/auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            request.api_token = token  # type: ignore[attr-defined]
        return user


class Session(SessionAuth):
    """The web UI's session cookie. Unsafe methods must carry the CSRF token (``X-CSRFToken``).

    Without a signed-in session the request is simply not signed in (401), not a CSRF failure.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("CSRF 校验失败：请在请求头 X-CSRFToken 中提供令牌"))
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        user = request.user
        return user if user.is_authenticated and user.is_active else None


AUTH = [BearerToken(), Session()]


def signed_in(request: HttpRequest) -> User:
    """The user the authentication above found (handlers run only when there is one)."""
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def require_actor(request: HttpRequest, action: str) -> User:
    """The signed-in user, refused with 403 when the role lacks ``action`` (before any lookup,
    so a role without customer actions is refused rather than told "not found")."""
    user = signed_in(request)
    require(user, action)
    return user
