"""``crm audit verify`` over many audit entries (crm.governance.chain): load N synthetic entries
in SQL (INSERT … SELECT generate_series on PostgreSQL, a recursive CTE on SQLite), seal them,
then time the verification. The entries stay in the benchmark database (marked with the job id
``bench``) and are reused by the next run; only the missing ones are loaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction

from crm.governance import chain
from crm.governance.models import AuditEvent

KEY = "audit_verify"
JOB_ID = "bench"
CHUNK = 1_000_000
TARGET = "≤ 60 s at 10,000,000 entries on PostgreSQL"

# a mix like the real log: views with their filter, changes with their diff, the pool's nightly
_PG_INSERT = f"""
INSERT INTO {chain.TABLE} (created_at, actor_id, actor_name, verb, object_type, object_id,
    object_repr, changes, details, reason, request_id, job_id, ip)
SELECT timestamptz '2026-01-01' + g * interval '1 second', NULL, '销售' || (g %% 40),
    (ARRAY['customer.created', 'customer.updated', 'customer.viewed', 'pool.returned'])[1 + g %% 4],
    'customers.customer', (g %% 1000000)::text, '客户' || (g %% 1000000),
    CASE WHEN g %% 4 = 1 THEN jsonb_build_object(
        'phone', jsonb_build_array('1380000' || lpad((g %% 10000)::text, 4, '0'), '13900001234'),
        'grade', jsonb_build_array('B', 'A')) ELSE '{{}}'::jsonb END,
    CASE WHEN g %% 4 = 2 THEN jsonb_build_object('q', '张', 'rows', g %% 50) ELSE '{{}}'::jsonb END,
    '', md5(g::text), '{JOB_ID}', '10.0.0.1'::inet
FROM generate_series(%s, %s) AS g
"""

_SQLITE_INSERT = f"""
WITH RECURSIVE s(g) AS (SELECT %s UNION ALL SELECT g + 1 FROM s WHERE g < %s)
INSERT INTO {chain.TABLE} (created_at, actor_id, actor_name, verb, object_type, object_id,
    object_repr, changes, details, reason, request_id, job_id, ip)
SELECT datetime('2026-01-01', '+' || g || ' seconds'), NULL, '销售' || (g % 40),
    CASE g % 4 WHEN 0 THEN 'customer.created' WHEN 1 THEN 'customer.updated'
        WHEN 2 THEN 'customer.viewed' ELSE 'pool.returned' END,
    'customers.customer', CAST(g % 1000000 AS TEXT), '客户' || (g % 1000000),
    CASE WHEN g % 4 = 1 THEN '{{"phone": ["1380000' || printf('%%04d', g % 10000)
        || '", "13900001234"], "grade": ["B", "A"]}}' ELSE '{{}}' END,
    CASE WHEN g % 4 = 2 THEN '{{"q": "张", "rows": ' || (g % 50) || '}}' ELSE '{{}}' END,
    '', hex(randomblob(16)), '{JOB_ID}', '10.0.0.1'
FROM s
"""


@dataclass(frozen=True)
class Result:
    loaded: int
    load_seconds: float
    sealed: int
    seal_seconds: float
    checked: int
    verify_seconds: float
    ok: bool


def _load(n: int, say: Callable[[str], None]) -> int:
    have = AuditEvent.objects.filter(job_id=JOB_ID).count()
    missing = max(0, n - have)
    if have:
        say(f"Reusing the {have:,} bench audit entries already loaded.")
    sql = _PG_INSERT if connection.vendor == "postgresql" else _SQLITE_INSERT
    done = 0
    while done < missing:
        size = min(CHUNK, missing - done)
        lo = have + done + 1
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [lo, lo + size - 1])
        done += size
        say(f"  … {have + done:,} audit entries")
    if done and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {chain.TABLE}")
    return done


def run(n: int, say: Callable[[str], None], *, jobs: int = 2) -> Result:
    say(f"Audit log: {n:,} entries, sealed then verified ({TARGET}).")
    start = time.perf_counter()
    loaded = _load(n, say)
    load_seconds = time.perf_counter() - start

    shown = [0]

    def progress(total: int) -> None:
        if total // 1_000_000 != shown[0] // 1_000_000:
            say(f"  … sealed {total:,}")
        shown[0] = total

    start = time.perf_counter()
    sealed = chain.seal(batch_size=100_000, progress=progress)
    seal_seconds = time.perf_counter() - start
    if sealed and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {chain.TABLE}")
    report = chain.verify(seal_first=False, jobs=jobs)
    result = Result(
        loaded=loaded,
        load_seconds=load_seconds,
        sealed=sealed,
        seal_seconds=seal_seconds,
        checked=report.checked,
        verify_seconds=report.seconds,
        ok=report.ok,
    )
    for line in lines(result, jobs):
        say(line)
    return result


def lines(r: Result, jobs: int) -> list[str]:
    connections = f"({jobs} connections) " if connection.vendor == "postgresql" else ""

    def rate(count: int, seconds: float) -> str:
        return f"{count / seconds:>12,.0f}/s" if seconds > 0 and count else f"{'':>14}"

    def line(label: str, count: int, seconds: float) -> str:
        return f"  {label:<7} {count:>12,} entries {seconds:>9.1f} s {rate(count, seconds)}"

    out = []
    if r.loaded:
        out.append(line("load", r.loaded, r.load_seconds))
    out.append(line("seal", r.sealed, r.seal_seconds))
    verdict = "chain intact" if r.ok else "CHAIN BROKEN"
    out.append(f"{line('verify', r.checked, r.verify_seconds)}   {connections}{verdict}")
    out.append(f"  (target: {TARGET})")
    return out
