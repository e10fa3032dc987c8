"""When a customer returns to its pool: the rules applied to customers, one function for the
nightly pass over every customer and for one owner's Today page, so both say the same day.

A rule of a pool applies to the customers owned by the pool's members whose grade and category
match it (blank: any), not locked against return (``PoolLock``), and, unless the rule includes
them, without a deal (a deal day, or category 保有客户: an open order would count here too once
orders exist). Its *anchor* is the later of the day the owner got the customer (``Holding``, else
the day it was registered) and the rule's event:

- ``no_followup``: the last follow-up (``Customer.last_contact_at``);
- ``no_opportunity``: the last new opportunity. The sales app (opportunities) does not exist
  yet: until it does, a new opportunity is a lifecycle event into 意向客户 or a rise in grade
  (``opportunity_events``); the sales issue replaces that one function;
- ``no_deal``: the deal day (none for customers without a deal).

The customer returns on the local day ``anchor + days`` (``return_on``); its owner is warned from
``return_on - warn_days`` (the pool's). Under several rules, the earliest day wins (ties: the
lowest pool, then rule id).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.core.permissions import owned_by
from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, LifecycleEvent

from .choices import RuleKind
from .models import ReturnRule

BATCH = 2000


@dataclass(frozen=True)
class Rule:
    """A return rule with what the pass needs of its pool (read once per pass)."""

    id: int
    pool_id: int
    pool_name: str
    kind: str
    days: int
    grade: str
    category: str
    include_deals: bool
    warn_days: int
    members: frozenset[int]

    def applies(self, row: dict[str, Any]) -> bool:
        if row["owner_id"] not in self.members:
            return False
        if self.grade and row["grade"] != self.grade:
            return False
        if self.category and row["category"] != self.category:
            return False
        return self.include_deals or not _has_deal(row)


@dataclass(frozen=True)
class Due:
    """A customer's coming return: to ``rule``'s pool on ``return_on``."""

    customer_id: int
    owner_id: int
    rule: Rule
    return_on: dt.date
    name: str

    @property
    def warn_from(self) -> dt.date:
        return self.return_on - dt.timedelta(days=self.rule.warn_days)


def active_rules(*, owner_id: Any = None) -> list[Rule]:
    """Every rule of a pool with members (only those of the pools ``owner_id`` belongs to)."""
    rules = ReturnRule.objects.select_related("pool").order_by("pool_id", "id")
    members: dict[int, frozenset[int]] = {}
    out: list[Rule] = []
    for r in rules:
        if r.pool_id not in members:
            members[r.pool_id] = frozenset(r.pool.member_users.values_list("pk", flat=True))
        if not members[r.pool_id] or (owner_id is not None and owner_id not in members[r.pool_id]):
            continue
        out.append(
            Rule(
                id=r.pk,
                pool_id=r.pool_id,
                pool_name=r.pool.name,
                kind=r.kind,
                days=r.days,
                grade=r.grade,
                category=r.category,
                include_deals=r.include_deals,
                warn_days=r.pool.warn_days,
                members=members[r.pool_id],
            )
        )
    return out


# --- the stand-in for opportunities (replaced by the sales issue) -----------------------------

_RANK = {g: i for i, g in enumerate(Grade.values)}  # O highest, C lowest


def opportunity_events() -> QuerySet[LifecycleEvent]:
    """The lifecycle events that count as a new opportunity until opportunities exist: entering
    意向客户, or a rise in grade (C → B, B → A …)."""
    rises = Q(pk__in=[])
    for low, lo_rank in _RANK.items():
        for high, hi_rank in _RANK.items():
            if hi_rank < lo_rank:
                rises |= Q(from_grade=low, to_grade=high)
    entered = ~Q(from_category=Category.INTENTION)
    return LifecycleEvent.objects.filter(Q(to_category=Category.INTENTION) & (entered | rises))


def last_opportunity_at() -> Subquery:
    """The moment of a customer's last new opportunity, as an expression on ``Customer``."""
    events = (
        opportunity_events()
        .filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(last=Max("at"))
        .values("last")
    )
    return Subquery(events)


# --- the pass -------------------------------------------------------------------------------


def _has_deal(row: dict[str, Any]) -> bool:
    return row["deal_on"] is not None or row["category"] == Category.RETAINED


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _rule_q(rule: Rule, today: dt.date) -> Q:
    """Customers under ``rule`` whose warning day has come (SQL's share of the decision)."""
    last_day = today - dt.timedelta(days=rule.days - rule.warn_days)  # anchors up to this day
    before = _day_start(last_day + dt.timedelta(days=1))
    q = Q(owned_since__lt=before)
    if rule.grade:
        q &= Q(grade=rule.grade)
    if rule.category:
        q &= Q(category=rule.category)
    if not rule.include_deals:
        q &= Q(deal_on__isnull=True) & ~Q(category=Category.RETAINED)
    if rule.kind == RuleKind.NO_FOLLOWUP:
        q &= Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=before)
    elif rule.kind == RuleKind.NO_OPPORTUNITY:
        q &= Q(last_opportunity__isnull=True) | Q(last_opportunity__lt=before)
    else:
        q &= Q(deal_on__isnull=True) | Q(deal_on__lte=last_day)
    return q


FIELDS = (
    "pk",
    "owner_id",
    "name",
    "grade",
    "category",
    "deal_on",
    "last_contact_at",
    "owned_since",
)


def candidates(
    customers: QuerySet[Customer], rules: Sequence[Rule], today: dt.date
) -> QuerySet[Customer]:
    """Live, owned, unlocked ``customers`` that some rule may warn about or return today."""
    qs = customers.filter(deleted_at__isnull=True, owner__isnull=False, pool_lock__isnull=True)
    qs = qs.annotate(owned_since=Coalesce(F("pool_holding__since"), F("created_at")))
    if any(r.kind == RuleKind.NO_OPPORTUNITY for r in rules):
        qs = qs.annotate(last_opportunity=last_opportunity_at())
    by_pool: dict[int, list[Rule]] = {}
    for rule in rules:
        by_pool.setdefault(rule.pool_id, []).append(rule)
    parts = []
    for group in by_pool.values():
        q = Q(pk__in=[])
        for rule in group:
            q |= _rule_q(rule, today)
        # the pool's members' customers (a pool's rule is about its members' customers)
        parts.append(owned_by(qs.filter(q), sorted(group[0].members)))
    return functools.reduce(operator.or_, parts).order_by("pk")


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def return_day(rule: Rule, row: dict[str, Any]) -> dt.date:
    anchor = _local_day(row["owned_since"])
    assert anchor is not None
    if rule.kind == RuleKind.NO_FOLLOWUP:
        event = _local_day(row["last_contact_at"])
    elif rule.kind == RuleKind.NO_OPPORTUNITY:
        event = _local_day(row.get("last_opportunity"))
    else:
        event = row["deal_on"]
    if event is not None and event > anchor:
        anchor = event
    return anchor + dt.timedelta(days=rule.days)


def decide(row: dict[str, Any], rules: Iterable[Rule]) -> Due | None:
    """The earliest return of one candidate under the rules that apply to it."""
    best: Due | None = None
    for rule in rules:
        if not rule.applies(row):
            continue
        day = return_day(rule, row)
        if best is None or day < best.return_on:
            best = Due(row["pk"], row["owner_id"], rule, day, row["name"])
    return best


def due_batches(
    customers: QuerySet[Customer], rules: Sequence[Rule], today: dt.date, *, batch: int = BATCH
) -> Iterator[list[Due]]:
    """The customers whose warning day has come, in key-ordered batches (bounded memory: one
    batch of rows at a time, never the list of every id)."""
    if not rules:
        return
    base = candidates(customers, rules, today)
    fields = (
        [*FIELDS, "last_opportunity"] if "last_opportunity" in base.query.annotations else FIELDS
    )
    last = 0
    while True:
        rows = list(base.filter(pk__gt=last).values(*fields)[:batch])
        if not rows:
            return
        last = rows[-1]["pk"]
        dues = [d for d in (decide(row, rules) for row in rows) if d and d.warn_from <= today]
        if dues:
            yield dues
