"""Reads of customers. Every queryset starts from ``restrict()``; nothing here writes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.accounts.models import User
from crm.accounts.roles import (
    ASSIGN_CUSTOMER,
    OWN_CUSTOMER,
    VIEW_CUSTOMER,
    VIEW_DELETED_CUSTOMER,
)
from crm.core.errors import NotFound
from crm.core.pagination import (
    Page,
    decode_cursor,
    decode_sort_cursor,
    encode_cursor,
    encode_sort_cursor,
)
from crm.core.permissions import owned_by, restrict, restrict_parts, scope_terms, shared_with
from crm.core.validators import normalize_credit_code, normalize_id_number, normalize_phone
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
    mine: bool = False  # the actor's own customers (a preset for everyone: 我的逾期)
    shared: bool = False  # customers colleagues share with the actor (共享给我的)
    follow: str = ""  # one of FOLLOW: overdue, due (today or overdue), never followed up
    created: str = ""  # one of CREATED: entered this week / this month
    sort: str = ""  # one of SORTS, "-" first for descending; "" the newest first


FOLLOW = ("overdue", "due", "never")
CREATED = ("week", "month")


def _since(period: str) -> dt.datetime:
    """The local start of this week (Monday) or month, as an aware moment."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday()) if period == "week" else today.replace(day=1)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def _base(actor: User, filters: CustomerFilters) -> QuerySet[Customer]:
    return _narrow(restrict(Customer.objects.all(), actor, VIEW_CUSTOMER), actor, filters)


def _bases(actor: User, filters: CustomerFilters) -> list[QuerySet[Customer]]:
    """``_base`` as disjoint parts (``restrict_parts``): the customers in the actor's scope, and
    those colleagues share with them, each paged on its own index and merged (a rep with shares
    would otherwise have all their customers sorted for one page)."""
    if filters.deleted or filters.mine or filters.shared:
        return [_base(actor, filters)]
    parts = restrict_parts(Customer.objects.all(), actor, VIEW_CUSTOMER)
    return [_narrow(part, actor, filters) for part in parts]


def _narrow(qs: QuerySet[Customer], actor: User, filters: CustomerFilters) -> QuerySet[Customer]:
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
    if filters.mine:
        qs = owned_by(qs, [actor.pk])
    if filters.shared:
        qs = shared_with(qs, actor)
    today = timezone.localdate()
    if filters.follow == "overdue":
        qs = qs.filter(next_due_on__lt=today)
    elif filters.follow == "due":
        qs = qs.filter(next_due_on__lte=today)
    elif filters.follow == "never":
        qs = qs.filter(last_contact_at__isnull=True)
    if filters.created in CREATED:
        qs = qs.filter(created_at__gte=_since(filters.created))
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
    """One page of the customers ``actor`` may see, newest first or in ``filters.sort`` (a
    text search keeps its own order, newest match first)."""
    limit = max(1, min(limit or settings.CRM_PAGE_SIZE, MAX_LIMIT))
    q = filters.q.strip()
    sort = _sort_of(filters.sort)
    if sort is not None and not (q and not filters.deleted and _exact_lookup(q) is None):
        if q:
            return _page_sorted(
                [_narrowed(_base(actor, filters), q, filters.deleted)], sort, cursor, limit
            )
        return _page_sorted(_bases(actor, filters), sort, cursor, limit)
    before = decode_cursor(_id_part(cursor))
    if not q:
        return _page(_newest(_bases(actor, filters), before, limit + 1), limit)
    qs = _base(actor, filters)
    if before is not None:
        qs = qs.filter(id__lt=before)
    if filters.deleted:
        # the recycle bin is small and out of the search index: match names directly
        return _page(list(qs.filter(name__icontains=q).order_by("-id")[: limit + 1]), limit)
    exact = _exact_lookup(q)
    if exact is not None:
        lookup = exact.pop("q", None)
        qs = qs.filter(lookup, **exact) if lookup is not None else qs.filter(**exact)
        return _page(list(qs.order_by("-id")[: limit + 1]), limit)
    query = search.parse(q)
    if query.digits_prefix and not sensitive.may_see_phones(actor):
        return _page(_phone_without_fragments(qs, q, query.digits_prefix, limit), limit)
    return _search_page(qs, query, before, limit, _index_scope(actor))


def _phone_without_fragments(
    qs: QuerySet[Customer], typed: str, digits: str, limit: int
) -> list[Customer]:
    """Digits searched by someone who may not see phones: a whole number is an exact lookup
    (its keyed hash, as the front desk and the duplicate check have), as typed (a foreign one
    with its +44) or as its digits; a fragment finds nothing, since its matches would tell whose
    numbers hold it (ADR 0009)."""
    try:
        phone = normalize_phone(typed)
    except ValueError:
        try:
            phone = normalize_phone(digits)
        except ValueError:
            return []
    return list(qs.filter(sensitive.phone_lookup(phone)).order_by("-id")[: limit + 1])


def _newest(parts: list[QuerySet[Customer]], before: int | None, n: int) -> list[Customer]:
    """The newest ``n`` rows of the parts (below ``before``), each read on its own."""
    rows: list[Customer] = []
    for part in parts:
        if before is not None:
            part = part.filter(id__lt=before)
        rows += list(part.order_by("-id")[:n])
    if len(parts) > 1:
        rows = sorted(rows, key=lambda c: -c.pk)[:n]
    return rows


def _id_part(cursor: str | None) -> str | None:
    """The id of a sorted list's cursor given to the newest-first order (the sort left out, or
    a text search, which keeps its own order): it still names a place, as the pattern the API
    documents promises (``LIST_CURSOR``)."""
    if cursor and "_" in cursor:
        return cursor.rsplit("_", 1)[1]
    return cursor


def _narrowed(qs: QuerySet[Customer], q: str, deleted: bool) -> QuerySet[Customer]:
    """``qs`` narrowed by a query that is no text search (the recycle bin's name, or one
    identifier named exactly)."""
    if deleted:
        return qs.filter(name__icontains=q)
    exact = _exact_lookup(q) or {}
    lookup = exact.pop("q", None)
    return qs.filter(lookup, **exact) if lookup is not None else qs.filter(**exact)


# --- sorting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    """A column the list sorts by: ``field`` holds a moment, a day, a grade or the owner."""

    field: str
    kind: str  # "moment" | "day" | "grade" | "owner"
    descending: bool


SORTS: dict[str, tuple[str, str]] = {
    "last_contact": ("last_contact_at", "moment"),  # 最近跟进
    "next_due": ("next_due_on", "day"),  # 下次跟进
    "grade": ("grade", "grade"),  # 级别: O, H, A, B, C
    "created": ("created_at", "moment"),  # 创建时间
    "owner": ("owner_id", "owner"),  # 负责人 (grouped by rep)
}
SORT_CHOICES = tuple(SORTS) + tuple(f"-{k}" for k in SORTS)
_GRADES = ("O", "H", "A", "B", "C")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROS_MAX = 10**16 - 1  # the cursor's 16 digits: beyond year 2286


def _sort_of(value: str) -> Sort | None:
    name = value.removeprefix("-")
    if name not in SORTS or value not in SORT_CHOICES:
        return None
    field, kind = SORTS[name]
    return Sort(field, kind, value.startswith("-"))


def _key(sort: Sort, customer: Customer) -> int | None:
    value = getattr(customer, sort.field)
    if value in (None, ""):
        return None
    if sort.kind == "moment":
        return int((value - _EPOCH) // dt.timedelta(microseconds=1))
    if sort.kind == "day":
        return int(value.toordinal())
    if sort.kind == "grade":
        return _GRADES.index(value) if value in _GRADES else None
    return int(value)


def _value(sort: Sort, key: int) -> Any:
    """The field's value of a cursor's key, held within what the field can hold."""
    if sort.kind == "moment":
        return _EPOCH + dt.timedelta(microseconds=max(-_MICROS_MAX, min(key, _MICROS_MAX)))
    if sort.kind == "day":
        return dt.date.fromordinal(max(1, min(key, dt.date.max.toordinal())))
    if sort.kind == "grade":
        return max(0, min(key, len(_GRADES) - 1))
    return key


def _present(sort: Sort) -> Q:
    return ~Q(grade="") if sort.kind == "grade" else Q(**{f"{sort.field}__isnull": False})


def _keyed_rows(
    qs: QuerySet[Customer], sort: Sort, after: tuple[int, int] | None, want: int
) -> list[Customer]:
    """Up to ``want`` rows that have the sort key, after the position ``after``.

    A grade is read grade by grade in its order (one query each on the (grade, id) index),
    newest first within a grade; the other keys by (key, id) in the sort's direction, the
    keyset condition written with a bound on the key alone so that the (key, id) index is
    used on PostgreSQL."""
    if sort.kind == "grade":
        order = _GRADES[::-1] if sort.descending else _GRADES
        rank, last_id = 0, None
        if after is not None:
            rank, last_id = order.index(_GRADES[_value(sort, after[0])]), after[1]
        rows: list[Customer] = []
        for i, grade in enumerate(order[rank:]):
            part = qs.filter(grade=grade)
            if i == 0 and last_id is not None:
                part = part.filter(id__lt=last_id)
            rows += list(part.order_by("-id")[: want - len(rows)])
            if len(rows) >= want:
                break
        return rows
    part = qs.filter(_present(sort))
    f = sort.field
    if after is not None:
        value, last_id = _value(sort, after[0]), after[1]
        if sort.descending:
            part = part.filter(**{f"{f}__lte": value}).filter(
                Q(**{f"{f}__lt": value}) | Q(**{f: value, "id__lt": last_id})
            )
        else:
            part = part.filter(**{f"{f}__gte": value}).filter(
                Q(**{f"{f}__gt": value}) | Q(**{f: value, "id__gt": last_id})
            )
    keys = (f"-{f}", "-id") if sort.descending else (f, "id")
    return list(part.order_by(*keys)[:want])


def _page_sorted(
    parts: list[QuerySet[Customer]], sort: Sort, cursor: str | None, limit: int
) -> Page[Customer]:
    """A page sorted by ``sort``, the rows without the key last (newest first) whichever the
    direction; the cursor is the last row's key and id (``SORT_CURSOR``), so a page holds
    whatever was added or changed before it. Disjoint ``parts`` are each read and merged."""
    if cursor and cursor.isascii() and cursor.isdigit() and len(cursor) <= 18:
        cursor = encode_sort_cursor(None, int(cursor))  # a newest-first cursor: an id
    position = decode_sort_cursor(cursor)
    rows: list[Customer] = []
    for qs in parts:
        rows += _sorted_rows(qs, sort, position, limit)
    if len(parts) > 1:
        rows = sorted(rows, key=lambda c: _order(sort, c))[: limit + 1]
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(with_tag_names(rows[:limit]), encode_sort_cursor(_key(sort, last), last.pk))
    return Page(with_tag_names(rows), None)


def _order(sort: Sort, customer: Customer) -> tuple[int, int, int]:
    """Where a row stands in a page sorted by ``sort`` (what ``_sorted_rows`` reads in order)."""
    key = _key(sort, customer)
    if key is None:
        return (1, 0, -customer.pk)
    sign = -1 if sort.descending else 1
    if sort.kind == "grade":
        return (0, sign * key, -customer.pk)
    return (0, sign * key, sign * customer.pk)


def _sorted_rows(
    qs: QuerySet[Customer], sort: Sort, position: tuple[int | None, int] | None, limit: int
) -> list[Customer]:
    rows: list[Customer] = []
    in_keyless = position is not None and position[0] is None
    if not in_keyless:
        after = None if position is None else (int(position[0] or 0), position[1])
        rows = _keyed_rows(qs, sort, after, limit + 1)
    if len(rows) <= limit:
        keyless = qs.exclude(_present(sort))
        if in_keyless and position is not None:
            keyless = keyless.filter(id__lt=position[1])
        rows += list(keyless.order_by("-id")[: limit + 1 - len(rows)])
    return rows


# --- the count ------------------------------------------------------------------------------

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Count:
    """How many customers a list holds: ``exact``, or more than ``value`` (the cap)."""

    value: int
    exact: bool


def customer_count(*, actor: User, filters: CustomerFilters) -> Count | None:
    """How many customers the list of ``filters`` holds, in the actor's scope, counted up to
    ``COUNT_CAP``: a ``COUNT(*)`` over a subquery ``LIMIT COUNT_CAP + 1`` (an index scan of at
    most that many entries, milliseconds at a million customers); more than the cap is told as
    "超过 10000" (``exact`` False), never estimated. None for a text search, whose matches are
    found page by page (``_search_page``) and not counted."""
    q = filters.q.strip()
    parts = _bases(actor, filters)
    if q:
        if not filters.deleted and _exact_lookup(q) is None:
            return None
        parts = [_narrowed(_base(actor, filters), q, filters.deleted)]
    n = sum(qs.order_by().values("pk")[: COUNT_CAP + 1].count() for qs in parts)  # disjoint
    return Count(min(n, COUNT_CAP), n <= COUNT_CAP)


def customer_ids(*, actor: User, filters: CustomerFilters, limit: int) -> list[int]:
    """The ids of the list of ``filters`` in the actor's scope (the whole filter of a bulk
    action), newest first, at most ``limit``; a text search walks its matches page by page."""
    q = filters.q.strip()
    if not q or filters.deleted or _exact_lookup(q) is not None:
        qs = _base(actor, filters)
        if q:
            qs = _narrowed(qs, q, filters.deleted)
        return list(qs.order_by("-id").values_list("pk", flat=True)[:limit])
    ids: list[int] = []
    cursor: str | None = None
    plain = CustomerFilters(**{**filters.__dict__, "sort": ""})
    while len(ids) < limit:
        page = customer_list(actor=actor, filters=plain, cursor=cursor, limit=MAX_LIMIT)
        ids += [c.pk for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return ids[:limit]


def _index_scope(actor: User) -> list[str] | None:
    """The actor's scope as search-index tokens (None: everything), asked of the permissions."""
    terms = scope_terms(actor, VIEW_CUSTOMER, Customer)
    if terms is None:
        return None
    return list(
        search.scope_tokens(owners=terms.owners, departments=terms.departments, rows=terms.rows)
    )


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


def change_request_rows(request: Any) -> list[tuple[str, Any, Any]]:
    """What a change request (客户资料变更申请) asks to change, field by field: (label, before,
    after), the owner by name; empty for a request of another kind."""
    from .services import CHANGE_LABELS, CHANGE_REQUEST, change_request_values

    if getattr(request, "kind", "") != CHANGE_REQUEST:
        return []
    changes, before = change_request_values(request)
    names: dict[Any, str] = {}
    if "owner" in changes:
        wanted = [v for v in (changes["owner"], before.get("owner")) if v]
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=wanted)}
    rows = []
    for field, after in changes.items():
        old = before.get(field)
        if field == "owner":
            old, after = names.get(old, old), names.get(after, after)
        rows.append((str(CHANGE_LABELS.get(field, field)), old or "—", after or "—"))
    return rows
