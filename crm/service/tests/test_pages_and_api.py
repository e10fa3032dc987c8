"""The service pages and API: a complaint registered, worked and closed through the pages and
through the API, its printable form, the monthly report and its Excel file, the SLA table and the
calendar, service records on the customer's page; list endpoints' query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.service import services
from crm.service.models import CalendarDay, Complaint, ServiceRecord, SlaPolicy

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def test_a_complaint_from_registration_to_closure_through_the_pages(org, as_user, clock):
    clock(MONDAY, 10)
    customer = make_customer(org.rep_a, name="星河机械")
    client = as_user(org.service_staff)
    # given the registration form
    assert client.get(reverse("web:complaint_new")).status_code == 200
    response = client.post(
        reverse("web:complaint_new"),
        {
            "complainant": "王总",
            "phone": "13911112222",
            "customer": customer.pk,
            "channel": "hotline",
            "category": "product",
            "severity": "high",
            "product": "A3 机床",
            "description": "主轴异响",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("web:complaint_detail", args=[complaint.pk])
    act = reverse("web:complaint_act", args=[complaint.pk])
    # when it is accepted, worked, resolved and closed
    assert client.post(act, {"op": "accept"}).status_code == 302
    assert client.post(act, {"op": "start"}).status_code == 302
    assert client.post(act, {"op": "note", "note-text": "已派工程师"}).status_code == 302
    resolved = client.post(
        act,
        {"op": "resolve", "resolve-resolution": "更换轴承", "resolve-department": org.sales1.pk},
    )
    assert resolved.status_code == 302
    refused = client.post(act, {"op": "close", "close-satisfaction": "9"})
    assert refused.status_code == 422
    closed = client.post(
        act, {"op": "close", "close-satisfaction": "5", "close-customer_feedback": "满意"}
    )
    assert closed.status_code == 302
    # then it is closed, and the printed form carries every step
    complaint.refresh_from_db()
    assert (complaint.state, complaint.satisfaction) == ("closed", 5)
    printed = client.get(reverse("web:complaint_print", args=[complaint.pk])).content.decode()
    for text in (
        "客户投诉处理表",
        complaint.number,
        "主轴异响",
        "更换轴承",
        "已派工程师",
        "销售一部",
    ):
        assert text in printed
    # and the customer's rep sees it on the customer's page
    page = as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    assert complaint.number in page.content.decode()


def test_a_move_the_state_refuses_shows_the_reason(org, as_user):
    complaint = services.complaint_register(
        actor=org.service_staff,
        data={"complainant": "王总", "category": "product", "description": "x"},
    )
    client = as_user(org.service_staff)
    response = client.post(
        reverse("web:complaint_act", args=[complaint.pk]),
        {"op": "close", "close-satisfaction": "5"},
    )
    assert response.status_code == 422
    assert "不能进行此操作" in response.content.decode()


def test_the_lists_show_the_queue_and_the_overdue(org, as_user, clock):
    clock(MONDAY, 10)
    complaint = services.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "category": "product",
            "severity": "critical",
            "description": "x",
            "handler": org.service_staff.pk,
        },
    )
    client = as_user(org.service_staff)
    queue = client.get(reverse("web:complaint_list") + "?view=queue")
    assert complaint.number in queue.content.decode(), queue
    clock(MONDAY + dt.timedelta(days=2), 10)
    client = as_user(org.service_staff)  # a new session: the old one has been idle for days
    overdue = client.get(reverse("web:complaint_list") + "?view=overdue").content.decode()
    assert complaint.number in overdue


def test_managers_edit_the_sla_table_and_the_calendar(org, as_user):
    client = as_user(org.manager)
    response = client.post(
        reverse("web:sla_settings"),
        {
            "op": "sla",
            "severity": "high",
            "high-response_hours": 3,
            "high-resolve_hours": 12,
            "high-gm_after_hours": 6,
        },
    )
    assert response.status_code == 302
    assert SlaPolicy.objects.get(severity="high").resolve_hours == 12
    added = client.post(
        reverse("web:sla_settings"),
        {"op": "day", "day": "2026-12-31", "kind": "holiday", "name": "盘点"},
    )
    assert added.status_code == 302
    assert CalendarDay.objects.get(day="2026-12-31").kind == "holiday"
    client.post(reverse("web:sla_settings"), {"op": "day_delete", "day": "2026-12-31"})
    assert not CalendarDay.objects.filter(day="2026-12-31").exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"sla.updated", "calendar.day_set", "calendar.day_deleted"} <= verbs


def test_a_service_record_from_the_customer_page(org, as_user):
    customer = make_customer(org.rep_a, name="星河机械")
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:service_record_create", args=[customer.pk]),
        {"served_on": "2026-11-20", "content": "回访保养情况", "satisfaction": 4},
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.get().staff == org.rep_a
    page = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert "回访保养情况" in page


def test_the_monthly_report_page_and_its_workbook(org, as_user, clock):
    clock(MONDAY, 10)
    services.complaint_register(
        actor=org.service_staff,
        data={"complainant": "王总", "category": "product", "description": "x", "product": "A3"},
    )
    client = as_user(org.gm)
    page = client.get(reverse("web:complaint_report") + "?month=2026-11")
    assert page.status_code == 200
    assert 'data-chart="trend-chart"' in page.content.decode()
    export = client.get(reverse("web:complaint_report_export") + "?month=2026-11")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert as_user(org.rep_a).get(reverse("web:complaint_report")).status_code == 403


def test_a_complaint_through_the_api(org, call, clock):
    clock(MONDAY, 10)
    customer = make_customer(org.rep_a, name="星河机械")
    created = call(
        org.service_staff,
        "POST",
        "service/complaints",
        {
            "complainant": "王总",
            "phone": "13911112222",
            "category": "delivery",
            "description": "交期延误",
            "customer": customer.pk,
        },
    )
    assert created.status_code == 201
    body = created.json()
    base = f"service/complaints/{body['id']}"
    assert body["response_due"] == "2026-11-23T06:00:00Z"  # 14:00 in Shanghai
    assert call(org.service_staff, "POST", f"{base}/accept", {}).status_code == 200
    assert call(org.service_staff, "POST", f"{base}/close", {}).json()["error"]["code"] == (
        "state_conflict"
    )
    resolved = call(org.service_staff, "POST", f"{base}/resolve", {"resolution": "加急发货"})
    assert resolved.json()["state"] == "resolved"
    closed = call(org.service_staff, "POST", f"{base}/close", {"satisfaction": 4})
    assert (closed.json()["state"], closed.json()["satisfaction"]) == ("closed", 4)
    assert [s["kind"] for s in closed.json()["steps"]] == [
        "registered",
        "accepted",
        "resolved",
        "closed",
    ]
    # the rep sees their customer's complaint with the phone masked or not as their role says
    seen = call(org.rep_a, "GET", base).json()
    assert seen["number"] == body["number"]
    report = call(org.gm, "GET", "service/complaints/report?month=2026-11").json()
    assert (report["total"], report["resolve_met"]) == (1, 1)


def test_the_api_lists_answer_in_a_fixed_number_of_queries(
    org, call, django_assert_max_num_queries
):
    for n in range(5):
        services.complaint_register(
            actor=org.service_staff,
            data={
                "complainant": f"客户{n}",
                "category": "product",
                "description": "x",
                "handler": org.service_staff.pk,
            },
        )
    call(org.service_staff, "GET", "me")  # the token issued outside the count
    with django_assert_max_num_queries(12):
        assert len(call(org.service_staff, "GET", "service/complaints/queue").json()) == 5
    with django_assert_max_num_queries(12):
        assert len(call(org.service_staff, "GET", "service/complaints").json()["items"]) == 5


def test_the_calendar_through_the_api(org, call):
    day = call(org.gm, "PUT", "service/calendar/2027-02-11", {"kind": "holiday", "name": "春节"})
    assert day.status_code == 200
    assert (
        call(org.gm, "PUT", "service/calendar/2027-13-40", {"kind": "holiday"}).status_code == 422
    )
    days = call(org.service_staff, "GET", "service/calendar?year=2027").json()
    assert {"day": "2027-02-11", "kind": "holiday", "name": "春节"} in days
    assert call(org.gm, "DELETE", "service/calendar/2027-02-11").status_code == 204
    assert call(org.gm, "DELETE", "service/calendar/2027-02-11").status_code == 404
