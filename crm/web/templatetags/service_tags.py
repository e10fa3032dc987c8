"""The customer page's service panel: its 客户服务记录 and complaints (crm.service)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def customer_service(user: Any, customer: Any) -> dict[str, Any]:
    """``{% customer_service user customer as service %}``: the records and complaints the user
    may see, and whether they may add a record or register a complaint."""
    from crm.accounts.roles import RECORD_SERVICE, REGISTER_COMPLAINT
    from crm.core.permissions import has_action
    from crm.service import selectors

    return {
        "records": selectors.customer_service_records(
            actor=user, customer_id=customer.pk, limit=10
        ),
        "complaints": selectors.customer_complaints(actor=user, customer_id=customer.pk, limit=10),
        "may_record": has_action(user, RECORD_SERVICE),
        "may_register": has_action(user, REGISTER_COMPLAINT),
    }
