"""The audit viewer's API (``GET /api/v1/audit-events``): the data administrator filters the log by
actor, customer, verb and date range, a keyset page at a time, and sees where each request came
from. Who may call it at all: crm/api/tests/test_scope_matrix.py."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.customers import services
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def log(org, clock):
    """rep_a enters x on DAY; the manager opens it the next day; rep_b enters y two days on."""
    clock(DAY)
    x = make_customer(org.rep_a, name="星河机械")
    clock(DAY + dt.timedelta(1))
    services.customer_open(actor=org.manager, customer_id=x.pk)
    clock(DAY + dt.timedelta(2))
    y = make_customer(org.rep_b, name="远航贸易")
    clock.stop()  # the test itself runs at the real time
    return {"x": x, "y": y}


def verbs_and_objects(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return [(e["verb"], e["object_repr"]) for e in response.json()["items"]]


def test_filter_by_customer(org, call, log):
    x = log["x"]
    response = call(org.data_admin, "GET", f"audit-events?customer={x.pk}")
    assert verbs_and_objects(response) == [
        ("customer.viewed", str(x)),
        ("customer.created", str(x)),
    ]


def test_filter_by_actor_and_verb(org, call, log):
    by_manager = call(org.data_admin, "GET", f"audit-events?actor={org.manager.pk}")
    assert [e["verb"] for e in by_manager.json()["items"]] == ["customer.viewed"]
    created = call(org.data_admin, "GET", "audit-events?verb=customer.created")
    assert [e["object_repr"] for e in created.json()["items"]] == [str(log["y"]), str(log["x"])]


def test_filter_by_date_range_inclusive(org, call, log):
    day = (DAY + dt.timedelta(1)).isoformat()
    one_day = call(org.data_admin, "GET", f"audit-events?since={day}&until={day}")
    assert verbs_and_objects(one_day) == [("customer.viewed", str(log["x"]))]
    from_then = call(org.gm, "GET", f"audit-events?since={day}&verb=customer.created")
    assert verbs_and_objects(from_then) == [("customer.created", str(log["y"]))]


def test_extreme_dates_mean_no_bound_rather_than_an_error(org, call, log):
    response = call(org.data_admin, "GET", "audit-events?since=0001-01-01&until=9999-12-31")
    assert response.status_code == 200
    assert len(response.json()["items"]) >= 3


def test_keyset_pages_cover_the_log_once(org, call, log):
    first = call(org.data_admin, "GET", "audit-events?limit=2").json()
    assert len(first["items"]) == 2
    second = call(org.data_admin, "GET", f"audit-events?limit=2&cursor={first['next_cursor']}")
    ids = [e["id"] for e in first["items"]] + [e["id"] for e in second.json()["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids)


def test_the_viewer_shows_who_from_where_and_what_a_list_read_asked(org, call, log):
    call(org.rep_a, "GET", "customers?q=星河")
    event = call(org.data_admin, "GET", "audit-events?verb=customer.listed").json()["items"][0]
    assert event["actor"] == "王小明"
    assert event["actor_id"] == org.rep_a.pk
    assert event["ip"] == "127.0.0.1"
    assert event["details"] == {"filter": {"q": "星河"}, "count": 1}
    assert event["object_type"] == "customers.customer"
    assert event["object_id"] == ""


def test_a_range_ending_before_it_starts_is_an_empty_page(org, call, log):
    # the OpenAPI document cannot say that one query parameter must not come before another, so
    # a request it allows is answered, as a bound far out is no bound: with nothing
    response = call(org.data_admin, "GET", "audit-events?since=2026-03-05&until=2026-03-01")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("customer=0", "customer"),
        (f"actor={2**64}", "actor"),
        ("since=2026-02-30", "since"),
        ("verb=" + "x" * 65, "verb"),
        ("cursor=%25%25bad", "cursor"),
    ],
)
def test_bad_filters_are_422_with_a_message_in_the_callers_language(org, call, query, field):
    response = call(org.data_admin, "GET", f"audit-events?{query}", lang="en")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    message = error["fields"][field]
    assert message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_the_spec_documents_every_status_the_viewer_answers(client):
    doc = client.get("/api/openapi.json").json()
    operation = doc["paths"]["/api/v1/audit-events"]["get"]
    assert set(operation["responses"]) == {"200", "401", "403", "422"}
    params = {p["name"] for p in operation["parameters"]}
    assert {"actor", "customer", "verb", "since", "until", "cursor", "limit"} <= params
