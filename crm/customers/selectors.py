"""Reads of customers. Every queryset starts from ``restrict()``; nothing here writes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from crm.accounts.models import User
from crm.accounts.roles import (
    ASSIGN_CUSTOMER,
    OWN_CUSTOMER,
    VIEW_CUSTOMER,
    VIEW_DELETED_CUSTOMER,
)
from crm.core.errors import NotFound
from crm.core.pagination import Page, decode_cursor, encode_cursor
from crm.core.permissions import owned_by, restrict, scope_terms
from crm.core.validators import normalize_credit_code, normalize_id_number
from crm.governance.models import AuditEvent

from . import search, sensitive
from .models import Contact, Customer, DefeatAnalysis, Tag

MAX_LIMIT = 100
_SEARCH_BATCH = 200
_SEARCH_ROUNDS = 10
_NUMBER = re.compile(r"^kh(\d{1,12})$", re.IGNORECASE)
NUMBER_DIGITS = 6  # KH000123: the id zero-padded to six digits, longer once ids pass 999,999


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    category: str = ""
    grade: str = ""
    owner: int | None = None
    tag: str = ""
    deleted: bool = False


def _base(actor: User, filters: CustomerFilters) -> QuerySet[Customer]:
    qs = restrict(Customer.objects.all(), actor, VIEW_CUSTOMER)
    if filters.deleted:
        qs = restrict(qs, actor, VIEW_DELETED_CUSTOMER).filter(deleted_at__isnull=False)
        qs = qs.select_related("deleted_by")
    else:
        qs = qs.filter(deleted_at__isnull=True)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.owner is not None:
        qs = owned_by(qs, [filters.owner])
    if filters.tag:
        tag = filters.tag  # an id (ASCII digits: "²" is a digit to Python, not to int()) or a name
        by_id = tag.isascii() and tag.isdigit() and len(tag) <= 18
        qs = qs.filter(tags__id=int(tag)) if by_id else qs.filter(tags__name=tag)
    return qs.select_related("owner", "department")


def with_tag_names(customers: list[Customer]) -> list[Customer]:
    """Each customer's tags for a page of customers, in one query of plain (customer id, tag)
    rows: no tags manager and filtered queryset per customer as ``prefetch_related`` makes
    (~1.5 ms a page). ``customer.tag_names`` and ``customer.tags.all()`` then read no more."""
    tags: dict[int, list[Tag]] = {c.pk: [] for c in customers}
    if tags:
        through = Customer.tags.through._meta.db_table
        marks = ", ".join(["%s"] * len(tags))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT ct.customer_id, t.id, t.name, t.color FROM {through} ct "
                f"JOIN {Tag._meta.db_table} t ON t.id = ct.tag_id "
                f"WHERE ct.customer_id IN ({marks}) ORDER BY t.name",
                list(tags),
            )
            for customer_id, *tag in cur.fetchall():
                tags[customer_id].append(Tag.from_db(connection.alias, _TAG_COLUMNS, tag))
    for c in customers:
        own = tags[c.pk]
        cached = Tag.objects.all()  # what prefetch_related would leave, without its per-row cost
        cached._result_cache = own
        cached._prefetch_done = True  # type: ignore[attr-defined]
        c.__dict__.setdefault("_prefetched_objects_cache", {})["tags"] = cached
        c.__dict__["_tag_names"] = [t.name for t in own]
    return customers


_TAG_COLUMNS = ["id", "name", "color"]


def _exact_lookup(q: str) -> dict[str, Any] | None:
    """Queries that name one identifier exactly: number, ID number, credit code, email."""
    text = q.strip()
    number = _NUMBER.match(text)
    if number:
        return {"q": number_fragment(number.group(1))}
    if "@" in text:
        return {"email__iexact": text}
    if len(text) == 18:
        for normalise, key in ((normalize_id_number, "id"), (normalize_credit_code, "credit")):
            try:
                value = normalise(text)
            except ValueError:
                continue
            if key == "id":
                return {"q": sensitive.id_number_lookup(value)}
            return {"credit_code": value}
    return None


def number_ranges(digits: str) -> list[tuple[int, int]]:
    """The id ranges whose customer numbers start with ``KH`` + ``digits``, the id whose number
    it is with the zeros left out first (``KH19``: KH000019).

    Numbers are derived from the id (ADR 0002: the id zero-padded to six digits, longer once ids
    pass 999,999), so a prefix of the number is a union of id ranges: read through the primary
    key, never a scan of the number column."""
    value, width = int(digits), len(digits)
    ranges = [(value, value)] if value else []
    if width <= NUMBER_DIGITS:  # six-digit numbers: ids below 1,000,000 with that prefix
        span = 10 ** (NUMBER_DIGITS - width)
        ranges.append((max(value * span, 1), (value + 1) * span - 1))
    if value and not digits.startswith("0"):  # longer numbers have no leading zeros
        for extra in range(max(0, NUMBER_DIGITS + 1 - width), 13 - width):
            ranges.append((value * 10**extra, (value + 1) * 10**extra - 1))
    return [(low, high) for low, high in ranges if low <= high]


def number_fragment(digits: str) -> Q:
    """The customers whose number ``KH`` + ``digits`` begins (``KH0019``: KH001900 to KH001999)."""
    found = Q(pk__in=[])
    for low, high in number_ranges(digits):
        found |= Q(pk=low) if low == high else Q(pk__gte=low, pk__lte=high)
    return found


def _page(rows: list[Customer], limit: int) -> Page[Customer]:
    if len(rows) > limit:
        return Page(with_tag_names(rows[:limit]), encode_cursor(rows[limit - 1].pk))
    return Page(with_tag_names(rows), None)


def customer_list(
    *, actor: User, filters: CustomerFilters, cursor: str | None = None, limit: int | None = None
) -> Page[Customer]:
    """One page of the customers ``actor`` may see, newest first."""
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, MAX_LIMIT))
    before = decode_cursor(cursor)
    qs = _base(actor, filters)
    if before is not None:
        qs = qs.filter(id__lt=before)
    q = filters.q.strip()
    if not q:
        return _page(list(qs.order_by("-id")[: limit + 1]), limit)
    if filters.deleted:
        # the recycle bin is small and out of the search index: match names directly
        return _page(list(qs.filter(name__icontains=q).order_by("-id")[: limit + 1]), limit)
    exact = _exact_lookup(q)
    if exact is not None:
        lookup = exact.pop("q", None)
        qs = qs.filter(lookup, **exact) if lookup is not None else qs.filter(**exact)
        return _page(list(qs.order_by("-id")[: limit + 1]), limit)
    return _search_page(qs, search.parse(q), before, limit, _index_scope(actor))


def _index_scope(actor: User) -> list[str] | None:
    """The actor's scope as search-index tokens (None: everything), asked of the permissions."""
    terms = scope_terms(actor, VIEW_CUSTOMER, Customer)
    if terms is None:
        return None
    return list(search.scope_tokens(owners=terms.owners, departments=terms.departments))


def _search_page(
    qs: QuerySet[Customer],
    query: search.Query,
    before: int | None,
    limit: int,
    scope: list[str] | None = None,
) -> Page[Customer]:
    """Walk the search index in id order, keeping the matches that pass scope and filters.

    The index itself is narrowed to the actor's scope (``scope``: the owners and departments of
    ``crm.core.permissions.scope_terms``), so that a rep walks their own matches only; the rows
    still pass ``restrict`` through ``qs``.

    The first batch is one page (all that is needed when every match is visible, as for the
    data administrator); later batches are sized from the share of matches that passed so far.
    Bounded: after ``_SEARCH_ROUNDS`` × ``_SEARCH_BATCH`` matches a short page is returned with
    a cursor to go on.
    """
    rows: list[Customer] = []
    batch = limit + 1
    budget = _SEARCH_BATCH * _SEARCH_ROUNDS
    before_next: int | None = None
    while budget > 0:
        batch = min(batch, budget)
        ids = search.matching_ids(query, before=before, limit=batch, scope=scope)
        want = limit + 1 - len(rows)
        kept = list(qs.filter(id__in=ids).order_by("-id")[:want]) if ids else []
        rows += kept
        if len(rows) > limit or len(ids) < batch:
            break
        before = before_next = ids[-1]
        budget -= len(ids)
        passed = max(len(kept), 1) / len(ids)
        batch = max(limit + 1, min(_SEARCH_BATCH * 4, int((want - len(kept)) / passed * 1.5)))
    # the tags are read once for the page (``_page``), not once per batch
    page = _page(rows, limit)
    if budget <= 0 and len(rows) <= limit and before_next is not None:
        page = Page(page.items, encode_cursor(before_next))
    return page


def customer_get(*, actor: User, customer_id: int, action: str = VIEW_CUSTOMER) -> Customer:
    """A live customer the actor may see; 404 otherwise (whether missing or out of scope)."""
    qs = restrict(Customer.objects.filter(deleted_at__isnull=True), actor, action)
    customer = qs.select_related("owner", "department").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def customer_contacts(*, customer: Customer) -> QuerySet[Contact]:
    """Contacts of a customer already obtained through ``customer_get``."""
    return customer.contacts.all()


def contact_get(*, customer: Customer, contact_id: int) -> Contact:
    """A contact of a customer already obtained through ``customer_get`` (404 otherwise)."""
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise NotFound()
    return contact


def customer_history(*, customer: Customer) -> QuerySet[AuditEvent]:
    """The audit trail of a customer already obtained through ``customer_get``."""
    return AuditEvent.objects.filter(
        object_type=Customer._meta.label_lower, object_id=str(customer.pk)
    ).select_related("actor")


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def defeat_analysis(*, customer: Customer) -> DefeatAnalysis | None:
    """The latest defeat analysis of a customer already obtained through ``customer_get``."""
    return (
        DefeatAnalysis.objects.filter(customer=customer)
        .select_related("reason", "manager", "event__actor")
        .order_by("-id")
        .first()
    )


def assignable_owners(*, actor: User) -> QuerySet[User]:
    """Active users whose role may own customers and whom the actor may assign customers to
    (the assign action's scope over people: a rep only themselves, a manager the department)."""
    users = User.objects.filter(is_active=True, role__grants__has_key=OWN_CUSTOMER)
    return restrict(users, actor, ASSIGN_CUSTOMER).select_related("department")


def owner_filter_options(*, actor: User) -> QuerySet[User]:
    """The owners the customer list filters by: those of ``assignable_owners`` and, after them,
    deactivated users in the same reach who still own live customers (shown as 已停用), so
    that their customers can be found and handed over. Never offered as a new owner."""
    leavers = User.objects.filter(
        is_active=False, customers__isnull=False, customers__deleted_at__isnull=True
    )
    users = User.objects.filter(
        Q(is_active=True, role__grants__has_key=OWN_CUSTOMER) | Q(pk__in=leavers.values("pk"))
    )
    return (
        restrict(users, actor, ASSIGN_CUSTOMER)
        .select_related("department")
        .order_by("-is_active", "department__path", "id")
    )
