"""What a user notices of the security rules on the web: the session ends after a while idle (and
at the latest some hours after sign-in) and the sign-in brings them back where they were; the
password rules refuse weak and reused passwords with a reason; an expired password must be
changed; two-factor sign-in: enrolment with the QR code and the key, the code asked after the
password, a wrong code refused, a recovery code working once; the compulsory enrolment of
managers and above when CRM_REQUIRE_2FA is on; many failures from one address refused."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import User
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def sign_in(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""), data)


# --- session timeout ------------------------------------------------------------------------


def test_a_session_idle_too_long_asks_to_sign_in_again_and_keeps_the_page(client, org, clock):
    start = clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "rep_a")
    assert client.get(reverse("web:customer_list")).status_code == 200
    clock(start + dt.timedelta(minutes=20))
    assert client.get(reverse("web:customer_list")).status_code == 200  # activity keeps it
    clock(start + dt.timedelta(minutes=20 + 31))
    response = client.get(reverse("web:customer_list") + "?q=wang")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert response["Location"] == LOGIN + "?next=/customers/%3Fq%3Dwang"
    page = client.get(response["Location"]).content.decode()
    assert "您已长时间未操作" in page
    # signing in again goes back to the page asked for
    again = sign_in(client, "rep_a", next_url="/customers/?q=wang")
    assert again["Location"] == "/customers/?q=wang"
    assert AuditEvent.objects.filter(verb="user.session_expired").count() == 1


def test_the_idle_timeout_is_a_setting(client, org, clock, settings):
    settings.CRM_SESSION_IDLE_MINUTES = 5
    start = clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "rep_a")
    clock(start + dt.timedelta(minutes=6))
    assert client.get(reverse("web:settings")).status_code == 302


def test_a_session_ends_after_the_maximum_even_when_busy(client, org, clock, settings):
    settings.CRM_SESSION_MAX_HOURS = 2
    start = clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "rep_a")
    for minutes in range(20, 120, 20):
        clock(start + dt.timedelta(minutes=minutes))
        assert client.get(reverse("web:settings")).status_code == 200
    clock(start + dt.timedelta(minutes=121))
    assert client.get(reverse("web:settings")).status_code == 302


def test_an_htmx_request_of_an_expired_session_sends_the_page_to_sign_in(client, org, clock):
    start = clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "rep_a")
    clock(start + dt.timedelta(hours=1))
    response = client.get(reverse("web:customer_list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(LOGIN + "?next=/customers/")


def test_the_api_through_an_expired_session_is_not_signed_in(client, org, clock):
    start = clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "rep_a")
    assert client.get("/api/v1/me").status_code == 200
    clock(start + dt.timedelta(hours=1))
    assert client.get("/api/v1/me").status_code == 401


def test_a_bearer_token_does_not_time_out_like_a_session(org, call, clock):
    start = clock(dt.date(2026, 3, 2), 9, 0)
    assert call(org.rep_a, "GET", "me").status_code == 200
    clock(start + dt.timedelta(hours=13))
    assert call(org.rep_a, "GET", "me").status_code == 200


# --- password policy ------------------------------------------------------------------------


def errors(response) -> str:
    """The error messages the page shows next to its fields (not the rules in the help text)."""
    found = re.findall(r'<p class="field-error">(.*?)</p>', response.content.decode())
    messages = re.findall(
        r'<li class="message message-error">(.*?)</li>', response.content.decode()
    )
    return " ".join(found + messages)


def change_password(client: Client, old: str, new: str):
    return client.post(
        reverse("web:password_change"),
        {"old_password": old, "new_password": new, "new_password_again": new},
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab-1", "密码长度太短"),
        ("abcdefgh12", "至少 3 类"),
        ("Rep_a-2026!", "密码不能包含用户名或手机号"),
        ("Wo-de-mima-9", None),
    ],
)
def test_a_weak_password_is_refused_with_its_reason(as_user, org, new, message):
    client = as_user(org.rep_a)
    response = change_password(client, PASSWORD, new)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    assert message in errors(response)
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password(PASSWORD)


def test_a_password_with_ones_phone_number_is_refused(as_user, org):
    org.rep_a.phone = "13912345678"
    org.rep_a.save()
    response = change_password(as_user(org.rep_a), PASSWORD, "Wo-13912345678")
    assert "密码不能包含用户名或手机号" in errors(response)


def test_a_common_password_is_refused(as_user, org):
    response = change_password(as_user(org.rep_a), PASSWORD, "Password123")
    assert response.status_code == 422
    assert "这个密码太常见了" in errors(response)


def test_the_last_passwords_cannot_be_used_again(as_user, org, settings):
    client = as_user(org.rep_a)
    assert change_password(client, PASSWORD, "Xin-mima-2026").status_code == 302
    assert change_password(client, "Xin-mima-2026", "Xin-mima-2027").status_code == 302
    # the first and the one before the last: refused
    for used in (PASSWORD, "Xin-mima-2026"):
        response = change_password(client, "Xin-mima-2027", used)
        assert response.status_code == 422
        assert "不能使用最近 5 次用过的密码" in errors(response)
    assert change_password(client, "Xin-mima-2027", "Xin-mima-2028").status_code == 302


def test_the_refusals_in_english(as_user, org):
    client = as_user(org.rep_a)
    client.post("/i18n/setlang/", {"language": "en"})
    assert "at least 3 of" in errors(change_password(client, PASSWORD, "abcdefgh12"))
    assert change_password(client, PASSWORD, "Xin-mima-2026").status_code == 302
    refused = errors(change_password(client, "Xin-mima-2026", PASSWORD))
    assert "one of your last 5 passwords" in refused


def test_an_administrator_cannot_set_a_weak_or_reused_password(as_user, org):
    client = as_user(org.sysadmin)
    url = reverse("web:user_password_reset", args=[org.rep_a.pk])
    assert "至少 3 类" in errors(client.post(url, {"password": "abcdefgh12"}, follow=True))
    assert "不能使用最近" in errors(client.post(url, {"password": PASSWORD}, follow=True))
    org.rep_a.refresh_from_db()
    assert not org.rep_a.must_change_password


def test_an_expired_password_must_be_changed_at_sign_in(client, org, settings, clock):
    settings.CRM_PASSWORD_MAX_AGE_DAYS = 90
    clock(dt.date(2026, 1, 2))
    client.force_login(org.rep_a)
    assert change_password(client, PASSWORD, "Xin-mima-2026").status_code == 302
    client.logout()
    clock(dt.date(2026, 3, 1))  # 58 days: still good
    sign_in(client, "rep_a", "Xin-mima-2026")
    assert client.get(reverse("web:customer_list")).status_code == 200
    client.logout()
    clock(dt.date(2026, 4, 15))  # 103 days
    sign_in(client, "rep_a", "Xin-mima-2026")
    response = client.get(reverse("web:customer_list"))
    assert response["Location"] == reverse("web:settings") + "#password"
    assert "您的密码已过期" in client.get(reverse("web:settings")).content.decode()
    assert change_password(client, "Xin-mima-2026", "Xin-mima-2027").status_code == 302
    assert client.get(reverse("web:customer_list")).status_code == 200


# --- two-factor sign-in ---------------------------------------------------------------------


def enrol(client: Client) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol the signed-in user as they would: read the key off the page, type the code."""
    page = client.get(reverse("web:two_factor_enrol")).content.decode()
    assert "<svg" in page  # the QR code
    found = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page)
    assert found is not None
    key = found.group(1).replace(" ", "")
    totp = pyotp.TOTP(key)
    done = client.post(reverse("web:two_factor_enrol"), {"code": totp.at(timezone.now())})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.content.decode())
    assert len(codes) == 10
    return totp, codes


def test_enrol_then_sign_in_with_a_code(client, org, clock):
    now = clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    assert "启用两步验证" in client.get(reverse("web:settings")).content.decode()
    totp, _codes = enrol(client)
    assert "已启用" in client.get(reverse("web:settings")).content.decode()
    client.logout()
    # the password alone does not sign in: the code is asked for
    response = sign_in(client, "manager", next_url="/settings/")
    assert response["Location"] == reverse("web:login_code")
    assert client.get(reverse("web:settings")).status_code == 302
    assert "验证码" in client.get(reverse("web:login_code")).content.decode()
    clock(now + dt.timedelta(minutes=1))
    response = client.post(reverse("web:login_code"), {"code": totp.at(timezone.now())})
    assert response["Location"] == "/settings/"
    assert client.get(reverse("web:settings")).status_code == 200
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"user.2fa_enabled", "user.logged_in"} <= verbs


def test_a_wrong_code_is_refused_and_audited(client, org, clock):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    enrol(client)
    client.logout()
    sign_in(client, "manager")
    response = client.post(reverse("web:login_code"), {"code": "000000"})
    assert response.status_code == 422
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("web:settings")).status_code == 302
    assert AuditEvent.objects.filter(verb="user.2fa_failed").count() == 1


def test_a_code_is_used_once(client, org, clock):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    totp, _ = enrol(client)
    client.logout()
    clock(dt.date(2026, 3, 2), 9, 5)
    code = totp.at(timezone.now())
    sign_in(client, "manager")
    assert client.post(reverse("web:login_code"), {"code": code}).status_code == 302
    other = Client()
    sign_in(other, "manager")
    assert other.post(reverse("web:login_code"), {"code": code}).status_code == 422


def test_a_recovery_code_works_once(client, org, clock):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    _, codes = enrol(client)
    client.logout()
    sign_in(client, "manager")
    assert client.post(reverse("web:login_code"), {"code": codes[0].upper()}).status_code == 302
    assert "剩余 9 个恢复码" in client.get(reverse("web:settings")).content.decode()
    client.logout()
    sign_in(client, "manager")
    response = client.post(reverse("web:login_code"), {"code": codes[0]})
    assert response.status_code == 422
    assert AuditEvent.objects.filter(verb="user.2fa_recovery_used").count() == 1


def test_too_many_wrong_codes_stop_the_guessing_even_after_the_password_again(client, org, clock):
    now = clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    totp, _ = enrol(client)
    client.logout()
    for _attempt in range(5):
        sign_in(client, "manager")  # a right password does not forgive wrong codes
        client.post(reverse("web:login_code"), {"code": "123456"})
    sign_in(client, "manager")
    clock(now + dt.timedelta(minutes=2))
    response = client.post(reverse("web:login_code"), {"code": totp.at(timezone.now())})
    assert response["Location"] == reverse("web:login")
    assert "验证码错误次数过多" in client.get(LOGIN).content.decode()
    assert client.get(reverse("web:settings")).status_code == 302


def test_the_secret_is_neither_stored_nor_audited_in_plain(client, org, clock):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    totp, _ = enrol(client)
    stored = org.manager.two_factor.secret
    assert totp.secret not in stored
    for event in AuditEvent.objects.all():
        assert totp.secret not in str(event.__dict__)


def test_turning_it_off_needs_the_password(client, org, clock):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    enrol(client)
    page = client.post(
        reverse("web:two_factor_disable"), {"password": "wrong"}, follow=True
    ).content.decode()
    assert "密码不正确" in page
    client.post(reverse("web:two_factor_disable"), {"password": PASSWORD})
    client.logout()
    assert sign_in(client, "manager")["Location"] == "/"
    assert AuditEvent.objects.filter(verb="user.2fa_disabled").count() == 1


def test_the_administrator_resets_a_lost_authenticator(client, org, clock, as_user):
    clock(dt.date(2026, 3, 2), 9, 0)
    client.force_login(org.manager)
    enrol(client)
    admin = as_user(org.sysadmin)
    page = admin.get(reverse("web:user_list")).content.decode()
    assert "重置两步验证" in page
    admin.post(reverse("web:user_two_factor_reset", args=[org.manager.pk]))
    admin.logout()
    assert sign_in(admin, "manager")["Location"] == "/"
    assert AuditEvent.objects.filter(verb="user.2fa_reset").count() == 1


def test_required_for_managers_they_enrol_at_the_next_sign_in(client, org, settings, clock):
    settings.CRM_REQUIRE_2FA = True
    clock(dt.date(2026, 3, 2), 9, 0)
    sign_in(client, "manager")
    response = client.get(reverse("web:customer_list"))
    assert response["Location"] == reverse("web:two_factor_enrol")
    hx = client.get(reverse("web:customer_list"), headers={"HX-Request": "true"})
    assert hx["HX-Redirect"] == reverse("web:two_factor_enrol")
    assert "您的角色须使用两步验证" in client.get(reverse("web:two_factor_enrol")).content.decode()
    enrol(client)
    assert client.get(reverse("web:customer_list")).status_code == 200
    # and may not turn it off
    client.post(reverse("web:two_factor_disable"), {"password": PASSWORD})
    assert User.objects.get(pk=org.manager.pk).two_factor.confirmed_at is not None


def test_required_only_for_managers_and_above(client, org, settings):
    settings.CRM_REQUIRE_2FA = True
    sign_in(client, "rep_a")
    assert client.get(reverse("web:customer_list")).status_code == 200


def test_off_by_default_the_demo_logins_need_no_code(client, org):
    for username in ("manager", "gm", "admin", "director", "data"):
        c = Client()
        assert sign_in(c, username)["Location"] == "/"


# --- sign-in failures per address -----------------------------------------------------------


def test_many_failures_from_one_address_are_refused_whatever_the_username(client, org, settings):
    settings.LOGIN_ADDRESS_ATTEMPTS = 6
    for i in range(6):
        client.post(LOGIN, {"username": f"nobody{i}", "password": "wrong"})
    response = client.post(LOGIN, {"username": "rep_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "此网络地址登录失败次数过多" in response.content.decode()
    # another address is not concerned
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, "rep_a")["Location"] == "/"
