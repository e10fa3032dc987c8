from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from crm.accounts.models import User
from crm.customers import services
from crm.customers.models import Customer

_phones = itertools.count(13800000000)


def next_phone() -> str:
    return str(next(_phones))


def make_customer(owner: User, **data: Any) -> Customer:
    """A customer created through the real service, as ``owner`` would enter it (grade O with the
    deposit that grade is given for, a retained customer with today's deal)."""
    data.setdefault("name", "测试客户")
    data.setdefault("phone", next_phone())
    if data.get("grade") == "O":
        data.setdefault("deposit_amount", "5000")
        data.setdefault("deposit_on", timezone.localdate())
    if data.get("category") == "retained":
        data.setdefault("deal_on", timezone.localdate())
    return services.customer_create(actor=owner, data=data)
