"""What the benchmark prints: the machine, the load, and the table of timings."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence

from django.db import connection

from crm.activities.models import FollowUp
from crm.customers.models import Customer

from .load import LoadReport
from .measure import REPORT_TARGET_MS, Result

TARGET_MS = 20.0


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def database_version() -> str:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SHOW server_version")
            return f"PostgreSQL {cur.fetchone()[0]}"
        cur.execute("SELECT sqlite_version()")
        return f"SQLite {cur.fetchone()[0]}"


def machine() -> list[str]:
    rows = Customer.objects.count()
    followups = FollowUp.objects.count()
    return [
        f"CPU:      {os.cpu_count()} × {cpu_model()}",
        f"Python:   {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"Database: {database_version()}",
        f"Rows:     {rows:,} customers, {followups:,} follow-ups",
        f"Load:     {load_average()} (other work on the machine shows up as noise in p95)",
    ]


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def load_lines(report: LoadReport, noun: str = "customers") -> list[str]:
    rate = report.customers / report.seconds if report.seconds else 0.0
    steps = ", ".join(f"{name} {sec:.1f} s" for name, sec in report.steps.items())
    return [
        f"Loaded {report.customers:,} {noun} in {report.seconds:.1f} s ({rate:,.0f}/s; {steps})"
    ]


def table(results: Sequence[Result]) -> list[str]:
    head = (
        f"{'query':<28} {'n':>4} {'API p50':>8} {'API p95':>8} {'raw p50':>8} {'raw p95':>8} "
        f"{'API/raw':>7} {'SQL/req':>7}  ok"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = r.api(50) / r.raw(50) if r.raw(50) > 0 else float("inf")
        target = REPORT_TARGET_MS if r.kind.key == "report" else TARGET_MS
        verdict = "yes" if r.api(95) <= target else "MISS"
        if r.mismatches:
            verdict += f" ({r.mismatches} pages differ from raw)"
        lines.append(
            f"{r.kind.label:<28} {len(r.api_ms):>4} {r.api(50):>8.2f} {r.api(95):>8.2f} "
            f"{r.raw(50):>8.2f} {r.raw(95):>8.2f} {ratio:>7.1f} {r.queries_per_request:>7}  "
            f"{verdict}"
        )
    lines.append(
        f"(milliseconds; ok = API p95 ≤ {TARGET_MS:.0f} ms, the report ≤ {REPORT_TARGET_MS:.0f} "
        "ms; SQL/req = queries per API request; "
        "* = extra row, not one of the issue's seven)"
    )
    lines.append(f"Load at the end: {load_average()}")
    return lines
