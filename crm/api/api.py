from __future__ import annotations

from ninja import NinjaAPI

from . import accounts, customers, errors
from .security import AUTH

api = NinjaAPI(
    title="客户管理系统 API",
    version="1",
    description=(
        "REST API of the CRM. Authenticate with `POST /api/v1/auth/token` and send "
        "`Authorization: Bearer <token>`; the web session works too (with CSRF). Errors are "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    auth=AUTH,
)
errors.install(api)
api.add_router("/v1/", accounts.router)
api.add_router("/v1/customers", customers.router)
