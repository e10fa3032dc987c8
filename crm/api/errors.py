"""The API error contract: ``{"error": {"code", "message", "fields"}}``.

400 ``bad_request``, 401 not signed in, 403 action not allowed, 404 missing or out of scope, 409
``duplicate`` (with ``existing``) or ``conflict``, 413 ``too_large`` (a body over
DATA_UPLOAD_MAX_MEMORY_SIZE), 422 ``invalid`` with a message per field, 429 ``locked_out``, 500
``server_error`` (never the error itself: that goes to the log with the request id).
Messages follow the request language (Chinese by default, English with ``Accept-Language: en``):
they are looked up at response time, inside the request's activated language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from crm.core.errors import DomainError, LockedOut
from crm.core.inputs import error_fields

# where in the request a field was: left out of the field's name
_LOCATIONS = frozenset(
    {"body", "query", "path", "header", "cookie", "payload", "data", "params", "file", "form"}
)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def error_body(
    code: str, message: str, fields: Mapping[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {}), **extra}}


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    """A message per field of a request that did not fit its schema (``crm.core.inputs``)."""
    return error_fields(errors, skip=_LOCATIONS)


logger = logging.getLogger("crm.api")

SERVER_ERROR = gettext_noop(
    "服务器出错了，请稍后重试；如果问题持续出现，请把请求编号告诉系统管理员"
)
TOO_LARGE = gettext_noop("请求内容过大（上限 %(limit)s 字节）")


def _server_error_body() -> dict[str, Any]:
    return error_body("server_error", _(SERVER_ERROR))


def _too_large_body() -> dict[str, Any]:
    return error_body("too_large", _(TOO_LARGE) % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: on /api/ the error contract in the caller's language; elsewhere the HTML
    500 page. Reached for errors outside the API's own handlers (e.g. in a middleware)."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request, template_name)
    with translation.override(translation.get_language_from_request(request)):
        return JsonResponse(
            _server_error_body(), status=500, json_dumps_params={"ensure_ascii": False}
        )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a path no URL pattern matched (one with a line break in it, which no
    converter takes): on /api/ the error contract, elsewhere the site's 404 page."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    with translation.override(translation.get_language_from_request(request)):
        return JsonResponse(
            error_body("not_found", _("接口不存在")),
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the error contract."""

    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = {k: str(v) for k, v in exc.fields.items()}
        body = error_body(exc.code, str(exc.message), fields, **exc.extra)
        response = respond(request, body, exc.status)
        if isinstance(exc, LockedOut):
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = validation_fields(list(exc.errors))
        body = error_body("invalid", _("输入有误，请检查标出的字段"), fields)
        return respond(request, body, 422)

    @api.exception_handler(AuthenticationError)
    def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body("not_authenticated", _("请先登录或提供有效的 API 令牌"))
        response = respond(request, body, 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(AuthorizationError)
    def not_allowed(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return respond(request, error_body("forbidden", _("您没有执行此操作的权限")), 403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, error_body("not_found", _("记录不存在或无权查看")), 404)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, _too_large_body(), 413)

    @api.exception_handler(SuspiciousOperation)
    def bad_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, error_body("bad_request", _("请求无法处理")), 400)

    @api.exception_handler(MultiPartParserError)
    def bad_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # a multipart body that cannot be read (no boundary, cut short): the client's fault
        return respond(request, error_body("bad_request", _("上传的内容无法读取")), 400)

    @api.exception_handler(Exception)
    def unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
        # logged with the request id the caller got; told to error reporters as Django does
        request_id = getattr(request, "request_id", "")
        logger.exception(
            "unhandled error in %s %s (request %s)", request.method, request.path, request_id
        )
        signals.got_request_exception.send(sender=None, request=request)
        return respond(request, _server_error_body(), 500)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status == 400:
            message = _("请求内容无法解析，应为 JSON")
        elif status in (401, 403, 404):
            message = {
                401: _("请先登录或提供有效的 API 令牌"),
                403: _("您没有执行此操作的权限"),
                404: _("记录不存在或无权查看"),
            }[status]
        else:
            message = str(exc.message)
        return respond(request, error_body(_HTTP_CODES.get(status, "error"), message), status)
