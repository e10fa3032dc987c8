"""A form's analysis (调查表分析): per question, how the responses of the customers the actor
reads are distributed, and a cross-tab of two questions or of a question and a customer field.

- a single choice, yes/no, a multiple choice: responses per option (in the options' order);
- a ranked choice: per option, how many put it first, second, third …, and a weighted score
  (with three reasons: first = 3, second = 2, third = 1; with ``n`` reasons the first weighs
  ``n``), options by score;
- a number: count, minimum, average, maximum and responses per band (an age 25 falls in
  20–29: bands of a round width, at most ``MAX_BANDS`` of them);
- a date: responses per month; a text: how many answered and the latest answers; a table: how
  many responses filled it.

Counts are a few SQL GROUP BYs over the version's answers (``analysis``); the cross-tab pairs
the two dimensions by response in Python.
"""

from __future__ import annotations

import decimal
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from crm.customers.choices import Category, Grade, Kind

from .answers import NO, YES, rank_word
from .models import Answer, Question, QuestionKind, Response

MAX_BANDS = 8
SAMPLES = 5
NICE_STEPS = (1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000)
# the customer fields a question is crossed with (their choices; None: the value itself)
CUSTOMER_FIELDS: dict[str, Any] = {"category": Category, "grade": Grade, "kind": Kind, "city": None}


def field_label(code: str) -> str:
    labels = {
        "category": _("客户类别"),
        "grade": _("意向级别"),
        "kind": _("客户类型"),
        "city": _("城市"),
    }
    return labels.get(code, code)


@dataclass
class Row:
    label: str
    count: int
    ranks: list[int] = field(default_factory=list)
    score: int = 0


@dataclass
class QuestionStats:
    question: Question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    chart: dict[str, Any] | None = None


def weight(rank: int, most: int) -> int:
    """A ranked reason's weight: the first of three is 3, the second 2, the third 1."""
    return max(most - rank + 1, 0)


def _answers(question: Question, responses: QuerySet[Response]) -> QuerySet[Answer]:
    return Answer.objects.filter(question=question, response__in=responses)


def _options(question: Question) -> list[str]:
    return [YES, NO] if question.kind == QuestionKind.YESNO else list(question.choices)


def _bar(name: str, rows: list[Row], *, horizontal: bool = True) -> dict[str, Any]:
    return {
        "categories": [r.label for r in rows],
        "series": [{"name": name, "data": [r.count for r in rows]}],
        "horizontal": horizontal,
    }


# (text, position) → count, of one question's answers
Counts = dict[tuple[str, int], int]


def _choice(stats: QuestionStats, counts: Counts) -> None:
    by_option: Counter[str] = Counter()
    for (text, _position), n in counts.items():
        by_option[text] += n
    stats.rows = [Row(o, by_option.get(o, 0)) for o in _options(stats.question)]
    stats.chart = _bar(_("人数"), stats.rows)


def _ranked(stats: QuestionStats, counts: Counts) -> None:
    most = stats.question.max_ranks or len(stats.question.choices)
    rows = []
    for option in stats.question.choices:
        ranks = [counts.get((option, r), 0) for r in range(1, most + 1)]
        score = sum(weight(r, most) * n for r, n in enumerate(ranks, 1))
        rows.append(Row(option, sum(ranks), ranks, score))
    stats.rows = sorted(rows, key=lambda r: (-r.score, -r.count))
    stats.summary = {"ranks": [rank_word(r) for r in range(1, most + 1)], "most": most}
    stats.chart = {
        "categories": [r.label for r in stats.rows],
        "series": [
            {"name": rank_word(n + 1), "data": [r.ranks[n] for r in stats.rows], "stack": "ranks"}
            for n in range(most)
        ],
        "horizontal": True,
    }


Number = decimal.Decimal | int


def band_step(low: Number, high: Number) -> int:
    """A round band width giving at most ``MAX_BANDS`` bands from ``low`` to ``high``."""
    span = float(high - low)
    for step in NICE_STEPS:
        if math.floor(float(high) / step) - math.floor(float(low) / step) < MAX_BANDS:
            return step
    return int(10 ** math.ceil(math.log10(max(span, 1))))


def band_label(start: int, step: int) -> str:
    return str(start) if step == 1 else f"{start}–{start + step - 1}"


def band_of(value: Number, step: int) -> int:
    return math.floor(float(value) / step) * step


def _number(stats: QuestionStats, values: dict[decimal.Decimal, int]) -> None:
    total = sum(values.values())
    stats.answered = total
    if not total:
        stats.summary = {"count": 0, "min": None, "max": None, "avg": None}
        return
    low, high = min(values), max(values)
    avg = sum(float(v) * n for v, n in values.items()) / total
    stats.summary = {"count": total, "min": low, "max": high, "avg": round(avg, 2)}
    step = band_step(low, high)
    counts: Counter[int] = Counter()
    for v, n in values.items():
        counts[band_of(v, step)] += n
    stats.rows = [Row(band_label(start, step), n) for start, n in sorted(counts.items())]
    stats.summary["step"] = step
    stats.chart = _bar(_("人数"), stats.rows, horizontal=False)


def _date(stats: QuestionStats, counts: Counts) -> None:
    months: Counter[str] = Counter()
    for (text, _position), n in counts.items():
        months[text[:7]] += n
    stats.rows = [Row(m, n) for m, n in sorted(months.items())]
    stats.chart = _bar(_("人数"), stats.rows, horizontal=False)


GROUPED = (
    QuestionKind.SINGLE,
    QuestionKind.YESNO,
    QuestionKind.MULTIPLE,
    QuestionKind.RANKED,
    QuestionKind.DATE,
)


def analysis(questions: list[Question], responses: QuerySet[Response]) -> dict[str, Any]:
    """Every question's figures over ``responses`` (restricted by the caller), in a few GROUP BY
    queries over the version's answers (an index holds question, text, position and response,
    so that the counting reads the index alone): the options and dates of all questions at
    once, the numbers at once, the texts' and tables' counts at once, then each text's latest
    answers."""
    answers = Answer.objects.filter(response__in=responses)
    kinds = {q.pk: q.kind for q in questions}
    grouped: dict[int, Counts] = {q.pk: {} for q in questions}
    ids = [pk for pk, k in kinds.items() if k in GROUPED]
    if ids:
        rows = (
            answers.filter(question_id__in=ids)
            .values_list("question_id", "text", "position")
            .annotate(n=Count("id"))
            .order_by()
        )
        for qid, text, position, n in rows:
            grouped[qid][(text, position)] = n
    numbers: dict[int, dict[decimal.Decimal, int]] = {q.pk: {} for q in questions}
    ids = [pk for pk, k in kinds.items() if k == QuestionKind.NUMBER]
    if ids:
        rows = (
            answers.filter(question_id__in=ids, number__isnull=False)
            .values_list("question_id", "number")
            .annotate(n=Count("id"))
            .order_by()
        )
        for qid, number, n in rows:
            numbers[qid][number] = n
    plain: dict[int, int] = {}
    ids = [pk for pk, k in kinds.items() if k in (QuestionKind.TEXT, QuestionKind.TABLE)]
    if ids:
        plain = dict(
            answers.filter(question_id__in=ids)
            .values_list("question_id")
            .annotate(n=Count("id"))
            .order_by()
        )
    out = []
    for q in questions:
        stats = QuestionStats(q)
        counts = grouped[q.pk]
        # one row per answer, or per chosen option (the first at position 1)
        stats.answered = sum(n for (_t, position), n in counts.items() if position <= 1)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.YESNO, QuestionKind.MULTIPLE):
            _choice(stats, counts)
        elif q.kind == QuestionKind.RANKED:
            _ranked(stats, counts)
        elif q.kind == QuestionKind.DATE:
            _date(stats, counts)
        elif q.kind == QuestionKind.NUMBER:
            _number(stats, numbers[q.pk])
        else:
            stats.answered = plain.get(q.pk, 0)
            if q.kind == QuestionKind.TEXT and stats.answered:
                stats.samples = list(
                    answers.filter(question=q)
                    .order_by("-response_id")
                    .values_list("text", flat=True)[:SAMPLES]
                )
        out.append(stats)
    return {"total": responses.count(), "questions": out}


# --- cross-tab --------------------------------------------------------------------------------

CROSSABLE = (
    QuestionKind.SINGLE,
    QuestionKind.YESNO,
    QuestionKind.MULTIPLE,
    QuestionKind.RANKED,
    QuestionKind.NUMBER,
    QuestionKind.DATE,
)


@dataclass
class Dimension:
    """One side of a cross-tab: its name, its values in order, each response's values."""

    name: str
    order: list[str]
    values: dict[int, list[str]]


def question_dimension(question: Question, responses: QuerySet[Response]) -> Dimension:
    """A question as a cross-tab side: options (a ranked choice by its first reason), a number
    by bands, a date by month."""
    answers = _answers(question, responses)
    values: dict[int, list[str]] = {}
    kind = question.kind
    if kind == QuestionKind.NUMBER:
        pairs = [
            (rid, v) for rid, v in answers.values_list("response_id", "number") if v is not None
        ]
        if not pairs:
            return Dimension(question.label, [], {})
        step = band_step(min(v for _r, v in pairs), max(v for _r, v in pairs))
        starts = sorted({band_of(v, step) for _r, v in pairs})
        for rid, v in pairs:
            values[rid] = [band_label(band_of(v, step), step)]
        return Dimension(question.label, [band_label(s, step) for s in starts], values)
    if kind == QuestionKind.RANKED:
        answers = answers.filter(position=1)
    text = Substr("text", 1, 7) if kind == QuestionKind.DATE else F("text")
    for rid, label in answers.annotate(v=text).values_list("response_id", "v"):
        values.setdefault(rid, []).append(label)
    order = (
        sorted({v for vs in values.values() for v in vs})
        if kind == QuestionKind.DATE
        else _options(question)
    )
    name = question.label + (_("（第一位）") if kind == QuestionKind.RANKED else "")
    return Dimension(name, order, values)


def field_dimension(code: str, responses: QuerySet[Response]) -> Dimension:
    """A customer field as a cross-tab side (category, grade, kind, city)."""
    choices = CUSTOMER_FIELDS[code]
    pairs = list(responses.values_list("pk", f"customer__{code}"))
    names = dict(choices.choices) if choices is not None else {}
    blank = _("（未填写）")
    values = {rid: [str(names.get(v, v)) if v else blank] for rid, v in pairs}
    if choices is not None:
        order = [str(label) for label in names.values()] + [blank]
    else:
        order = sorted({v[0] for v in values.values()})
    return Dimension(field_label(code), order, values)


@dataclass
class CrossTab:
    rows: Dimension
    columns: Dimension
    cells: list[tuple[str, list[int], int]]  # row label, counts per column, row total
    column_totals: list[int]
    total: int
    chart: dict[str, Any]


def crosstab(rows: Dimension, columns: Dimension) -> CrossTab:
    counts: Counter[tuple[str, str]] = Counter()
    for rid, row_values in rows.values.items():
        for c in columns.values.get(rid, ()):
            for r in row_values:
                counts[(r, c)] += 1
    used_rows = [r for r in rows.order if any(counts[(r, c)] for c in columns.order)]
    used_cols = [c for c in columns.order if any(counts[(r, c)] for r in rows.order)]
    cells = [
        (r, [counts[(r, c)] for c in used_cols], sum(counts[(r, c)] for c in used_cols))
        for r in used_rows
    ]
    column_totals = [sum(counts[(r, c)] for r in used_rows) for c in used_cols]
    chart = {
        "categories": used_rows,
        "series": [
            {"name": c, "data": [counts[(r, c)] for r in used_rows], "stack": "x"}
            for c in used_cols
        ],
        "horizontal": True,
    }
    return CrossTab(
        Dimension(rows.name, used_rows, {}),
        Dimension(columns.name, used_cols, {}),
        cells,
        column_totals,
        sum(column_totals),
        chart,
    )
