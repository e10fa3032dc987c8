"""客户共享: a customer shared with a colleague, read-only or read-write, until a date; the data
scope honours shares and their expiry (crm.core.permissions), and nobody else gains anything."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.accounts.roles import ADD_FOLLOWUP, CHANGE_CUSTOMER, VIEW_CUSTOMER
from crm.activities import services as activities
from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied
from crm.core.permissions import allows, restrict, scope_terms
from crm.customers import selectors, services, shares
from crm.customers.models import Customer, CustomerShare
from crm.customers.selectors import CustomerFilters
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.testing import at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)
FRIDAY = MONDAY + dt.timedelta(days=4)


def share(actor, customer, user, mode="read", until=FRIDAY):
    return shares.customer_share(
        actor=actor,
        customer_id=customer.pk,
        data={"user": user.pk, "mode": mode, "until": until.isoformat()},
    )


def visible(actor, customer, action=VIEW_CUSTOMER):
    """Whether ``restrict`` and ``allows`` both say yes (they must agree)."""
    by_query = restrict(Customer.objects.all(), actor, action).filter(pk=customer.pk).exists()
    by_object = allows(actor, action, customer)
    assert by_query == by_object
    return by_query


def verbs(customer):
    return list(
        AuditEvent.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def names(actor, **filters):
    return [
        c.name
        for c in selectors.customer_list(actor=actor, filters=CustomerFilters(**filters)).items
    ]


@pytest.fixture
def wang(org, clock):
    clock(MONDAY, 9)
    return make_customer(org.rep_a, name="王先生")


# --- until a date -----------------------------------------------------------------------------


def test_a_rep_sees_a_customer_shared_with_them_until_the_date_and_not_the_day_after(
    org, clock, wang
):
    assert not visible(org.rep_c, wang)
    share(org.rep_a, wang, org.rep_c, until=FRIDAY)
    assert visible(org.rep_c, wang)
    clock(FRIDAY, 23, 59)  # the last day, to its end in the local time zone
    assert visible(org.rep_c, wang)
    assert selectors.customer_get(actor=org.rep_c, customer_id=wang.pk) == wang
    clock(FRIDAY + dt.timedelta(days=1), 0, 0)
    assert not visible(org.rep_c, wang)
    with pytest.raises(NotFound):
        selectors.customer_get(actor=org.rep_c, customer_id=wang.pk)


def test_revoking_ends_access_at_once(org, wang):
    s = share(org.rep_a, wang, org.rep_c)
    assert visible(org.rep_c, wang)
    shares.customer_unshare(actor=org.rep_a, customer_id=wang.pk, share_id=s.pk)
    assert not visible(org.rep_c, wang)
    assert not CustomerShare.objects.exists()
    assert verbs(wang)[-2:] == ["customer.shared", "customer.unshared"]
    event = AuditEvent.objects.get(verb="customer.unshared")
    assert event.changes == {
        "share.mode": ["read", None],
        "share.until": ["2026-11-27", None],
        "share.user": [org.rep_c.pk, None],
    }
    assert event.reason == "赵大勇"


# --- read-only, read-write ----------------------------------------------------------------------


def test_read_only_cannot_edit_nor_record_a_follow_up(org, wang):
    share(org.rep_a, wang, org.rep_c, mode="read")
    assert visible(org.rep_c, wang)
    assert not visible(org.rep_c, wang, CHANGE_CUSTOMER)
    assert not visible(org.rep_c, wang, ADD_FOLLOWUP)
    with pytest.raises(NotFound):
        services.customer_update(
            actor=org.rep_c, customer_id=wang.pk, version=wang.version, data={"city": "杭州"}
        )
    with pytest.raises(NotFound):
        activities.followup_record(
            actor=org.rep_c, customer_id=wang.pk, data={"kind": "call", "content": "问候"}
        )
    with pytest.raises(NotFound):
        activities.plan_create(
            actor=org.rep_c,
            customer_id=wang.pk,
            data={"method": "visit", "planned_at": at(FRIDAY, 15), "content": "看车"},
        )
    # reading its follow-ups and plans is open to them
    assert activities.followups_open(actor=org.rep_c, customer_id=wang.pk).items == []
    assert activities.customer_plans_open(actor=org.rep_c, customer_id=wang.pk) == []


def test_read_write_can_edit_record_a_follow_up_and_plan(org, wang):
    share(org.rep_a, wang, org.rep_c, mode="read_write")
    updated = services.customer_update(
        actor=org.rep_c, customer_id=wang.pk, version=wang.version, data={"city": "杭州"}
    )
    assert updated.city == "杭州"
    record = activities.followup_record(
        actor=org.rep_c, customer_id=wang.pk, data={"kind": "call", "content": "问候"}
    )
    assert record.staff == org.rep_c
    plan = activities.plan_create(
        actor=org.rep_c,
        customer_id=wang.pk,
        data={"method": "visit", "planned_at": at(FRIDAY, 15), "content": "看车"},
    )
    assert plan.customer == wang
    assert verbs(wang)[:3] == ["customer.created", "customer.shared", "customer.updated"]


def test_a_share_never_deletes_nor_assigns(org, wang):
    share(org.rep_a, wang, org.rep_c, mode="read_write")
    with pytest.raises(NotFound):
        services.customer_delete(actor=org.rep_c, customer_id=wang.pk)
    with pytest.raises(PermissionDenied):
        services.customer_update(
            actor=org.rep_c,
            customer_id=wang.pk,
            version=wang.version,
            data={"owner": org.rep_c.pk},
        )
    # nor passes the customer on
    with pytest.raises(NotFound):
        share(org.rep_c, wang, org.rep_b)
    assert Customer.objects.get(pk=wang.pk).owner == org.rep_a


# --- nobody else ---------------------------------------------------------------------------------


def test_nobody_else_gains_access(org, wang):
    share(org.rep_a, wang, org.rep_c, mode="read_write")
    for other in (org.rep_b, org.manager2, org.receptionist, org.sysadmin):
        assert not visible(other, wang), other
        assert not visible(other, wang, CHANGE_CUSTOMER), other
    # those who saw it before still do
    for before in (org.rep_a, org.manager, org.gm, org.data_admin):
        assert visible(before, wang), before


def test_a_share_with_a_manager_counts_beside_their_department(org, wang):
    assert not visible(org.manager2, wang)
    share(org.rep_a, wang, org.manager2)
    assert visible(org.manager2, wang)
    assert not visible(org.manager2, wang, CHANGE_CUSTOMER)


# --- list and search ------------------------------------------------------------------------------


def test_list_and_search_find_shared_customers(org, wang):
    make_customer(org.rep_b, name="王女士")
    make_customer(org.rep_c, name="王老板")
    assert names(org.rep_c, q="王") == ["王老板"]
    share(org.rep_a, wang, org.rep_c)
    assert names(org.rep_c) == ["王老板", "王先生"]
    assert names(org.rep_c, q="王") == ["王老板", "王先生"]
    assert names(org.rep_c, q="wxs") == ["王先生"]  # pinyin initials, found by id in the index
    assert names(org.rep_c, shared=True) == ["王先生"]
    assert names(org.rep_c, mine=True) == ["王老板"]
    terms = scope_terms(org.rep_c, VIEW_CUSTOMER, Customer)
    assert terms is not None
    assert terms.rows == (wang.pk,)


def test_the_workday_stays_the_reps_own(org, wang):
    share(org.rep_a, wang, org.rep_c, mode="read_write")
    from crm.activities import selectors as workday

    assert list(workday.my_customers(org.rep_c)) == []


# --- who may share, with whom, until when -------------------------------------------------------


def test_the_owner_shares_and_the_colleague_is_told(org, wang):
    s = share(org.rep_a, wang, org.rep_c, mode="read_write")
    assert (s.user, s.mode, s.until, s.shared_by) == (org.rep_c, "read_write", FRIDAY, org.rep_a)
    event = AuditEvent.objects.get(verb="customer.shared")
    assert event.changes == {
        "share.mode": [None, "read_write"],
        "share.until": [None, "2026-11-27"],
        "share.user": [None, org.rep_c.pk],
    }
    assert (event.actor, event.reason) == (org.rep_a, "赵大勇")
    assert event.details == {"share": s.pk, "user": org.rep_c.pk}
    note = Notification.objects.get(user=org.rep_c)
    assert note.kind == "customer_shared"
    assert "王先生" in note.title
    assert "可编辑" in note.title
    assert note.url == f"/customers/{wang.pk}/"


def test_sharing_again_changes_the_share(org, wang):
    share(org.rep_a, wang, org.rep_c)
    share(org.rep_a, wang, org.rep_c, mode="read_write", until=FRIDAY + dt.timedelta(days=7))
    s = CustomerShare.objects.get()
    assert (s.mode, s.until) == ("read_write", FRIDAY + dt.timedelta(days=7))
    event = AuditEvent.objects.filter(verb="customer.share_changed").get()
    assert event.changes == {
        "share.mode": ["read", "read_write"],
        "share.until": ["2026-11-27", "2026-12-04"],
    }
    # the same again is no change
    share(org.rep_a, wang, org.rep_c, mode="read_write", until=FRIDAY + dt.timedelta(days=7))
    assert verbs(wang).count("customer.share_changed") == 1


def test_the_manager_may_share_the_departments_customer_a_rep_only_their_own(org, wang):
    share(org.manager, wang, org.rep_b)
    assert visible(org.rep_b, wang)
    with pytest.raises(NotFound):
        share(org.rep_b, wang, org.rep_c)
    with pytest.raises(PermissionDenied):
        share(org.service_staff, wang, org.rep_c)


def test_only_an_active_colleague_who_may_own_customers_until_today_to_a_year(org, wang):
    with pytest.raises(Invalid) as refused:
        share(org.rep_a, wang, org.sysadmin)
    assert "user" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        share(org.rep_a, wang, org.rep_a)
    assert "user" in refused.value.fields
    org.rep_c.is_active = False
    org.rep_c.save()
    with pytest.raises(Invalid):
        share(org.rep_a, wang, org.rep_c)
    with pytest.raises(Invalid) as refused:
        share(org.rep_a, wang, org.rep_b, until=MONDAY - dt.timedelta(days=1))
    assert "until" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        share(org.rep_a, wang, org.rep_b, until=MONDAY + dt.timedelta(days=367))
    assert "until" in refused.value.fields
    share(org.rep_a, wang, org.rep_b, until=MONDAY)  # today is fine
    with pytest.raises(Invalid) as refused:
        share(org.rep_a, wang, org.rep_b, mode="owner")
    assert "mode" in refused.value.fields
    assert verbs(wang) == ["customer.created", "customer.shared"]


def test_expired_shares_are_pruned_after_a_month(org, clock, wang):
    share(org.rep_a, wang, org.rep_c, until=MONDAY)
    clock(MONDAY + dt.timedelta(days=30))
    assert shares.prune_expired() == 0
    clock(MONDAY + dt.timedelta(days=31))
    assert shares.prune_expired() == 1


def _all_pages(actor, **filters):
    seen, cursor = [], None
    while True:
        page = selectors.customer_list(
            actor=actor, filters=CustomerFilters(**filters), cursor=cursor, limit=2
        )
        seen += [c.name for c in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_a_list_with_shares_pages_and_counts_the_union_in_order(org, clock):
    # rep_c's own customers and two of rep_a's shared with them, entered in turn
    clock(MONDAY, 9)
    grades = iter("HABCO")
    for i, owner in enumerate((org.rep_c, org.rep_a, org.rep_c, org.rep_a, org.rep_c)):
        c = make_customer(owner, name=f"客户{i}", category="intention", grade=next(grades))
        if owner == org.rep_a:
            share(org.rep_a, c, org.rep_c)
    make_customer(org.rep_a, name="不共享")
    newest_first = ["客户4", "客户3", "客户2", "客户1", "客户0"]
    assert _all_pages(org.rep_c) == newest_first
    assert _all_pages(org.rep_c, sort="grade") == ["客户4", "客户0", "客户1", "客户2", "客户3"]
    assert _all_pages(org.rep_c, sort="-grade") == ["客户3", "客户2", "客户1", "客户0", "客户4"]
    assert _all_pages(org.rep_c, sort="-created") == newest_first
    assert _all_pages(org.rep_c, sort="created") == newest_first[::-1]
    count = selectors.customer_count(actor=org.rep_c, filters=CustomerFilters())
    assert count is not None
    assert (count.value, count.exact) == (5, True)
    # a share of a customer already in scope is not counted twice (the manager's department)
    share(org.rep_a, Customer.objects.get(name="客户1"), org.manager)
    count = selectors.customer_count(actor=org.manager, filters=CustomerFilters())
    assert count is not None
    assert count.value == 3
    assert len(_all_pages(org.manager)) == 3
