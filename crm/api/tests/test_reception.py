"""The reception desk through the API: what the front desk does at a walk-in, as it reads in
the rules (顾客门户管理规定), and what each role sees of it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from crm.governance.models import AuditEvent
from crm.reception import services
from crm.reception.models import Seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotation(org):
    services.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk, org.rep_b.pk]})
    return org


def test_the_desk_looks_up_registers_and_sees_the_rotation_move(rotation, call):
    org = rotation
    desk = call(org.receptionist, "GET", f"reception/desks/{org.sales1.pk}").json()
    assert (desk["next"]["user"]["name"], desk["follows"]["user"]["name"]) == ("王小明", "李小红")

    unknown = call(org.receptionist, "POST", "reception/lookup", {"query": "13800000001"})
    assert unknown.json()["found"] is False
    walk_in = {"channel": "visit", "name": "张先生", "phone": "13800000001", "party_size": 2}
    created = call(org.receptionist, "POST", "reception/visits", walk_in)
    assert created.status_code == 201, created.content
    visit = created.json()
    assert (visit["served_by"]["name"], visit["assignment"], visit["turn"]) == (
        "王小明",
        "rotation",
        1,
    )
    desk = call(org.receptionist, "GET", f"reception/desks/{org.sales1.pk}").json()
    assert desk["next"]["user"]["name"] == "李小红"
    assert [s["status"] for s in desk["seats"]] == ["busy", "on_duty"]

    known = call(org.receptionist, "POST", "reception/lookup", {"query": "138-0000-0001"}).json()
    assert known["found"] is True
    assert (known["number"], known["owner"]["name"]) == (visit["customer_number"], "王小明")
    assert "phone" not in known  # the desk never sees the file


def test_nobody_free_is_a_409_in_the_error_contract_and_the_form_loses_nothing(rotation, call):
    org = rotation
    for seat in Seat.objects.all():
        call(org.receptionist, "POST", f"reception/seats/{seat.pk}/status", {"status": "away"})
    refused = call(org.receptionist, "POST", "reception/visits", {"channel": "call", "name": "李"})
    assert refused.status_code == 409
    assert "没有在岗且空闲的销售顾问" in refused.json()["error"]["message"]


def test_a_rep_sets_their_own_status_but_not_a_colleagues(rotation, call):
    org = rotation
    mine = Seat.objects.get(user=org.rep_a)
    theirs = Seat.objects.get(user=org.rep_b)
    away = call(org.rep_a, "POST", f"reception/seats/{mine.pk}/status", {"status": "away"})
    assert away.json()["status_label"] == "外出"
    refused = call(org.rep_a, "POST", f"reception/seats/{theirs.pk}/status", {"status": "off"})
    assert refused.status_code == 404


def test_the_summary_file_neutralises_formulas_and_is_logged(rotation, call):
    org = rotation
    call(org.receptionist, "POST", "reception/visits", {"channel": "visit", "name": "=1+2"})
    response = call(org.manager, "GET", "reception/summary.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(c.value == "王小明" for c in cells)
    assert not any(str(c.value).startswith("=") and c.data_type == "f" for c in cells)
    assert AuditEvent.objects.filter(verb="report.exported", actor=org.manager).count() == 1
    summary = call(org.manager, "GET", "reception/summary").json()
    assert summary["total"] == {"total": 1, "first": 1, "returning": 0, "visit": 1, "call": 0}


def test_a_complaint_is_filed_decided_and_on_the_reps_record(rotation, call):
    org = rotation
    filed = call(
        org.rep_b,
        "POST",
        "reception/complaints",
        {"kind": "grab", "accused": org.rep_a.pk, "description": "抢我的老客户"},
    )
    assert filed.status_code == 201
    complaint = filed.json()["id"]
    half = call(
        org.manager,
        "POST",
        f"reception/complaints/{complaint}/decision",
        {"state": "upheld", "finding": "属实"},
    )
    assert half.status_code == 422
    assert "penalty" in half.json()["error"]["fields"]
    decided = call(
        org.manager,
        "POST",
        f"reception/complaints/{complaint}/decision",
        {"state": "upheld", "finding": "属实", "penalty": "month_base_half_bonus"},
    )
    assert decided.json()["penalty_label"] == "扣当月基本工资及当月奖金的50%"
    again = call(
        org.manager,
        "POST",
        f"reception/complaints/{complaint}/decision",
        {"state": "dismissed", "finding": "改判"},
    )
    assert again.status_code == 409
    record = call(org.rep_a, "GET", f"reception/record/{org.rep_a.pk}").json()
    assert [c["penalty"] for c in record["complaints"]] == ["month_base_half_bonus"]
