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

**What is kept and what is computed when read.** The report reads one row per customer and
intention spell of the month (``ContactMonth``), kept up to date inside the transactions of the
writes that change them: a follow-up recorded (only counted ones count: ``FollowUp.counted``),
a transition, regrade or entry into a category (``crm.customers.lifecycle``, through the
``category_entered`` hook), a deletion or restore and a change of owner (the rows carry the
customer's owner and department, so that ``restrict`` and ``owned_by`` apply to them). A row
stores what does not change as days pass: the grade, the spell's first day in the month, the
day it ended (if it did in the month), the counted follow-ups on its days and the later of its
grading and the last counted follow-up before the month's end. What the day of reading and the
grade table decide is computed when read, in one grouped statement over a covering index: the
days so far (through today in the current month), the follow-ups required (with the cadence of
the grade table as it stands), done (up to what was required) and overdue. So past months,
computed once, stay as they were, and the current month's requirement grows with the days
without any write.

A month is *kept* (``ContactMonthKept``) from the first write in it on: that write first stores
every customer's spells of the month in one statement (the same statement, restricted to one
customer, refreshes a customer after each write), so a customer who is an intention customer
all month without a single write is counted too. The migration keeps the month it runs in. A
month that was never kept (before the upgrade, or with no write at all) is counted live by the
statement of ``recount`` (the former way: it walks the department's intention customers and
looks up each one's follow-ups; its cost follows the size of the department).

Time zones: PostgreSQL converts with ``AT TIME ZONE``; SQLite shifts by the zone's offset in that
month (exact for zones without daylight saving, such as Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.customers.choices import Category, Grade
from crm.customers.models import Customer, GradePolicy, LifecycleEvent

from .models import ContactMonth, ContactMonthKept
from .scope import day_bounds, month_end


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
    customers: QuerySet[Customer],
    m0_at: dt.datetime,
    w1_at: dt.datetime,
    grades: list[str],
    customer_id: int | None = None,
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Current spells of today's intention customers, and the spells that a change on or after
    the month's first day closed (their start is the change before, or the creation); of one
    customer only with ``customer_id``."""
    open_spells = (
        customers.filter(category=Category.INTENTION, grade__in=grades)
        .annotate(start=Coalesce("graded_at", "created_at"))
        .filter(start__lt=w1_at)
        .values(
            cid=F("id"),
            oid=F("owner_id"),
            did=F("department_id"),
            g=F("grade"),
            s=F("start"),
            lc=F("last_contact_at"),
        )
        .order_by()
    )
    previous = LifecycleEvent.objects.filter(
        customer_id=OuterRef("customer_id"), id__lt=OuterRef("id")
    ).order_by("-id")
    # the customer's fields one lookup each: a few thousand events, never a scan of the customers
    customer = customers.filter(pk=OuterRef("customer_id")).order_by()

    def of_customer(expression: Any) -> Subquery:
        return Subquery(customer.annotate(v=expression).values("v")[:1])

    events = LifecycleEvent.objects.filter(
        from_category=Category.INTENTION, from_grade__in=grades, at__gte=m0_at
    )
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
    closed_spells = (
        events.annotate(
            oid=of_customer(F("owner_id")),
            start=Coalesce(Subquery(previous.values("at")[:1]), of_customer(F("created_at"))),
        )
        .filter(oid__isnull=False, start__lt=w1_at)
        .values(
            cid=F("customer_id"),
            o=F("oid"),
            did=of_customer(F("department_id")),
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
    customers: QuerySet[Customer],
    first: dt.date,
    through: dt.date,
    through_today: bool,
    cadence: dict[str, int],
) -> tuple[str, list[Any]]:
    d = _Dialect(connection.vendor, first)
    w1 = through + dt.timedelta(days=1)
    m0_at, _ = day_bounds(first)
    w1_at, _ = day_bounds(w1)
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


def recount(
    *,
    customers: QuerySet[Customer],
    first: dt.date,
    through: dt.date,
    through_today: bool,
    cadence: dict[str, int] | None = None,
) -> dict[int, OwnerCounts]:
    """The month's numbers per owner for the (already restricted) ``customers``, counting the
    days from ``first`` through ``through`` (today, when ``through_today``), live from the
    customers, their changes and their follow-ups (a month that is not kept)."""
    cadence = cadence if cadence is not None else grade_table(first)[0]
    sql, params = _statement(customers, first, through, through_today, cadence)
    return _owner_counts(_fetch(sql, params))


def _owner_counts(rows: list[dict[str, Any]]) -> dict[int, OwnerCounts]:
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


# --- the kept figures ---------------------------------------------------------------------


def grade_table(first: dt.date) -> tuple[dict[str, int], bool]:
    """The cadence of each grade, and whether ``first``'s month is kept (one query)."""
    kept = ContactMonthKept.objects.filter(month=first)
    rows = GradePolicy.objects.annotate(kept=Exists(kept)).values_list(
        "grade", "cadence_days", "kept"
    )
    cadence: dict[str, int] = {}
    is_kept = False
    for grade, days, flag in rows:
        is_kept = is_kept or bool(flag)
        if grade in Grade.values and days:
            cadence[grade] = int(days)
    return cadence, is_kept


# One row per spell of the month (through its last day), as ContactMonth stores it: a current
# spell of today's intention customers (open) or one a change since the month began closed.
_ROWS_SQL = """
SELECT cid, oid, did, g, start_day, end_day, n, anchor_day,
    CASE WHEN ROW_NUMBER() OVER (PARTITION BY cid ORDER BY start_day DESC) = 1
        THEN TRUE ELSE FALSE END AS last
FROM (
    SELECT o.cid, o.oid, o.did, o.g,
        CASE WHEN o.s < <<m0_at>> THEN 1 ELSE {open_start} END AS start_day,
        {no_day} AS end_day,
        {open_n} AS n,
        {open_anchor} AS anchor_day
    FROM (<<open>>) o
    UNION ALL
    SELECT c.cid, c.oid, c.did, c.g, c.start_day, c.end_day, c.n, c.anchor_day
    FROM (
        SELECT c0.cid, c0.o AS oid, c0.did, c0.g,
            CASE WHEN c0.s < <<m0_at>> THEN 1 ELSE {closed_start} END AS start_day,
            CASE WHEN c0.e < <<w1_at>> THEN {closed_end} END AS end_day,
            {closed_n} AS n,
            {closed_anchor} AS anchor_day,
            {closed_days} AS days
        FROM (<<closed>>) c0
    ) c
    WHERE c.days > 0
) spells
"""

_COLUMNS = (
    "customer_id, month, owner_id, department_id, grade, start_day, end_day, followups, "
    "anchor_day, last"
)


def _rows_statement(
    customers: QuerySet[Customer], first: dt.date, customer_id: int | None = None
) -> tuple[str, list[Any]]:
    """INSERT of the month's spells of ``customers`` (all of it, whatever today is)."""
    d = _Dialect(connection.vendor, first)
    last_day = month_end(first)
    w1 = last_day + dt.timedelta(days=1)
    m0_at, _ = day_bounds(first)
    w1_at, _ = day_bounds(w1)
    open_spells, closed_spells = _spell_querysets(
        customers, m0_at, w1_at, list(Grade.values), customer_id
    )

    def day(moment: str) -> str:
        return f"({d.days(d.local(moment), '<<m0>>')} + 1)"

    def anchor(cid: str, start: str) -> str:
        return day(d.greatest(f"COALESCE({_last(cid)}, {start})", start))

    template = _ROWS_SQL.format(
        open_start=day("o.s"),
        no_day="CAST(NULL AS INTEGER)",
        open_n=_count(
            "o.cid",
            f"CASE WHEN o.s < <<m0_at>> THEN <<m0_at>> ELSE {d.midnight('o.s')} END",
            "<<w1_at>>",
        ),
        open_anchor=anchor("o.cid", "o.s"),
        closed_start=day("c0.s"),
        closed_end=day("c0.e"),
        closed_n=_count(
            "c0.cid",
            f"CASE WHEN c0.s < <<m0_at>> THEN <<m0_at>> ELSE {d.midnight('c0.s')} END",
            f"CASE WHEN c0.e >= <<w1_at>> THEN <<w1_at>> ELSE {d.midnight('c0.e')} END",
        ),
        closed_anchor=anchor("c0.cid", "c0.s"),
        closed_days=d.days(
            d.least(d.local("c0.e"), "<<w1>>"), d.greatest(d.local("c0.s"), "<<m0>>")
        ),
    )
    values: dict[str, Any] = {
        "m0": d.date(first),
        "w1": d.date(w1),
        "m0_at": d.moment(m0_at),
        "w1_at": d.moment(w1_at),
    }
    inner = {
        "open": open_spells.query.sql_with_params(),
        "closed": closed_spells.query.sql_with_params(),
    }
    params: list[Any] = [d.date(first)]

    def bind(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in inner:
            sql, inner_params = inner[name]
            params.extend(inner_params)
            return str(sql)
        params.append(values[name])
        return "%s"

    rows = re.sub(r"<<(\w+)>>", bind, template)
    sql = (
        f"INSERT INTO {ContactMonth._meta.db_table} ({_COLUMNS}) "
        f"SELECT r.cid, %s, r.oid, r.did, r.g, r.start_day, r.end_day, r.n, r.anchor_day, r.last "
        f"FROM ({rows}) r"
    )
    return sql, params


def _alive() -> QuerySet[Customer]:
    return Customer.objects.filter(deleted_at__isnull=True, owner__isnull=False)


def _write(first: dt.date, customer_id: int | None) -> None:
    """(Re)compute the month's rows: of every customer, or of one."""
    customers = _alive() if customer_id is None else _alive().filter(pk=customer_id)
    stale = ContactMonth.objects.filter(month=first)
    if customer_id is not None:
        stale = stale.filter(customer_id=customer_id)
    stale.delete()
    sql, params = _rows_statement(customers, first, customer_id)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)


@transaction.atomic
def keep_month(first: dt.date, *, again: bool = False) -> bool:
    """Store every customer's spells of ``first``'s month and keep them from now on (once;
    False when the month was kept already, unless ``again``: after rows were loaded around the
    services, as the benchmark does). On PostgreSQL the table is locked against concurrent
    writers meanwhile: a writer changing a customer waits, then refreshes it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {ContactMonth._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    if ContactMonthKept.objects.filter(month=first).exists():
        if not again:
            return False
        ContactMonthKept.objects.filter(month=first).delete()
    _write(first, None)
    ContactMonthKept.objects.create(month=first)
    return True


def _months_from(since: dt.datetime | None) -> list[dt.date]:
    this_month = timezone.localdate().replace(day=1)
    lo = timezone.localdate(since).replace(day=1) if since is not None else None
    kept = ContactMonthKept.objects.all()
    if lo is not None:
        kept = kept.filter(month__gte=lo)
    months = set(kept.values_list("month", flat=True))
    if this_month not in months and not keep_month(this_month):
        months.add(this_month)  # kept meanwhile by another write (else: just computed, whole)
    return sorted(months)


def refresh(customer_id: int, since: dt.datetime | None = None) -> None:
    """After a write to a customer: recompute its rows in the kept months from ``since``'s month
    on (every kept month without ``since``). The first write of a month keeps the month first."""
    for first in _months_from(since):
        _write(first, customer_id)


# Customers entering a category inside ``deferred()`` (a batch writer: the customer import),
# recomputed once at its end rather than one statement each.
_deferred: ContextVar[set[int] | None] = ContextVar("contact_status_deferred", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Within the block, a customer entering a category is noted; when the block ends without
    an error, the rows of all those noted are recomputed together (from this month on)."""
    noted: set[int] = set()
    token = _deferred.set(noted)
    try:
        yield
    finally:
        _deferred.reset(token)
    if noted:
        refresh_many(sorted(noted), since=timezone.now())


def refresh_many(customer_ids: Sequence[int], since: dt.datetime | None = None) -> None:
    """``refresh`` for many customers at once (one statement per kept month)."""
    for first in _months_from(since):
        customers = _alive().filter(pk__in=customer_ids)
        ContactMonth.objects.filter(month=first, customer_id__in=customer_ids).delete()
        sql, params = _rows_statement(customers, first, None)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL jit = off")
            cur.execute(sql, params)


def forget(customer_id: int) -> None:
    """A customer moved to the recycle bin leaves every month."""
    ContactMonth.objects.filter(customer_id=customer_id).delete()


def follow_owner(customer: Customer) -> None:
    """A customer handed over counts under its new owner (and department) in every month."""
    ContactMonth.objects.filter(customer_id=customer.pk).update(
        owner_id=customer.owner_id, department_id=customer.department_id
    )


# Read: the month's rows of the restricted customers, the days through ``through`` and the
# grade table's cadence applied (nothing here depends on how many customers the company has
# beyond the rows read, all from the covering index).
_READ_SQL = """
SELECT oid,
    {by_grade},
    SUM(CASE WHEN last THEN 1 ELSE 0 END) AS customers,
    SUM(req) AS required,
    SUM(CASE WHEN n < req THEN n ELSE req END) AS done,
    SUM(CASE WHEN last AND (end_day IS NULL OR end_day > %s) AND anchor_day + cad < %s
        THEN 1 ELSE 0 END) AS overdue
FROM (
    SELECT a.*, CASE WHEN a.days / a.cad < 1 THEN 1 ELSE a.days / a.cad END AS req
    FROM (
        SELECT r.owner_id AS oid, r.grade AS g, r.last, r.followups AS n, r.end_day,
            r.anchor_day, {cad} AS cad,
            (CASE WHEN r.end_day IS NULL OR r.end_day > %s THEN %s ELSE r.end_day END)
                - r.start_day AS days
        FROM ({rows}) r
        WHERE r.start_day <= %s
    ) a
    WHERE a.cad IS NOT NULL
) b
GROUP BY oid
"""


def per_owner_kept(
    *, rows: QuerySet[ContactMonth], through: dt.date, cadence: dict[str, int]
) -> dict[int, OwnerCounts]:
    """The month's numbers per owner from its kept rows (already restricted), through
    ``through``."""
    t = through.day
    inner, inner_params = (
        rows.values("owner_id", "grade", "last", "followups", "end_day", "anchor_day", "start_day")
        .order_by()
        .query.sql_with_params()
    )
    whens = " ".join(f"WHEN '{g}' THEN {days}" for g, days in cadence.items())
    sql = _READ_SQL.format(
        by_grade=",\n    ".join(
            f"SUM(CASE WHEN last AND g = '{g}' THEN 1 ELSE 0 END) AS grade_{g.lower()}"
            for g in Grade.values
        ),
        cad=f"CASE r.grade {whens} END" if whens else "NULL",
        rows=inner,
    )
    params = [t, t, t, t + 1, *inner_params, t]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        columns = [c[0] for c in cur.description]
        return _owner_counts([dict(zip(columns, r, strict=True)) for r in cur.fetchall()])


# --- what the writes of other domains call (registered on crm.customers.hooks) -------------


def on_category_entered(*, customer: Customer, event: LifecycleEvent, actor: Any) -> None:
    noted = _deferred.get()
    if noted is not None:
        noted.add(customer.pk)
        return
    refresh(customer.pk, since=event.at)


def on_categories_entered(
    *, entries: Sequence[tuple[Customer, LifecycleEvent]], actor: Any
) -> None:
    """``on_category_entered`` for many customers: their rows recomputed together."""
    noted = _deferred.get()
    if noted is not None:
        noted.update(c.pk for c, _e in entries)
        return
    if entries:
        refresh_many(sorted(c.pk for c, _e in entries), since=min(e.at for _c, e in entries))


def on_owner_changed(*, customer: Customer, former: Any, actor: Any) -> None:
    follow_owner(customer)


def on_owners_changed(*, customers: Sequence[Customer], formers: Any, actor: Any) -> None:
    """``follow_owner`` for many customers: one UPDATE per (owner, department)."""
    groups: dict[tuple[Any, Any], list[int]] = {}
    for c in customers:
        groups.setdefault((c.owner_id, c.department_id), []).append(c.pk)
    for (owner_id, department_id), ids in groups.items():
        ContactMonth.objects.filter(customer_id__in=ids).update(
            owner_id=owner_id, department_id=department_id
        )


def on_deleted(*, customer: Customer) -> None:
    forget(customer.pk)


def on_restored(*, customer: Customer) -> None:
    refresh(customer.pk)


def on_followed_up(*, customer: Customer, at: dt.datetime, counted: bool) -> None:
    if counted:  # only counted follow-ups count (FollowUp.counted)
        refresh(customer.pk, since=at)
