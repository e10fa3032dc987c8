"""整改: a problem found is fed back to a responsible person, who reports it done; the service
department verifies and closes it, or sends it back (督促整改). Every step audited."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.care import selectors, services
from crm.care.models import ActionState, CareAction
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.governance.models import AuditEvent

from .factories import drawn, ratings, retained

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture
def action(org, clock):
    clock(DAY)
    retained(org.rep_a, dt.date(2026, 11, 5), name="李先生")
    survey = drawn(org.service_staff, size=1)
    call = survey.calls.get()
    services.call_answer(
        actor=org.service_staff, call_id=call.pk, data={"answers": ratings(survey, 1)}
    )
    return CareAction.objects.get()


def _verbs(action):
    return list(
        AuditEvent.objects.filter(object_type="care.careaction", object_id=str(action.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_an_action_is_reported_done_then_verified_and_closed(org, action):
    done = services.action_done(
        actor=org.rep_a, action_id=action.pk, data={"result": "已上门道歉并补办手续"}
    )
    assert done.state == ActionState.DONE

    closed = services.action_close(
        actor=org.service_staff, action_id=action.pk, data={"accept": True, "note": "客户确认"}
    )

    assert closed.state == ActionState.CLOSED
    assert closed.closed_by == org.service_staff
    assert closed.closed_at is not None
    assert _verbs(action) == ["care_action.opened", "care_action.done", "care_action.closed"]
    event = AuditEvent.objects.get(verb="care_action.done")
    assert event.changes["state"] == ["open", "done"]


def test_a_verification_may_send_it_back_with_the_reason(org, action):
    services.action_done(actor=org.rep_a, action_id=action.pk, data={"result": "已电话道歉"})

    with pytest.raises(Invalid):
        services.action_close(actor=org.service_staff, action_id=action.pk, data={"accept": False})
    back = services.action_close(
        actor=org.service_staff, action_id=action.pk, data={"accept": False, "note": "客户仍不满意"}
    )

    assert back.state == ActionState.OPEN
    assert AuditEvent.objects.get(verb="care_action.returned").reason == "客户仍不满意"


def test_an_open_action_cannot_be_closed_before_it_is_done(org, action):
    with pytest.raises(StateConflict):
        services.action_close(actor=org.service_staff, action_id=action.pk, data={})


def test_a_closed_action_is_not_reported_again(org, action):
    services.action_done(actor=org.rep_a, action_id=action.pk, data={"result": "已处理"})
    services.action_close(actor=org.service_staff, action_id=action.pk, data={})

    with pytest.raises(StateConflict):
        services.action_done(actor=org.rep_a, action_id=action.pk, data={"result": "再次处理"})


def test_only_the_responsible_rep_reports_it(org, action):
    with pytest.raises(NotFound):
        services.action_done(actor=org.rep_b, action_id=action.pk, data={"result": "x"})
    with pytest.raises(PermissionDenied):
        services.action_close(actor=org.rep_a, action_id=action.pk, data={})


def test_the_department_manager_verifies_but_not_the_other_departments(org, action):
    services.action_done(actor=org.rep_a, action_id=action.pk, data={"result": "已处理"})

    with pytest.raises(NotFound):
        services.action_close(actor=org.manager2, action_id=action.pk, data={})
    assert services.action_close(actor=org.manager, action_id=action.pk, data={}).state == "closed"


def test_a_result_is_required(org, action):
    with pytest.raises(Invalid) as exc:
        services.action_done(actor=org.rep_a, action_id=action.pk, data={"result": "  "})
    assert "result" in exc.value.fields


def test_an_action_opened_by_hand_names_someone_in_scope_and_a_due_date(org, action):
    call = action.call

    with pytest.raises(Invalid) as exc:
        services.action_open(
            actor=org.manager,
            call_id=call.pk,
            data={"problem": "回访发现", "responsible": org.rep_c.pk, "due_on": "2026-12-10"},
        )
    assert "responsible" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        services.action_open(
            actor=org.manager,
            call_id=call.pk,
            data={"problem": "回访发现", "responsible": org.rep_b.pk, "due_on": "2026-12-01"},
        )
    assert "due_on" in exc.value.fields
    made = services.action_open(
        actor=org.manager,
        call_id=call.pk,
        data={"problem": "销售顾问承诺未兑现", "responsible": org.rep_b.pk, "due_on": "2026-12-10"},
    )
    assert (made.responsible, made.opened_by) == (org.rep_b, org.manager)
    assert _verbs(made) == ["care_action.opened"]


def test_each_sees_the_actions_in_their_scope(org, action):
    assert [a.pk for a in selectors.action_list(actor=org.rep_a)] == [action.pk]
    assert selectors.action_list(actor=org.rep_b) == []
    assert selectors.action_list(actor=org.manager2) == []
    assert [a.pk for a in selectors.action_list(actor=org.service_staff)] == [action.pk]


def test_an_open_action_past_its_due_date_is_overdue(org, action, clock):
    assert not action.overdue
    clock(DAY + dt.timedelta(days=8))
    assert action.overdue
