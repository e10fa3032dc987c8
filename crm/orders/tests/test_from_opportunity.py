"""赢单 → 订单: a won opportunity starts its order. When every product line of the opportunity
names a product of the catalogue (by code or name), winning it registers the draft order of the
客户订购登记表 from it; otherwise the opportunity's page offers the order form with the lines
that matched, and says which did not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.core.errors import Invalid
from crm.customers.tests.factories import make_customer
from crm.orders import services
from crm.orders.models import Order
from crm.sales import services as sales
from crm.sales.tests.factories import make_opportunity

from .factories import make_product


@pytest.fixture
def buyer(org):
    return make_customer(org.rep_a, name="宁波仁济医院", category="intention", grade="A")


def _win(org, opportunity):
    return sales.opportunity_win(
        actor=org.rep_a, opportunity_id=opportunity.pk, data={"version": opportunity.version}
    )


def test_winning_an_opportunity_of_catalogue_products_registers_its_draft_order(org, buyer):
    monitor = make_product(org)  # P-001 多参数监护仪, 12000
    opportunity = make_opportunity(
        org.rep_a,
        buyer,
        lines=[
            {"product_name": "多参数监护仪", "quantity": 3, "unit_price": "11500"},
            {"product_name": "P-001", "quantity": 1, "unit_price": "0"},
        ],
    )
    _win(org, opportunity)
    order = Order.objects.get(opportunity=opportunity)
    assert order.state == "draft"
    assert order.customer == buyer
    got = [(line.product, line.quantity, line.unit_price) for line in order.lines.all()]
    assert got == [(monitor, Decimal(3), Decimal(11500)), (monitor, Decimal(1), Decimal(0))]
    assert str(order.total) == "34500.00"


def test_a_line_outside_the_catalogue_leaves_the_order_to_the_form(org, as_user, buyer):
    make_product(org)
    opportunity = make_opportunity(
        org.rep_a,
        buyer,
        lines=[
            {"product_name": "多参数监护仪", "quantity": 2, "unit_price": "12000"},
            {"product_name": "安装调试服务", "quantity": 1, "unit_price": "800"},
        ],
    )
    _win(org, opportunity)
    assert not Order.objects.filter(opportunity=opportunity).exists()
    client = as_user(org.rep_a)
    detail = client.get(f"/sales/{opportunity.pk}/").content.decode()
    assert "赢单后还没有登记订单" in detail
    form = client.get(f"/orders/new/?customer={buyer.pk}&opportunity={opportunity.pk}")
    html = form.content.decode()
    assert form.status_code == 200
    assert "安装调试服务" in html  # named as not found in the catalogue
    assert 'name="opportunity"' in html


def test_an_order_names_an_opportunity_of_its_own_customer_only(org, buyer):
    product = make_product(org)
    other = make_customer(org.rep_a, name="别家客户", category="intention", grade="B")
    theirs = make_opportunity(org.rep_a, other)
    with pytest.raises(Invalid) as refused:
        services.order_create(
            actor=org.rep_a,
            data={
                "customer": buyer.pk,
                "opportunity": theirs.pk,
                "lines": [{"product": product.pk, "quantity": 1}],
            },
        )
    assert refused.value.fields == {"opportunity": "不是该客户的销售机会"}
