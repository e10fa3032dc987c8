"""The owner's morning digest (crm.activities.services.on_digest): licences of their customers
running out within 30 days, and instalments overdue (催款). Names only."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import VIEW_CUSTOMER, VIEW_ORDER

from . import selectors


def licence_section(*, user: User, today: dt.date) -> tuple[str, int, list[str]] | None:
    if not user.has_action(VIEW_CUSTOMER):
        return None
    coming = selectors.licences_expiring(actor=user, today=today, mine=True)
    if not coming:
        return None
    lines = [
        "  · "
        + _("%(name)s：%(number)s 于 %(day)s 到期")
        % {"name": lic.customer.name, "number": lic.number, "day": lic.expires_on.isoformat()}
        for lic in coming
    ]
    return _("【医疗器械经营许可证即将到期】%(n)d 份") % {"n": len(coming)}, len(coming), lines


def overdue_section(*, user: User, today: dt.date) -> tuple[str, int, list[str]] | None:
    if not user.has_action(VIEW_ORDER):
        return None
    overdue = selectors.overdue_instalments(actor=user, today=today, mine=True)
    if not overdue:
        return None
    lines = [
        "  · "
        + _("%(order)s %(name)s：%(day)s 应收 %(amount)s，未收 %(open)s")
        % {
            "order": o.order.number,
            "name": o.order.customer.name,
            "day": o.due_on.isoformat(),
            "amount": o.amount,
            "open": o.open_amount,
        }
        for o in overdue
    ]
    return _("【催款】逾期未回款 %(n)d 笔") % {"n": len(overdue)}, len(overdue), lines
