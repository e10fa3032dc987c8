"""``{% verification_waiting user as n %}``: whether records wait for this user's verification
(数据核查), so that the menu offers 待核查 only while there is something to do."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def verification_waiting(user: Any) -> bool:
    from crm.accounts.roles import VERIFY_RECORD
    from crm.core.permissions import has_action, restrict
    from crm.verification.models import ItemState, RoundState, VerificationItem

    if not getattr(user, "is_authenticated", False) or not has_action(user, VERIFY_RECORD):
        return False
    rows = restrict(VerificationItem.objects.all(), user, VERIFY_RECORD)
    return rows.filter(state=ItemState.PENDING, round__state=RoundState.OPEN).exists()
