"""``questionnaire_analysis`` (issue 10): 100,000 responses to one form, the analysis page's
figures timed:

- setup (timed, not the point; loaded once, then reused by the next run, as the audit entries
  are): the real-estate template 成交客户信息登记表 (44 questions, 11 of them ranked or
  multiple) installed by a general manager of the bench, and made-up responses of the first
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
from django.test.utils import CaptureQueriesContext

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.customers.models import Customer
from crm.questionnaires import installer, selectors, services
from crm.questionnaires.models import Answer, Questionnaire, Response

from . import measure
from .load import Staff

KEY = "questionnaire_analysis"
BENCH_USER = "bench_forms_gm"
TEMPLATE = "realestate.1"
RESPONSES = 100_000


def _timed(label: str, fn: Callable[[], str], say: Callable[[str], None]) -> float:
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        detail = fn()
    seconds = time.perf_counter() - start
    say(f"  {label:<34} {seconds:>8.2f} s   {len(queries):>4} queries   {detail}")
    return seconds


def _setup(staff: Staff, say: Callable[[str], None], responses: int) -> tuple[User, Questionnaire]:
    """The bench's form and responses: reused when loaded before, loaded (committed) if not."""
    gm = User.objects.filter(username=BENCH_USER).first()
    form = Questionnaire.objects.filter(template=TEMPLATE, created_by=gm).first() if gm else None
    if gm and form and Response.objects.filter(form=form).count() >= responses:
        say(f"  {'setup':<34} reusing {responses:,} responses loaded before")
        return gm, form
    start = time.perf_counter()
    with transaction.atomic():
        if gm is None:
            department = staff.managers[0].department
            gm = accounts.user_create(
                actor=None,
                username=BENCH_USER,
                password="bench-gm-1",
                role="gm",
                department=department.parent if department and department.parent else department,
                full_name="基准总经理",
                validate_password=False,
            )
        if form is None:
            installer.install(actor=gm, industry="realestate")
            form = Questionnaire.objects.get(template=TEMPLATE, created_by=gm)
        version = services.published(form)
        assert version is not None
        Response.objects.filter(form=form).delete()
        ids = list(Customer.objects.alive().order_by("pk").values_list("pk", flat=True)[:responses])
        installer.fill_random(version, ids, rng=random.Random(20261130), filled_by=gm)
    answers = Answer.objects.filter(response__version=version).count()
    say(
        f"  {'setup (form + responses)':<34} {time.perf_counter() - start:>8.2f} s"
        f"   {len(ids):,} responses, {answers:,} answer rows"
    )
    return gm, form


def run(staff: Staff, say: Callable[[str], None], responses: int = RESPONSES) -> None:
    say(f"Questionnaire analysis over {responses:,} responses:")
    gm, form = _setup(staff, say, responses)
    version = services.published(form)
    assert version is not None
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
        client = measure.client()
        client.force_login(gm)
        response = client.get(
            f"/forms/{form.pk}/analysis/", {"rows": f"q{motive.pk}", "columns": f"q{age.pk}"}
        )
        return f"HTTP {response.status_code}, {len(response.content) / 1024:.0f} KB"

    _timed("figures, general manager", figures(gm), say)
    _timed("figures, department manager", figures(staff.managers[0]), say)
    _timed("cross-tab motive × age", crosstab, say)
    _timed("analysis page (GET + cross-tab)", page, say)
