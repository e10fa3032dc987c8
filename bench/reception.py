"""The reception desk under load (issue 8): a registration at the front desk (the phone lookup,
the rotation under the desk's lock, the customer created or found, the assignment, the
reminder and the audit rows) through the API, as the receptionist, against the loaded
customers. Half the visitors are new (a first visit: the rotation's turn and a new customer),
half are returning customers found by their phone (to the owner, or served for them). Between
two registrations the rep who served is marked done (not timed), so the rotation never runs
dry. The rows the run made (visits, customers, reminders, audit) are removed at the end, so
that the benchmark database stays the bench's own.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.accounts.roles import BuiltinRole
from crm.activities.models import Notification
from crm.customers import search
from crm.customers.models import Customer
from crm.reception import services as reception
from crm.reception.models import Seat, Visit

from .load import PREFIX, Staff, _user

TARGET_MS = 30.0
KEY = "register"  # the --only name of this row


@dataclass
class Timings:
    label: str
    ms: list[float] = field(default_factory=list)

    def pct(self, p: int) -> float:
        if len(self.ms) < 2:
            return self.ms[0] if self.ms else float("nan")
        return statistics.quantiles(self.ms, n=100, method="inclusive")[p - 1]


def _front(staff: Staff) -> User:
    rep = staff.reps[0]
    return _user(f"{PREFIX}front", BuiltinRole.RECEPTIONIST, rep.department, "基准前台")  # type: ignore[arg-type]


def _returning(n: int, rng: random.Random) -> list[str]:
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(n * 3)]
    found = Customer.objects.filter(pk__in=ids, deleted_at__isnull=True).exclude(phone_store="")
    return [c.phone for c in found.only("phone_store")][:n]  # decrypted (ADR 0008)


def _post(client: Client, token: str, path: str, body: Mapping[str, object]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post(
        f"/api/v1/{path}",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return (time.perf_counter() - started) * 1000, response.status_code


def run(
    *, staff: Staff, queries: int, seed: int, client: Client, say: Callable[[str], None]
) -> list[Timings]:
    rng = random.Random(seed)
    front = _front(staff)
    reception.rotation_set(actor=staff.managers[0], data={"users": [r.pk for r in staff.reps]})
    token = accounts.token_issue(actor=front, name="bench")
    started_at = Visit.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first, returning, lookup = Timings("first visit"), Timings("returning"), Timings("lookup")
    phones = _returning(queries // 2, rng)
    try:
        for i in range(queries):
            back = i % 2 == 1 and phones
            phone = phones.pop() if back else f"199{rng.randint(0, 99_999_999):08d}"
            ms, status = _post(client, token, "reception/lookup", {"query": phone})
            if status != 200:
                raise RuntimeError(f"lookup: HTTP {status}")
            lookup.ms.append(ms)
            body = {"channel": "visit", "name": f"基准来客{i}", "phone": phone}
            ms, status = _post(client, token, "reception/visits", body)
            if status != 201:
                raise RuntimeError(f"registration: HTTP {status}")
            (returning if back else first).ms.append(ms)
            for seat in Seat.objects.filter(
                desk__department=staff.reps[0].department, status="busy"
            ):
                reception.seat_set_status(
                    actor=staff.managers[0], seat_id=seat.pk, data={"status": "on_duty"}
                )
    finally:
        _clean(front, started_at)
    both = Timings("registration (all)", first.ms + returning.ms)
    return [both, first, returning, lookup]


def _clean(front: User, after: int) -> None:
    """Remove what the run made: its visits, the customers it created and the reminders (the
    audit rows stay: the log is append-only)."""
    with transaction.atomic():
        made = list(Customer.objects.filter(created_by=front).values_list("id", flat=True))
        Visit.objects.filter(id__gt=after).delete()
        Notification.objects.filter(kind="reception").delete()
        for start in range(0, len(made), 500):
            chunk = made[start : start + 500]
            search.remove(chunk)
            Customer.objects.filter(pk__in=chunk).delete()


def table(rows: Sequence[Timings]) -> list[str]:
    head = f"{'reception (API, as the front desk)':<36} {'n':>4} {'p50':>8} {'p95':>8}  ok"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = "yes" if r.pct(95) <= TARGET_MS else "MISS"
        lines.append(f"{r.label:<36} {len(r.ms):>4} {r.pct(50):>8.2f} {r.pct(95):>8.2f}  {verdict}")
    lines.append(
        f"(milliseconds; ok = p95 ≤ {TARGET_MS:.0f} ms: lookup, rotation, assignment, audit)"
    )
    return lines
