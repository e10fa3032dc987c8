"""What other domains do when a customer changes hands or category: explicit calls, not signals.

A customer's services call these inside their own transaction, so the side effects are part of
the one action (a customer handed over takes its open plans and reminders with it). Domains
above ``customers`` (activities, and later pool, service …) register their part when their app
is ready; ``customers`` itself never imports them, so dependencies keep flowing one way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Customer, LifecycleEvent

OwnerChanged = Callable[..., None]
_OWNER_CHANGED: list[OwnerChanged] = []


OwnersChanged = Callable[..., None]
_OWNER_CHANGED_MANY: dict[OwnerChanged, OwnersChanged] = {}


def on_owner_changed(fn: OwnerChanged, *, many: OwnersChanged | None = None) -> OwnerChanged:
    """Register ``fn(customer=, former=, actor=)``, and optionally its batch twin
    ``many(customers=, formers=, actor=)`` (``formers``: customer id → former owner) that does
    the same for many customers in a few statements (the pool's nightly return)."""
    if fn not in _OWNER_CHANGED:
        _OWNER_CHANGED.append(fn)
    if many is not None:
        _OWNER_CHANGED_MANY[fn] = many
    return fn


def owner_changed(*, customer: Customer, former: Any, actor: Any) -> None:
    """``customer`` now belongs to ``customer.owner`` instead of ``former``."""
    for fn in _OWNER_CHANGED:
        fn(customer=customer, former=former, actor=actor)


EnteringCategory = Callable[..., None]
_ENTERING_CATEGORY: list[EnteringCategory] = []


def on_entering_category(fn: EnteringCategory) -> EnteringCategory:
    """Register a guard ``fn(customer=, to=, actor=)``: it raises ``crm.core.errors.Invalid`` (or
    ``StateConflict``) with the reason when ``customer`` may not enter category ``to`` yet (a
    referred customer signs only once the referral's paperwork is done: crm.referrals)."""
    if fn not in _ENTERING_CATEGORY:
        _ENTERING_CATEGORY.append(fn)
    return fn


def entering_category(*, customer: Customer, to: str, actor: Any) -> None:
    """``customer`` is about to enter ``to`` (a transition, or a new customer entered straight
    into it): every registered guard may refuse, before anything is written."""
    for fn in _ENTERING_CATEGORY:
        fn(customer=customer, to=to, actor=actor)


def owner_changed_many(
    *, customers: Sequence[Customer], formers: Mapping[int, Any], actor: Any
) -> None:
    """Each of ``customers`` now belongs to its ``owner`` instead of ``formers[pk]``: the batch
    twin of each hook where it has one, else the hook once per customer."""
    for fn in _OWNER_CHANGED:
        many = _OWNER_CHANGED_MANY.get(fn)
        if many is not None:
            many(customers=customers, formers=formers, actor=actor)
            continue
        for customer in customers:
            fn(customer=customer, former=formers.get(customer.pk), actor=actor)


CategoryEntered = Callable[..., None]
_CATEGORY_ENTERED: list[CategoryEntered] = []
CategoriesEntered = Callable[..., None]
_CATEGORY_ENTERED_MANY: dict[CategoryEntered, CategoriesEntered] = {}


def on_category_entered(
    fn: CategoryEntered, *, many: CategoriesEntered | None = None
) -> CategoryEntered:
    """Register ``fn(customer=, event=, actor=)``, and optionally its batch twin
    ``many(entries=, actor=)`` (``entries``: (customer, event) pairs) that does the same for
    many customers in a few statements (an import's new customers)."""
    if fn not in _CATEGORY_ENTERED:
        _CATEGORY_ENTERED.append(fn)
    if many is not None:
        _CATEGORY_ENTERED_MANY[fn] = many
    return fn


def category_entered(*, customer: Customer, event: LifecycleEvent, actor: Any) -> None:
    """``customer`` entered ``event.to_category`` (or was regraded): a deal schedules its
    callbacks, a defeat closes the open plans (crm.activities)."""
    for fn in _CATEGORY_ENTERED:
        fn(customer=customer, event=event, actor=actor)


def category_entered_many(
    *, entries: Sequence[tuple[Customer, LifecycleEvent]], actor: Any
) -> None:
    """``category_entered`` for many customers: the batch twin of each hook where it has one,
    else the hook once per customer."""
    for fn in _CATEGORY_ENTERED:
        many = _CATEGORY_ENTERED_MANY.get(fn)
        if many is not None:
            many(entries=entries, actor=actor)
            continue
        for customer, event in entries:
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
