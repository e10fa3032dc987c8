"""The front desk in the browser's shoes (without JavaScript): register, look up, keep what was
typed on a refusal, the rotation's order, a complaint decided, where the front desk lands."""

from __future__ import annotations

import re

import pytest

from crm.customers.models import Customer
from crm.reception import services
from crm.reception.models import Complaint, Seat, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotation(org):
    services.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk, org.rep_b.pk]})
    return org


def test_the_front_desk_lands_on_its_desk(org, as_user):
    response = as_user(org.receptionist).get("/")
    assert response["Location"] == "/reception/"


def test_a_walk_in_registered_at_the_desk_goes_to_the_next_rep_and_the_screen_says_so(
    rotation, as_user
):
    org = rotation
    client = as_user(org.receptionist)
    page = client.get("/reception/").content.decode()
    assert re.search(r"data-next>王小明<", page)
    response = client.post(
        "/reception/",
        {"channel": "visit", "name": "张先生", "phone": "13800000001", "party_size": "2"},
        follow=True,
    )
    body = response.content.decode()
    assert "已登记 张先生：轮流接待，由 王小明 接待" in body
    assert re.search(r"data-next>李小红<", body)
    visit = Visit.objects.get()
    assert (visit.party_size, visit.customer.owner) == (2, org.rep_a)


def test_a_refused_registration_keeps_what_was_typed(rotation, as_user):
    org = rotation
    for seat in Seat.objects.all():
        services.seat_set_status(actor=org.manager, seat_id=seat.pk, data={"status": "away"})
    response = as_user(org.receptionist).post(
        "/reception/", {"channel": "call", "name": "李女士", "interest": "三居室"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "没有在岗且空闲的销售顾问" in body
    assert 'value="李女士"' in body
    assert 'value="三居室"' in body
    assert not Visit.objects.exists()


def test_the_lookup_tells_the_desk_the_owner_and_registers_the_return_to_them(rotation, as_user):
    org = rotation
    client = as_user(org.receptionist)
    client.post("/reception/", {"channel": "visit", "name": "老客户", "phone": "13800000009"})
    customer = Customer.objects.get()
    page = client.post("/reception/lookup/", {"phone": "138 0000 0009", "name": "老客户"})
    body = page.content.decode()
    assert customer.number in body
    assert "王小明" in body
    assert f'name="customer" value="{customer.pk}"' in body
    assert "13800000009" not in body.replace('value="138 0000 0009"', "")
    services.seat_set_status(
        actor=org.manager, seat_id=Seat.objects.get(user=org.rep_a).pk, data={"status": "on_duty"}
    )
    client.post("/reception/", {"channel": "visit", "name": "老客户", "customer": str(customer.pk)})
    again = Visit.objects.order_by("-id").first()
    assert again is not None
    assert (again.kind, again.served_by, again.turn) == ("returning", org.rep_a, None)


def test_the_manager_orders_the_rotation(rotation, as_user, org):
    response = as_user(org.manager).post(
        "/reception/rotation/", {f"u{org.rep_b.pk}": "1", f"u{org.rep_a.pk}": "2"}
    )
    assert response.status_code == 302
    assert [s.user for s in Seat.objects.order_by("position")] == [org.rep_b, org.rep_a]


def test_a_complaint_is_filed_and_decided_on_the_complaints_page(rotation, as_user, org):
    filed = as_user(org.rep_b).post(
        "/reception/complaints/",
        {"kind": "grab", "accused": str(org.rep_a.pk), "description": "抢我的客户"},
    )
    assert filed.status_code == 302
    complaint = Complaint.objects.get()
    refused = as_user(org.manager).post(
        f"/reception/complaints/{complaint.pk}/decide/", {"state": "upheld", "finding": "属实"}
    )
    assert refused.status_code == 422
    assert "属实的投诉请选择处罚" in refused.content.decode()
    as_user(org.manager).post(
        f"/reception/complaints/{complaint.pk}/decide/",
        {"state": "upheld", "finding": "属实", "penalty": "day_base"},
    )
    record = as_user(org.rep_a).get(f"/reception/record/{org.rep_a.pk}/").content.decode()
    assert "扣当日基本工资" in record


def test_the_general_manager_opens_on_a_desk_with_a_rotation_and_may_switch(rotation, as_user):
    org = rotation
    services.rotation_set(actor=org.manager2, data={"users": [org.rep_c.pk]})  # 销售二部's desk too
    page = as_user(org.gm).get("/reception/").content.decode()
    assert '<small class="muted">销售一部</small>' in page  # not the head office's empty desk
    assert f'value="{org.sales2.pk}"' in page  # the switch offers 销售二部
    other = as_user(org.gm).get(f"/reception/?desk={org.sales2.pk}").content.decode()
    assert re.search(r"data-next>赵大勇<", other)
