"""``sales_stats`` (issue 11, part 7): the monthly sales statistics over 1,000,000 orders, timed
(the issue's target: ≤ 1 s on PostgreSQL).

- setup (timed, not the point), in a transaction rolled back at the end (the loaded database
  stays as it was): ``ORDERS`` orders of the bench's customers (as many per customer as it
  takes), signed over the last three years (a tenth not: drafts, orders under review, cancelled
  ones), one in twenty in US dollars, credited to each customer's owner, department and source;
  two lines each over a catalogue of 50 products. Written by ``INSERT … SELECT`` from the
  customers table (every other column takes its field's default), then ANALYZE;
- reads through the API (``GET /api/v1/sales/statistics``), ``REPEAT`` times each, p50 and p95:
  last month by rep for the general manager and for a department manager, the year by month, by
  product and by source, and the Excel export of the year by rep.

``crm bench --only sales_stats --customers 2000`` runs it small (ten orders per customer, at
most ``ORDERS``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from crm.accounts.models import User
from crm.customers.models import Customer
from crm.orders.models import Order, OrderLine
from crm.products.models import Product

from . import measure
from .load import Staff
from .orders import _user
from .sales import _pct

KEY = "sales_stats"
ORDERS = 1_000_000
REPEAT = 20
DAYS = 3 * 365


def _date_minus(base: dt.date, days_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"(DATE '{base.isoformat()}' - ({days_sql})::int)"
    return f"date('{base.isoformat()}', '-' || ({days_sql}) || ' days')"


def _insert_orders(n: int, today: dt.date) -> int:
    """``n`` orders, ``k`` per customer, by one INSERT … SELECT over the customers."""
    customers = Customer.objects.count()
    per = -(-n // max(customers, 1))
    series = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(per))
    key = "(c.id * 7 + s.k * 131)"
    sold = f"({key} %% 10 <> 0)"
    computed = {
        "customer": "c.id",
        "state": f"CASE WHEN {key} %% 10 = 0 THEN 'draft' WHEN {key} %% 20 = 1 THEN 'closed' "
        "ELSE 'delivered' END",
        "order_date": _date_minus(today, f"{key} %% {DAYS}"),
        "confirmed_on": f"CASE WHEN {sold} THEN {_date_minus(today, f'{key} %% {DAYS}')} END",
        "currency": f"CASE WHEN {key} %% 20 = 7 THEN 'USD' ELSE 'CNY' END",
        "total": f"(200 + ({key} %% 500) * 20)",
        "sold_by": f"CASE WHEN {sold} THEN c.owner_id END",
        "sold_department": f"CASE WHEN {sold} THEN c.department_id END",
        "source": f"CASE WHEN {sold} THEN c.source ELSE '' END",
        "created_by": "NULL",
    }
    now = timezone.now()
    columns, values, params = [], [], []
    for field in Order._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.name in computed:
            values.append(computed[field.name])
            continue
        value: Any = now if field.name in ("created_at", "updated_at") else field.get_default()
        values.append("%s")
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Order._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {Customer._meta.db_table} c "
            f"CROSS JOIN ({series}) s ORDER BY s.k, c.id LIMIT {n}",
            params,
        )
        return int(cur.rowcount)


def _insert_lines(first_id: int, products: list[int]) -> int:
    """Two lines per order: half the total each, over the 50 products (ids in a row)."""
    low = products[0]
    assert products == list(range(low, low + len(products)))
    with connection.cursor() as cur:
        for position, shift in ((1, 0), (2, 17)):
            cur.execute(
                f"INSERT INTO {OrderLine._meta.db_table} (order_id, position, product_id, "
                "quantity, unit_price, amount, size, colour, customisation) "
                f"SELECT id, {position}, {low} + ((id + {shift}) %% {len(products)}), 2, "
                f"total / 4, total / 2, '', '', '' FROM {Order._meta.db_table} WHERE id > %s",
                [first_id],
            )
    return OrderLine.objects.filter(order_id__gt=first_id).count()


def _time(
    label: str, user: User, path: str, say: Callable[[str], None], repeat: int = REPEAT
) -> None:
    client = measure.client()
    client.force_login(user)
    first = client.get(path)
    assert first.status_code == 200, first.content[:300]
    captured: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # (the loader leaves queries_log without room)
        client.get(path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    say(
        f"  {label:<40} p50 {statistics.median(times):>7.1f} ms   p95 {_pct(times, 95):>7.1f} ms"
        f"   {len(captured)} queries"
    )


def run(staff: Staff, say: Callable[[str], None], orders: int = ORDERS) -> None:
    today = timezone.localdate()
    with transaction.atomic():
        department = staff.managers[0].department
        head = department.parent if department and department.parent else department
        gm = _user("bench_orders_gm", "gm", head)
        started = time.perf_counter()
        first_id = Order.objects.order_by("-id").values_list("id", flat=True).first() or 0
        products = Product.objects.bulk_create(
            Product(code=f"STATS-{i:03d}", name=f"统计产品{i}", unit="台", created_by=gm)
            for i in range(50)
        )
        made = _insert_orders(orders, today)
        lines = _insert_lines(first_id, [p.pk for p in products])
        with connection.cursor() as cur:
            for model in (Order, OrderLine):
                cur.execute(f"ANALYZE {model._meta.db_table}")
        signed = Order.objects.filter(id__gt=first_id, confirmed_on__isnull=False).count()
        say(
            f"Sales statistics over {made:,} orders ({signed:,} signed, {lines:,} lines): "
            f"setup {time.perf_counter() - started:.1f} s"
        )
        month_end = today.replace(day=1) - dt.timedelta(days=1)
        month = f"since={month_end.replace(day=1).isoformat()}&until={month_end.isoformat()}"
        year = f"since={(today - dt.timedelta(days=364)).isoformat()}&until={today.isoformat()}"
        api = "/api/v1/sales/statistics"
        manager = staff.managers[0]
        _time("last month by rep, general manager", gm, f"{api}?by=rep&{month}", say)
        _time("last month by rep, department manager", manager, f"{api}?by=rep&{month}", say)
        _time("last month by product, general manager", gm, f"{api}?by=product&{month}", say)
        _time("12 months by month, general manager", gm, f"{api}?by=month&{year}", say)
        _time("12 months by product, general manager", gm, f"{api}?by=product&{year}", say)
        _time("12 months by source, department manager", manager, f"{api}?by=source&{year}", say)
        _time("12 months by rep as Excel, general manager", gm, f"{api}.xlsx?by=rep&{year}", say)
        transaction.set_rollback(True)
