"""``{% customer_forms user customer as cforms %}``: the forms a customer's page offers (those
that apply to its category, with its responses), for the customer page's 调查表 card."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def customer_forms(user: Any, customer: Any) -> list[Any]:
    from crm.accounts.roles import CHANGE_CUSTOMER, FILL_FORM
    from crm.core.permissions import allows, has_action
    from crm.questionnaires.selectors import customer_forms as forms_of

    if not has_action(user, FILL_FORM):
        return []
    found = forms_of(actor=user, customer=customer)
    may_fill = allows(user, CHANGE_CUSTOMER, customer)
    for cf in found:
        cf.may_fill = may_fill and (cf.response is not None or _applies(cf, customer))
    return found


def _applies(cf: Any, customer: Any) -> bool:
    from crm.questionnaires.services import applies

    return bool(applies(cf.form, customer))
