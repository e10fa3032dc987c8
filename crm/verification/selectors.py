"""Reads of the verification: the rounds, a round's progress (confirmed, corrected, outstanding
per rep and per department, late after the deadline), and a rep's records to verify."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from crm.accounts.models import Department, User
from crm.accounts.roles import MANAGE_VERIFICATION, VERIFY_RECORD
from crm.core.permissions import restrict

from .models import ItemState, RoundState, VerificationItem, VerificationRound


def round_list(*, actor: User, limit: int = 50) -> list[VerificationRound]:
    rows = restrict(VerificationRound.objects.all(), actor, MANAGE_VERIFICATION)
    return list(rows.select_related("opened_by").order_by("-id")[:limit])


def round_get(*, actor: User, round_id: int) -> VerificationRound | None:
    rows = restrict(VerificationRound.objects.all(), actor, MANAGE_VERIFICATION)
    return rows.select_related("opened_by", "closed_by").filter(pk=round_id).first()


@dataclass
class Progress:
    """Counts of one row of a round's progress (a rep, a department, or the round)."""

    key: int | None
    name: str
    total: int = 0
    confirmed: int = 0
    corrected: int = 0
    outstanding: int = 0

    @property
    def done(self) -> int:
        return self.confirmed + self.corrected

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


_COUNTS = {
    "total": Count("id"),
    "confirmed": Count("id", filter=Q(state=ItemState.CONFIRMED)),
    "corrected": Count("id", filter=Q(state=ItemState.CORRECTED)),
    "outstanding": Count("id", filter=Q(state=ItemState.PENDING)),
}


def round_totals(round_: VerificationRound) -> dict[str, int]:
    return dict(VerificationItem.objects.filter(round=round_).aggregate(**_COUNTS))


def _grouped(round_: VerificationRound, field: str) -> list[dict[str, int]]:
    return list(
        VerificationItem.objects.filter(round=round_)
        .values(field)
        .annotate(**_COUNTS)
        .order_by(field)
    )


def progress_by_rep(round_: VerificationRound) -> list[Progress]:
    rows = _grouped(round_, "rep_id")
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[r["rep_id"] for r in rows])}
    out = [
        Progress(
            key=r["rep_id"],
            name=names.get(r["rep_id"], "—"),
            **{k: r[k] for k in _COUNTS},
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: (-p.outstanding, p.name))


def progress_by_department(round_: VerificationRound) -> list[Progress]:
    rows = _grouped(round_, "department_id")
    names = {
        d.pk: d.name for d in Department.objects.filter(pk__in=[r["department_id"] for r in rows])
    }
    out = [
        Progress(
            key=r["department_id"],
            name=names.get(r["department_id"], "—"),
            **{k: r[k] for k in _COUNTS},
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: (-p.outstanding, p.name))


def overdue(round_: VerificationRound) -> bool:
    return round_.state == RoundState.CLOSED or timezone.localdate() > round_.deadline


def items(
    round_: VerificationRound, *, state: str = "", limit: int = 200
) -> list[VerificationItem]:
    """A round's records in one state (outstanding after the deadline: the unconfirmed)."""
    rows = VerificationItem.objects.filter(round=round_)
    if state:
        rows = rows.filter(state=state)
    return list(
        rows.select_related("customer", "rep", "department", "done_by").order_by("id")[:limit]
    )


def my_items(*, actor: User, limit: int = 200) -> tuple[list[VerificationItem], int]:
    """The records waiting for the actor (their own; a manager: the department's) in open
    rounds, the earliest deadline first, and how many there are in all."""
    rows = restrict(VerificationItem.objects.all(), actor, VERIFY_RECORD).filter(
        state=ItemState.PENDING, round__state=RoundState.OPEN
    )
    page = list(
        rows.select_related("customer", "round", "rep").order_by("round__deadline", "id")[:limit]
    )
    return page, rows.count()


def records_waiting(user: Any) -> bool:
    """Whether records wait for this user's verification in an open round (the menu offers
    待核查 only then)."""
    from crm.core.permissions import has_action

    if not getattr(user, "is_authenticated", False) or not has_action(user, VERIFY_RECORD):
        return False
    rows = restrict(VerificationItem.objects.all(), user, VERIFY_RECORD)
    return rows.filter(state=ItemState.PENDING, round__state=RoundState.OPEN).exists()
