"""The API's rate limits (per bearer token and per client address: 429 in the error contract
with Retry-After), sign-in with a two-factor code through the API, and the production settings
that keep cookies on HTTPS."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.accounts import twofactor
from crm.core.ratelimit import COUNTER_TABLE
from crm.core.ratelimit import count as _count
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.CRM_API_RATE_PER_TOKEN = 3
    settings.CRM_API_RATE_PER_ADDRESS = 5
    settings.CRM_API_RATE_WINDOW = 60
    return settings


def test_a_token_over_its_limit_gets_429_with_retry_after(org, call, limits, clock):
    clock(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC))
    for _ in range(3):
        assert call(org.rep_a, "GET", "me").status_code == 200
    response = call(org.rep_a, "GET", "me")
    assert response.status_code == 429
    assert response["Retry-After"] == "45"  # the rest of the minute
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"] == "请求过于频繁，请 45 秒后再试"
    assert "no-store" in response["Cache-Control"]


def test_the_limit_ends_with_its_window(org, call, limits, clock):
    clock(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC))
    for _ in range(4):
        call(org.rep_a, "GET", "me")
    clock(dt.datetime(2026, 3, 2, 9, 1, 1, tzinfo=dt.UTC))
    assert call(org.rep_a, "GET", "me").status_code == 200


def test_each_token_has_its_own_limit(org, call, limits, clock):
    clock(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC))
    for _ in range(3):
        call(org.rep_a, "GET", "me")
    assert call(org.rep_a, "GET", "me").status_code == 429
    assert call(org.rep_b, "GET", "me").status_code == 200  # same address, 5 allowed


def test_an_address_over_its_limit_is_refused_whatever_the_token(org, call, limits, clock):
    clock(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC))
    for user in (org.rep_a, org.rep_b, org.rep_c, org.manager, org.gm):
        assert call(user, "GET", "me").status_code == 200
    assert call(org.director, "GET", "me").status_code == 429
    assert call(None, "GET", "me").status_code == 429  # anonymous too
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert call(org.director, "GET", "me", client=other).status_code == 200


def test_the_refusal_in_english(org, call, limits, clock):
    clock(dt.datetime(2026, 3, 2, 9, 0, 15, tzinfo=dt.UTC))
    for _ in range(3):
        call(org.rep_a, "GET", "me")
    response = call(org.rep_a, "GET", "me", lang="en")
    assert response.json()["error"]["message"] == "Too many requests. Try again in 45 seconds."


def test_a_limit_of_zero_is_no_limit(org, call, settings):
    settings.CRM_API_RATE_PER_TOKEN = 0
    settings.CRM_API_RATE_PER_ADDRESS = 0
    for _ in range(10):
        assert call(org.rep_a, "GET", "me").status_code == 200


def test_the_web_pages_are_not_rate_limited(org, client, limits):
    client.force_login(org.rep_a)
    for _ in range(8):
        assert client.get("/settings/").status_code == 200


def test_the_database_counts_a_request_in_one_statement():
    """Without Redis the counters are rows of crm_rate_counter: one upsert counts all of a
    request's buckets (the database cache took 12 statements and two commits)."""
    buckets = [("ip:10.0.0.1", 5), ("tok:abc", 3)]
    assert _count(buckets, 60, 1000) == [1, 1]
    with CaptureQueriesContext(connection) as captured:
        assert _count(buckets, 60, 1000) == [2, 2]
    assert len(captured.captured_queries) == 1
    assert _count(buckets[1:], 60, 1000) == [3]
    assert _count(buckets, 60, 1001) == [1, 1]  # the next window starts again
    assert _count([("ip:10.0.0.2", 5)], 60, 1003) == [1]
    with connection.cursor() as cur:  # the quiet clients' counters were dropped meanwhile
        cur.execute(f"SELECT bucket FROM {COUNTER_TABLE}")
        assert [row[0] for row in cur.fetchall()] == ["ip:10.0.0.2:60"]


# --- the API's sign-in with two-factor ------------------------------------------------------


def enrolled(user) -> pyotp.TOTP:
    secret, _uri = twofactor.enrol_start(actor=user)
    totp = pyotp.TOTP(secret)
    twofactor.enrol_confirm(actor=user, code=totp.at(timezone.now()))
    return totp


def token_request(client: Client, **body):
    data = {"username": "manager", "password": PASSWORD, **body}
    return client.post("/api/v1/auth/token", data=json.dumps(data), content_type="application/json")


def test_a_token_for_a_user_with_two_factor_needs_the_code(org, client, clock):
    now = clock(dt.date(2026, 3, 2), 9, 0)
    totp = enrolled(org.manager)
    response = token_request(client)
    assert response.status_code == 401
    assert response.json()["error"]["two_factor"] is True
    assert token_request(client, code="000000").status_code == 401
    clock(now + dt.timedelta(minutes=1))
    response = token_request(client, code=totp.at(timezone.now()))
    assert response.status_code == 200
    assert response.json()["token"].startswith("crm_")


def test_a_required_user_without_two_factor_gets_no_token(org, client, settings):
    settings.CRM_REQUIRE_2FA = True
    response = token_request(client)
    assert response.status_code == 403
    assert "两步验证" in response.json()["error"]["message"]
    rep = token_request(client, username="rep_a")
    assert rep.status_code == 200


# --- production settings --------------------------------------------------------------------


def settings_with(env: dict[str, str]) -> dict[str, Any]:
    """The production settings module as a fresh process loads it with ``env``."""
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_HTTPONLY",
        "CACHES",
    ]
    code = (
        "import json, config.settings.prod as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "SECURE_"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, Any] = json.loads(out.stdout)
    return loaded


def test_over_https_the_cookies_are_secure_and_hsts_is_on():
    s = settings_with({"CRM_HTTPS": "1"})
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_SSL_REDIRECT"] is False  # the proxy's job unless asked
    assert settings_with({"CRM_HTTPS": "1", "CRM_HTTPS_REDIRECT": "1"})["SECURE_SSL_REDIRECT"]
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["CSRF_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_by_default_plain_http_on_the_own_machine_still_signs_in():
    s = settings_with({})
    assert s["SESSION_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SESSION_COOKIE_HTTPONLY"] is True


def test_the_rate_limit_counters_are_shared_by_all_processes():
    assert settings_with({})["CACHES"]["default"]["BACKEND"].endswith("db.DatabaseCache")
    redis = settings_with({"CRM_REDIS_URL": "redis://127.0.0.1:6379/3"})["CACHES"]["default"]
    assert redis["BACKEND"].endswith("redis.RedisCache")


def test_the_session_cookie_is_secure_over_https(org, client, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = client.post("/login/", {"username": "rep_a", "password": PASSWORD}, secure=True)
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
