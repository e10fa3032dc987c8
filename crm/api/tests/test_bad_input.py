"""Bad input never gives a 500: each request below did (issue 6, section 5) and now answers a
clear 422 in the error contract, in the caller's language."""

from __future__ import annotations

import pytest

from crm.accounts import services as accounts
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

BEYOND_64_BITS = "99999999999999999999"


def invalid(response, field: str) -> str:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    return str(error["fields"][field])


def test_a_tag_filter_of_superscript_two_finds_nothing(org, call):
    # "²" is a digit to Python's isdigit() but not a number to int()
    make_customer(org.rep_a, name="甲", tags=["VIP"])
    response = call(org.gm, "GET", "customers?tag=²")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_an_owner_filter_beyond_64_bits_is_invalid(org, call):
    message = invalid(call(org.gm, "GET", f"customers?owner={BEYOND_64_BITS}"), "owner")
    assert message == "不能大于 9223372036854775807"


@pytest.mark.parametrize(
    "cursor",
    [
        "eyJ0IjogIjAwMDEtMDEtMDFUMDA6MDA6MDAiLCAiaWQiOiAxfQ",  # the old base64 JSON, year 1
        "2024-01-01T00:00:00_1",
        f"1_{BEYOND_64_BITS}",
        "x",
    ],
)
def test_a_forged_follow_up_cursor_is_invalid(org, call, cursor):
    c = make_customer(org.rep_a, name="甲")
    response = call(org.rep_a, "GET", f"customers/{c.pk}/followups?cursor={cursor}")
    invalid(response, "cursor")


@pytest.mark.parametrize(
    "cursor", ["-9999999999999999_1", "9999999999999999_999999999999999999", "0_0"]
)
def test_any_cursor_of_the_documented_shape_is_a_place_in_the_list(org, call, cursor):
    c = make_customer(org.rep_a, name="甲")
    response = call(org.rep_a, "GET", f"customers/{c.pk}/followups?cursor={cursor}")
    assert response.status_code == 200, response.content


def test_a_follow_up_in_year_one_is_refused(org, call):
    c = make_customer(org.rep_a, name="甲")
    body = {"kind": "call", "content": "电话", "occurred_at": "0001-01-01T00:00:00+08:00"}
    zh = call(org.rep_a, "POST", f"customers/{c.pk}/followups", body)
    en = call(org.rep_a, "POST", f"customers/{c.pk}/followups", body, lang="en")
    assert "1900" in invalid(zh, "occurred_at")
    assert "1900" in invalid(en, "occurred_at")
    assert invalid(en, "occurred_at") != invalid(zh, "occurred_at")  # translated


def test_notification_ids_beyond_64_bits_are_invalid(org, call):
    response = call(org.rep_a, "POST", "notifications/read", {"ids": [10**20]})
    invalid(response, "ids")


def test_more_notification_ids_than_a_page_are_refused(org, call):
    response = call(org.rep_a, "POST", "notifications/read", {"ids": list(range(1, 102))})
    assert invalid(response, "ids") == "最多 100 项"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("plans?day={}", "day"),
        ("reports/daily?date={}", "date"),
        ("reports/daily.xlsx?date={}", "date"),
        ("grade-suggestion?expected_purchase_on={}", "expected_purchase_on"),
    ],
)
def test_days_far_out_are_invalid(org, call, path, field, day):
    invalid(call(org.gm, "GET", path.format(day)), field)


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "2026-13"])
@pytest.mark.parametrize(
    "report", ["contact-status", "contact-status.xlsx", "defeats", "defeats.xlsx"]
)
def test_months_out_of_range_are_invalid(org, call, report, month):
    invalid(call(org.gm, "GET", f"reports/{report}?month={month}"), "month")


def test_path_ids_beyond_64_bits_are_invalid_not_a_crash(org, call):
    invalid(call(org.gm, "GET", f"customers/{BEYOND_64_BITS}"), "customer_id")


def test_a_number_where_a_date_belongs_is_invalid(org, call):
    # pydantic would read 0 as 1970-01-01; the schema says a date string
    invalid(call(org.rep_a, "GET", "plans?day=0"), "day")


def test_true_is_not_a_number_of_staff(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "甲", "staff_count": True})
    assert invalid(response, "staff_count") == "应为整数"


def test_eighty_thousand_tags_are_refused_before_touching_the_database(
    org, call, django_assert_max_num_queries
):
    body = {"name": "甲", "tags": [f"t{i}" for i in range(80_000)]}
    call(org.rep_a, "GET", "me")  # the token is issued and used once
    with django_assert_max_num_queries(1):  # the token's lookup: nothing is written
        response = call(org.rep_a, "POST", "customers", body)
    assert invalid(response, "tags") == "最多 20 项"


def test_a_body_that_is_not_json_is_a_documented_400(org, client):
    token = accounts.token_issue(actor=org.rep_a, name="test")
    response = client.post(
        "/api/v1/customers",
        data=b"\x00",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    documented = client.get("/api/openapi.json").json()["paths"]["/api/v1/customers"]["post"]
    assert "400" in documented["responses"]


def test_a_time_with_an_unusual_offset_is_stored_as_the_same_moment(org, call):
    # RFC 3339 allows +17:38; PostgreSQL refuses offsets beyond ±15:59 (a 500 before)
    c = make_customer(org.rep_a, name="甲")
    body = {"method": "phone", "planned_at": "2099-06-06T23:40:00+17:38"}
    response = call(org.rep_a, "POST", f"customers/{c.pk}/plans", body)
    assert response.status_code == 201, response.content
    assert response.json()["planned_at"] == "2099-06-06T14:02:00+08:00"
