"""The shipped satisfaction survey (客户满意度调查表): installed and published the first time a
month is drawn without a form of its own (``default_form``), then a form of the company like any
other (the managers edit it in the form builder: a new version each time it is published).
Installed on first use rather than by a migration, so a company that runs no surveys has no such
form in its list.

Rated questions: a single choice whose every option starts with a score 1–5 ("5 非常满意") is a
rating; the survey's score is the average of the ratings answered (``score_of``). A form the
company builds itself is scored the same way.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from crm.accounts.models import User
from crm.governance import audit
from crm.questionnaires.models import (
    FormVersion,
    Question,
    QuestionKind,
    Questionnaire,
    Section,
    VersionState,
)

TEMPLATE = "care.satisfaction"
RATING = ["5 非常满意", "4 满意", "3 一般", "2 不满意", "1 非常不满意"]
_RATED = re.compile(r"^([1-5])(\s|$)")

SPEC: dict[str, Any] = {
    "name": "客户满意度调查表",
    "description": "客服部每月对当月成交客户的满意度抽查（电话回访或客户自填链接）。",
    "sections": [
        {
            "title": "满意度评价",
            "questions": [
                {
                    "kind": "single",
                    "label": "对销售顾问服务态度的满意度",
                    "required": True,
                    "choices": RATING,
                },
                {
                    "kind": "single",
                    "label": "对产品及交付的满意度",
                    "required": True,
                    "choices": RATING,
                },
                {
                    "kind": "single",
                    "label": "对交易过程（价格说明、手续办理）的满意度",
                    "required": True,
                    "choices": RATING,
                },
                {"kind": "single", "label": "总体满意度", "required": True, "choices": RATING},
            ],
        },
        {
            "title": "意见与建议",
            "questions": [
                {"kind": "yesno", "label": "是否愿意向亲友推荐我们"},
                {
                    "kind": "multiple",
                    "label": "遇到的问题",
                    "choices": [
                        "交付延迟",
                        "服务态度",
                        "价格说明不清",
                        "手续办理慢",
                        "产品质量",
                        "其他",
                    ],
                },
                {"kind": "text", "label": "其他意见或建议"},
            ],
        },
    ],
}


def default_form(*, actor: User) -> Questionnaire:
    """The shipped survey: the one installed before, else installed now (published), recorded as
    ``questionnaire.installed`` by ``actor``. Built from the rows directly: the form builder's
    services ask for the form designer's action, which the service department does not hold."""
    found = Questionnaire.objects.filter(template=TEMPLATE).first()
    if found is not None:
        return found
    form = Questionnaire.objects.create(
        name=SPEC["name"], description=SPEC["description"], template=TEMPLATE, created_by=actor
    )
    version = FormVersion.objects.create(
        form=form, number=1, state=VersionState.PUBLISHED, published_at=timezone.now()
    )
    for s, spec in enumerate(SPEC["sections"], 1):
        section = Section.objects.create(version=version, title=spec["title"], position=s)
        for n, q in enumerate(spec["questions"], 1):
            Question.objects.create(
                version=version,
                section=section,
                position=n,
                kind=q["kind"],
                label=q["label"],
                required=q.get("required", False),
                choices=list(q.get("choices", [])),
            )
    audit.record(
        actor=actor,
        verb="questionnaire.installed",
        obj=form,
        details={"template": TEMPLATE, "version": version.number},
    )
    return form


def is_rating(question: Question) -> bool:
    return (
        question.kind == QuestionKind.SINGLE
        and bool(question.choices)
        and all(_RATED.match(str(c)) for c in question.choices)
    )


def rating_of(option: str) -> int | None:
    found = _RATED.match(option)
    return int(found.group(1)) if found else None


def score_of(questions: Iterable[Question], texts: Mapping[int, str]) -> decimal.Decimal | None:
    """The average of the ratings answered (``texts``: question id → the option chosen), to two
    places; None when no rating was answered."""
    ratings = [
        r
        for q in questions
        if is_rating(q) and q.pk in texts
        for r in [rating_of(texts[q.pk])]
        if r is not None
    ]
    if not ratings:
        return None
    mean = decimal.Decimal(sum(ratings)) / len(ratings)
    return mean.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
