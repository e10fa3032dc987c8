"""Customers and drawn months for the survey and care tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm.accounts.models import User
from crm.care import services
from crm.care.models import SurveyRound
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.questionnaires.models import Question

NOVEMBER = dt.date(2026, 11, 1)


def retained(owner: User, deal_on: dt.date, **data: Any) -> Customer:
    """A customer who bought on ``deal_on`` (a retained customer of that month)."""
    data.setdefault("name", f"成交客户{deal_on:%m%d}")
    return make_customer(owner, category="retained", deal_on=deal_on, **data)


def drawn(actor: User, month: dt.date = NOVEMBER, **data: Any) -> SurveyRound:
    return services.round_draw(actor=actor, data={"month": f"{month:%Y-%m}", **data})


def ratings(survey: SurveyRound, score: int, **extra: Any) -> dict[str, Any]:
    """Answers of the shipped survey giving every rated question ``score``."""
    version = survey.form.versions.get(state="published")
    out: dict[str, Any] = {}
    for q in Question.objects.filter(version=version):
        if q.kind == "single":
            out[str(q.pk)] = next(c for c in q.choices if c.startswith(str(score)))
    for label, value in extra.items():
        q = Question.objects.get(version=version, label=label)
        out[str(q.pk)] = value
    return out
