from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core import ratelimit
from crm.core.middleware import client_ip

from .errors import error_body


class MethodNotAllowedMiddleware:
    """A wrong method on an API path answers in the error contract, not django-ninja's text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not str(response.get("Content-Type", "")).startswith("application/json")
        ):
            message = _("该地址不支持 %(method)s 请求") % {"method": request.method}
            replacement = JsonResponse(
                error_body("method_not_allowed", message),
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response


class RateLimitMiddleware:
    """Rate limits of the API: at most CRM_API_RATE_PER_TOKEN requests per bearer token and
    CRM_API_RATE_PER_ADDRESS per client address (crm.core.middleware.client_ip) in each window of
    CRM_API_RATE_WINDOW seconds; beyond, 429 ``throttled`` in the error contract with
    ``Retry-After`` (the seconds until the window ends). 0 turns a limit off.

    The counters must be shared by every application process, or each process would allow the
    whole limit by itself: Redis (Django's cache) when CRM_REDIS_URL is set, otherwise a table of
    the database, ``crm_rate_counter`` (crm/accounts/migrations/0012). Fixed windows: a counter
    holds the number of its window and starts again at 1 in the next one. On the database each
    request counts all its buckets in one atomic upsert (the database cache needed a read, a
    count, a select and an update in a transaction per bucket: 12 statements and two commits a
    request); on Redis ``incr`` (``add`` for a window's first request), keyed by the window's
    number so that a counter expires with its window. A token is counted by its hash (never kept
    in the table or the cache), valid or not, before it is looked up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            wait = self._over_limit(request)
            if wait:
                return _throttled(wait)
        return self.get_response(request)

    @staticmethod
    def _over_limit(request: HttpRequest) -> int:
        window = max(1, settings.CRM_API_RATE_WINDOW)
        now = timezone.now().timestamp()
        number = int(now // window)
        wait = max(1, int((number + 1) * window - now + 0.999))
        buckets: list[tuple[str, int]] = []
        ip = client_ip(request)
        if ip and settings.CRM_API_RATE_PER_ADDRESS > 0:
            buckets.append((f"ip:{ip}", settings.CRM_API_RATE_PER_ADDRESS))
        auth = str(request.headers.get("Authorization", ""))
        scheme, _sep, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip() and settings.CRM_API_RATE_PER_TOKEN > 0:
            digest = hashlib.sha256(token.strip().encode()).hexdigest()[:32]
            buckets.append((f"tok:{digest}", settings.CRM_API_RATE_PER_TOKEN))
        if not buckets:
            return 0
        counts = ratelimit.count(buckets, window, number)
        over = any(count > limit for count, (_name, limit) in zip(counts, buckets, strict=True))
        return wait if over else 0


def _throttled(wait: int) -> HttpResponse:
    message = _("请求过于频繁，请 %(seconds)d 秒后再试") % {"seconds": wait}
    response = JsonResponse(
        error_body("throttled", message), status=429, json_dumps_params={"ensure_ascii": False}
    )
    response["Retry-After"] = str(wait)
    return response
