"""The API error contract: ``{"error": {"code", "message", "fields"}}``.

401 not signed in, 403 action not allowed, 404 missing or out of scope, 409 ``duplicate`` (with
``existing``) or ``conflict``, 422 ``invalid`` with a message per field. Messages follow the
request language (Chinese by default, English with ``Accept-Language: en``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from crm.core.errors import DomainError

_PYDANTIC_MESSAGES = {
    "missing": "此字段为必填项",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "list_type": "应为列表",
    "string_too_long": "内容过长",
    "enum": "不是有效的选项",
    "literal_error": "不是有效的选项",
    "json_invalid": "请求内容不是有效的 JSON",
    "model_attributes_type": "请求内容格式不正确",
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data")]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = {k: str(v) for k, v in exc.fields.items()}
        return api.create_response(
            request, error_body(exc.code, str(exc.message), fields, **exc.extra), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for err in exc.errors:
            name = _field_name(err.get("loc", ()))
            template = _PYDANTIC_MESSAGES.get(err.get("type", ""), "")
            fields.setdefault(name, _(template) if template else str(err.get("msg", "")))
        body = error_body("invalid", _("输入有误，请检查标出的字段"), fields)
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = error_body("not_authenticated", _("请先登录或提供有效的 API 令牌"))
        return api.create_response(request, body, status=401)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("记录不存在或无权查看")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}
        body = error_body(codes.get(exc.status_code, "error"), str(exc.message))
        return api.create_response(request, body, status=exc.status_code)
