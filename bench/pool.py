"""The nightly pass of the public pools (crm.pool.tasks) over the loaded customers.

One pool whose members are the bench's reps and managers, with the rules a showroom would set:
no follow-up for 90 days (warning 3 days before), and for grade B no new opportunity for 150
days. The pass runs twice on the same day: the first is the backlog night (every customer past
its day returns, every owner in the warning window is warned), the second the quiet night that
follows (the whole scan again, nothing left to do: the task is idempotent). Everything runs in
one transaction rolled back at the end, so the loaded database stays as it was. Memory: how far
the resident set's peak during a pass rose above where it started (Linux resets the high-water
mark through /proc/self/clear_refs).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from crm.customers.models import Customer
from crm.pool import services

from .load import Staff

KEY = "pool_nightly"


@dataclass(frozen=True)
class PassResult:
    label: str
    seconds: float
    returned: int
    warned: int
    peak_mb: float | None


def _reset_peak() -> None:
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _pass(label: str) -> PassResult:
    _reset_peak()
    before = _status_mb("VmRSS")
    start = time.perf_counter()
    outcome = services.pool_return_due()
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    growth = peak - before if peak is not None and before is not None else None
    return PassResult(label, seconds, outcome.returned, outcome.warned, growth)


def run(staff: Staff, say: Callable[[str], None]) -> list[PassResult]:
    members = [u.pk for u in [*staff.reps, *staff.managers]]
    total = Customer.objects.count()
    results: list[PassResult] = []
    with transaction.atomic():
        manager = staff.managers[0]  # a manager sets up the department's pool
        pool = services.pool_create(
            actor=manager,
            data={
                "name": "基准公海",
                "department": manager.department_id,
                "members": members,
                "warn_days": 3,
            },
        )
        for rule in (
            {"kind": "no_followup", "days": 90},
            {"kind": "no_opportunity", "days": 150, "grade": "B"},
        ):
            services.rule_add(actor=manager, pool_id=pool.pk, data=rule)
        results.append(_pass("backlog night"))
        results.append(_pass("quiet night (rerun)"))
        transaction.set_rollback(True)
    say(f"Nightly pool pass over {total:,} customers (rolled back afterwards):")
    for r in results:
        peak = f"+{r.peak_mb:,.0f} MB" if r.peak_mb is not None else "n/a"
        say(
            f"  {r.label:<22} {r.seconds:>8.2f} s   returned {r.returned:>9,}   "
            f"warned {r.warned:>9,}   peak RSS {peak}"
        )
    say("  (target: ≤ 60 s at 1,000,000 customers on PostgreSQL, in bounded memory)")
    return results
