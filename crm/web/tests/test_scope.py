"""The scope matrix over every page: anonymous → login; outsider → 404, never the content;
a role without the action → 403; a manager sees the own department; data admin and GM see all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.customers.tests.factories import make_customer

CUSTOMER_PAGES = [
    "customer_detail",
    "customer_edit",
    "customer_delete",
    "contact_create",
    "followup_create",
    "plan_create",
    "customer_transition",
    "grade_suggest",
]
# persona → expected status on rep_a's customer
CUSTOMER_MATRIX = {
    "rep_a": 200,  # owner
    "rep_b": 404,  # same department, other rep
    "rep_c": 404,  # other department
    "manager": 200,  # manager of 销售一部
    "manager2": 404,  # manager of 销售二部
    "data_admin": 200,
    "gm": 200,
    "sysadmin": 403,  # manages users, sees no customer data
}
EVERY_PAGE = [
    "web:home",
    "web:today",
    "web:calendar",
    "web:team_day",
    "web:grade_settings",
    "web:customer_list",
    "web:customer_create",
    "web:customer_trash",
    "web:settings",
    "web:user_list",
    "web:audit_list",
]


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_anonymous_is_sent_to_login(client, org, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("page", CUSTOMER_PAGES)
def test_anonymous_on_customer_page_is_sent_to_login_and_back(client, customer_a, page):
    url = reverse(f"web:{page}", args=[customer_a.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_anonymous_htmx_request_is_told_to_go_to_login(client, org):
    response = client.get(reverse("web:customer_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("web:login"))


@pytest.mark.parametrize("page", CUSTOMER_PAGES)
@pytest.mark.parametrize(("persona", "status"), CUSTOMER_MATRIX.items())
def test_customer_pages_follow_the_scope(as_user, org, customer_a, page, persona, status):
    client = as_user(getattr(org, persona))
    response = client.get(reverse(f"web:{page}", args=[customer_a.pk]))
    assert response.status_code == status
    body = response.content.decode()
    if status != 200:
        # the error page, in the site layout, never the record
        assert "王建国" not in body
        assert "13911112222" not in body
        assert "客户管理系统" in body


@pytest.mark.parametrize(("persona", "status"), CUSTOMER_MATRIX.items())
def test_writes_follow_the_scope(as_user, org, customer_a, persona, status):
    client = as_user(getattr(org, persona))
    edit = client.post(
        reverse("web:customer_edit", args=[customer_a.pk]),
        {"kind": "person", "name": "改名", "category": "potential", "version": 1},
    )
    assert edit.status_code == (302 if status == 200 else status)
    customer_a.refresh_from_db()
    assert (customer_a.name == "改名") is (status == 200)


def test_outsider_cannot_delete_or_add_contacts(as_user, org, customer_a):
    client = as_user(org.rep_c)
    delete = client.post(reverse("web:customer_delete", args=[customer_a.pk]), {"version": 1})
    contact = client.post(
        reverse("web:contact_create", args=[customer_a.pk]), {"name": "某人", "role": "other"}
    )
    assert (delete.status_code, contact.status_code) == (404, 404)
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is None
    assert customer_a.contacts.count() == 0


def test_list_shows_each_persona_their_scope(as_user, org):
    make_customer(org.rep_a, name="甲方客户")
    make_customer(org.rep_b, name="乙方客户")
    make_customer(org.rep_c, name="丙方客户")

    def names(persona):
        client = as_user(getattr(org, persona))
        body = client.get(reverse("web:customer_list")).content.decode()
        return {n for n in ("甲方客户", "乙方客户", "丙方客户") if n in body}

    assert names("rep_a") == {"甲方客户"}
    assert names("rep_c") == {"丙方客户"}
    assert names("manager") == {"甲方客户", "乙方客户"}
    assert names("manager2") == {"丙方客户"}
    assert names("data_admin") == {"甲方客户", "乙方客户", "丙方客户"}
    assert names("gm") == {"甲方客户", "乙方客户", "丙方客户"}


def test_sysadmin_gets_403_on_customer_list_and_create(as_user, org):
    client = as_user(org.sysadmin)
    assert client.get(reverse("web:customer_list")).status_code == 403
    assert client.get(reverse("web:customer_create")).status_code == 403
    response = client.post(
        reverse("web:customer_create"), {"kind": "person", "name": "X", "category": "potential"}
    )
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("data_admin", 200), ("rep_a", 403), ("manager", 403), ("gm", 403), ("sysadmin", 403)],
)
def test_recycle_bin_is_for_the_data_administrator(as_user, org, persona, status):
    client = as_user(getattr(org, persona))
    assert client.get(reverse("web:customer_trash")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("sysadmin", 200), ("rep_a", 403), ("manager", 403), ("data_admin", 403), ("gm", 403)],
)
def test_user_management_is_for_the_system_administrator(as_user, org, persona, status):
    client = as_user(getattr(org, persona))
    assert client.get(reverse("web:user_list")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("data_admin", 200),
        ("gm", 200),
        ("rep_a", 403),
        ("manager", 403),
        ("sysadmin", 403),
    ],
)
def test_the_audit_log_is_for_the_data_administrator_and_the_general_manager(
    as_user, org, customer_a, persona, status
):
    client = as_user(getattr(org, persona))
    response = client.get(reverse("web:audit_list"), {"customer": customer_a.pk})
    assert response.status_code == status
    body = response.content.decode()
    # the log names the record (its number and name); refusals show nothing of it
    assert (customer_a.number in body) is (status == 200)


def test_navigation_offers_each_role_its_pages(as_user, org):
    labels = (
        "回收站", "用户管理", 'href="/customers/"', "今日工作", "日程", "夕会", "跟进设置",
        "审计日志",
    )  # fmt: skip

    def nav(persona):
        body = as_user(getattr(org, persona)).get(reverse("web:settings")).content.decode()
        menu = body[body.index('<nav id="site-nav"') : body.index("</nav>")]
        return {label for label in labels if label in menu}

    work = {'href="/customers/"', "今日工作", "日程"}
    assert nav("rep_a") == work
    assert nav("manager") == work | {"夕会", "跟进设置"}
    assert nav("gm") == work | {"夕会", "跟进设置", "审计日志"}
    assert nav("data_admin") == work | {"回收站", "审计日志"}
    assert nav("sysadmin") == {"用户管理"}


def test_home_sends_each_role_to_its_first_page(as_user, org):
    assert as_user(org.rep_a).get("/")["Location"] == reverse("web:today")
    assert as_user(org.manager).get("/")["Location"] == reverse("web:today")
    assert as_user(org.gm).get("/")["Location"] == reverse("web:customer_list")
    assert as_user(org.data_admin).get("/")["Location"] == reverse("web:customer_list")
    assert as_user(org.sysadmin).get("/")["Location"] == reverse("web:user_list")


def test_unknown_page_is_a_404_in_the_site_layout(as_user, org):
    response = as_user(org.rep_a).get("/customers/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "个人设置" in body  # the navigation is there
