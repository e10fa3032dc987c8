from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_wrong_method_answers_in_the_error_contract(client, org):
    client.force_login(org.rep_a)
    response = client.put("/api/v1/customers", data={}, content_type="application/json")
    assert response.status_code == 405
    body = response.json()
    assert body["error"]["code"] == "method_not_allowed"
    assert "PUT" in body["error"]["message"]
    assert "GET" in response["Allow"]


def test_the_message_follows_the_language(client, org):
    client.force_login(org.rep_a)
    response = client.put(
        "/api/v1/customers", data={}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"]["message"] == "This address does not accept PUT requests"
