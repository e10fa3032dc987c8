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
