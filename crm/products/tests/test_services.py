"""The product catalogue: the managers keep it, everyone reads it."""

from __future__ import annotations

import pytest

from crm.core.errors import Conflict, Invalid, PermissionDenied, StateConflict
from crm.governance.models import AuditEvent
from crm.products import selectors, services

MONITOR = {
    "code": "P-001",
    "name": "多参数监护仪",
    "specification": "12.1 英寸，六参数",
    "unit": "台",
    "device_class": "III",
    "device_code": "6821",
    "prices": [{"currency": "CNY", "price": "12000"}, {"currency": "USD", "price": "1700.5"}],
}


def test_a_manager_adds_a_product_with_its_price_list_and_everyone_reads_it(org):
    category = services.category_create(actor=org.manager, data={"name": "监护设备"})
    product = services.product_create(actor=org.manager, data={**MONITOR, "category": category.pk})
    assert product.licensed
    assert {p.currency: str(p.price) for p in product.prices.all()} == {
        "CNY": "12000.00",
        "USD": "1700.50",
    }
    assert [p.code for p in selectors.product_list(actor=org.rep_a, q="监护")] == ["P-001"]
    assert selectors.product_list(actor=org.rep_a, q="呼吸机") == []
    assert selectors.product_get(actor=org.receptionist, product_id=product.pk) == product
    event = AuditEvent.objects.get(verb="product.created")
    assert event.changes["prices"] == [None, {"CNY": "12000.00", "USD": "1700.50"}]


def test_reps_do_not_change_the_catalogue(org):
    with pytest.raises(PermissionDenied):
        services.product_create(actor=org.rep_a, data=MONITOR)
    with pytest.raises(PermissionDenied):
        services.category_create(actor=org.rep_a, data={"name": "x"})


def test_codes_are_unique_prices_one_per_currency_and_edits_are_versioned(org):
    product = services.product_create(actor=org.gm, data=MONITOR)
    with pytest.raises(StateConflict):
        services.product_create(actor=org.gm, data=MONITOR)
    with pytest.raises(Invalid):
        services.product_create(
            actor=org.gm,
            data={
                **MONITOR,
                "code": "P-002",
                "prices": [{"currency": "CNY", "price": "1"}, {"currency": "CNY", "price": "2"}],
            },
        )
    product = services.product_update(
        actor=org.gm, product_id=product.pk, version=1, data={"active": False}
    )
    assert product.version == 2
    assert not product.active
    with pytest.raises(Conflict):
        services.product_update(actor=org.gm, product_id=product.pk, version=1, data={})
    assert [p.code for p in selectors.product_list(actor=org.rep_a, active=True)] == []
    assert AuditEvent.objects.filter(verb="product.updated").count() == 1
