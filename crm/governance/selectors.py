"""Reads of the audit log for its viewer (the data administrator; ``governance.view_auditevent``).

Keyset pages, newest first, over the indexes of the filters: (actor, id), (verb, id),
(object_type, object_id, id) and created_at. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import VIEW_AUDIT
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import owned_by, require, restrict

from .models import AuditEvent

MAX_LIMIT = 100
CUSTOMER_TYPE = "customers.customer"
# days outside these bounds mean "no bound" (and stay clear of datetime's limits)
_FIRST_DAY = dt.date(1900, 1, 1)
_LAST_DAY = dt.date(9998, 12, 31)


# Events about a customer that are not on the customer's own record: an export of many customers
# is one event on its request (crm.retrieval registers where its customers are listed).
CustomerEvents = Callable[[int], Q]
_CUSTOMER_EVENTS: list[CustomerEvents] = []


def on_customer_events(fn: CustomerEvents) -> CustomerEvents:
    """Register ``fn(customer_id) -> Q``: more audit events that concern that customer."""
    if fn not in _CUSTOMER_EVENTS:
        _CUSTOMER_EVENTS.append(fn)
    return fn


def _about_customer(customer_id: int) -> Q:
    wanted = Q(object_type=CUSTOMER_TYPE, object_id=str(customer_id))
    for fn in _CUSTOMER_EVENTS:
        wanted |= fn(customer_id)
    return wanted


@dataclass(frozen=True)
class AuditFilters:
    actor: int | None = None
    customer: int | None = None
    verb: str = ""
    since: dt.date | None = None  # first day, inclusive (local time)
    until: dt.date | None = None  # last day, inclusive
    kind: str = ""  # the access log's kinds of access (ACCESS_KINDS); "" any kind
    verbs: tuple[str, ...] = ()  # any of these verbs (the access log: every kind of access)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "", ())}

    def as_text(self) -> dict[str, str]:
        """The filter as the audit log keeps a read's filter (plain text values)."""
        shown = {k: v for k, v in self.as_dict().items() if k != "verbs"}
        return {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in shown.items()}


# The access log (查阅登记): reads, reveals and exports of customer data, by kind. A verb is a
# read when it ends in ``viewed`` or ``listed`` (crm.customers.services' registered reads).
REVEAL_VERBS = ("customer.field_revealed",)
EXPORT_VERBS = (
    "report.exported",
    "access_log.exported",
    "customer.exported",
    "retrieval.exported",
)
READ_VERBS = (
    "customer.viewed",
    "customer.listed",
    "customer.due_listed",
    "customer.history_viewed",
    "customer.contacts_viewed",
    "customer.followups_viewed",
    "customer.plans_viewed",
    "customer.timeline_viewed",
    "customer.attachment_viewed",
    "plan.listed",
    "referral.listed",
    "team_day.viewed",
    "reception.lookup",
    "calendar_feed.fetched",
)
EXPORT_LIMIT = 10000


def read_verbs(known: Iterable[str] = ()) -> tuple[str, ...]:
    """The verbs of reads: those above and any other known verb of a read (``…viewed``)."""
    return tuple(sorted({v for v in known if v.endswith(("viewed", "listed"))} | set(READ_VERBS)))


def access_verbs(kind: str, known: Iterable[str] = ()) -> tuple[str, ...]:
    """The verbs of one kind of access (``viewed``, ``revealed``, ``exported``; "" all)."""
    kinds = {"viewed": read_verbs(known), "revealed": REVEAL_VERBS, "exported": EXPORT_VERBS}
    if kind in kinds:
        return kinds[kind]
    return tuple(sorted({*kinds["viewed"], *REVEAL_VERBS, *EXPORT_VERBS}))


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(qs: QuerySet[AuditEvent], filters: AuditFilters) -> QuerySet[AuditEvent]:
    if filters.actor is not None:
        qs = owned_by(qs, [filters.actor])  # the log's owner is its actor
    if filters.customer is not None:
        qs = qs.filter(_about_customer(filters.customer))
    if filters.verb:
        qs = qs.filter(verb=filters.verb)
    if filters.verbs:
        qs = qs.filter(verb__in=filters.verbs)
    if filters.since is not None and filters.since > _FIRST_DAY:
        qs = qs.filter(created_at__gte=_start_of(min(filters.since, _LAST_DAY)))
    if filters.until is not None and filters.until < _LAST_DAY:
        qs = qs.filter(created_at__lt=_start_of(max(filters.until, _FIRST_DAY) + dt.timedelta(1)))
    return qs


def audit_page(
    *, actor: User, filters: AuditFilters, cursor: str | None = None, limit: int | None = None
) -> Page[AuditEvent]:
    """One page of the audit log, newest first (403 without ``governance.view_auditevent``)."""
    require(actor, VIEW_AUDIT)
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, MAX_LIMIT))
    qs = _filtered(restrict(AuditEvent.objects.all(), actor, VIEW_AUDIT), filters)
    before = decode_cursor(cursor)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: limit + 1])
    if len(rows) > limit:
        return Page(rows[:limit], encode_cursor(rows[limit - 1].pk))
    return Page(rows, None)


def access_events(*, actor: User, filters: AuditFilters) -> list[AuditEvent]:
    """The access log under ``filters`` for an export: newest first, ``EXPORT_LIMIT`` at most."""
    require(actor, VIEW_AUDIT)
    qs = _filtered(restrict(AuditEvent.objects.all(), actor, VIEW_AUDIT), filters)
    return list(qs.order_by("-id")[:EXPORT_LIMIT])
