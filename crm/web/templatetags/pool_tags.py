"""The customer page's pool part: whether the customer is locked against return or waits in a
pool, and whether the reader may lock it (``{% pool_state user customer as pool %}``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def pool_state(user: Any, customer: Any) -> dict[str, Any]:
    from crm.accounts.roles import LOCK_CUSTOMER
    from crm.core.permissions import allows
    from crm.pool import selectors

    return {
        "lock": selectors.is_locked(customer),
        "entry": selectors.current_entry(customer),
        "may_lock": bool(
            getattr(user, "is_authenticated", False) and allows(user, LOCK_CUSTOMER, customer)
        ),
    }
