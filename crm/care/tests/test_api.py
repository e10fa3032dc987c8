"""The survey, care and knowledge endpoints behave as the services do, in the error contract."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.care.models import CareAction, SurveyRound
from crm.governance.models import AuditEvent

from .factories import ratings, retained

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture
def november(org, clock):
    clock(DAY)
    return retained(org.rep_a, dt.date(2026, 11, 5), name="李先生")


def test_a_month_is_drawn_answered_and_counted_through_the_api(org, call, november):
    drawn = call(org.service_staff, "POST", "survey-rounds", {"month": "2026-11", "seed": 9})
    assert drawn.status_code == 201, drawn.content
    body = drawn.json()
    assert (body["seed"], body["population"], body["sample_size"]) == (9, 1, 1)

    calls = call(org.rep_a, "GET", f"survey-rounds/{body['id']}/calls").json()
    assert [c["customer"]["name"] for c in calls] == ["李先生"]
    answers = ratings(SurveyRound.objects.get(pk=body["id"]), 1)
    answered = call(
        org.service_staff, "POST", f"survey-calls/{calls[0]['id']}/answer", {"answers": answers}
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["problem"] is True
    action = CareAction.objects.get()
    assert call(org.rep_a, "GET", "care-actions?mine=true").json()[0]["id"] == action.pk
    rows = call(org.gm, "GET", "survey-performance?month=2026-11").json()
    mine = next(r for r in rows if r["user"]["id"] == org.rep_a.pk)
    assert (mine["answered"], mine["average"], mine["open_actions"]) == (1, "1.00", 1)


def test_a_second_draw_and_a_bad_month_follow_the_error_contract(org, call, november):
    call(org.service_staff, "POST", "survey-rounds", {"month": "2026-11"})

    again = call(org.service_staff, "POST", "survey-rounds", {"month": "2026-11"})
    bad = call(org.service_staff, "POST", "survey-rounds", {"month": "2026-13"})

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "state_conflict"
    assert bad.status_code == 422
    assert "month" in bad.json()["error"]["fields"]


def test_a_link_is_given_once_as_an_address(org, call, november):
    drawn = call(org.service_staff, "POST", "survey-rounds", {"month": "2026-11"}).json()
    call_id = call(org.service_staff, "GET", f"survey-rounds/{drawn['id']}/calls").json()[0]["id"]

    link = call(org.service_staff, "POST", f"survey-calls/{call_id}/link")

    assert link.status_code == 201
    assert "/s/" in link.json()["url"]
    assert AuditEvent.objects.filter(verb="survey.link_issued").count() == 1


def test_an_article_edit_with_a_stale_version_is_a_conflict(org, call):
    made = call(org.manager, "POST", "knowledge/articles", {"title": "首保", "answer": "5000 公里"})
    article = made.json()["id"]

    first = call(
        org.manager, "PATCH", f"knowledge/articles/{article}", {"answer": "6 个月", "version": 1}
    )
    stale = call(
        org.manager, "PATCH", f"knowledge/articles/{article}", {"answer": "x", "version": 1}
    )
    read = call(org.rep_a, "GET", f"knowledge/articles/{article}")

    assert first.status_code == 200
    assert stale.status_code == 409
    assert read.json()["answer"] == "6 个月"
    assert read.json()["views"] == 1
    found = call(org.rep_a, "GET", "knowledge/articles?q=个月").json()
    assert [a["number"] for a in found] == [f"ZS{article:06d}"]


def test_a_birthday_and_the_reminder_through_the_api(org, call, clock):
    clock(dt.date(2026, 12, 28))
    customer = retained(org.rep_a, dt.date(2026, 1, 2), name="元旦生日")

    saved = call(org.rep_a, "PUT", f"customers/{customer.pk}/birthday", {"month": 1, "day": 1})
    reminders = call(org.rep_a, "GET", "care/birthdays?days=7").json()

    assert saved.status_code == 200
    assert [(r["who"], r["on"]) for r in reminders] == [("元旦生日", "2027-01-01")]
    bad = call(org.rep_a, "PUT", f"customers/{customer.pk}/birthday", {"month": 2, "day": 30})
    assert bad.status_code == 422
