"""交接 as the company's rule says it (客户数据管理规定: 员工调职或离职时，
不得将客户数据及资料带走，其所在部门应安排好数据资料交接，
并由部门总监签字确认，交售后留档): a manager hands over all of a leaving rep's customers and
open plans to colleagues, the director signs, the leaver's access ends the moment the hand-over
starts, and the whole hand-over is one audited event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from crm.accounts import services as accounts
from crm.activities import services as activities
from crm.activities.models import Plan
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.core.permissions import restrict
from crm.customers import selectors as customer_selectors
from crm.customers import services as customers
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance.models import AuditEvent
from crm.handover import hooks, selectors, services
from crm.handover.models import Handover, HandoverState
from crm.testing import PASSWORD


def start(org, *, kind="departure", receivers=None, actor=None, **data):
    return services.handover_start(
        actor=actor or org.manager,
        data={
            "leaver": org.rep_a.pk,
            "kind": kind,
            "receivers": receivers or [org.rep_b.pk, org.manager.pk],
            "reason": "王小明离职",
            **data,
        },
    )


def sign(org, handover, approve=True, actor=None):
    approvals.approval_decide(
        actor=actor or org.director, request_id=handover.approval_id, approve=approve
    )
    handover.refresh_from_db()
    return handover


def plan(customer, owner):
    return activities.plan_create(
        actor=owner,
        customer_id=customer.pk,
        data={"method": "phone", "planned_at": timezone.now() + dt.timedelta(days=2)},
    )


@pytest.fixture
def book(org):
    """rep_a's five customers, two with an open plan each."""
    customers = [make_customer(org.rep_a, name=f"客户{i}") for i in range(5)]
    plan(customers[0], org.rep_a)
    plan(customers[3], org.rep_a)
    return customers


def test_departure_ends_the_leavers_access_at_once(org, book, client: Client):
    token = accounts.token_issue(actor=org.rep_a, name="手机")
    client.force_login(org.rep_a)
    assert client.get("/today/").status_code == 200

    handover = start(org)

    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active
    assert accounts.token_user(token) is None  # the token opens nothing
    assert client.get("/today/")["Location"].startswith("/login/")  # the session ended
    assert accounts.login_check(username="rep_a", password=PASSWORD, ip=None) is None
    # nothing moved yet: the customers wait for the director's signature
    assert handover.state == HandoverState.PENDING
    assert Customer.objects.filter(owner=org.rep_a).count() == 5


def test_the_directors_signature_moves_customers_and_plans_as_one_event(org, book):
    handover = sign(org, start(org))

    assert handover.state == HandoverState.DONE
    assert handover.signed_by == org.director
    assert Customer.objects.filter(owner=org.rep_a).count() == 0
    # split evenly, in customer order: rep_b 3, the manager 2
    assert Customer.objects.filter(owner=org.rep_b).count() == 3
    assert Customer.objects.filter(owner=org.manager).count() == 2
    # the open plans followed their customers
    assert not Plan.objects.filter(assignee=org.rep_a).exists()
    assert Plan.objects.get(customer=book[0]).assignee == org.rep_b
    assert Plan.objects.get(customer=book[3]).assignee == org.manager
    moved_rows = AuditEvent.objects.filter(verb="customer.plans_moved")
    assert sorted(moved_rows.values_list("object_id", flat=True)) == sorted(
        [str(book[0].pk), str(book[3].pk)]
    )
    events = AuditEvent.objects.filter(verb="handover.completed")
    assert events.count() == 1
    assert events.get().details == {
        "customers": 5,
        "plans": 2,
        "skipped": 0,
        "receivers": 2,
        "sessions_ended": 0,
    }
    # each customer's history says to whom and why
    owner_changes = AuditEvent.objects.filter(
        verb="customer.owner_changed", object_id=str(book[1].pk)
    )
    assert owner_changes.get().reason == f"交接 {handover.number}"


def test_search_finds_handed_customers_for_their_new_owner(org, book):
    sign(org, start(org))
    page = customer_selectors.customer_list(
        actor=org.rep_b, filters=customer_selectors.CustomerFilters(q="客户")
    )
    assert {c.pk for c in page.items} == {book[0].pk, book[2].pk, book[4].pk}
    assert not customer_selectors.customer_list(
        actor=org.rep_a, filters=customer_selectors.CustomerFilters(q="客户")
    ).items


def test_a_transfer_keeps_the_account_but_not_the_customers(org, book):
    handover = sign(org, start(org, kind="transfer"))

    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active
    assert accounts.login_check(username="rep_a", password=PASSWORD, ip=None) == org.rep_a
    assert handover.state == HandoverState.DONE
    assert not restrict(Customer.objects.alive(), org.rep_a, "customers.view_customer").exists()


def test_a_refused_hand_over_moves_nothing_and_the_account_stays_closed(org, book):
    handover = sign(org, start(org), approve=False)

    assert handover.state == HandoverState.REJECTED
    assert Customer.objects.filter(owner=org.rep_a).count() == 5
    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active
    # a new hand-over can be started for the departed rep
    again = sign(org, start(org, receivers=[org.rep_b.pk]))
    assert Customer.objects.filter(owner=org.rep_b).count() == 5
    assert again.state == HandoverState.DONE


def test_customers_chosen_one_by_one_and_the_rest_by_rule(org, book):
    handover = start(
        org, chosen=[{"customer": book[0].pk, "receiver": org.manager.pk}], split="balance"
    )
    sign(org, handover)
    assert Customer.objects.get(pk=book[0].pk).owner == org.manager
    # balance: the rest to whoever has fewer customers (rep_b had none, the manager one now)
    assert Customer.objects.filter(owner=org.rep_b).count() == 3
    assert Customer.objects.filter(owner=org.manager).count() == 2


def test_split_rules():
    assert services.split_customers([1, 2, 3, 4, 5], [10, 20], split="even") == {
        1: 10,
        2: 20,
        3: 10,
        4: 20,
        5: 10,
    }
    balanced = services.split_customers(
        [1, 2, 3, 4], [10, 20], split="balance", loads={10: 3, 20: 0}
    )
    assert balanced == {1: 20, 2: 20, 3: 20, 4: 10}


def test_only_the_department_starts_and_only_the_director_signs(org, book):
    with pytest.raises(PermissionDenied):
        start(org, actor=org.rep_b)
    with pytest.raises(Invalid):  # 销售二部's manager does not hand over 销售一部's rep
        start(org, actor=org.manager2, receivers=[org.rep_c.pk])
    with pytest.raises(Invalid):  # nor to a rep outside the department
        start(org, receivers=[org.rep_c.pk])
    handover = start(org)
    with pytest.raises(StateConflict):  # one hand-over at a time
        start(org)
    with pytest.raises(PermissionDenied):  # a manager does not sign
        approvals.approval_decide(actor=org.manager, request_id=handover.approval_id, approve=True)
    with pytest.raises(NotFound):  # the other department's manager does not read it
        services.handover_open(actor=org.manager2, handover_id=handover.pk)
    assert [h.pk for h in selectors.handover_list(actor=org.data_admin)] == [handover.pk]
    assert selectors.may_sign(org.director, handover)
    assert not selectors.may_sign(org.manager, handover)


def test_a_customer_that_changed_hands_meanwhile_stays_where_it_is(org, book):
    handover = start(org, kind="transfer")
    moved = Customer.objects.get(pk=book[2].pk)
    with transaction.atomic():
        customers.customer_owner_set(
            actor=org.manager, customer=moved, owner=org.rep_c, reason="调整"
        )
    handover = sign(org, handover)
    assert Customer.objects.get(pk=book[2].pk).owner == org.rep_c
    assert handover.counts["skipped"] == 1
    assert handover.counts["customers"] == 4


def test_other_domains_hand_over_their_records_with_the_customers(org, book):
    """The hook opportunities (issue 11) will use: called with the moves, its counts added."""
    seen = {}

    def opportunities(*, handover, moves, actor):
        seen.update(moves)
        return {"opportunities": len(moves)}

    hooks.on_handed_over(opportunities)
    try:
        handover = sign(org, start(org))
    finally:
        hooks._HANDED_OVER.remove(opportunities)
    assert set(seen) == {c.pk for c in book}
    assert handover.counts["opportunities"] == 5
    assert Handover.objects.get(pk=handover.pk).counts["opportunities"] == 5
