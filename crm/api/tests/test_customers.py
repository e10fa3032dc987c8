"""Customers through the API: the JSON contract, duplicates, conflicts, validation, history,
contacts, the recycle bin and tags."""

from __future__ import annotations

import pytest
from django.test import Client

from crm.accounts import services as accounts
from crm.customers import services
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db

CONTRACT_FIELDS = {
    "id", "number", "kind", "name", "phone", "email", "id_number", "credit_code", "company",
    "address", "city", "source", "category", "grade", "owner", "department", "tags", "notes",
    "version", "created_at", "updated_at",
}  # fmt: skip
VALID_ID = "11010519491231002X"  # GB 11643 example, check character X
VALID_CREDIT_CODE = "91350100M000100Y43"


# --- create -----------------------------------------------------------------------------------


def test_create_returns_201_with_the_contract_fields(org, call):
    # given a full person record as a rep enters it
    body = {
        "name": "张三丰",
        "phone": "139 1234 5678",
        "email": "ZSF@Example.com",
        "id_number": VALID_ID.lower(),
        "city": "杭州",
        "source": "referral",
        "category": "intention",
        "grade": "A",
        "tags": ["VIP", "老客户"],
        "notes": "想买SUV",
    }

    # when it is posted
    response = call(org.rep_a, "POST", "customers", body)

    # then it is created, normalised, numbered and owned by the rep
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= CONTRACT_FIELDS
    assert data["number"] == f"KH{data['id']:06d}"
    assert data["kind"] == "person"
    assert data["phone"] == "13912345678"
    assert data["email"] == "zsf@example.com"
    # the ID number is secret (密级): the rep who entered it sees it masked, the data
    # administrator whole
    assert data["id_number"] == "1101**********" + VALID_ID[-4:]
    whole = call(org.data_admin, "GET", f"customers/{data['id']}").json()
    assert whole["id_number"] == VALID_ID
    assert data["category"] == "intention"
    assert data["category_label"] == "意向客户"
    assert data["grade"] == "A"
    assert data["source_label"] == "亲友介绍"
    assert data["owner"] == {"id": org.rep_a.pk, "name": "王小明"}
    assert data["department"] == {"id": org.sales1.pk, "name": "销售一部"}
    assert data["tags"] == ["VIP", "老客户"]
    assert data["version"] == 1
    assert response["Location"].endswith(f"/api/v1/customers/{data['id']}")
    # and reading it back gives the same record
    assert call(org.rep_a, "GET", f"customers/{data['id']}").json()["name"] == "张三丰"


def test_json_is_utf8_not_escaped(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张三丰"})
    assert "张三丰".encode() in response.content
    assert response["Content-Type"].startswith("application/json")


def test_organisation_with_credit_code(org, call):
    response = call(
        org.rep_a,
        "POST",
        "customers",
        {
            "kind": "organization",
            "name": "宁波星河机械有限公司",
            "credit_code": VALID_CREDIT_CODE.lower(),
            "staff_count": 120,
            "annual_revenue": "3500.5",
            "main_business": "注塑机",
        },
    )
    assert response.status_code == 201
    data = response.json()
    assert data["kind_label"] == "单位"
    assert data["credit_code"] == VALID_CREDIT_CODE[:4] + "**********" + VALID_CREDIT_CODE[-4:]
    whole = call(org.data_admin, "GET", f"customers/{data['id']}").json()
    assert whole["credit_code"] == VALID_CREDIT_CODE  # secret (密级): whole for the data admin
    assert data["staff_count"] == 120
    assert float(data["annual_revenue"]) == 3500.5


def test_manager_assigns_a_customer_to_a_rep_of_the_department(org, call):
    response = call(org.manager, "POST", "customers", {"name": "分配客户", "owner": org.rep_b.pk})
    assert response.status_code == 201
    assert response.json()["owner"]["name"] == "李小红"
    # and the rep sees it
    assert [c["name"] for c in call(org.rep_b, "GET", "customers").json()["items"]] == ["分配客户"]


def test_rep_may_not_assign_a_customer_to_someone_else(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "分配客户", "owner": org.rep_b.pk})
    assert response.status_code == 422
    assert "owner" in response.json()["error"]["fields"]


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicate_phone_in_scope_names_the_number_and_owner(org, call):
    # given rep_a's customer
    existing = make_customer(org.rep_a, name="张三", phone="13912345678")

    # when the manager enters the same phone in another notation
    response = call(
        org.manager, "POST", "customers", {"name": "张三", "phone": "+86 139-1234-5678"}
    )

    # then 409 duplicate, with the existing record's number and owner
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate"
    assert error["existing"] == {"number": existing.number, "owner_name": "王小明"}
    assert existing.number in error["message"]
    assert "phone" in error["fields"]


def test_duplicate_outside_scope_tells_only_the_owner(org, call):
    # given rep_a's customer, outside rep_c's scope
    existing = make_customer(org.rep_a, name="张三", phone="13912345678")

    # when rep_c enters the same phone
    response = call(org.rep_c, "POST", "customers", {"name": "另一个名字", "phone": "13912345678"})

    # then the owner is named but not the record
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["existing"] == {"number": None, "owner_name": "王小明"}
    assert existing.number not in response.content.decode()
    assert "张三" not in response.content.decode()


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        ({"id_number": VALID_ID}, {"id_number": VALID_ID.lower()}, "id_number"),
        (
            {"kind": "organization", "credit_code": VALID_CREDIT_CODE},
            {"kind": "organization", "name": "别名公司", "credit_code": VALID_CREDIT_CODE},
            "credit_code",
        ),
        (
            {"kind": "organization", "name": "星河机械（宁波）有限公司"},
            {"kind": "organization", "name": "星河机械 (宁波) 有限公司"},
            "name",
        ),
    ],
)
def test_duplicate_id_number_credit_code_and_organisation_name(org, call, first, second, field):
    make_customer(org.rep_a, **{"name": "星河机械（宁波）有限公司", **first})
    response = call(org.rep_b, "POST", "customers", {"name": "另一个", **second})
    assert response.status_code == 409
    assert list(response.json()["error"]["fields"]) == [field]


def test_duplicate_on_update(org, call):
    make_customer(org.rep_a, name="甲", phone="13912345678")
    other = make_customer(org.rep_a, name="乙", phone="13912345679")
    response = call(
        org.rep_a, "PATCH", f"customers/{other.pk}", {"version": 1, "phone": "13912345678"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    other.refresh_from_db()
    assert other.phone == "13912345679"


def test_duplicate_message_in_english(org, call):
    existing = make_customer(org.rep_a, name="张三", phone="13912345678")
    response = call(
        org.rep_a, "POST", "customers", {"name": "x", "phone": "13912345678"}, lang="en"
    )
    message = response.json()["error"]["fields"]["phone"]
    assert message == f"Phone duplicates existing customer {existing.number} (张三, owner: 王小明)"


# --- conflicts ----------------------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_nothing_is_overwritten(org, call):
    # given two people read version 1
    c = make_customer(org.rep_a, name="张三")
    first = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    assert first.status_code == 200
    assert first.json()["version"] == 2

    # when the second saves from version 1
    second = call(org.manager, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "上海"})

    # then it is refused with the current version, and the first edit stands
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "conflict"
    assert second.json()["error"]["current_version"] == 2
    assert call(org.rep_a, "GET", f"customers/{c.pk}").json()["city"] == "杭州"


def test_patch_requires_the_version(org, call):
    c = make_customer(org.rep_a, name="张三")
    response = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"city": "杭州"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"version": "此字段为必填项"}


def test_patch_changes_only_the_fields_sent(org, call):
    c = make_customer(org.rep_a, name="张三", city="宁波", notes="老客户")
    response = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "notes": ""})
    assert response.json()["notes"] == ""
    assert response.json()["city"] == "宁波"
    assert response.json()["name"] == "张三"


def test_patch_that_changes_nothing_keeps_the_version(org, call):
    c = make_customer(org.rep_a, name="张三", city="宁波")
    response = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "宁波"})
    assert response.status_code == 200
    assert response.json()["version"] == 1


def test_delete_with_a_stale_version_is_a_conflict(org, call):
    c = make_customer(org.rep_a, name="张三")
    call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    assert call(org.rep_a, "DELETE", f"customers/{c.pk}?version=1").status_code == 409
    assert call(org.rep_a, "DELETE", f"customers/{c.pk}?version=2").status_code == 204
    assert call(org.rep_a, "GET", f"customers/{c.pk}").status_code == 404


def test_rep_handing_a_customer_away_is_refused(org, call):
    c = make_customer(org.rep_a, name="张三")
    response = call(
        org.manager, "PATCH", f"customers/{c.pk}", {"version": 1, "owner": org.rep_b.pk}
    )
    assert response.status_code == 200  # the manager may reassign within the department
    response = call(org.rep_b, "PATCH", f"customers/{c.pk}", {"version": 2, "owner": org.rep_a.pk})
    assert response.status_code == 422  # a rep may not give customers away


# --- validation ---------------------------------------------------------------------------------


def test_domain_validation_gives_a_message_per_field(org, call):
    response = call(
        org.rep_a,
        "POST",
        "customers",
        {
            "name": "张三",
            "phone": "12345",
            "id_number": "110105194912310021",  # wrong check digit (X expected)
            "email": "not-an-email",
            "category": "intention",  # without a grade
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "输入有误，请检查标出的字段"
    assert error["fields"]["id_number"] == "身份证号码校验位错误"
    assert error["fields"]["email"] == "邮箱地址格式不正确"
    assert "电话" in error["fields"]["phone"]
    assert call(org.rep_a, "GET", "customers").json()["items"] == []


def test_grade_only_for_intention_customers(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张三", "grade": "A"})
    assert response.json()["error"]["fields"] == {"grade": "只有意向客户才有意向级别"}


def test_shape_errors_are_reported_per_field(org, call):
    response = call(
        org.rep_a,
        "POST",
        "customers",
        {"phone": 13912345678, "staff_count": "many", "tags": "VIP", "colour": "red"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "name": "此字段为必填项",
        "phone": "应为文本",
        "staff_count": "应为整数",
        "tags": "应为列表",
        "colour": "未知字段",
    }


def test_too_long_text_is_refused_with_the_limit(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张" * 101})
    assert response.json()["error"]["fields"] == {"name": "不能超过 100 个字"}


def test_invalid_choice(org, call):
    response = call(org.rep_a, "POST", "customers", {"name": "张三", "source": "tiktok"})
    assert response.json()["error"]["fields"] == {"source": "不是有效的选项"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "", "category": ""}, {"kind": "不是有效的选项", "category": "不是有效的选项"}),
        ({"staff_count": 10**12}, {"staff_count": "不能大于 2147483647"}),  # was a 500 on PG
        ({"annual_revenue": 1e20}, {"annual_revenue": "金额超出范围"}),
        ({"annual_revenue": "1e20"}, {"annual_revenue": "请输入数字，如 3500.50"}),
        ({"annual_revenue": "NaN"}, {"annual_revenue": "请输入数字，如 3500.50"}),
        ({"tags": ["标" * 21]}, {"tags": "不能超过 20 个字"}),
        ({"tags": [f"标{i}" for i in range(21)]}, {"tags": "最多 20 项"}),
    ],
)
def test_out_of_range_and_blank_choices_are_invalid_not_stored(org, call, body, fields):
    response = call(org.rep_a, "POST", "customers", {"name": "张三", **body})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"] == fields
    assert call(org.rep_a, "GET", "customers").json()["items"] == []


def test_nul_characters_are_refused_everywhere_not_a_500(org, call, client):
    # PostgreSQL cannot store NUL: without the check these were server errors there
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    cases = [
        call(org.rep_a, "POST", "customers", {"name": "张\x00三"}),
        call(org.rep_a, "POST", "customers", {"name": "张三", "tags": ["V\x00IP"]}),
        call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "notes": "\x00"}),
        call(org.rep_a, "POST", f"customers/{c.pk}/contacts", {"name": "王\x00总"}),
        call(org.rep_a, "GET", "customers?q=%E5%BC%A0%00"),
        client.post(
            "/api/v1/auth/token",
            data={"username": "rep_a\x00", "password": "x"},
            content_type="application/json",
        ),
    ]
    for response in cases:
        assert response.status_code == 422, response.content
        assert "不能包含空字符" in response.json()["error"]["fields"].values()


def test_body_that_is_not_json_is_a_bad_request(org, call):
    token = accounts.token_issue(actor=org.rep_a)
    response = Client().post(
        "/api/v1/customers",
        data="{name: 张三",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


# --- history ------------------------------------------------------------------------------------


def test_history_shows_create_update_and_view_events(org, call):
    # given a customer created, opened and changed through the API
    created = call(org.rep_a, "POST", "customers", {"name": "张三丰", "city": "宁波"}).json()
    path = f"customers/{created['id']}"
    call(org.manager, "GET", path)
    call(org.rep_a, "PATCH", path, {"version": 1, "city": "杭州", "tags": ["VIP"]})

    # when the history is read
    response = call(org.rep_a, "GET", f"{path}/history")

    # then it lists each event, newest first, with who and the before/after of changes
    assert response.status_code == 200
    events = response.json()
    assert [e["verb"] for e in events] == [
        "customer.updated",
        "customer.viewed",
        "customer.created",
    ]
    updated, viewed, create = events
    assert updated["actor"] == "王小明"
    assert updated["changes"]["city"] == ["宁波", "杭州"]
    assert updated["changes"]["tags"] == [[], ["VIP"]]
    assert viewed["actor"] == "陈经理"
    assert viewed["actor_id"] == org.manager.pk
    assert create["changes"]["name"] == [None, "张三丰"]
    assert all(e["request_id"] for e in events)
    assert len({e["request_id"] for e in events}) == 3
    # the rep sees who viewed the record and when, but not from which address
    assert not [e for e in events if "ip" in e]


def test_reading_the_history_is_logged_once_per_read(org, call):
    c = make_customer(org.rep_a, name="张三")
    call(org.rep_a, "GET", f"customers/{c.pk}/history")
    verbs = [e["verb"] for e in call(org.rep_a, "GET", f"customers/{c.pk}/history").json()]
    assert verbs == ["customer.history_viewed", "customer.created"]
    event = AuditEvent.objects.filter(verb="customer.history_viewed").latest("id")
    assert (event.actor, event.object_id, event.details) == (org.rep_a, str(c.pk), {"count": 2})
    assert event.ip == "127.0.0.1"  # kept for the audit log, not shown on the record


def test_request_id_of_the_response_is_the_one_in_the_history(org, call):
    c = make_customer(org.rep_a, name="张三")
    response = call(org.rep_a, "PATCH", f"customers/{c.pk}", {"version": 1, "city": "杭州"})
    history = call(org.rep_a, "GET", f"customers/{c.pk}/history").json()
    assert history[0]["request_id"] == response["X-Request-ID"]


# --- delete and restore ---------------------------------------------------------------------------


def test_delete_moves_to_the_recycle_bin_and_the_data_admin_restores(org, call):
    # given rep_a deletes a customer
    c = make_customer(org.rep_a, name="张三", phone="13912345678")
    assert call(org.rep_a, "DELETE", f"customers/{c.pk}").status_code == 204
    assert call(org.rep_a, "GET", f"customers/{c.pk}").status_code == 404
    assert call(org.rep_a, "GET", "customers").json()["items"] == []

    # when the data administrator finds it in the recycle bin and restores it
    bin_items = call(org.data_admin, "GET", "customers?deleted=true").json()["items"]
    assert [x["id"] for x in bin_items] == [c.pk]
    response = call(org.data_admin, "POST", f"customers/{c.pk}/restore")

    # then it is back with its owner, findable again, and the bin is empty
    assert response.status_code == 200
    assert response.json()["deleted_at"] is None
    assert response.json()["owner"]["name"] == "王小明"
    assert [x["id"] for x in call(org.rep_a, "GET", "customers?q=5678").json()["items"]] == [c.pk]
    assert call(org.data_admin, "GET", "customers?deleted=true").json()["items"] == []
    verbs = [e["verb"] for e in call(org.rep_a, "GET", f"customers/{c.pk}/history").json()]
    assert verbs[:2] == ["customer.restored", "customer.deleted"]


def test_restore_refused_when_a_live_duplicate_appeared(org, call):
    c = make_customer(org.rep_a, name="张三", phone="13912345678")
    services.customer_delete(actor=org.rep_a, customer_id=c.pk)
    make_customer(org.rep_b, name="张三", phone="13912345678")
    response = call(org.data_admin, "POST", f"customers/{c.pk}/restore")
    assert response.status_code == 409
    assert response.json()["error"]["existing"]["owner_name"] == "李小红"


# --- contacts -------------------------------------------------------------------------------------


def test_contacts_of_an_organisation(org, call):
    # given an organisation
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    base = f"customers/{c.pk}/contacts"

    # when its boss and fleet manager are added, one changed and one removed
    boss = call(
        org.rep_a,
        "POST",
        base,
        {"name": "王总", "role": "chairman", "phone": "13912345678", "age": 52, "gender": "male",
         "hobbies": "高尔夫"},
    )  # fmt: skip
    fleet = call(org.rep_a, "POST", base, {"name": "李队", "role": "fleet_manager"})
    assert boss.status_code == fleet.status_code == 201
    assert boss["Location"].endswith(f"/{base}/{boss.json()['id']}")
    changed = call(org.rep_a, "PATCH", f"{base}/{boss.json()['id']}", {"hobbies": "钓鱼"})
    removed = call(org.rep_a, "DELETE", f"{base}/{fleet.json()['id']}")

    # then the list shows the remaining contact with its change
    assert changed.status_code == 200
    assert removed.status_code == 204
    contacts = call(org.rep_a, "GET", base).json()
    assert len(contacts) == 1
    assert contacts[0]["name"] == "王总"
    assert contacts[0]["role_label"] == "董事长/老板"
    assert contacts[0]["hobbies"] == "钓鱼"
    assert contacts[0]["age"] == 52
    assert contacts[0]["phone"] == "13912345678"
    # and the history tells each step
    verbs = [e["verb"] for e in call(org.rep_a, "GET", f"customers/{c.pk}/history").json()]
    assert verbs[:5] == [
        "customer.contacts_viewed",  # the list read above
        "customer.contact_removed",
        "customer.contact_changed",
        "customer.contact_added",
        "customer.contact_added",
    ]


def test_a_contacts_phone_finds_the_organisation(org, call):
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization", phone="")
    call(org.rep_a, "POST", f"customers/{c.pk}/contacts", {"name": "王总", "phone": "13987654321"})
    found = call(org.rep_a, "GET", "customers?q=87654321").json()["items"]
    assert [x["id"] for x in found] == [c.pk]


def test_contact_validation(org, call):
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    response = call(
        org.rep_a,
        "POST",
        f"customers/{c.pk}/contacts",
        {"name": "王总", "role": "ceo", "age": 200, "phone": "123"},
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"role", "age", "phone"}
    assert call(org.rep_a, "GET", f"customers/{c.pk}/contacts").json() == []


# --- tags -----------------------------------------------------------------------------------------


def test_tags_list_and_filter(org, call):
    make_customer(org.rep_a, name="甲", tags=["VIP"])
    make_customer(org.rep_a, name="乙", tags=["VIP", "车队"])
    make_customer(org.rep_a, name="丙")
    tags = call(org.rep_a, "GET", "tags").json()
    assert [t["name"] for t in tags] == ["VIP", "车队"]
    by_name = call(org.rep_a, "GET", "customers?tag=VIP").json()["items"]
    by_id = call(org.rep_a, "GET", f"customers?tag={tags[1]['id']}").json()["items"]
    assert [x["name"] for x in by_name] == ["乙", "甲"]
    assert [x["name"] for x in by_id] == ["乙"]


def test_filters_by_category_grade_and_owner(org, call):
    make_customer(org.rep_a, name="甲", category="intention", grade="A")
    make_customer(org.rep_a, name="乙", category="intention", grade="H")
    make_customer(org.rep_b, name="丙", category="retained")

    def names(query):
        response = call(org.manager, "GET", f"customers?{query}")
        return [x["name"] for x in response.json()["items"]]

    assert names("category=intention") == ["乙", "甲"]
    assert names("category=intention&grade=H") == ["乙"]
    assert names(f"owner={org.rep_b.pk}") == ["丙"]
    assert names("category=&grade=&owner=&tag=&q=&cursor=") == ["丙", "乙", "甲"]


def test_unknown_filter_values_are_invalid(org, call):
    response = call(org.rep_a, "GET", "customers?category=vip&grade=Z&owner=me&limit=1000")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"category", "grade", "owner", "limit"}
