"""Customer services: validation, duplicates (查重), version conflicts, soft delete, audit rows."""

from __future__ import annotations

import pytest

from crm.core import context
from crm.core.errors import Conflict, Duplicate, Invalid, NotFound, PermissionDenied
from crm.customers import selectors, services
from crm.customers.models import Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent

pytestmark = pytest.mark.django_db


def events(customer):
    return list(
        AuditEvent.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


# --- create ---------------------------------------------------------------------------------


def test_create_numbers_the_customer_and_normalises_the_phone(org):
    # given a rep entering a walk-in customer
    c = services.customer_create(
        actor=org.rep_a, data={"name": " 张三丰 ", "phone": "+86 138-1234-5678"}
    )
    # then the record carries a readable number, the rep as owner and the rep's department
    assert c.number == f"KH{c.pk:06d}"
    assert c.name == "张三丰"
    assert c.phone == "13812345678"
    assert c.owner == org.rep_a
    assert c.department == org.sales1
    assert c.version == 1


def test_create_records_an_audit_event_with_the_values_and_request_context(org):
    with context.bind(request_id="req-1", ip="10.0.0.8"):
        c = make_customer(org.rep_a, name="李四", phone="13900001111", city="北京")
    event = AuditEvent.objects.get(object_id=str(c.pk), verb="customer.created")
    assert event.actor == org.rep_a
    assert event.actor_name == "王小明"
    assert event.request_id == "req-1"
    assert event.ip == "10.0.0.8"
    assert event.changes["name"] == [None, "李四"]
    assert event.changes["phone"] == [None, "13900001111"]
    assert event.changes["city"] == [None, "北京"]
    assert "notes" not in event.changes  # empty fields are not noise in the log


def test_invalid_fields_are_reported_together_in_chinese(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a,
            data={"name": "", "phone": "12345", "id_number": "110105194912310021", "email": "x@"},
        )
    fields = err.value.fields
    assert set(fields) >= {"phone", "id_number", "email"}
    assert "校验位" in fields["id_number"]
    assert not Customer.objects.exists()


def test_a_missing_grade_is_reported_together_with_a_bad_phone(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a, data={"name": "甲", "phone": "123", "category": "intention"}
        )
    assert set(err.value.fields) == {"phone", "grade"}


def test_nul_characters_are_refused_for_every_channel(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "张\x00三", "tags": ["a\x00"]})
    assert set(err.value.fields) == {"name", "tags"}


def test_the_recycle_bin_can_be_searched_by_name(org):
    c = make_customer(org.rep_a, name="张三丰")
    make_customer(org.rep_a, name="李四")
    services.customer_delete(actor=org.rep_a, customer_id=c.pk)
    page = selectors.customer_list(
        actor=org.data_admin, filters=selectors.CustomerFilters(deleted=True, q="三丰")
    )
    assert [x.name for x in page.items] == ["张三丰"]


def test_name_is_required(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "  "})
    assert err.value.fields == {"name": "请填写客户名称"}


def test_intention_customer_requires_a_grade_and_others_have_none(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "category": "intention"})
    assert "意向级别" in err.value.fields["grade"]
    with pytest.raises(Invalid):
        services.customer_create(
            actor=org.rep_a, data={"name": "乙", "category": "potential", "grade": "A"}
        )
    c = services.customer_create(
        actor=org.rep_a, data={"name": "丙", "category": "intention", "grade": "H"}
    )
    assert c.grade == "H"


def test_an_organisation_has_no_id_number(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(
            actor=org.rep_a,
            data={"name": "某某公司", "kind": "organization", "id_number": "11010519491231002X"},
        )
    assert "id_number" in err.value.fields


def test_unknown_fields_are_refused(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "salary": 1})
    assert "salary" in err.value.fields


def test_tags_are_created_and_attached(org):
    c = services.customer_create(
        actor=org.rep_a, data={"name": "甲", "tags": ["VIP", "车展", "VIP"]}
    )
    assert sorted(t.name for t in c.tags.all()) == ["VIP", "车展"]


# --- owner assignment -----------------------------------------------------------------------


def test_rep_cannot_create_for_someone_else(org):
    with pytest.raises(Invalid) as err:
        services.customer_create(actor=org.rep_a, data={"name": "甲", "owner": org.rep_b.pk})
    assert "owner" in err.value.fields


def test_manager_assigns_within_the_department_only(org):
    c = services.customer_create(actor=org.manager, data={"name": "甲", "owner": org.rep_b.pk})
    assert c.owner == org.rep_b
    assert c.department == org.sales1
    with pytest.raises(Invalid):
        services.customer_create(actor=org.manager, data={"name": "乙", "owner": org.rep_c.pk})


def test_sysadmin_may_not_enter_customers(org):
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=org.sysadmin, data={"name": "甲"})


# --- duplicates -----------------------------------------------------------------------------


def test_duplicate_phone_names_the_existing_number_and_owner(org):
    first = make_customer(org.rep_a, name="张三", phone="13812345678")
    with pytest.raises(Duplicate) as err:
        services.customer_create(actor=org.rep_b, data={"name": "张三", "phone": "138 1234 5678"})
    # rep_b cannot see rep_a's customer: only the owner's name is told
    assert err.value.extra["existing"] == {"number": None, "owner_name": "王小明"}
    assert "王小明" in str(err.value.message)
    assert str(first.number) not in str(err.value.message)
    # the manager of the department sees the number
    with pytest.raises(Duplicate) as err:
        services.customer_create(actor=org.manager, data={"name": "张三", "phone": "13812345678"})
    assert err.value.extra["existing"] == {"number": first.number, "owner_name": "王小明"}
    assert str(first.number) in str(err.value.message)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("id_number", "11010519491231002X", "person"),
        ("credit_code", "91350100M000100Y43", "organization"),
    ],
)
def test_duplicate_identifiers_are_refused(org, field, value, kind):
    make_customer(org.rep_a, name="甲方", kind=kind, **{field: value})
    with pytest.raises(Duplicate) as err:
        make_customer(org.rep_c, name="乙方", kind=kind, **{field: value.lower()})
    assert field in err.value.fields


def test_duplicate_organisation_name_ignores_spaces_and_bracket_width(org):
    make_customer(org.rep_a, name="北京华联（集团）有限公司", kind="organization")
    with pytest.raises(Duplicate) as err:
        make_customer(org.rep_c, name="北京华联(集团) 有限公司", kind="organization")
    assert "name" in err.value.fields
    # two people may share a name
    make_customer(org.rep_a, name="王伟")
    make_customer(org.rep_a, name="王伟")


def test_update_to_another_customers_phone_is_refused(org):
    make_customer(org.rep_a, name="甲", phone="13812345678")
    b = make_customer(org.rep_a, name="乙", phone="13900001111")
    with pytest.raises(Duplicate):
        services.customer_update(
            actor=org.rep_a, customer_id=b.pk, version=b.version, data={"phone": "13812345678"}
        )
    b.refresh_from_db()
    assert b.phone == "13900001111"


def test_deleted_customer_does_not_block_a_new_entry_but_blocks_its_own_restore(org):
    a = make_customer(org.rep_a, name="甲", phone="13812345678")
    services.customer_delete(actor=org.rep_a, customer_id=a.pk)
    make_customer(org.rep_b, name="甲", phone="13812345678")
    with pytest.raises(Duplicate):
        services.customer_restore(actor=org.data_admin, customer_id=a.pk)


# --- update and conflicts -------------------------------------------------------------------


def test_update_bumps_version_and_logs_before_and_after(org):
    c = make_customer(org.rep_a, name="张三", city="北京")
    updated = services.customer_update(
        actor=org.rep_a, customer_id=c.pk, version=1, data={"city": "上海", "notes": "想买SUV"}
    )
    assert updated.version == 2
    event = AuditEvent.objects.filter(verb="customer.updated").get()
    assert event.changes == {"city": ["北京", "上海"], "notes": ["", "想买SUV"]}


def test_stale_version_is_a_conflict_and_nothing_is_overwritten(org):
    c = make_customer(org.rep_a, name="张三", city="北京")
    # two people open version 1; the first saves
    services.customer_update(actor=org.rep_a, customer_id=c.pk, version=1, data={"city": "上海"})
    # the second saves from the stale version 1
    with pytest.raises(Conflict) as err:
        services.customer_update(
            actor=org.manager, customer_id=c.pk, version=1, data={"city": "广州"}
        )
    assert err.value.extra["current_version"] == 2
    c.refresh_from_db()
    assert c.city == "上海"
    assert events(c) == ["customer.created", "customer.updated"]


def test_update_without_changes_keeps_the_version_and_logs_nothing(org):
    c = make_customer(org.rep_a, name="张三", city="北京")
    same = services.customer_update(
        actor=org.rep_a, customer_id=c.pk, version=1, data={"city": "北京"}
    )
    assert same.version == 1
    assert events(c) == ["customer.created"]


def test_rep_cannot_hand_a_customer_out_of_their_own_scope(org):
    c = make_customer(org.rep_a, name="张三")
    with pytest.raises(Invalid):
        services.customer_update(
            actor=org.rep_a, customer_id=c.pk, version=1, data={"owner": org.rep_b.pk}
        )


def test_manager_reassigns_within_department_and_the_change_is_logged(org):
    c = make_customer(org.rep_a, name="张三")
    services.customer_update(
        actor=org.manager, customer_id=c.pk, version=1, data={"owner": org.rep_b.pk}
    )
    c.refresh_from_db()
    assert c.owner == org.rep_b
    event = AuditEvent.objects.get(verb="customer.updated")
    assert event.changes["owner"] == [org.rep_a.pk, org.rep_b.pk]


def test_outsider_cannot_update_or_delete(org):
    c = make_customer(org.rep_a, name="张三")
    with pytest.raises(NotFound):
        services.customer_update(actor=org.rep_c, customer_id=c.pk, version=1, data={"city": "x"})
    with pytest.raises(NotFound):
        services.customer_update(actor=org.rep_b, customer_id=c.pk, version=1, data={"city": "x"})
    with pytest.raises(NotFound):
        services.customer_delete(actor=org.manager2, customer_id=c.pk)
    with pytest.raises(PermissionDenied):
        services.customer_delete(actor=org.sysadmin, customer_id=c.pk)


# --- delete, restore, view ------------------------------------------------------------------


def test_delete_is_soft_and_only_the_data_admin_restores(org):
    c = make_customer(org.rep_a, name="张三")
    services.customer_delete(actor=org.rep_a, customer_id=c.pk)
    c.refresh_from_db()
    assert c.deleted_at is not None
    assert c.deleted_by == org.rep_a
    with pytest.raises(NotFound):
        selectors.customer_get(actor=org.rep_a, customer_id=c.pk)
    with pytest.raises(PermissionDenied):
        services.customer_restore(actor=org.manager, customer_id=c.pk)
    bin_page = selectors.customer_list(
        actor=org.data_admin, filters=selectors.CustomerFilters(deleted=True)
    )
    assert [x.pk for x in bin_page.items] == [c.pk]
    services.customer_restore(actor=org.data_admin, customer_id=c.pk)
    assert selectors.customer_get(actor=org.rep_a, customer_id=c.pk).deleted_at is None
    assert events(c) == ["customer.created", "customer.deleted", "customer.restored"]


def test_recycle_bin_is_for_the_data_admin_only(org):
    c = make_customer(org.rep_a, name="张三")
    services.customer_delete(actor=org.rep_a, customer_id=c.pk)
    for actor in (org.rep_a, org.manager, org.gm):
        page = selectors.customer_list(actor=actor, filters=selectors.CustomerFilters(deleted=True))
        assert page.items == []


def test_opening_a_customer_registers_the_view(org):
    c = make_customer(org.rep_a, name="张三")
    services.customer_open(actor=org.manager, customer_id=c.pk)
    event = AuditEvent.objects.get(verb="customer.viewed")
    assert event.actor == org.manager
    assert event.object_id == str(c.pk)


def test_opening_outside_scope_is_not_found_and_not_logged(org):
    c = make_customer(org.rep_a, name="张三")
    with pytest.raises(NotFound):
        services.customer_open(actor=org.rep_c, customer_id=c.pk)
    assert not AuditEvent.objects.filter(verb="customer.viewed").exists()


# --- contacts -------------------------------------------------------------------------------


def test_contacts_of_an_organisation_with_roles_and_hobbies(org):
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    boss = services.contact_create(
        actor=org.rep_a,
        customer_id=c.pk,
        data={
            "name": "王总",
            "role": "chairman",
            "phone": "13912345678",
            "age": 52,
            "gender": "male",
            "hobbies": "高尔夫",
        },
    )
    services.contact_create(
        actor=org.rep_a, customer_id=c.pk, data={"name": "李队长", "role": "fleet_manager"}
    )
    assert [x.name for x in selectors.customer_contacts(customer=c)] == ["王总", "李队长"]
    assert boss.phone == "13912345678"
    services.contact_update(
        actor=org.rep_a, customer_id=c.pk, contact_id=boss.pk, data={"hobbies": "钓鱼"}
    )
    services.contact_delete(actor=org.rep_a, customer_id=c.pk, contact_id=boss.pk)
    assert events(c) == [
        "customer.created",
        "customer.contact_added",
        "customer.contact_added",
        "customer.contact_changed",
        "customer.contact_removed",
    ]
    change = AuditEvent.objects.get(verb="customer.contact_changed")
    assert change.changes == {"contact.hobbies": ["高尔夫", "钓鱼"]}


def test_contact_validation(org):
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    with pytest.raises(Invalid) as err:
        services.contact_create(
            actor=org.rep_a, customer_id=c.pk, data={"name": "", "phone": "123", "age": 200}
        )
    assert set(err.value.fields) == {"name", "phone", "age"}


def test_outsider_cannot_add_contacts(org):
    c = make_customer(org.rep_a, name="顺丰物流", kind="organization")
    with pytest.raises(NotFound):
        services.contact_create(actor=org.rep_c, customer_id=c.pk, data={"name": "王总"})
