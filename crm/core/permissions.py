"""The one permission choke point: ``restrict()`` for reads, ``require()`` for writes.

Access is granted per *(role, action)*: a role holds actions (``customers.view_customer`` …),
each with its own *data scope*. The scopes are nested, each containing the one before:

- ``none``: no rows;
- ``own``: rows the actor owns;
- ``assigned``: also rows assigned or shared to the actor (a share counts until its last day and,
  for an action that writes, only when it is read-write);
- ``department``: also rows of the actor's department and its sub-departments;
- ``all``: every row.

Each model declares whose its rows are in one place, its ``policy`` (a :class:`Policy`: the
path to the owning user, to the owning department, to the users a row is assigned to, and to the
rows sharing it with colleagues). Which actions a share opens is declared with the actions
(``declare_shares``, from crm.accounts.roles): reading with any share, writing with a read-write
one; the others (deleting, assigning, reports) never.
``restrict`` turns (actor, action, model) into a row filter; ``require`` checks one object;
``allows`` is the yes/no twin for a loaded object. Nothing else in the code base decides access:
a filter by owner or department that is *not* about access (a user picking "owner = 王小明" in a
list, a report grouped by rep) goes through ``owned_by``/``in_departments`` here, so that the
paths a policy names are known in this module only.

A role grants an action with a scope; the actor may narrow it for one query with ``within``
(``restrict(plans, actor, VIEW_PLAN, within=Scope.OWN)``: "my plans", never more than granted).
Actions without rows (managing users, editing the grade table) are granted with scope ``all``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .errors import NotFound, PermissionDenied


class Scope:
    NONE = "none"
    OWN = "own"
    ASSIGNED = "assigned"
    DEPARTMENT = "department"
    ALL = "all"

    ORDER: ClassVar[tuple[str, ...]] = (NONE, OWN, ASSIGNED, DEPARTMENT, ALL)

    @classmethod
    def rank(cls, scope: str) -> int:
        return cls.ORDER.index(scope) if scope in cls.ORDER else 0

    @classmethod
    def narrower(cls, a: str, b: str) -> str:
        return a if cls.rank(a) <= cls.rank(b) else b


class Share:
    """The modes of a share row: read-only, or read and write."""

    READ = "read"
    READ_WRITE = "read_write"


@dataclass(frozen=True)
class Policy:
    """Whose a model's rows are: paths (``customer__owner``) from the model to the owning user,
    the owning department and the users a row is assigned or shared to. ``"pk"`` names the row
    itself (a user owns their own user row; a department is its own department).

    ``shared``: the path to the share rows of the row (``shares``) or of the row it belongs to
    (``customer__shares``). A share row has ``user`` (the colleague), ``mode`` (``Share``) and
    ``until`` (a date, its last day, in the site's time zone)."""

    owner: str | None = None
    department: str | None = None
    assigned: tuple[str, ...] = ()
    shared: str | None = None


class Actor(Protocol):
    pk: Any

    @property
    def is_authenticated(self) -> bool: ...

    def scope_for(self, action: str) -> str: ...

    def scope_department_ids(self) -> Collection[int]: ...


M = TypeVar("M", bound=models.Model)

_NO_POLICY = Policy()


def policy_of(model: type[models.Model] | models.Model) -> Policy:
    policy = getattr(model, "policy", None)
    return policy if isinstance(policy, Policy) else _NO_POLICY


def scope_of(actor: Actor, action: str) -> str:
    """The scope ``actor`` holds ``action`` with (``none`` when signed out or not granted)."""
    if not getattr(actor, "is_authenticated", False):
        return Scope.NONE
    return actor.scope_for(action)


def has_action(actor: Actor, action: str) -> bool:
    return scope_of(actor, action) != Scope.NONE


def _scope(actor: Actor, action: str, within: str | None) -> str:
    scope = scope_of(actor, action)
    return Scope.narrower(scope, within) if within is not None else scope


# --- shares ---------------------------------------------------------------------------------

_SHARE_MODES: dict[str, tuple[str, ...]] = {}


def declare_shares(*, read: Iterable[str], write: Iterable[str]) -> None:
    """The actions a share opens: ``read`` with any share, ``write`` with a read-write one
    (crm.accounts.roles declares them with the actions). Any other action ignores shares."""
    _SHARE_MODES.update({code: (Share.READ, Share.READ_WRITE) for code in read})
    _SHARE_MODES.update({code: (Share.READ_WRITE,) for code in write})


def share_modes(action: str) -> tuple[str, ...]:
    """The share modes that open ``action`` (none: shares do not count for it)."""
    return _SHARE_MODES.get(action, ())


@functools.cache
def _share_target(model: type[models.Model]) -> tuple[type[models.Model], str, str] | None:
    """For a policy's ``shared`` path: the share model, the path from ``model`` to the shared
    row (``""`` when the model is the shared row itself) and the share's field naming that row."""
    path = policy_of(model).shared
    if not path:
        return None
    *hops, last = path.split("__")
    current: Any = model
    for name in hops:
        current = current._meta.get_field(name).related_model
    relation = current._meta.get_field(last)
    return relation.related_model, "__".join(hops), relation.field.name


def _shares(
    model: type[models.Model], actor: Actor, action: str
) -> tuple[models.QuerySet[Any], str, str] | None:
    """The share rows that let ``actor`` do ``action`` today (any row they share), the path to
    the shared row and the share's field naming it; None when shares do not count here."""
    target = _share_target(model)
    modes = share_modes(action)
    if target is None or not modes:
        return None
    share_model, to_row, field = target
    rows = share_model._base_manager.filter(
        user=actor.pk, mode__in=modes, until__gte=timezone.localdate()
    )
    return rows, to_row, field


# share rows were written: the ids an actor object remembers are read again (``shares_changed``)
_SHARES_VERSION = [0]
# more rows shared with one person than this and the filter asks the share table in a subquery
MAX_SHARED_IDS = 1000


def shares_changed() -> None:
    """Called by the services that write share rows, so that what an actor object remembers of
    its shares (for one request) is read again."""
    _SHARES_VERSION[0] += 1


def _shared_ids(model: type[models.Model], actor: Actor, action: str) -> list[Any] | None:
    """Ids of the rows shared with ``actor`` today for ``action`` (at most ``MAX_SHARED_IDS`` + 1),
    read once per actor object, day and share change: most actors have none, and then their
    filters stay exactly what they were without shares (the owner's index, no OR)."""
    shares = _shares(model, actor, action)
    if shares is None:
        return None
    rows, _to_row, field = shares
    key = (rows.model._meta.label, field, share_modes(action), timezone.localdate())
    try:
        cache: dict[Any, Any] = actor._shared_ids  # type: ignore[attr-defined]
    except AttributeError:
        cache = {}
        with contextlib.suppress(AttributeError):  # an actor that keeps nothing asks each time
            actor._shared_ids = cache  # type: ignore[attr-defined]
    if cache.get("version") != _SHARES_VERSION[0]:
        cache.clear()
        cache["version"] = _SHARES_VERSION[0]
    if key not in cache:
        found = rows.order_by().values_list(field, flat=True)[: MAX_SHARED_IDS + 1]
        cache[key] = sorted(set(found))
    ids: list[Any] = cache[key]
    return ids


def _share_path(model: type[models.Model]) -> str:
    target = _share_target(model)
    return target[1] if target is not None else ""


def _q_for(
    scope: str,
    actor: Actor,
    policy: Policy,
    model: type[models.Model],
    action: str,
    *,
    shares: bool = True,
) -> Q:
    if scope == Scope.ALL:
        return Q()
    nothing = Q(pk__in=[])
    if scope == Scope.NONE:
        return nothing
    q = Q(**{policy.owner: actor.pk}) if policy.owner else nothing
    if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED):
        for path in policy.assigned:
            q |= Q(**{path: actor.pk})
        ids = _shared_ids(model, actor, action) if shares else None
        if ids:
            to_row = _share_path(model)
            if len(ids) <= MAX_SHARED_IDS:
                q |= Q(**{f"{to_row or 'pk'}__in": ids})
            else:  # a subquery, not a join: no row repeated per share, no DISTINCT
                rows, _to, field = _shares(model, actor, action)  # type: ignore[misc]
                q |= Q(**{f"{to_row or 'pk'}__in": rows.values(field)})
    if scope == Scope.DEPARTMENT and policy.department:
        q |= Q(**{f"{policy.department}__in": list(actor.scope_department_ids())})
    return q


def restrict(
    queryset: models.QuerySet[M], actor: Actor, action: str, *, within: str | None = None
) -> models.QuerySet[M]:
    """Rows of ``queryset`` that ``actor`` may touch with ``action``; none without the action.

    ``within`` narrows the granted scope for this query (never widens it).
    """
    scope = _scope(actor, action, within)
    if scope == Scope.NONE:
        return queryset.none()
    q = _q_for(scope, actor, policy_of(queryset.model), queryset.model, action)
    if scope in (Scope.ASSIGNED, Scope.DEPARTMENT) and _to_many(queryset.model):
        return queryset.filter(q).distinct()  # a to-many path may match a row twice
    return queryset.filter(q)


def restrict_parts(
    queryset: models.QuerySet[M], actor: Actor, action: str, *, within: str | None = None
) -> list[models.QuerySet[M]]:
    """``restrict`` as disjoint parts whose union it is: the rows in scope without shares, then
    the few rows shared with the actor and not otherwise in scope (only the first when nothing
    is shared with them). For a list that pages over an index: ``owner = me OR id IN (…)`` has
    no index order, so SQLite sorts all of a rep's customers for one page; each part has one,
    and a page of the union is the merge of each part's page."""
    scope = _scope(actor, action, within)
    whole = restrict(queryset, actor, action, within=within)
    if scope in (Scope.NONE, Scope.ALL) or Scope.rank(scope) < Scope.rank(Scope.ASSIGNED):
        return [whole]
    ids = _shared_ids(queryset.model, actor, action)
    if not ids or len(ids) > MAX_SHARED_IDS:
        return [whole]
    model = queryset.model
    base = _q_for(scope, actor, policy_of(model), model, action, shares=False)
    in_scope = queryset.filter(base)
    if scope in (Scope.ASSIGNED, Scope.DEPARTMENT) and _to_many(model):
        in_scope = in_scope.distinct()
    shared = queryset.filter(**{f"{_share_path(model) or 'pk'}__in": ids}).exclude(base)
    return [in_scope, shared]


@functools.cache
def _to_many(model: type[models.Model]) -> bool:
    """Whether one of the policy's assigned paths crosses a to-many relation."""
    for path in policy_of(model).assigned:
        current: Any = model
        for name in path.split("__"):
            field = current._meta.get_field(name)
            if field.many_to_many or field.one_to_many:
                return True
            current = field.related_model
            if current is None:
                break
    return False


def _related_ids(obj: Any, path: str) -> set[Any]:
    """``customer__owner`` → ``{obj.customer.owner_id}``; ``pk`` → ``{obj.pk}``; a many-to-many
    hop (``shares__user``) reads its rows."""
    *hops, last = path.split("__")
    objs: list[Any] = [obj]
    for hop in hops:
        nxt: list[Any] = []
        for o in objs:
            value = getattr(o, hop, None)
            if isinstance(value, models.Manager):
                nxt.extend(value.all())
            elif value is not None:
                nxt.append(value)
        objs = nxt
    if last == "pk":
        return {o.pk for o in objs}
    found: set[Any] = set()
    for o in objs:
        value = getattr(o, f"{last}_id", None) if hasattr(o, f"{last}_id") else None
        if value is None:
            related = getattr(o, last, None)
            if isinstance(related, models.Manager):
                found.update(related.values_list("pk", flat=True))
                continue
            value = getattr(related, "pk", related)
        if value is not None:
            found.add(value)
    return found


def _allowed(scope: str, actor: Actor, obj: models.Model, action: str) -> bool:
    if scope == Scope.ALL:
        return True
    if scope == Scope.NONE:
        return False
    policy = policy_of(obj)
    if policy.owner and actor.pk in _related_ids(obj, policy.owner):
        return True
    if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED) and any(
        actor.pk in _related_ids(obj, path) for path in policy.assigned
    ):
        return True
    if (
        scope == Scope.DEPARTMENT
        and policy.department
        and _related_ids(obj, policy.department) & set(actor.scope_department_ids())
    ):
        return True
    if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED):
        ids = _shared_ids(type(obj), actor, action)
        if ids:
            to_row = _share_path(type(obj))
            row_ids = _related_ids(obj, to_row) if to_row else {obj.pk}
            if len(ids) <= MAX_SHARED_IDS:
                return bool(row_ids & set(ids))
            rows, _to, field = _shares(type(obj), actor, action)  # type: ignore[misc]
            return bool(row_ids) and rows.filter(**{f"{field}__in": list(row_ids)}).exists()
    return False


def allows(actor: Actor, action: str, obj: models.Model, *, within: str | None = None) -> bool:
    """Python twin of ``restrict`` for one loaded object."""
    return _allowed(_scope(actor, action, within), actor, obj, action)


def require(actor: Actor, action: str, obj: models.Model | None = None) -> None:
    """Raise 403 without the action, 404 when ``obj`` lies outside the action's scope."""
    if not has_action(actor, action):
        raise PermissionDenied()
    if obj is not None and not allows(actor, action, obj):
        raise NotFound()


@dataclass(frozen=True)
class ScopeTerms:
    """A row filter as the owners and departments a row must belong to (one of them), or the
    rows themselves (``rows``: ids of the few rows shared with the actor), for an index that
    holds each row's owner and department (the customer search)."""

    owners: tuple[Any, ...] = ()
    departments: tuple[int, ...] = ()
    rows: tuple[Any, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.owners or self.departments or self.rows)


# more rows shared with one person than this and the index is not narrowed by row ids
MAX_SHARED_TERMS = 1000


def scope_terms(
    actor: Actor, action: str, model: type[models.Model], *, within: str | None = None
) -> ScopeTerms | None:
    """``restrict`` as owner and department terms: what a search index may narrow its matches
    to before ``restrict`` filters the rows. None when the index cannot narrow (scope ``all``,
    rows assigned to the actor, which the index does not hold, or more than
    ``MAX_SHARED_TERMS`` rows shared with them); empty terms when the actor may see nothing.
    Rows shared with the actor (the model being the shared row) are named by id."""
    scope = _scope(actor, action, within)
    policy = policy_of(model)
    if scope == Scope.ALL:
        return None
    if scope == Scope.NONE:
        return ScopeTerms()
    if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED) and policy.assigned:
        return None
    owners = (actor.pk,) if policy.owner else ()
    departments: tuple[int, ...] = ()
    if scope == Scope.DEPARTMENT and policy.department:
        departments = tuple(actor.scope_department_ids())
    rows: tuple[Any, ...] = ()
    if Scope.rank(scope) >= Scope.rank(Scope.ASSIGNED):
        ids = _shared_ids(model, actor, action)
        if ids:
            if _share_path(model) or len(ids) > MAX_SHARED_TERMS:
                return None
            rows = tuple(ids)
    return ScopeTerms(owners=owners, departments=departments, rows=rows)


# --- filters that are not about access ------------------------------------------------------


def owned_by(queryset: models.QuerySet[M], user_ids: Iterable[Any]) -> models.QuerySet[M]:
    """Rows whose owner (the model's policy) is one of ``user_ids``: a user's filter or a report's
    grouping, applied after ``restrict`` decided access."""
    owner = policy_of(queryset.model).owner
    if owner is None:
        return queryset.none()
    return queryset.filter(**{f"{owner}__in": list(user_ids)})


def assignee_in(queryset: models.QuerySet[M], user_ids: Iterable[Any]) -> models.QuerySet[M]:
    """Rows whose assignee (the first of the model's policy's ``assigned`` paths: a complaint's
    handler, not its collaborators) is one of ``user_ids``: a worklist ("mine"), applied after
    ``restrict`` decided access."""
    assigned = policy_of(queryset.model).assigned
    if not assigned:
        return queryset.none()
    return queryset.filter(**{f"{assigned[0]}__in": list(user_ids)})


def in_departments(
    queryset: models.QuerySet[M], department_ids: Iterable[int]
) -> models.QuerySet[M]:
    """Rows of the given departments (the model's policy): a user's narrowing, not access."""
    department = policy_of(queryset.model).department
    if department is None:
        return queryset.none()
    return queryset.filter(**{f"{department}__in": list(department_ids)})


def assigned_to(queryset: models.QuerySet[M], user_ids: Iterable[Any]) -> models.QuerySet[M]:
    """Rows assigned to one of ``user_ids`` by the policy's assigned paths (a follow-up's
    author): "the visits I made", a report by who did the work."""
    paths = policy_of(queryset.model).assigned
    if not paths:
        return queryset.none()
    ids = list(user_ids)
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{path}__in": ids})
    return queryset.filter(q)


def shared_with(queryset: models.QuerySet[M], actor: Actor) -> models.QuerySet[M]:
    """Rows shared with ``actor`` today (any mode), by the policy's ``shared`` path: the list's
    "shared with me", applied after ``restrict`` decided access."""
    target = _share_target(queryset.model)
    if target is None or not getattr(actor, "is_authenticated", False):
        return queryset.none()
    share_model, to_row, field = target
    rows = share_model._base_manager.filter(user=actor.pk, until__gte=timezone.localdate())
    return queryset.filter(**{f"{to_row or 'pk'}__in": rows.values(field)})


def mine(queryset: models.QuerySet[M], actor: Actor) -> models.QuerySet[M]:
    """The actor's personal rows (their reminders, API tokens, calendar address): these belong
    to their owner whatever the role, so no action is asked for."""
    if not getattr(actor, "is_authenticated", False):
        return queryset.none()
    return owned_by(queryset, [actor.pk])


class RestrictedQuerySet(models.QuerySet[M]):
    def restrict(
        self, actor: Actor, action: str, *, within: str | None = None
    ) -> RestrictedQuerySet[M]:
        return restrict(self, actor, action, within=within)  # type: ignore[return-value]
