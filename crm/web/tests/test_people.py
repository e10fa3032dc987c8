"""People (issue 7 §3): the system administrator edits users, resets a password that must be
changed at the next sign-in, lifts a lock-out; usernames and phones are checked; every password
and username refusal is in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crm.accounts import services as accounts
from crm.accounts.models import User
from crm.accounts.services import token_issue, token_user
from crm.governance.models import AuditEvent
from crm.testing import PASSWORD

EN = {"Accept-Language": "en"}


# --- one language per message -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "wanted", "foreign"),
    [
        ({}, ["密码长度太短", "这个密码太常见了", "密码只包含数字"], "This password"),
        (EN, ["too short", "too common", "entirely numeric"], "密码"),
    ],
)
def test_a_weak_password_is_refused_in_one_language(as_user, org, headers, wanted, foreign):
    # when rep_a chooses "1234" as the new password, in Chinese or in English
    response = as_user(org.rep_a).post(
        reverse("web:password_change"),
        {"old_password": PASSWORD, "new_password": "1234", "new_password_again": "1234"},
        headers=headers,
    )

    # then every reason is given, all of them in the page's language
    assert response.status_code == 422
    body = response.content.decode()
    section = body[body.index('id="password"') :].split("</form>")[0]
    for text in wanted:
        assert text in section
    assert foreign not in section.split("</h2>", 1)[1].replace('name="old_password"', "")


@pytest.mark.parametrize(
    ("headers", "wanted", "foreign"),
    [({}, "用户名只能包含", "Username"), (EN, "Usernames may contain only", "用户名只能")],
)
def test_a_username_with_other_characters_is_refused_in_one_language(
    as_user, org, headers, wanted, foreign
):
    response = as_user(org.sysadmin).post(
        reverse("web:user_list"),
        {"username": "张 三", "role": "rep", "password": "Xin-mima-2026"},
        headers=headers,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert wanted in body
    assert not User.objects.filter(username="张 三").exists()


def test_usernames_are_unique_whatever_the_case_and_phones_are_checked(as_user, org):
    client = as_user(org.sysadmin)
    response = client.post(
        reverse("web:user_list"),
        {"username": "REP_A", "role": "rep", "password": "Xin-mima-2026", "phone": "12345"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "用户名已存在" in body
    assert "手机" in body or "电话" in body
    assert 'value="12345"' in body  # what was typed stays
    response = client.post(
        reverse("web:user_list"),
        {"username": "x", "role": "rep", "password": "Xin-mima-2026"},
    )
    assert "用户名长度应为 2–30 个字符" in response.content.decode()


def test_a_created_users_phone_is_normalised(as_user, org):
    as_user(org.sysadmin).post(
        reverse("web:user_list"),
        {"username": "li.si", "role": "rep", "password": "Xin-mima-2026", "phone": "138 0013 8000"},
    )
    assert User.objects.get(username="li.si").phone == "13800138000"


# --- reset: a temporary password ---------------------------------------------------------------


def _sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_after_a_reset_every_page_leads_to_the_password_change_until_it_is_changed(as_user, org):
    # given the system administrator sets a temporary password for rep_a
    as_user(org.sysadmin).post(
        reverse("web:user_password_reset", args=[org.rep_a.pk]), {"password": "Lin-shi-2026"}
    )
    org.rep_a.refresh_from_db()
    assert org.rep_a.must_change_password

    # when rep_a signs in with it, every page leads to the password change
    client = _sign_in("rep_a", "Lin-shi-2026")
    for url in ("/", reverse("web:customer_list"), reverse("web:today")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("web:settings") + "#password"
    page = client.get(reverse("web:settings")).content.decode()
    assert "管理员为您设置了临时密码" in page
    assert "API 令牌" not in page
    # an htmx request is told to go there too
    response = client.get(reverse("web:due_rows"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("web:settings") + "#password"

    # and when rep_a chooses a password, the pages open again
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": "Lin-shi-2026",
            "new_password": "Wo-de-mima-9",
            "new_password_again": "Wo-de-mima-9",
        },
    )
    assert response.status_code == 302
    org.rep_a.refresh_from_db()
    assert not org.rep_a.must_change_password
    assert client.get(reverse("web:customer_list")).status_code == 200


def test_the_new_password_must_differ_from_the_temporary_one(as_user, org):
    accounts.user_password_reset(
        actor=org.sysadmin, user_id=org.rep_a.pk, new_password="Lin-shi-2026"
    )
    client = _sign_in("rep_a", "Lin-shi-2026")
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": "Lin-shi-2026",
            "new_password": "Lin-shi-2026",
            "new_password_again": "Lin-shi-2026",
        },
    )
    assert response.status_code == 422
    assert "新密码不能与原密码相同" in response.content.decode()


def test_a_temporary_password_opens_no_api(org):
    # given rep_a's token, then a reset
    key = token_issue(actor=org.rep_a, name="ERP")
    accounts.user_password_reset(
        actor=org.sysadmin, user_id=org.rep_a.pk, new_password="Lin-shi-2026"
    )

    # then the old token is dead and no new one is issued with the temporary password
    assert token_user(key) is None
    response = Client().post(
        "/api/v1/auth/token",
        data={"username": "rep_a", "password": "Lin-shi-2026"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "临时密码" in response.json()["error"]["message"]

    # once changed, the API is open again
    org.rep_a.refresh_from_db()
    accounts.password_change(
        actor=org.rep_a, old_password="Lin-shi-2026", new_password="Wo-de-mima-9"
    )
    response = Client().post(
        "/api/v1/auth/token",
        data={"username": "rep_a", "password": "Wo-de-mima-9"},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_the_command_line_reset_is_not_temporary(org):
    accounts.user_password_reset(actor=None, user_id=org.rep_a.pk, new_password="Lin-shi-2026")
    org.rep_a.refresh_from_db()
    assert not org.rep_a.must_change_password


# --- unlock -----------------------------------------------------------------------------------


def test_the_sysadmin_sees_a_locked_account_and_unlocks_it(as_user, org):
    # given rep_a locked out by five wrong passwords
    for _ in range(5):
        Client().post(reverse("web:login"), {"username": "rep_a", "password": "wrong"})
    assert accounts.is_locked_out("rep_a")

    # when the system administrator looks and unlocks
    admin = as_user(org.sysadmin)
    assert "已锁定" in admin.get(reverse("web:user_list")).content.decode()
    response = admin.post(reverse("web:user_unlock", args=[org.rep_a.pk]), follow=True)

    # then rep_a signs in at once, and the log says who unlocked
    assert "已解除用户 rep_a 的登录锁定" in response.content.decode()
    _sign_in("rep_a", PASSWORD)
    event = AuditEvent.objects.get(verb="user.unlocked")
    assert event.actor_id == org.sysadmin.pk


def test_unlocking_an_account_that_is_not_locked_says_so(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:user_unlock", args=[org.rep_a.pk]), follow=True
    )
    assert "该用户未被锁定" in response.content.decode()


# --- edit ----------------------------------------------------------------------------------


def test_the_sysadmin_edits_a_users_name_phone_department_and_role(as_user, org):
    client = as_user(org.sysadmin)
    page = client.get(reverse("web:user_edit", args=[org.rep_a.pk])).content.decode()
    assert 'value="王小明"' in page
    response = client.post(
        reverse("web:user_edit", args=[org.rep_a.pk]),
        {
            "full_name": "王晓明",
            "phone": "13900001111",
            "department": org.sales2.pk,
            "role": "receptionist",
        },
    )
    assert response.status_code == 302
    org.rep_a.refresh_from_db()
    assert (org.rep_a.full_name, org.rep_a.phone, org.rep_a.department_id, org.rep_a.role_id) == (
        "王晓明",
        "13900001111",
        org.sales2.pk,
        "receptionist",
    )
    changed = AuditEvent.objects.get(verb="user.changed")
    assert changed.changes["department"] == [org.sales1.pk, org.sales2.pk]


def test_a_role_that_reads_customer_data_waits_for_the_gm_while_the_rest_is_saved(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:user_edit", args=[org.rep_a.pk]),
        {"full_name": "王小明", "phone": "", "department": org.sales2.pk, "role": "manager"},
        follow=True,
    )
    assert "已提交总经理确认" in response.content.decode()
    org.rep_a.refresh_from_db()
    assert (org.rep_a.role_id, org.rep_a.department_id) == ("rep", org.sales2.pk)


def test_a_wrong_phone_in_the_edit_is_shown_in_place(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:user_edit", args=[org.rep_a.pk]),
        {"full_name": "王小明", "phone": "999", "department": "", "role": "rep"},
    )
    assert response.status_code == 422
    assert 'value="999"' in response.content.decode()
    org.rep_a.refresh_from_db()
    assert org.rep_a.phone == ""


def test_only_the_sysadmin_edits_users(as_user, org):
    response = as_user(org.gm).post(
        reverse("web:user_edit", args=[org.rep_a.pk]),
        {"full_name": "X", "phone": "", "department": "", "role": "gm"},
    )
    assert response.status_code == 403
    org.rep_a.refresh_from_db()
    assert org.rep_a.full_name == "王小明"


def test_a_user_the_sysadmin_creates_chooses_a_password_at_first_sign_in(as_user, org):
    as_user(org.sysadmin).post(
        reverse("web:user_list"),
        {"username": "wang.wu", "role": "rep", "password": "Chu-shi-2026", "department": ""},
    )
    assert User.objects.get(username="wang.wu").must_change_password
    client = _sign_in("wang.wu", "Chu-shi-2026")
    assert client.get(reverse("web:customer_list"))["Location"].endswith("#password")
