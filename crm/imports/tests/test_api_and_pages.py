"""The import through the API and the pages, end to end with real files; the shipped roles'
grants."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from crm.customers.models import Customer
from crm.imports.models import ImportJob, JobState

from .files import HEADER, csv_bytes, people, xlsx


def test_the_shipped_roles_hold_the_import_action_as_declared(org):
    from crm.accounts.models import Role
    from crm.accounts.roles import DEFAULT_GRANTS, IMPORT_GRANTS

    for code, grants in IMPORT_GRANTS.items():
        role = Role.objects.get(code=code, builtin=True)
        assert {a: role.grants.get(a) for a in grants} == grants  # the migration's
        assert {a: DEFAULT_GRANTS[code][a] for a in grants} == grants  # a new company's
    for code in ("rep", "receptionist", "service", "sysadmin"):
        assert "imports.import_customers" not in Role.objects.get(code=code).grants


def test_a_gbk_csv_goes_through_the_api_from_upload_to_undo(
    org, call, django_capture_on_commit_callbacks
):
    # given a CSV as Chinese Excel saves it, with a column the guess does not know
    rows = [["名字", "手机", "单位"], ["张三", "13800138000", "星河机械"], ["李四", "123", ""]]
    upload = SimpleUploadedFile("客户.csv", csv_bytes(rows, "gbk"))
    response = call(org.manager, "POST", "imports", files={"file": upload})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["mapping"] == {"1": "phone", "2": "company"}
    assert job["dry_run"]["invalid"] == 2  # no name column yet

    # when the name column is mapped, the dry run is redone
    response = call(
        org.manager,
        "PUT",
        f"imports/{job['id']}/mapping",
        {"mapping": {"0": "name", "1": "phone", "2": "company"}},
    )
    assert response.json()["dry_run"]["valid"] == 1
    assert response.json()["dry_run"]["errors"][0]["column"] == "手机"

    # and it is started (the task runs when the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = call(org.manager, "POST", f"imports/{job['id']}/start")
    assert response.status_code == 202
    progress = call(org.manager, "GET", f"imports/{job['id']}/progress").json()
    assert (progress["state"], progress["percent"], progress["created"], progress["failed"]) == (
        "done",
        100,
        1,
        1,
    )
    errors = call(org.manager, "GET", f"imports/{job['id']}/errors")
    sheet = load_workbook(io.BytesIO(errors.content)).active
    assert sheet.cell(row=2, column=1).value == 3
    assert Customer.objects.get(name="张三").company == "星河机械"

    with django_capture_on_commit_callbacks(execute=True):
        assert call(org.manager, "POST", f"imports/{job['id']}/undo").status_code == 200
    undone = call(org.manager, "GET", f"imports/{job['id']}").json()
    assert (undone["state"], undone["undo_removed"], undone["undo_kept"]) == ("undone", 1, 0)
    assert call(org.manager, "POST", f"imports/{job['id']}/undo").status_code == 409


def test_an_upload_of_another_kind_of_file_is_refused_in_chinese(org, call):
    upload = SimpleUploadedFile("客户.pdf", b"%PDF-1.4")
    response = call(org.manager, "POST", "imports", files={"file": upload})
    assert response.status_code == 422
    assert "xlsx" in response.json()["error"]["fields"]["file"]


def test_a_manager_imports_through_the_pages(org, as_user, django_capture_on_commit_callbacks):
    client = as_user(org.manager)
    page = client.get("/")
    assert "/imports/" in page.content.decode() or client.get("/customers/").status_code == 200
    data = xlsx([["客户名单（2026）"], ["名字", *HEADER[1:]], *people(3)])
    response = client.post("/imports/", {"file": SimpleUploadedFile("名单.xlsx", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert "预检结果" in detail
    assert 'name="col0"' in detail

    # the first column is corrected on the page
    form = {f"col{i}": f for i, f in job.mapping.items()}
    form["col0"] = "name"
    form["duplicates"] = "skip"
    page = client.post(f"/imports/{job.pk}/", form).content.decode()
    assert "开始导入（3 行可导入）" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/start/")
    job.refresh_from_db()
    assert (job.state, job.created_count) == (JobState.DONE, 3)
    progress = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "100%" in progress
    assert "hx-trigger" not in progress  # finished: no more polling


def test_reps_see_no_import_menu(org, as_user):
    assert "/imports/" not in as_user(org.rep_a).get("/customers/").content.decode()
    assert as_user(org.rep_a).get("/imports/").status_code == 403


def test_a_mapping_saved_on_the_page_maps_the_next_file(org, as_user):
    client = as_user(org.manager)
    first = xlsx([["名字", "号码"], ["张三", "13800138000"]])
    client.post("/imports/", {"file": SimpleUploadedFile("a.xlsx", first)})
    job = ImportJob.objects.get()
    client.post(f"/imports/{job.pk}/", {"col0": "name", "col1": "phone", "duplicates": "skip"})
    page = client.post(f"/imports/{job.pk}/", {"save_as": "展会名单"}).content.decode()
    assert "展会名单" in page

    second = xlsx([["号码", "名字"], ["13800138001", "李四"]])
    client.post("/imports/", {"file": SimpleUploadedFile("b.xlsx", second)})
    later = ImportJob.objects.order_by("-pk").first()
    assert later is not None
    saved = org.manager.pk  # the saved mapping is the manager's own
    from crm.imports.models import SavedMapping

    mapping = SavedMapping.objects.get(user_id=saved, name="展会名单")
    page = client.post(f"/imports/{later.pk}/", {"apply": str(mapping.pk)}).content.decode()
    later.refresh_from_db()
    assert later.mapping == {"0": "phone", "1": "name"}
    assert "开始导入（1 行可导入）" in page
    # another manager's saved mappings are not offered, nor applied
    other = as_user(org.manager2).post(f"/imports/{later.pk}/", {"apply": str(mapping.pk)})
    assert other.status_code == 404


def test_contacts_go_through_the_api_with_their_own_template(
    org, call, django_capture_on_commit_callbacks
):
    from crm.customers.tests.factories import make_customer

    star = make_customer(org.rep_a, name="星河机械", kind="organization")
    columns = call(org.manager, "GET", "imports/columns?target=contacts").json()
    assert columns[0] == {"field": "customer", "title": "所属客户", "required": True}
    template = call(org.manager, "GET", "imports/template?target=followups")
    assert template.status_code == 200
    assert "followup-import-template.xlsx" in template["Content-Disposition"]
    assert call(org.manager, "GET", "imports/columns?target=orders").status_code == 422

    data = xlsx([["客户编号", "联系人", "职务"], [star.number, "李总", "采购经理"]])
    upload = SimpleUploadedFile("联系人.xlsx", data)
    response = call(org.manager, "POST", "imports", files={"file": upload, "target": "contacts"})
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["target"], job["dry_run"]["valid"]) == ("contacts", 1)
    with django_capture_on_commit_callbacks(execute=True):
        call(org.manager, "POST", f"imports/{job['id']}/start")
    assert star.contacts.get().title == "采购经理"


def test_follow_ups_are_imported_through_the_pages(
    org, as_user, django_capture_on_commit_callbacks
):
    from crm.customers.tests.factories import make_customer

    star = make_customer(org.rep_a, name="星河机械")
    client = as_user(org.manager)
    assert "target=followups" in client.get("/imports/").content.decode()
    data = xlsx([["客户", "方式", "日期", "内容"], ["星河机械", "电话", "2024-03-05", "问候"]])
    response = client.post(
        "/imports/", {"file": SimpleUploadedFile("跟进.xlsx", data), "target": "followups"}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert "跟进记录" in detail
    assert 'name="duplicates"' not in detail  # skipped when already there, no choice
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/start/")
    assert star.followups.get().content == "问候"
    assert "撤销导入" not in client.get(f"/imports/{job.pk}/").content.decode()


def test_a_file_over_50_mb_is_refused_in_chinese_before_it_is_read(org, as_user):
    big = SimpleUploadedFile(
        "全部客户.csv",
        b"\xe5\xa7\x93\xe5\x90\x8d,\xe6\x89\x8b\xe6\x9c\xba\n" * (50 * 1024 * 1024 // 13 + 1000),
    )
    assert (big.size or 0) > 50 * 1024 * 1024
    response = as_user(org.manager).post("/imports/", {"file": big})
    assert response.status_code == 422
    assert "文件不能超过 50 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_row_limit_is_refused_with_the_limit(org, call, monkeypatch):
    from crm.imports import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    upload = SimpleUploadedFile("客户.csv", csv_bytes([HEADER, *people(11)], "utf-8"))
    response = call(org.manager, "POST", "imports", files={"file": upload})
    assert response.status_code == 422
    assert "一次最多导入 10 行" in response.content.decode()
