"""Follow-up cadence by intention grade (意向客户分级), as pure date arithmetic.

The dealer regulations: O = deposit received, at least weekly; H = deal within 7 days, every 2
days; A = deal in 7 days to 1 month, every 7 days; B = 1–3 months, every 2 weeks; C = more than
3 months, monthly. The company edits the table (``GradePolicy``); these functions take it as data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class GradeRule:
    grade: str
    cadence_days: int
    # a deal expected within this many days suggests the grade (None: not suggested by date)
    deal_within_days: int | None


DEFAULT_RULES: tuple[GradeRule, ...] = (
    GradeRule("O", 7, None),
    GradeRule("H", 2, 7),
    GradeRule("A", 7, 30),
    GradeRule("B", 14, 90),
    GradeRule("C", 30, None),
)


def suggest_grade(
    *,
    expected_purchase: dt.date,
    today: dt.date,
    deposit_paid: bool = False,
    rules: Iterable[GradeRule] = DEFAULT_RULES,
) -> str:
    """The grade an expected purchase date suggests (O when a deposit is paid)."""
    if deposit_paid:
        return "O"
    days = (expected_purchase - today).days
    windows = sorted(
        (r for r in rules if r.deal_within_days is not None),
        key=lambda r: r.deal_within_days or 0,
    )
    for rule in windows:
        if days <= (rule.deal_within_days or 0):
            return rule.grade
    return "C"


def cadence_due(
    *, last_contact: dt.date | None, graded_on: dt.date | None, cadence_days: int
) -> dt.date | None:
    """The day the next follow-up is due: last contact (or grading) plus the cadence."""
    base = last_contact or graded_on
    if base is None:
        return None
    if graded_on is not None and last_contact is not None:
        base = max(last_contact, graded_on)
    return base + dt.timedelta(days=cadence_days)


def next_due(
    *,
    category: str,
    grade: str,
    last_contact: dt.date | None,
    graded_on: dt.date | None,
    next_plan_on: dt.date | None,
    cadence: Mapping[str, int],
) -> dt.date | None:
    """Next due date: the cadence date for intention customers, or an earlier planned date."""
    due: dt.date | None = None
    if category == "intention" and grade in cadence:
        due = cadence_due(
            last_contact=last_contact, graded_on=graded_on, cadence_days=cadence[grade]
        )
    if next_plan_on is not None and (due is None or next_plan_on < due):
        due = next_plan_on
    return due


def required_contacts(*, days_in_period: int, cadence_days: int) -> int:
    """Follow-ups the cadence requires over a period (at least one for any part of a period)."""
    if days_in_period <= 0:
        return 0
    return max(1, days_in_period // cadence_days)
