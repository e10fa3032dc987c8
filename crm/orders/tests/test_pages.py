"""The order pages as each person uses them: the rep registers and submits an order, each
department reviews it on the order page, the general manager signs it; the catalogue, the
licences and the payments pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer
from crm.orders.models import Order

from .factories import REQUIREMENTS, make_order, make_product, make_reviewers, review_all, submit


@pytest.fixture
def product(org):
    return make_product(org, device_class="III", device_code="6821")


@pytest.fixture
def buyer(org):
    return make_customer(
        org.rep_a, name="宁波仁济医院", kind="organization", category="intention", grade="A"
    )


def _lines(product, **extra):
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "2",
        "lines-0-colour": "白",
    }
    data.update(extra)
    return data


def test_a_rep_registers_and_submits_an_order_on_the_pages(as_user, org, product, buyer):
    client = as_user(org.rep_a)
    page = client.get(reverse("web:customer_detail", args=[buyer.pk])).content.decode()
    assert "登记订单" in page
    form = client.get(reverse("web:order_new") + f"?customer={buyer.pk}")
    assert form.status_code == 200
    assert "客户订购登记表" in form.content.decode()
    response = client.post(
        reverse("web:order_new") + f"?customer={buyer.pk}",
        {
            "customer": buyer.pk,
            "order_date": "2026-11-30",
            "payment_method": "transfer",
            "currency": "CNY",
            "invoice_tax_id": "91350100M000100Y43",
            **_lines(product),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    assert order.lines.get().colour == "白"
    detail = client.get(reverse("web:order_detail", args=[order.pk])).content.decode()
    assert "提交合同评审" in detail
    response = client.post(
        reverse("web:order_submit", args=[order.pk]), {"version": order.version, **REQUIREMENTS}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.state == "review"
    assert client.get(reverse("web:order_pdf", args=[order.pk]))["Content-Type"] == (
        "application/pdf"
    )


def test_a_bad_taxpayer_id_is_shown_on_the_form(as_user, org, product, buyer):
    response = as_user(org.rep_a).post(
        reverse("web:order_new") + f"?customer={buyer.pk}",
        {
            "customer": buyer.pk,
            "payment_method": "transfer",
            "currency": "CNY",
            "invoice_tax_id": "123",
            **_lines(product),
        },
    )
    assert response.status_code == 422
    assert not Order.objects.exists()


def test_departments_review_and_the_general_manager_signs_on_the_order_page(
    as_user, org, product, buyer
):
    reviewers = make_reviewers(org)
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    queue = as_user(reviewers.quality).get(reverse("web:order_reviews")).content.decode()
    assert order.number in queue
    page = as_user(reviewers.quality).get(reverse("web:order_detail", args=[order.pk]))
    assert 'data-review="quality"' in page.content.decode()
    assert 'data-review="capacity"' not in page.content.decode()
    as_user(reviewers.quality).post(
        reverse("web:order_review", args=[order.pk, "quality"]),
        {"decision": "approve", "note": "验收标准明确"},
    )
    review_all(reviewers, order)
    page = as_user(org.gm).get(reverse("web:order_detail", args=[order.pk])).content.decode()
    assert "data-sign" in page
    inbox = as_user(org.gm).get(reverse("web:approval_list")).content.decode()
    assert f"合同签署：订单 {order.number}" in inbox
    assert reverse("web:order_detail", args=[order.pk]) in inbox
    as_user(org.gm).post(reverse("web:order_sign", args=[order.pk]), {"decision": "approve"})
    order.refresh_from_db()
    assert order.state == "confirmed"
    buyer.refresh_from_db()
    assert buyer.category == "retained"


def test_a_rejected_review_shows_its_reason_on_the_draft(as_user, org, product, buyer):
    reviewers = make_reviewers(org)
    order = make_order(org.rep_a, buyer, product)
    submit(org.rep_a, order)
    as_user(reviewers.material).post(
        reverse("web:order_review", args=[order.pk, "material"]),
        {"decision": "reject", "note": "芯片交期 16 周"},
    )
    page = as_user(org.rep_a).get(reverse("web:order_detail", args=[order.pk])).content.decode()
    assert "芯片交期 16 周" in page


def test_catalogue_licences_and_payments_pages(as_user, org, product):
    dealer = make_customer(
        org.rep_a, name="康宁医疗器械", kind="organization", company_type="distributor"
    )
    client = as_user(org.rep_a)
    assert "多参数监护仪" in client.get(reverse("web:product_list") + "?q=监护").content.decode()
    response = client.post(
        reverse("web:licence_new") + f"?customer={dealer.pk}",
        {
            "customer": dealer.pk,
            "kind": "licence",
            "number": "浙械经营许20240001号",
            "classes": ["III"],
            "codes": "6821，6822",
            "expires_on": "2030-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("web:licence_list")).content.decode()
    assert "浙械经营许20240001号" in page
    detail = client.get(reverse("web:customer_detail", args=[dealer.pk])).content.decode()
    assert "浙械经营许20240001号" in detail
    assert client.get(reverse("web:order_payments")).status_code == 200
    manager = as_user(org.manager)
    assert manager.get(reverse("web:product_new")).status_code == 200
    response = manager.post(
        reverse("web:product_new"),
        {
            "code": "P-100",
            "name": "呼吸机",
            "unit": "台",
            "active": "on",
            "currency_0": "CNY",
            "price_0": "56000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert as_user(org.rep_a).get(reverse("web:product_new")).status_code == 403
