"""The survey and care pages: the month drawn, the phone call, the customer's own link (single
use, expiry, abuse), 整改 to closure, reminders and campaigns; and the knowledge base."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from crm.care import services
from crm.care.models import CallState, CareAction, SurveyCall
from crm.care.tests.factories import drawn, ratings, retained
from crm.governance.models import AuditEvent
from crm.knowledge import services as knowledge
from crm.questionnaires.models import Question

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(org, clock):
    clock(DAY)
    retained(org.rep_a, dt.date(2026, 11, 5), name="李先生")
    return drawn(org.service_staff, size=1, seed=3)


def _post_answers(survey, score):
    """The fill form's fields (``q<id>``) for every rated question at ``score``."""
    return {f"q{k}": v for k, v in ratings(survey, score).items()}


def test_the_service_department_draws_the_month_from_the_page(org, as_user, clock):
    clock(DAY)
    retained(org.rep_a, dt.date(2026, 11, 5), name="李先生")
    client = as_user(org.service_staff)

    response = client.post(reverse("web:survey_list"), {"month": "2026-11", "size": "1"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "李先生" in page
    again = client.post(reverse("web:survey_list"), {"month": "2026-11", "size": "1"})
    assert again.status_code == 422
    assert "已抽取过样本" in again.content.decode()


def test_a_phone_call_with_a_low_score_opens_an_action(org, as_user, survey):
    call = survey.calls.get()
    client = as_user(org.service_staff)

    response = client.post(
        reverse("web:survey_call", args=[call.pk]),
        {**_post_answers(survey, 2), "outcome": "answered", "note": "交车晚"},
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.state == CallState.ANSWERED
    action = CareAction.objects.get()
    page = client.get(reverse("web:care_action", args=[action.pk])).content.decode()
    assert "满意度 2.00 分" in page


def test_a_call_missing_a_rating_shows_the_form_again(org, as_user, survey):
    call = survey.calls.get()
    answers = _post_answers(survey, 5)
    answers.pop(next(iter(answers)))

    response = as_user(org.service_staff).post(
        reverse("web:survey_call", args=[call.pk]), {**answers, "outcome": "answered"}
    )

    assert response.status_code == 422
    assert SurveyCall.objects.get(pk=call.pk).state == CallState.PENDING


def test_an_action_is_done_by_the_rep_and_closed_by_the_service_department(org, as_user, survey):
    call = survey.calls.get()
    services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 1)}
    )
    action = CareAction.objects.get()
    url = reverse("web:care_action", args=[action.pk])

    assert as_user(org.rep_a).post(url, {"do": "done", "result": "已道歉"}).status_code == 302
    assert as_user(org.service_staff).post(url, {"do": "close", "note": "好"}).status_code == 302

    action.refresh_from_db()
    assert action.state == "closed"
    assert as_user(org.rep_a).post(url, {"do": "nonsense"}).status_code == 400


def test_the_performance_table_shows_each_reps_average(org, as_user, survey):
    call = survey.calls.get()
    services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 4)}
    )

    page = as_user(org.manager).get(reverse("web:survey_performance"), {"month": "2026-11"})

    assert page.status_code == 200
    assert "4.00" in page.content.decode()
    # the page's own tab is the one marked current
    assert 'aria-current="page">满意度考核' in page.content.decode()
    assert (
        as_user(org.manager)
        .get(reverse("web:survey_performance"), {"month": "2026-13"})
        .status_code
        == 400
    )


# --- the customer's own link ----------------------------------------------------------------


def _link(org, as_user, survey):
    call = survey.calls.get()
    page = as_user(org.service_staff).post(reverse("web:survey_link", args=[call.pk]))
    assert page.status_code == 200
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)  # the latest
    return call, reverse("web:survey_public", args=[token])


def test_the_customer_answers_through_the_link_once(org, as_user, client, survey):
    call, url = _link(org, as_user, survey)
    client.logout()

    assert client.get(url).status_code == 200
    first = client.post(url, _post_answers(survey, 5))
    second = client.post(url, _post_answers(survey, 1))

    assert first.status_code == 200
    assert "感谢您的反馈" in first.content.decode()
    assert second.status_code == 410
    assert client.get(url).status_code == 410
    call.refresh_from_db()
    assert (call.state, call.channel, call.score) == ("answered", "link", 5)


def test_an_expired_link_is_gone(org, as_user, client, survey, clock):
    _call, url = _link(org, as_user, survey)
    clock(DAY + dt.timedelta(days=30))
    client.logout()

    response = client.get(url)

    assert response.status_code == 410
    assert "过期" in response.content.decode()


def test_a_made_up_link_is_not_found(client, org):
    response = client.get(reverse("web:survey_public", args=["abc:def"]))
    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_script_in_an_answer_is_shown_escaped(org, as_user, client, survey):
    call, url = _link(org, as_user, survey)
    client.logout()
    version = survey.form.versions.get(state="published")
    text = Question.objects.get(version=version, label="其他意见或建议")
    script = '<script>alert("x")</script>'

    client.post(url, {**_post_answers(survey, 5), f"q{text.pk}": script})

    page = as_user(org.service_staff).get(reverse("web:survey_call", args=[call.pk]))
    body = page.content.decode()
    assert script not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_an_oversized_answer_is_refused_and_the_link_still_works(org, as_user, client, survey):
    call, url = _link(org, as_user, survey)
    client.logout()
    version = survey.form.versions.get(state="published")
    text = Question.objects.get(version=version, label="其他意见或建议")

    response = client.post(url, {**_post_answers(survey, 5), f"q{text.pk}": "长" * 5000})

    assert response.status_code == 422
    assert client.get(url).status_code == 200
    assert SurveyCall.objects.get(pk=call.pk).state == CallState.PENDING


def test_a_filled_honeypot_is_thanked_and_dropped(org, as_user, client, survey):
    call, url = _link(org, as_user, survey)
    client.logout()

    response = client.post(url, {**_post_answers(survey, 5), "website": "http://spam"})

    assert response.status_code == 200
    assert SurveyCall.objects.get(pk=call.pk).state == CallState.PENDING
    assert not AuditEvent.objects.filter(verb="survey.answered").exists()


def test_too_many_posts_from_one_address_are_throttled(org, as_user, client, survey, settings):
    settings.CRM_SURVEY_PUBLIC_PER_ADDRESS = 3
    _call, url = _link(org, as_user, survey)
    client.logout()

    statuses = [client.post(url, {"website": "x"}).status_code for _n in range(5)]

    assert statuses == [200, 200, 200, 429, 429]


# --- care and knowledge ---------------------------------------------------------------------


def test_reminders_and_a_campaign_from_the_pages(org, as_user, clock):
    clock(dt.date(2026, 12, 28))
    owner = retained(org.rep_a, dt.date(2025, 12, 30), name="周年车主")
    client = as_user(org.rep_a)
    assert (
        client.post(
            reverse("web:care_birthday", args=[owner.pk]),
            {"month": "1", "day": "2", "year": "1985"},
        ).status_code
        == 302
    )

    page = client.get(reverse("web:care_reminders"), {"days": "7"}).content.decode()

    assert page.count("周年车主") == 3  # the birthday (name, customer), the first anniversary
    manager = as_user(org.manager)
    started = manager.post(
        reverse("web:care_campaigns"),
        {"title": "新年问候", "kind": "holiday", "category": "retained"},
    )
    assert started.status_code == 302
    assert "周年车主" in manager.get(started["Location"]).content.decode()


def test_staff_search_the_knowledge_base_and_reading_counts(org, as_user):
    article = knowledge.article_create(
        actor=org.manager, data={"title": "定金可以退吗？", "answer": "合同签订前可退。"}
    )
    client = as_user(org.rep_a)

    found = client.get(reverse("web:knowledge_list"), {"q": "定金"}).content.decode()
    client.get(reverse("web:knowledge_detail", args=[article.pk]))

    assert "定金可以退吗？" in found
    article.refresh_from_db()
    assert article.views == 1
    partial = client.get(
        reverse("web:knowledge_list"), {"q": "保养"}, headers={"HX-Request": "true"}
    )
    assert "没有找到相关条目" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_a_manager_writes_an_article_from_the_page(org, as_user):
    client = as_user(org.manager)

    response = client.post(
        reverse("web:knowledge_new"),
        {"title": "首保时间", "answer": "5000 公里", "tags": "保养，首保"},
    )

    assert response.status_code == 302
    assert "首保" in client.get(response["Location"]).content.decode()
