"""The one permission choke point: ``restrict()`` for reads, ``require()`` for writes.

An actor has a set of *actions* (``customers.view_customer`` …) from its role and a *data scope*
(own records, own department and its sub-departments, all, or none). A model opts in by
declaring which field holds the owning user and which the owning department. Nothing else in the
code base filters by scope; selectors call ``restrict`` and services call ``require``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from django.db import models
from django.db.models import Q

from .errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from collections.abc import Collection


class Scope:
    OWN = "own"
    DEPARTMENT = "department"
    ALL = "all"
    NONE = "none"


class Actor(Protocol):
    pk: Any

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def data_scope(self) -> str: ...

    def has_action(self, action: str) -> bool: ...

    def scope_department_ids(self) -> Collection[int]: ...


class ScopedModel(models.Model):
    """Mixin for models whose rows belong to a user and a department."""

    scope_owner_field: ClassVar[str] = "owner"
    scope_department_field: ClassVar[str] = "department"

    class Meta:
        abstract = True


M = TypeVar("M", bound=models.Model)


def scope_q(actor: Actor, model: type[models.Model]) -> Q:
    """The row filter for what ``actor`` may see of ``model``."""
    owner = getattr(model, "scope_owner_field", None)
    department = getattr(model, "scope_department_field", None)
    scope = actor.data_scope
    if scope == Scope.ALL:
        return Q()
    if scope == Scope.DEPARTMENT and department:
        q = Q(**{f"{department}__in": list(actor.scope_department_ids())})
        return q | Q(**{owner: actor.pk}) if owner else q
    if scope in (Scope.OWN, Scope.DEPARTMENT) and owner:
        return Q(**{owner: actor.pk})
    return Q(pk__in=[])


def _related_id(obj: Any, path: str) -> Any:
    """``customer__owner`` → ``obj.customer.owner_id`` (scopes may follow a relation)."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def can_see(actor: Actor, obj: models.Model) -> bool:
    """Python twin of ``scope_q`` for one loaded object."""
    owner = getattr(obj, "scope_owner_field", None)
    department = getattr(obj, "scope_department_field", None)
    scope = actor.data_scope
    if scope == Scope.ALL:
        return True
    owner_id = _related_id(obj, owner) if owner else None
    if scope in (Scope.OWN, Scope.DEPARTMENT) and owner_id is not None and owner_id == actor.pk:
        return True
    if scope == Scope.DEPARTMENT and department:
        return _related_id(obj, department) in set(actor.scope_department_ids())
    return False


def restrict(queryset: models.QuerySet[M], actor: Actor, action: str) -> models.QuerySet[M]:
    """Rows of ``queryset`` that ``actor`` may touch with ``action``; none without the action."""
    if not actor.is_authenticated or not actor.has_action(action):
        return queryset.none()
    return queryset.filter(scope_q(actor, queryset.model))


def require(actor: Actor, action: str, obj: models.Model | None = None) -> None:
    """Raise 403 without the action, 404 when ``obj`` lies outside the actor's scope."""
    if not actor.is_authenticated or not actor.has_action(action):
        raise PermissionDenied()
    if obj is not None and not can_see(actor, obj):
        raise NotFound()


class RestrictedQuerySet(models.QuerySet[M]):
    def restrict(self, actor: Actor, action: str) -> RestrictedQuerySet[M]:
        return restrict(self, actor, action)  # type: ignore[return-value]
