"""战败申请: a rep's defeat is a request the department's manager approves or sends back, as
dealers run it (configurable, on by default); the manager's own defeat needs none."""

from __future__ import annotations

import pytest

from crm.activities.models import Notification
from crm.core.errors import NotFound, StateConflict
from crm.customers import lifecycle, services
from crm.customers.models import Customer, DefeatAnalysis, DefeatReason, LifecycleSettings
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance.models import ApprovalRequest, ApprovalState


def lose(actor, customer, **extra):
    customer.refresh_from_db()
    reason = DefeatReason.objects.get(name="价格")
    return lifecycle.customer_transition(
        actor=actor,
        customer_id=customer.pk,
        version=customer.version,
        to="defeated",
        reason="客户买了别家",
        defeat={"reason": reason.pk, "tried": "申请了额外优惠", "competitor_brand": "丰田"},
        **extra,
    )


@pytest.fixture
def lost(org):
    return make_customer(org.rep_a, name="王先生", category="intention", grade="B")


def test_a_reps_defeat_waits_for_the_manager_and_the_customer_stays(org, lost):
    request = lose(org.rep_a, lost)
    assert isinstance(request, ApprovalRequest)
    lost.refresh_from_db()
    assert lost.category == "intention"
    assert not DefeatAnalysis.objects.exists()
    # the manager of 销售一部 is told and may decide; the manager of 销售二部 is not and may not
    told = Notification.objects.filter(kind="approval_waiting")
    assert sorted(n.user.username for n in told) == ["director", "gm", "manager"]
    assert approvals.approvals_to_decide(actor=org.manager) == [request]
    assert approvals.approvals_to_decide(actor=org.manager2) == []
    assert approvals.approvals_to_decide(actor=org.rep_a) == []
    with pytest.raises(NotFound):
        approvals.approval_decide(actor=org.manager2, request_id=request.pk, approve=True)


def test_the_managers_approval_applies_the_defeat_with_the_note_as_comment(org, lost):
    request = lose(org.rep_a, lost)
    approvals.approval_decide(
        actor=org.manager, request_id=request.pk, approve=True, note="价格确实没有优势"
    )
    lost.refresh_from_db()
    assert lost.category == "defeated"
    analysis = DefeatAnalysis.objects.get(customer=lost)
    assert (analysis.competitor_brand, analysis.manager_comment, analysis.manager) == (
        "丰田",
        "价格确实没有优势",
        org.manager,
    )
    assert analysis.event.actor == org.rep_a  # the rep's defeat, in the reports
    told = Notification.objects.get(kind="approval_decided")
    assert (told.user, told.title) == (org.rep_a, f"已批准：战败申请：王先生（{lost.number}）")


def test_a_defeat_sent_back_leaves_the_customer_with_the_rep(org, lost):
    request = lose(org.rep_a, lost)
    approvals.approval_decide(
        actor=org.manager, request_id=request.pk, approve=False, note="再争取一次试驾"
    )
    lost.refresh_from_db()
    assert lost.category == "intention"
    told = Notification.objects.get(kind="approval_decided")
    assert (told.user, told.body) == (org.rep_a, "再争取一次试驾")
    assert isinstance(lose(org.rep_a, lost), ApprovalRequest)  # the rep may file again


def test_one_defeat_request_at_a_time(org, lost):
    lose(org.rep_a, lost)
    with pytest.raises(StateConflict):
        lose(org.rep_a, lost)


def test_an_approval_after_the_customer_changed_fails_and_changes_nothing(org, lost):
    request = lose(org.rep_a, lost)
    lost.refresh_from_db()
    services.customer_update(
        actor=org.rep_a, customer_id=lost.pk, version=lost.version, data={"city": "杭州"}
    )
    decided = approvals.approval_decide(actor=org.manager, request_id=request.pk, approve=True)
    assert decided.state == ApprovalState.FAILED
    assert Customer.objects.get(pk=lost.pk).category == "intention"


def test_the_managers_own_defeat_needs_no_approval(org, lost):
    event = lose(org.manager, lost)
    assert not isinstance(event, ApprovalRequest)
    lost.refresh_from_db()
    assert lost.category == "defeated"


def test_a_company_without_defeat_requests(org, lost):
    LifecycleSettings.objects.update_or_create(pk=1, defaults={"defeat_needs_approval": False})
    lose(org.rep_a, lost)
    lost.refresh_from_db()
    assert lost.category == "defeated"
