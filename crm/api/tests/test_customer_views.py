"""Saved views and chosen columns of the customer list through the API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_view_is_saved_listed_with_the_presets_and_shared_by_a_manager(org, call):
    created = call(
        org.manager,
        "POST",
        "customer-views",
        {"name": "部门H级", "params": {"grade": "H", "bogus": "x"}, "columns": ["owner", "hat"]},
    )
    assert created.status_code == 201
    view = created.json()
    assert (view["params"], view["columns"], view["shared"]) == ({"grade": "H"}, ["owner"], False)

    shared = call(org.manager, "PATCH", f"customer-views/{view['id']}", {"shared": True})
    assert shared.json()["shared"] is True

    seen = call(org.rep_b, "GET", "customer-views").json()
    assert [p["name"] for p in seen["presets"]] == [
        "我的逾期",
        "本周新增",
        "共享给我的",
        "H级未跟进",
    ]
    assert [(v["name"], v["editable"]) for v in seen["shared"]] == [("部门H级", False)]
    assert seen["own"] == []
    assert seen["may_share"] is False
    assert call(org.rep_c, "GET", "customer-views").json()["shared"] == []  # 销售二部

    refused = call(org.rep_b, "PATCH", f"customer-views/{view['id']}", {"name": "我的"})
    assert refused.status_code == 403
    assert call(org.rep_b, "DELETE", f"customer-views/{view['id']}").status_code == 403


def test_a_rep_may_not_share_and_names_are_checked(org, call):
    first = call(org.rep_a, "POST", "customer-views", {"name": "甲"}).json()
    call(org.rep_a, "POST", "customer-views", {"name": "乙"})
    assert (
        call(org.rep_a, "PATCH", f"customer-views/{first['id']}", {"shared": True}).status_code
        == 403
    )
    clash = call(org.rep_a, "PATCH", f"customer-views/{first['id']}", {"name": "乙"})
    assert clash.status_code == 409
    assert call(org.rep_a, "POST", "customer-views", {"name": "  "}).status_code == 422
    assert call(org.rep_a, "POST", "customer-views", {"name": "长" * 31}).status_code == 422
    assert call(org.rep_a, "DELETE", f"customer-views/{first['id']}").status_code == 204
    assert call(org.rep_a, "DELETE", f"customer-views/{first['id']}").status_code == 404


def test_the_columns_are_remembered(org, call):
    assert "phone" in call(org.rep_a, "GET", "customer-columns").json()["columns"]
    put = call(org.rep_a, "PUT", "customer-columns", {"columns": ["created", "grade", "x"]})
    assert put.json() == {"columns": ["grade", "created"]}
    assert call(org.rep_a, "GET", "customer-columns").json() == {"columns": ["grade", "created"]}


def test_bulk_transfer_through_the_api_counts_the_refused(org, call):
    from crm.customers.models import Customer
    from crm.customers.tests.factories import make_customer

    mine = make_customer(org.rep_a, name="甲")
    outsider = make_customer(org.rep_c, name="丙")
    response = call(
        org.manager,
        "POST",
        "customers/bulk/transfer",
        {"owner": org.rep_b.pk, "ids": [mine.pk, outsider.pk]},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["done"], body["refused"], body["summary"]) == (1, 1, "已转移 1 位，1 位无权限")
    assert Customer.objects.get(pk=mine.pk).owner == org.rep_b
    bad = {"grade": "Z", "ids": [mine.pk]}
    assert call(org.manager, "POST", "customers/bulk/grade", bad).status_code == 422
    many = {"tag": "x", "ids": list(range(1, 300))}
    assert call(org.manager, "POST", "customers/bulk/tag", many).status_code == 422
    removed = call(
        org.manager, "POST", "customers/bulk/tag", {"tag": "x", "remove": True, "ids": [mine.pk]}
    )
    assert removed.json()["unchanged"] == 1
    stranger = {"owner": org.rep_c.pk, "ids": [mine.pk]}  # 销售二部: not the manager's to assign
    assert call(org.manager, "POST", "customers/bulk/transfer", stranger).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "customer-views/{id}", [None, None]),  # found by the fuzzer: accepted
        ("PATCH", "customer-views/{id}", {"shared": 0}),
        ("PATCH", "customer-views/{id}", {"colour": "red"}),
        ("POST", "customers/bulk/tag", {"ids": [1], "tag": "VIP", "remove": 0}),
    ],
)
def test_a_request_the_schema_forbids_is_refused(org, call, method, path, body):
    view = call(org.rep_a, "POST", "customer-views", {"name": "甲"}).json()
    response = call(org.rep_a, method, path.format(id=view["id"]), body)
    assert response.status_code in (400, 422)
