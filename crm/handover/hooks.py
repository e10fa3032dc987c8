"""What other domains hand over with a rep's customers: explicit calls, not signals.

The hand-over (``services.handover_sign``) moves the customers (and, through
``crm.customers.hooks.owner_changed_many``, their open plans and reminders) inside one
transaction, then calls every function registered here with the same moves, so that records
of a domain built later go along in the same event. Opportunities (商机, issue 11) register
here: ``on_handed_over(fn)`` with ``fn(handover=, moves=, actor=) -> dict[str, int]``, where
``moves`` maps customer id → receiving user; the counts it returns (``{"opportunities": 3}``)
are added to the hand-over's audited counts and printed on its record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm.accounts.models import User

    from .models import Handover

HandedOver = Callable[..., Mapping[str, int]]
_HANDED_OVER: list[HandedOver] = []


def on_handed_over(fn: HandedOver) -> HandedOver:
    """Register ``fn(handover=, moves=, actor=)``; it returns counts of what it moved."""
    if fn not in _HANDED_OVER:
        _HANDED_OVER.append(fn)
    return fn


def handed_over(*, handover: Handover, moves: Mapping[int, User], actor: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for fn in _HANDED_OVER:
        for key, n in fn(handover=handover, moves=moves, actor=actor).items():
            counts[key] = counts.get(key, 0) + int(n)
    return counts
