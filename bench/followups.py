"""Issue 3's shape on top of the loaded customers: grading times, follow-up records, due dates.

Intention customers get a ``graded_at`` spread over the past six months; follow-up records
(``activities_followup``, COPY on PostgreSQL, ``executemany`` on SQLite) go to owned customers,
more to intention customers than to others, with realistic kinds and times over the past 120
days, by the owner. Then every customer's ``last_contact_at`` becomes its latest follow-up,
``lifecycle.recompute_due_sql()`` fills ``next_due_on``, the contact-status report's figures of
the month are computed afresh (``contact_status.keep_month``) and the tables are analysed. Like the
customer loader it skips the services (no audit rows, no per-row due computation) but leaves
the rows as recording follow-ups through them would.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from crm.activities.models import FollowUp
from crm.customers import lifecycle
from crm.customers.models import Customer
from crm.reports import contact_status

from .data import _Weighted
from .load import LoadReport, _insert, _Laps

DAYS = 120
GRADED_DAYS = 180
CHUNK = 20_000
# follow-ups a customer of each category gets, relative to a potential customer
# (in tenths: integers keep the running sum exact)
CATEGORY_WEIGHT = {"intention": 30, "retained": 15, "defeated": 10, "potential": 6}
OTHER_WEIGHT = 3
KINDS = (
    ("call", 40),
    ("message", 20),
    ("store_visit", 12),
    ("visit", 7),
    ("callback", 8),
    ("email", 4),
    ("meeting", 3),
    ("service", 6),
)
CONTENT = {
    "call": (
        "电话沟通购车意向，客户关注价格与优惠",
        "电话确认试驾时间",
        "电话回复客户关于贷款的问题",
    ),
    "message": ("微信发送车型配置表", "短信提醒到店试驾", "微信发送最新促销活动"),
    "store_visit": ("客户到店看车并试驾", "客户携家人到店比较车型", "到店洽谈价格与上牌"),
    "visit": ("上门拜访，介绍集团采购方案", "拜访客户单位，了解车队需求"),
    "callback": ("交车后回访，客户满意", "回访用车情况，提醒首保"),
    "email": ("邮件发送报价单", "邮件确认合同条款"),
    "meeting": ("与采购负责人面谈报价", "会议讨论批量采购方案"),
    "service": ("协助办理保险", "预约保养服务"),
}
OUTCOMES = ("有意向", "考虑中", "约定下次联系", "已报价", "需再跟进", "")


def _columns() -> list[str]:
    return [
        "customer_id",
        "staff_id",
        "kind",
        "occurred_at",
        "content",
        "outcome",
        "place",
        "purpose",
        "feedback",
        "subject",
        "recipient",
        "next_step",
        "comment",  # a manager's 点评 (NOT NULL, empty: Django's default is not the database's)
        "satisfaction",
        "counted",
        "created_at",
        "updated_at",
    ]


def _weights() -> tuple[dict[str, int], int]:
    """Each category's weight, and the weight of all owned customers (follow-ups are shared out
    in proportion)."""
    counts = dict(
        Customer.objects.filter(deleted_at__isnull=True, owner__isnull=False)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    weights = {cat: CATEGORY_WEIGHT.get(cat, OTHER_WEIGHT) for cat in counts}
    return weights, sum(weights[cat] * n for cat, n in counts.items())


def _grade_times(now: datetime) -> None:
    """Every intention customer graded sometime in the past six months (not before creation)."""
    span = GRADED_DAYS * 86_400
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "UPDATE customers_customer SET graded_at = GREATEST(created_at, "
                "%s::timestamptz - make_interval(secs => (id * 2654435761) %% %s)) "
                "WHERE category = 'intention'",
                [now, span],
            )
        else:
            cur.execute(
                "UPDATE customers_customer SET graded_at = MAX(created_at, "
                "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, "
                "'-' || ((id * 2654435761) %% %s) || ' seconds')) "
                "WHERE category = 'intention'",
                [connection.ops.adapt_datetimefield_value(now), span],
            )


def _last_contacts() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "UPDATE customers_customer c SET last_contact_at = f.last FROM "
                "(SELECT customer_id, MAX(occurred_at) AS last FROM activities_followup "
                "GROUP BY customer_id) f WHERE f.customer_id = c.id"
            )
        else:
            cur.execute(
                "UPDATE customers_customer SET last_contact_at = (SELECT MAX(f.occurred_at) "
                "FROM activities_followup f WHERE f.customer_id = customers_customer.id) "
                "WHERE id IN (SELECT DISTINCT customer_id FROM activities_followup)"
            )


def _analyze() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in (Customer._meta.db_table, FollowUp._meta.db_table):
                cur.execute(f"VACUUM ANALYZE {table}")
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")


def load(*, total: int, seed: int, progress: Callable[[int], None] | None = None) -> LoadReport:
    """Insert about ``total`` follow-ups spread over the owned customers, then derive the
    customers' last contact and next due date."""
    report = LoadReport(customers=total)
    started = time.perf_counter()
    rng = random.Random(seed + 3)
    now = timezone.now()
    span = timedelta(days=DAYS).total_seconds()
    kinds = _Weighted([k for k, _ in KINDS], [w for _, w in KINDS])
    weights, weight = _weights()
    postgres = connection.vendor == "postgresql"
    when: Callable[[datetime], Any] = (
        (lambda d: d) if postgres else connection.ops.adapt_datetimefield_value
    )
    columns = _columns()
    laps = _Laps()
    connection.ensure_connection()
    written = 0
    carry = 0  # follow-ups so far × weight
    with transaction.atomic():
        if not postgres:
            connection.cursor().execute("PRAGMA cache_size=-262144")
        _grade_times(now)
        laps.lap("graded_at")
        after = 0
        while True:
            chunk = list(
                Customer.objects.filter(id__gt=after, deleted_at__isnull=True, owner__isnull=False)
                .order_by("id")
                .values_list("id", "owner_id", "category")[:CHUNK]
            )
            if not chunk:
                break
            after = chunk[-1][0]
            rows: list[tuple[Any, ...]] = []
            for cid, owner, category in chunk:
                # running sum: the counts add up to ``total`` exactly
                before = carry // weight
                carry += total * weights.get(category, 0)
                for _ in range(carry // weight - before):
                    kind = kinds.pick(rng)
                    at = when(now - timedelta(seconds=rng.random() * span))
                    rows.append(
                        (
                            cid,
                            owner,
                            kind,
                            at,
                            rng.choice(CONTENT[kind]),
                            rng.choice(OUTCOMES),
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            rng.randint(3, 5) if kind == "callback" else None,
                            True,  # by the owner, with content: counts (FollowUp.counted)
                            at,
                            at,
                        )
                    )
            laps.lap("generate")
            _insert(columns, rows, FollowUp._meta.db_table)
            laps.lap("follow-ups")
            written += len(rows)
            if progress is not None:
                progress(written)
        _last_contacts()
        laps.lap("last_contact_at")
        lifecycle.recompute_due_sql()
        laps.lap("next_due_on")
        contact_status.keep_month(timezone.localdate().replace(day=1), again=True)
        laps.lap("contact-status figures")
    laps.lap("commit")
    _analyze()
    laps.lap("analyze")
    report.customers = written
    report.steps = laps.steps
    report.seconds = time.perf_counter() - started
    return report
