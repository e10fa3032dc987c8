"""The contact-status report's kept figures (``ContactMonth``) equal a recomputation after any
sequence of writes: follow-ups (counted or not, back-dated too), entries, regrades, deals,
defeats, deletions, restores and handovers, spread over months as days pass."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.activities import services as activities
from crm.core.errors import DomainError
from crm.customers import lifecycle
from crm.customers import services as customers
from crm.customers.models import Customer, DefeatReason
from crm.customers.tests.factories import make_customer
from crm.reports import contact_status
from crm.reports.models import ContactMonth, ContactMonthKept
from crm.reports.scope import month_end

pytestmark = pytest.mark.django_db

START = dt.date(2026, 9, 20)
GRADES = "OHABC"

# one write: (days to wait first, what, which customer, a choice, hours back for a follow-up)
steps = st.tuples(
    st.integers(0, 8),
    st.sampled_from(
        [
            "create",
            "create",
            "create_potential",
            "follow",
            "follow",
            "follow",
            "note",
            "regrade",
            "promote",
            "deal",
            "defeat",
            "delete",
            "restore",
            "hand_over",
        ]
    ),
    st.integers(0, 50),
    st.integers(0, 4),
    st.integers(0, 24 * 40),
)


def kept_rows() -> list[tuple[Any, ...]]:
    return sorted(
        ContactMonth.objects.values_list(
            "customer_id",
            "month",
            "owner_id",
            "department_id",
            "grade",
            "start_day",
            "end_day",
            "followups",
            "anchor_day",
            "last",
        )
    )


class Company:
    def __init__(self, org):
        self.org = org
        self.reps = [org.rep_a, org.rep_b, org.rep_c]
        self.customers: list[int] = []

    def customer(self, index: int) -> Customer | None:
        if not self.customers:
            return None
        return Customer.objects.get(pk=self.customers[index % len(self.customers)])

    def write(self, what: str, index: int, choice: int, hours_back: int) -> None:
        org, c = self.org, self.customer(index)
        rep = self.reps[choice % len(self.reps)]
        if what in ("create", "create_potential"):
            grade = "" if what == "create_potential" else GRADES[choice]
            made = make_customer(
                rep,
                name=f"客户{len(self.customers)}",
                category="intention" if grade else "potential",
                grade=grade,
            )
            self.customers.append(made.pk)
            return
        if c is None:
            return
        owner = c.owner or rep
        version = c.version
        if what == "follow":
            when = timezone.now() - dt.timedelta(hours=hours_back)
            activities.followup_record(
                actor=owner,
                customer_id=c.pk,
                data={"kind": "call", "content": "沟通", "occurred_at": when},
            )
        elif what == "note":  # an empty note: recorded, not counted
            activities.followup_record(actor=owner, customer_id=c.pk, data={"kind": "message"})
        elif what in ("regrade", "promote"):
            grade = GRADES[choice]
            extra: dict[str, Any] = {}
            if grade == "O":
                extra = {"deposit_amount": 5000, "deposit_on": timezone.localdate()}
            lifecycle.customer_transition(
                actor=owner,
                customer_id=c.pk,
                version=version,
                to="intention",
                grade=grade,
                reason="重新评估",
                **extra,
            )
        elif what == "deal":
            lifecycle.customer_transition(
                actor=owner,
                customer_id=c.pk,
                version=version,
                to="retained",
                deal_on=timezone.localdate(),
            )
        elif what == "defeat":
            reason = DefeatReason.objects.first()
            assert reason is not None
            lifecycle.customer_transition(
                actor=owner,
                customer_id=c.pk,
                version=version,
                to="defeated",
                defeat={"reason": reason.pk, "tried": "多次报价"},
            )
        elif what == "delete":
            customers.customer_delete(actor=org.data_admin, customer_id=c.pk)
        elif what == "restore":
            customers.customer_restore(actor=org.data_admin, customer_id=c.pk)
        elif what == "hand_over":
            customers.customer_update(
                actor=org.gm, customer_id=c.pk, version=version, data={"owner": rep.pk}
            )


def assert_kept_equals_recomputed(today: dt.date) -> None:
    months = list(ContactMonthKept.objects.values_list("month", flat=True))
    kept = kept_rows()
    for first in months:
        through = min(month_end(first), today)
        if through < first:
            continue
        cadence, _ = contact_status.grade_table(first)
        live = contact_status.recount(
            customers=Customer.objects.filter(deleted_at__isnull=True),
            first=first,
            through=through,
            through_today=through == today,
            cadence=cadence,
        )
        from_rows = contact_status.per_owner_kept(
            rows=ContactMonth.objects.filter(month=first), through=through, cadence=cadence
        )
        assert from_rows == live, f"{first:%Y-%m} through {through}"
        contact_status.keep_month(first, again=True)  # every row computed afresh
    assert kept_rows() == kept


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps, min_size=2, max_size=16))
def test_kept_figures_equal_a_recomputation_after_any_writes(org, clock, writes):
    with transaction.atomic():
        company = Company(org)
        day = START
        clock(day, 9)
        for wait, what, index, choice, hours_back in writes:
            day += dt.timedelta(days=wait)
            clock(day, 9 + choice)
            with contextlib.suppress(DomainError):  # a refused write (…) changes nothing
                company.write(what, index, choice, hours_back)
        assert_kept_equals_recomputed(day)
        transaction.set_rollback(True)
