"""Signing in to the API: tokens, lock-out, sign-out, and the web session with CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from crm.accounts import services as accounts
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, **headers):
    return client.post(
        "/api/v1/auth/token",
        data={"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


# --- tokens ---------------------------------------------------------------------------------


def test_a_token_from_username_and_password_opens_the_api(org, client, call):
    # given rep_a signs in
    response = sign_in(client, "rep_a", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]

    # when the token is used
    me = call(None, "GET", "me", token=token)

    # then the API knows who is calling
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "rep_a"
    assert body["full_name"] == "王小明"
    assert body["role"] == "rep"
    assert body["role_label"] == "销售顾问"
    assert body["department"]["name"] == "销售一部"
    assert body["data_scope"] == "assigned"  # their own and those shared with them
    assert "customers.view_customer" in body["actions"]


def test_username_is_not_case_sensitive(org, client):
    assert sign_in(client, "REP_A", PASSWORD).status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(org, client):
    wrong_password = sign_in(client, "rep_a", "nope")
    no_such_user = sign_in(client, "nobody", "nope")
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert wrong_password.json() == no_such_user.json()
    assert wrong_password.json()["error"]["message"] == "用户名或密码错误"
    assert "token" not in wrong_password.json()


def test_five_failures_lock_the_account_out_even_with_the_right_password(org, client):
    # given five wrong passwords
    for _ in range(5):
        assert sign_in(client, "rep_a", "wrong").status_code == 401

    # when the right password is tried next
    response = sign_in(client, "rep_a", PASSWORD)

    # then the account is locked out, with a hint when to retry
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert "锁定" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) == 15 * 60
    # and another user is not affected
    assert sign_in(client, "rep_b", PASSWORD).status_code == 200


def test_four_failures_then_success_does_not_lock_out(org, client):
    for _ in range(4):
        sign_in(client, "rep_a", "wrong")
    assert sign_in(client, "rep_a", PASSWORD).status_code == 200
    assert sign_in(client, "rep_a", "wrong").status_code == 401
    assert sign_in(client, "rep_a", PASSWORD).status_code == 200


def test_lock_out_message_in_english(org, client):
    for _ in range(5):
        sign_in(client, "rep_a", "wrong")
    response = sign_in(client, "rep_a", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "locked" in response.json()["error"]["message"].lower()


def test_a_missing_field_in_sign_in_is_invalid(org, client):
    response = client.post(
        "/api/v1/auth/token", data={"username": "rep_a"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"password": "此字段为必填项"}


def test_revoking_the_token_signs_the_client_out(org, client, call):
    # given a token that works
    token = sign_in(client, "rep_a", PASSWORD).json()["token"]
    assert call(None, "GET", "me", token=token).status_code == 200

    # when it is revoked with itself
    assert call(None, "DELETE", "auth/token", token=token).status_code == 204

    # then it no longer opens anything, and other tokens of the same user still work
    assert call(None, "GET", "me", token=token).status_code == 401
    assert call(None, "GET", "customers", token=token).status_code == 401
    assert call(org.rep_a, "GET", "me").status_code == 200


def test_list_own_tokens_without_their_secret(org, client, call):
    token = sign_in(client, "rep_a", PASSWORD).json()["token"]
    call(org.rep_b, "GET", "me")  # rep_b has a token too

    tokens = call(None, "GET", "auth/tokens", token=token).json()

    assert [t["prefix"] for t in tokens] == [token[4:12]]
    assert tokens[0]["name"] == "API"
    assert token not in str(tokens)


def test_the_token_list_shows_when_each_token_expires(org, call):
    accounts.token_issue(actor=org.rep_a, name="ERP")
    tokens = call(org.rep_a, "GET", "auth/tokens").json()
    erp = next(t for t in tokens if t["name"] == "ERP")
    created = dt.datetime.fromisoformat(erp["created_at"])
    assert dt.datetime.fromisoformat(erp["expires_at"]) == created + dt.timedelta(days=90)


def test_revoke_a_token_by_id(org, client, call):
    # given two tokens of rep_a
    kept = sign_in(client, "rep_a", PASSWORD).json()["token"]
    leaked = sign_in(client, "rep_a", PASSWORD).json()["token"]
    leaked_id = next(
        t["id"] for t in call(None, "GET", "auth/tokens", token=kept).json()
        if t["prefix"] == leaked[4:12]
    )  # fmt: skip

    # when one is revoked by its id
    assert call(None, "DELETE", f"auth/tokens/{leaked_id}", token=kept).status_code == 204

    # then it stops working and the other goes on
    assert call(None, "GET", "me", token=leaked).status_code == 401
    assert call(None, "GET", "me", token=kept).status_code == 200
    assert len(call(None, "GET", "auth/tokens", token=kept).json()) == 1


def test_nobody_revokes_another_users_token(org, client, call):
    token = sign_in(client, "rep_a", PASSWORD).json()["token"]
    token_id = call(None, "GET", "auth/tokens", token=token).json()[0]["id"]
    assert call(org.sysadmin, "DELETE", f"auth/tokens/{token_id}").status_code == 204
    assert call(None, "GET", "me", token=token).status_code == 200


def test_a_made_up_token_is_not_signed_in(org, call):
    response = call(None, "GET", "customers", token="crm_made-up")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_deactivated_users_token_stops_working(org, call):
    assert call(org.rep_a, "GET", "me").status_code == 200
    accounts.user_set_active(actor=org.sysadmin, user_id=org.rep_a.pk, active=False)
    assert call(org.rep_a, "GET", "me").status_code == 401
    assert sign_in(Client(), "rep_a", PASSWORD).status_code == 401


def test_the_system_administrator_may_sign_in_but_sees_no_customers(org, call):
    me = call(org.sysadmin, "GET", "me").json()
    assert me["data_scope"] == "none"
    assert not [a for a in me["actions"] if a.startswith("customers.")]
    assert call(org.sysadmin, "GET", "customers").status_code == 403


# --- the web session ------------------------------------------------------------------------

CSRF = "a" * 32  # a CSRF secret as Django keeps it in the cookie


def session_client(org) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep_a)
    client.cookies["csrftoken"] = CSRF
    return client


def test_session_reads_need_no_csrf_token(org):
    client = session_client(org)
    assert client.get("/api/v1/me").json()["username"] == "rep_a"


def test_session_write_without_the_csrf_token_is_refused(org):
    # given a signed-in browser session
    client = session_client(org)

    # when it posts without the X-CSRFToken header
    response = client.post(
        "/api/v1/customers", data={"name": "跨站客户"}, content_type="application/json"
    )

    # then it is refused and nothing is created
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "CSRF" in response.json()["error"]["message"]
    assert client.get("/api/v1/customers?q=跨站客户").json()["items"] == []


def test_session_write_with_the_csrf_token_works(org):
    client = session_client(org)
    response = client.post(
        "/api/v1/customers",
        data={"name": "同站客户"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF,
    )
    assert response.status_code == 201
    assert response.json()["owner"]["name"] == "王小明"


def test_session_write_with_a_wrong_csrf_token_is_refused(org):
    client = session_client(org)
    response = client.post(
        "/api/v1/customers",
        data={"name": "同站客户"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="b" * 32,
    )
    assert response.status_code == 403


def test_bearer_requests_need_no_csrf_token(org, call):
    client = Client(enforce_csrf_checks=True)
    response = call(org.rep_a, "POST", "customers", {"name": "令牌客户"}, client=client)
    assert response.status_code == 201


def test_without_a_session_or_token_a_write_is_not_signed_in_rather_than_csrf(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/customers", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 401


def test_signing_out_of_the_web_ends_api_access_through_the_session(org):
    client = session_client(org)
    assert client.get("/api/v1/me").status_code == 200
    client.logout()
    assert client.get("/api/v1/me").status_code == 401
