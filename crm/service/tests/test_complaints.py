"""客户投诉管理: the service department registers a complaint, accepts it, works it with other
departments, resolves it and closes it with the customer's confirmation, or reopens it; every step
is audited; a missed deadline goes to the department manager, then to the general manager."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.accounts import services as accounts
from crm.activities.models import Notification
from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.service import selectors, services, stats
from crm.service.models import Complaint, State, Step
from crm.testing import PASSWORD, at

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _verbs(complaint: Complaint) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="service.complaint", object_id=str(complaint.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def _register(org, customer=None, **extra):
    data = {
        "complainant": "张先生",
        "phone": "13900001111",
        "channel": "hotline",
        "category": "product",
        "severity": "normal",
        "product": "X1 空调",
        "description": "新装空调不制冷",
        **extra,
    }
    if customer is not None:
        data["customer"] = customer.pk
    return services.complaint_register(actor=org.service_staff, data=data)


def _service_manager(org):
    """The manager of 客服部 (a manager's role in the service department)."""
    return accounts.user_create(
        actor=None,
        username="svc_mgr",
        password=PASSWORD,
        role="manager",
        department=org.service,
        full_name="韩经理",
        validate_password=False,
    )


def test_complaint_goes_from_registration_to_closure_and_every_step_is_audited(org, clock):
    clock(MONDAY, 10)
    customer = make_customer(org.rep_a, name="张先生")
    complaint = _register(org, customer)
    assert complaint.state == State.REGISTERED
    assert complaint.number == f"TS{complaint.pk:08d}"
    # normal: respond within 4 working hours, resolve within 24
    assert complaint.response_due == at(MONDAY, 14)
    services.complaint_accept(actor=org.service_staff, complaint_id=complaint.pk, data={})
    services.complaint_start(actor=org.service_staff, complaint_id=complaint.pk)
    services.complaint_add_collaborator(
        actor=org.service_staff,
        complaint_id=complaint.pk,
        data={"user": org.manager.pk, "task": "核实安装记录"},
    )
    services.complaint_note(
        actor=org.manager, complaint_id=complaint.pk, data={"text": "安装师傅已上门检查"}
    )
    services.complaint_resolve(
        actor=org.service_staff,
        complaint_id=complaint.pk,
        data={"resolution": "更换压缩机", "department": org.sales1.pk},
    )
    closed = services.complaint_close(
        actor=org.service_staff,
        complaint_id=complaint.pk,
        data={"satisfaction": 4, "customer_feedback": "满意"},
    )
    assert (closed.state, closed.is_open, closed.satisfaction) == (State.CLOSED, False, 4)
    assert closed.department == org.sales1
    assert _verbs(complaint) == [
        "complaint.registered",
        "complaint.accepted",
        "complaint.handling",
        "complaint.collaborator_added",
        "complaint.noted",
        "complaint.resolved",
        "complaint.closed",
    ]
    kinds = list(Step.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "accepted",
        "handling",
        "collaborator",
        "note",
        "resolved",
        "closed",
    ]
    # the collaborator was told
    assert Notification.objects.filter(user=org.manager, kind="complaint_collaborate").exists()


def test_a_resolved_complaint_the_customer_rejects_is_reopened_with_a_new_deadline(org, clock):
    clock(MONDAY, 10)
    complaint = _register(org)
    services.complaint_accept(actor=org.service_staff, complaint_id=complaint.pk, data={})
    services.complaint_resolve(
        actor=org.service_staff, complaint_id=complaint.pk, data={"resolution": "远程指导"}
    )
    clock(MONDAY + dt.timedelta(days=2), 10)
    reopened = services.complaint_reopen(
        actor=org.service_staff, complaint_id=complaint.pk, data={"reason": "仍不制冷"}
    )
    assert (reopened.state, reopened.reopened, reopened.resolved_at) == (State.REOPENED, 1, None)
    assert reopened.resolve_due == at(MONDAY + dt.timedelta(days=4), 16)  # 24 h from Wednesday
    assert _verbs(complaint)[-1] == "complaint.reopened"


@pytest.mark.parametrize(
    ("move", "data"),
    [
        ("complaint_close", {}),
        ("complaint_resolve", {"resolution": "x"}),
        ("complaint_start", None),
        ("complaint_reopen", {"reason": "x"}),
    ],
)
def test_a_move_from_the_wrong_state_is_a_conflict_and_changes_nothing(org, move, data):
    complaint = _register(org)
    if move == "complaint_start":
        call = lambda: services.complaint_start(actor=org.service_staff, complaint_id=complaint.pk)  # noqa: E731
    elif move == "complaint_resolve":
        call = lambda: services.complaint_resolve(  # noqa: E731
            actor=org.service_staff, complaint_id=complaint.pk, data=data
        )
    else:
        call = lambda: getattr(services, move)(  # noqa: E731
            actor=org.service_staff, complaint_id=complaint.pk, data=data
        )
    with pytest.raises(StateConflict):
        call()
    complaint.refresh_from_db()
    assert (complaint.state, complaint.version) == (State.REGISTERED, 1)
    assert _verbs(complaint) == ["complaint.registered"]


def test_only_the_service_department_registers_and_handles(org):
    with pytest.raises(PermissionDenied):
        services.complaint_register(
            actor=org.rep_a,
            data={"complainant": "x", "category": "product", "description": "y"},
        )
    complaint = _register(org)
    with pytest.raises(PermissionDenied):
        services.complaint_accept(actor=org.manager, complaint_id=complaint.pk, data={})


def test_a_rep_sees_their_customers_complaints_and_no_others(org):
    mine = _register(org, make_customer(org.rep_a, name="甲"))
    other = _register(org, make_customer(org.rep_c, name="乙"))
    seen = selectors.complaint_page(actor=org.rep_a, filters=selectors.ComplaintFilters()).items
    assert [c.pk for c in seen] == [mine.pk]
    with pytest.raises(NotFound):
        selectors.complaint_get(actor=org.rep_a, complaint_id=other.pk)
    # the manager of 销售一部 sees 销售一部's, the service department all
    assert [
        c.pk
        for c in selectors.complaint_page(
            actor=org.manager, filters=selectors.ComplaintFilters()
        ).items
    ] == [mine.pk]
    assert (
        len(
            selectors.complaint_page(
                actor=org.service_staff, filters=selectors.ComplaintFilters()
            ).items
        )
        == 2
    )


def test_a_collaborator_of_another_department_sees_the_complaint(org):
    complaint = _register(org, make_customer(org.rep_a, name="甲"))
    with pytest.raises(NotFound):
        selectors.complaint_get(actor=org.rep_c, complaint_id=complaint.pk)
    services.complaint_add_collaborator(
        actor=org.service_staff, complaint_id=complaint.pk, data={"user": org.rep_c.pk}
    )
    assert selectors.complaint_get(actor=org.rep_c, complaint_id=complaint.pk) == complaint
    with pytest.raises(StateConflict):  # not twice
        services.complaint_add_collaborator(
            actor=org.service_staff, complaint_id=complaint.pk, data={"user": org.rep_c.pk}
        )


def test_the_handler_must_be_able_to_handle_complaints(org):
    complaint = _register(org)
    with pytest.raises(Invalid) as refused:
        services.complaint_accept(
            actor=org.service_staff, complaint_id=complaint.pk, data={"handler": org.rep_a.pk}
        )
    assert "handler" in refused.value.fields


def test_the_handlers_queue_lists_open_complaints_soonest_deadline_first(org, clock):
    clock(MONDAY, 10)
    low = _register(org, severity="low", handler=org.service_staff.pk)
    critical = _register(org, severity="critical", handler=org.service_staff.pk)
    done = _register(org, handler=org.service_staff.pk)
    services.complaint_accept(actor=org.service_staff, complaint_id=done.pk, data={})
    services.complaint_resolve(
        actor=org.service_staff, complaint_id=done.pk, data={"resolution": "已处理"}
    )
    queue = selectors.complaint_queue(actor=org.service_staff)
    assert [c.pk for c in queue] == [critical.pk, low.pk]


def test_overdue_complaints_go_to_the_department_manager_then_the_general_manager(org, clock):
    # given 客服部 has a manager and a critical complaint is registered on Monday at 10:00
    boss = _service_manager(org)
    clock(MONDAY, 10)
    complaint = _register(org, severity="critical")  # respond by 11:00, resolve by 18:00
    services.complaint_accept(actor=org.service_staff, complaint_id=complaint.pk, data={})
    # when the resolution deadline passes: the department manager is told, once
    assert services.complaints_escalate(now=at(MONDAY, 17)) == 0
    clock(MONDAY, 18, 5)
    assert services.complaints_escalate() == 1
    assert services.complaints_escalate() == 0
    complaint.refresh_from_db()
    assert complaint.escalation == 1
    assert Notification.objects.filter(user=boss, kind="complaint_escalated").count() == 1
    assert not Notification.objects.filter(user=org.gm, kind="complaint_escalated").exists()
    # critical: to the general manager 4 working hours after the deadline (Tuesday 13:00)
    assert complaint.gm_due == at(MONDAY + dt.timedelta(days=1), 13)
    assert services.complaints_escalate(now=at(MONDAY + dt.timedelta(days=1), 12)) == 0
    clock(MONDAY + dt.timedelta(days=1), 13, 5)
    assert services.complaints_escalate() == 1
    complaint.refresh_from_db()
    assert complaint.escalation == 2
    assert Notification.objects.filter(user=org.gm, kind="complaint_escalated").count() == 1
    assert _verbs(complaint).count("complaint.escalated") == 2
    assert services.complaints_escalate() == 0


def test_an_unaccepted_complaint_escalates_on_its_response_deadline(org, clock):
    clock(MONDAY, 10)
    complaint = _register(org, severity="critical")
    clock(MONDAY, 11, 1)
    assert services.complaints_escalate() == 1
    complaint.refresh_from_db()
    assert complaint.escalation == 1
    # no manager in 客服部 nor above it with a department's scope: the general manager
    assert Notification.objects.filter(user=org.gm, kind="complaint_escalated").exists()


def test_a_closed_complaint_never_escalates(org, clock):
    clock(MONDAY, 10)
    complaint = _register(org, severity="critical")
    services.complaint_accept(actor=org.service_staff, complaint_id=complaint.pk, data={})
    services.complaint_resolve(
        actor=org.service_staff, complaint_id=complaint.pk, data={"resolution": "已处理"}
    )
    clock(MONDAY + dt.timedelta(days=7), 10)
    assert services.complaints_escalate() == 0


def test_the_monthly_statistics_count_by_category_sla_and_repeats(org, clock):
    clock(MONDAY, 10)
    customer = make_customer(org.rep_a, name="甲")
    first = _register(org, customer, category="product")
    second = _register(org, customer, category="service", product="")
    services.complaint_accept(actor=org.service_staff, complaint_id=first.pk, data={})
    services.complaint_resolve(
        actor=org.service_staff,
        complaint_id=first.pk,
        data={"resolution": "已处理", "department": org.sales1.pk},
    )
    clock(MONDAY + dt.timedelta(days=10), 10)  # the second was never accepted
    report = stats.monthly_report(actor=org.gm, month=MONDAY)
    assert report.total == 2
    assert {t.key: t.count for t in report.by_category} == {"product": 1, "service": 1}
    assert (report.response_met, report.response_missed) == (1, 1)
    assert (report.resolve_met, report.resolve_missed) == (1, 1)
    assert report.repeats == 1
    assert report.average_hours == 0.0
    assert [t.label for t in report.by_department] in (
        ["销售一部", "（未认定）"],
        ["（未认定）", "销售一部"],
    )
    assert len(report.trend) == 12
    assert report.trend[-1].count == 2
    assert second.pk


def test_the_monthly_export_keeps_formulas_as_text_and_is_audited(org, clock):
    import io

    from openpyxl import load_workbook

    clock(MONDAY, 10)
    _register(org, product='=HYPERLINK("http://evil")')
    export = stats.monthly_export(actor=org.gm, month=MONDAY)
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith("=")]
    assert risky
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert AuditEvent.objects.filter(verb="complaint.report_exported").count() == 1


def test_a_service_record_lands_on_the_customer(org):
    customer = make_customer(org.rep_a, name="甲")
    record = services.service_record_add(
        actor=org.service_staff,
        customer_id=customer.pk,
        data={"served_on": "2026-11-20", "content": "上门保养", "satisfaction": 5},
    )
    assert [
        r.pk for r in selectors.customer_service_records(actor=org.rep_a, customer_id=customer.pk)
    ] == [record.pk]
    assert AuditEvent.objects.filter(verb="service_record.created").count() == 1
    with pytest.raises(NotFound):  # another rep's customer
        services.service_record_add(
            actor=org.rep_c,
            customer_id=customer.pk,
            data={"served_on": "2026-11-20", "content": "x"},
        )
    with pytest.raises(Invalid):
        services.service_record_add(
            actor=org.service_staff,
            customer_id=customer.pk,
            data={"served_on": "2026-11-20", "content": "x", "satisfaction": 6},
        )


def test_the_workday_scheduler_escalates_every_few_minutes(org, clock, monkeypatch):
    from crm.activities import tasks as activities_tasks

    monkeypatch.setattr(activities_tasks, "_DAILY", {})  # other domains' daily jobs
    clock(MONDAY, 10)
    complaint = _register(org, severity="critical")
    now = clock(MONDAY, 11, 5)  # past the response deadline, unaccepted
    activities_tasks.Scheduler(digest_hour=23).tick(now)
    complaint.refresh_from_db()
    assert complaint.escalation == 1
