from __future__ import annotations

import itertools
from typing import Any

from crm.accounts.models import User
from crm.customers import services
from crm.customers.models import Customer

_phones = itertools.count(13800000000)


def next_phone() -> str:
    return str(next(_phones))


def make_customer(owner: User, **data: Any) -> Customer:
    """A customer created through the real service, as ``owner`` would enter it."""
    data.setdefault("name", "测试客户")
    data.setdefault("phone", next_phone())
    return services.customer_create(actor=owner, data=data)
