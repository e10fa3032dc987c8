"""Template helpers of the web app."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
def change_labels(changes: Any) -> str:
    """``{{ request.payload.changes|change_labels }}``: the fields a change request is about,
    in words (电话、名称)."""
    from crm.customers.services import CHANGE_LABELS

    return "、".join(str(CHANGE_LABELS.get(f, f)) for f in (changes or {}))


@register.filter
def change_rows(request: Any) -> list[tuple[str, Any, Any]]:
    """``{% for label, before, after in r|change_rows %}``: what a change request (客户资料变更申请)
    asks to change, field by field (the owner by name)."""
    from crm.customers.selectors import change_request_rows

    return change_request_rows(request)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ pending|get_item:u.pk }}``: a dictionary's value for a key (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


FOLD_CHARS = 240  # about four lines of a timeline entry at phone width
FOLD_LINES = 5


@register.filter
def fold(text: Any) -> str:
    """Long text (a follow-up's content, notes) shown folded to a few lines with 展开全文 to open
    it; short text as it is. Escaped, line breaks kept. app.js shows the toggle only when the
    folded text really is cut off at the reader's width."""
    value = "" if text is None else str(text)
    body = linebreaksbr(value, autoescape=True)
    if len(value) <= FOLD_CHARS and value.count("\n") < FOLD_LINES:
        return body
    return format_html(
        '<div class="fold" data-fold>{}</div>'
        '<button type="button" class="fold-toggle" data-fold-toggle data-less="{}" hidden>'
        "{}</button>",
        body,
        _("收起"),
        _("展开全文"),
    )


@register.filter
def view_query(params: Any, view_id: Any) -> str:
    """A saved view's list query (its filters and sort) with ``view=<id>`` (its columns)."""
    from django.utils.http import urlencode

    return urlencode({**(params if isinstance(params, dict) else {}), "view": view_id})


@register.filter
def aria_sort(arrow: str) -> str:
    """The ``aria-sort`` of a column header from its sort arrow."""
    return {"↑": "ascending", "↓": "descending"}.get(arrow, "none")


@register.filter
def masked(obj: Any, field: str) -> bool:
    """Whether ``field`` of a customer (or contact) shows masked by confidentiality level."""
    from crm.governance.masking import masked_fields

    return field in masked_fields(obj)


@register.filter
def phone(value: Any) -> str:
    """A stored phone as shown: a foreign one in the international format (+44 20 7946 0958),
    a mainland one and a masked one as they are."""
    from crm.core.validators import format_phone

    return format_phone(str(value)) if value else ""
