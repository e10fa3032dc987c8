"""Template helpers of the web app."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(user: Any, action: str) -> bool:
    """``{% if user|can:"customers.add_customer" %}``: whether the role allows the action."""
    has_action = getattr(user, "has_action", None)
    return bool(getattr(user, "is_authenticated", False) and has_action and has_action(action))


@register.simple_tag
def allowed(user: Any, action: str, obj: Any) -> bool:
    """``{% allowed user "customers.change_customer" customer as can_edit %}``: whether the
    action's scope covers this record (crm.core.permissions.allows)."""
    from crm.core.permissions import allows

    return bool(getattr(user, "is_authenticated", False) and allows(user, action, obj))


@register.simple_tag(takes_context=True)
def today_counts(context: Any) -> Any:
    """``{% today_counts as counts %}``: the signed-in user's Today counts (once per request)."""
    from crm.web.activities.presenters import today_counts_for

    request = context.get("request")
    return today_counts_for(request) if request is not None else None


@register.simple_tag
def approvals_waiting(user: Any) -> int:
    """``{% approvals_waiting user as n %}``: requests waiting for this user's decision."""
    from crm.governance.approvals import approvals_to_decide

    if not getattr(user, "is_authenticated", False):
        return 0
    return len(approvals_to_decide(actor=user))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ pending|get_item:u.pk }}``: a dictionary's value for a key (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def view_query(params: Any, view_id: Any) -> str:
    """A saved view's list query (its filters and sort) with ``view=<id>`` (its columns)."""
    from django.utils.http import urlencode

    return urlencode({**(params if isinstance(params, dict) else {}), "view": view_id})


@register.filter
def aria_sort(arrow: str) -> str:
    """The ``aria-sort`` of a column header from its sort arrow."""
    return {"↑": "ascending", "↓": "descending"}.get(arrow, "none")
