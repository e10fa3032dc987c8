"""The customer page's pool part: whether the customer is locked against return or waits in a
pool, and whether the reader may lock it (``{% pool_state user customer as pool %}``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def pool_state(user: Any, customer: Any) -> dict[str, Any]:
    """One query at most: the pool a customer without an owner waits in; for those who may
    lock it, whether it is locked."""
    from crm.accounts.roles import LOCK_CUSTOMER
    from crm.core.permissions import allows
    from crm.pool import selectors

    may_lock = bool(
        getattr(user, "is_authenticated", False) and allows(user, LOCK_CUSTOMER, customer)
    )
    waiting = customer.owner_id is None
    return {
        "entry": selectors.current_entry(customer) if waiting else None,
        "lock": selectors.is_locked(customer) if may_lock and not waiting else None,
        "may_lock": may_lock and not waiting,
    }
