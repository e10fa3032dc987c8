"""Reads of customer service, through ``restrict()``: the complaint list, a handler's open queue,
the SLA overdue list, one complaint with its 处理过程, a customer's service records, the SLA
table and the calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import VIEW_COMPLAINT, VIEW_CUSTOMER
from crm.core.errors import NotFound
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import assignee_in, require, restrict
from crm.customers.models import Customer

from .models import CalendarDay, Complaint, ServiceRecord, Severity, SlaPolicy

WORKLIST_MAX = 50  # a worklist shows the 50 most urgent


@dataclass(frozen=True)
class ComplaintFilters:
    state: str = ""
    category: str = ""
    severity: str = ""
    mine: bool = False  # handled by me
    overdue: bool = False
    customer: int | None = None
    q: str = ""  # number or complainant


def _visible(actor: User) -> QuerySet[Complaint]:
    require(actor, VIEW_COMPLAINT)
    return restrict(Complaint.objects.all(), actor, VIEW_COMPLAINT)


# what a list row shows (``ComplaintRowOut``, the list pages): reading fewer columns, and above
# all fewer timestamps (each one parsed and made aware per row), keeps a 100-row worklist fast
ROW_FIELDS = (
    "id",
    "customer__id",
    "customer__name",
    "complainant",
    "channel",
    "category",
    "severity",
    "product",
    "state",
    "handler__id",
    "handler__full_name",
    "handler__username",
    "created_at",
    "response_due",
    "resolve_due",
    "accepted_at",
    "resolved_at",
    "escalation",
)


def _listed(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return qs.select_related("customer", "handler").only(*ROW_FIELDS)


def complaint_page(
    *, actor: User, filters: ComplaintFilters, cursor: str | None = None, size: int = 20
) -> Page[Complaint]:
    """The complaints the actor may see, newest first, one page."""
    qs = complaints_matching(actor=actor, filters=filters)
    last = decode_cursor(cursor)
    if last is not None:
        qs = qs.filter(pk__lt=last)
    rows = list(_listed(qs).order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].pk) if more and rows else None)


def complaints_matching(*, actor: User, filters: ComplaintFilters) -> QuerySet[Complaint]:
    """The complaints of the list's filter that the actor may see (the list, its export)."""
    qs = _visible(actor)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.mine:
        qs = assignee_in(qs, [actor.pk])
    if filters.overdue:
        qs = qs.filter(open_due__lt=timezone.now())
    if filters.customer is not None:
        qs = qs.filter(customer_id=filters.customer)
    text = filters.q.strip().upper()
    if text:
        if text.startswith("TS") and text[2:].isdigit() and len(text) <= 12:
            qs = qs.filter(pk=int(text[2:]))
        else:
            qs = qs.filter(complainant__icontains=filters.q.strip())
    return qs


def complaint_queue(*, actor: User, limit: int = WORKLIST_MAX) -> list[Complaint]:
    """The actor's open complaints as their handler, soonest resolution deadline first."""
    qs = assignee_in(_visible(actor).filter(open_due__isnull=False), [actor.pk])
    return list(_listed(qs).order_by("open_due")[:limit])


def complaint_overdue(
    *, actor: User, now: dt.datetime | None = None, limit: int = WORKLIST_MAX
) -> list[Complaint]:
    """Open complaints past a deadline (resolution, or response while still unaccepted) that
    the actor may see, the longest overdue first: two index ranges (``open_due``; ``state,
    response_due``) merged, so that neither sorts the whole overdue set."""
    now = now or timezone.now()
    visible = _visible(actor)
    late = visible.filter(open_due__lt=now).order_by("open_due").values_list("pk", "open_due")
    unanswered = (
        visible.filter(state="registered", response_due__lt=now, open_due__gte=now)
        .order_by("response_due")
        .values_list("pk", "response_due")
    )
    first = sorted([*late[:limit], *unanswered[:limit]], key=lambda row: (row[1], row[0]))[:limit]
    rank = {pk: n for n, (pk, _due) in enumerate(first)}
    rows = _listed(Complaint.objects.filter(pk__in=list(rank)))
    return sorted(rows, key=lambda c: rank[c.pk])


def complaint_get(*, actor: User, complaint_id: int) -> Complaint:
    found = _visible(actor).filter(pk=complaint_id).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound()
    return (
        Complaint.objects.select_related("customer", "handler", "registered_by", "department")
        .prefetch_related(
            "steps__actor", "collaborators__user", "collaborators__department", "attachments"
        )
        .get(pk=found)
    )


def customer_service_records(
    *, actor: User, customer_id: int, limit: int = 50
) -> list[ServiceRecord]:
    """A customer's 客户服务记录, newest first, for whoever may read the customer."""
    require(actor, VIEW_CUSTOMER)
    customers = restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
    if not customers.filter(pk=customer_id).exists():
        raise NotFound()
    qs = restrict(ServiceRecord.objects.all(), actor, VIEW_CUSTOMER)
    return list(
        qs.filter(customer_id=customer_id, customer__deleted_at__isnull=True)
        .select_related("staff")
        .order_by("-served_on", "-pk")[:limit]
    )


def service_records_of(*, actor: User, customer: Customer, limit: int = 10) -> list[ServiceRecord]:
    """The records of a customer the page already showed the actor (no second check of the
    customer itself: the customer's page is its own)."""
    qs = restrict(ServiceRecord.objects.all(), actor, VIEW_CUSTOMER)
    return list(
        qs.filter(customer=customer).select_related("staff").order_by("-served_on", "-pk")[:limit]
    )


def customer_complaints(*, actor: User, customer_id: int, limit: int = 20) -> list[Complaint]:
    """A customer's complaints the actor may see, newest first (empty without the action)."""
    from crm.core.permissions import has_action

    if not has_action(actor, VIEW_COMPLAINT):
        return []
    qs = restrict(Complaint.objects.all(), actor, VIEW_COMPLAINT).filter(customer_id=customer_id)
    return list(qs.select_related("handler").order_by("-pk")[:limit])


def sla_table() -> list[SlaPolicy]:
    from .services import sla_of

    return [sla_of(s) for s in Severity.values]


def calendar_days(*, year: int | None = None) -> list[CalendarDay]:
    qs = CalendarDay.objects.all()
    if year is not None:
        qs = qs.filter(day__year=year)
    return list(qs.order_by("day"))


def staff_with(action: str) -> list[User]:
    """Active users holding ``action`` (the handlers and helpers a form offers)."""
    users = (
        User.objects.filter(is_active=True, role__grants__has_key=action)
        .select_related("role", "department")
        .order_by("department__path", "pk")
    )
    return [u for u in users if u.has_action(action)]


def customer_to_serve(*, actor: User, customer_id: int) -> Customer:
    """The customer whose 客户服务记录 the actor may write (404 otherwise)."""
    from crm.accounts.roles import RECORD_SERVICE
    from crm.core.permissions import allows

    require(actor, RECORD_SERVICE)
    customer = Customer.objects.alive().filter(pk=customer_id).first()
    if customer is None or not allows(actor, RECORD_SERVICE, ServiceRecord(customer=customer)):
        raise NotFound()
    return customer
