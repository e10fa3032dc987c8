from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import context


def _ip(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a trusted reverse proxy (``TRUST_PROXY``, off by default) the
    address the proxy saw: the last one of X-Forwarded-For, which the proxy appends (the ones
    before it come from the client and prove nothing). Anything that is not an IP is ignored."""
    if settings.TRUST_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        seen = _ip(forwarded.rsplit(",", 1)[-1]) if forwarded else None
        if seen is not None:
            return seen
    return _ip(request.META.get("REMOTE_ADDR", ""))


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on everything that may carry personal data: every API
    response and every page for a signed-in user (static files are served before this and keep
    their caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
        return response


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and binds it for the audit writer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.bind(ip=client_ip(request)) as ctx:
            request.request_id = ctx.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
