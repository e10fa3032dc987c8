"""What the HTTP layer promises about personal data and failures: nothing with personal data is
kept in a cache; the client's address is the peer's unless a trusted proxy says otherwise;
oversize bodies and unhandled errors on /api/ still answer in the error contract, in the
caller's language, without leaking the error; the web keeps its HTML error page."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from crm.core.middleware import client_ip
from crm.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


# --- Cache-Control ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["customers", "me", "customers?q=张", "reports/daily", "reports/daily.xlsx", "nope"]
)
def test_every_api_response_is_no_store(org, call, path):
    response = call(org.manager, "GET", path)
    assert "no-store" in response["Cache-Control"]


def test_api_refusals_are_no_store_too(org, call):
    assert "no-store" in call(None, "GET", "customers")["Cache-Control"]


def test_the_calendar_feed_is_no_store(org, call):
    url = call(org.rep_a, "GET", "calendar").json()["url"].removeprefix("http://testserver")
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["web:customer_list", "web:today", "web:settings"])
def test_signed_in_pages_are_no_store(client, org, name):
    client.force_login(org.rep_a)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_customer_page_is_no_store(client, org):
    c = make_customer(org.rep_a, name="王建国", phone="13911112222")
    client.force_login(org.rep_a)
    response = client.get(reverse("web:customer_detail", args=[c.pk]))
    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/web/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- the client's address -----------------------------------------------------------------------


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", **meta)


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(settings):
    settings.TRUST_PROXY = False
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="1.2.3.4")) == "10.0.0.5"


def test_behind_a_trusted_proxy_the_address_it_saw_is_used(settings):
    settings.TRUST_PROXY = True
    # the client may send its own header; the proxy appends the address it saw
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.7")) == "203.0.113.7"


@pytest.mark.parametrize("header", ["not-an-ip", "", " , ", "1.2.3.4.5", "x" * 300])
def test_a_malformed_forwarded_for_falls_back_to_the_peer(settings, header):
    settings.TRUST_PROXY = True
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=header)) == "10.0.0.5"


def test_a_malformed_forwarded_for_does_not_break_the_audit_log(org, call, settings):
    settings.TRUST_PROXY = True
    response = call(org.rep_a, "GET", "customers", client=Client(HTTP_X_FORWARDED_FOR="junk"))
    assert response.status_code == 200


def test_trust_proxy_and_allowed_hosts_defaults(monkeypatch):
    from config.settings import base

    assert base.TRUST_PROXY is False
    assert "testserver" not in base.ALLOWED_HOSTS
    assert base.ALLOWED_HOSTS == ["127.0.0.1", "localhost"]


def test_trust_proxy_comes_from_the_environment(monkeypatch):
    from config.settings import env

    monkeypatch.setenv("TRUST_PROXY", "1")
    assert env.env_bool("TRUST_PROXY", False) is True


# --- oversize bodies and unhandled errors ---------------------------------------------------------


def test_an_oversize_body_is_413_in_the_error_contract(org, call, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = call(org.rep_a, "POST", "customers", {"name": "张三", "notes": "长" * 2000})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "请求内容过大" in error["message"]
    assert error["fields"] == {}


def test_an_oversize_body_in_english(org, call, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = call(org.rep_a, "POST", "customers", {"name": "x" * 3000}, lang="en")
    assert response.status_code == 413
    assert response.json()["error"]["message"].startswith("The request is too large")


def test_an_unhandled_error_is_a_500_in_the_contract_without_the_details(org, call, caplog):
    client = Client(raise_request_exception=False)
    with (
        mock.patch(
            "crm.customers.services.customer_browse", side_effect=RuntimeError("secret-db-password")
        ),
        caplog.at_level(logging.ERROR),
    ):
        response = call(org.rep_a, "GET", "customers", lang="en", client=client)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == "server_error"
    assert body["error"]["message"].startswith("Something went wrong on the server")
    assert body["error"]["fields"] == {}
    assert "secret" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    # the error is logged for the administrator, with the request id the caller got
    assert "secret-db-password" in caplog.text
    assert "no-store" in response["Cache-Control"]


def test_an_unhandled_error_in_chinese_by_default(org, call):
    client = Client(raise_request_exception=False)
    with mock.patch("crm.customers.services.customer_browse", side_effect=KeyError("x")):
        response = call(org.rep_a, "GET", "customers", client=client)
    assert response.status_code == 500
    assert response.json()["error"]["message"].startswith("服务器出错了")


def test_an_error_while_authenticating_is_json_too(org, call):
    # e.g. the database failing while the token is looked up
    client = Client(raise_request_exception=False)
    with mock.patch("crm.api.security.token_user", side_effect=RuntimeError("db down")):
        response = call(org.rep_a, "GET", "customers", client=client, lang="en")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "db down" not in response.content.decode()


def test_an_error_in_a_middleware_on_an_api_path_is_json_too(org):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with mock.patch("crm.core.middleware.client_ip", side_effect=RuntimeError("mw broke")):
        response = client.get("/api/v1/customers")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert error["message"].startswith("Something went wrong on the server")
    assert "mw broke" not in response.content.decode()


def test_the_web_keeps_its_html_500_page(org):
    client = Client(raise_request_exception=False)
    client.force_login(org.rep_a)
    with mock.patch("crm.customers.services.customer_browse", side_effect=RuntimeError("boom")):
        response = client.get(reverse("web:customer_list"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "服务器出错了" in body
    assert "boom" not in body
