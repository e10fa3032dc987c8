"""满意度抽查 and 知识库 (issue 12, crm.care and crm.knowledge) over the loaded customers:

- the monthly draw: last month's new retained customers (the loaded retained customers given deal
  dates spread over last month), a 20 % sample drawn by the service department, then the
  per-rep satisfaction table of the month for the general manager;
- the reminders: the next 60 days' purchase anniversaries for a department manager;
- the knowledge base: ``KNOWLEDGE_ARTICLES`` articles (bulk INSERT), then searches of one and
  two Chinese words as a rep, timed one by one (p50, p95).

Everything runs in one transaction rolled back at the end: the loaded database stays as it was.
Runs at any volume (``--customers 2000 --only care`` on a laptop).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts import services as accounts
from crm.care import selectors as care_selectors
from crm.care import services as care_services
from crm.customers.models import Customer
from crm.knowledge import selectors as knowledge_selectors
from crm.knowledge.models import Article

from .load import Staff

KEY = "care"
KNOWLEDGE_ARTICLES = 5000
SEARCHES = 50
WORDS = ("定金", "保养", "贷款", "置换", "保险", "上牌", "退款", "试驾", "油耗", "质保")
FILLER = "客户关心的问题与标准解答，销售顾问按此口径回答，必要时请示经理。"


class _Rollback(Exception):
    pass


def _timed(label: str, fn: Callable[[], str], say: Callable[[str], None]) -> float:
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        detail = fn()
    seconds = time.perf_counter() - start
    say(f"  {label:<38} {seconds * 1000:>9.1f} ms {len(queries):>5} queries   {detail}")
    return seconds


def _deal_dates(first: dt.date) -> int:
    """Give the loaded retained customers deal dates over the month of ``first``."""
    days = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    retained = Customer.objects.alive().filter(category="retained")
    total = 0
    with connection.cursor() as cur:
        for day in range(days):
            cur.execute(
                f"UPDATE {Customer._meta.db_table} SET deal_on = %s "
                "WHERE category = 'retained' AND deleted_at IS NULL AND id %% %s = %s",
                [first + dt.timedelta(days=day), days, day],
            )
            total += cur.rowcount
    return total or retained.count()


def _articles(rng: random.Random, n: int) -> None:
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(
                title=f"{rng.choice(WORDS)}相关问题 {k}",
                answer=f"{FILLER}{rng.choice(WORDS)}。" * rng.randint(2, 12),
                tags=[rng.choice(WORDS)],
                views=rng.randint(0, 500),
                created_at=now,
                updated_at=now,
            )
            for k in range(n)
        ],
        batch_size=2000,
    )


def _searches(actor: Any, rng: random.Random) -> list[float]:
    times = []
    for _n in range(SEARCHES):
        q = rng.choice(WORDS) if rng.random() < 0.6 else f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        start = time.perf_counter()
        knowledge_selectors.article_search(actor=actor, q=q)
        times.append(time.perf_counter() - start)
    return times


def run(staff: Staff, say: Callable[[str], None], articles: int = KNOWLEDGE_ARTICLES) -> None:
    say("Satisfaction sampling and the knowledge base (rolled back):")
    rng = random.Random(20261130)
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    first = first.replace(day=1)
    try:
        with transaction.atomic():
            department = staff.managers[0].department
            service = accounts.user_create(
                actor=None,
                username="bench_care_service",
                password="bench-care-1",
                role="service",
                department=department,
                full_name="基准客服",
                validate_password=False,
            )
            gm = accounts.user_create(
                actor=None,
                username="bench_care_gm",
                password="bench-care-2",
                role="gm",
                department=department,
                full_name="基准总经理",
                validate_password=False,
            )
            start = time.perf_counter()
            population = _deal_dates(first)
            say(
                f"  {'setup: deal dates of ' + f'{first:%Y-%m}':<38} "
                f"{(time.perf_counter() - start) * 1000:>9.1f} ms   {population:,} retained"
            )

            def draw() -> str:
                survey = care_services.round_draw(
                    actor=service, data={"month": f"{first:%Y-%m}", "share": 20, "seed": 7}
                )
                return f"{survey.sample_size:,} of {survey.population:,} drawn"

            def table() -> str:
                rows = care_selectors.satisfaction_by_rep(actor=gm, month=first)
                return f"{len(rows)} reps"

            def anniversaries() -> str:
                a_year_on = first.replace(year=first.year + 1)  # last month's first anniversaries
                rows = care_selectors.anniversaries(
                    actor=staff.managers[0], days=60, today=a_year_on
                )
                return f"{len(rows)} rows"

            _timed("monthly draw (20 %)", draw, say)
            _timed("satisfaction per rep, GM", table, say)
            _timed("anniversaries 60 days, manager", anniversaries, say)
            start = time.perf_counter()
            _articles(rng, articles)
            say(
                f"  {'setup: knowledge articles':<38} "
                f"{(time.perf_counter() - start) * 1000:>9.1f} ms   {articles:,} articles"
            )
            times = sorted(_searches(staff.reps[0], rng))
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            say(
                f"  {'knowledge search, rep':<38} p50 {statistics.median(times) * 1000:.1f} ms"
                f"   p95 {p95 * 1000:.1f} ms   ({SEARCHES} searches)"
            )
            raise _Rollback
    except _Rollback:
        pass
