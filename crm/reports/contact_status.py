"""意向客户接触状况表: follow-ups the grade cadence required in a month against those done.

The rule (客户管理制度: "销售顾问必须严格按意向客户的级别对客户进行跟踪管理"):

1. **Who is counted.** Every live customer (not in the recycle bin) that was an intention
   customer on at least one day of the month, under its *current* owner. A customer's intention
   time is cut into *spells*, one per grade: a spell starts when the customer is graded (created
   as an intention customer, moved to intention, regraded, reactivated) and ends with the next
   change of category or grade (``LifecycleEvent``). A customer regraded from C to H on the
   20th has a C spell until the 19th and an H spell from the 20th.
2. **Days.** A spell covers the local calendar days from the day it starts up to, not
   including, the day it ends, clipped to the month and, in the current month, to today
   (included). The day of a change belongs to the new spell; a spell that starts and ends on the
   same day has no days and is not counted.
3. **Required.** Per spell ``required_contacts(days, cadence of its grade)``: ``days // cadence``
   follow-ups, at least one for any part of a period (``crm.customers.cadence``), with the
   cadence of the grade table as it stands now. A customer's requirement is the sum over its
   spells in the month.
4. **Done.** Follow-ups of the customer (any kind, by anybody) on the spell's days, counted up to
   what the spell required: extra calls on one customer do not make up for another, nor for
   another grade of the same customer.
5. **Grade.** A customer counts under the grade of its last spell in the month.
6. **Overdue.** A customer still an intention customer at the end of the last counted day is
   overdue when the later of its last follow-up and its grading, plus the cadence, lies before
   that day: the rule of the Today page, applied to the month's last day (today for the current
   month). Planned dates do not move it here: the report measures the cadence.
7. **Compliance** is done / required over the rows.

Everything is grouped in the database in one statement (``per_owner``); Python receives one row
per owner. Time zones: PostgreSQL converts with ``AT TIME ZONE``; SQLite shifts by the zone's
offset in that month (exact for zones without daylight saving, such as Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, GradePolicy, LifecycleEvent

from .scope import day_bounds


@dataclass
class OwnerCounts:
    by_grade: dict[str, int] = field(default_factory=dict)
    customers: int = 0
    required: int = 0
    done: int = 0
    overdue: int = 0


class _Dialect:
    """The few date expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str, first: dt.date) -> None:
        self.postgres = vendor == "postgresql"
        zone = ZoneInfo(settings.TIME_ZONE)
        offset = dt.datetime.combine(first, dt.time(12), tzinfo=zone).utcoffset()
        self.minutes = int(offset.total_seconds() // 60) if offset else 0
        self.zone = settings.TIME_ZONE.replace("'", "''")

    def local(self, expr: str) -> str:
        if self.postgres:
            return f"(({expr}) AT TIME ZONE '{self.zone}')::date"
        return f"date({expr}, '{self.minutes:+d} minutes')"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgres else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.postgres else f"MIN({a}, {b})"

    def days(self, hi: str, lo: str) -> str:
        if self.postgres:
            return f"({hi} - {lo})"
        return f"CAST(ROUND(julianday({hi}) - julianday({lo})) AS INTEGER)"

    def plus_days(self, day: str, n: str) -> str:
        return f"({day} + {n})" if self.postgres else f"date({day}, '+' || {n} || ' days')"

    def date(self, value: dt.date) -> Any:
        return value if self.postgres else value.isoformat()

    def moment(self, value: dt.datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(value)


_SQL = """
WITH open_spells AS (<<open>>),
closed_spells AS (<<closed>>),
spells AS (
    SELECT cid, oid, g, s, NULL AS e FROM open_spells
    UNION ALL
    SELECT cid, oid, g, s, e FROM closed_spells
),
dated AS (
    SELECT sp.cid, sp.oid, sp.g, sp.s, p.cadence_days AS cad,
        {lo} AS lo,
        CASE WHEN sp.e IS NULL THEN <<w1>> ELSE {hi} END AS hi,
        CASE WHEN sp.e IS NULL AND sp.s < <<m0_at>> THEN 1 ELSE 0 END AS whole
    FROM spells sp JOIN customers_gradepolicy p ON p.grade = sp.g
),
live AS (SELECT * FROM dated WHERE hi > lo),
fu AS (
    SELECT f.customer_id AS cid,
        SUM(CASE WHEN f.occurred_at >= <<m0_at>> THEN 1 ELSE 0 END) AS n,
        MAX(f.occurred_at) AS last_at
    FROM activities_followup f
    WHERE f.occurred_at >= <<look_at>> AND f.occurred_at < <<w1_at>>
        AND f.customer_id IN (SELECT cid FROM live)
    GROUP BY f.customer_id
),
counted AS (
    SELECT l.cid, l.oid, l.g, l.lo, l.hi, l.cad, l.s, {days} AS days,
        CASE WHEN l.whole = 1 THEN COALESCE(fu.n, 0) ELSE (
            SELECT COUNT(*) FROM activities_followup f2
            WHERE f2.customer_id = l.cid
                AND f2.occurred_at >= <<m0_at>> AND f2.occurred_at < <<w1_at>>
                AND {f2_local} >= l.lo AND {f2_local} < l.hi
        ) END AS n,
        fu.last_at,
        ROW_NUMBER() OVER (PARTITION BY l.cid ORDER BY l.lo DESC) AS rn
    FROM live l LEFT JOIN fu ON fu.cid = l.cid
),
judged AS (
    SELECT oid, g, rn, n,
        CASE WHEN days / cad < 1 THEN 1 ELSE days / cad END AS req,
        CASE WHEN rn = 1 AND hi = <<w1>> AND {due} < <<through>> THEN 1 ELSE 0 END AS overdue
    FROM counted
)
SELECT oid,
    {by_grade},
    SUM(CASE WHEN rn = 1 THEN 1 ELSE 0 END) AS customers,
    SUM(req) AS required,
    SUM({done}) AS done,
    SUM(overdue) AS overdue
FROM judged
GROUP BY oid
"""


def _spell_querysets(
    customers: QuerySet[Customer], m0_at: dt.datetime, w1_at: dt.datetime
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Current spells of today's intention customers, and the spells that a change on or after
    the month's first day closed (their start is the change before, or the creation)."""
    open_spells = (
        customers.filter(category=Category.INTENTION)
        .annotate(start=Coalesce("graded_at", "created_at"))
        .filter(start__lt=w1_at)
        .values(cid=F("id"), oid=F("owner_id"), g=F("grade"), s=F("start"))
    )
    previous = LifecycleEvent.objects.filter(
        customer_id=OuterRef("customer_id"), id__lt=OuterRef("id")
    ).order_by("-id")
    closed_spells = (
        LifecycleEvent.objects.filter(
            from_category=Category.INTENTION, at__gte=m0_at, customer__in=customers
        )
        .annotate(start=Coalesce(Subquery(previous.values("at")[:1]), "customer__created_at"))
        .filter(start__lt=w1_at)
        .values(
            cid=F("customer_id"),
            oid=F("customer__owner_id"),
            g=F("from_grade"),
            s=F("start"),
            e=F("at"),
        )
    )
    return open_spells, closed_spells


def _statement(
    customers: QuerySet[Customer], first: dt.date, through: dt.date
) -> tuple[str, list[Any]]:
    d = _Dialect(connection.vendor, first)
    w1 = through + dt.timedelta(days=1)
    m0_at, _ = day_bounds(first)
    w1_at, _ = day_bounds(w1)
    longest = GradePolicy.objects.aggregate(m=Max("cadence_days"))["m"] or 0
    look_at = min(m0_at, day_bounds(through - dt.timedelta(days=longest))[0])
    open_spells, closed_spells = _spell_querysets(customers, m0_at, w1_at)
    grades = ",\n    ".join(
        f"SUM(CASE WHEN rn = 1 AND g = '{g}' THEN 1 ELSE 0 END) AS grade_{g.lower()}"
        for g in Grade.values
    )
    graded = d.local("s")
    template = _SQL.format(
        lo=d.greatest(d.local("sp.s"), "<<m0>>"),
        hi=d.least(d.local("sp.e"), "<<w1>>"),
        days=d.days("l.hi", "l.lo"),
        f2_local=d.local("f2.occurred_at"),
        due=d.plus_days(d.greatest(f"COALESCE({d.local('last_at')}, {graded})", graded), "cad"),
        by_grade=grades,
        done=d.least("n", "req"),
    )
    values: dict[str, Any] = {
        "m0": d.date(first),
        "w1": d.date(w1),
        "through": d.date(through),
        "m0_at": d.moment(m0_at),
        "w1_at": d.moment(w1_at),
        "look_at": d.moment(look_at),
    }
    inner = {
        "open": open_spells.query.sql_with_params(),
        "closed": closed_spells.query.sql_with_params(),
    }
    params: list[Any] = []

    def bind(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in inner:
            sql, inner_params = inner[name]
            params.extend(inner_params)
            return str(sql)
        params.append(values[name])
        return "%s"

    return re.sub(r"<<(\w+)>>", bind, template), params


def per_owner(
    *, customers: QuerySet[Customer], first: dt.date, through: dt.date
) -> dict[int, OwnerCounts]:
    """The month's numbers per owner for the (already restricted) ``customers``, counting the
    days from ``first`` through ``through``."""
    sql, params = _statement(customers, first, through)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        columns = [c[0] for c in cur.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    return {
        int(r["oid"]): OwnerCounts(
            by_grade={g: int(r[f"grade_{g.lower()}"] or 0) for g in Grade.values},
            customers=int(r["customers"] or 0),
            required=int(r["required"] or 0),
            done=int(r["done"] or 0),
            overdue=int(r["overdue"] or 0),
        )
        for r in rows
        if r["oid"] is not None
    }
