"""The opportunities' tally (``Tally``): each service that changes an opportunity takes its key
before (``of``) and applies the change after (``change``); ``rebuild`` recounts everything (after
a bulk load, or to check). A key is what the board and the funnel group by."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Opportunity, Tally

FIELDS = (
    "pipeline_id",
    "stage_id",
    "status",
    "furthest_position",
    "currency",
    "owner_id",
    "department",
    "month",
)
Key = tuple[Any, ...]
Entry = tuple[Key, Decimal]


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def of(opportunity: Opportunity) -> Entry:
    """The opportunity's key and amount as it is now."""
    key = (
        opportunity.pipeline_id,
        opportunity.stage_id,
        opportunity.status,
        opportunity.furthest_position,
        opportunity.currency,
        opportunity.owner_id,
        opportunity.department_id or 0,
        month_of(opportunity.created_at),
    )
    return key, opportunity.amount


def change(before: Entry | None, after: Entry | None) -> None:
    """The opportunity went from ``before`` to ``after`` (None: it did not exist)."""
    if before == after:
        return
    if before is not None:
        _add(before[0], -1, -before[1])
    if after is not None:
        _add(after[0], 1, after[1])


def _add(key: Key, n: int, amount: Decimal) -> None:
    where = dict(zip(FIELDS, key, strict=True))
    rows = Tally.objects.filter(**where)
    if rows.update(count=F("count") + n, amount=F("amount") + amount):
        return
    try:
        with transaction.atomic():
            Tally.objects.create(**where, count=n, amount=amount)
    except IntegrityError:  # created meanwhile by another transaction
        rows.update(count=F("count") + n, amount=F("amount") + amount)


@transaction.atomic
def rebuild() -> int:
    """Recount the tally from the opportunities (one GROUP BY); returns how many keys."""
    Tally.objects.all().delete()
    grouped = (
        Opportunity.objects.annotate(month=TruncMonth("created_at"))
        .values(
            "pipeline_id",
            "stage_id",
            "status",
            "furthest_position",
            "currency",
            "owner_id",
            "department_id",
            "month",
        )
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    )
    rows = [
        Tally(
            pipeline_id=g["pipeline_id"],
            stage_id=g["stage_id"],
            status=g["status"],
            furthest_position=g["furthest_position"],
            currency=g["currency"],
            owner_id=g["owner_id"],
            department=g["department_id"] or 0,
            month=_date(g["month"]),
            count=g["n"],
            amount=g["total"] or Decimal("0"),
        )
        for g in grouped
    ]
    Tally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value  # type: ignore[no-any-return]
