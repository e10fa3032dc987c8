from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

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
