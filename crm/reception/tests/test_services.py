"""The reception rules of 顾客门户管理规定, through the desk's services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.activities.models import Notification
from crm.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from crm.customers import lifecycle
from crm.customers.choices import Category
from crm.governance.models import AuditEvent
from crm.reception import selectors, services
from crm.reception.choices import Assignment, ComplaintState, Penalty, SeatStatus, VisitKind
from crm.reception.models import SalesCredit, Seat, Visit
from crm.testing import PASSWORD, Org

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def _rep(org: Org, username: str, name: str) -> User:
    return accounts.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role="rep",
        department=org.sales1,
        full_name=name,
        validate_password=False,
    )


@pytest.fixture
def desk(org: Org) -> list[User]:
    """销售一部's rotation: 王小明, 李小红, 刘三 in that order."""
    third = _rep(org, "rep_d", "刘三")
    reps = [org.rep_a, org.rep_b, third]
    services.rotation_set(actor=org.manager, data={"users": [u.pk for u in reps]})
    return reps


def _seat(user: User) -> Seat:
    return Seat.objects.get(user=user)


def _status(org: Org, user: User, status: str) -> None:
    services.seat_set_status(
        actor=org.receptionist, seat_id=_seat(user).pk, data={"status": status}
    )


def _walk_in(org: Org, name: str, phone: str = "", **more: object) -> Visit:
    data = {"channel": "visit", "name": name, "phone": phone, **more}
    return services.visit_register(actor=org.receptionist, data=data)


def _done(org: Org, visit: Visit) -> None:
    assert visit.served_by is not None
    _status(org, visit.served_by, SeatStatus.ON_DUTY)


def test_new_customers_are_served_in_turn_and_each_rep_is_busy_until_done(
    org: Org, desk: list[User], clock: object
) -> None:
    first = _walk_in(org, "张先生", "13800000001")
    second = _walk_in(org, "李女士", "13800000002")
    assert (first.served_by, second.served_by) == (desk[0], desk[1])
    assert first.assignment == Assignment.ROTATION
    assert first.kind == VisitKind.FIRST
    assert first.customer.owner == desk[0]  # the customer belongs to who first served them
    assert _seat(desk[0]).status == SeatStatus.BUSY
    _done(org, first)
    third = _walk_in(org, "赵先生")
    fourth = _walk_in(org, "钱先生")
    assert (third.served_by, fourth.served_by) == (desk[2], desk[0])
    assert [first.turn, second.turn, third.turn, fourth.turn] == [1, 2, 3, 4]
    assert Notification.objects.filter(user=desk[0], kind="reception").count() == 2


def test_a_rep_away_on_business_gets_a_make_up_turn_for_each_turn_missed(
    org: Org, desk: list[User]
) -> None:
    a, b, c = desk
    _status(org, b, SeatStatus.AWAY)
    served = []
    for i in range(4):  # a, c, a, c: b's turn passed twice
        visit = _walk_in(org, f"客户{i}")
        served.append(visit.served_by)
        _done(org, visit)
    assert served == [a, c, a, c]
    assert _seat(b).owed == 2
    _status(org, b, SeatStatus.ON_DUTY)  # 外出销售员归来：空几轮，补接几名新客户
    first, second = _walk_in(org, "补一"), None
    _done(org, first)
    second = _walk_in(org, "补二")
    _done(org, second)
    assert (first.served_by, second.served_by) == (b, b)
    assert first.assignment == Assignment.MAKE_UP
    assert _seat(b).owed == 0
    assert _walk_in(org, "之后").served_by == a  # then the rotation goes on where it was


def test_a_first_time_customer_who_names_a_rep_goes_to_them_outside_the_rotation(
    org: Org, desk: list[User]
) -> None:
    a, b, _c = desk
    named = _walk_in(org, "点名客户", named_rep=b.pk)
    assert named.served_by == b
    assert named.assignment == Assignment.NAMED
    assert named.turn is None
    assert named.customer.owner == b
    # nobody's turn was used: the rotation's next new customer still goes to the first rep
    assert _walk_in(org, "下一位").served_by == a


def test_a_returning_customer_goes_to_the_owner_and_counts_as_nobodys_turn(
    org: Org, desk: list[User]
) -> None:
    a, b, _c = desk
    first = _walk_in(org, "老客户", "13800000009")
    _done(org, first)
    again = _walk_in(org, "老客户", "13800000009")
    assert again.kind == VisitKind.RETURNING
    assert again.assignment == Assignment.OWNER
    assert again.served_by == a
    assert again.turn is None
    _done(org, again)
    assert _walk_in(org, "新客户").served_by == b


def test_a_returning_customer_whose_owner_is_away_is_served_for_them_as_a_courtesy(
    org: Org, desk: list[User]
) -> None:
    a, b, _c = desk
    _done(org, _walk_in(org, "老客户", "13800000009"))
    _status(org, a, SeatStatus.AWAY)
    again = _walk_in(org, "老客户", "13800000009")
    assert again.assignment == Assignment.COURTESY
    assert again.served_by == b
    assert again.owner == a
    assert again.turn is None
    assert again.customer.owner == a  # ownership stays with the rep who first served them
    assert Notification.objects.filter(user=a, title__contains="代为接待").exists()
    _done(org, again)
    assert _walk_in(org, "新客户").served_by == b  # the courtesy used nobody's turn


def test_a_deal_the_same_day_as_a_courtesy_reception_splits_the_credit_50_50(
    org: Org, desk: list[User], clock: object
) -> None:
    a, b, _c = desk
    clock(TODAY, 10)  # type: ignore[operator]
    first = _walk_in(org, "老客户", "13800000009")
    _done(org, first)
    _status(org, a, SeatStatus.AWAY)
    clock(TODAY + dt.timedelta(days=3), 15)  # type: ignore[operator]
    courtesy = _walk_in(org, "老客户", "13800000009")
    customer = courtesy.customer
    lifecycle.customer_transition(
        actor=org.manager,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.INTENTION,
        grade="H",
    )
    customer.refresh_from_db()
    lifecycle.customer_transition(
        actor=org.manager,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.RETAINED,
        deal_on=TODAY + dt.timedelta(days=3),
    )
    credits = {c.user: c.share for c in SalesCredit.objects.filter(customer=customer)}
    assert credits == {a: Decimal("0.50"), b: Decimal("0.50")}
    assert AuditEvent.objects.filter(verb="credit.recorded").count() == 2


def test_a_deal_on_another_day_stays_the_owners_and_the_help_a_courtesy(
    org: Org, desk: list[User], clock: object
) -> None:
    a, _b, _c = desk
    clock(TODAY, 10)  # type: ignore[operator]
    _done(org, _walk_in(org, "老客户", "13800000009"))
    _status(org, a, SeatStatus.AWAY)
    courtesy = _walk_in(org, "老客户", "13800000009")
    clock(TODAY + dt.timedelta(days=1), 10)  # type: ignore[operator]
    customer = courtesy.customer
    lifecycle.customer_transition(
        actor=org.manager,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.INTENTION,
        grade="H",
    )
    customer.refresh_from_db()
    lifecycle.customer_transition(
        actor=org.manager,
        customer_id=customer.pk,
        version=customer.version,
        to=Category.RETAINED,
        deal_on=TODAY + dt.timedelta(days=1),
    )
    credits = {c.user: c.share for c in SalesCredit.objects.filter(customer=customer)}
    assert credits == {a: Decimal("1.00")}


def test_nobody_free_is_a_clear_refusal_and_nothing_is_registered(
    org: Org, desk: list[User]
) -> None:
    for user in desk:
        _status(org, user, SeatStatus.AWAY)
    with pytest.raises(Conflict) as refused:
        _walk_in(org, "张先生", "13800000001")
    assert "没有在岗且空闲的销售顾问" in str(refused.value.message)
    assert not Visit.objects.exists()


def test_the_lookup_tells_the_desk_the_number_owner_and_last_visit_and_is_logged(
    org: Org, desk: list[User]
) -> None:
    visit = _walk_in(org, "老客户", "13800000009")
    found = services.customer_lookup(actor=org.receptionist, data={"query": "138 0000 0009"})
    assert found is not None
    assert (found.number, found.owner_name, found.last_visit_at) == (
        visit.customer.number,
        "王小明",
        visit.at,
    )
    assert services.customer_lookup(actor=org.receptionist, data={"query": "13900000000"}) is None
    by_number = services.customer_lookup(
        actor=org.receptionist, data={"query": str(visit.customer.number).lower()}
    )
    assert by_number == found
    logged = AuditEvent.objects.filter(verb="reception.lookup").order_by("id")
    assert [e.details["found"] for e in logged] == [True, False, True]
    assert all("13800000009" not in str(e.details) for e in logged)


def test_a_rep_cannot_register_at_the_desk_nor_look_up_phones(org: Org, desk: list[User]) -> None:
    with pytest.raises(PermissionDenied):
        services.visit_register(actor=org.rep_a, data={"channel": "visit", "name": "x"})
    with pytest.raises(PermissionDenied):
        services.customer_lookup(actor=org.rep_a, data={"query": "13800000009"})


def test_another_showrooms_desk_is_out_of_reach(org: Org, desk: list[User]) -> None:
    with pytest.raises(NotFound):
        services.visit_register(
            actor=org.receptionist,
            data={"channel": "visit", "name": "x", "department": org.sales2.pk},
        )


def test_the_rotation_survives_a_restart(org: Org, desk: list[User]) -> None:
    _walk_in(org, "一")
    _status(org, desk[1], SeatStatus.AWAY)
    _walk_in(org, "二")
    # a new process reads the rotation from the database
    fresh = selectors.board(
        desk=services.desk_for(actor=org.receptionist, action="reception.register_visit"),
        actor=org.receptionist,
    )
    assert [s.owed for s in fresh.seats] == [0, 1, 0]
    assert [s.user for s in fresh.serving] == [desk[0], desk[2]]
    assert fresh.next is None  # 王小明 and 刘三 are serving, 李小红 is away
    _status(org, desk[1], SeatStatus.ON_DUTY)
    assert selectors.board(desk=fresh.desk, actor=org.receptionist).next == _seat(desk[1])


def test_a_complaint_is_decided_by_the_manager_with_the_seeds_penalty_and_shows_on_the_record(
    org: Org, desk: list[User]
) -> None:
    a, b, _c = desk
    complaint = services.complaint_file(
        actor=b, data={"kind": "grab", "accused": a.pk, "description": "抢了我的老客户"}
    )
    with pytest.raises(Invalid):
        services.complaint_decide(
            actor=org.manager,
            complaint_id=complaint.pk,
            data={"state": "upheld", "finding": "属实"},
        )
    decided = services.complaint_decide(
        actor=org.manager,
        complaint_id=complaint.pk,
        data={"state": "upheld", "finding": "经查属实", "penalty": Penalty.DAY_BASE},
    )
    assert decided.state == ComplaintState.UPHELD
    assert decided.decided_by == org.manager
    record = selectors.rep_record(actor=a, user_id=a.pk)
    assert [c.penalty for c in record.complaints] == [Penalty.DAY_BASE]
    with pytest.raises(NotFound):
        services.complaint_decide(
            actor=org.manager2,
            complaint_id=complaint.pk,
            data={"state": "dismissed", "finding": "x"},
        )
    verbs = list(
        AuditEvent.objects.filter(object_type="reception.complaint").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["complaint.decided", "complaint.filed"]


def test_the_daily_summary_counts_per_day_rep_channel_and_source_first_against_returning(
    org: Org, desk: list[User], clock: object
) -> None:
    _a, b, _c = desk
    clock(TODAY, 10)  # type: ignore[operator]
    _done(org, _walk_in(org, "一", "13800000001", source="douyin"))
    _done(org, _walk_in(org, "二", "13800000002"))
    clock(TODAY + dt.timedelta(days=1), 10)  # type: ignore[operator]
    call = services.visit_register(
        actor=org.receptionist, data={"channel": "call", "name": "一", "phone": "13800000001"}
    )
    _done(org, call)
    summary = selectors.daily_summary(
        actor=org.manager, start=TODAY, end=TODAY + dt.timedelta(days=1)
    )
    assert [(d["day"], d["total"], d["first"], d["returning"]) for d in summary.days] == [
        (TODAY, 2, 2, 0),
        (TODAY + dt.timedelta(days=1), 1, 0, 1),
    ]
    assert {r["name"]: r["total"] for r in summary.reps} == {"王小明": 2, "李小红": 1}
    assert {c["channel"]: c["total"] for c in summary.channels} == {"visit": 2, "call": 1}
    assert {s["label"]: s["total"] for s in summary.sources} == {"抖音": 1, "—": 2}
    assert summary.total == {"total": 3, "first": 2, "returning": 1, "visit": 2, "call": 1}
    # a rep's summary holds only the receptions that were theirs
    mine = selectors.daily_summary(actor=b, start=TODAY, end=TODAY + dt.timedelta(days=1))
    assert mine.total["total"] == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_registrations_at_the_same_moment_never_take_the_same_turn(org: Org) -> None:
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database has one writer: nothing runs in parallel")
    reps = [org.rep_a, org.rep_b, _rep(org, "rep_d", "刘三"), _rep(org, "rep_e", "孙四")]
    services.rotation_set(actor=org.manager, data={"users": [u.pk for u in reps]})
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def register(i: int) -> None:
        try:
            start.wait()
            services.visit_register(
                actor=org.receptionist, data={"channel": "visit", "name": f"同时{i}"}
            )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    visits = list(Visit.objects.order_by("turn"))
    assert [v.turn for v in visits] == [1, 2, 3, 4]
    assert sorted(v.served_by_id or 0 for v in visits) == sorted(u.pk for u in reps)
