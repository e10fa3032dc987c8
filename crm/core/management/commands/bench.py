from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.measure import KINDS
from bench.reception import KEY as RECEPTION_KEY
from bench.runner import JOBS, BenchError, Options, run


class Command(BaseCommand):
    help = (
        "性能基准：批量载入合成客户并测量搜索与列表查询 / Load synthetic customers and time the "
        "search and list queries (API and raw SQL, p50/p95)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=Options.customers)
        parser.add_argument(
            "--followups",
            type=int,
            default=None,
            help="follow-up records to load (default 5 per customer; 0: none)",
        )
        parser.add_argument("--queries", type=int, default=Options.queries, help="per query kind")
        parser.add_argument("--seed", type=int, default=Options.seed)
        parser.add_argument(
            "--reset", action="store_true", help="delete every customer first (benchmark DB only)"
        )
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            choices=[k.key for k in KINDS] + [RECEPTION_KEY, *JOBS],
            help="measure only these query kinds (or batch jobs: pool_nightly, audit_verify …)",
        )
        parser.add_argument(
            "--audit-entries",
            type=int,
            default=Options.audit_entries,
            help="audit log entries for audit_verify (loaded once, then reused)",
        )
        parser.add_argument(
            "--import-rows",
            type=int,
            default=Options.import_rows,
            help="rows of the file import_memory imports (its peak memory)",
        )
        parser.add_argument("--explain", action="store_true", help="print query plans")
        parser.add_argument(
            "--profile",
            default="",
            choices=["", *(k.key for k in KINDS)],
            help="cProfile the API requests of one query kind",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["customers"] < 1 or opts["queries"] < 2:
            raise CommandError("--customers must be ≥ 1 and --queries ≥ 2")
        options = Options(
            customers=opts["customers"],
            queries=opts["queries"],
            followups=opts["followups"],
            seed=opts["seed"],
            reset=opts["reset"],
            only=tuple(opts["only"]),
            explain=opts["explain"],
            profile=opts["profile"],
            audit_entries=opts["audit_entries"],
            import_rows=opts["import_rows"],
        )
        try:
            run(options, lambda line: self.stdout.write(line))
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
