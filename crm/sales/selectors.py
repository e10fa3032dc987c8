"""Reads of sales, through ``restrict()``: the board (kanban), the list, a customer's
opportunities, the weighted forecast per rep and month, the funnel and the won/lost reasons.

The board answers at any volume: its totals are one aggregate query (count, sum and stale count
per stage and currency) and each column's cards one indexed query capped at ``per_column``.
The reports are per currency (amounts in different currencies are never added together).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_OPPORTUNITY, VIEW_OPPORTUNITY
from crm.activities.models import FollowUp
from crm.core.errors import Invalid
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import has_action, owned_by, restrict

from .choices import Currency, Status
from .models import LostReason, Opportunity, Pipeline, Stage, Tally

PER_COLUMN = 20
STALE_CAP = 999  # a column's stale count is exact up to this, then "999+"
LIST_LIMIT = 50
ZERO = Decimal("0")
CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    """A sum as the database returns it, to the cent (SQLite gives ``Decimal('5000')``)."""
    return Decimal(value or 0).quantize(CENT)


def pipelines(*, active_only: bool = True) -> list[Pipeline]:
    qs = Pipeline.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


def pipeline_get(pipeline_id: int | None) -> Pipeline | None:
    """The pipeline asked for, else the default one (None when there is none)."""
    qs = Pipeline.objects.filter(active=True)
    if pipeline_id is not None:
        return Pipeline.objects.filter(pk=pipeline_id).first()
    return qs.order_by("-is_default", "id").first()


def stages_of(pipeline: Pipeline) -> list[Stage]:
    return list(pipeline.stages.filter(active=True).order_by("position", "id"))


def lost_reasons(*, active_only: bool = True) -> list[LostReason]:
    qs = LostReason.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


# --- stale ----------------------------------------------------------------------------------


def stale_q(stages: Iterable[Stage], now: dt.datetime) -> Q:
    """Open opportunities without activity for longer than their stage allows."""
    q = Q(pk__in=[])
    for stage in stages:
        if stage.stale_days:
            q |= Q(
                stage_id=stage.pk, last_activity_at__lt=now - dt.timedelta(days=stage.stale_days)
            )
    return q & Q(status=Status.OPEN)


def with_stale(
    qs: QuerySet[Opportunity], stages: Iterable[Stage], now: dt.datetime
) -> QuerySet[Opportunity]:
    """Each row with ``stale`` (bool): no query per card for its flag."""
    return qs.annotate(
        stale=Case(
            When(stale_q(stages, now), then=True), default=False, output_field=BooleanField()
        )
    )


def mark(opportunity: Opportunity, *, stale: bool) -> None:
    """Set the ``stale`` flag as ``with_stale`` annotates it (computed in Python instead)."""
    opportunity.__dict__["stale"] = stale


def flagged(opportunity: Opportunity) -> bool:
    """The ``stale`` flag ``with_stale`` annotated (False on a row read without it)."""
    return bool(opportunity.__dict__.get("stale", False))


def is_stale(opportunity: Opportunity, now: dt.datetime | None = None) -> bool:
    if "stale" in opportunity.__dict__:  # annotated by ``with_stale``
        return flagged(opportunity)
    stage = opportunity.stage
    if opportunity.status != Status.OPEN or not stage.stale_days:
        return False
    now = now or timezone.now()
    return opportunity.last_activity_at < now - dt.timedelta(days=stage.stale_days)


def idle_days(opportunity: Opportunity, now: dt.datetime | None = None) -> int:
    return ((now or timezone.now()) - opportunity.last_activity_at).days


# --- the board ------------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    count: int = 0
    stale: int = 0
    # currency → amount, and the weighted amount (× the stage's probability)
    totals: dict[str, Decimal] = field(default_factory=dict)
    weighted: dict[str, Decimal] = field(default_factory=dict)
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def stale_label(self) -> str:
        return f"{STALE_CAP}+" if self.stale > STALE_CAP else str(self.stale)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)

    @property
    def main_total(self) -> Decimal:
        return self.totals.get(Currency.CNY, ZERO)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    now: dt.datetime

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)

    @property
    def totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for column in self.columns:
            for currency, amount in column.totals.items():
                out[currency] += amount
        return dict(out)

    @property
    def weighted(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for column in self.columns:
            for currency, amount in column.weighted.items():
                out[currency] += amount
        return dict(out)


# what a card shows (the board loads nothing else of its rows)
CARD_FIELDS = (
    "name",
    "customer__name",
    "owner__full_name",
    "owner__username",
    "amount",
    "currency",
    "expected_close_on",
    "last_activity_at",
    "version",
    "stage_id",
    "pipeline_id",
    "status",
    "owner_id",
    "department_id",
)


def _open_in(actor: User, pipeline: Pipeline, owner: int | None) -> QuerySet[Opportunity]:
    qs = restrict(
        Opportunity.objects.filter(pipeline=pipeline, status=Status.OPEN), actor, VIEW_OPPORTUNITY
    )
    return owned_by(qs, [owner]) if owner is not None else qs


def _each(parts: Sequence[QuerySet[Any]]) -> Iterable[Any]:
    """The rows of ``parts`` (each ordered and sliced) in one query where the database takes
    ordered, limited parts in a UNION ALL (PostgreSQL: a round trip per column would cost more
    than the column), else one query per part (SQLite, in the process)."""
    if not parts:
        return []
    if connection.features.supports_slicing_ordering_in_compound and len(parts) > 1:
        return parts[0].union(*parts[1:], all=True)
    return itertools.chain.from_iterable(parts)


def board(
    *,
    actor: User,
    pipeline: Pipeline,
    owner: int | None = None,
    per_column: int = PER_COLUMN,
    stage: int | None = None,
) -> Board:
    """The open opportunities of ``pipeline`` by stage: each column's count, totals per
    currency, weighted totals and stale count (one aggregate query), and its first
    ``per_column`` cards, latest activity first (one query per column; ``stage``: only that
    column's cards, for its "more" link)."""
    now = timezone.now()
    stages = stages_of(pipeline)
    base = _open_in(actor, pipeline, owner)
    columns = {s.pk: Column(stage=s) for s in stages}
    counted = restrict(
        Tally.objects.filter(pipeline=pipeline, status=Status.OPEN), actor, VIEW_OPPORTUNITY
    )
    if owner is not None:
        counted = owned_by(counted, [owner])
    totals = (
        counted.values("stage_id", "currency")
        .annotate(n=Sum("count"), amount=Sum("amount"))
        .order_by()
    )
    for row in totals:
        column = columns.get(row["stage_id"])
        if column is None or not row["n"]:
            continue
        column.count += row["n"]
        amount = _money(row["amount"])
        column.totals[row["currency"]] = amount
        column.weighted[row["currency"]] = (amount * column.stage.probability / 100).quantize(CENT)
    # each column's stale rows, counted up to STALE_CAP + 1 (an index range, bounded)
    stale_parts = [
        base.filter(stage=c.stage, last_activity_at__lt=now - dt.timedelta(days=c.stage.stale_days))
        .order_by()
        .values_list("stage_id", flat=True)[: STALE_CAP + 1]
        for c in columns.values()
        if c.count and c.stage.stale_days
    ]
    for stage_id in _each(stale_parts):
        columns[stage_id].stale += 1
    # each column's first cards, latest activity first (an index range, capped)
    card_parts = [
        base.filter(stage=c.stage)
        .select_related("customer", "owner")
        .only(*CARD_FIELDS)
        .order_by("-last_activity_at", "-id")[:per_column]
        for c in columns.values()
        if c.count and (stage is None or c.stage.pk == stage)
    ]
    for card in _each(card_parts):
        column = columns[card.stage_id]
        days = column.stage.stale_days or 0
        mark(card, stale=days > 0 and card.last_activity_at < now - dt.timedelta(days=days))
        column.cards.append(card)
    return Board(pipeline=pipeline, columns=list(columns.values()), now=now)


# --- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    pipeline: int | None = None
    stage: int | None = None
    status: str = ""
    owner: int | None = None
    customer: int | None = None
    stale: bool = False
    q: str = ""


def opportunity_list(
    *, actor: User, filters: Filters, cursor: str | None = None, limit: int = LIST_LIMIT
) -> Page[Opportunity]:
    """The opportunities the actor may see, newest first, a page at a time."""
    stages = list(Stage.objects.filter(active=True, stale_days__isnull=False))
    now = timezone.now()
    qs = with_stale(opportunities_matching(actor=actor, filters=filters), stages, now)
    last = decode_cursor(cursor)
    if last is not None:
        qs = qs.filter(pk__lt=last)
    related = ("customer", "owner", "stage", "lost_reason", "pipeline", "department")
    rows = list(qs.select_related(*related).prefetch_related("lines").order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None)


def opportunities_matching(*, actor: User, filters: Filters) -> QuerySet[Opportunity]:
    """The opportunities of the list's filter that the actor may see (the list, its export)."""
    qs = restrict(Opportunity.objects.all(), actor, VIEW_OPPORTUNITY)
    if filters.owner is not None:
        qs = owned_by(qs, [filters.owner])
    if filters.pipeline is not None:
        qs = qs.filter(pipeline_id=filters.pipeline)
    if filters.stage is not None:
        qs = qs.filter(stage_id=filters.stage)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(customer__name__icontains=filters.q))
    if filters.stale:
        stages = Stage.objects.filter(active=True, stale_days__isnull=False)
        qs = qs.filter(stale_q(stages, timezone.now()))
    return qs


def customer_opportunities(*, actor: User, customer_id: int, limit: int = 20) -> list[Opportunity]:
    """A customer's opportunities the actor may see (its page's section), open ones first."""
    qs = restrict(Opportunity.objects.filter(customer_id=customer_id), actor, VIEW_OPPORTUNITY)
    first = Case(When(status=Status.OPEN, then=0), default=1)
    return list(qs.select_related("stage", "owner").order_by(first, "-id")[:limit])


def open_elsewhere(opportunity: Opportunity) -> bool:
    """Whether the customer has another open opportunity (a lost one then offers no defeat)."""
    return (
        Opportunity.objects.filter(customer_id=opportunity.customer_id, status=Status.OPEN)
        .exclude(pk=opportunity.pk)
        .exists()
    )


# --- the forecast ---------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _month(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass
class ForecastCell:
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    won: Decimal = ZERO


@dataclass
class Forecast:
    months: list[dt.date]
    reps: list[User]
    cells: dict[tuple[int, dt.date], ForecastCell]
    currency: str

    def cell(self, rep: int, month: dt.date) -> ForecastCell:
        return self.cells.get((rep, month), ForecastCell())

    def rep_total(self, rep: int) -> ForecastCell:
        return _add(self.cell(rep, m) for m in self.months)

    def month_total(self, month: dt.date) -> ForecastCell:
        return _add(self.cell(r.pk, month) for r in self.reps)

    @property
    def total(self) -> ForecastCell:
        return _add(self.month_total(m) for m in self.months)


def _add(cells: Iterable[ForecastCell]) -> ForecastCell:
    out = ForecastCell()
    for c in cells:
        out.count += c.count
        out.amount += c.amount
        out.weighted += c.weighted
        out.won += c.won
    return out


MONTHS_MAX = 24


def forecast(
    *,
    actor: User,
    start: dt.date,
    months: int = 6,
    currency: str = Currency.CNY,
    pipeline: int | None = None,
    owner: int | None = None,
) -> Forecast:
    """加权预测: per rep and month of the expected close date, the open opportunities' count,
    amount and weighted amount (amount × the stage's probability), beside what was won in that
    month (by deal date). Two aggregate queries."""
    if not 1 <= months <= MONTHS_MAX:
        raise Invalid(fields={"months": f"1–{MONTHS_MAX}"})
    first = month_start(start)
    end = add_months(first, months)
    scoped = restrict(Opportunity.objects.filter(currency=currency), actor, VIEW_OPPORTUNITY)
    if owner is not None:
        scoped = owned_by(scoped, [owner])
    if pipeline is not None:
        scoped = scoped.filter(pipeline_id=pipeline)
    cells: dict[tuple[int, dt.date], ForecastCell] = defaultdict(ForecastCell)
    open_rows = (
        scoped.filter(status=Status.OPEN, expected_close_on__gte=first, expected_close_on__lt=end)
        .annotate(month=TruncMonth("expected_close_on"))
        .values("owner_id", "month")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            weighted_sum=Sum(F("amount") * F("stage__probability")),
        )
        .order_by()
    )
    for row in open_rows:
        cell = cells[(row["owner_id"], _month(row["month"]))]
        cell.count = row["n"]
        cell.amount = _money(row["total"])
        cell.weighted = (Decimal(row["weighted_sum"] or 0) / 100).quantize(CENT)
    won_rows = (
        scoped.filter(status=Status.WON, won_on__gte=first, won_on__lt=end)
        .annotate(month=TruncMonth("won_on"))
        .values("owner_id", "month")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in won_rows:
        cells[(row["owner_id"], _month(row["month"]))].won = _money(row["amount"])
    reps = list(User.objects.filter(pk__in={k[0] for k in cells}).order_by("full_name", "id"))
    return Forecast(
        months=[add_months(first, n) for n in range(months)],
        reps=reps,
        cells=dict(cells),
        currency=currency,
    )


# --- the funnel -----------------------------------------------------------------------------


@dataclass
class FunnelStep:
    stage: Stage
    reached: int = 0
    reached_amount: Decimal = ZERO
    now: int = 0  # open in this stage now
    now_amount: Decimal = ZERO
    conversion: float | None = None  # of those that reached it, the share reaching the next


@dataclass
class Funnel:
    pipeline: Pipeline
    steps: list[FunnelStep]
    created: int
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    currency: str

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def funnel(
    *,
    actor: User,
    pipeline: Pipeline,
    since: dt.date,
    until: dt.date,
    currency: str = Currency.CNY,
    owner: int | None = None,
) -> Funnel:
    """销售漏斗 of the opportunities entered in the months from ``since``'s to ``until``'s
    (whole months: the funnel reads the tally, kept per month), per stage:
    how many reached it (the furthest stage each got to; a won one reached them all) and their
    amount, how many are open in it now, and the conversion to the next stage (the last one's
    is to won). One aggregate query over the tally, whatever the volume."""
    qs = restrict(
        Tally.objects.filter(
            pipeline=pipeline,
            currency=currency,
            month__gte=month_start(since),
            month__lte=month_start(until),
        ),
        actor,
        VIEW_OPPORTUNITY,
    )
    if owner is not None:
        qs = owned_by(qs, [owner])
    rows = list(
        qs.values("furthest_position", "status", "stage_id")
        .annotate(n=Sum("count"), amount=Sum("amount"))
        .order_by()
    )
    steps = [FunnelStep(stage=s) for s in stages_of(pipeline)]
    out = Funnel(pipeline, steps, 0, 0, ZERO, 0, ZERO, currency)
    for row in rows:
        n, amount = row["n"], _money(row["amount"])
        out.created += n
        if row["status"] == Status.WON:
            out.won, out.won_amount = out.won + n, out.won_amount + amount
        elif row["status"] == Status.LOST:
            out.lost, out.lost_amount = out.lost + n, out.lost_amount + amount
        for step in steps:
            if row["status"] == Status.WON or row["furthest_position"] >= step.stage.position:
                step.reached += n
                step.reached_amount += amount
            if row["status"] == Status.OPEN and row["stage_id"] == step.stage.pk:
                step.now += n
                step.now_amount += amount
    for n, step in enumerate(steps):
        following = steps[n + 1].reached if n + 1 < len(steps) else out.won
        step.conversion = following / step.reached if step.reached else None
    return out


# --- won and lost reasons -------------------------------------------------------------------


@dataclass
class ReasonRow:
    name: str
    count: int
    amount: Decimal


@dataclass
class Reasons:
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    rows: list[ReasonRow]
    currency: str


def reasons(
    *,
    actor: User,
    since: dt.date,
    until: dt.date,
    currency: str = Currency.CNY,
    pipeline: int | None = None,
    owner: int | None = None,
) -> Reasons:
    """赢单与输单原因 of the opportunities closed from ``since`` to ``until``: won count and
    amount, and the lost ones by reason, most frequent first."""
    qs = restrict(
        Opportunity.objects.filter(
            currency=currency,
            closed_at__gte=_day_start(since),
            closed_at__lt=_day_start(until + dt.timedelta(days=1)),
        ).exclude(status=Status.OPEN),
        actor,
        VIEW_OPPORTUNITY,
    )
    if pipeline is not None:
        qs = qs.filter(pipeline_id=pipeline)
    if owner is not None:
        qs = owned_by(qs, [owner])
    grouped = list(
        qs.values("status", "lost_reason__name")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    won = [r for r in grouped if r["status"] == Status.WON]
    lost = sorted(
        (r for r in grouped if r["status"] == Status.LOST),
        key=lambda r: (-r["n"], str(r["lost_reason__name"])),
    )
    return Reasons(
        won=sum(r["n"] for r in won),
        won_amount=sum((_money(r["amount"]) for r in won), ZERO),
        lost=sum(r["n"] for r in lost),
        lost_amount=sum((_money(r["amount"]) for r in lost), ZERO),
        rows=[ReasonRow(r["lost_reason__name"] or "", r["n"], _money(r["amount"])) for r in lost],
        currency=currency,
    )


def reps_in_scope(actor: User, ids: Sequence[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "id"))


def opportunity_followups(*, opportunity: Opportunity, limit: int = 50) -> list[FollowUp]:
    """The follow-up records made about ``opportunity``, newest first."""
    return list(
        FollowUp.objects.filter(opportunity_link__opportunity=opportunity)
        .select_related("staff")
        .order_by("-occurred_at", "-id")[:limit]
    )


def owner_options(*, actor: User) -> list[User]:
    """Who the actor may make an opportunity's owner: active users in the scope of their own
    ``sales.change_opportunity`` who hold it themselves."""
    users = restrict(User.objects.filter(is_active=True), actor, CHANGE_OPPORTUNITY)
    return [
        u
        for u in users.select_related("department", "role").order_by("department_id", "id")[:500]
        if has_action(u, CHANGE_OPPORTUNITY)
    ]


@dataclass
class Stale:
    total: int
    items: list[Opportunity]


def stale_of(*, owner: User, limit: int) -> Stale:
    """``owner``'s own open opportunities that are stale, longest idle first (the morning
    digest): their own rows whatever their role's scope."""
    stages = list(Stage.objects.filter(active=True, stale_days__isnull=False))
    qs = owned_by(Opportunity.objects.all(), [owner.pk]).filter(stale_q(stages, timezone.now()))
    items = list(qs.select_related("customer", "stage").order_by("last_activity_at", "id")[:limit])
    return Stale(total=qs.count() if len(items) == limit else len(items), items=items)
