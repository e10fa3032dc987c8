"""``sales_board`` (issue 11): the kanban and the funnel at 200,000 open opportunities, timed
(the issue's target: p95 ≤ 50 ms).

- setup (timed, not the point; loaded once, then reused by the next run): ``OPEN`` open
  opportunities of the bench's customers and reps over the default pipeline's stages, plus a
  tenth as many closed (won, lost), in bulk INSERTs (``crm.core.bulk.insert_rows``: unnest on
  PostgreSQL), with activity dates spread over the last 60 days (some stale) and expected close
  dates over the next six months;
- the board (``GET /api/v1/sales/board``: one aggregate query over the tally for the columns'
  counts and sums, a bounded stale count and a capped card query per column) as the general
  manager (all 200,000), a department manager and a rep;
- the funnel of the year (``GET /api/v1/sales/funnel``: one aggregate query over the tally) and
  the weighted forecast of six months, as the general manager.

``crm bench --only sales_board --customers 2000`` runs it small (opportunities: 2 per customer,
at most ``OPEN``).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.core import bulk
from crm.customers.models import Customer
from crm.sales import tally
from crm.sales.models import LostReason, Opportunity, Tally
from crm.sales.selectors import pipeline_get, stages_of

from . import measure
from .load import Staff

KEY = "sales_board"
BENCH_USER = "bench_sales_gm"
OPEN = 200_000
BATCH = 10_000
NAMES = ["设备采购", "年度框架协议", "二期扩容", "备件补货", "新车采购", "系统升级", "样品订单"]


def _gm(staff: Staff) -> User:
    gm = User.objects.filter(username=BENCH_USER).first()
    if gm is not None:
        return gm
    department = staff.managers[0].department
    return accounts.user_create(
        actor=None,
        username=BENCH_USER,
        password="bench-gm-1",
        role="gm",
        department=department.parent if department and department.parent else department,
        full_name="基准销售总经理",
        validate_password=False,
    )


def _rows(staff: Staff, wanted: int, rng: random.Random) -> list[dict[str, object]]:
    """The opportunities as plain values: open ones over the stages (earlier stages fuller),
    a tenth as many closed."""
    pipeline = pipeline_get(None)
    assert pipeline is not None
    stages = stages_of(pipeline)
    reasons = list(LostReason.objects.filter(active=True).values_list("pk", flat=True))
    customers = list(
        Customer.objects.alive().order_by("pk").values_list("pk", "owner_id")[: wanted // 2 + 1]
    )
    reps = {u.pk: u for u in staff.reps}
    now = timezone.now()
    today = timezone.localdate()
    weights = [len(stages) - n for n in range(len(stages))]
    rows: list[dict[str, object]] = []
    closed = wanted // 10
    for n in range(wanted + closed):
        customer, owner_id = customers[n % len(customers)]
        owner = reps.get(owner_id) or staff.reps[n % len(staff.reps)]
        stage = rng.choices(stages, weights)[0]
        active = now - dt.timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
        status = "open" if n < wanted else rng.choice(["won", "lost"])
        rows.append(
            {
                "name": rng.choice(NAMES),
                "customer_id": customer,
                "pipeline_id": pipeline.pk,
                "stage_id": stage.pk,
                "status": status,
                "amount": Decimal(rng.randrange(5_000, 2_000_000, 500)),
                "currency": "CNY" if rng.random() < 0.95 else "USD",
                "expected_close_on": today + dt.timedelta(days=rng.randint(-20, 180)),
                "owner_id": owner.pk,
                "department_id": owner.department_id,
                "notes": "",
                "stage_entered_at": active,
                "last_activity_at": active,
                "furthest_position": stage.position,
                "closed_at": None if status == "open" else active,
                "won_on": timezone.localdate(active) if status == "won" else None,
                "lost_reason_id": rng.choice(reasons) if status == "lost" else None,
                "close_note": "",
                "version": 1,
                "created_at": active - dt.timedelta(days=rng.randint(0, 90)),
                "updated_at": active,
            }
        )
    return rows


def _setup(staff: Staff, say: Callable[[str], None], wanted: int) -> User:
    """The bench's opportunities: reused when loaded before, loaded (committed) if not."""
    gm = _gm(staff)
    have = Opportunity.objects.filter(status="open").count()
    if have >= wanted:
        if not Tally.objects.exists():  # loaded before the tally existed
            tally.rebuild()
        say(f"  {'setup':<34} reusing {have:,} open opportunities loaded before")
        return gm
    start = time.perf_counter()
    with transaction.atomic():
        Opportunity.objects.all().delete()
        rows = _rows(staff, wanted, random.Random(20261130))
        for first in range(0, len(rows), BATCH):
            bulk.insert_rows(Opportunity, rows[first : first + BATCH], batch_size=BATCH)
        keys = tally.rebuild()  # the board's and the funnel's counts (one GROUP BY)
    # fresh statistics (and on PostgreSQL the visibility map the index-only scans need)
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cur:
        cur.execute(("VACUUM ANALYZE" if vacuum else "ANALYZE") + " sales_opportunity")
    say(
        f"  {'setup (bulk INSERT)':<34} {time.perf_counter() - start:>8.2f} s"
        f"   {len(rows):,} opportunities ({wanted:,} open), {keys:,} tally keys"
    )
    return gm


def _pct(values: Sequence[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _time(
    label: str,
    user: User,
    path: str,
    queries: int,
    say: Callable[[str], None],
) -> None:
    client = measure.client()
    client.force_login(user)
    first = client.get(path)
    assert first.status_code == 200, first.content[:300]
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    per_request = len(captured)
    times = []
    for _ in range(queries):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    say(
        f"  {label:<34} p50 {statistics.median(times):>7.1f} ms   p95 {_pct(times, 95):>7.1f} ms"
        f"   {per_request} queries"
    )


def run(staff: Staff, say: Callable[[str], None], customers: int, queries: int = 50) -> None:
    wanted = min(OPEN, customers * 2)
    say(f"Sales board and funnel over {wanted:,} open opportunities:")
    gm = _setup(staff, say, wanted)
    manager, rep = staff.managers[0], staff.reps[0]
    year = timezone.localdate().replace(month=1, day=1).isoformat()
    _time("board, general manager (all)", gm, "/api/v1/sales/board", queries, say)
    _time("board, department manager", manager, "/api/v1/sales/board", queries, say)
    _time("board, rep", rep, "/api/v1/sales/board", queries, say)
    _time("board page (HTML), general manager", gm, "/sales/", queries, say)
    funnel = f"/api/v1/sales/funnel?since={year}"
    _time("funnel of the year, general manager", gm, funnel, queries, say)
    _time("forecast 6 months, general manager", gm, "/api/v1/sales/forecast", queries, say)
