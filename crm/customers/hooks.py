"""What other domains do when a customer changes hands or category: explicit calls, not signals.

A customer's services call these inside their own transaction, so the side effects are part of
the one action (a customer handed over takes its open plans and reminders with it). Domains
above ``customers`` (activities, and later pool, service …) register their part when their app
is ready; ``customers`` itself never imports them, so dependencies keep flowing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Customer, LifecycleEvent

OwnerChanged = Callable[..., None]
_OWNER_CHANGED: list[OwnerChanged] = []


def on_owner_changed(fn: OwnerChanged) -> OwnerChanged:
    """Register ``fn(customer=, former=, actor=)``."""
    if fn not in _OWNER_CHANGED:
        _OWNER_CHANGED.append(fn)
    return fn


def owner_changed(*, customer: Customer, former: Any, actor: Any) -> None:
    """``customer`` now belongs to ``customer.owner`` instead of ``former``."""
    for fn in _OWNER_CHANGED:
        fn(customer=customer, former=former, actor=actor)


CategoryEntered = Callable[..., None]
_CATEGORY_ENTERED: list[CategoryEntered] = []


def on_category_entered(fn: CategoryEntered) -> CategoryEntered:
    """Register ``fn(customer=, event=, actor=)``."""
    if fn not in _CATEGORY_ENTERED:
        _CATEGORY_ENTERED.append(fn)
    return fn


def category_entered(*, customer: Customer, event: LifecycleEvent, actor: Any) -> None:
    """``customer`` entered ``event.to_category`` (or was regraded): a deal schedules its
    callbacks, a defeat closes the open plans (crm.activities)."""
    for fn in _CATEGORY_ENTERED:
        fn(customer=customer, event=event, actor=actor)


Changed = Callable[..., None]
_DELETED: list[Changed] = []
_RESTORED: list[Changed] = []
_FOLLOWED_UP: list[Changed] = []


def on_deleted(fn: Changed) -> Changed:
    """Register ``fn(customer=)``: the customer went to the recycle bin."""
    if fn not in _DELETED:
        _DELETED.append(fn)
    return fn


def deleted(*, customer: Customer) -> None:
    for fn in _DELETED:
        fn(customer=customer)


def on_restored(fn: Changed) -> Changed:
    """Register ``fn(customer=)``: the customer came back from the recycle bin."""
    if fn not in _RESTORED:
        _RESTORED.append(fn)
    return fn


def restored(*, customer: Customer) -> None:
    for fn in _RESTORED:
        fn(customer=customer)


def on_followed_up(fn: Changed) -> Changed:
    """Register ``fn(customer=, at=, counted=)``: a follow-up of the customer was recorded."""
    if fn not in _FOLLOWED_UP:
        _FOLLOWED_UP.append(fn)
    return fn


def followed_up(*, customer: Customer, at: Any, counted: bool) -> None:
    """Called by crm.activities when it records a follow-up (inside its transaction)."""
    for fn in _FOLLOWED_UP:
        fn(customer=customer, at=at, counted=counted)


Shared = Callable[..., None]
_SHARED: list[Shared] = []


def on_shared(fn: Shared) -> Shared:
    """Register ``fn(share=, customer=, actor=)``: a customer was shared with a colleague (or
    their share changed)."""
    if fn not in _SHARED:
        _SHARED.append(fn)
    return fn


def shared(*, share: Any, customer: Customer, actor: Any) -> None:
    """Called by crm.customers.shares: the colleague is told (crm.activities)."""
    for fn in _SHARED:
        fn(share=share, customer=customer, actor=actor)
