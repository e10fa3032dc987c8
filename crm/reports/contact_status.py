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
4. **Done.** Follow-ups of the customer that count (any kind, by anybody in its sales chain, not
   an empty note: ``FollowUp.counted``) on the spell's days, counted up to what the spell
   required: extra calls on one customer do not make up for another, nor for another grade of
   the same customer.
5. **Grade.** A customer counts under the grade of its last spell in the month.
6. **Overdue.** A customer still an intention customer at the end of the last counted day is
   overdue when the later of its last follow-up and its grading, plus the cadence, lies before
   that day: the rule of the Today page, applied to the month's last day (today for the current
   month, where the last follow-up is the customer's last-contact time). Planned dates do not
   move it here: the report measures the cadence.
7. **Compliance** is done / required over the rows.

Everything is grouped in the database in one statement (``per_owner``); Python receives one row
per owner. The statement walks the department's intention customers once and looks each one's
follow-ups up in the (customer, occurred_at) index, so its cost follows the size of the
department, not of the company. Time zones: PostgreSQL converts with ``AT TIME ZONE``; SQLite
shifts by the zone's offset in that month (exact for zones without daylight saving, such as
Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
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
        """The local calendar day of a moment."""
        if self.postgres:
            return f"(({expr}) AT TIME ZONE '{self.zone}')::date"
        return f"date({expr}, '{self.minutes:+d} minutes')"

    def midnight(self, expr: str) -> str:
        """The moment the local day of a moment began (comparable with stored moments)."""
        if self.postgres:
            day = f"date_trunc('day', ({expr}) AT TIME ZONE '{self.zone}')"
            return f"({day} AT TIME ZONE '{self.zone}')"
        return f"datetime(date({expr}, '{self.minutes:+d} minutes'), '{-self.minutes:+d} minutes')"

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


def _count(cid: str, lo_at: str, hi_at: str) -> str:
    return (
        "(SELECT COUNT(*) FROM activities_followup f "
        f"WHERE f.customer_id = {cid} AND f.occurred_at >= {lo_at} AND f.occurred_at < {hi_at}"
        " AND f.counted)"
    )


def _last(cid: str) -> str:
    return (
        "(SELECT MAX(f.occurred_at) FROM activities_followup f "
        f"WHERE f.customer_id = {cid} AND f.occurred_at < <<w1_at>> AND f.counted)"
    )


# One row per owner. A: today's intention customers, one spell each (since their grading),
# walked once with constants per grade (no date arithmetic per row: a customer graded before the
# month has the whole month's requirement of its grade, and is overdue when both its grading and
# its last follow-up lie before the day ``through`` minus the cadence). B: the few spells that a
# change since the month began has closed, with the date arithmetic spelt out.
_SQL = """
SELECT oid,
    {by_grade},
    SUM(cust) AS customers,
    SUM(req) AS required,
    SUM({done}) AS done,
    SUM(overdue) AS overdue
FROM (
    SELECT oid, g, 1 AS cust, req, n, overdue
    FROM (
        SELECT o.oid, o.g,
            CASE WHEN o.s < <<m0_at>> THEN {whole_req} ELSE {partial_req} END AS req,
            {open_n} AS n,
            CASE WHEN COALESCE({open_last}, o.s) < {cut} AND o.s < {cut} THEN 1 ELSE 0 END
                AS overdue
        FROM (<<open>>) o
    ) a
    UNION ALL
    SELECT oid, g,
        CASE WHEN rn = 1 AND NOT (cur_cat = 'intention' AND cur_s < <<w1_at>>) THEN 1 ELSE 0 END,
        req, n,
        CASE WHEN hi = <<w1>> AND {due} < <<through>> THEN 1 ELSE 0 END
    FROM (
        SELECT b1.*, CASE WHEN days / cad < 1 THEN 1 ELSE days / cad END AS req,
            ROW_NUMBER() OVER (PARTITION BY cid ORDER BY e DESC) AS rn
        FROM (
            SELECT c.cid, c.o AS oid, c.g, c.s, c.e, c.cur_cat, c.cur_s, {closed_cad} AS cad,
                {closed_hi} AS hi, {closed_days} AS days, {closed_n} AS n,
                {closed_last} AS last_at
            FROM (<<closed>>) c
        ) b1
        WHERE days > 0
    ) b2
) x
GROUP BY oid
"""


def _spell_querysets(
    customers: QuerySet[Customer], m0_at: dt.datetime, w1_at: dt.datetime, grades: list[str]
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Current spells of today's intention customers, and the spells that a change on or after
    the month's first day closed (their start is the change before, or the creation)."""
    open_spells = (
        customers.filter(category=Category.INTENTION, grade__in=grades)
        .annotate(start=Coalesce("graded_at", "created_at"))
        .filter(start__lt=w1_at)
        .values(cid=F("id"), oid=F("owner_id"), g=F("grade"), s=F("start"), lc=F("last_contact_at"))
        .order_by()
    )
    previous = LifecycleEvent.objects.filter(
        customer_id=OuterRef("customer_id"), id__lt=OuterRef("id")
    ).order_by("-id")
    # the customer's fields one lookup each: a few thousand events, never a scan of the customers
    customer = customers.filter(pk=OuterRef("customer_id")).order_by()

    def of_customer(expression: Any) -> Subquery:
        return Subquery(customer.annotate(v=expression).values("v")[:1])

    closed_spells = (
        LifecycleEvent.objects.filter(
            from_category=Category.INTENTION, from_grade__in=grades, at__gte=m0_at
        )
        .annotate(
            oid=of_customer(F("owner_id")),
            start=Coalesce(Subquery(previous.values("at")[:1]), of_customer(F("created_at"))),
        )
        .filter(oid__isnull=False, start__lt=w1_at)
        .values(
            cid=F("customer_id"),
            o=F("oid"),
            g=F("from_grade"),
            s=F("start"),
            e=F("at"),
            cur_cat=of_customer(F("category")),
            cur_s=of_customer(Coalesce("graded_at", "created_at")),
        )
        .order_by()
    )
    return open_spells, closed_spells


def _statement(
    customers: QuerySet[Customer], first: dt.date, through: dt.date, through_today: bool
) -> tuple[str, list[Any]]:
    d = _Dialect(connection.vendor, first)
    w1 = through + dt.timedelta(days=1)
    m0_at, _ = day_bounds(first)
    w1_at, _ = day_bounds(w1)
    cadence = {
        g: int(days)
        for g, days in GradePolicy.objects.values_list("grade", "cadence_days")
        if g in Grade.values and days
    }
    open_spells, closed_spells = _spell_querysets(customers, m0_at, w1_at, list(cadence))

    def cad(column: str) -> str:
        whens = " ".join(f"WHEN '{g}' THEN {days}" for g, days in cadence.items())
        return f"CASE {column} {whens} END"

    graded = d.local("s")
    from_day = f"CASE WHEN o.s < <<m0_at>> THEN <<m0_at>> ELSE {d.midnight('o.s')} END"
    open_n = _count("o.cid", from_day, "<<w1_at>>")
    # counted through today: the last follow-up is the customer's own last-contact time
    open_last = "o.lc" if through_today else _last("o.cid")
    closed_lo_at = f"CASE WHEN c.s < <<m0_at>> THEN <<m0_at>> ELSE {d.midnight('c.s')} END"
    closed_hi_at = f"CASE WHEN c.e >= <<w1_at>> THEN <<w1_at>> ELSE {d.midnight('c.e')} END"
    closed_hi = d.least(d.local("c.e"), "<<w1>>")
    whole_days = (w1 - first).days
    partial_days = d.days("<<w1>>", d.local("o.s"))
    cut_whens = " ".join(f"WHEN '{g}' THEN <<cut_{g}>>" for g in cadence)
    template = _SQL.format(
        by_grade=",\n    ".join(
            f"SUM(CASE WHEN cust = 1 AND g = '{g}' THEN 1 ELSE 0 END) AS grade_{g.lower()}"
            for g in Grade.values
        ),
        done=d.least("n", "req"),
        due=d.plus_days(d.greatest(f"COALESCE({d.local('last_at')}, {graded})", graded), "cad"),
        whole_req="CASE o.g "
        + " ".join(f"WHEN '{g}' THEN {max(1, whole_days // days)}" for g, days in cadence.items())
        + " END",
        partial_req=(
            f"CASE WHEN {partial_days} / {cad('o.g')} < 1 THEN 1 "
            f"ELSE {partial_days} / {cad('o.g')} END"
        ),
        cut=f"CASE o.g {cut_whens} END",
        open_n=open_n,
        open_last=open_last,
        closed_cad=cad("c.g"),
        closed_hi=closed_hi,
        closed_days=d.days(closed_hi, d.greatest(d.local("c.s"), "<<m0>>")),
        closed_n=_count("c.cid", closed_lo_at, closed_hi_at),
        closed_last=_last("c.cid"),
    )
    values: dict[str, Any] = {
        "m0": d.date(first),
        "w1": d.date(w1),
        "through": d.date(through),
        "m0_at": d.moment(m0_at),
        "w1_at": d.moment(w1_at),
        **{
            f"cut_{g}": d.moment(day_bounds(through - dt.timedelta(days=days))[0])
            for g, days in cadence.items()
        },
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


def _fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            cur.execute(sql, params)
            columns = [c[0] for c in cur.description]
            return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    with transaction.atomic(), connection.cursor() as cur:
        # compiling this one statement (about 0.2 s at 1M customers) costs more than it saves
        cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)
        columns = [c[0] for c in cur.description]
        return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


def per_owner(
    *, customers: QuerySet[Customer], first: dt.date, through: dt.date, through_today: bool
) -> dict[int, OwnerCounts]:
    """The month's numbers per owner for the (already restricted) ``customers``, counting the
    days from ``first`` through ``through`` (today, when ``through_today``)."""
    sql, params = _statement(customers, first, through, through_today)
    rows = _fetch(sql, params)
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
