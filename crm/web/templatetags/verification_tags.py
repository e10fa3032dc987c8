"""``{% verification_waiting user as n %}``: whether records wait for this user's verification
(数据核查), so that the menu offers 待核查 only while there is something to do."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def verification_waiting(user: Any) -> bool:
    from crm.verification.selectors import records_waiting

    return records_waiting(user)
