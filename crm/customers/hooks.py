"""What other domains do when a customer changes hands: explicit calls, not signals.

A customer's services call these inside their own transaction, so the side effects are part of
the one action (a customer handed over takes its open plans and reminders with it). Domains
above ``customers`` (activities, and later pool, service …) register their part when their app
is ready; ``customers`` itself never imports them, so dependencies keep flowing one way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Customer

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
