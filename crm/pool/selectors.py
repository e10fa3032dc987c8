"""Reads of the public pools: the pools an actor may see, the customers in them as a member may
see them before claiming (the phone masked, the pool's hidden fields left out), the actor's
remaining claims today, and the actor's customers about to return (the Today page, the digest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import ASSIGN_FROM_POOL, CLAIM_POOL, MANAGE_POOL, VIEW_CUSTOMER, VIEW_POOL
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import Scope, allows, restrict
from crm.customers import sensitive
from crm.customers.models import Customer

from . import rules
from .choices import HideableField, LeaveKind
from .models import Pool, PoolEntry, PoolLock

# --- pools ----------------------------------------------------------------------------------------


def pool_list(*, actor: User, action: str = VIEW_POOL) -> QuerySet[Pool]:
    """The pools ``actor`` may see (or manage: ``action=MANAGE_POOL``), with how many customers
    each holds."""
    pools = restrict(Pool.objects.all(), actor, action)
    return Pool.objects.filter(pk__in=pools.values("pk")).annotate(
        waiting=Count("entries", filter=Q(entries__left_at__isnull=True))
    )


def pool_get(*, actor: User, pool_id: int, action: str = VIEW_POOL) -> Pool | None:
    return restrict(Pool.objects.filter(pk=pool_id), actor, action).first()


def pool_members(pool: Pool) -> list[User]:
    return list(pool.member_users.order_by("username"))


def pool_admins(pool: Pool) -> list[User]:
    return list(pool.admin_users.order_by("username"))


def may_assign(actor: User, pool: Pool) -> bool:
    return allows(actor, ASSIGN_FROM_POOL, pool)


def may_claim(actor: User, pool: Pool) -> bool:
    return allows(actor, CLAIM_POOL, pool)


def may_manage(actor: User, pool: Pool) -> bool:
    return allows(actor, MANAGE_POOL, pool)


# --- the customers in a pool, masked ----------------------------------------------------------


@dataclass(frozen=True)
class PoolCustomer:
    """A customer in a pool as a member sees it before claiming: ``None`` for a hidden field,
    the phone masked (138****5678) or hidden. ``readable``: the actor may open the customer's
    page (a manager whose department it belongs to)."""

    id: int
    number: str
    name: str
    kind: str
    category: str
    grade: str
    phone: str | None
    company: str | None
    city: str | None
    address: str | None
    needs: str | None
    source: str | None
    pool_id: int
    pool_name: str
    entered_at: dt.datetime
    former_owner: str
    reason: str
    readable: bool
    customer: Customer


def _masked(entry: PoolEntry, actor: User) -> PoolCustomer:
    c = entry.customer
    hidden = set(entry.pool.hidden_fields or [])

    def shown(name: str, value: str) -> str | None:
        return None if name in hidden else value

    phone = c.phone
    return PoolCustomer(
        id=c.pk,
        number=c.number or "",
        name=c.name,
        kind=c.kind,
        category=c.category,
        grade=c.grade,
        phone=shown(HideableField.PHONE, sensitive.mask_phone(phone) if phone else ""),
        company=shown(HideableField.COMPANY, c.company),
        city=shown(HideableField.CITY, c.city),
        address=shown(HideableField.ADDRESS, c.address),
        needs=shown(HideableField.NEEDS, c.needs),
        source=shown(HideableField.SOURCE, c.source),
        pool_id=entry.pool_id,
        pool_name=entry.pool.name,
        entered_at=entry.entered_at,
        former_owner=entry.former_owner.display_name if entry.former_owner else "",
        reason=entry.reason,
        readable=allows(actor, VIEW_CUSTOMER, c),
        customer=c,
    )


@dataclass(frozen=True)
class PoolFilters:
    pool: int | None = None
    q: str = ""
    grade: str = ""
    category: str = ""


def pool_customers(
    *, actor: User, filters: PoolFilters, cursor: str | None = None, limit: int | None = None
) -> Page[PoolCustomer]:
    """The customers waiting in the actor's pools, newest entry first (keyset pages by entry)."""
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, 100))
    entries = restrict(PoolEntry.objects.filter(left_at__isnull=True), actor, VIEW_POOL)
    qs = PoolEntry.objects.filter(pk__in=entries.values("pk"))
    if filters.pool:
        qs = qs.filter(pool_id=filters.pool)
    if filters.q:
        qs = qs.filter(Q(customer__name__icontains=filters.q) | Q(customer__number=filters.q))
    if filters.grade:
        qs = qs.filter(customer__grade=filters.grade)
    if filters.category:
        qs = qs.filter(customer__category=filters.category)
    after = decode_cursor(cursor)
    if after is not None:
        qs = qs.filter(pk__lt=after)
    rows = list(
        qs.select_related("customer", "pool", "former_owner", "customer__owner").order_by("-pk")[
            : limit + 1
        ]
    )
    nxt = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return Page([_masked(e, actor) for e in rows[:limit]], nxt)


def claims_left_today(*, actor: User, pool: Pool, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    taken = PoolEntry.objects.filter(
        pool=pool, taken_by=actor, left_kind=LeaveKind.CLAIMED, left_at__gte=start
    ).count()
    return max(pool.claims_per_day - taken, 0)


def is_locked(customer: Customer) -> PoolLock | None:
    """The lock against return of a customer already obtained through ``customer_get``."""
    return PoolLock.objects.filter(customer=customer).select_related("locked_by").first()


def current_entry(customer: Customer) -> PoolEntry | None:
    """The pool a customer already obtained through ``customer_get`` waits in, if any."""
    return (
        PoolEntry.objects.filter(customer=customer, left_at__isnull=True)
        .select_related("pool")
        .first()
    )


# --- the actor's customers about to return ------------------------------------------------


@dataclass(frozen=True)
class Returning:
    customer_id: int
    name: str
    return_on: dt.date
    pool_name: str
    reason: str
    days_left: int


def returning(*, actor: User, today: dt.date | None = None, limit: int = 200) -> list[Returning]:
    """The actor's own customers whose warning day has come, soonest return first: the same
    decision as the nightly pass (crm.pool.rules), for one owner."""
    from .services import return_reason

    today = today or timezone.localdate()
    mine = restrict(
        Customer.objects.filter(deleted_at__isnull=True), actor, VIEW_CUSTOMER, within=Scope.OWN
    )
    active = rules.active_rules(owner_id=actor.pk)
    out: list[Returning] = []
    for dues in rules.due_batches(mine, active, today):
        out += [
            Returning(
                customer_id=d.customer_id,
                name=d.name,
                return_on=d.return_on,
                pool_name=d.rule.pool_name,
                reason=return_reason(d.rule),
                days_left=max((d.return_on - today).days, 0),
            )
            for d in dues
        ]
    out.sort(key=lambda r: (r.return_on, r.customer_id))
    return out[:limit]
