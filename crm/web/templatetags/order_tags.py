"""The customer page's 订单 section: the customer's latest orders and, for a distributor, its
medical-device licences."""

from __future__ import annotations

from typing import Any

from django import template

from crm.accounts.roles import CHANGE_ORDER, VIEW_ORDER
from crm.core.permissions import allows, has_action
from crm.orders import rules, selectors
from crm.orders.models import Order

register = template.Library()

SHOWN = 5


@register.simple_tag
def customer_orders(user: Any, customer: Any) -> dict[str, Any] | None:
    if not has_action(user, VIEW_ORDER):
        return None
    orders = selectors.order_list(
        actor=user, filters=selectors.OrderFilters(customer=customer.pk), limit=SHOWN + 1
    )
    licensed = rules.needs_licence(customer)
    return {
        "orders": orders[:SHOWN],
        "more": len(orders) > SHOWN,
        "may_add": has_action(user, CHANGE_ORDER)
        and allows(user, CHANGE_ORDER, Order(customer=customer)),
        "licensed": licensed,
        "licences": selectors.licence_list(actor=user, customer=customer.pk) if licensed else [],
    }
