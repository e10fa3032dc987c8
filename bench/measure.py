"""The queries of the benchmark, each timed through the HTTP API and as equivalent raw SQL.

Query values are drawn from the loaded rows with a seeded ``random.Random``: real fragments of
existing names and phones, the initials of existing people, real reps and real deep cursors.
The API runs in-process through ``django.test.Client`` (the whole middleware stack, ninja and
pydantic, no socket) with a bearer token. "Raw" is what the database itself needs for the same
page, on the same connection: for searches the index statements of ``search.matching_ids``
followed by one SELECT of the page's rows; for lists one SELECT. The ids must agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts.models import Department, User
from crm.accounts.services import token_issue
from crm.activities.choices import OPEN_STATUSES
from crm.activities.models import Notification, Plan
from crm.core.pagination import encode_cursor, encode_sort_cursor
from crm.customers import crypto, search
from crm.customers.models import Customer
from crm.customers.pinyin import pinyin_keys
from crm.customers.selectors import COUNT_CAP
from crm.customers.sensitive import PHONE

URL = "/api/v1/customers"
PAGE = 20
DEEP_PAGE = 5000
_HAN = re.compile(r"^[\u3400-\u9fff]+$")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str


KINDS = (
    Kind("name2", "2-char name fragment"),
    Kind("name3", "3-char name fragment"),
    Kind("phone4", "4-digit phone fragment"),
    Kind("phone", "exact phone"),
    Kind("initials", "pinyin initials"),
    Kind("rep_page", "rep's first page (as rep)"),
    Kind("deep_page", f"page {DEEP_PAGE:,} by cursor"),
    # not among the issue's seven: a rep's search, where the scope narrows the matches; its raw
    # SQL is the index lookup narrowed to the rep's owner and department tokens, then the page
    Kind("name2_rep", "2-char fragment (as rep) *"),
    # issue 3: the workday and the monthly report
    Kind("due", "rep's due list, 1st page"),
    Kind("today", "Today counts (as rep)"),
    Kind("report", "contact-status, 10-rep dept"),
    # issue 7: the list a team works from (sorted pages, the capped count)
    Kind("sorted_deep", "by 最近跟进 desc, by cursor"),
    Kind("sorted_rep", "rep's by 下次跟进 asc, 1st"),
    Kind("count_all", f"count, all (cap {COUNT_CAP:,})"),
    Kind("count_rep", "count, rep's own"),
)
# the report: one department's month takes ~1 s, so fewer repetitions (target 1 s, not 20 ms)
REPORT_QUERIES = 10
REPORT_TARGET_MS = 1000.0


@dataclass(frozen=True)
class Case:
    """One query: API parameters and token, and the raw SQL that returns the same page."""

    kind: str
    params: dict[str, str]
    token: str
    sql: str
    sql_params: tuple[Any, ...]
    search: search.Query | None = None  # raw: index lookup first, then ``sql`` by those ids
    scope: tuple[str, ...] | None = None  # the index lookup's scope tokens (None: everything)
    url: str = URL
    # ids: the page's ids agree; first: the first row agrees; count: the (capped) count; none
    check: str = "ids"


@dataclass
class Result:
    kind: Kind
    api_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    mismatches: int = 0
    queries_per_request: int = 0

    @staticmethod
    def _pct(values: Sequence[float], pct: int) -> float:
        if len(values) < 2:
            return values[0] if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]

    def api(self, pct: int) -> float:
        return self._pct(self.api_ms, pct)

    def raw(self, pct: int) -> float:
        return self._pct(self.raw_ms, pct)


# --- raw SQL ------------------------------------------------------------------------------


def _select(where: str) -> str:
    """The page as the API shows it: customer columns with owner and department names."""
    c = Customer._meta.db_table
    cols = ", ".join(
        f"c.{connection.ops.quote_name(f.column)}" for f in Customer._meta.concrete_fields
    )
    return (
        f"SELECT {cols}, u.username, u.full_name, d.name FROM {c} c "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = c.owner_id "
        f"LEFT JOIN {Department._meta.db_table} d "
        f"ON d.id = c.department_id "
        f"WHERE {where} AND c.deleted_at IS NULL ORDER BY c.id DESC LIMIT {PAGE + 1}"
    )


def _raw_cursor() -> Any:
    connection.ensure_connection()
    return connection.connection.cursor()  # type: ignore[union-attr]


def _native(sql: str) -> str:
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql


# --- sampling -----------------------------------------------------------------------------


@dataclass
class Sampler:
    rng: random.Random
    admin_token: str
    rep_tokens: list[tuple[User, str]]
    ids: list[int]  # alive customer ids, newest first
    manager_token: str = ""  # the manager of the 10-rep department

    def customers(self, n: int, *, where: Callable[[str, str], bool]) -> list[tuple[str, str]]:
        """``n`` (name, phone) pairs of random customers passing ``where``."""
        found: list[tuple[str, str]] = []
        while len(found) < n:
            picks = [self.ids[self.rng.randrange(len(self.ids))] for _ in range(n * 2)]
            rows = {  # the phone decrypted (ADR 0008)
                c.pk: (c.name, c.phone)
                for c in Customer.objects.filter(id__in=picks).only("id", "name", "phone_store")
            }
            for pk in picks:
                if pk in rows and where(*rows[pk]) and len(found) < n:
                    found.append(rows[pk])
        return found

    def fragment(self, name: str, size: int) -> str:
        starts = [i for i in range(len(name) - size + 1) if _HAN.match(name[i : i + size])]
        start = self.rng.choice(starts)
        return name[start : start + size]

    def _has_fragment(self, size: int) -> Callable[[str, str], bool]:
        return lambda name, _phone: any(
            _HAN.match(name[i : i + size]) for i in range(len(name) - size + 1)
        )

    def search_case(self, kind: str, q: str) -> Case:
        return Case(kind, {"q": q}, self.admin_token, _select("c.id IN (%s)"), (), search.parse(q))

    def cases(self, kind: str, n: int) -> list[Case]:
        if kind in ("name2", "name3"):
            size = 2 if kind == "name2" else 3
            people = self.customers(n, where=self._has_fragment(size))
            return [self.search_case(kind, self.fragment(name, size)) for name, _ in people]
        if kind == "name2_rep":
            people = self.customers(n, where=self._has_fragment(2))
            sql = _select("c.id IN (%s) AND c.owner_id = %s")
            out = []
            for name, _ in people:
                rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                q = self.fragment(name, 2)
                scope = search.scope_tokens(owners=(rep.pk,))  # a rep's scope: their own
                out.append(
                    Case(kind, {"q": q}, token, sql, (rep.pk,), search.parse(q), scope=scope)
                )
            return out
        if kind == "phone4":
            people = self.customers(n, where=lambda _n, phone: len(phone) >= 4)
            out = []
            for _, phone in people:
                start = self.rng.randrange(len(phone) - 3)
                out.append(self.search_case(kind, phone[start : start + 4]))
            return out
        if kind == "phone":
            people = self.customers(n, where=lambda _n, phone: bool(phone))
            sql = _select("c.phone_index = %s AND NOT (c.phone_index = '')")  # ADR 0008
            return [
                Case(kind, {"q": p}, self.admin_token, sql, (crypto.blind_index(p, PHONE),))
                for _, p in people
            ]
        if kind == "initials":
            people = self.customers(
                n, where=lambda name, _p: 2 <= len(name) <= 4 and bool(pinyin_keys(name))
            )
            return [self.search_case(kind, pinyin_keys(name)[0]) for name, _ in people]
        if kind == "rep_page":
            sql = _select("c.owner_id = %s")
            out = []
            for _ in range(n):
                rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                out.append(Case(kind, {}, token, sql, (rep.pk,)))
            return out
        if kind == "deep_page":
            sql = _select("c.id < %s")
            out = []
            for _ in range(n):
                rank = (DEEP_PAGE - 1 + self.rng.randint(-100, 100)) * PAGE
                if rank >= len(self.ids) - PAGE:
                    rank = self.rng.randrange(len(self.ids) // 2, max(len(self.ids) - PAGE, 1))
                before = self.ids[rank - 1]
                out.append(
                    Case(kind, {"cursor": encode_cursor(before)}, self.admin_token, sql, (before,))
                )
            return out
        if kind == "due":
            sql = _due_select()
            out = []
            for _ in range(n):
                rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                out.append(
                    Case(kind, {"which": "due"}, token, sql, (rep.pk, _day(today())), url=DUE_URL)
                )
            return out
        if kind == "today":
            sql = _today_sql()
            out = []
            for _ in range(n):
                rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                day = today()
                lo, hi = _day_bounds(day)
                params: tuple[Any, ...] = (_day(day), _day(day), rep.pk)
                params += (_moment(lo), _moment(hi), rep.pk, rep.pk, _day(day))
                out.append(Case(kind, {}, token, sql, params, url=TODAY_URL, check="first"))
            return out
        if kind == "sorted_deep":
            out = []
            rows = dict(
                Customer.objects.filter(
                    id__in=[self.ids[self.rng.randrange(len(self.ids))] for _ in range(n * 2)],
                    last_contact_at__isnull=False,
                ).values_list("id", "last_contact_at")
            )
            for pk, at in list(rows.items())[:n]:
                assert at is not None
                key = int((at - _EPOCH) // dt.timedelta(microseconds=1))
                params = (_moment(at), _moment(at), _moment(at), pk)
                cursor = encode_sort_cursor(key, pk)
                sql = _sorted_select(
                    "c.last_contact_at IS NOT NULL AND c.last_contact_at <= %s "
                    "AND (c.last_contact_at < %s OR (c.last_contact_at = %s AND c.id < %s))",
                    "c.last_contact_at DESC, c.id DESC",
                )
                out.append(
                    Case(
                        kind,
                        {"sort": "-last_contact", "cursor": cursor},
                        self.admin_token,
                        sql,
                        params,
                    )
                )
            return out
        if kind == "sorted_rep":
            sql = _sorted_select(
                "c.owner_id = %s AND c.next_due_on IS NOT NULL", "c.next_due_on, c.id"
            )
            out = []
            for _ in range(n):
                rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                out.append(Case(kind, {"sort": "next_due"}, token, sql, (rep.pk,)))
            return out
        if kind in ("count_all", "count_rep"):
            c = Customer._meta.db_table
            out = []
            for _ in range(n):
                if kind == "count_all":
                    token, where, params = self.admin_token, "", ()
                else:
                    rep, token = self.rep_tokens[self.rng.randrange(len(self.rep_tokens))]
                    where, params = "AND owner_id = %s", (rep.pk,)
                sql = (
                    f"SELECT COUNT(*) FROM (SELECT id FROM {c} WHERE deleted_at IS NULL {where} "
                    f"LIMIT {COUNT_CAP + 1}) t"
                )
                out.append(Case(kind, {}, token, sql, params, url=f"{URL}/count", check="count"))
            return out
        if kind == "report":
            month = f"{today():%Y-%m}"
            return [
                Case(
                    kind, {"month": month}, self.manager_token, "", (), url=REPORT_URL, check="none"
                )
                for _ in range(min(n, REPORT_QUERIES))
            ]
        raise ValueError(kind)


# --- issue 3: the due list, Today, the contact-status report ------------------------------

DUE_URL = "/api/v1/due"
TODAY_URL = "/api/v1/today"
REPORT_URL = "/api/v1/reports/contact-status"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _sorted_select(where: str, order: str) -> str:
    """A sorted page as the API reads it (the rows having the key; enough at these sizes)."""
    return _select(where).replace("ORDER BY c.id DESC", f"ORDER BY {order}")


def today() -> dt.date:
    return timezone.localdate()


def _day(day: dt.date) -> Any:
    return day.isoformat() if connection.vendor == "sqlite" else day


def _moment(at: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(at)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _due_select() -> str:
    """A rep's first page of due customers, over the (owner, next_due_on, id) index."""
    c = Customer._meta.db_table
    cols = ", ".join(
        f"c.{connection.ops.quote_name(f.column)}" for f in Customer._meta.concrete_fields
    )
    return (
        f"SELECT {cols}, u.username, u.full_name FROM {c} c "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = c.owner_id "
        "WHERE c.owner_id = %s AND c.deleted_at IS NULL AND c.next_due_on <= %s "
        f"ORDER BY c.next_due_on, c.id LIMIT {PAGE + 1}"
    )


def _today_sql() -> str:
    """The Today page's three counts in one statement: overdue and due today (index range over
    (owner, next_due_on)), today's open plans and unread notifications."""
    open_statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    return (
        "SELECT SUM(CASE WHEN next_due_on < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN next_due_on = %s THEN 1 ELSE 0 END), "
        f"(SELECT COUNT(*) FROM {Plan._meta.db_table} p WHERE p.assignee_id = %s "
        f"AND p.status IN ({open_statuses}) AND p.planned_at >= %s AND p.planned_at < %s), "
        f"(SELECT COUNT(*) FROM {Notification._meta.db_table} n WHERE n.user_id = %s "
        "AND n.read_at IS NULL) "
        f"FROM {Customer._meta.db_table} "
        "WHERE owner_id = %s AND deleted_at IS NULL AND next_due_on <= %s"
    )


def with_report_sql(client: Client, cases: Sequence[Case]) -> list[Case]:
    """Report cases with their raw SQL: the report's own statement as the API ran it (the
    longest of the request, parameters inlined by Django's ``last_executed_query``)."""
    if not cases:
        return []
    with CaptureQueriesContext(connection) as captured:
        run_api(client, cases[0])
    sql = max((q["sql"] for q in captured.captured_queries), key=len)
    return [dataclasses.replace(case, sql=sql) for case in cases]


def sampler(
    *, seed: int, admin: User, reps: Sequence[User], manager: User | None = None
) -> Sampler:
    ids = list(
        Customer.objects.filter(deleted_at__isnull=True)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    if not ids:
        raise RuntimeError("no customers to measure")
    return Sampler(
        rng=random.Random(seed),
        admin_token=token_issue(actor=admin, name="bench"),
        rep_tokens=[(r, token_issue(actor=r, name="bench")) for r in reps],
        ids=ids,
        manager_token=token_issue(actor=manager, name="bench") if manager else "",
    )


# --- timing -------------------------------------------------------------------------------


def client() -> Client:
    """The in-process client, addressed to a host the settings allow (``testserver``, Django's
    default, is allowed only by the test settings)."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
    return Client(HTTP_HOST=hosts[0]) if hosts else Client()


def run_api(client: Client, case: Case) -> tuple[float, list[int]]:
    started = time.perf_counter()
    response = client.get(case.url, case.params, HTTP_AUTHORIZATION=f"Bearer {case.token}")
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(
            f"{case.kind} {case.params}: HTTP {response.status_code} {response.content!r}"
        )
    data = response.json()
    if case.check == "first":
        return elapsed, [data["overdue"]]
    if case.check == "count":
        return elapsed, [min(data["count"], COUNT_CAP)]
    if case.check == "none":
        return elapsed, []
    return elapsed, [item["id"] for item in data["items"]]


def raw_statement(case: Case) -> tuple[str, tuple[Any, ...]] | None:
    """The page's SELECT; for a search, after the index lookup (None: nothing matches)."""
    if case.search is None:
        return case.sql, case.sql_params
    ids = search.matching_ids(case.search, before=None, limit=PAGE + 1, scope=case.scope)
    if not ids:
        return None
    sql = case.sql.replace("%s", ", ".join(["%s"] * len(ids)), 1)
    return sql, (*ids, *case.sql_params)


def run_raw(cur: Any, case: Case) -> tuple[float, list[int]]:
    started = time.perf_counter()
    statement = raw_statement(case)
    rows = []
    if statement is not None:
        jit_off = case.kind == "report" and connection.vendor == "postgresql"
        if jit_off:  # as the report does (SET LOCAL jit = off)
            cur.execute("SET jit = off")
        params = statement[1] or (() if connection.vendor == "sqlite" else None)
        cur.execute(_native(statement[0]), params)
        rows = cur.fetchall()
        if jit_off:
            cur.execute("RESET jit")
    elapsed = (time.perf_counter() - started) * 1000
    if case.check == "first":
        return elapsed, [int(rows[0][0] or 0)]
    if case.check == "count":
        return elapsed, [min(int(rows[0][0]), COUNT_CAP)]
    if case.check == "none":
        return elapsed, []
    return elapsed, [row[0] for row in rows[:PAGE]]


def measure(batches: Sequence[tuple[Kind, Sequence[Case]]], client: Client) -> list[Result]:
    """Warm both paths once over every case, then an API pass and a raw pass.

    Each pass goes round-robin over the kinds (one query of each in turn), so that a burst of
    load from elsewhere on the machine lands on all kinds alike rather than on one.
    """
    results = [Result(kind) for kind, _ in batches]
    cur = _raw_cursor()
    for _, cases in batches:
        for case in cases:
            run_raw(cur, case)
    rounds = max(len(cases) for _, cases in batches)
    api_ids: dict[tuple[int, int], list[int]] = {}
    for i in range(rounds):
        for k, (_, cases) in enumerate(batches):
            if i < len(cases):
                ms, api_ids[k, i] = run_api(client, cases[i])
                results[k].api_ms.append(ms)
    for i in range(rounds):
        for k, (_, cases) in enumerate(batches):
            if i < len(cases):
                ms, raw_ids = run_raw(cur, cases[i])
                results[k].raw_ms.append(ms)
                results[k].mismatches += raw_ids != api_ids[k, i]
    for result, (_, cases) in zip(results, batches, strict=True):
        with CaptureQueriesContext(connection) as captured:
            run_api(client, cases[0])
        result.queries_per_request = len(captured.captured_queries)
    return results
