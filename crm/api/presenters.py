"""Customers as JSON-ready dicts for the response schemas.

The list endpoint renders up to 100 customers per request. Validating model instances through
django-ninja's attribute getter costs about three times as much as validating plain dicts, so
customers are presented here once, explicitly, and the output schemas are plain pydantic models.
Sensitive fields are read through the model's properties (crm.customers.sensitive).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from crm.core.pagination import Page
from crm.customers.choices import Category, Grade, Kind, Source
from crm.customers.models import Customer

_LABELS: dict[str, dict[str, str | Promise]] = {
    "kind": dict(Kind.choices),
    "source": dict(Source.choices),
    "category": dict(Category.choices),
    "grade": dict(Grade.choices),
}
_PLAIN = (
    "id", "number", "kind", "name", "email", "credit_code", "company", "address", "city",
    "staff_count", "annual_revenue", "main_business", "needs", "feedback", "source", "category",
    "grade", "notes", "version", "created_at", "updated_at", "deleted_at",
)  # fmt: skip


def customer_out(customer: Customer) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(customer, name) for name in _PLAIN}
    data["phone"] = customer.phone
    data["id_number"] = customer.id_number
    for field, labels in _LABELS.items():
        label = labels.get(data[field])
        data[f"{field}_label"] = str(label) if label else ""
    owner, department = customer.owner, customer.department
    data["owner"] = {"id": owner.pk, "name": owner.display_name} if owner else None
    data["department"] = {"id": department.pk, "name": department.name} if department else None
    data["tags"] = sorted(tag.name for tag in customer.tags.all())
    return data


def customer_page(page: Page[Customer]) -> dict[str, Any]:
    return {"items": [customer_out(c) for c in page.items], "next_cursor": page.next_cursor}
