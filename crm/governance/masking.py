"""The one place customer fields are masked by confidentiality level (密级).

Web pages, API responses, exports and search results all show customers through a ``Masker``
(``masker_for(actor)``): it is built once per actor object (one request), reads the levels and
the actor's clearance once (two small queries), and then costs each row a dictionary lookup
(which fields this reader may not see of this customer) plus the masking of those fields.

``show(customer)`` returns the customer itself when nothing is hidden, else a display copy whose
hidden fields read masked (138****1234, 110101********1234, ***): a copy is still a Customer,
so permission checks and templates work unchanged, and it refuses to be saved. Phone and ID
number read masked through crm.customers.sensitive (the one accessor of those values).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection

from crm.accounts.models import User
from crm.accounts.roles import VIEW_CUSTOMER
from crm.core.pagination import Page
from crm.core.permissions import Scope, _shared_ids
from crm.customers.models import Contact, Customer
from crm.customers.sensitive import MASKED

from .confidentiality import (
    DEFAULT_CLEARANCES,
    FIELD_GROUPS,
    GROUP_OF_FIELD,
    MASKERS,
    NO_CLEARANCE,
    Clearance,
    Level,
)
from .models import FieldGroupLevel, RoleClearance

M = TypeVar("M", Customer, Contact)

# bumped when the data administrator changes a level: maskers built before are read again
_VERSION = [0]
_CACHE_ATTR = "_crm_masker"


def settings_changed() -> None:
    _VERSION[0] += 1


def group_levels() -> dict[str, Level]:
    """Each field group's level: the data administrator's, else the shipped default."""
    stored = dict(FieldGroupLevel.objects.values_list("group", "level"))
    return {g.code: Level(stored.get(g.code, g.default)) for g in FIELD_GROUPS}


def role_clearance(role_code: str | None) -> Clearance:
    """A role's clearance: the data administrator's, else the shipped default, else public."""
    if not role_code:
        return NO_CLEARANCE
    row = RoleClearance.objects.filter(role_id=role_code).values_list("level", "scope").first()
    if row is not None:
        return Clearance(Level(row[0]), row[1] if row[1] in Scope.ORDER else Scope.NONE)
    return DEFAULT_CLEARANCES.get(role_code, NO_CLEARANCE)


def clearance_of(actor: Any) -> Clearance:
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return NO_CLEARANCE
    return role_clearance(getattr(actor, "role_id", None))


@functools.cache
def _settings_sql(vendor: str) -> str:
    """The groups' levels and one role's clearance in one statement (``%s``: the role), written
    once: built through the ORM (a UNION of two querysets) on every request, compiling it cost
    more than running it (about 0.6 ms of each API request, measured with ``crm bench``)."""
    qn = connection.ops.quote_name
    groups, roles = FieldGroupLevel._meta, RoleClearance._meta
    return (
        f"SELECT {qn(groups.get_field('group').column)}, {qn(groups.get_field('level').column)}, "
        f"'' FROM {qn(groups.db_table)} UNION ALL "
        f"SELECT '@role', {qn(roles.get_field('level').column)}, "
        f"{qn(roles.get_field('scope').column)} FROM {qn(roles.db_table)} "
        f"WHERE {qn(roles.get_field('role').column)} = %s"
    )


def _settings_of(actor: Any) -> tuple[dict[str, Level], Clearance]:
    """The groups' levels and the actor's clearance, in one query (one per request)."""
    role = getattr(actor, "role_id", None)
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        role = None
    with connection.cursor() as cur:
        cur.execute(_settings_sql(connection.vendor), [role or ""])
        rows = cur.fetchall()
    stored: dict[str, int] = {}
    clearance = DEFAULT_CLEARANCES.get(role, NO_CLEARANCE) if role else NO_CLEARANCE
    for name, level, scope in rows:
        if name == "@role":
            clearance = Clearance(Level(level), scope if scope in Scope.ORDER else Scope.NONE)
        else:
            stored[name] = level
    levels = {g.code: Level(stored.get(g.code, g.default)) for g in FIELD_GROUPS}
    return levels, clearance


class Masker:
    """What one reader may see of customers' fields."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.version = _VERSION[0]
        levels, self.clearance = _settings_of(actor)
        self.levels = levels
        hidden = {
            lvl: frozenset(f for g in FIELD_GROUPS if levels[g.code] > lvl for f in g.fields)
            for lvl in Level
        }
        self._outside = hidden[Level.PUBLIC]
        self._inside = (
            hidden[self.clearance.level] if self.clearance.scope != Scope.NONE else (self._outside)
        )
        self._uniform = self._inside == self._outside or self.clearance.scope == Scope.ALL
        self._departments: frozenset[int] | None = None
        self._shared: frozenset[int] | None = None

    # --- which fields of which customer -------------------------------------------------

    def covers(self, customer: Customer) -> bool:
        """Whether the reader's clearance reaches this customer (its scope)."""
        scope = self.clearance.scope
        if scope == Scope.ALL:
            return True
        if scope == Scope.NONE:
            return False
        if customer.owner_id is not None and customer.owner_id == self.actor.pk:
            return True
        if scope == Scope.DEPARTMENT:
            if self._departments is None:
                self._departments = frozenset(self.actor.scope_department_ids())
            if customer.department_id in self._departments:
                return True
        if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED):
            if self._shared is None:
                self._shared = frozenset(_shared_ids(Customer, self.actor, VIEW_CUSTOMER) or ())
            return customer.pk in self._shared
        return False

    def hidden(self, customer: Customer | None) -> frozenset[str]:
        """The fields of ``customer`` the reader may not see (None: a customer not in hand,
        e.g. in the audit log: what the clearance shows anywhere)."""
        if self._uniform:
            return self._inside
        if customer is None:
            return self._outside
        return self._inside if self.covers(customer) else self._outside

    def sees_in_scope(self, field: str) -> bool:
        """Whether the reader sees ``field`` of the customers their clearance reaches (the
        search by phone fragment is for those who see phones)."""
        return field not in self._inside

    @property
    def sees_everything(self) -> bool:
        return self._uniform and not self._inside

    # --- display copies -----------------------------------------------------------------

    def show(self, customer: Customer) -> Customer:
        hidden = self.hidden(customer)
        if not hidden:
            return customer
        return _masked_copy(customer, hidden)

    def show_all(self, customers: Iterable[Customer]) -> list[Customer]:
        if self.sees_everything:
            return list(customers)
        return [self.show(c) for c in customers]

    def page(self, page: Page[Customer]) -> Page[Customer]:
        return Page(self.show_all(page.items), page.next_cursor)

    def contacts(self, customer: Customer, contacts: Iterable[Contact]) -> list[Contact]:
        """A customer's contact people: their phones are the customer's phone group."""
        hidden = self.hidden(customer) & {"phone", "wechat"}
        if not hidden:
            return list(contacts)
        return [_masked_copy(c, hidden) for c in contacts]

    def changes(self, changes: dict[str, Any], customer: Customer | None) -> dict[str, Any]:
        """An audit diff (field → [before, after]) with the hidden fields' values masked."""
        hidden = self.hidden(customer)
        if not hidden or not changes:
            return changes
        out = dict(changes)
        for field, pair in changes.items():
            name = field.removeprefix("contact.")
            if name in hidden and isinstance(pair, list):
                out[field] = [_mask(name, v) for v in pair]
        return out

    def values(self, customer: Customer, fields: Iterable[str]) -> dict[str, Any]:
        """Named fields of a customer as plain values, masked (a spreadsheet's row)."""
        shown = self.show(customer)
        return {f: getattr(shown, f, "") for f in fields}


def _mask(field: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    return MASKERS[field](str(value))


def mask_value(field: str, value: Any) -> Any:
    """``value`` masked as ``field`` of a customer is (a copy of a phone held by another record,
    e.g. an order's contact phone)."""
    return _mask(field, value)


def _masked_copy(obj: M, hidden: frozenset[str]) -> M:
    copy = obj.__class__.__new__(obj.__class__)
    copy.__dict__.update(obj.__dict__)
    masked: dict[str, str] = {}
    for field in hidden:
        raw = getattr(obj, field, None)
        if raw not in (None, ""):
            masked[field] = MASKERS[field](str(raw))
    copy.__dict__[MASKED] = masked
    for field, value in masked.items():
        if field in copy.__dict__ and field not in ("phone", "id_number"):
            copy.__dict__[field] = value
    copy.__dict__["masked_fields"] = frozenset(masked)
    return copy


def masked_fields(obj: Any) -> frozenset[str]:
    """The fields shown masked on a display copy (empty for a record shown whole)."""
    found: frozenset[str] = obj.__dict__.get("masked_fields", frozenset())
    return found


def masker_for(actor: Any) -> Masker:
    """The actor's masker, built once per actor object (a request's user) and settings change."""
    cached = getattr(actor, "__dict__", {}).get(_CACHE_ATTR)
    if cached is not None and cached.version == _VERSION[0]:
        return cached  # type: ignore[no-any-return]
    masker = Masker(actor)
    if isinstance(actor, User):
        actor.__dict__[_CACHE_ATTR] = masker
    return masker


def group_label(field: str) -> str:
    group = GROUP_OF_FIELD.get(field)
    return str(group.label) if group is not None else field


def may_see_phones(actor: Any) -> bool:
    """crm.customers.sensitive's phone rule: phone fragments find customers only for readers
    whose clearance shows phones (a fragment search would otherwise tell the digits)."""
    return masker_for(actor).sees_in_scope("phone")
