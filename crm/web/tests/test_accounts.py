"""Sign-in with lock-out, logout, the language switch, personal settings and user management."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.accounts.models import ApiToken, User
from crm.accounts.services import token_user
from crm.customers.tests.factories import make_customer
from crm.testing import PASSWORD

LOGIN = "/login/"


def test_login_page_in_english_for_an_english_browser(client, org):
    body = client.get(LOGIN, headers={"Accept-Language": "en"}).content.decode()
    assert "Sign in" in body
    assert "Username" in body


def test_login_page_is_chinese_and_signs_in(client, org):
    page = client.get(LOGIN).content.decode()
    assert "登录" in page
    assert "用户名" in page
    assert "密码" in page
    response = client.post(LOGIN, {"username": "rep_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200
    assert "王小明" in client.get(reverse("web:customer_list")).content.decode()


def test_login_goes_back_to_the_page_asked_for(client, org):
    response = client.post(
        f"{LOGIN}?next=/settings/",
        {"username": "rep_a", "password": PASSWORD, "next": "/settings/"},
    )
    assert response["Location"] == "/settings/"


def test_wrong_password_says_so(client, org):
    body = client.post(LOGIN, {"username": "rep_a", "password": "wrong"}).content.decode()
    assert "用户名或密码错误" in body
    assert "锁定" not in body


def test_five_failures_lock_the_account_even_for_the_right_password(client, org):
    for _ in range(5):
        body = client.post(LOGIN, {"username": "rep_a", "password": "wrong"}).content.decode()
    assert "账户已临时锁定" in body
    response = client.post(LOGIN, {"username": "rep_a", "password": PASSWORD})
    assert response.status_code == 200
    assert "账户已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_deactivated_user_cannot_sign_in(client, org):
    org.rep_a.is_active = False
    org.rep_a.save()
    body = client.post(LOGIN, {"username": "rep_a", "password": PASSWORD}).content.decode()
    assert "用户名或密码错误" in body


def test_logout_is_a_post(as_user, org):
    client = as_user(org.rep_a)
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:customer_list")).status_code == 302


def test_signed_in_user_visiting_login_goes_home(as_user, org):
    assert as_user(org.rep_a).get(LOGIN).status_code == 302


def test_language_switch_to_english_and_back(as_user, org):
    client = as_user(org.rep_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/customers/"})
    assert response["Location"] == "/customers/"
    english = client.get("/customers/").content.decode()
    assert '<html lang="en">' in english
    for text in (">Customers<", ">Settings<", ">Sign out<", "No customers yet."):
        assert text in english
    make_customer(org.rep_a, name="张三丰")
    english = client.get("/customers/").content.decode()
    for text in (">Phone<", ">Potential<", "Sales representative"):  # page and domain strings
        assert text in english
    assert "个人设置" not in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/customers/"})
    chinese = client.get("/customers/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert ">个人设置<" in chinese


# --- personal settings ------------------------------------------------------------------------


def test_profile_update(as_user, org):
    client = as_user(org.rep_a)
    response = client.post(reverse("web:settings"), {"full_name": "王晓明", "phone": "13800001234"})
    assert response.status_code == 302
    org.rep_a.refresh_from_db()
    assert (org.rep_a.full_name, org.rep_a.phone) == ("王晓明", "13800001234")
    assert "王晓明" in client.get(reverse("web:settings")).content.decode()


def test_password_change_keeps_the_session(as_user, org):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "Xin-mima-2024",
            "new_password_again": "Xin-mima-2024",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("web:settings")).status_code == 200  # still signed in
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password("Xin-mima-2024")


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("wrong", "Xin-mima-2024", "Xin-mima-2024", "原密码不正确"),
        (PASSWORD, "Xin-mima-2024", "Xin-mima-2025", "两次输入的新密码不一致"),
        (PASSWORD, "123", "123", "密码"),
    ],
)
def test_password_change_errors(as_user, org, old, new, again, message):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:password_change"),
        {
            "old_password": old,
            "new_password": new,
            "new_password_again": again,
        },
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password(PASSWORD)


def test_api_token_is_shown_once_works_and_can_be_revoked(as_user, org):
    client = as_user(org.rep_a)
    body = client.post(reverse("web:token_create"), {"name": "报表脚本"}).content.decode()
    token = ApiToken.objects.get(user=org.rep_a)
    key = body.split('<code id="new-token">')[1].split("</code>")[0]
    assert key.startswith("crm_")
    assert token_user(key) == org.rep_a
    again = client.get(reverse("web:settings")).content.decode()
    assert key not in again
    assert "报表脚本" in again
    client.post(reverse("web:token_revoke", args=[token.pk]))
    assert token_user(key) is None


def test_cannot_revoke_someone_elses_token(as_user, org):
    as_user(org.rep_b).post(reverse("web:token_create"), {"name": "b"})
    token = ApiToken.objects.get(user=org.rep_b)
    as_user(org.rep_a).post(reverse("web:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


# --- user management --------------------------------------------------------------------------


def test_sysadmin_lists_users_with_role_and_department(as_user, org):
    body = as_user(org.sysadmin).get(reverse("web:user_list")).content.decode()
    for text in ("rep_a", "王小明", "销售顾问", "销售一部", "数据管理员", "客服部"):
        assert text in body


def test_sysadmin_creates_a_user(as_user, org):
    client = as_user(org.sysadmin)
    response = client.post(
        reverse("web:user_list"),
        {
            "username": "rep_new",
            "full_name": "新人",
            "phone": "",
            "role": "rep",
            "department": org.sales2.pk,
            "password": "Chu-shi-mima-9",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="rep_new")
    assert (user.role_id, user.department_id) == ("rep", org.sales2.pk)


def test_create_user_errors_keep_the_input(as_user, org):
    body = (
        as_user(org.sysadmin)
        .post(
            reverse("web:user_list"),
            {
                "username": "rep_a",
                "full_name": "重名",
                "role": "rep",
                "department": "",
                "password": "x",
            },
        )
        .content.decode()
    )
    assert "用户名已存在" in body
    assert 'value="重名"' in body


def test_sysadmin_deactivates_and_reactivates_a_user(as_user, org, client):
    admin = as_user(org.sysadmin)
    admin.post(reverse("web:user_active", args=[org.rep_a.pk]), {"active": "0"})
    org.rep_a.refresh_from_db()
    assert not org.rep_a.is_active
    admin.post(reverse("web:user_active", args=[org.rep_a.pk]), {"active": "1"})
    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active


def test_sysadmin_cannot_deactivate_themselves(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:user_active", args=[org.sysadmin.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用自己的账户" in response.content.decode()
    org.sysadmin.refresh_from_db()
    assert org.sysadmin.is_active


def test_others_cannot_manage_users(as_user, org):
    client = as_user(org.gm)
    assert (
        client.post(reverse("web:user_active", args=[org.rep_a.pk]), {"active": "0"}).status_code
        == 403
    )
    org.rep_a.refresh_from_db()
    assert org.rep_a.is_active


def test_sysadmin_resets_a_password_and_the_users_tokens_end(as_user, org):
    # given rep_a with an API token
    from crm.accounts.services import token_issue

    key = token_issue(actor=org.rep_a, name="ERP")

    # when the system administrator sets a new password for rep_a
    response = as_user(org.sysadmin).post(
        reverse("web:user_password_reset", args=[org.rep_a.pk]),
        {"password": "Xin-mima-2026"},
        follow=True,
    )

    # then rep_a signs in with it, the old token opens nothing, and the page says so
    assert "已重置用户 rep_a 的密码；其 API 令牌已全部失效" in response.content.decode()
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password("Xin-mima-2026")
    assert token_user(key) is None


def test_a_weak_reset_password_is_refused_with_the_reason(as_user, org):
    response = as_user(org.sysadmin).post(
        reverse("web:user_password_reset", args=[org.rep_a.pk]), {"password": "123"}, follow=True
    )
    assert "这个密码太常见了" in response.content.decode()
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password(PASSWORD)


def test_only_the_sysadmin_resets_passwords_on_the_web(as_user, org):
    response = as_user(org.gm).post(
        reverse("web:user_password_reset", args=[org.rep_a.pk]), {"password": "Xin-mima-2026"}
    )
    assert response.status_code == 403
    org.rep_a.refresh_from_db()
    assert org.rep_a.check_password(PASSWORD)
