"""Answering the survey (满意度调查表) by phone or through the customer's own link, the score,
and the 整改 a problem opens (客服部针对满意度调查中发现的问题要及时反馈并督促整改)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing

from crm.activities.models import Notification
from crm.care import selectors, services
from crm.care.models import ActionState, CallState, CareAction
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.governance.models import AuditEvent
from crm.questionnaires.models import Response

from .factories import drawn, ratings, retained

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture
def survey(org, clock):
    clock(DAY)
    retained(org.rep_a, dt.date(2026, 11, 5), name="李先生")
    retained(org.rep_c, dt.date(2026, 11, 6), name="赵女士")
    return drawn(org.service_staff, size=2, seed=1)


def _call_of(survey, rep):
    return survey.calls.get(rep=rep)


def test_a_phone_answer_is_a_response_with_its_score(org, survey):
    call = _call_of(survey, org.rep_a)

    done = services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 4)}
    )

    assert (done.state, done.channel, done.problem) == ("answered", "phone", False)
    assert done.score == Decimal("4.00")
    assert done.answered_by == org.service_staff
    response = Response.objects.get(customer=call.customer)
    assert response.form == survey.form
    assert response.answers.count() == 4
    assert not CareAction.objects.exists()
    event = AuditEvent.objects.get(verb="survey.answered")
    assert event.details["score"] == "4.00"
    assert event.actor == org.service_staff


def test_a_low_score_opens_an_action_for_the_customers_rep(org, survey):
    call = _call_of(survey, org.rep_a)
    answers = ratings(survey, 2)

    done = services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": answers, "note": "交车晚了"}
    )

    assert done.problem
    action = CareAction.objects.get()
    assert action.responsible == org.rep_a
    assert action.department == org.rep_a.department
    assert action.state == ActionState.OPEN
    assert action.due_on == DAY + dt.timedelta(days=7)
    assert action.problem.startswith("满意度 2.00 分")
    assert AuditEvent.objects.filter(verb="care_action.opened", object_id=str(action.pk)).exists()
    told = Notification.objects.get(user=org.rep_a, kind="care_action")
    assert told.url == f"/care/actions/{action.pk}/"
    assert action.number in told.title


def test_a_problem_written_down_opens_an_action_even_with_a_good_score(org, survey):
    call = _call_of(survey, org.rep_a)

    services.call_answer(
        actor=org.service_staff,
        call_id=call.pk,
        data={"answers": ratings(survey, 5), "problem": "发票还没开"},
    )

    assert CareAction.objects.get().problem == "发票还没开"


def test_an_unreachable_customer_can_be_called_again(org, survey):
    call = _call_of(survey, org.rep_a)

    services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"outcome": "unreachable", "note": "关机"}
    )
    again = services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 5)}
    )

    assert again.state == CallState.ANSWERED
    assert list(
        AuditEvent.objects.filter(object_id=str(call.pk), object_type="care.surveycall")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["survey.unreachable", "survey.answered"]


def test_an_answered_call_is_not_answered_twice(org, survey):
    call = _call_of(survey, org.rep_a)
    services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 5)}
    )

    with pytest.raises(StateConflict):
        services.call_answer(
            actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 1)}
        )


def test_a_required_rating_left_out_is_refused(org, survey):
    call = _call_of(survey, org.rep_a)
    answers = ratings(survey, 5)
    answers.pop(next(iter(answers)))

    with pytest.raises(Invalid) as exc:
        services.call_answer(actor=org.service_staff, call_id=call.pk, data={"answers": answers})
    assert exc.value.fields
    call.refresh_from_db()
    assert call.state == CallState.PENDING


def test_reps_do_not_call_their_own_customers(org, survey):
    with pytest.raises(PermissionDenied):
        services.call_answer(
            actor=org.rep_a, call_id=_call_of(survey, org.rep_a).pk, data={"answers": {}}
        )


def test_each_rep_sees_the_answers_of_their_own_customers(org, survey):
    mine = _call_of(survey, org.rep_a)

    assert [c.pk for c in selectors.call_list(actor=org.rep_a, survey=survey)] == [mine.pk]
    assert len(selectors.call_list(actor=org.service_staff, survey=survey)) == 2
    with pytest.raises(NotFound):
        selectors.call_get(actor=org.rep_b, call_id=mine.pk)


# --- the customer's own link --------------------------------------------------------------


def test_a_link_answers_once(org, survey):
    call = _call_of(survey, org.rep_a)
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)

    assert services.link_open(token=token) == call
    done = services.link_answer(token=token, answers=ratings(survey, 5))

    assert (done.state, done.channel, done.answered_by) == ("answered", "link", None)
    with pytest.raises(StateConflict):
        services.link_open(token=token)
    with pytest.raises(StateConflict):
        services.link_answer(token=token, answers=ratings(survey, 1))
    assert Response.objects.filter(customer=call.customer).count() == 1
    event = AuditEvent.objects.get(verb="survey.answered")
    assert event.actor is None
    assert event.details["channel"] == "link"


def test_a_link_expires(org, survey, clock):
    call = _call_of(survey, org.rep_a)
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)

    clock(DAY + dt.timedelta(days=15))

    with pytest.raises(StateConflict) as exc:
        services.link_answer(token=token, answers=ratings(survey, 5))
    assert "过期" in str(exc.value.message)
    call.refresh_from_db()
    assert call.state == CallState.PENDING


def test_a_new_link_replaces_the_former(org, survey):
    call = _call_of(survey, org.rep_a)
    former = services.link_issue(actor=org.service_staff, call_id=call.pk)
    latest = services.link_issue(actor=org.service_staff, call_id=call.pk)

    with pytest.raises(StateConflict):
        services.link_open(token=former)
    assert services.link_open(token=latest) == call


def test_a_forged_or_altered_link_is_not_found(org, survey):
    call = _call_of(survey, org.rep_a)
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)
    other = _call_of(survey, org.rep_c)
    forged = signing.dumps({"c": other.pk, "n": "0" * 32}, salt="another-salt")

    for bad in (token[:-2] + "xx", forged, "", "<script>", "a" * 5000):
        with pytest.raises(NotFound):
            services.link_open(token=bad)


def test_a_link_answer_with_a_low_score_opens_an_action(org, survey):
    call = _call_of(survey, org.rep_c)
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)

    services.link_answer(token=token, answers=ratings(survey, 1))

    action = CareAction.objects.get()
    assert action.responsible == org.rep_c
    assert action.opened_by is None


def test_a_link_answer_is_checked_like_any_form(org, survey):
    call = _call_of(survey, org.rep_a)
    token = services.link_issue(actor=org.service_staff, call_id=call.pk)
    answers = ratings(survey, 5, 其他意见或建议="x" * 1001)

    with pytest.raises(Invalid):
        services.link_answer(token=token, answers=answers)
    assert services.link_open(token=token) == call  # still usable


def test_the_score_is_the_average_of_the_ratings(org, survey):
    call = _call_of(survey, org.rep_a)
    answers = ratings(survey, 5)
    keys = list(answers)
    answers[keys[0]] = "2 不满意"

    done = services.call_answer(actor=org.service_staff, call_id=call.pk, data={"answers": answers})

    assert done.score == Decimal("4.25")
    assert not done.problem  # 4.25 is not below 3.5


def test_satisfaction_per_rep_counts_each_reps_customers(org, survey):
    services.call_answer(
        actor=org.service_staff,
        call_id=_call_of(survey, org.rep_a).pk,
        data={"answers": ratings(survey, 2)},
    )
    services.call_answer(
        actor=org.service_staff,
        call_id=_call_of(survey, org.rep_c).pk,
        data={"outcome": "unreachable"},
    )

    rows = {r.name: r for r in selectors.satisfaction_by_rep(actor=org.gm, month=survey.month)}
    a, c = rows[org.rep_a.display_name], rows[org.rep_c.display_name]
    assert (a.sampled, a.answered, a.problems, a.average, a.open_actions) == (
        1,
        1,
        1,
        Decimal("2.00"),
        1,
    )
    assert (c.sampled, c.answered, c.unreachable, c.average) == (1, 0, 1, None)
    mine = selectors.satisfaction_by_rep(actor=org.rep_a, month=survey.month)
    assert [r.name for r in mine] == [org.rep_a.display_name]
    managed = selectors.satisfaction_by_rep(actor=org.manager, month=survey.month)
    assert org.rep_c.display_name not in [r.name for r in managed]
