"""The error contract and its languages: ``{"error": {"code", "message", "fields"}}``, Chinese
by default and English with ``Accept-Language: en``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    return error


@pytest.fixture
def cases(org, call):
    """One request per kind of error, as a function of the language."""
    c = make_customer(org.rep_a, name="张三", phone="13912345678")
    call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    return {
        "not_authenticated": lambda lang: call(None, "GET", "customers", lang=lang),
        "forbidden": lambda lang: call(org.sysadmin, "GET", "customers", lang=lang),
        "not_found": lambda lang: call(org.rep_c, "GET", f"customers/{c.pk}", lang=lang),
        "duplicate": lambda lang: call(
            org.rep_b, "POST", "customers", {"name": "x", "phone": "13912345678"}, lang=lang
        ),
        "conflict": lambda lang: call(
            org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "x"}, lang=lang
        ),
        "invalid": lambda lang: call(
            org.rep_a,
            "POST",
            "customers",
            {"name": "李四", "id_number": "110105194912310021", "phone": "12345"},
            lang=lang,
        ),
        "invalid_shape": lambda lang: call(org.rep_a, "POST", "customers", {"age": 1}, lang=lang),
    }


STATUS = {
    "not_authenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "duplicate": 409,
    "conflict": 409,
    "invalid": 422,
    "invalid_shape": 422,
}

CHINESE = re.compile(r"[\u4e00-\u9fff]")

ENGLISH = {
    "not_authenticated": ("Sign in or provide a valid API token", {}),
    "forbidden": ("You are not allowed to do this", {}),
    "not_found": ("The record does not exist or you may not see it", {}),
    "duplicate": (
        "Phone duplicates an existing customer owned by 王小明",
        {"phone": "Phone duplicates an existing customer owned by 王小明"},
    ),
    "conflict": ("Someone else has changed this record; reload it and try again", {}),
    "invalid": (
        "Some input is invalid; check the fields marked",
        {
            "id_number": "The ID number's check digit is wrong",
            "phone": "Not a valid mainland China phone number",
        },
    ),
    "invalid_shape": (
        "Some input is invalid; check the fields marked",
        {"name": "This field is required", "age": "Unknown field"},
    ),
}


@pytest.mark.parametrize("case", list(STATUS))
def test_every_error_follows_the_contract_in_chinese_by_default(cases, case):
    code = "invalid" if case == "invalid_shape" else case
    error = assert_error_shape(cases[case](None), STATUS[case], code)
    assert CHINESE.search(error["message"])
    assert all(CHINESE.search(m) for m in error["fields"].values())


@pytest.mark.parametrize("case", list(STATUS))
@pytest.mark.parametrize("lang", ["en", "en-US,en;q=0.9"])
def test_every_error_in_english(cases, case, lang):
    code = "invalid" if case == "invalid_shape" else case
    error = assert_error_shape(cases[case](lang), STATUS[case], code)
    message, fields = ENGLISH[case]
    assert error["message"] == message
    assert error["fields"] == fields


def test_a_chinese_browser_gets_chinese(cases):
    error = cases["not_found"]("zh-CN,zh;q=0.9,en;q=0.8").json()["error"]
    assert error["message"] == "记录不存在或无权查看"


def test_choice_labels_follow_the_language(org, call):
    c = make_customer(org.rep_a, name="张三", category="intention", grade="H", source="tv")
    zh = call(org.rep_a, "GET", f"customers/{c.pk}").json()
    en = call(org.rep_a, "GET", f"customers/{c.pk}", lang="en").json()
    assert (zh["category_label"], zh["grade_label"], zh["source_label"]) == (
        "意向客户",
        "H级（7天内成交）",
        "电视广告",
    )
    assert (en["category_label"], en["grade_label"], en["source_label"]) == (
        "Intention",
        "H (deal within 7 days)",
        "TV advertisement",
    )
    assert call(org.rep_a, "GET", "me", lang="en").json()["role_label"] == "Sales representative"


def test_limits_are_named_in_the_message(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张" * 101}, lang="en")
    assert response.json()["error"]["fields"] == {"name": "At most 100 characters"}


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/customers", "/api/v1/customers/abc"])
def test_an_unknown_endpoint_answers_with_the_error_contract(client, path):
    error = assert_error_shape(client.get(path, HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found")
    assert error["message"] == "No such endpoint"


def test_a_multipart_upload_without_a_boundary_is_a_bad_request_not_a_500(org, client):
    from crm.accounts import services as accounts

    token = accounts.token_issue(actor=org.rep_a, name="script")
    response = client.post(
        "/api/v1/followups/1/attachments",
        data=b"--x--\r\n",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "bad_request",
        "message": "上传的内容无法读取",
        "fields": {},
    }
