"""Reads of orders, their reviews, licences and payments, through ``restrict()``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from crm.accounts.models import User
from crm.accounts.roles import VIEW_CUSTOMER, VIEW_ORDER
from crm.core.errors import NotFound
from crm.core.permissions import has_action, owned_by, require, restrict

from .models import (
    ContractReview,
    Instalment,
    MedicalLicence,
    Order,
    OrderState,
    Receipt,
    ReviewRow,
    ReviewState,
    RoundState,
)
from .payments import InstalmentStatus, allocate

LIST_MAX = 200
EXPIRY_DAYS = 30


@dataclass(frozen=True)
class OrderFilters:
    q: str = ""
    state: str = ""
    customer: int | None = None


def order_list(*, actor: User, filters: OrderFilters, limit: int = LIST_MAX) -> list[Order]:
    """The orders the actor may see, newest first (two queries: orders with their customers,
    and the current review rounds are not loaded here)."""
    qs = orders_matching(actor=actor, filters=filters)
    return list(qs.select_related("customer", "customer__owner").order_by("-id")[:limit])


def orders_matching(*, actor: User, filters: OrderFilters) -> QuerySet[Order]:
    """The orders of the list's filter that the actor may see (the list page, its export)."""
    qs: QuerySet[Order] = restrict(Order.objects.all(), actor, VIEW_ORDER)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    if filters.q:
        text = filters.q.strip()
        number = text.upper().removeprefix("SO")
        match = Q(customer__name__icontains=text) | Q(style_number__icontains=text)
        if number.isascii() and number.isdigit() and len(number) <= 18:
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    return qs


def opportunity_orders(*, actor: User, opportunity_id: int) -> list[Order]:
    """The orders registered from a won opportunity (赢单 → 订单) that the actor sees."""
    return list(
        restrict(Order.objects.filter(opportunity_id=opportunity_id), actor, VIEW_ORDER).order_by(
            "id"
        )[:20]
    )


def order_get(*, actor: User, order_id: int) -> Order:
    require(actor, VIEW_ORDER)
    order = (
        restrict(Order.objects.all(), actor, VIEW_ORDER)
        .select_related("customer", "customer__owner", "created_by", "opportunity")
        .prefetch_related("lines__product", "files", "instalments", "receipts")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def review_rounds(order: Order) -> list[ContractReview]:
    """The order's review rounds, the latest first, with their rows."""
    return list(
        order.reviews.select_related("submitted_by", "signed_by", "approval")  # type: ignore[attr-defined]
        .prefetch_related("rows__decided_by")
        .order_by("-round")
    )


def reviewers() -> list[User]:
    """The active users who review contracts in one of the five areas."""
    from .services import AREA_ACTIONS

    wanted = Q()
    for action in AREA_ACTIONS.values():
        wanted |= Q(role__grants__has_key=action)
    return list(User.objects.filter(wanted, is_active=True).order_by("pk"))


@dataclass
class Waiting:
    order: Order
    areas: list[str] = field(default_factory=list)


def review_queue(*, actor: User) -> list[Waiting]:
    """Orders under review waiting for the actor's departments' reviews, oldest first."""
    from .services import AREA_ACTIONS

    areas = [a for a, action in AREA_ACTIONS.items() if has_action(actor, action)]
    found: dict[int, Waiting] = {}
    for area in areas:
        visible = restrict(Order.objects.all(), actor, AREA_ACTIONS[area]).filter(
            state=OrderState.REVIEW
        )
        rows = (
            ReviewRow.objects.filter(
                area=area,
                state=ReviewState.PENDING,
                review__state=RoundState.REVIEWING,
                review__order__in=visible,
            )
            .select_related("review__order__customer")
            .order_by("review__order_id")[:LIST_MAX]
        )
        for row in rows:
            order = row.review.order
            found.setdefault(order.pk, Waiting(order)).areas.append(area)
    return [found[k] for k in sorted(found)]


# --- licences -------------------------------------------------------------------------------


def licence_list(*, actor: User, customer: int | None = None) -> list[MedicalLicence]:
    require(actor, VIEW_CUSTOMER)
    qs = restrict(MedicalLicence.objects.all(), actor, VIEW_CUSTOMER).filter(
        customer__deleted_at__isnull=True
    )
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    return list(qs.select_related("customer", "customer__owner").order_by("expires_on")[:500])


def licence_get(*, actor: User, licence_id: int) -> MedicalLicence:
    require(actor, VIEW_CUSTOMER)
    found = (
        restrict(MedicalLicence.objects.all(), actor, VIEW_CUSTOMER)
        .select_related("customer")
        .filter(pk=licence_id, customer__deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def licences_expiring(
    *, actor: User, today: dt.date, days: int = EXPIRY_DAYS, mine: bool = False
) -> list[MedicalLicence]:
    """Licences running out within ``days`` (or run out in the last ``days``) of customers the
    actor sees (``mine``: of their own customers), soonest first."""
    qs = restrict(MedicalLicence.objects.all(), actor, VIEW_CUSTOMER).filter(
        customer__deleted_at__isnull=True,
        expires_on__lte=today + dt.timedelta(days=days),
        expires_on__gte=today - dt.timedelta(days=days),
    )
    if mine:
        qs = owned_by(qs, [actor.pk])
    return list(qs.select_related("customer", "customer__owner").order_by("expires_on")[:500])


# --- payments -------------------------------------------------------------------------------


def payment_status(order: Order, today: dt.date) -> list[InstalmentStatus]:
    received = sum((r.amount for r in order.receipts.all()), Decimal("0.00"))  # type: ignore[attr-defined]
    return allocate(list(order.instalments.all()), received, today)  # type: ignore[attr-defined]


@dataclass
class Overdue:
    order: Order
    due_on: dt.date
    amount: Decimal
    open_amount: Decimal


def overdue_instalments(
    *, actor: User, today: dt.date, mine: bool = False, limit: int = LIST_MAX
) -> list[Overdue]:
    """Instalments past due and not fully paid, of orders the actor sees (``mine``: of their
    own customers), the oldest first (催款)."""
    orders = restrict(Order.objects.all(), actor, VIEW_ORDER).filter(
        state__in=(OrderState.CONFIRMED, OrderState.DELIVERED),
        pk__in=Instalment.objects.filter(due_on__lt=today).values("order_id"),
    )
    if mine:
        orders = owned_by(orders, [actor.pk])
    out: list[Overdue] = []
    for order in (
        orders.select_related("customer")
        .prefetch_related("instalments", "receipts")
        .order_by("id")[:limit]
    ):
        for status in payment_status(order, today):
            if status.overdue:
                out.append(
                    Overdue(
                        order,
                        status.instalment.due_on,
                        status.instalment.amount,
                        status.open_amount,
                    )
                )
    return sorted(out, key=lambda o: (o.due_on, o.order.pk))[:limit]


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    planned: Decimal
    received: Decimal


def payments_by_month(*, actor: User, year: int) -> list[MonthRow]:
    """Planned (instalments due) against received (receipts) per month of ``year``, over the
    orders the actor sees that were not cancelled."""
    require(actor, VIEW_ORDER)
    orders = restrict(Order.objects.all(), actor, VIEW_ORDER).exclude(state=OrderState.CANCELLED)
    planned = dict(
        Instalment.objects.filter(order__in=orders, due_on__year=year)
        .annotate(m=TruncMonth("due_on"))
        .values("m")
        .annotate(s=Sum("amount"))
        .values_list("m", "s")
    )
    received = dict(
        Receipt.objects.filter(order__in=orders, received_on__year=year)
        .annotate(m=TruncMonth("received_on"))
        .values("m")
        .annotate(s=Sum("amount"))
        .values_list("m", "s")
    )

    def month_of(value: dt.date | dt.datetime) -> dt.date:
        return value.date() if isinstance(value, dt.datetime) else value

    cent = Decimal("0.01")
    planned = {month_of(k): Decimal(v).quantize(cent) for k, v in planned.items()}
    received = {month_of(k): Decimal(v).quantize(cent) for k, v in received.items()}
    return [
        MonthRow(
            dt.date(year, m, 1),
            planned.get(dt.date(year, m, 1)) or Decimal("0.00"),
            received.get(dt.date(year, m, 1)) or Decimal("0.00"),
        )
        for m in range(1, 13)
    ]
