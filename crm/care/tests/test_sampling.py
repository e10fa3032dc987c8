"""满意度抽查: 客服部每月不定期对当月成交客户进行满意度抽查 — a random sample of the month's new
retained customers, reproducible with its seed."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.care import sampling, services
from crm.care.models import SurveyCall, SurveyRound
from crm.core.errors import Invalid, PermissionDenied, StateConflict
from crm.customers import services as customer_services
from crm.governance.models import AuditEvent

from .factories import NOVEMBER, drawn, retained

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_deals(org, clock):
    clock(dt.date(2026, 12, 3))
    november = [
        retained(
            org.rep_a if n % 2 else org.rep_c, dt.date(2026, 11, 1 + n % 30), name=f"十一月{n}"
        )
        for n in range(24)
    ]
    october = [retained(org.rep_a, dt.date(2026, 10, 31), name="十月成交")]
    december = [retained(org.rep_a, dt.date(2026, 12, 1), name="十二月成交")]
    return november, october, december


def test_the_draw_takes_only_the_months_new_retained_customers(org, month_of_deals):
    november, _october, _december = month_of_deals
    # a customer deleted after buying in November is not called
    customer_services.customer_delete(actor=org.gm, customer_id=november[0].pk)

    survey = drawn(org.service_staff, size=100)

    drawn_ids = set(SurveyCall.objects.filter(round=survey).values_list("customer_id", flat=True))
    assert drawn_ids == {c.pk for c in november[1:]}
    assert survey.population == 23
    assert survey.sample_size == 23


def test_the_same_seed_and_month_draw_the_same_customers(org, month_of_deals):
    ids = list(sampling.candidates(NOVEMBER).values_list("pk", flat=True))

    first = sampling.draw(ids, seed=20261130, size=5)
    again = sampling.draw(list(reversed(ids)), seed=20261130, size=5)  # any order in
    other = sampling.draw(ids, seed=7, size=5)

    assert first == again
    assert first != other
    assert len(set(first)) == 5


def test_a_round_keeps_its_seed_and_redrawing_it_gives_its_sample(org, month_of_deals):
    survey = drawn(org.service_staff, share=25)

    calls = list(survey.calls.order_by("position").values_list("customer_id", flat=True))
    ids = list(sampling.candidates(NOVEMBER).values_list("pk", flat=True))
    assert survey.sample_size == 6  # 25 % of 24
    assert calls == sampling.draw(ids, seed=survey.seed, size=survey.sample_size)
    event = AuditEvent.objects.get(verb="survey.drawn")
    assert event.details["seed"] == survey.seed
    assert event.details["population"] == 24
    assert event.details["size"] == 6


def test_a_given_seed_is_the_one_kept(org, month_of_deals):
    survey = drawn(org.service_staff, size=3, seed=42)

    assert survey.seed == 42
    assert survey.size_asked == 3
    assert survey.share_asked is None


def test_each_call_counts_for_the_rep_who_owned_the_customer(org, month_of_deals):
    survey = drawn(org.service_staff, size=24)

    for call in survey.calls.select_related("customer"):
        assert call.rep_id == call.customer.owner_id
        assert call.department_id == call.customer.department_id


def test_without_size_the_default_share_is_drawn_rounded_up(org, month_of_deals, settings):
    settings.CRM_SURVEY_SHARE = 10

    survey = drawn(org.service_staff)

    assert survey.sample_size == 3  # 10 % of 24, rounded up
    assert survey.share_asked == 10


def test_a_month_is_drawn_once(org, month_of_deals):
    drawn(org.service_staff, size=2)

    with pytest.raises(StateConflict):
        drawn(org.service_staff, size=2)
    assert SurveyRound.objects.count() == 1


def test_a_month_to_come_cannot_be_drawn(org, month_of_deals):
    with pytest.raises(Invalid) as exc:
        drawn(org.service_staff, month=dt.date(2027, 1, 1))
    assert "month" in exc.value.fields


def test_reps_do_not_draw_samples(org, month_of_deals):
    with pytest.raises(PermissionDenied):
        drawn(org.rep_a)


def test_a_malformed_month_is_refused(org):
    with pytest.raises(Invalid) as exc:
        services.round_draw(actor=org.service_staff, data={"month": "2026-13"})
    assert "month" in exc.value.fields


def test_an_empty_month_draws_nobody(org, clock):
    clock(dt.date(2026, 12, 3))

    survey = drawn(org.service_staff)

    assert (survey.population, survey.sample_size) == (0, 0)


def test_the_first_draw_installs_the_satisfaction_survey_once(org, clock):
    clock(dt.date(2026, 12, 3))

    first = drawn(org.service_staff, month=dt.date(2026, 10, 1))
    second = drawn(org.service_staff)

    assert first.form == second.form
    assert first.form.template == "care.satisfaction"
    assert first.form.versions.get().state == "published"
    assert AuditEvent.objects.filter(verb="questionnaire.installed").count() == 1
