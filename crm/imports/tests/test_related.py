"""Importing the contacts and the follow-up history of customers already in the system: each
row names its customer (number, phone or name), goes through the rules of a single entry and
is written by the same service, within the importer's data scope; importing a file twice adds
nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from crm.activities.models import FollowUp
from crm.core.errors import StateConflict
from crm.customers.models import Contact, Customer
from crm.customers.tests.factories import make_customer
from crm.governance.models import AuditEvent
from crm.imports import fields, services
from crm.imports.models import ImportJob, ImportRow, JobState, Outcome, Target
from crm.testing import at

from .files import xlsx


def upload(actor, rows, target) -> ImportJob:
    data = xlsx(rows)
    return services.import_upload(
        actor=actor, stream=io.BytesIO(data), name="名单.xlsx", size=len(data), target=target
    )


def run(actor, job: ImportJob) -> ImportJob:
    services.import_start(actor=actor, job_id=job.pk)
    services.import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_contact_file_is_mapped_from_its_header():
    headers = ["客户编号", "联系人", "职务", "手机", "性别"]
    assert fields.guess(headers, Target.CONTACTS) == {
        "0": "customer",
        "1": "name",
        "2": "title",
        "3": "phone",
        "4": "gender",
    }


def test_each_template_starts_with_the_column_naming_the_customer():
    for target in (Target.CONTACTS, Target.FOLLOWUPS):
        sheet = load_workbook(io.BytesIO(fields.template(target))).active
        first = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert first[0] in ("所属客户*", "客户*")
        assert all(isinstance(v, str) for v in first)


def test_contacts_are_added_to_the_customers_the_rows_name(org):
    # given two customers of the manager's department and one of another department
    star = make_customer(org.rep_a, name="星河机械", kind="organization", phone="13900001111")
    moon = make_customer(org.rep_b, name="月亮湾贸易", kind="organization")
    other = make_customer(org.rep_c, name="外部门公司", kind="organization")
    rows = [
        ["客户", "联系人", "职务", "角色", "手机", "性别"],
        [star.number, "李总", "采购经理", "总经理", "13800001234", "男"],
        ["13900001111", "王工", "设备主管", "", "", "女"],
        ["月亮湾贸易", "赵会计", "", "", "", ""],
        ["外部门公司", "钱经理", "", "", "", ""],
        ["没有这家", "孙经理", "", "", "", ""],
        [star.number, "", "", "", "", ""],
    ]
    job = upload(org.manager, rows, Target.CONTACTS)
    assert job.dry_run["valid"] == 3
    assert job.dry_run["invalid"] == 3

    job = run(org.manager, job)

    assert (job.created_count, job.failed_count) == (3, 3)
    assert sorted(Contact.objects.filter(customer=star).values_list("name", flat=True)) == [
        "李总",
        "王工",
    ]
    li = Contact.objects.get(name="李总")
    assert (li.title, li.role, li.gender, li.phone) == (
        "采购经理",
        "general_manager",
        "male",
        "13800001234",
    )
    assert moon.contacts.get().name == "赵会计"
    assert not other.contacts.exists()  # another department's customer is out of scope
    failed = {r.row: r.message for r in ImportRow.objects.filter(job=job, outcome=Outcome.FAILED)}
    assert "找不到客户“外部门公司”" in failed[5]
    assert "找不到客户“没有这家”" in failed[6]
    assert "联系人姓名" in failed[7]
    # each contact audited as one entered by hand, and the import once
    assert AuditEvent.objects.filter(verb="customer.contact_added").count() == 3
    completed = AuditEvent.objects.get(verb="import.completed")
    assert completed.details["target"] == "contacts"


def test_the_same_contact_file_imported_twice_adds_nothing(org):
    star = make_customer(org.rep_a, name="星河机械", kind="organization")
    rows = [["客户", "联系人", "手机"], [star.number, "李总", "13800001234"]]
    run(org.manager, upload(org.manager, rows, Target.CONTACTS))
    again = run(org.manager, upload(org.manager, [*rows, rows[1]], Target.CONTACTS))
    assert (again.created_count, again.skipped_count) == (0, 2)
    assert star.contacts.count() == 1


def test_an_ambiguous_name_asks_for_the_customer_number(org):
    make_customer(org.rep_a, name="张伟")
    make_customer(org.rep_b, name="张伟")
    job = upload(org.manager, [["客户", "联系人"], ["张伟", "张太太"]], Target.CONTACTS)
    assert job.dry_run["errors"][0]["message"] == "有多位客户名为“张伟”，请填写客户编号"


def test_an_imported_contact_is_undone_unless_it_was_edited_since(org):
    from crm.customers import services as customer_services

    star = make_customer(org.rep_a, name="星河机械", kind="organization")
    job = run(
        org.manager,
        upload(
            org.manager, [["客户", "联系人"], [star.number, "甲"], [star.number, "乙"]], "contacts"
        ),
    )
    edited = star.contacts.get(name="乙")
    customer_services.contact_update(
        actor=org.rep_a, customer_id=star.pk, contact_id=edited.pk, data={"title": "厂长"}
    )
    services.import_undo(actor=org.manager, job_id=job.pk)
    services.import_undo_run(job_id=job.pk, actor_id=org.manager.pk)
    job.refresh_from_db()
    assert (job.state, job.undo_removed, job.undo_kept) == (JobState.UNDONE, 1, 1)
    assert list(star.contacts.values_list("name", flat=True)) == ["乙"]


def test_follow_up_history_is_recorded_against_its_customers(org, clock):
    clock(dt.date(2026, 11, 30), 10)
    star = make_customer(org.rep_a, name="星河机械", phone="13900002222")
    rows = [
        ["客户", "跟进方式", "跟进时间", "跟进内容"],
        ["13900002222", "电话", "2026/11/20 14:30", "介绍新品，客户有兴趣"],
        [star.number, "拜访", "2026年11月25日", "上门演示"],
        [star.number, "电话", "2026/11/20 14:30", "介绍新品，客户有兴趣"],  # repeats row 2
        [star.number, "电话", "2027-01-01 09:00", "还没发生"],
        [star.number, "飞鸽传书", "2026-11-01", "方式不对"],
    ]
    job = run(org.manager, upload(org.manager, rows, Target.FOLLOWUPS))

    assert (job.created_count, job.skipped_count, job.failed_count) == (1, 1, 3)
    call = FollowUp.objects.get(customer=star, kind="call")
    assert call.occurred_at == at(dt.date(2026, 11, 20), 14, 30)
    failed = {r.row: r.message for r in ImportRow.objects.filter(job=job, outcome=Outcome.FAILED)}
    assert failed[3].startswith("请填写")  # a visit needs its place and purpose, as by hand
    assert failed[5] == "跟进时间不能晚于现在"
    assert 6 in failed
    star = Customer.objects.get(pk=star.pk)
    assert timezone.localtime(star.last_contact_at).date() == dt.date(2026, 11, 20)


def test_a_follow_up_import_cannot_be_undone(org):
    star = make_customer(org.rep_a, name="星河机械")
    rows = [
        ["客户", "跟进方式", "跟进时间", "跟进内容"],
        [star.number, "电话", "2024-03-05", "问候"],
    ]
    job = run(org.manager, upload(org.manager, rows, Target.FOLLOWUPS))
    assert job.created_count == 1
    with pytest.raises(StateConflict):
        services.import_undo(actor=org.manager, job_id=job.pk)
