"""客户数据调用申请 as the company's rules put it (客户数据管理制度 七.4): 如需提供客户资料，应提供
客户数据调用申请表，由部门总监批准，并由总经理同时批准，方可提供. The export is produced once,
before it expires, masked to the requester's clearance, watermarked and logged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from crm.core.errors import Invalid, NotFound, PermissionDenied, StateConflict
from crm.customers import services as customers
from crm.customers.tests.factories import make_customer
from crm.governance import approvals
from crm.governance.models import AuditEvent
from crm.governance.selectors import EXPORT_VERBS, AuditFilters, access_events
from crm.retrieval import services
from crm.retrieval.models import RequestState

WANT = {
    "purpose": "年终答谢会邀请名单",
    "recipient": "市场部 活动外包公司",
    "fields": ["name", "phone", "id_number", "owner"],
}


@pytest.fixture
def book(org):
    return [
        make_customer(
            org.rep_a, name="星河贸易", phone="13912345678", id_number="11010519491231002X"
        ),
        make_customer(org.rep_a, name='=HYPERLINK("http://x")', phone="13912345679"),
        make_customer(org.rep_c, name="二部的客户"),
    ]


def _file(org, **extra):
    return services.request_file(actor=org.rep_a, data={**WANT, **extra})


def _decide(request, who, approve=True, note=""):
    return approvals.approval_decide(
        actor=who, request_id=request.approval_id, approve=approve, note=note
    )


def _rows(export):
    sheet = load_workbook(io.BytesIO(export.file.read())).active
    return [[c for c in row] for row in sheet.iter_rows()]


def test_a_retrieval_needs_the_director_and_then_the_general_manager(org, book):
    request = _file(org)
    assert request.state == RequestState.PENDING
    assert request.record_count == 2  # the rep's own customers, not another department's
    with pytest.raises(StateConflict):
        services.request_export(actor=org.rep_a, request_id=request.pk)

    # the manager is not the department director: not theirs to approve
    assert [u.username for u in approvals.deciders(request.approval)] == ["director"]
    with pytest.raises(NotFound):
        _decide(request, org.manager)
    # the director first; the general manager after; only then is there a file
    with pytest.raises(PermissionDenied):
        _decide(request, org.gm)
    _decide(request, org.director)
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    with pytest.raises(StateConflict):
        services.request_export(actor=org.rep_a, request_id=request.pk)
    _decide(request, org.gm)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert request.expires_at == request.approved_at + dt.timedelta(hours=72)


def test_the_file_is_produced_once_watermarked_masked_and_logged(org, book):
    request = _file(org)
    _decide(request, org.director)
    _decide(request, org.gm)

    export = services.request_export(actor=org.rep_a, request_id=request.pk)
    rows = _rows(export)
    text = [[c.value for c in row] for row in rows]
    # the watermark: the request's number, who and when, at the top and on every row
    assert text[0][0] == f"客户数据调用 {request.number}"
    assert text[1][:2] == ["申请人", "王小明"]
    assert text[2][1] == "年终答谢会邀请名单"
    assert text[3][1] == "市场部 活动外包公司"
    head = next(i for i, r in enumerate(text) if r[0] == "名称")
    assert text[head] == ["名称", "手机", "销售顾问", "身份证号", "水印"]
    data = text[head + 1 :]
    assert len(data) == 2
    assert export.rows == 2
    assert all(r[-1].startswith(f"{request.number}/王小明/") for r in data)
    # the rep sees the phones of their own customers, never an ID number (密级: secret)
    star = next(r for r in data if r[0] == "星河贸易")
    assert star[1] == "13912345678"
    assert star[2] == "王小明"
    assert star[3] == "1101**********002X"
    # text typed as a formula stays text
    formula = next(c for row in rows[head + 1 :] for c in row if str(c.value).startswith("="))
    assert formula.data_type == "s"
    assert formula.quotePrefix
    # the printed page carries it too
    sheet = load_workbook(io.BytesIO(_again(export))).active
    assert request.number in sheet.oddHeader.center.text

    request.refresh_from_db()
    assert request.state == RequestState.EXPORTED
    assert request.exported_rows == 2
    assert len(request.file_sha256) == 64
    assert request.file_sha256 == export.sha256
    # once: a second download is refused
    with pytest.raises(StateConflict, match="已导出过一次"):
        services.request_export(actor=org.rep_a, request_id=request.pk)
    # logged: the export, and each customer's access log finds it
    event = AuditEvent.objects.get(verb="retrieval.exported")
    assert event.actor == org.rep_a
    assert event.details["count"] == 2
    assert event.details["sha256"] == export.sha256
    for customer in book[:2]:
        found = access_events(
            actor=org.data_admin,
            filters=AuditFilters(customer=customer.pk, verbs=EXPORT_VERBS),
        )
        assert [e.pk for e in found] == [event.pk]
    assert not access_events(
        actor=org.data_admin, filters=AuditFilters(customer=book[2].pk, verbs=EXPORT_VERBS)
    )


def _again(export):
    export.file.seek(0)
    return export.file.read()


def test_a_csv_file_is_formula_safe_and_watermarked(org, book):
    request = _file(org, file_format="csv", fields=["name", "phone"])
    _decide(request, org.director)
    _decide(request, org.gm)
    export = services.request_export(actor=org.rep_a, request_id=request.pk)
    assert export.filename.endswith(".csv")
    raw = export.file.read()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == [f"客户数据调用 {request.number}"]
    names = [line[0] for line in lines if line and line[-1].startswith(request.number)]
    assert '\'=HYPERLINK("http://x")' in names
    assert "星河贸易" in names


def test_an_approved_request_expires(org, book, clock):
    request = _file(org)
    _decide(request, org.director)
    _decide(request, org.gm)
    request.refresh_from_db()
    clock(request.expires_at + dt.timedelta(minutes=1))
    with pytest.raises(StateConflict, match="过期"):
        services.request_export(actor=org.rep_a, request_id=request.pk)


@override_settings(CRM_RETRIEVAL_EXPIRY_HOURS=1)
def test_the_expiry_is_configurable(org, book):
    request = _file(org)
    _decide(request, org.director)
    _decide(request, org.gm)
    request.refresh_from_db()
    assert request.expires_at - request.approved_at == dt.timedelta(hours=1)


def test_a_rejection_by_the_director_ends_it_and_the_general_manager_is_never_asked(org, book):
    request = _file(org)
    _decide(request, org.director, approve=False, note="用途不明确")
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    assert request.decision_note == "用途不明确"
    assert approvals.approvals_to_decide(actor=org.gm) == []
    with pytest.raises(StateConflict, match="未获批准"):
        services.request_export(actor=org.rep_a, request_id=request.pk)


def test_only_the_requester_downloads(org, book):
    request = _file(org)
    _decide(request, org.director)
    _decide(request, org.gm)
    with pytest.raises(PermissionDenied):
        services.request_export(actor=org.director, request_id=request.pk)
    with pytest.raises(NotFound):
        services.request_export(actor=org.rep_c, request_id=request.pk)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED  # still there for the requester


def test_customers_outside_the_requesters_scope_cannot_be_asked_for(org, book):
    with pytest.raises(Invalid) as refused:
        _file(org, customers=[book[0].pk, book[2].pk])
    assert "customers" in refused.value.fields
    chosen = _file(org, customers=[book[0].pk])
    assert chosen.customer_ids == [book[0].pk]
    # a filter reads the list as the requester sees it
    assert _file(org, filter={"q": "星河"}).customer_ids == [book[0].pk]
    with pytest.raises(Invalid) as empty:
        _file(org, filter={"q": "二部的客户"})
    assert "filter" in empty.value.fields


@override_settings(CRM_RETRIEVAL_MAX_RECORDS=1)
def test_one_request_holds_at_most_the_configured_number_of_customers(org, book):
    with pytest.raises(Invalid) as refused:
        _file(org)
    assert "最多调用 1 条" in refused.value.fields["filter"]


def test_a_customer_deleted_after_approval_is_left_out(org, book):
    request = _file(org)
    _decide(request, org.director)
    _decide(request, org.gm)
    customers.customer_delete(actor=org.data_admin, customer_id=book[0].pk)
    export = services.request_export(actor=org.rep_a, request_id=request.pk)
    assert export.rows == 1
    assert AuditEvent.objects.get(verb="retrieval.exported").details["skipped"] == 1


def test_a_directors_request_goes_to_the_general_manager_alone(org, book):
    request = services.request_file(actor=org.director, data=WANT)
    assert request.approval is not None
    assert [s.label for s in approvals.steps_of(request.approval)] == ["总经理"]
    _decide(request, org.gm)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert request.record_count == 3


def test_the_general_managers_own_request_is_signed_when_filed(org, book):
    request = services.request_file(actor=org.gm, data=WANT)
    assert request.approval is None
    assert request.state == RequestState.APPROVED
    assert services.request_export(actor=org.gm, request_id=request.pk).rows == 3


def test_the_request_form_says_what_is_missing(org, book):
    with pytest.raises(Invalid) as refused:
        services.request_file(actor=org.rep_a, data={"fields": ["nope"], "purpose": " "})
    assert {"purpose", "recipient"} <= set(refused.value.fields)
    assert any(k.startswith("fields") for k in refused.value.fields)
    # the front desk reads no customer files and asks for none
    with pytest.raises(PermissionDenied):
        services.request_file(actor=org.receptionist, data=WANT)


@override_settings(CRM_BULK_READ_THRESHOLD=2)
def test_exporting_more_of_the_access_log_than_the_threshold_is_refused(org, book):
    from crm.governance import services as governance
    from crm.governance.selectors import AuditFilters

    few = AuditFilters(verbs=("customer.created",), customer=book[0].pk)
    content, n = governance.access_log_export(actor=org.data_admin, filters=few, labels={})
    assert n == 1
    assert content
    many = AuditFilters(verbs=("customer.created",))
    with pytest.raises(PermissionDenied) as refused:
        governance.access_log_export(actor=org.data_admin, filters=many, labels={})
    assert "超过 2 条" in str(refused.value.message)
    assert not AuditEvent.objects.filter(verb="access_log.exported", details__count=3).exists()


def test_the_request_is_audited_with_what_and_why(org, book):
    request = _file(org)
    event = AuditEvent.objects.get(verb="retrieval.requested")
    assert event.object_id == str(request.pk)
    assert event.changes["purpose"] == [None, "年终答谢会邀请名单"]
    assert event.changes["count"] == [None, 2]
    assert timezone.now() - event.created_at < dt.timedelta(minutes=1)


@override_settings(CRM_EXPORT_DIRECT_MAX=2)
def test_a_company_may_let_small_exports_through_without_approval(org, book):
    small = _file(org)  # two customers: at the limit
    assert small.approval is None
    assert small.state == RequestState.APPROVED
    assert services.request_export(actor=org.rep_a, request_id=small.pk).rows == 2
    # still once, still logged
    with pytest.raises(StateConflict):
        services.request_export(actor=org.rep_a, request_id=small.pk)
    big = services.request_file(actor=org.director, data=WANT)  # three: the chain applies
    assert big.approval is not None
