"""Drawing the month's sample (满意度抽查: 客服部每月不定期对当月成交客户进行满意度抽查).

Who may be drawn: the month's new retained customers, those whose deal date (``deal_on``, set by
``crm.customers.lifecycle`` when a customer becomes retained) falls in the month, not in the
recycle bin. The draw is reproducible: the candidates in a stable order (by id) and
``random.Random(seed).sample`` over them, so the same month and seed give the same customers
for as long as the month's customers are the same (the round keeps the seed, the size asked
and how many there were).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db.models import QuerySet

from crm.customers.choices import Category
from crm.customers.models import Customer


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next month)."""
    first = month.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def candidates(month: dt.date) -> QuerySet[Customer]:
    """The month's new retained customers (the population of the draw)."""
    first, after = month_bounds(month)
    return Customer.objects.alive().filter(
        category=Category.RETAINED, deal_on__gte=first, deal_on__lt=after
    )


def sample_size(population: int, *, size: int | None, share: int | None) -> int:
    """How many to draw: ``size`` customers, else ``share`` per cent (rounded up: a month with
    any new customer has at least one drawn), never more than there are."""
    wanted = size if size is not None else math.ceil(population * (share or 0) / 100)
    return max(0, min(population, wanted))


def draw(ids: list[int], *, seed: int, size: int) -> list[int]:
    """``size`` of ``ids`` chosen by ``seed``: sorted first, so the database's order does not
    matter; returned in the order drawn."""
    ordered = sorted(ids)
    return random.Random(seed).sample(ordered, min(size, len(ordered)))
