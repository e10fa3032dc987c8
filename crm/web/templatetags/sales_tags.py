"""``{% customer_opportunities user customer as opps %}``: a customer's opportunities the user may
see, for the customer page's 销售机会 card (empty without ``sales.view_opportunity``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def customer_opportunities(user: Any, customer: Any) -> list[Any]:
    from crm.accounts.roles import VIEW_OPPORTUNITY
    from crm.core.permissions import has_action
    from crm.sales.selectors import customer_opportunities as opportunities_of

    if not has_action(user, VIEW_OPPORTUNITY):
        return []
    return opportunities_of(actor=user, customer_id=customer.pk)


@register.filter
def money(value: Any, places: int = 0) -> str:
    """``{{ amount|money }}``: 1,234,567 (``|money:2``: 1,234,567.00); blank for no value."""
    if value in (None, ""):
        return ""
    try:
        return f"{float(value):,.{int(places)}f}"
    except (TypeError, ValueError):
        return str(value)
