"""客户数据调用申请 through the API and the pages: a rep files it from the customer list's filter,
the director and then the general manager approve it on the approvals page, the rep downloads the
file once."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.customers.tests.factories import make_customer
from crm.governance.models import ApprovalRequest
from crm.retrieval.models import DataRequest, RequestState

WANT = {"purpose": "寄送新品目录", "recipient": "物流公司", "fields": ["name", "phone"]}


@pytest.fixture
def book(org):
    return [
        make_customer(org.rep_a, name="星河贸易", category="potential"),
        make_customer(org.rep_a, name="晨光商店", category="retained"),
        make_customer(org.rep_c, name="二部的客户"),
    ]


def test_the_api_files_decides_and_downloads_once(org, book, call):
    filed = call(org.rep_a, "POST", "data-requests", {**WANT, "filter": {"q": "星河"}})
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["number"].startswith("DY")
    assert body["record_count"] == 1
    assert body["state"] == "pending"
    assert body["criteria"] == {"q": "星河"}
    assert [f["label"] for f in body["fields"]] == ["名称", "手机"]
    rid, aid = body["id"], body["approval_id"]

    early = call(org.rep_a, "POST", f"data-requests/{rid}/export")
    assert early.status_code == 409
    assert early.json()["error"]["message"] == "该申请尚未审批通过"
    for who in (org.director, org.gm):
        decided = call(who, "POST", f"approvals/{aid}/decide", {"approve": True})
        assert decided.status_code == 200, decided.content
    assert call(org.rep_a, "GET", f"data-requests/{rid}").json()["state"] == "approved"

    got = call(org.rep_a, "POST", f"data-requests/{rid}/export")
    assert got.status_code == 200
    assert "attachment" in got["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(got.streaming_content))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "星河贸易" in values
    assert "晨光商店" not in values
    again = call(org.rep_a, "POST", f"data-requests/{rid}/export")
    assert again.status_code == 409
    after = call(org.rep_a, "GET", f"data-requests/{rid}").json()
    assert after["state"] == "exported"
    assert after["exported_rows"] == 1
    assert len(after["file_sha256"]) == 64


def test_the_api_refuses_bad_requests_with_the_field(org, book, call):
    bad = call(org.rep_a, "POST", "data-requests", {**WANT, "fields": ["salary"]})
    assert bad.status_code == 422
    blank = call(org.rep_a, "POST", "data-requests", {**WANT, "purpose": "  "})
    assert blank.status_code == 422
    assert blank.json()["error"]["fields"]["purpose"] == "请填写调用用途"
    other = call(org.rep_a, "POST", "data-requests", {**WANT, "customers": [book[2].pk]})
    assert other.status_code == 422
    assert call(org.receptionist, "POST", "data-requests", WANT).status_code == 403


def test_who_sees_a_request(org, book, call):
    rid = call(org.rep_a, "POST", "data-requests", WANT).json()["id"]
    for who, status in [
        (org.rep_a, 200),
        (org.manager, 200),  # the requester's department
        (org.director, 200),  # decides its first step
        (org.gm, 200),
        (org.data_admin, 200),  # the data-management department keeps the record
        (org.rep_b, 404),
        (org.manager2, 404),
    ]:
        assert call(who, "GET", f"data-requests/{rid}").status_code == status, who
    listed = call(org.manager2, "GET", "data-requests").json()
    assert listed == []


def test_the_pages_file_approve_and_download(org, book, as_user):
    client = as_user(org.rep_a)
    listing = client.get(reverse("web:customer_list"), {"category": "retained"})
    assert "申请导出" in listing.content.decode()

    form = client.get(reverse("web:data_request_new"), {"query": "category=retained"})
    assert form.status_code == 200
    page = form.content.decode()
    assert "共 1 条客户" in page
    assert "身份证号（对您遮挡）" in page  # a rep is not cleared for secret fields

    refused = client.post(
        reverse("web:data_request_new"),
        {"query": "category=retained", "purpose": "", "recipient": "物流公司", "columns": ["name"]},
    )
    assert refused.status_code == 422
    assert "物流公司" in refused.content.decode()  # what was typed is kept

    sent = client.post(
        reverse("web:data_request_new"),
        {
            "query": "category=retained",
            "purpose": "寄送礼品",
            "recipient": "物流公司",
            "columns": ["name", "phone"],
            "file_format": "xlsx",
        },
    )
    filed = DataRequest.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("web:data_request_detail", args=[filed.pk])
    assert filed.customer_ids == [book[1].pk]

    approval = ApprovalRequest.objects.get()
    for who in (org.director, org.gm):
        inbox = as_user(who).get(reverse("web:approval_list")).content.decode()
        assert "查看客户数据调用申请表" in inbox
        as_user(who).post(
            reverse("web:approval_decide", args=[approval.pk]), {"decision": "approve"}
        )
    client = as_user(org.rep_a)
    detail = client.get(reverse("web:data_request_detail", args=[filed.pk])).content.decode()
    assert "导出文件（仅一次）" in detail
    got = client.post(reverse("web:data_request_export", args=[filed.pk]))
    assert got.status_code == 200
    assert b"".join(got.streaming_content)[:2] == b"PK"
    again = client.post(reverse("web:data_request_export", args=[filed.pk]), follow=True)
    assert "已导出过一次" in again.content.decode()
    filed.refresh_from_db()
    assert filed.state == RequestState.EXPORTED
    listing = as_user(org.data_admin).get(reverse("web:data_request_list")).content.decode()
    assert filed.number in listing
    assert "已导出" in listing


# --- the export of other lists (orders, opportunities, complaints …) ----------------------


@pytest.fixture
def sold(org):
    from crm.orders.tests.factories import make_order, make_product

    product = make_product(org)
    return [
        make_order(org.rep_a, book_customer, product)
        for book_customer in (
            make_customer(org.rep_a, name="星河贸易"),
            make_customer(org.rep_a, name="晨光商店"),
        )
    ]


def test_the_api_exports_a_list_by_its_filter(org, sold, call):
    catalogue = call(org.rep_a, "GET", "list-exports/fields").json()
    orders = next(c for c in catalogue if c["target"] == "orders")
    assert {"code": "contact_phone", "label": "联系电话"} in orders["fields"]

    filed = call(
        org.rep_a,
        "POST",
        "list-exports",
        {
            "target": "orders",
            "purpose": "核对",
            "recipient": "财务部",
            "fields": ["number", "customer"],
            "filter": {"q": "星河"},
        },
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert (body["target"], body["record_count"], body["state"]) == ("orders", 1, "approved")
    assert [f["label"] for f in body["fields"]] == ["订单编号", "客户"]
    got = call(org.rep_a, "POST", f"data-requests/{body['id']}/export")
    assert got.status_code == 200
    values = [
        c.value
        for row in load_workbook(io.BytesIO(b"".join(got.streaming_content))).active.iter_rows()
        for c in row
    ]
    assert "星河贸易" in values
    assert "晨光商店" not in values

    bad = call(
        org.rep_a,
        "POST",
        "list-exports",
        {**WANT, "target": "orders", "fields": ["number"], "filter": {"state": 7}},
    )
    assert bad.status_code == 422
    assert "filter.state" in bad.json()["error"]["fields"]
    nobody = {**WANT, "target": "orders", "fields": ["number"]}
    assert call(org.receptionist, "POST", "list-exports", nobody).status_code == 403


def test_the_order_list_links_to_its_export_with_its_filter(org, sold, as_user):
    client = as_user(org.rep_a)
    listing = client.get(reverse("web:order_list"), {"q": "星河"}).content.decode()
    assert f'action="{reverse("web:list_export_new", args=["orders"])}"' in listing
    assert 'name="query" value="q=%E6%98%9F%E6%B2%B3"' in listing
    # the button sends the list's address as it is (app.js: after htmx filtered it)
    by_button = client.get(reverse("web:list_export_new", args=["orders"]), {"query": "q=星河"})
    assert "共 1 条" in by_button.content.decode()

    url = reverse("web:list_export_new", args=["orders"])
    form = client.get(url, {"q": "星河"}).content.decode()
    assert "导出订单" in form
    assert "共 1 条" in form
    assert "无需审批" in form

    kept = client.post(url, {"query": "q=星河", "purpose": "", "recipient": "财务部"})
    assert kept.status_code == 422
    assert "财务部" in kept.content.decode()  # what was typed is kept

    sent = client.post(
        url,
        {
            "query": "q=星河",
            "purpose": "核对",
            "recipient": "财务部",
            "columns": ["number", "customer"],
            "file_format": "csv",
        },
    )
    filed = DataRequest.objects.get()
    assert sent["Location"] == reverse("web:data_request_detail", args=[filed.pk])
    assert filed.record_ids == [sold[0].pk]
    detail = client.get(sent["Location"]).content.decode()
    assert "订单导出申请" in detail
    assert "订单导出申请表" in detail  # the printed form names what it exports
    assert "客户数据调用申请表" not in detail
    assert "导出文件（仅一次）" in detail
    got = client.post(reverse("web:data_request_export", args=[filed.pk]))
    assert "星河贸易" in b"".join(got.streaming_content).decode("utf-8-sig")

    wrong = client.get(url, {"state": "nonsense"}).content.decode()
    assert "field-error" in wrong
    assert client.get(reverse("web:list_export_new", args=["salaries"])).status_code == 404
