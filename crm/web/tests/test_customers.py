"""Customer pages as a sales rep uses them: list and live search, create and edit forms that keep
what was typed, duplicates naming the owner, stale edits, delete and the recycle bin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.customers import lifecycle, services
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

LIST = "/customers/"


def form_data(**overrides):
    data = {
        "kind": "person",
        "name": "",
        "phone": "",
        "email": "",
        "id_number": "",
        "credit_code": "",
        "company": "",
        "address": "",
        "city": "",
        "staff_count": "",
        "annual_revenue": "",
        "main_business": "",
        "source": "",
        "category": "potential",
        "grade": "",
        "owner": "",
        "tags": "",
        "needs": "",
        "feedback": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def find(pattern, text):
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match


def edit_data(customer, **overrides):
    data = form_data(
        kind=customer.kind,
        name=customer.name,
        phone=customer.phone,
        category=customer.category,
        grade=customer.grade,
        owner=customer.owner_id or "",
        version=customer.version,
        tags="，".join(t.name for t in customer.tags.all()),
    )
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------


def test_list_shows_the_columns_a_rep_needs(as_user, org):
    make_customer(
        org.rep_a, name="刘德福", phone="13700001111", category="intention", grade="H", tags=["VIP"]
    )
    body = as_user(org.rep_a).get(LIST).content.decode()
    for text in ("编号", "名称", "电话", "类别", "级别", "负责人", "标签", "最近跟进", "下次跟进"):
        assert f">{text}<" in body
    for text in ("刘德福", "13700001111", "意向客户", ">H<", "王小明", "VIP"):
        assert text in body


def test_empty_list_says_so(as_user, org):
    body = as_user(org.rep_a).get(LIST).content.decode()
    assert "还没有客户" in body


def test_search_finds_by_pinyin_initials_and_says_when_nothing_matches(as_user, org):
    make_customer(org.rep_a, name="张三丰")
    make_customer(org.rep_a, name="李四")
    client = as_user(org.rep_a)
    body = client.get(LIST, {"q": "zsf"}).content.decode()
    assert "张三丰" in body
    assert "李四" not in body
    body = client.get(LIST, {"q": "不存在的人"}).content.decode()
    assert "没有找到符合条件的客户" in body


def test_htmx_search_returns_only_the_rows_partial(as_user, org):
    make_customer(org.rep_a, name="张三丰")
    response = as_user(org.rep_a).get(
        LIST, {"q": "zsf", "category": ""}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "张三丰" in body
    assert "<html" not in body
    assert "个人设置" not in body
    assert 'name="q"' not in body
    # the address bar gets the tidy, bookmarkable query (empty filters left out)
    assert response["HX-Push-Url"] == "/customers/?q=zsf"
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(as_user, org):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = as_user(org.rep_a).get(LIST, headers=headers).content.decode()
    assert "<html" in body


def test_filters_are_kept_in_the_form_and_in_the_next_page_link(as_user, org, settings):
    settings.CRM_PAGE_SIZE = 2
    for i in range(3):
        make_customer(org.rep_a, name=f"意向客户{i}", category="intention", grade="A")
    make_customer(org.rep_a, name="潜在的人")
    client = as_user(org.rep_a)
    body = client.get(LIST, {"category": "intention"}).content.decode()
    assert "潜在的人" not in body
    assert '<option value="intention" selected>' in body
    next_link = find(r'href="\?([^"]*cursor=[^"]*)"', body).group(1).replace("&amp;", "&")
    assert "category=intention" in next_link
    second = client.get(f"{LIST}?{next_link}").content.decode()
    assert "意向客户0" in second
    assert "意向客户2" not in second
    assert "下一页" not in second
    assert "第一页" in second


def test_filter_by_owner_and_tag(as_user, org):
    make_customer(org.rep_a, name="甲的客户", tags=["老业主"])
    make_customer(org.rep_b, name="乙的客户")
    client = as_user(org.manager)
    by_owner = client.get(LIST, {"owner": org.rep_b.pk}).content.decode()
    assert "乙的客户" in by_owner
    assert "甲的客户" not in by_owner
    by_tag = client.get(LIST, {"tag": "老业主"}).content.decode()
    assert "甲的客户" in by_tag
    assert "乙的客户" not in by_tag


def test_a_mangled_cursor_shows_the_first_page(as_user, org):
    make_customer(org.rep_a, name="张三丰")
    response = as_user(org.rep_a).get(LIST, {"cursor": "%%%bad"})
    assert response.status_code == 200
    assert "张三丰" in response.content.decode()


@pytest.mark.parametrize("rows", [1, 25])
def test_list_page_query_count_does_not_grow_with_rows(
    as_user, org, django_assert_max_num_queries, rows
):
    for i in range(rows):
        make_customer(org.rep_b, name=f"客户{i}", tags=["甲", "乙"])
    client = as_user(org.manager)
    # 9 + the three Today counts of the navigation + the count, the columns and the saved views
    # + the confidentiality levels and the reader's clearance (one query, crm.governance.masking)
    # + the requests waiting for the user's decision (the 审批 badge) + whether records wait for
    # the user's verification (待核查 in the menu)
    with django_assert_max_num_queries(18):
        response = client.get(LIST)
    assert response.status_code == 200


def test_search_page_query_count(as_user, org, django_assert_max_num_queries):
    for i in range(25):
        make_customer(org.rep_a, name=f"张三{i}", tags=["甲"])
    client = as_user(org.rep_a)
    # 9 + the user's columns (a text search: no count) + the confidentiality levels (one query)
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"q": "张三"}, headers={"HX-Request": "true"})
    assert "张三" in response.content.decode()


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_fields_contacts_and_history_and_registers_the_view(as_user, org):
    customer = make_customer(
        org.rep_a,
        name="华夏运输",
        kind="organization",
        credit_code="",
        company="华夏运输有限公司",
        source="referral",
    )
    services.contact_create(
        actor=org.rep_a,
        customer_id=customer.pk,
        data={"name": "周老板", "role": "chairman", "hobbies": "钓鱼"},
    )
    body = (
        as_user(org.manager)
        .get(reverse("web:customer_detail", args=[customer.pk]))
        .content.decode()
    )
    for text in (
        "客户编号",
        customer.number,
        "单位名称",
        "华夏运输有限公司",
        "认知途径",
        "亲友介绍",
        "周老板",
        "董事长/老板",
        "钓鱼",
        "操作记录",
        "创建",
        "添加联系人",
        "王小明",
    ):
        assert text in body
    viewed = AuditEvent.objects.filter(verb="customer.viewed", object_id=str(customer.pk))
    assert [e.actor_id for e in viewed] == [org.manager.pk]


def test_history_shows_changed_fields_before_and_after_with_chinese_labels(as_user, org):
    customer = make_customer(org.rep_a, name="赵六", source="newspaper")
    services.customer_update(
        actor=org.rep_a,
        customer_id=customer.pk,
        version=1,
        data={"source": "tv", "city": "杭州"},
    )
    body = (
        as_user(org.rep_a).get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    )
    assert "修改" in body
    assert re.search(r"认知途径.*?<del>报纸广告</del>\s*→\s*<ins>电视广告</ins>", body, re.S)
    assert re.search(r"城市.*?<ins>杭州</ins>", body, re.S)


def test_add_contact_through_htmx_updates_contacts_and_history(as_user, org, customer_a):
    client = as_user(org.rep_a)
    url = reverse("web:contact_create", args=[customer_a.pk])
    response = client.post(
        url,
        {
            "name": "李总",
            "role": "general_manager",
            "phone": "13655556666",
            "age": "45",
            "gender": "male",
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="contacts"' in body
    assert "李总" in body
    assert 'id="history" hx-swap-oob="true"' in body
    assert "添加联系人" in body
    assert "<html" not in body
    assert customer_a.contacts.get().phone == "13655556666"


def test_add_contact_with_errors_keeps_the_input(as_user, org, customer_a):
    client = as_user(org.rep_a)
    url = reverse("web:contact_create", args=[customer_a.pk])
    response = client.post(url, {"name": "李总", "role": "other", "phone": "12345"})
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="李总"' in body
    assert 'value="12345"' in body
    assert "电话号码" in body or "手机号码" in body
    assert customer_a.contacts.count() == 0


def test_add_contact_without_htmx_redirects_to_the_detail(as_user, org, customer_a):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:contact_create", args=[customer_a.pk]), {"name": "李总", "role": "other"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/customers/{customer_a.pk}/#contacts")


# --- create -----------------------------------------------------------------------------------


def test_create_a_customer_and_land_on_it(as_user, org):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:customer_create"),
        form_data(
            name="张三丰",
            phone="139 1234 5678",
            category="intention",
            grade="O",
            deposit_amount="5000",
            deposit_on=timezone.localdate().isoformat(),
            tags="VIP，展厅到访, VIP",
            staff_count="",
            annual_revenue="",
        ),
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "张三丰" in detail
    assert "13912345678" in detail
    assert "已创建客户 KH" in detail
    assert "VIP" in detail
    assert "展厅到访" in detail


def test_create_form_keeps_what_was_typed_and_shows_chinese_errors(as_user, org):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:customer_create"),
        form_data(
            name="钱七",
            phone="12345",
            id_number="110101199003071234",
            email="a@b",
            notes="老客户介绍",
            category="intention",
            grade="",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 422
    for typed in ('value="钱七"', 'value="12345"', 'value="110101199003071234"', "老客户介绍"):
        assert typed in body
    assert "意向客户必须选择意向级别" in body or "电话号码" in body or "不是有效" in body
    assert 'class="field has-error' in body


def test_create_form_reports_every_field_error(as_user, org):
    client = as_user(org.rep_a)
    body = client.post(
        reverse("web:customer_create"),
        form_data(
            name="钱七",
            category="intention",
            grade="",
        ),
    ).content.decode()
    assert "意向客户必须选择意向级别" in body
    body = client.post(
        reverse("web:customer_create"),
        form_data(
            name="钱七",
            phone="12345",
        ),
    ).content.decode()
    assert re.search(r'id="field-phone".*?class="field-error">[^<]*电话', body, re.S)


def test_create_with_a_type_error_keeps_the_input(as_user, org):
    body = (
        as_user(org.rep_a)
        .post(
            reverse("web:customer_create"),
            form_data(
                name="孙八",
                staff_count="很多",
            ),
        )
        .content.decode()
    )
    assert 'value="孙八"' in body
    assert 'value="很多"' in body
    assert re.search(r'id="field-staff_count".*?class="field-error"', body, re.S)


def test_duplicate_phone_names_the_existing_customer_and_its_owner(as_user, org, customer_a):
    body = (
        as_user(org.manager)
        .post(
            reverse("web:customer_create"),
            form_data(
                name="另一个人",
                phone="13911112222",
            ),
        )
        .content.decode()
    )
    assert customer_a.number in body
    assert "王小明" in body
    assert 'value="另一个人"' in body


def test_duplicate_outside_scope_names_only_the_owner(as_user, org, customer_a):
    body = (
        as_user(org.rep_c)
        .post(
            reverse("web:customer_create"),
            form_data(
                name="另一个人",
                phone="13911112222",
            ),
        )
        .content.decode()
    )
    assert "王小明" in body
    assert customer_a.number not in body
    assert "王建国" not in body


def test_rep_may_only_assign_themselves(as_user, org):
    body = as_user(org.rep_a).get(reverse("web:customer_create")).content.decode()
    owner_select = find(r'<select name="owner".*?</select>', body).group(0)
    assert "王小明" in owner_select
    assert "李小红" not in owner_select


def test_manager_assigns_a_department_member(as_user, org):
    client = as_user(org.manager)
    response = client.post(
        reverse("web:customer_create"), form_data(name="新客户", owner=org.rep_b.pk)
    )
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "李小红" in body


# --- edit -------------------------------------------------------------------------------------


def test_edit_form_is_filled_and_carries_the_version(as_user, org, customer_a):
    body = (
        as_user(org.rep_a).get(reverse("web:customer_edit", args=[customer_a.pk])).content.decode()
    )
    assert 'value="王建国"' in body
    assert 'value="13911112222"' in body
    assert 'type="hidden" name="version" value="1"' in body


def test_edit_saves_and_records_the_change(as_user, org, customer_a):
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:customer_edit", args=[customer_a.pk]),
        edit_data(customer_a, city="苏州", tags="团购"),
    )
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert customer_a.city == "苏州"
    assert customer_a.version == 2
    assert [t.name for t in customer_a.tags.all()] == ["团购"]
    event = AuditEvent.objects.filter(verb="customer.updated").get()
    assert event.changes["city"] == ["", "苏州"]


def test_stale_version_is_refused_and_keeps_the_input(as_user, org, customer_a):
    stale = edit_data(customer_a, name="我的改动")
    services.customer_update(
        actor=org.manager, customer_id=customer_a.pk, version=1, data={"city": "南京"}
    )
    response = as_user(org.rep_a).post(reverse("web:customer_edit", args=[customer_a.pk]), stale)
    body = response.content.decode()
    assert response.status_code == 422
    assert "该记录已被他人修改" in body
    assert 'value="我的改动"' in body
    customer_a.refresh_from_db()
    assert (customer_a.name, customer_a.city) == ("王建国", "南京")


def test_edit_errors_keep_the_input(as_user, org, customer_a):
    response = as_user(org.rep_a).post(
        reverse("web:customer_edit", args=[customer_a.pk]),
        edit_data(customer_a, name="", city="苏州"),
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请填写客户名称" in body
    assert 'value="苏州"' in body


def test_rep_cannot_hand_a_customer_to_a_colleague(as_user, org, customer_a):
    response = as_user(org.rep_a).post(
        reverse("web:customer_edit", args=[customer_a.pk]),
        edit_data(customer_a, owner=org.rep_b.pk),
    )
    assert response.status_code == 422
    customer_a.refresh_from_db()
    assert customer_a.owner_id == org.rep_a.pk


# --- delete and recycle bin -------------------------------------------------------------------


def test_delete_asks_first_then_moves_to_the_recycle_bin(as_user, org, customer_a):
    client = as_user(org.rep_a)
    url = reverse("web:customer_delete", args=[customer_a.pk])
    confirm = client.get(url).content.decode()
    assert "确定删除客户" in confirm
    assert customer_a.number in confirm
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is None
    response = client.post(url, {"version": customer_a.version})
    assert response["Location"] == LIST
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is not None
    assert client.get(reverse("web:customer_detail", args=[customer_a.pk])).status_code == 404


def test_delete_with_a_stale_version_is_refused(as_user, org, customer_a):
    services.customer_update(
        actor=org.manager, customer_id=customer_a.pk, version=1, data={"city": "南京"}
    )
    client = as_user(org.rep_a)
    response = client.post(
        reverse("web:customer_delete", args=[customer_a.pk]), {"version": 1}, follow=True
    )
    assert "该记录已被他人修改" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is None


def test_data_admin_restores_from_the_recycle_bin(as_user, org, customer_a):
    services.customer_delete(actor=org.rep_a, customer_id=customer_a.pk)
    client = as_user(org.data_admin)
    trash = client.get(reverse("web:customer_trash")).content.decode()
    assert "王建国" in trash
    assert "恢复" in trash
    response = client.post(reverse("web:customer_restore", args=[customer_a.pk]), follow=True)
    assert "已恢复客户" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is None
    assert "王建国" not in client.get(reverse("web:customer_trash")).content.decode()


def test_restore_refused_when_a_duplicate_took_its_place(as_user, org, customer_a):
    services.customer_delete(actor=org.rep_a, customer_id=customer_a.pk)
    make_customer(org.rep_b, name="新来的", phone="13911112222")
    response = as_user(org.data_admin).post(
        reverse("web:customer_restore", args=[customer_a.pk]), follow=True
    )
    assert "重复" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.deleted_at is not None


def test_others_cannot_restore(as_user, org, customer_a):
    services.customer_delete(actor=org.rep_a, customer_id=customer_a.pk)
    response = as_user(org.gm).post(reverse("web:customer_restore", args=[customer_a.pk]))
    assert response.status_code == 403


def test_repeated_views_by_one_person_show_as_one_line(as_user, org, customer_a):
    client = as_user(org.rep_a)
    url = reverse("web:customer_detail", args=[customer_a.pk])
    for _ in range(3):
        client.get(url)
    body = client.get(url).content.decode()
    assert body.count('class="event event-viewed"') == 1
    assert "×4" in body
    assert AuditEvent.objects.filter(verb="customer.viewed").count() == 4  # all still logged


@pytest.mark.parametrize("rows", [1, 6])
def test_detail_page_query_count(as_user, org, django_assert_max_num_queries, rows):
    """Contacts, changes, follow-ups, plans and transitions do not add queries per row."""
    from crm.activities import services as activities

    customer = make_customer(org.rep_a, name="华夏运输", kind="organization", tags=["甲"])
    for i in range(rows):
        services.contact_create(
            actor=org.rep_a, customer_id=customer.pk, data={"name": f"联系人{i}", "role": "other"}
        )
        services.customer_update(
            actor=org.rep_a, customer_id=customer.pk, version=i + 1, data={"city": f"城{i}"}
        )
        activities.followup_record(
            actor=org.rep_a,
            customer_id=customer.pk,
            data={
                "kind": "call",
                "content": f"第{i}次电话",
                "next_at": f"2099-01-0{i + 1}T10:00+08:00",
            },
        )
    lifecycle.customer_transition(
        actor=org.rep_a, customer_id=customer.pk, version=rows + 1, to="intention", grade="B"
    )
    client = as_user(org.manager)
    # session and user, the view and its audit row, fields, contacts, history with names,
    # follow-up state, plans, the timeline's four sources with names, the plan form's
    # colleagues, the three counts of the navigation, the 老带新 link, the lock against return
    # (crm.pool) and 客户共享: the customers shared with the manager, the customer's shares and
    # the colleagues it may be shared with; the confidentiality levels and the reader's
    # clearance (one query, crm.governance.masking); the 审批 badge and the requests about the
    # customer; whether records wait for verification (待核查 in the menu); the published forms
    # (调查表, crm.questionnaires) that apply to it; its opportunities (销售机会, crm.sales), its
    # orders and whether the reader may add one (crm.orders, two), its service records and
    # complaints (crm.service)
    with django_assert_max_num_queries(41):
        response = client.get(reverse("web:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    assert "第0次电话" in response.content.decode()


def test_editing_a_pool_customer_keeps_it_in_the_pool(as_user, org, customer_a):
    Customer.objects.filter(pk=customer_a.pk).update(owner=None)
    customer_a.refresh_from_db()
    client = as_user(org.data_admin)
    page = client.get(reverse("web:customer_edit", args=[customer_a.pk])).content.decode()
    assert '<option value="" selected>公海（无负责人）</option>' in page
    response = client.post(
        reverse("web:customer_edit", args=[customer_a.pk]), edit_data(customer_a, city="宁波")
    )
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert (customer_a.owner_id, customer_a.city) == (None, "宁波")
