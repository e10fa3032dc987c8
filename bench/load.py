"""Bulk loading of synthetic customers into the configured database.

Rows skip the services on purpose (a million audit events and per-row duplicate checks would
measure the loader, not the queries) but end up exactly as ``customer_create`` leaves them:
``number`` is ``KH`` + zero-padded id, ``name_key`` is the organisation key, and the search index
holds the same documents (written through ``crm.customers.search``). PostgreSQL gets ``COPY``;
SQLite gets ``executemany`` on the raw connection inside one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import Department, User
from crm.accounts.roles import BuiltinRole as Role
from crm.core.validators import organization_key
from crm.customers import search, sensitive
from crm.customers.models import Customer, Tag
from crm.reports.models import ContactMonth

from .data import TAGS, Generator, Synthetic

PREFIX = "bench_"
TAG_TABLE = Customer.tags.through._meta.db_table
REPS = 10
SALES_DEPARTMENTS = ("销售一部", "销售二部")  # all ten reps in the first (issue 3's report)

# The columns the loader fills itself; any other column gets its field's default.
_OWN_COLUMNS = (
    "id",
    "number",
    "kind",
    "name",
    "name_key",
    "phone",
    "email",
    "id_number",
    "credit_code",
    "company",
    "address",
    "city",
    "source",
    "category",
    "grade",
    "owner_id",
    "department_id",
    "created_by_id",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "phone_index",
)


@dataclass
class Staff:
    admin: User
    managers: list[User]
    reps: list[User]


@dataclass
class LoadReport:
    customers: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


def _user(username: str, role: str, department: Department, full_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    return accounts.user_create(
        actor=None,
        username=username,
        password=f"{username}-bench-pass",
        role=role,
        department=department,
        full_name=full_name,
        validate_password=False,
    )


def ensure_staff() -> Staff:
    """Two sales departments with a manager each, ten reps in the first (the monthly report is
    measured for a 10-rep department), and a data administrator.

    Databases loaded before had five reps in each department: those reps and their customers
    move to the first department (one UPDATE, once).
    """
    head = accounts.department_ensure(name="总经理办公室")
    service = accounts.department_ensure(name="客服部", parent=head, data_mgmt=True)
    admin = _user(f"{PREFIX}admin", Role.DATA_ADMIN, service, "基准数据管理员")
    depts = [accounts.department_ensure(name=name, parent=head) for name in SALES_DEPARTMENTS]
    managers = [
        _user(f"{PREFIX}manager{d + 1}", Role.MANAGER, dept, f"基准经理{d + 1}")
        for d, dept in enumerate(depts)
    ]
    reps = [
        _user(f"{PREFIX}rep{n:02d}", Role.REP, depts[0], f"基准顾问{n:02d}")
        for n in range(1, REPS + 1)
    ]
    moved = [r.pk for r in reps if r.department_id != depts[0].pk]
    if moved:
        with transaction.atomic():
            User.objects.filter(pk__in=moved).update(department=depts[0])
            Customer.objects.filter(owner_id__in=moved).update(department=depts[0])
        for r in reps:
            r.department = depts[0]
    return Staff(admin=admin, managers=managers, reps=reps)


def reset_customers() -> None:
    """Remove every customer and its search row (``--reset``: only for a benchmark database)."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {search.TABLE}, {Customer._meta.db_table} CASCADE")
        else:
            # everything that points at customers goes first (contacts, tags, later issues' rows)
            tables = {TAG_TABLE, search.TABLE, ContactMonth._meta.db_table}
            for rel in Customer._meta.related_objects:
                if isinstance(rel.related_model, type):
                    tables.add(rel.related_model._meta.db_table)
            for table in sorted(tables - {Customer._meta.db_table}):
                cur.execute(f"DELETE FROM {table}")
            cur.execute(f"DELETE FROM {Customer._meta.db_table}")


class _Rows:
    """Turns ``Synthetic`` customers into database rows in the table's column order."""

    def __init__(self, staff: Staff, first_id: int) -> None:
        fields = {f.column: f for f in Customer._meta.concrete_fields}
        missing = set(_OWN_COLUMNS) - set(fields)
        if missing:
            raise RuntimeError(f"customer columns changed, update bench.load: {sorted(missing)}")
        self.extra = [c for c in fields if c not in _OWN_COLUMNS]
        self.columns = [*_OWN_COLUMNS, *self.extra]
        self.defaults = tuple(
            fields[c].get_db_prep_save(fields[c].get_default(), connection) for c in self.extra
        )
        self.owners = [(u.pk, u.department_id) for u in staff.reps]
        self.tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
        self.tagged: list[tuple[int, int]] = []
        self.creator = staff.admin.pk
        self.next_id = first_id
        postgres = connection.vendor == "postgresql"
        ops = connection.ops
        self.when: Callable[[datetime], Any] = (
            (lambda d: d) if postgres else ops.adapt_datetimefield_value  # type: ignore[assignment]
        )

    def build(self, chunk: Sequence[Synthetic]) -> tuple[list[tuple[Any, ...]], list[search.Row]]:
        rows: list[tuple[Any, ...]] = []
        index: list[search.Row] = []
        self.tagged = []
        when = self.when
        for c in chunk:
            pk = self.next_id
            self.next_id += 1
            owner, department = self.owners[c.owner] if c.owner is not None else (None, None)
            phone, phone_index = sensitive.sealed(c.phone, sensitive.PHONE)  # as at rest
            rows.append(
                (
                    pk,
                    f"KH{pk:06d}",
                    c.kind,
                    c.name,
                    organization_key(c.name),
                    phone,
                    c.email,
                    "",
                    c.credit_code,
                    c.company,
                    c.address,
                    c.city,
                    c.source,
                    c.category,
                    c.grade,
                    owner,
                    department,
                    self.creator,
                    1,
                    when(c.created_at),
                    when(c.updated_at),
                    None,
                    phone_index,
                    *self.defaults,
                )
            )
            index.append((pk, c.name, c.company, (c.phone,), owner, department))
            self.tagged += [(pk, self.tag_ids[t]) for t in c.tags]
        return rows, index


def _insert(
    columns: Sequence[str], rows: Iterable[tuple[Any, ...]], table: str = Customer._meta.db_table
) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    raw: Any = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _finish() -> None:
    """Sequences past the loaded ids, and planner statistics for every table.

    Every table, not only the big two: without statistics on the customer-tag table PostgreSQL
    estimated 27,000 rows for a page's tags and launched a parallel worker (+5 ms a request).
    VACUUM also sets the visibility map, as autovacuum would after a while.
    """
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Customer]):
            cur.execute(sql)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in (Customer._meta.db_table, search.TABLE, TAG_TABLE):
                cur.execute(f"VACUUM ANALYZE {table}")
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")


class _Laps:
    """Adds the time since the previous lap to a named step."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.last
        self.last = now


def load(
    *, n: int, staff: Staff, seed: int, progress: Callable[[int], None] | None = None
) -> LoadReport:
    """Insert ``n`` synthetic customers after the existing ones and index them for search."""
    report = LoadReport(customers=n)
    started = time.perf_counter()
    first_id = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    gen = Generator(seed=seed, owners=len(staff.reps), now=timezone.now())
    builder = _Rows(staff, first_id)
    pinyin_cache: dict[str, tuple[str, ...]] = {}
    connection.ensure_connection()
    laps = _Laps()
    with transaction.atomic():
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA cache_size=-262144")
        with search.bulk():
            for chunk in gen.rows(n):
                rows, index = builder.build(chunk)
                laps.lap("generate")
                _insert(builder.columns, rows)
                _insert(("customer_id", "tag_id"), builder.tagged, TAG_TABLE)
                laps.lap("customers")
                search.write(index, replace=False, pinyin_cache=pinyin_cache)
                laps.lap("search rows")
                if progress is not None:
                    progress(builder.next_id - first_id)
        laps.lap("search index build")
    laps.lap("commit")
    # VACUUM cannot run inside a transaction block, so the finishing touches come after commit.
    _finish()
    laps.lap("analyze")
    report.steps = laps.steps
    report.seconds = time.perf_counter() - started
    return report
