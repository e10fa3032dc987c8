"""Two jobs of data governance (issue 9) over the loaded customers, each measured once, in a
transaction rolled back at the end (the loaded database stays as it was):

- ``handover``: a departing rep holding 5,000 customers (the bench's first rep is given exactly
  that many, the rest of theirs going to a colleague, and an open plan on every fifth) is handed
  over to three colleagues: the manager starts it (the account closes at once), the director
  signs it (customers, plans, history rows, search documents move). Both steps are timed.
- ``verification_round``: the data administrator opens a round over every customer (100,000
  at the default size); then the round's progress page's figures (per department and rep) and a
  rep's list to verify are read.
- ``retrieval_export``: a 客户数据调用申请 of the general manager (approved when filed) for the
  most customers one request may hold (20,000 by default), 8 fields: filing it (the filter read
  to ids), then the one export as .xlsx and, in a second request, as .csv; the peak memory growth
  of the process (the file is written row by row into a temporary file).
- ``list_export``: the general manager's export of the newest follow-up records (up to 100,000,
  the most one request may hold), 7 fields, through the list export (crm.retrieval.lists):
  filing it (the list's filter read to ids with each row's customer), then the one export as
  .xlsx and, in a second request, as .csv, with the peak memory growth.
"""

from __future__ import annotations

import datetime as dt
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.activities.choices import PlanKind, PlanMethod, PlanStatus
from crm.activities.models import FollowUp, Plan
from crm.customers.models import Customer
from crm.handover import services as handover
from crm.retrieval import services as retrieval
from crm.retrieval.models import DataRequest
from crm.verification import selectors as verification_selectors
from crm.verification import services as verification
from crm.verification.models import VerificationRound

from .load import Staff

HANDOVER_KEY = "handover"
VERIFICATION_KEY = "verification_round"
RETRIEVAL_KEY = "retrieval_export"
LIST_EXPORT_KEY = "list_export"
KEYS = (HANDOVER_KEY, VERIFICATION_KEY, RETRIEVAL_KEY, LIST_EXPORT_KEY)
LIST_FIELDS = ["occurred_at", "customer_number", "customer", "kind", "staff", "content", "outcome"]
EXPORT_FIELDS = ["number", "name", "category", "grade", "company", "phone", "owner", "created_at"]
HANDED = 5_000
PLAN_EVERY = 5


@dataclass(frozen=True)
class Step:
    label: str
    seconds: float
    detail: str
    cpu: float = 0.0  # this process's CPU seconds (the wall time includes waiting for a busy CPU)


def _timed(label: str, fn: Callable[[], str]) -> Step:
    start, cpu = time.perf_counter(), time.process_time()
    detail = fn()
    return Step(label, time.perf_counter() - start, detail, time.process_time() - cpu)


def _leaver_book(staff: Staff) -> tuple[int, int]:
    """The first rep holds exactly ``HANDED`` customers with an open plan on every fifth (setup,
    not measured). Returns (customers, plans)."""
    leaver, other = staff.reps[0], staff.reps[1]
    ids = list(
        Customer.objects.alive().filter(owner=leaver).order_by("pk").values_list("pk", flat=True)
    )
    if len(ids) < HANDED:
        extra = list(
            Customer.objects.alive()
            .exclude(owner=leaver)
            .order_by("pk")
            .values_list("pk", flat=True)[: HANDED - len(ids)]
        )
        Customer.objects.filter(pk__in=extra).update(
            owner=leaver, department_id=leaver.department_id
        )
        ids += extra
    keep, rest = ids[:HANDED], ids[HANDED:]
    for i in range(0, len(rest), 5000):
        Customer.objects.filter(pk__in=rest[i : i + 5000]).update(owner=other)
    Plan.objects.filter(assignee=leaver, status=PlanStatus.PLANNED).update(
        status=PlanStatus.CANCELLED
    )
    when = timezone.now() + dt.timedelta(days=3)
    plans = [
        Plan(
            customer_id=pk,
            assignee=leaver,
            kind=PlanKind.FOLLOW_UP,
            method=PlanMethod.PHONE,
            planned_at=when,
            status=PlanStatus.PLANNED,
            created_by=leaver,
        )
        for pk in keep[::PLAN_EVERY]
    ]
    Plan.objects.bulk_create(plans, batch_size=1000)
    return len(keep), len(plans)


def _director(staff: Staff) -> User:
    department = staff.managers[0].department
    assert department is not None
    return accounts.user_create(
        actor=None,
        username="bench_director",
        password="bench-director-1",
        role="director",
        department=department.parent or department,
        full_name="基准总监",
        validate_password=False,
    )


def run_handover(staff: Staff, say: Callable[[str], None]) -> list[Step]:
    steps: list[Step] = []
    with transaction.atomic():
        customers, plans = _leaver_book(staff)
        director = _director(staff)
        manager, leaver = staff.managers[0], staff.reps[0]
        receivers = [r.pk for r in staff.reps[1:4]]
        made: list[int] = []

        def start() -> str:
            h = handover.handover_start(
                actor=manager,
                data={
                    "leaver": leaver.pk,
                    "kind": "departure",
                    "receivers": receivers,
                    "reason": "离职（基准）",
                },
            )
            made.append(h.pk)
            return f"{h.counts['customers']:,} customers listed, account closed"

        def sign() -> str:
            h = handover.handover_decide(actor=director, handover_id=made[0], approve=True)
            c = h.counts
            return f"{c['customers']:,} customers and {c['plans']:,} plans moved"

        steps.append(_timed("start (departure)", start))
        steps.append(_timed("director signs", sign))
        transaction.set_rollback(True)
    say(f"Hand-over of a rep with {customers:,} customers and {plans:,} open plans to 3 reps:")
    for s in steps:
        say(f"  {s.label:<22} {s.seconds:>8.2f} s   {s.detail}")
    return steps


def run_verification(staff: Staff, say: Callable[[str], None]) -> list[Step]:
    steps: list[Step] = []
    total = Customer.objects.alive().count()
    with transaction.atomic():
        made: list[VerificationRound] = []

        def open_round() -> str:
            r = verification.round_open(
                actor=staff.admin,
                data={
                    "title": "基准季度核查",
                    "deadline": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
                    "unverified_only": True,
                },
            )
            made.append(r)
            return f"{r.total:,} items"

        def progress() -> str:
            r = made[0]
            reps = verification_selectors.progress_by_rep(r)
            departments = verification_selectors.progress_by_department(r)
            totals = verification_selectors.round_totals(r)
            return (
                f"{totals['outstanding']:,} outstanding, {len(reps)} reps, "
                f"{len(departments)} departments"
            )

        def mine() -> str:
            items, count = verification_selectors.my_items(actor=staff.reps[0])
            return f"first {len(items)} of {count:,}"

        steps.append(_timed("open the round", open_round))
        steps.append(_timed("progress figures", progress))
        steps.append(_timed("a rep's list", mine))
        transaction.set_rollback(True)
    say(f"Verification round over {total:,} customers (rolled back afterwards):")
    for s in steps:
        say(f"  {s.label:<22} {s.seconds:>8.2f} s   {s.detail}")
    return steps


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bench_gm(staff: Staff) -> User:
    department = staff.managers[0].department
    return accounts.user_create(
        actor=None,
        username="bench_gm",
        password="bench-gm-1",
        role="gm",
        department=department.parent if department and department.parent else department,
        full_name="基准总经理",
        validate_password=False,
    )


def _file_and_export(
    staff: Staff,
    title: str,
    file: Callable[[User, str], DataRequest],
    say: Callable[[str], None],
) -> list[Step]:
    """As the general manager, in a transaction rolled back afterwards: a request filed by
    ``file`` (approved when filed) and its one export, as .xlsx, then again as .csv."""
    steps: list[Step] = []
    growth: list[float] = []
    made: list[int] = []
    with transaction.atomic():
        gm = _bench_gm(staff)

        def filing(file_format: str) -> Callable[[], str]:
            def go() -> str:
                r = file(gm, file_format)
                made.append(r.pk)
                return f"{r.record_count:,} {r.target}, {r.state}"

            return go

        def export() -> str:
            before = _peak_mb()
            out = retrieval.request_export(actor=gm, request_id=made[-1])
            growth.append(_peak_mb() - before)
            out.file.close()
            return f"{out.rows:,} rows, {out.size / 1e6:.1f} MB"

        steps.append(_timed("file (xlsx)", filing("xlsx")))
        steps.append(_timed("export .xlsx", export))
        steps.append(_timed("file (csv)", filing("csv")))
        steps.append(_timed("export .csv", export))
        transaction.set_rollback(True)
    say(title)
    for s in steps:
        rate = ""
        if s.label.startswith("export") and s.seconds:
            rows = int(s.detail.split(" rows")[0].replace(",", ""))
            rate = f"   {rows / s.seconds:,.0f} rows/s"
        say(f"  {s.label:<22} {s.seconds:>8.2f} s   (CPU {s.cpu:.2f} s)   {s.detail}{rate}")
    say(f"  peak RSS growth       {max(growth):>8.0f} MB   while exporting")
    return steps


def run_retrieval(staff: Staff, say: Callable[[str], None]) -> list[Step]:
    limit = retrieval.max_records()
    # the newest customers, as a filter that holds that many would choose them
    chosen = list(Customer.objects.alive().order_by("-pk").values_list("pk", flat=True)[:limit])

    def file(gm: User, file_format: str) -> DataRequest:
        return retrieval.request_file(
            actor=gm,
            data={
                "purpose": "基准",
                "recipient": "基准",
                "fields": EXPORT_FIELDS,
                "file_format": file_format,
                "customers": chosen,
            },
        )

    title = f"Retrieval request of up to {limit:,} customers, {len(EXPORT_FIELDS)} fields:"
    return _file_and_export(staff, title, file, say)


def run_list_export(staff: Staff, say: Callable[[str], None]) -> list[Step]:
    limit = retrieval.max_records()
    # the newest days of records that one request may hold (at most 100,000)
    period: dict[str, str] = {}
    cut = (
        FollowUp.objects.order_by("-occurred_at", "-id")
        .values_list("occurred_at", flat=True)[limit : limit + 1]
        .first()
    )
    if cut is not None:
        period["since"] = (timezone.localdate(cut) + dt.timedelta(days=1)).isoformat()

    def file(gm: User, file_format: str) -> DataRequest:
        return retrieval.list_export_file(
            actor=gm,
            data={
                "filter": period,
                "target": "followups",
                "purpose": "基准",
                "recipient": "基准",
                "fields": LIST_FIELDS,
                "file_format": file_format,
            },
        )

    title = f"List export of follow-up records (the newest, up to {limit:,}), 7 fields:"
    return _file_and_export(staff, title, file, say)


def run(staff: Staff, say: Callable[[str], None], only: tuple[str, ...] = ()) -> None:
    if not only or HANDOVER_KEY in only:
        say("")
        run_handover(staff, say)
    if not only or VERIFICATION_KEY in only:
        say("")
        run_verification(staff, say)
    if not only or RETRIEVAL_KEY in only:
        say("")
        run_retrieval(staff, say)
    if not only or LIST_EXPORT_KEY in only:
        say("")
        run_list_export(staff, say)
