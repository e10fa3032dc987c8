"""数据核查 as the company's rule says it (售后服务部至少每季度1次对系统中数据进行数据核查，确保数据
时效性和真实性，营销部门作为所提供数据的时效性和真实性的第一责任人): the data administrator opens a
round, each supplying rep confirms or corrects their records by the deadline, and the round
reports its progress per rep and department, and what stayed unconfirmed."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.verification import selectors, services
from crm.verification.models import ItemState, RoundState, VerificationItem

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def records(org, clock):
    clock(MONDAY, 9)
    return {
        "a": [make_customer(org.rep_a, name=f"甲{i}") for i in range(3)],
        "b": [make_customer(org.rep_b, name=f"乙{i}") for i in range(2)],
        "c": [make_customer(org.rep_c, name=f"丙{i}") for i in range(1)],
    }


def open_round(org, **data):
    return services.round_open(
        actor=org.data_admin,
        data={
            "title": "四季度核查",
            "deadline": (MONDAY + dt.timedelta(days=7)).isoformat(),
            **data,
        },
    )


def item_of(round_, customer):
    return VerificationItem.objects.get(round=round_, customer=customer)


def test_each_supplying_rep_gets_their_records_and_is_told(org, records):
    round_ = open_round(org)
    assert round_.total == 6
    mine, count = selectors.my_items(actor=org.rep_a)
    assert count == 3
    assert {i.customer_id for i in mine} == {c.pk for c in records["a"]}
    # the manager sees the department's; a rep never a colleague's
    assert selectors.my_items(actor=org.manager)[1] == 5
    assert Notification.objects.filter(user=org.rep_a, kind="verification").count() == 1
    assert "3" in Notification.objects.get(user=org.rep_a).title


def test_progress_counts_confirmed_corrected_and_outstanding(org, records, clock):
    round_ = open_round(org)
    clock(MONDAY + dt.timedelta(days=1))
    services.item_confirm(actor=org.rep_a, item_id=item_of(round_, records["a"][0]).pk, data={})
    customer = records["a"][1]
    customer.refresh_from_db()
    services.item_correct(
        actor=org.rep_a,
        item_id=item_of(round_, customer).pk,
        data={"version": customer.version, "data": {"address": "北京市朝阳区建国路 1 号"}},
    )
    assert Customer.objects.get(pk=customer.pk).address == "北京市朝阳区建国路 1 号"
    services.item_confirm(actor=org.rep_c, item_id=item_of(round_, records["c"][0]).pk, data={})

    assert selectors.round_totals(round_) == {
        "total": 6,
        "confirmed": 2,
        "corrected": 1,
        "outstanding": 3,
    }
    by_rep = {
        p.name: (p.confirmed, p.corrected, p.outstanding) for p in selectors.progress_by_rep(round_)
    }
    assert by_rep == {"王小明": (1, 1, 1), "李小红": (0, 0, 2), "赵大勇": (1, 0, 0)}
    by_department = {
        p.name: (p.done, p.outstanding, p.percent) for p in selectors.progress_by_department(round_)
    }
    assert by_department == {"销售一部": (2, 3, 40), "销售二部": (1, 0, 100)}


def test_after_the_deadline_the_round_reports_the_unconfirmed_and_can_be_closed(
    org, records, clock
):
    round_ = open_round(org)
    services.item_confirm(actor=org.rep_b, item_id=item_of(round_, records["b"][0]).pk, data={})
    clock(MONDAY + dt.timedelta(days=8))
    assert selectors.overdue(round_)
    unconfirmed = selectors.items(round_, state=ItemState.PENDING)
    assert {i.customer_id for i in unconfirmed} == {
        *(c.pk for c in records["a"]),
        records["b"][1].pk,
        records["c"][0].pk,
    }
    assert services.round_remind(actor=org.data_admin, round_id=round_.pk) == 3
    closed = services.round_close(actor=org.data_admin, round_id=round_.pk)
    assert closed.state == RoundState.CLOSED
    with pytest.raises(StateConflict):
        services.item_confirm(actor=org.rep_a, item_id=item_of(round_, records["a"][0]).pk, data={})


def test_a_correction_is_the_normal_edit_or_nothing(org, records):
    round_ = open_round(org)
    item = item_of(round_, records["a"][0])
    with pytest.raises(StateConflict):  # "corrected" without any change to the record
        services.item_correct(actor=org.rep_a, item_id=item.pk, data={})
    with pytest.raises(NotFound):  # nor someone else's record
        services.item_confirm(actor=org.rep_b, item_id=item.pk, data={})
    services.item_confirm(actor=org.rep_a, item_id=item.pk, data={"note": "电话核实"})
    with pytest.raises(StateConflict):  # once
        services.item_confirm(actor=org.rep_a, item_id=item.pk, data={})


def test_a_round_over_those_not_verified_this_quarter(org, records):
    first = open_round(org, department=org.sales1.pk)
    assert first.total == 5  # 销售一部 only
    services.item_confirm(actor=org.rep_a, item_id=item_of(first, records["a"][0]).pk, data={})
    services.round_close(actor=org.data_admin, round_id=first.pk)
    second = open_round(org)
    # verified this quarter: left out; the rest of 销售一部 again, 销售二部 for the first time
    assert second.total == 5
    assert not VerificationItem.objects.filter(round=second, customer=records["a"][0]).exists()


def test_only_the_data_administrator_runs_rounds(org, records):
    with pytest.raises(PermissionDenied):
        services.round_open(actor=org.manager, data={"title": "x", "deadline": "2026-12-31"})
    with pytest.raises(Invalid):
        open_round(org, deadline="2026-01-01")
