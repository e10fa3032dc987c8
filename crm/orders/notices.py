"""Who is told what about an order (in-app reminders, crm.activities): the reviewers when a round
opens, the owner when it comes back or waits for the written confirmation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.activities.services import notify

from .models import ContractReview, Order


def _url(order: Order) -> str:
    return f"/orders/{order.pk}/"


def _owner(order: Order) -> User | None:
    owner = order.customer.owner
    return owner if owner is not None and owner.is_active else order.created_by


def review_waiting(order: Order, review: ContractReview) -> None:
    """Each reviewing department's users learn that an order waits for their review."""
    from .selectors import reviewers

    for user in reviewers():
        notify(
            user=user,
            kind="order_review",
            title=_("待您评审：订单 %(number)s（%(customer)s）")
            % {"number": order.number, "customer": order.customer.name},
            url=_url(order),
        )


def returned(order: Order) -> None:
    owner = _owner(order)
    if owner is None:
        return
    notify(
        user=owner,
        kind="order_returned",
        title=_("订单 %(number)s 已退回：%(note)s")
        % {"number": order.number, "note": order.returned_note},
        url=_url(order),
        customer=order.customer,
    )


def awaiting_confirmation(order: Order) -> None:
    owner = _owner(order)
    if owner is None:
        return
    notify(
        user=owner,
        kind="order_confirmation",
        title=_("口头订单 %(number)s 评审已通过，请上传书面确认（邮件或回签合同）后送总经理签署")
        % {"number": order.number},
        url=_url(order),
        customer=order.customer,
    )
