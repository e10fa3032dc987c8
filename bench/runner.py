"""The benchmark from start to end: staff, load (or reuse), sample, measure, print."""

from __future__ import annotations

import cProfile
import io
import pstats
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from crm.activities.models import FollowUp
from crm.customers.models import Customer
from crm.reports import contact_status

from . import audit as audit_bench
from . import care as care_bench
from . import followups, governance, import_memory, load, measure, order_stats, reception, report
from . import imports as imports_bench
from . import orders as orders_bench
from . import pool as pool_bench
from . import questionnaires as questionnaire_bench
from . import sales as sales_bench
from . import service as service_bench

# batch jobs measured once each (not API queries): ``--only pool_nightly``
JOBS = (
    pool_bench.KEY,
    audit_bench.KEY,
    *governance.KEYS,
    imports_bench.KEY,
    import_memory.KEY,
    questionnaire_bench.KEY,
    sales_bench.KEY,
    care_bench.KEY,
    orders_bench.KEY,
    order_stats.KEY,
    service_bench.KEY,
)
# jobs that need no customers: ``--only audit_verify`` alone loads none
WITHOUT_CUSTOMERS = (audit_bench.KEY,)


class BenchError(Exception):
    """The benchmark cannot run on this database as asked."""


FOLLOWUPS_PER_CUSTOMER = 5


@dataclass(frozen=True)
class Options:
    customers: int = 100_000
    queries: int = 200
    followups: int | None = None  # None: FOLLOWUPS_PER_CUSTOMER per customer
    seed: int = 20_260_101
    reset: bool = False
    only: tuple[str, ...] = ()
    explain: bool = False
    profile: str = ""
    audit_entries: int = 1_000_000
    import_rows: int = import_memory.ROWS


def _prepare(opts: Options, staff: load.Staff, say: Callable[[str], None]) -> None:
    """Load ``opts.customers`` unless this database already holds exactly the bench's rows."""
    total = Customer.objects.count()
    ours = Customer.objects.filter(created_by=staff.admin).count()
    if total and ours == total and ours >= opts.customers and not opts.reset:
        say(f"Reusing the {ours:,} customers already loaded (--reset reloads).")
        _prepare_followups(opts, say)
        return
    if total and not opts.reset:
        raise BenchError(
            f"This database already holds {total:,} customers. Run the benchmark on a throwaway "
            "database, e.g. `CRM_DATA_DIR=/tmp/crm-bench crm bench` or DATABASE_URL=postgres://…/"
            "crm_bench, or pass --reset to delete every customer first."
        )
    if opts.reset and total:
        say(f"Deleting {total:,} customers (--reset) …")
        load.reset_customers()

    def progress(done: int) -> None:
        if done % 100_000 == 0 or done == opts.customers:
            say(f"  … {done:,} customers")

    say(f"Loading {opts.customers:,} customers …")
    result = load.load(n=opts.customers, staff=staff, seed=opts.seed, progress=progress)
    for line in report.load_lines(result):
        say(line)
    _prepare_followups(opts, say)


def _prepare_followups(opts: Options, say: Callable[[str], None]) -> None:
    """Load the follow-ups (and derive due dates) unless the database already has them."""
    wanted = (
        opts.followups if opts.followups is not None else FOLLOWUPS_PER_CUSTOMER * opts.customers
    )
    have = FollowUp.objects.count()
    if have:
        say(f"Reusing the {have:,} follow-ups already loaded.")
        return
    if wanted <= 0:
        return

    shown = [0]

    def progress(done: int) -> None:
        if done // 500_000 != shown[0] // 500_000 or done >= wanted:
            say(f"  … {done:,} follow-ups")
        shown[0] = done

    say(f"Loading {wanted:,} follow-ups, then last contact and next due dates …")
    result = followups.load(total=wanted, seed=opts.seed, progress=progress)
    for line in report.load_lines(result, noun="follow-ups"):
        say(line)


def _explain(case: measure.Case, client: Client, say: Callable[[str], None]) -> None:
    """Plans of the raw SQL and of every statement the API request ran."""
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with CaptureQueriesContext(connection) as captured:
        measure.run_api(client, case)
    raw = measure.raw_statement(case)
    statements = [("raw", raw[0], raw[1])] if raw is not None else []
    statements += [("api", q["sql"], ()) for q in captured.captured_queries]
    cur = measure._raw_cursor()
    for origin, sql, params in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            say(f"  [{origin}] {sql[:200]}")
            continue
        say(f"  [{origin}] {sql[:300]}{' …' if len(sql) > 300 else ''}")
        cur.execute(measure._native(prefix + sql), params)
        for row in cur.fetchall():
            say("      " + " | ".join(str(v) for v in row if v is not None))


def _analyze_new_indexes(say: Callable[[str], None]) -> None:
    """SQLite: analyse tables with indexes that have no statistics yet (added by a migration
    after the load). Without them the planner guesses ~10 rows per key: after the migration
    adding (owner, created_at) it walked all 970,000 customers of the ten reps for the
    contact-status report (1.9 s) instead of the 200,000 intention customers (0.7 s)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cur.fetchone() is None:
            return
        cur.execute(
            "SELECT DISTINCT m.tbl_name FROM sqlite_master m WHERE m.type = 'index' "
            "AND m.sql IS NOT NULL AND m.name NOT IN (SELECT idx FROM sqlite_stat1 "
            "WHERE idx IS NOT NULL)"
        )
        # (empty tables and indexes never get a row: analysing them again costs nothing)
        tables = [row[0] for row in cur.fetchall()]
        for table in tables:
            cur.execute(f'ANALYZE "{table}"')
    if tables:
        say(f"Analysed {len(tables)} tables with indexes lacking statistics.")


def run(opts: Options, say: Callable[[str], None]) -> list[measure.Result]:
    # the bench sends thousands of requests a minute from one address with one token: the API's
    # rate limits (crm.api.middleware) would answer 429, and they are not what is measured
    with override_settings(CRM_API_RATE_PER_TOKEN=0, CRM_API_RATE_PER_ADDRESS=0):
        return _run(opts, say)


def _run(opts: Options, say: Callable[[str], None]) -> list[measure.Result]:
    call_command("migrate", verbosity=0)
    _analyze_new_indexes(say)
    if opts.only and all(key in WITHOUT_CUSTOMERS for key in opts.only):
        for line in report.machine():
            say(line)
        say("")
        audit_bench.run(opts.audit_entries, say)
        return []
    staff = load.ensure_staff()
    _prepare(opts, staff, say)
    if contact_status.keep_month(timezone.localdate().replace(day=1)):
        say("Kept this month's contact-status figures (a new month since the load).")
    say("")
    for line in report.machine():
        say(line)
    sampler = measure.sampler(
        seed=opts.seed, admin=staff.admin, reps=staff.reps, manager=staff.managers[0]
    )
    client = measure.client()
    batches: list[tuple[measure.Kind, list[measure.Case]]] = []
    for kind in measure.KINDS:
        if opts.only and kind.key not in opts.only:
            continue
        cases = sampler.cases(kind.key, opts.queries)
        if kind.key == "report":
            cases = measure.with_report_sql(client, cases)
        if opts.explain:
            say(f"\n== {kind.label}: {cases[0].params}")
            _explain(cases[0], client, say)
        if opts.profile == kind.key:
            _profile(cases, client, say)
        batches.append((kind, cases))
    results = measure.measure(batches, client) if batches else []
    say("")
    if results:
        for line in report.table(results):
            say(line)
    if not opts.only or reception.KEY in opts.only:
        rows = reception.run(
            staff=staff, queries=opts.queries, seed=opts.seed, client=client, say=say
        )
        say("")
        for line in reception.table(rows):
            say(line)
    if not opts.only or pool_bench.KEY in opts.only:
        say("")
        pool_bench.run(staff, say)
    if not opts.only or any(k in opts.only for k in governance.KEYS):
        governance.run(staff, say, opts.only)
    if not opts.only or imports_bench.KEY in opts.only:
        say("")
        imports_bench.run(staff, min(opts.customers, imports_bench.ROWS), say)
    if not opts.only or import_memory.KEY in opts.only:
        say("")
        import_memory.run(staff.managers[0].username, opts.import_rows, say)
    if not opts.only or questionnaire_bench.KEY in opts.only:
        say("")
        questionnaire_bench.run(
            staff, say, responses=min(opts.customers, questionnaire_bench.RESPONSES)
        )
    if not opts.only or sales_bench.KEY in opts.only:
        say("")
        sales_bench.run(staff, say, customers=opts.customers)
    if not opts.only or care_bench.KEY in opts.only:
        say("")
        care_bench.run(staff, say)
    if not opts.only or orders_bench.KEY in opts.only:
        say("")
        orders_bench.run(staff, opts.customers, say)
    if not opts.only or order_stats.KEY in opts.only:
        say("")
        order_stats.run(staff, say, orders=min(order_stats.ORDERS, opts.customers * 10))
    if not opts.only or service_bench.KEY in opts.only:
        say("")
        service_bench.run(staff, say, customers=opts.customers, queries=opts.queries)
    if not opts.only or audit_bench.KEY in opts.only:
        say("")
        audit_bench.run(opts.audit_entries, say)
    return results


def _profile(cases: list[measure.Case], client: Client, say: Callable[[str], None]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for case in cases:
        measure.run_api(client, case)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    say(out.getvalue())
