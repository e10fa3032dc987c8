"""``complaints`` (issue 12): customer complaints under load, through the API.

- setup (timed, not the point; loaded once, then reused): ``COMPLAINTS`` complaints (200,000 for
  a million customers; a fifth of the customers for a smaller load) spread over the last twelve
  months, about one in six still open, handled by ten service staff, written with bulk INSERTs
  (``crm.core.bulk.insert_rows`` on PostgreSQL, ``executemany`` on SQLite, where Django's
  ``bulk_create`` would stamp every ``created_at`` with the load's own time);
- a handler's open-complaint queue (``GET service/complaints/queue``) and the SLA overdue list
  (``GET service/complaints/overdue``), each as a random handler, target p95 ≤ 20 ms;
- the monthly statistics (``GET service/complaints/report``) as the general manager, target
  ≤ 300 ms;
- public form submissions (``POST public/complaints`` with a stamp served 10 s earlier),
  one after another from one process: submissions per second, target ≥ 50 without an error.
  What the run submitted is removed at the end.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import Department, User
from crm.customers.models import Customer
from crm.service import guard
from crm.service.models import Category, Channel, Complaint, Severity, Step

from . import measure
from .load import PREFIX, Staff

KEY = "complaints"
COMPLAINTS = 200_000
HANDLERS = 10
TARGET_MS = 20.0
REPORT_TARGET_MS = 300.0
SUBMISSIONS_TARGET = 50.0
BATCH = 5000
SEVERITY_HOURS = {"critical": (1, 8), "high": (2, 16), "normal": (4, 24), "low": (8, 40)}


def _handlers(staff: Staff) -> tuple[list[User], User]:
    head = staff.managers[0].department.parent if staff.managers[0].department else None  # type: ignore[union-attr]
    service = Department.objects.filter(name="客服部").first() or head
    handlers = []
    for n in range(1, HANDLERS + 1):
        name = f"{PREFIX}service{n:02d}"
        user = User.objects.filter(username=name).first() or accounts.user_create(
            actor=None,
            username=name,
            password="bench-service-1",
            role="service",
            department=service,
            full_name=f"基准客服{n:02d}",
            validate_password=False,
        )
        handlers.append(user)
    gm = User.objects.filter(username=f"{PREFIX}gm").first() or accounts.user_create(
        actor=None,
        username=f"{PREFIX}gm",
        password="bench-gm-1",
        role="gm",
        department=head,
        full_name="基准总经理",
        validate_password=False,
    )
    return handlers, gm


def _rows(n: int, handlers: list[User], rng: random.Random) -> list[dict[str, Any]]:
    top = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    now = timezone.now()
    categories, severities = list(Category.values), list(Severity.values)
    channels = list(Channel.values)
    rows = []
    # registered in time order, as complaints are: a month's rows lie together in the table
    moments = sorted(now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60)) for _ in range(n))
    for i, created in enumerate(moments):
        severity = rng.choice(severities)
        respond, resolve = SEVERITY_HOURS[severity]
        # wall-clock deadlines (a working day is 9 h): close enough for a load
        response_due = created + dt.timedelta(hours=respond * 24 / 9)
        resolve_due = created + dt.timedelta(hours=resolve * 24 / 9)
        roll = rng.random()
        state = (
            "closed"
            if roll < 0.75
            else "resolved"
            if roll < 0.83
            else rng.choice(["registered", "accepted", "handling", "reopened"])
        )
        is_open = state not in ("closed", "resolved")
        accepted = None if state == "registered" else created + dt.timedelta(hours=rng.random() * 6)
        resolved = created + dt.timedelta(hours=rng.random() * resolve * 4) if not is_open else None
        rows.append(
            {
                "customer_id": rng.randint(1, top) if top and rng.random() < 0.8 else None,
                "complainant": f"基准投诉人{i}",
                "phone_store": "",
                "phone_index": "",
                "channel": rng.choice(channels),
                "category": rng.choice(categories),
                "severity": severity,
                "product": f"型号{rng.randint(1, 40)}",
                "order_number": "",
                "description": "基准投诉内容",
                "request": "",
                "state": state,
                "open_due": resolve_due if is_open else None,
                "responded_on_time": None if accepted is None else accepted <= response_due,
                "resolved_on_time": None if resolved is None else resolved <= resolve_due,
                "resolve_minutes": None
                if resolved is None
                else int((resolved - created).total_seconds() // 60),
                "registered_by_id": handlers[0].pk,
                "handler_id": None if state == "registered" else rng.choice(handlers).pk,
                "department_id": None,
                "response_due": response_due,
                "resolve_due": resolve_due,
                "accepted_at": accepted,
                "resolved_at": resolved,
                "closed_at": resolved if state == "closed" else None,
                "escalation": 0,
                "escalated_at": None,
                "gm_due": None,
                "resolution": "" if is_open else "已处理",
                "customer_feedback": "",
                "satisfaction": rng.randint(1, 5) if state == "closed" else None,
                "reopened": 1 if state == "reopened" else 0,
                "fingerprint": "",
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _insert(rows: list[dict[str, Any]]) -> None:
    from crm.core import bulk

    if connection.vendor == "postgresql":
        bulk.insert_rows(Complaint, rows, batch_size=BATCH)
        return
    columns = list(rows[0])
    names = {f.attname: f.column for f in Complaint._meta.concrete_fields}
    ops = connection.ops
    sql = (
        f"INSERT INTO {Complaint._meta.db_table} ({', '.join(names[c] for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def plain(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return ops.adapt_datetimefield_value(value)
        return value

    with connection.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cur.executemany(sql, [[plain(r[c]) for c in columns] for r in chunk])


def _setup(total: int, handlers: list[User], say: Callable[[str], None]) -> None:
    have = Complaint.objects.count()
    if have >= total:
        say(f"  {'setup':<34} reusing {have:,} complaints loaded before")
        return
    start = time.perf_counter()
    rng = random.Random(20261130)
    with transaction.atomic():
        Step.objects.all().delete()
        Complaint.objects.all().delete()
        _insert(_rows(total, handlers, rng))
    with connection.cursor() as cur:  # the planner's statistics of the new rows
        cur.execute(f"ANALYZE {Complaint._meta.db_table}")
    say(
        f"  {'setup (complaints)':<34} {time.perf_counter() - start:>8.2f} s   {total:,} complaints"
    )


def _pct(ms: list[float], p: int) -> float:
    if len(ms) < 2:
        return ms[0] if ms else float("nan")
    return statistics.quantiles(ms, n=100, method="inclusive")[p - 1]


def _get(client: Client, token: str, path: str) -> float:
    started = time.perf_counter()
    response = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    return elapsed


def _line(label: str, ms: list[float], target: float, say: Callable[[str], None]) -> None:
    p95 = _pct(ms, 95)
    verdict = "yes" if p95 <= target else "MISS"
    say(f"  {label:<34} {len(ms):>5} {_pct(ms, 50):>8.2f} {p95:>8.2f}  {verdict}")


def _stamp(seconds_ago: int) -> str:
    served = int(timezone.now().timestamp()) - seconds_ago
    return signing.Signer(salt=guard.SALT).sign(str(served))


def _submissions(client: Client, n: int, say: Callable[[str], None]) -> None:
    after = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    errors = 0
    started = time.perf_counter()
    try:
        with override_settings(CRM_PUBLIC_FORM_RATE=0):
            for i in range(n):
                response = client.post(
                    "/api/v1/public/complaints",
                    data={
                        "complainant": "基准客户",
                        "phone": f"199{i:08d}",
                        "category": "product",
                        "description": f"基准在线投诉 {i}",
                        "started": _stamp(10),
                    },
                    content_type="application/json",
                )
                errors += response.status_code != 201
        seconds = time.perf_counter() - started
    finally:
        with transaction.atomic():
            made = Complaint.objects.filter(pk__gt=after)
            Step.objects.filter(complaint__in=made).delete()
            made.delete()
    rate = n / seconds if seconds else float("inf")
    verdict = "yes" if rate >= SUBMISSIONS_TARGET and not errors else "MISS"
    say(f"  {'public form submissions':<34} {n:>5} {rate:>8.1f}/s  errors {errors}  {verdict}")


def run(staff: Staff, say: Callable[[str], None], *, customers: int, queries: int) -> None:
    total = min(COMPLAINTS, max(100, customers // 5))
    say(f"Customer complaints ({total:,} complaints):")
    handlers, gm = _handlers(staff)
    _setup(total, handlers, say)
    client = measure.client()
    tokens = {u.pk: accounts.token_issue(actor=u, name="bench") for u in [*handlers, gm]}
    rng = random.Random(7)
    say(f"  {'(milliseconds)':<34} {'n':>5} {'p50':>8} {'p95':>8}  ok")
    queue = [
        _get(client, tokens[rng.choice(handlers).pk], "service/complaints/queue")
        for _ in range(queries)
    ]
    _line("handler's open queue", queue, TARGET_MS, say)
    overdue = [
        _get(client, tokens[rng.choice(handlers).pk], "service/complaints/overdue")
        for _ in range(queries)
    ]
    _line("SLA overdue list", overdue, TARGET_MS, say)
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    report = [
        _get(client, tokens[gm.pk], f"service/complaints/report?month={month:%Y-%m}")
        for _ in range(5)
    ]
    _line("monthly statistics", report, REPORT_TARGET_MS, say)
    _submissions(client, max(50, min(queries, 500)), say)
