"""``questionnaire_analysis`` (issue 10): 100,000 responses to one form, the analysis page's
figures timed. In a transaction rolled back at the end (the loaded database stays as it was):

- setup (timed, not the point): the real-estate template 成交客户信息登记表 (44 questions, 11
  of them ranked or multiple) installed by a manager, and made-up responses of the first
  ``RESPONSES`` customers (``installer.fill_random``: bulk INSERTs, about 50 answer rows each);
- the figures of every question (``selectors.form_analysis``) as the general manager (scope
  all) and as a department manager (the responses of their department's customers);
- the cross-tab of the purchase motive by age band;
- the analysis page itself (a GET through Django's test client, as the general manager).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.customers.models import Customer
from crm.questionnaires import installer, selectors, services
from crm.questionnaires.models import Answer

from .load import Staff

KEY = "questionnaire_analysis"
RESPONSES = 100_000


def _timed(label: str, fn: Callable[[], str], say: Callable[[str], None]) -> float:
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        detail = fn()
    seconds = time.perf_counter() - start
    say(f"  {label:<34} {seconds:>8.2f} s   {len(queries):>4} queries   {detail}")
    return seconds


def run(staff: Staff, say: Callable[[str], None], responses: int = RESPONSES) -> None:
    with transaction.atomic():
        department = staff.managers[0].department
        gm = accounts.user_create(
            actor=None,
            username="bench_forms_gm",
            password="bench-gm-1",
            role="gm",
            department=department.parent if department and department.parent else department,
            full_name="基准总经理",
            validate_password=False,
        )
        say(f"Questionnaire analysis over {responses:,} responses:")
        start = time.perf_counter()
        installer.install(actor=gm, industry="realestate")
        form = services.published_form(template="realestate.1")
        version = services.published(form)
        assert version is not None
        ids = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True)[:responses])
        installer.fill_random(version, ids, rng=random.Random(20261130), filled_by=gm)
        answers = Answer.objects.filter(response__version=version).count()
        say(
            f"  {'setup (form + responses)':<34} {time.perf_counter() - start:>8.2f} s"
            f"   {len(ids):,} responses, {answers:,} answer rows"
        )
        questions = selectors.questions(version)
        motive = next(q for q in questions if q.label == "本次的购房动机")
        age = next(q for q in questions if q.label == "年龄")

        def figures(actor: User) -> Callable[[], str]:
            def go() -> str:
                result = selectors.form_analysis(actor=actor, version=version)
                return f"{result['total']:,} responses, {len(result['questions'])} questions"

            return go

        def crosstab() -> str:
            table = selectors.form_crosstab(
                actor=gm, version=version, rows=f"q{motive.pk}", columns=f"q{age.pk}"
            )
            return f"{len(table.cells)} × {len(table.columns.order)} cells, {table.total:,}"

        def page() -> str:
            client = Client()
            client.force_login(gm)
            response = client.get(
                f"/forms/{form.pk}/analysis/", {"rows": f"q{motive.pk}", "columns": f"q{age.pk}"}
            )
            return f"HTTP {response.status_code}, {len(response.content) / 1024:.0f} KB"

        _timed("figures, general manager", figures(gm), say)
        _timed("figures, department manager", figures(staff.managers[0]), say)
        _timed("cross-tab motive × age", crosstab, say)
        _timed("analysis page (GET)", page, say)
        transaction.set_rollback(True)
