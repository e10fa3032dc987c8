"""People on the customer pages (issue 7 §3): a deactivated rep's customers can be found and
handed over; contacts are edited and removed; no browser bubble in English."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crm.accounts import services as accounts
from crm.customers import services
from crm.customers.inputs import customer_row
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.web.tests.test_customers import edit_data, find, form_data

LIST = "/customers/"


def _deactivate(org, user):
    accounts.user_set_active(actor=org.sysadmin, user_id=user.pk, active=False)
    user.refresh_from_db()


def test_a_deactivated_rep_stays_in_the_owner_filter_marked_and_their_customers_are_found(
    as_user, org
):
    # given rep_b, who owns a customer, leaves the company
    make_customer(org.rep_b, name="乙的客户")
    make_customer(org.rep_a, name="甲的客户")
    _deactivate(org, org.rep_b)

    # when the manager opens the list
    client = as_user(org.manager)
    body = client.get(LIST).content.decode()

    # then rep_b is still in the owner filter, marked as deactivated, and finds their customers
    owner_select = find(r'<select name="owner".*?</select>', body).group(0)
    assert re.search(rf'value="{org.rep_b.pk}">李小红（销售一部） · 已停用<', owner_select)
    found = client.get(LIST, {"owner": org.rep_b.pk}).content.decode()
    assert "乙的客户" in found
    assert "甲的客户" not in found


def test_a_deactivated_rep_without_customers_is_not_in_the_filter(as_user, org):
    _deactivate(org, org.rep_b)
    body = as_user(org.manager).get(LIST).content.decode()
    owner_select = find(r'<select name="owner".*?</select>', body).group(0)
    assert "李小红" not in owner_select


def test_a_deactivated_rep_is_not_offered_as_the_new_owner(as_user, org):
    # given a customer of rep_a and rep_b deactivated
    customer = make_customer(org.rep_a, name="甲的客户")
    make_customer(org.rep_b, name="乙的客户")
    _deactivate(org, org.rep_b)
    client = as_user(org.manager)

    # then the edit form does not offer rep_b, and handing the customer to rep_b is refused
    body = client.get(reverse("web:customer_edit", args=[customer.pk])).content.decode()
    owner_select = find(r'<select name="owner".*?</select>', body).group(0)
    assert "李小红" not in owner_select
    assert "王小明" in owner_select
    response = client.post(
        reverse("web:customer_edit", args=[customer.pk]), edit_data(customer, owner=org.rep_b.pk)
    )
    assert response.status_code == 422
    customer.refresh_from_db()
    assert customer.owner_id == org.rep_a.pk


def test_a_deactivated_owner_shows_as_such_on_their_customers_edit_form(as_user, org):
    customer = make_customer(org.rep_b, name="乙的客户")
    _deactivate(org, org.rep_b)
    body = as_user(org.manager).get(reverse("web:customer_edit", args=[customer.pk]))
    owner_select = find(r'<select name="owner".*?</select>', body.content.decode()).group(0)
    assert "李小红（销售一部） · 已停用" in owner_select


# --- contacts: edit and remove ---------------------------------------------------------------


def _org_with_contact(org):
    customer = make_customer(org.rep_a, name="星河机械有限公司", kind="organization")
    contact = services.contact_create(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={"name": "周老板", "role": "chairman", "phone": "13655556666"},
    )
    return customer, contact


def _contact_data(contact, **overrides):
    data = {
        "name": contact.name,
        "role": contact.role,
        "title": contact.title,
        "phone": contact.phone,
        "wechat": contact.wechat,
        "age": contact.age or "",
        "gender": contact.gender,
        "hobbies": contact.hobbies,
        "version": contact.version,
    }
    data.update(overrides)
    return data


def test_a_contact_is_edited_from_the_detail_page_and_the_history_says_so(as_user, org):
    customer, contact = _org_with_contact(org)
    client = as_user(org.rep_a)
    detail = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    edit_url = reverse("web:contact_edit", args=[customer.pk, contact.pk])
    assert edit_url in detail

    page = client.get(edit_url).content.decode()
    assert 'value="周老板"' in page
    response = client.post(edit_url, _contact_data(contact, name="周董", wechat="zhoudong_88"))
    assert response.status_code == 302

    contact.refresh_from_db()
    assert (contact.name, contact.wechat, contact.version) == ("周董", "zhoudong_88", 2)
    event = AuditEvent.objects.filter(verb="customer.contact_changed").get()
    assert event.changes["contact.name"] == ["周老板", "周董"]
    detail = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    assert "zhoudong_88" in detail


def test_a_stale_contact_edit_is_a_conflict_that_keeps_what_was_typed(as_user, org):
    customer, contact = _org_with_contact(org)
    stale = _contact_data(contact, hobbies="高尔夫")
    services.contact_update(
        actor=org.manager, customer_id=customer.pk, contact_id=contact.pk, data={"title": "董事长"}
    )
    response = as_user(org.rep_a).post(
        reverse("web:contact_edit", args=[customer.pk, contact.pk]), stale
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "您填写的内容仍保留在下方，未被保存。" in body
    assert 'value="高尔夫"' in body
    contact.refresh_from_db()
    assert contact.hobbies == ""


def test_a_contact_is_removed_and_the_history_keeps_it(as_user, org):
    customer, contact = _org_with_contact(org)
    response = as_user(org.rep_a).post(
        reverse("web:contact_delete", args=[customer.pk, contact.pk]),
        {"version": contact.version},
        follow=True,
    )
    assert "已删除联系人" in response.content.decode()
    assert not customer.contacts.exists()
    event = AuditEvent.objects.get(verb="customer.contact_removed")
    assert event.actor_id == org.rep_a.pk


def test_outsiders_neither_edit_nor_remove_contacts(as_user, org):
    customer, contact = _org_with_contact(org)
    client = as_user(org.rep_c)
    edit = client.post(
        reverse("web:contact_edit", args=[customer.pk, contact.pk]),
        _contact_data(contact, name="X"),
    )
    delete = client.post(reverse("web:contact_delete", args=[customer.pk, contact.pk]))
    assert (edit.status_code, delete.status_code) == (404, 404)
    contact.refresh_from_db()
    assert contact.name == "周老板"


def test_a_contact_of_another_customer_is_not_reached_through_this_one(as_user, org):
    _customer, contact = _org_with_contact(org)
    other = make_customer(org.rep_a, name="另一家公司", kind="organization")
    response = as_user(org.rep_a).get(reverse("web:contact_edit", args=[other.pk, contact.pk]))
    assert response.status_code == 404


def test_a_contact_phone_that_is_another_customers_is_flagged_naming_the_owner(as_user, org):
    # given rep_b's customer with a phone
    make_customer(org.rep_b, name="李四", phone="13911112222")
    customer, contact = _org_with_contact(org)
    client = as_user(org.rep_a)

    # when rep_a gives a contact that phone, added or edited
    added = client.post(
        reverse("web:contact_create", args=[customer.pk]),
        {"name": "王经理", "role": "other", "phone": "13911112222"},
    )
    edited = client.post(
        reverse("web:contact_edit", args=[customer.pk, contact.pk]),
        _contact_data(contact, phone="139 1111 2222"),
    )

    # then both are refused as a customer's duplicate phone is, naming the owner
    for response in (added, edited):
        assert response.status_code == 422
        assert "负责人 李小红" in response.content.decode()
    contact.refresh_from_db()
    assert contact.phone == "13655556666"
    assert customer.contacts.count() == 1


# --- WeChat ID -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("wxid_abc123", "wxid_abc123"),
        ("Zhang-San_88", "Zhang-San_88"),
        ("138 0013 8000", "13800138000"),
    ],
)
def test_a_wechat_id_is_kept_as_typed_or_as_a_mobile_number(org, typed, stored):
    customer = make_customer(org.rep_a, name="张三", wechat=typed)
    assert customer.wechat == stored


@pytest.mark.parametrize("typed", ["abc", "1abcdefg", "张三的微信号", "a" * 21, "12345678"])
def test_a_wrong_wechat_id_is_refused_on_the_form_in_place(as_user, org, typed):
    response = as_user(org.rep_a).post(
        reverse("web:customer_create"), form_data(name="张三", wechat=typed)
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "微信号" in body
    assert not Customer.objects.filter(name="张三").exists()


def test_the_wechat_id_is_on_the_detail_page_the_api_and_its_schema(as_user, org, call, client):
    customer = make_customer(org.rep_a, name="张三", wechat="zhangsan_88")
    detail = as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk]))
    assert "微信号" in detail.content.decode()
    assert "zhangsan_88" in detail.content.decode()
    assert call(org.rep_a, "GET", f"customers/{customer.pk}").json()["wechat"] == "zhangsan_88"
    response = call(org.rep_a, "POST", "customers", {"name": "李四", "wechat": "1x"})
    assert response.status_code == 422
    assert "wechat" in response.json()["error"]["fields"]
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert schema["CustomerIn"]["properties"]["wechat"]["format"] == "wechat-id"
    assert "wechat" in schema["ContactOut"]["properties"]


def test_an_import_row_takes_the_wechat_id(org):
    row = customer_row({"name": "王五", "wechat": "wangwu_2024"})
    assert row.cleaned is not None
    assert row.cleaned["wechat"] == "wangwu_2024"
    assert "wechat" in customer_row({"name": "王五", "wechat": "9"}).errors


# --- no English browser bubble ---------------------------------------------------------------


def test_every_form_of_the_pages_leaves_validation_to_the_server(as_user, org, client):
    customer, contact = _org_with_contact(org)
    pages = [
        (None, reverse("web:login")),
        (org.rep_a, reverse("web:customer_create")),
        (org.rep_a, reverse("web:customer_edit", args=[customer.pk])),
        (org.rep_a, reverse("web:customer_detail", args=[customer.pk])),
        (org.rep_a, reverse("web:contact_create", args=[customer.pk])),
        (org.rep_a, reverse("web:contact_edit", args=[customer.pk, contact.pk])),
        (org.rep_a, reverse("web:settings")),
        (org.sysadmin, reverse("web:user_list")),
        (org.sysadmin, reverse("web:user_edit", args=[org.rep_a.pk])),
    ]
    for user, url in pages:
        body = as_user(user).get(url).content.decode()
        forms = re.findall(r"<form\b[^>]*>", body)
        assert forms, url
        for tag in forms:
            assert "novalidate" in tag, (url, tag)


def test_the_api_refuses_a_stale_contact_edit_and_flags_a_taken_phone(org, call):
    make_customer(org.rep_b, name="李四", phone="13911112222")
    customer, contact = _org_with_contact(org)
    url = f"customers/{customer.pk}/contacts/{contact.pk}"
    assert call(org.rep_a, "PATCH", url, {"version": 1, "title": "董事长"}).status_code == 200
    stale = call(org.rep_a, "PATCH", url, {"version": 1, "title": "老板"})
    assert stale.status_code == 409
    taken = call(org.rep_a, "PATCH", url, {"phone": "13911112222"})
    assert taken.status_code == 409
    assert "李小红" in taken.json()["error"]["fields"]["phone"]
