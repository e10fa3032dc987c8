"""The order API as a client uses it: the procedure end to end, the error contract of its
refusals, the printable form, and a list whose query count does not grow with its rows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.orders import licences

from .factories import REQUIREMENTS, make_order, make_product, make_reviewers


@pytest.fixture
def product(org):
    return make_product(org, device_class="III", device_code="6821")


@pytest.fixture
def buyer(org):
    return make_customer(
        org.rep_a, name="宁波仁济医院", kind="organization", category="intention", grade="A"
    )


def test_the_procedure_through_the_api(org, call, product, buyer):
    reviewers = make_reviewers(org)
    created = call(
        org.rep_a,
        "POST",
        "orders",
        {
            "customer": buyer.pk,
            "verbal": True,
            "currency": "CNY",
            "lines": [{"product": product.pk, "quantity": 2, "size": "标准"}],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["number"].startswith("SO")
    assert order["total"] == "24000.00"
    submitted = call(
        org.rep_a, "POST", f"orders/{order['id']}/submit", {"version": 1, **REQUIREMENTS}
    )
    assert submitted.json()["review"]["state"] == "reviewing"
    waiting = call(reviewers.quality, "GET", "order-reviews").json()
    assert [w["areas"] for w in waiting] == [["quality"]]
    for area, user in reviewers.by_area().items():
        response = call(user, "POST", f"orders/{order['id']}/reviews/{area}", {"approve": True})
        assert response.status_code == 200, response.content
    body = call(org.gm, "GET", f"orders/{order['id']}").json()
    assert body["review"]["state"] == "awaiting"  # a verbal order waits for its confirmation
    refused = call(org.gm, "POST", f"orders/{order['id']}/sign", {"approve": True})
    assert refused.status_code == 409
    mail = SimpleUploadedFile(
        "confirm.eml", b"From: a@example.com\nSubject: PO\n\nconfirmed", content_type="text/plain"
    )
    uploaded = call(org.rep_a, "POST", f"orders/{order['id']}/files?kind=email", files=[mail])
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()[0]["content_type"] == "message/rfc822"
    signed = call(org.gm, "POST", f"orders/{order['id']}/sign", {"approve": True})
    assert signed.json()["state"] == "confirmed"
    assert Customer.objects.get(pk=buyer.pk).category == "retained"
    pdf = call(org.rep_a, "GET", f"orders/{order['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"/STSong-Light" in pdf.content  # the reader's own Chinese font: none embedded
    assert b"UniGB-UCS2-H" in pdf.content


def test_a_stale_version_is_a_conflict(org, call, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    call(org.rep_a, "PATCH", f"orders/{order.pk}", {"version": 1, "notes": "先到先改"})
    stale = call(org.rep_a, "PATCH", f"orders/{order.pk}", {"version": 1, "notes": "后改"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"


def test_an_expired_licence_refuses_the_submission_in_the_callers_language(org, call, product):
    dealer = make_customer(
        org.rep_a,
        name="康宁医疗器械",
        kind="organization",
        company_type="agent",
        category="intention",
        grade="B",
    )
    licences.licence_create(
        actor=org.rep_a,
        data={
            "customer": dealer.pk,
            "number": "浙械经营许2019001号",
            "classes": ["III"],
            "expires_on": "2020-12-31",
        },
    )
    order = make_order(org.rep_a, dealer, product)
    refused = call(org.rep_a, "POST", f"orders/{order.pk}/submit", {"version": 1, **REQUIREMENTS})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "state_conflict"
    assert "多参数监护仪" in error["message"]
    assert "2020-12-31" in error["message"]
    english = call(
        org.rep_a, "POST", f"orders/{order.pk}/submit", {"version": 1, **REQUIREMENTS}, lang="en"
    )
    assert "expired on 2020-12-31" in english.json()["error"]["message"]


def test_a_missing_requirement_is_named(org, call, product, buyer):
    order = make_order(org.rep_a, buyer, product)
    response = call(org.rep_a, "POST", f"orders/{order.pk}/submit", {"version": 1})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"stated_quality", "stated_delivery"}
    blank = {**REQUIREMENTS, "stated_quality": " "}
    response = call(org.rep_a, "POST", f"orders/{order.pk}/submit", {"version": 1, **blank})
    assert response.json()["error"]["fields"]["stated_quality"] == "请填写质量要求"


def test_the_order_list_reads_a_fixed_number_of_queries(org, call, product, buyer):
    make_order(org.rep_a, buyer, product)
    call(org.rep_a, "GET", "orders")  # the token, the session and the caches warmed

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert call(org.rep_a, "GET", "orders").status_code == 200
        return len(queries)

    few = count()
    for _ in range(5):
        make_order(org.rep_a, buyer, product)
    assert count() == few
