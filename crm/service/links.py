"""What a complaint's or a service record's text names, linked: the order number (SO000123, or
its digits) to that order when it is the same customer's, and the product to the catalogue's
product of that code or name. A number that is another customer's order stays text only: a
public form's sender cannot reach someone else's order by typing its number."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from crm.orders.models import Order
from crm.products.models import Product


def order_of(customer_id: int | None, text: str) -> Order | None:
    digits = text.strip().upper().removeprefix("SO").lstrip("0")
    if customer_id is None or not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        return None
    return Order.objects.filter(pk=int(digits), customer_id=customer_id).first()


def product_of(text: str) -> Product | None:
    text = text.strip()
    if not text:
        return None
    return Product.objects.filter(Q(code=text) | Q(name=text)).order_by("pk").first()


def link(record: Any) -> None:
    """Set ``record.order`` and ``record.catalogue_product`` from its text (not saved); an order
    found also names its number the way the order does."""
    record.order = order_of(record.customer_id, record.order_number)
    if record.order is not None:
        record.order_number = record.order.number
    record.catalogue_product = product_of(record.product)
