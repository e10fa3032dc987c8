"""The pool's API: masked until claimed, claims and their refusals in the error contract, the
caller's customers about to return, pools and rules, the list's query count."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.customers.tests.factories import make_customer
from crm.pool import services

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def pool(org):
    made = services.pool_create(
        actor=org.gm,
        data={
            "name": "一部公海",
            "department": org.sales1.pk,
            "members": [org.rep_a.pk, org.rep_b.pk],
            "admins": [org.rep_b.pk],
            "hidden_fields": ["city"],
            "claims_per_day": 1,
        },
    )
    services.rule_add(actor=org.gm, pool_id=made.pk, data={"kind": "no_followup", "days": 10})
    return made


@pytest.fixture
def waiting(org, clock, pool):
    clock(MONDAY, 9)
    made = [
        make_customer(org.rep_a, name=f"客户{i}", phone=f"1391111222{i}", city="苏州")
        for i in range(3)
    ]
    clock(MONDAY + dt.timedelta(days=10), 1)
    services.pool_return_due()
    clock(MONDAY + dt.timedelta(days=10), 9)
    return made


def test_the_pool_is_masked_until_claimed(org, call, waiting):
    page = call(org.rep_b, "GET", "pools/customers").json()
    first = next(i for i in page["items"] if i["id"] == waiting[0].pk)
    assert (first["phone"], first["city"]) == ("139****2220", None)
    assert first["former_owner"] == "王小明"
    assert first["reason"] == "超过 10 天未跟进，收回公海“一部公海”"

    claimed = call(org.rep_b, "POST", "pools/claim", {"customers": [waiting[0].pk]})
    assert claimed.status_code == 200
    assert claimed.json() == {"customers": [{"id": waiting[0].pk, "name": "客户0"}]}
    mine = call(org.rep_b, "GET", f"customers/{waiting[0].pk}").json()
    assert (mine["phone"], mine["city"]) == ("13911112220", "苏州")


def test_a_refused_claim_is_a_409_and_claims_nothing(org, call, waiting):
    call(org.rep_b, "POST", "pools/claim", {"customers": [waiting[0].pk]})
    over = call(org.rep_b, "POST", "pools/claim", {"customers": [waiting[1].pk]})
    assert over.status_code == 409
    assert over.json()["error"]["message"].startswith("公海“一部公海”每人每天最多领取 1 位客户")
    former = call(org.rep_a, "POST", "pools/claim", {"customers": [waiting[1].pk]})
    assert former.status_code == 409
    outsider = call(org.rep_c, "POST", "pools/claim", {"customers": [waiting[1].pk]})
    assert outsider.status_code == 404
    assert call(org.rep_b, "GET", "pools/customers").json()["items"][0]["id"] != waiting[0].pk


def test_the_list_costs_the_same_queries_for_any_page_size(
    org, call, waiting, django_assert_max_num_queries
):
    call(org.rep_b, "GET", "pools/customers?limit=1")  # the token is made
    with django_assert_max_num_queries(8):
        page = call(org.rep_b, "GET", "pools/customers?limit=50").json()
    assert len(page["items"]) == 3


def test_returning_lists_the_callers_customers_with_their_day(org, call, clock, pool):
    clock(MONDAY, 9)
    customer = make_customer(org.rep_a, name="星河机械")
    clock(MONDAY + dt.timedelta(days=8), 9)
    assert call(org.rep_a, "GET", "pools/returning").json() == [
        {
            "customer": {"id": customer.pk, "name": "星河机械"},
            "return_on": "2026-12-03",
            "days_left": 2,
            "pool": "一部公海",
            "reason": "超过 10 天未跟进，收回公海“一部公海”",
        }
    ]


def test_a_manager_sets_up_a_pool_and_its_rules(org, call):
    made = call(org.manager, "POST", "pools", {"name": "一部新公海", "department": org.sales1.pk})
    assert made.status_code == 201
    pool = made.json()
    assert (pool["warn_days"], pool["claims_per_time"], pool["rules"]) == (3, 5, [])
    rule = call(org.manager, "POST", f"pools/{pool['id']}/rules", {"kind": "no_deal", "days": 90})
    assert rule.status_code == 201
    assert rule.json()["kind_label"] == "未成交"
    again = call(org.manager, "POST", "pools", {"name": "一部新公海", "department": org.sales1.pk})
    assert again.status_code == 409
    other = call(org.manager, "POST", "pools", {"name": "二部公海", "department": org.sales2.pk})
    assert other.status_code == 422
    gone = call(org.manager, "DELETE", f"pools/{pool['id']}/rules/{rule.json()['id']}")
    assert gone.status_code == 204
