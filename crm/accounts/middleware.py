"""Web session rules: the idle timeout and absolute maximum, and the compulsory two-factor
enrolment.

A session ends after CRM_SESSION_IDLE_MINUTES without a request, and CRM_SESSION_MAX_HOURS after
sign-in whatever happens. The user is then signed out here; the page asked for sends them to the
sign-in page with ``next`` (htmx requests get ``HX-Redirect``, crm.web.base.CrmView) and the API
answers 401 to that session. Bearer tokens carry no session and are not affected.

When CRM_REQUIRE_2FA makes two-factor sign-in compulsory for the user's role and they have not
enrolled, the sign-in marks the session; until they enrol, every page leads to the enrolment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from crm.governance import audit

STARTED = "crm_session_started"
SEEN = "crm_session_seen"
MUST_ENROL = "crm_must_enrol_2fa"
# the last request's time is written back at most this often (a session save per request
# otherwise); the idle timeout is that much less exact
_SEEN_GRANULARITY = 30


def session_started(request: HttpRequest) -> None:
    """Stamp a session that was just signed in."""
    now = int(timezone.now().timestamp())
    request.session[STARTED] = now
    request.session[SEEN] = now


def stamp_signed_in_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in``: stamp the new session (a request without one, e.g. the API's, none)."""
    if request is not None and hasattr(request, "session"):
        session_started(request)


def _expired(request: HttpRequest, now: int) -> bool:
    started = request.session.get(STARTED)
    seen = request.session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return False
    idle = settings.CRM_SESSION_IDLE_MINUTES * 60
    longest = settings.CRM_SESSION_MAX_HOURS * 3600
    return bool(idle and now - seen > idle) or bool(longest and now - started > longest)


def _enrolment_exempt(path: str) -> bool:
    allowed = (
        reverse("web:two_factor_enrol"),
        reverse("web:logout"),
        reverse("web:login"),
        settings.STATIC_URL,
        "/i18n/",
    )
    return path.startswith(allowed)


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            if _expired(request, now):
                audit.record(actor=user, verb="user.session_expired", obj=user)
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request, _("您已长时间未操作，为保护客户数据已自动退出，请重新登录")
                    )
            else:
                if STARTED not in request.session:
                    session_started(request)
                elif now - int(request.session.get(SEEN, 0)) >= _SEEN_GRANULARITY:
                    request.session[SEEN] = now
                if request.session.get(MUST_ENROL) and not _enrolment_exempt(request.path):
                    return self._to_enrolment(request)
        return self.get_response(request)

    @staticmethod
    def _to_enrolment(request: HttpRequest) -> HttpResponse:
        url = reverse("web:two_factor_enrol")
        if request.path.startswith("/api/"):
            body = {
                "error": {
                    "code": "two_factor_required",
                    "message": _("请先在网页上启用两步验证"),
                    "fields": {},
                }
            }
            return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
