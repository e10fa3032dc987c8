"""Exporting a list other than customers (orders, opportunities, complaints …), as the data
rules put it (客户数据管理制度): the rows the requester sees by the list's own filter; customer
data in them masked to the requester's clearance (密级); a few rows at once, more only with the
department director's and the general manager's signatures; every file watermarked with who and
when, formulas kept as text, and the export logged where each customer's access log finds it."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from crm.activities import services as activities
from crm.core.errors import Invalid, StateConflict
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance import services as governance
from crm.governance.confidentiality import Level
from crm.governance.models import AuditEvent
from crm.governance.selectors import EXPORT_VERBS, AuditFilters, access_events
from crm.orders.tests.factories import make_order, make_product
from crm.retrieval import services
from crm.retrieval.models import RequestState
from crm.service import services as service

WHY = {"purpose": "季度订单核对", "recipient": "财务部"}


@pytest.fixture
def orders(org):
    product = make_product(org)
    star = make_customer(org.rep_a, name="星河贸易", phone="13912345678")
    formula = make_customer(org.rep_a, name='=HYPERLINK("http://x")')
    other = make_customer(org.rep_c, name="二部的客户")
    return {
        "star": make_order(org.rep_a, star, product, contact_phone="13900001111"),
        "formula": make_order(org.rep_a, formula, product),
        "other": make_order(org.rep_c, other, product),
    }


def _sheet(export):
    rows = list(load_workbook(io.BytesIO(export.file.read())).active.iter_rows())
    text = [[c.value for c in row] for row in rows]
    return rows, text


def _export(actor, **data):
    return services.list_export_file(actor=actor, data={**WHY, **data})


def test_a_few_orders_are_exported_at_once_masked_watermarked_and_logged(org, orders):
    # phones are made secret (密级): a rep no longer sees them, in a file neither
    governance.confidentiality_update(
        actor=org.data_admin, levels={"phone": Level.SECRET}, clearances={}
    )
    request = _export(
        org.rep_a,
        target="orders",
        fields=["number", "customer", "contact_phone", "total", "created_by"],
    )
    # two rows are below the bulk-read threshold: nobody else signs
    assert request.state == RequestState.APPROVED
    assert request.record_count == 2  # the rep's own orders, not the other department's

    export = services.request_export(actor=org.rep_a, request_id=request.pk)
    rows, text = _sheet(export)
    assert text[0][0] == f"订单导出 {request.number}"
    assert text[1][:2] == ["申请人", "王小明"]
    assert text[2][1] == "季度订单核对"
    head = next(i for i, r in enumerate(text) if r[0] == "订单编号")
    # in the catalogue's order, whatever the order asked
    assert text[head] == ["订单编号", "客户", "订单金额", "联系电话", "登记人", "水印"]
    data = text[head + 1 :]
    assert [r[0] for r in data] == [orders["formula"].number, orders["star"].number]
    star = data[1]
    assert star[1] == "星河贸易"
    assert star[3] == "139****1111"  # the order's contact phone is masked as the customer's
    assert star[4] == "王小明"
    assert all(r[-1].startswith(f"{request.number}/王小明/") for r in data)
    formula = rows[head + 1][1]
    assert formula.value.startswith("=")
    assert formula.data_type == "s"
    assert formula.quotePrefix

    # once, and logged where each customer's access log finds it
    with pytest.raises(StateConflict, match="已导出过一次"):
        services.request_export(actor=org.rep_a, request_id=request.pk)
    event = AuditEvent.objects.get(verb="retrieval.exported")
    assert event.details["target"] == "orders"
    assert event.details["count"] == 2
    found = access_events(
        actor=org.data_admin,
        filters=AuditFilters(customer=orders["star"].customer_id, verbs=EXPORT_VERBS),
    )
    assert [e.pk for e in found] == [event.pk]
    assert not access_events(
        actor=org.data_admin,
        filters=AuditFilters(customer=orders["other"].customer_id, verbs=EXPORT_VERBS),
    )


@override_settings(CRM_BULK_READ_THRESHOLD=1)
def test_more_rows_than_the_threshold_wait_for_the_director_and_the_general_manager(org, orders):
    request = _export(org.rep_a, target="orders", fields=["number"])
    assert request.state == RequestState.PENDING
    assert "订单导出申请" in request.approval.title
    with pytest.raises(StateConflict, match="尚未审批通过"):
        services.request_export(actor=org.rep_a, request_id=request.pk)
    for who in (org.director, org.gm):
        approvals.approval_decide(actor=who, request_id=request.approval_id, approve=True)
    export = services.request_export(actor=org.rep_a, request_id=request.pk)
    assert export.rows == 2


def test_the_list_filter_is_the_list_pages_and_bad_input_is_named(org, orders):
    signing = _export(org.manager, target="orders", fields=["number"], filter={"q": "星河"})
    assert signing.record_count == 1
    assert signing.criteria == {"q": "星河"}

    with pytest.raises(Invalid) as bad:
        _export(org.rep_a, target="orders", fields=["number"], filter={"state": "lost"})
    assert "filter.state" in bad.value.fields
    with pytest.raises(Invalid) as unknown:
        _export(org.rep_a, target="orders", fields=["number"], filter={"colour": "red"})
    assert "filter.colour" in unknown.value.fields
    with pytest.raises(Invalid) as field:
        _export(org.rep_a, target="orders", fields=["number", "secret_sauce"])
    assert "secret_sauce" in field.value.fields["fields"]
    with pytest.raises(Invalid) as none:
        _export(org.rep_a, target="orders", fields=["number"], filter={"q": "没有这个客户"})
    assert "没有符合条件的记录" in none.value.fields["filter"]


def test_complaints_show_the_complainants_phone_only_to_those_who_see_phones(org):
    service.complaint_register(
        actor=org.service_staff,
        data={
            "complainant": "王总",
            "phone": "13800138000",
            "category": "product",
            "description": "设备异响",
        },
    )
    seen = _export(org.service_staff, target="complaints", fields=["complainant", "phone"])
    _rows, text = _sheet(services.request_export(actor=org.service_staff, request_id=seen.pk))
    assert text[-1][:2] == ["王总", "13800138000"]

    governance.confidentiality_update(
        actor=org.data_admin, levels={"phone": Level.SECRET}, clearances={}
    )
    hidden = _export(
        org.service_staff, target="complaints", fields=["complainant", "phone"], file_format="csv"
    )
    export = services.request_export(actor=org.service_staff, request_id=hidden.pk)
    lines = list(csv.reader(io.StringIO(export.file.read().decode("utf-8-sig"))))
    assert lines[0] == [f"投诉导出 {hidden.number}"]
    assert lines[-1][:2] == ["王总", "138****8000"]


def test_follow_up_records_of_the_customers_one_sees_by_kind_and_day(org):
    mine = make_customer(org.rep_a, name="王先生", category="intention", grade="A")
    theirs = make_customer(org.rep_c, name="二部客户", category="intention", grade="A")
    for customer, actor, kind, text in (
        (mine, org.rep_a, "call", "客户嫌贵"),
        (mine, org.rep_a, "visit", "上门拜访"),
        (theirs, org.rep_c, "call", "二部的电话"),
    ):
        visit = {"place": "客户公司", "purpose": "送资料"} if kind == "visit" else {}
        activities.followup_record(
            actor=actor, customer_id=customer.pk, data={"kind": kind, "content": text, **visit}
        )
    calls = _export(
        org.rep_a,
        target="followups",
        fields=["customer", "kind", "content"],
        filter={"kind": "call"},
    )
    _rows, text = _sheet(services.request_export(actor=org.rep_a, request_id=calls.pk))
    assert text[-1][:3] == ["王先生", "电话", "客户嫌贵"]
    assert calls.record_count == 1

    everything = _export(org.manager, target="followups", fields=["content"])
    assert everything.record_count == 2  # the manager's department: not 销售二部's
    by_rep = _export(org.gm, target="followups", fields=["content"], filter={"staff": org.rep_c.pk})
    assert by_rep.record_count == 1
    assert by_rep.criteria == {"staff": org.rep_c.pk}

    with pytest.raises(Invalid) as backwards:
        _export(org.rep_a, target="followups", fields=["content"], filter={"since": "2026-13-01"})
    assert "filter.since" in backwards.value.fields


def test_opportunities_are_the_open_ones_unless_the_filter_says_otherwise(org):
    from crm.sales import selectors as sales_selectors
    from crm.sales import services as sales

    buyer = make_customer(org.rep_a, name="机会客户", category="intention", grade="B")
    assert sales_selectors.pipeline_get(None) is not None
    for name in ("设备采购", "配件采购"):
        sales.opportunity_create(
            actor=org.rep_a, data={"name": name, "customer": buyer.pk, "amount": "50000"}
        )
    won = sales.opportunity_create(
        actor=org.rep_a, data={"name": "已成交", "customer": buyer.pk, "amount": "1000"}
    )
    sales.opportunity_win(actor=org.rep_a, opportunity_id=won.pk, data={"version": 1})

    open_ones = _export(org.rep_a, target="opportunities", fields=["name", "customer", "status"])
    assert open_ones.record_count == 2  # as the list shows them: the open ones
    assert open_ones.criteria == {"status": "open"}
    every = _export(org.rep_a, target="opportunities", fields=["name"], filter={"status": ""})
    assert every.record_count == 3
    _rows, text = _sheet(services.request_export(actor=org.rep_a, request_id=open_ones.pk))
    assert text[-1] == ["设备采购", "机会客户", "进行中", text[-1][-1]]


def test_visits_of_a_period_with_the_visitors_name_as_the_customers(org):
    from crm.reception import services as reception

    reception.rotation_set(actor=org.manager, data={"users": [org.rep_a.pk]})
    reception.visit_register(
        actor=org.receptionist, data={"channel": "visit", "name": "李女士", "interest": "三居室"}
    )
    today = _export(org.manager, target="visits", fields=["name", "interest"])
    assert today.record_count == 1
    _rows, text = _sheet(services.request_export(actor=org.manager, request_id=today.pk))
    assert text[-1][:2] == ["李女士", "三居室"]

    with pytest.raises(Invalid) as backwards:
        _export(
            org.manager,
            target="visits",
            fields=["name"],
            filter={"start": "2026-03-02", "end": "2026-03-01"},
        )
    assert "filter.end" in backwards.value.fields
