"""The approval engine's chains: steps decided in order by their own deciders, a rejection ends the
request, the change is applied once after the last approval, and everyone concerned is told."""

from __future__ import annotations

import pytest
from django.test import override_settings

from crm.accounts import services as accounts
from crm.activities.models import Notification
from crm.core.errors import DomainError, NotFound, PermissionDenied, StateConflict
from crm.governance import approvals
from crm.governance.flows import DIRECTOR_THEN_GM
from crm.governance.models import ApprovalState, AuditEvent, StepState

KIND = "test.retrieval"


@approvals.handler(KIND)
def _export(request, actor):
    """What the test kind does when approved: one audit row (counted by the tests)."""
    from crm.governance import audit

    if request.payload.get("refuse"):
        raise DomainError("数据已变化")
    audit.record(actor=actor, verb="test.exported", obj=request, after=request.payload)


def submit(actor, steps=DIRECTOR_THEN_GM, **payload):
    return approvals.approval_submit(
        actor=actor,
        kind=KIND,
        title="客户数据调用申请：展会名单",
        payload={"purpose": "车展邀约", **payload},
        reason="车展邀约",
        steps=steps,
    )


def told(kind):
    return sorted(n.user.username for n in Notification.objects.filter(kind=kind))


def runs():
    return AuditEvent.objects.filter(verb="test.exported").count()


def test_director_then_general_manager_in_order(org):
    request = submit(org.rep_a)
    assert [(s.position, s.label, s.state) for s in approvals.steps_of(request)] == [
        (1, "部门总监", StepState.PENDING),
        (2, "总经理", StepState.WAITING),
    ]
    # only the first step's decider is told and sees it; the general manager waits
    assert told("approval_waiting") == ["director"]
    assert approvals.approvals_to_decide(actor=org.director) == [request]
    assert approvals.approvals_to_decide(actor=org.gm) == []
    with pytest.raises(PermissionDenied):  # the second step's decider waits for the first
        approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)
    assert approvals.approval_get(actor=org.gm, request_id=request.pk) == request

    approvals.approval_decide(actor=org.director, request_id=request.pk, approve=True, note="可以")
    request.refresh_from_db()
    assert (request.state, request.current_step) == (ApprovalState.PENDING, 2)
    assert runs() == 0  # nothing happens before the last approval
    assert told("approval_waiting") == ["director", "gm"]
    assert told("approval_advanced") == ["rep_a"]
    assert approvals.approvals_to_decide(actor=org.director) == []
    assert approvals.approvals_to_decide(actor=org.gm) == [request]
    with pytest.raises(PermissionDenied):  # the first step's decider does not decide the second
        approvals.approval_decide(actor=org.director, request_id=request.pk, approve=True)

    decided = approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)
    assert decided.state == ApprovalState.APPROVED
    assert runs() == 1
    assert [(s.state, s.decided_by, s.note) for s in approvals.steps_of(decided)] == [
        (StepState.APPROVED, org.director, "可以"),
        (StepState.APPROVED, org.gm, ""),
    ]
    assert Notification.objects.get(kind="approval_decided").user == org.rep_a
    with pytest.raises(StateConflict):  # decided once: applied once
        approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)
    assert runs() == 1
    trail = list(
        AuditEvent.objects.filter(verb__startswith="approval.")
        .order_by("id")
        .values_list("verb", "actor__username")
    )
    assert trail == [
        ("approval.submitted", "rep_a"),
        ("approval.step_decided", "director"),
        ("approval.step_decided", "gm"),
        ("approval.decided", "gm"),
    ]


def test_a_rejection_ends_the_request(org):
    request = submit(org.rep_a)
    approvals.approval_decide(
        actor=org.director, request_id=request.pk, approve=False, note="用途不明确"
    )
    request.refresh_from_db()
    assert request.state == ApprovalState.REJECTED
    assert [s.state for s in approvals.steps_of(request)] == [
        StepState.REJECTED,
        StepState.WAITING,
    ]
    assert runs() == 0
    assert told("approval_waiting") == ["director"]  # the general manager is never asked
    decided = Notification.objects.get(kind="approval_decided")
    assert (decided.user, decided.body) == (org.rep_a, "用途不明确")
    assert approvals.approvals_to_decide(actor=org.gm) == []
    with pytest.raises(StateConflict):
        approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)


def test_the_requester_never_decides_their_own(org):
    request = submit(org.gm, steps=(approvals.Step("总经理", role="gm"),))
    assert approvals.approvals_to_decide(actor=org.gm) == []
    with pytest.raises(StateConflict):
        approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)
    assert runs() == 0


def test_the_department_head_is_the_nearest_director_above_the_requester(org):
    sales2_director = accounts.user_create(
        actor=None,
        username="director2",
        password="x",
        role="director",
        department=org.sales2,
        full_name="二部总监",
        validate_password=False,
    )
    of_sales2 = submit(org.rep_c)
    of_sales1 = submit(org.rep_a)
    assert approvals.approvals_to_decide(actor=sales2_director) == [of_sales2]
    assert approvals.approvals_to_decide(actor=org.director) == [of_sales1]
    with pytest.raises(NotFound):  # another department's request is none of their business
        approvals.approval_decide(actor=org.director, request_id=of_sales2.pk, approve=True)


def test_a_chain_without_anyone_to_decide_a_step_is_refused(org):
    # the director's own head: nobody of the role above them
    with pytest.raises(DomainError):
        submit(org.director)


def test_a_change_that_fails_at_the_end_is_marked_failed(org):
    request = submit(org.rep_a, refuse=True)
    approvals.approval_decide(actor=org.director, request_id=request.pk, approve=True)
    decided = approvals.approval_decide(actor=org.gm, request_id=request.pk, approve=True)
    assert (decided.state, decided.decision_note) == (ApprovalState.FAILED, "数据已变化")


def test_outsiders_do_not_see_a_request(org):
    request = submit(org.rep_a)
    assert approvals.approval_get(actor=org.rep_a, request_id=request.pk) == request
    assert approvals.approval_get(actor=org.director, request_id=request.pk) == request
    for outsider in (org.rep_b, org.manager):
        with pytest.raises(NotFound):
            approvals.approval_get(actor=outsider, request_id=request.pk)
    with pytest.raises(NotFound):
        approvals.approval_decide(actor=org.rep_b, request_id=request.pk, approve=True)


@override_settings(
    CRM_APPROVAL_FLOWS={
        KIND: [
            {"label": "部门总监", "role": "director", "head": True},
            {"label": "数据管理部门", "action": "customers.approve_change"},
        ]
    }
)
def test_a_kinds_chain_is_configured_in_one_place(org):
    request = approvals.approval_submit(
        actor=org.rep_a, kind=KIND, title="调用", payload={}, approve_action="x.y"
    )
    assert [s.label for s in approvals.steps_of(request)] == ["部门总监", "数据管理部门"]
    approvals.approval_decide(actor=org.director, request_id=request.pk, approve=True)
    assert approvals.approvals_to_decide(actor=org.data_admin) == [request]
    approvals.approval_decide(actor=org.data_admin, request_id=request.pk, approve=True)
    assert runs() == 1


def test_a_single_step_kind_stays_a_one_step_chain(org):
    pending = accounts.user_set_role(actor=org.sysadmin, user_id=org.rep_a.pk, role="manager")
    assert pending is not None
    (step,) = approvals.steps_of(pending)
    assert (step.action, step.state) == ("accounts.confirm_role_grant", StepState.PENDING)
    assert told("approval_waiting") == ["gm"]


def test_the_inbox_page_shows_the_chain_and_decides_one_step(org, as_user):
    from django.urls import reverse

    request = submit(org.rep_a)
    director = as_user(org.director)
    page = director.get(reverse("web:approval_list")).content.decode()
    assert f'id="approval-{request.pk}"' in page
    assert "部门总监" in page
    assert "总经理" in page
    response = director.post(
        reverse("web:approval_decide", args=[request.pk]),
        {"decision": "approve", "note": "可以"},
        follow=True,
    )
    assert "已批准本步，等待总经理审批" in response.content.decode()
    assert (
        f'id="approval-{request.pk}"'
        in as_user(org.gm).get(reverse("web:approval_list")).content.decode()
    )
    mine = as_user(org.rep_a).get(reverse("web:approval_list")).content.decode()
    assert "吴总监" in mine
    assert "可以" in mine
