"""The REST API (``/api/``): version 1 under ``/api/v1/``, OpenAPI 3 at ``/api/openapi.json``,
interactive documentation (Swagger UI served from /static/, no CDN) at ``/api/docs``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from crm.core.errors import NotFound

from . import (
    accounts,
    care,
    customer_views,
    customers,
    errors,
    governance,
    handover,
    imports,
    knowledge,
    lifecycle,
    orders,
    pool,
    products,
    questionnaires,
    reception,
    referrals,
    reports,
    retrieval,
    roles,
    sales,
    service,
    shares,
    vcards,
    verification,
    workday,
)
from .security import AUTH


class _Encoder(NinjaJSONEncoder):
    """Times with their offset in whole minutes, as the schema's pattern says (±HH:MM): before
    1901 the tz database gives Shanghai its local mean time, +08:05:43, which no RFC 3339 client
    expects. Such a time is given at the same instant in +08:05 (the seconds go to the clock)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.utcoffset() is not None:
            offset = o.utcoffset() or dt.timedelta()
            if offset.seconds % 60 or offset.microseconds:
                whole = dt.timedelta(minutes=int(offset.total_seconds() // 60))
                o = o.astimezone(dt.timezone(whole))
        return super().default(o)


class Utf8JSON(JSONRenderer):
    """Chinese text as itself rather than ``\\uXXXX`` escapes (the body is UTF-8)."""

    json_dumps_params = {"ensure_ascii": False}
    encoder_class = _Encoder


class _API(NinjaAPI):
    """The schema built once per process and language: it does not change while the process
    runs, and building it took 2–5 s a request (a fuzzer's schema load timed out on a busy
    machine)."""

    _schemas: dict[tuple[str | None, str, str], Any]

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        key = (path_prefix, repr(sorted((path_params or {}).items())), get_language() or "")
        cache = self.__dict__.setdefault("_schemas", {})
        if key not in cache:
            cache[key] = super().get_openapi_schema(
                path_prefix=path_prefix, path_params=path_params
            )
        return cache[key]


api = _API(
    title="客户管理系统 API",
    version="1",
    description=(
        "REST API of the CRM. Authenticate with `POST /api/v1/auth/token` and send "
        "`Authorization: Bearer <token>`; the web session works too (unsafe methods need the "
        '`X-CSRFToken` header). Errors are `{"error": {"code", "message", "fields"}}`: '
        "401 `not_authenticated`, 403 `forbidden`, 404 `not_found` (missing or outside your data "
        "scope), 409 `duplicate` (with `existing`), `conflict` (stale `version`) or "
        "`state_conflict` (the record's current state refuses a well-formed request), 422 "
        "`invalid` (a message per field), 400 `bad_request` (a body that is not JSON), 429 "
        "`locked_out`. Messages are Chinese by default and English "
        "with `Accept-Language: en`."
    ),
    urls_namespace="api",
    auth=AUTH,
    renderer=Utf8JSON(),
)
errors.install(api)
api.add_router("/v1/", accounts.router)
api.add_router("/v1/customers", customers.router)
api.add_router("/v1/", customer_views.router)
api.add_router("/v1/tags", customers.tags_router)
api.add_router("/v1/sources", customers.sources_router)
api.add_router("/v1/reports", reports.router)
api.add_router("/v1/", workday.router)
api.add_router("/v1/", lifecycle.router)
api.add_router("/v1/", shares.router)
api.add_router("/v1/", roles.router)
api.add_router("/v1/", governance.router)
api.add_router("/v1/", referrals.router)
api.add_router("/v1/", reception.router)
api.add_router("/v1/pools", pool.router)
api.add_router("/v1/", handover.router)
api.add_router("/v1/", verification.router)
api.add_router("/v1/", retrieval.router)
api.add_router("/v1/", imports.router)
api.add_router("/v1/", questionnaires.router)
api.add_router("/v1/", vcards.router)
api.add_router("/v1/", sales.router)
api.add_router("/v1/", care.router)
api.add_router("/v1/", knowledge.router)
api.add_router("/v1/", products.router)
api.add_router("/v1/", orders.router)
api.add_router("/v1/", service.router)
api.add_router("/v1/", service.public_router)


# Last, so that it only catches what no endpoint matched: unknown API paths answer with the
# error contract (JSON 404) rather than the web site's HTML page.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "{path:rest}", auth=None, include_in_schema=False
)
def unknown_endpoint(request: HttpRequest, rest: str) -> None:
    raise NotFound(_("接口不存在"))


api.add_router("/", fallback)
